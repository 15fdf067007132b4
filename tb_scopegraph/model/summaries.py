"""Summaries on the graph: which scalar and histogram tags of a run belong to which ops and scopes.

A tag is linked to graph names by the first rule that finds any (see `link`):

1. TF1: ``tf.compat.v1.summary.histogram/scalar`` put a summary op in the graph named as its tag
   (``layer1/weights``). The tag is linked to that op and to the op whose value it summarizes
   (its input, followed through ``ReadVariableOp``/``Identity`` reads to the variable).
2. The tag is an op or scope name as it is (TF2 ``tf.summary.histogram("layer1/W")``).
3. PyTorch: a dotted parameter or module path (``add_histogram("fc1.weight")``, also as any
   "/"-separated part: ``prefix/fc1.weight``, ``blocks.1/grad_norm``) names the module scopes of
   ``add_graph`` (``Net/Linear[fc1]/weight``), module attributes in brackets: the longest dotted
   prefix that names a module scope, the deepest over the tag's parts.
4. The tag's path and then its parents, each tried as an op or scope name and then as the end
   of a scope's name (``dense/kernel_0``: Keras' ``:0`` suffix dropped, then ``dense`` finds
   ``sequential/dense``); the shallowest scopes that end so win.

A scope (or series, or part) then holds the summaries of every name linked inside it.
Everything here is a pure function of a `Hierarchy` and of what the data provider answered.

A summary op whose data all comes from its own scope (TF1's ``layer1/weights``, a histogram
of ``layer1/W``) is drawn folded into the box feeding it, whose badge counts it
(`drawing.auxiliary`); `folded_in` counts such ops per scope, for the boxes a view shows.
"""

from __future__ import annotations

import hashlib
import math
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tb_scopegraph.model.graph import OP, ROOT, GraphModel
from tb_scopegraph.model.roles import SUMMARY, op_aux

if TYPE_CHECKING:
    from tb_scopegraph.model.hierarchy import Hierarchy

#: TensorBoard's plugin names for scalars and for histograms (stored as [k, 3] tensors).
SCALARS_PLUGIN = "scalars"
HISTOGRAMS_PLUGIN = "histograms"
SCALAR, HISTOGRAM = "scalar", "histogram"
#: A link's target: ("op", op name) or ("group", scope, series or part key).
GROUP = "group"
#: Points of a scalar's sparkline, asked of the provider (which keeps the latest).
SPARK_POINTS = 100
#: A histogram with more buckets than this is rebinned into this many of equal width.
HISTOGRAM_BINS = 30
#: Summaries of each kind in one node's answer; the rest are counted.
CARD_LIMIT = 8
#: A link may name at most this many scopes (a suffix found in several places).
_MAX_TARGETS = 8
#: Scope names are indexed by their last components, at most this many.
_SUFFIX_PARTS = 6
_SUMMARY_OPS = frozenset(
    {"HistogramSummary", "ScalarSummary", "TensorSummary", "TensorSummaryV2", "WriteSummary"}
)
_READS = frozenset({"ReadVariableOp", "Identity", "Snapshot"})
_OUTPUT_SUFFIX = re.compile(r"(?::|_)\d+$")
_MODULE_PART = re.compile(r"^[^\[\]]*\[([^\[\]]+)\]$")

Target = tuple[str, str]


@dataclass(frozen=True)
class Links:
    """Tags linked to graph names, and for every op or group the tags inside it."""

    linked: Mapping[str, tuple[Target, ...]]  # tag -> the names it was linked to
    kinds: Mapping[str, str]  # tag -> SCALAR or HISTOGRAM
    under: Mapping[Target, tuple[str, ...]]  # op or group -> the tags linked in it, sorted
    unlinked: tuple[str, ...]
    fingerprint: str = field(default="")

    def badges(self) -> dict[Target, int]:
        """How many summaries each op or group holds (only those that hold any)."""
        return {target: len(tags) for target, tags in self.under.items()}

    def held(self) -> dict[Target, dict[str, int]]:
        """How many summaries of each kind (SCALAR, HISTOGRAM) each op or group holds (only
        those that hold any): what its badge says (`labels.badge`)."""
        return {
            target: dict(Counter(self.kinds.get(tag, "summary") for tag in tags))
            for target, tags in self.under.items()
        }

    def tags_of(self, name: str, kind: str | None) -> tuple[str, ...]:
        """The tags linked at or inside ``name``; ``kind`` as the node route takes it."""
        if kind in (OP, None) and (OP, name) in self.under:
            return self.under[(OP, name)]
        if kind != OP:
            return self.under.get((GROUP, name), ())
        return ()


#: The op type that merges summaries (TF1's ``merge_all``): never folded into a box.
MERGE_OP = "MergeSummary"
_folded: weakref.WeakKeyDictionary[GraphModel, dict[int, int]] = weakref.WeakKeyDictionary()


def folded_in(model: GraphModel) -> dict[int, int]:
    """Per group (only those with any), how many of its own ops are summary ops whose data
    inputs all come from ops inside it (the group, or groups inside it): drawn with it open,
    each is folded into the box feeding it where a badge counts it, so a view shows that
    many boxes fewer. A merge of summaries (`MERGE_OP`) is not. `auxiliary.folded_summaries`
    applies the same rule to a layout's boxes; worked out once per graph."""
    found = _folded.get(model)
    if found is None:
        found = _folded[model] = _count_folded(model)
    return found


def _count_folded(model: GraphModel) -> dict[int, int]:
    types = model.op_types
    # Asked on every graph's first view: by the distinct types first (as `roles.Roles`), so
    # a graph without summaries (most big ones) costs one set of its types.
    found = {t for t in set(types) if t != MERGE_OP and op_aux(t) == SUMMARY}
    if not found:
        return {}
    ops = np.asarray(
        [op for op, t in enumerate(types[: model.op_count]) if t in found], dtype=np.int64
    )
    data = np.isin(model.edge_dst, ops) & ~np.asarray(model.edge_control, dtype=bool)
    sources: dict[int, list[int]] = {int(op): [] for op in ops}
    for src, dst in zip(model.edge_src[data].tolist(), model.edge_dst[data].tolist(), strict=True):
        sources[dst].append(src)
    parents = model.groups.parents
    counts: Counter = Counter()
    for op, inputs in sources.items():
        group = int(model.op_group[op])
        if all(_inside(model, parents, src, group) for src in inputs):
            counts[group] += 1
    return dict(counts)


def _inside(model: GraphModel, parents, op: int, group: int) -> bool:
    """Whether op ``op`` is inside ``group`` or a group inside it."""
    key = int(model.op_group[op])
    while key != group and key != ROOT:
        key = int(parents[key])
    return key == group


def target_of(kind: str) -> str:
    """The link kind of a box kind: ops are "op", scopes, series and parts are "group"."""
    return OP if kind == OP else GROUP


def link(hierarchy: Hierarchy, tags: Mapping[str, str]) -> Links:
    """Links each tag (``tags``: tag -> SCALAR or HISTOGRAM) to graph names, by the rules above."""
    finder = _Finder(hierarchy)
    linked: dict[str, tuple[Target, ...]] = {}
    unlinked = []
    under: dict[Target, set[str]] = {}
    for tag in sorted(tags):
        targets = finder.find(tag)
        if not targets:
            unlinked.append(tag)
            continue
        linked[tag] = targets
        for kind, name in targets:
            holders = [(kind, name)]
            holders += [(GROUP, key) for key in hierarchy.ancestors(name, kind=kind)]
            for holder in holders:
                under.setdefault(holder, set()).add(tag)
    sorted_under = {target: tuple(sorted(found)) for target, found in under.items()}
    digest = hashlib.sha1()
    for (kind, name), found in sorted(sorted_under.items()):
        digest.update(f"{kind}\0{name}\0{len(found)}\n".encode("utf-8", "surrogatepass"))
    return Links(
        linked=linked,
        kinds=dict(tags),
        under=sorted_under,
        unlinked=tuple(unlinked),
        fingerprint=digest.hexdigest(),
    )


class _Finder:
    """The lookups behind `link`, with the indexes they need built once per graph."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self._h = hierarchy
        self._suffixes: dict[str, list[str]] | None = None
        self._modules: dict[str, list[str]] | None = None

    def find(self, tag: str) -> tuple[Target, ...]:
        h = self._h
        if h.op_type(tag) in _SUMMARY_OPS:
            found: list[Target] = [(OP, tag)]
            source = self._source(tag)
            if source and source != tag:
                found.append((OP, source))
            return tuple(found)
        exact = self._exact(tag)
        if exact:
            return exact
        if "." in tag:
            module = self._module(tag)
            if module:
                return module
        parts = [p for p in tag.split("/") if p]
        trimmed = _OUTPUT_SUFFIX.sub("", parts[-1]) if parts else ""
        for end in range(len(parts), 0, -1):
            path_parts = parts[:end]
            candidates = ["/".join(path_parts)]
            if end == len(parts) and trimmed and trimmed != parts[-1]:
                candidates.append("/".join([*parts[:-1], trimmed]))
            for path in candidates:
                found_here = self._exact(path) or self._ending(path)
                if found_here:
                    return found_here
        return ()

    def _exact(self, name: str) -> tuple[Target, ...]:
        if self._h.op_type(name):
            return ((OP, name),)
        if self._h.is_group(name):
            return ((GROUP, name),)
        return ()

    def _source(self, summary_op: str) -> str | None:
        """The op whose value a TF1 summary op summarizes, past variable reads."""
        inputs = self._h.op_inputs(summary_op)
        if len(inputs) < 2:
            return None
        name = inputs[1]  # (tag, values): the second input is the summarized tensor
        for _ in range(4):
            if self._h.op_type(name) not in _READS:
                break
            before = self._h.op_inputs(name)
            if not before:
                break
            name = before[0]
        return name if self._h.op_type(name) else None

    def _ending(self, path: str) -> tuple[Target, ...]:
        """The shallowest scopes whose names end with ``/path``."""
        if self._suffixes is None:
            self._suffixes = {}
            for key in self._h.scope_keys():
                parts = key.split("/")
                for n in range(1, min(len(parts) - 1, _SUFFIX_PARTS) + 1):
                    self._suffixes.setdefault("/".join(parts[-n:]), []).append(key)
        keys = self._suffixes.get(path, [])
        return _shallowest(keys)

    def _module(self, tag: str) -> tuple[Target, ...]:
        """PyTorch: the module scope a dotted parameter path names (``fc1.weight``)."""
        if self._modules is None:
            self._modules = {}
            for key in self._h.scope_keys():
                if "[" not in key:
                    continue
                parts = key.split("/")[1:]  # the first is the root module's class
                if not parts:
                    continue
                path = ".".join(m.group(1) if (m := _MODULE_PART.match(p)) else p for p in parts)
                self._modules.setdefault(path, []).append(key)
        # The whole tag, then each "/"-separated part (``blocks.1/grad_norm``,
        # ``weights/fc1.weight``): the part that names the deepest module wins.
        best: list[str] = []
        best_depth = 0
        for text in dict.fromkeys([tag, *tag.split("/")]):
            parts = text.split(".")
            for end in range(len(parts), best_depth, -1):
                keys = self._modules.get(".".join(parts[:end]))
                if keys:
                    best, best_depth = keys, end
                    break
        return _shallowest(best)


def _shallowest(keys: Sequence[str]) -> tuple[Target, ...]:
    if not keys:
        return ()
    depth = min(k.count("/") for k in keys)
    return tuple((GROUP, k) for k in sorted(keys) if k.count("/") == depth)[:_MAX_TARGETS]


# --- reading through the data provider -------------------------------------------------------


def list_tags(provider, ctx, experiment: str, run: str) -> dict[str, str]:
    """The run's scalar and histogram tags: tag -> SCALAR or HISTOGRAM."""
    from tensorboard.data.provider import RunTagFilter

    only = RunTagFilter(runs=[run])
    scalars = provider.list_scalars(
        ctx, experiment_id=experiment, plugin_name=SCALARS_PLUGIN, run_tag_filter=only
    )
    histograms = provider.list_tensors(
        ctx, experiment_id=experiment, plugin_name=HISTOGRAMS_PLUGIN, run_tag_filter=only
    )
    tags = {tag: HISTOGRAM for tag in histograms.get(run, {})}
    tags.update({tag: SCALAR for tag in scalars.get(run, {})})
    return tags


def read(provider, ctx, experiment: str, run: str, links: Links, tags: Iterable[str]) -> dict:
    """The latest value and a sparkline of each scalar, the latest histogram of each histogram,
    of ``tags`` (at most `CARD_LIMIT` of each kind; the rest are counted in ``more``)."""
    from tensorboard.data.provider import RunTagFilter

    wanted: dict[str, list[str]] = {SCALAR: [], HISTOGRAM: []}
    more = 0
    for tag in tags:
        kind = links.kinds.get(tag)
        if kind is None:
            continue
        if len(wanted[kind]) < CARD_LIMIT:
            wanted[kind].append(tag)
        else:
            more += 1
    scalars: list[dict[str, Any]] = []
    histograms: list[dict[str, Any]] = []
    if wanted[SCALAR]:
        series = provider.read_scalars(
            ctx,
            experiment_id=experiment,
            plugin_name=SCALARS_PLUGIN,
            downsample=SPARK_POINTS,
            run_tag_filter=RunTagFilter(runs=[run], tags=wanted[SCALAR]),
        ).get(run, {})
        for tag in wanted[SCALAR]:
            points = series.get(tag)
            if points:
                scalars.append({"tag": tag, "linked": _names(links, tag), **scalar_series(points)})
    if wanted[HISTOGRAM]:
        series = provider.read_tensors(
            ctx,
            experiment_id=experiment,
            plugin_name=HISTOGRAMS_PLUGIN,
            downsample=1,
            run_tag_filter=RunTagFilter(runs=[run], tags=wanted[HISTOGRAM]),
        ).get(run, {})
        for tag in wanted[HISTOGRAM]:
            points = series.get(tag)
            if points:
                last = max(points, key=lambda d: (d.step, d.wall_time))
                histograms.append(
                    {
                        "tag": tag,
                        "linked": _names(links, tag),
                        "step": int(last.step),
                        "wall_time": float(last.wall_time),
                        "buckets": rebin(np.asarray(last.numpy, dtype=np.float64)),
                    }
                )
    return {"scalars": scalars, "histograms": histograms, "more": more}


def _names(links: Links, tag: str) -> list[str]:
    return [name for _, name in links.linked.get(tag, ())]


def scalar_series(points: Sequence[Any]) -> dict[str, Any]:
    """A scalar's points (``step``, ``value``) as JSON: by step, non-finite values as null."""
    ordered = sorted(points, key=lambda d: d.step)
    last = ordered[-1]
    return {
        "step": int(last.step),
        "wall_time": float(last.wall_time),
        "value": _finite(last.value),
        "value_text": repr(float(last.value)) if not math.isfinite(last.value) else None,
        "steps": [int(d.step) for d in ordered],
        "values": [_finite(d.value) for d in ordered],
    }


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def rebin(buckets: np.ndarray, bins: int = HISTOGRAM_BINS) -> list[list[float]]:
    """A histogram tensor ([k, 3]: left edge, right edge, count) as at most ``bins`` buckets.

    Empty buckets at either end are dropped and every edge is kept within the first left and
    the last right edge (the data's min and max): TensorBoard's two data providers store TF1
    and PyTorch histograms apart in just that (`--load_fast=true` keeps the empty end buckets,
    whose edges then run backwards). More buckets than ``bins`` (TF1 and PyTorch write a few
    hundred of uneven width) become ``bins`` buckets of equal width over the same range, each
    count shared out by overlap.

    >>> rebin(np.array([[0.0, 1.0, 2.0], [1.0, 3.0, 4.0]]), bins=4)
    [[0.0, 1.0, 2.0], [1.0, 3.0, 4.0]]
    >>> rebin(np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 2.0], [2.0, 4.0, 4.0]]), bins=2)
    [[0.0, 2.0, 4.0], [2.0, 4.0, 4.0]]
    >>> rebin(np.array([[0.5, 0.0, 0.0], [0.0, 1.0, 3.0], [1.0, 0.8, 0.0]]))
    [[0.5, 0.8, 3.0]]
    """
    if buckets.ndim != 2 or buckets.shape[1] != 3 or not len(buckets):
        return []
    buckets = buckets[np.isfinite(buckets).all(axis=1)]
    if not len(buckets):
        return []
    low, high = float(buckets[0, 0]), float(buckets[-1, 1])
    filled = np.flatnonzero(buckets[:, 2] > 0)
    if not len(filled):
        return []
    buckets = buckets[filled[0] : filled[-1] + 1].copy()
    if low <= high:
        buckets[:, :2] = np.clip(buckets[:, :2], low, high)
    if len(buckets) <= bins:
        return [[float(a), float(b), float(c)] for a, b, c in buckets]
    low = float(buckets[:, 0].min())
    high = float(buckets[:, 1].max())
    if high <= low:
        return [[low, high, float(buckets[:, 2].sum())]]
    edges = np.linspace(low, high, bins + 1)
    counts = np.zeros(bins)
    for left, right, count in buckets:
        if right <= left:
            counts[min(int(np.searchsorted(edges, left, side="right")) - 1, bins - 1)] += count
            continue
        overlap = np.clip(np.minimum(edges[1:], right) - np.maximum(edges[:-1], left), 0, None)
        counts += count * overlap / (right - left)
    return [[float(edges[i]), float(edges[i + 1]), float(counts[i])] for i in range(bins)]
