"""The scope tree of one graph, and which boxes and edges a view of it shows.

A `Hierarchy` is built once per GraphDef. Ops sit in *groups*: name scopes (split on ``/``),
*series* of five or more numbered siblings (``layer_0`` … ``layer_47``), and *chunks* that
split a group with too many direct children. A `View` says which groups are open; every op of
the graph is then inside exactly one visible box, or is a box itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

import numpy as np
from tensorboard.compat.proto import node_def_pb2, types_pb2

from tb_scopegraph.errors import InvalidQuery, InvalidView, NotFound
from tb_scopegraph.model import _nodescan
from tb_scopegraph.model._nodescan import parse_input

#: Numbered siblings fold into one series node from this many members on (as TensorBoard does).
SERIES_MIN = 5
#: A group with more direct children than this is split into chunks of this size.
MAX_CHILDREN = 500
#: The default view opens groups while it stays at or under this many boxes: few enough that
#: the demo's graphs are shown whole, or by their top, with labels 7.5-10 px tall in a 1,400 x 900
#: window. Twice as many boxes shrinks their labels to 4-5 px, too small to read, and doubles the
#: labels the browser lays out before the first view shows.
DEFAULT_BOXES = 30
#: ... and leaves groups of fewer ops than this closed.
DEFAULT_MIN_OPS = 4
#: What tells numbered siblings apart (see `Hierarchy.default_view`).
_DIGITS = re.compile(r"\d+")
#: No view may show more boxes than this; Graphviz's practical ceiling is a few hundred.
MAX_BOXES = 1500
#: Views that open groups on their own (the default view, ``depth``) nest open groups at most
#: this deep: every frame's id holds its full name, so a deep path grows DOT quadratically.
MAX_NESTING = 100

ROOT = 0
SCOPE, SERIES, CHUNK = "scope", "series", "chunk"
OP, MISSING = "op", "missing"

_DTYPE_ATTRS = ("T", "dtype", "out_type", "DstT", "Tout", "output_type")
_VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VarHandleOp", "VarHandleOpV2"})
_ATTR_CLIP = 400


#: ``match(pattern, names, limit)``: the indices of the first ``limit`` names that match.
Matcher = Callable[[str, list[str], int], list[int]]


@dataclass(frozen=True)
class View:
    """Which groups are open: the part of a view that changes what is laid out."""

    open: frozenset[str]
    boxes: int


@dataclass(frozen=True)
class Box:
    """One visible node: an op, a closed group, or an input that names no node."""

    kind: str
    name: str
    label: str
    op: str
    op_count: int
    cluster: str | None  # key of the open group it is drawn in; None at the top level


@dataclass(frozen=True)
class Cluster:
    """One open group, drawn as a frame around its children."""

    kind: str
    name: str
    label: str
    op_count: int
    parent: str | None


@dataclass(frozen=True)
class Tensor:
    """One tensor that an edge carries."""

    name: str
    dtype: str
    shape: str


@dataclass(frozen=True)
class Edge:
    """All connections of one kind between two visible boxes, bundled into one edge."""

    src: int  # index into Layout.boxes
    dst: int
    control: bool
    count: int  # op-to-op connections bundled
    tensors: tuple[Tensor, ...]  # the first distinct tensors, at most a few
    tensor_count: int  # distinct tensors in the bundle


@dataclass(frozen=True)
class Layout:
    """Everything that one view shows, ready to be written as DOT."""

    view: View
    clusters: tuple[Cluster, ...]
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


class _Group:
    __slots__ = ("key", "label", "kind", "parent", "children", "ops", "op_count", "level")

    def __init__(
        self,
        key: str,
        label: str,
        kind: str,
        parent: int,
        children: list[int] | None = None,
        ops: list[int] | None = None,
    ) -> None:
        self.key = key
        self.label = label
        self.kind = kind
        self.parent = parent
        self.children: list[int] = [] if children is None else children  # group ids
        self.ops: list[int] = [] if ops is None else ops  # op ids, directly inside
        self.op_count = 0
        self.level = 0


class Hierarchy:
    """The scope tree of one GraphDef, answering what any view of it shows."""

    def __init__(
        self, graph_def, stats: Mapping[str, Mapping[str, float]] | None = None, fast: bool = True
    ) -> None:
        """Build the tree of ``graph_def`` (a GraphDef, its serialized bytes when the caller
        has them: that saves serializing it again, or what `_nodescan` read of them);
        ``stats`` maps node names to a profile's figures (``compute_us``, ``memory_bytes``)
        for node details and colouring. ``fast`` False reads the graph in Python even where
        the C reader is built (for tests)."""
        # Names, types, devices, inputs and scopes are read in one pass over the wire format
        # (in C where it is built): through protobuf's objects every per-node step costs tens
        # of ms on a 100k-op graph. Nodes are kept as bytes (one buffer) and parsed again
        # when asked about: a parsed 100k-op GraphDef holds about 90 MB, its bytes 16 MB.
        with _collection_paused():
            graph = _read(graph_def, fast)
            self._names = graph.names
            self._types = graph.ops
            self._devices = graph.devices
            self.op_count = self._real = len(graph.names)
            self._add_missing(graph)
            self._build_groups(graph)
        self._nodes = graph.nodes
        self._index_cache: dict[str, int] | None = None
        self._parsed: dict[int, node_def_pb2.NodeDef] = {}
        self._node_stats = {k: dict(v) for k, v in (stats or {}).items() if k in self._index}
        self._consumers: dict[int, list[int]] | None = None
        self._group_stats: dict[int, dict] = {}

    @property
    def _index(self) -> dict[str, int]:
        """Op (and missing input) ids by name, made when first asked: a view needs none."""
        index = self._index_cache
        if index is None:
            names = self._names
            index = self._index_cache = dict(zip(names, range(len(names)), strict=True))
        return index

    def _node(self, op: int) -> node_def_pb2.NodeDef:
        node = self._parsed.get(op)
        if node is None:
            if len(self._parsed) >= 4096:
                self._parsed.clear()
            node = self._parsed[op] = self._nodes.node_def(op)
        return node

    # -- building -------------------------------------------------------------------------

    def _add_missing(self, graph: _nodescan.Graph) -> None:
        """Edges as arrays; an input that names no node becomes a box of its own."""
        src, slot, ctrl = graph.e_src, graph.e_slot, graph.e_ctrl
        missing: dict[str, int] = {}
        if graph.unresolved:
            src, slot, ctrl = src.copy(), slot.copy(), ctrl.copy()
            scopes = _nodescan.Scopes.of(graph)
            op_path, op_split = [], []
            type_id = len(graph.types)
            if "" in graph.types:
                type_id = graph.types.index("")
            for e, text in graph.unresolved:
                control, name, out = parse_input(text)
                j = missing.get(name)
                if j is None:
                    j = missing[name] = len(self._names)
                    self._names.append(name)
                    self._types.append("")
                    op_path.append(scopes.path(name.rpartition("/")[0]))
                    op_split.append(scopes.split(name.rpartition("/")[2]))
                src[e], slot[e], ctrl[e] = j, out, control
            graph.op_path = np.concatenate((graph.op_path, np.asarray(op_path, np.int64)))
            graph.type_ids = np.concatenate((graph.type_ids, np.full(len(op_path), type_id)))
            graph.op_prefix = np.concatenate(
                (graph.op_prefix, np.asarray([c for c, _ in op_split], np.int64))
            )
            graph.op_number = np.concatenate(
                (graph.op_number, _nodescan._numbers([n for _, n in op_split]))
            )
            graph.paths = scopes.paths
            graph.path_parent = np.asarray(scopes.parents, dtype=np.int64)
            graph.path_prefix = np.asarray([c for c, _ in scopes.splits], dtype=np.int64)
            graph.path_number = _nodescan._numbers([n for _, n in scopes.splits])
        self._missing = len(missing)
        self._e_src = src
        self._e_dst = graph.e_dst
        self._e_out = slot
        self._e_ctrl = ctrl

    def _build_groups(self, graph: _nodescan.Graph) -> None:
        # Each scope path is a group, numbered as the paths are: the root "" is group 0. The
        # groups are made as lists first (series added), then as objects in one go.
        keys = graph.paths
        labels = [key.rpartition("/")[2] for key in keys]
        kinds = ["root"] + [SCOPE] * (len(keys) - 1)
        self._by_key = dict(zip(keys, range(len(keys)), strict=True))
        g_parent = graph.path_parent.copy()
        self._op_parent = graph.op_path.copy()
        g_parent = self._fold_series(graph, keys, labels, kinds, g_parent)
        n = len(keys)
        children = _members(g_parent[1:], n, 1)
        ops = _members(self._op_parent, n, 0)
        self._groups = [
            _Group(*fields)
            for fields in zip(keys, labels, kinds, g_parent.tolist(), children, ops, strict=True)
        ]
        sizes = np.bincount(g_parent[1:], minlength=n) + np.bincount(self._op_parent, minlength=n)
        for gid in np.flatnonzero(sizes > MAX_CHILDREN).tolist():
            self._chunk(gid)
        self._finish_tree()

    def _new_group(self, key: str, label: str, kind: str, parent: int) -> int:
        while key in self._by_key:
            key += "~"
        gid = len(self._groups)
        self._groups.append(_Group(key, label, kind, parent))
        self._by_key[key] = gid
        return gid

    def _fold_series(
        self,
        graph: _nodescan.Graph,
        keys: list[str],
        labels: list[str],
        kinds: list[str],
        g_parent: np.ndarray,
    ) -> np.ndarray:
        """Fold five or more numbered siblings of one kind (and op type) into a series; the
        groups' parents afterwards (series appended to ``keys``, ``labels``, ``kinds``).

        In bulk: the candidates (numbered scopes and ops in groups of five or more children)
        are sorted by (parent, scope or op, prefix, op type, id); runs of five or more become
        series, made parent by parent, scopes' before ops', in the order of their first member.
        """
        n = len(keys)
        size = np.bincount(g_parent[1:], minlength=n) + np.bincount(self._op_parent, minlength=n)
        eligible = np.append(size >= SERIES_MIN, False)  # [-1]: the root's parent, none
        gc = np.flatnonzero((graph.path_prefix >= 0) & eligible[g_parent])
        oc = np.flatnonzero((graph.op_prefix >= 0) & eligible[self._op_parent])
        if not (len(gc) + len(oc)):
            return g_parent
        parent = np.concatenate((g_parent[gc], self._op_parent[oc]))
        is_op = np.concatenate((np.zeros(len(gc), bool), np.ones(len(oc), bool)))
        prefix = np.concatenate((graph.path_prefix[gc], graph.op_prefix[oc]))
        op_type = np.concatenate((np.full(len(gc), -1, np.int64), graph.type_ids[oc]))
        member = np.concatenate((gc, oc))
        order = np.lexsort((member, op_type, prefix, is_op, parent))
        parent, is_op, prefix = parent[order], is_op[order], prefix[order]
        op_type, member = op_type[order], member[order]
        number = np.concatenate((graph.path_number[gc], graph.op_number[oc]))[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (
            (parent[1:] != parent[:-1])
            | (is_op[1:] != is_op[:-1])
            | (prefix[1:] != prefix[:-1])
            | (op_type[1:] != op_type[:-1])
        )
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(order))
        big = np.flatnonzero(ends - starts >= SERIES_MIN)
        if not len(big):
            return g_parent
        starts, ends = starts[big], ends[big]
        runs = np.lexsort((member[starts], is_op[starts], parent[starts]))
        starts, ends = starts[runs], ends[runs]
        # Each run's smallest and largest number (reduceat over [start, end) pairs).
        bounds = np.column_stack((starts, ends)).ravel()
        padded = np.append(number, number[:1])
        lows = np.minimum.reduceat(padded, bounds)[::2].tolist()
        highs = np.maximum.reduceat(padded, bounds)[::2].tolist()
        run_parent = parent[starts]
        by_key = self._by_key
        for gid, code, low, high in zip(
            run_parent.tolist(), prefix[starts].tolist(), lows, highs, strict=True
        ):
            head = graph.prefixes[code >> 1]
            # Conv2d[0]..Conv2d[4] (PyTorch) read as Conv2d[0-4], layer_0.. as layer_[0-4].
            label = f"{head}{low}-{high}]" if code & 1 else f"{head}[{low}-{high}]"
            key = f"{keys[gid]}/{label}" if gid else label
            while key in by_key:
                key += "~"
            by_key[key] = len(keys)
            keys.append(key)
            labels.append(label)
            kinds.append(SERIES)
        sizes = ends - starts
        owner = np.repeat(np.arange(n, len(keys), dtype=np.int64), sizes)
        at = np.arange(int(sizes.sum())) + np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
        moved, moved_op = member[at], is_op[at]
        self._op_parent[moved[moved_op]] = owner[moved_op]
        g_parent = np.concatenate((g_parent, run_parent))
        g_parent[moved[~moved_op]] = owner[~moved_op]
        return g_parent

    def _chunk(self, gid: int) -> None:
        """Split a group with too many children into parts (and parts of parts)."""
        group = self._groups[gid]
        items = [(False, c) for c in group.children] + [(True, o) for o in group.ops]
        if len(items) <= MAX_CHILDREN:
            return
        items.sort(key=lambda item: item[1] if item[0] else self._first_op(item[1]))
        size = MAX_CHILDREN
        while -(-len(items) // size) > MAX_CHILDREN:
            size *= MAX_CHILDREN
        parts = [items[i : i + size] for i in range(0, len(items), size)]
        group.children, group.ops = [], []
        for n, part in enumerate(parts, 1):
            label = f"[part {n} of {len(parts)}]"
            key = f"{group.key}/{label}" if group.key else label
            cid = self._new_group(key, label, CHUNK, gid)
            chunk = self._groups[cid]
            for is_op, item in part:
                if is_op:
                    chunk.ops.append(item)
                    self._op_parent[item] = cid
                else:
                    chunk.children.append(item)
                    self._groups[item].parent = cid
            group.children.append(cid)
            self._chunk(cid)

    def _first_op(self, gid: int) -> int:
        group = self._groups[gid]
        while not group.ops and group.children:
            group = self._groups[group.children[0]]
        return group.ops[0] if group.ops else 0

    def _finish_tree(self) -> None:
        groups = self._groups
        order = [ROOT]
        nesting = [0] * len(groups)
        for gid in order:  # breadth first: the list grows as it is walked
            group = groups[gid]
            children = group.children
            if children:
                level = group.level + (0 if group.kind in (SERIES, CHUNK) else 1)
                depth = nesting[gid] + 1
                for child in children:
                    groups[child].level = level
                    nesting[child] = depth
                order += children
        self._order = order
        self._nesting = nesting = np.asarray(nesting, dtype=np.int64)
        # Op counts in bulk: each group's own ops (inputs naming no node are not ops), then
        # added into the parent, deepest groups first, one nesting level at a time.
        parent = np.asarray([g.parent for g in groups], dtype=np.int64)
        total = np.bincount(self._op_parent[: self._real], minlength=len(groups))
        by_depth = np.argsort(nesting, kind="stable")
        starts = np.searchsorted(nesting[by_depth], np.arange(int(nesting.max()) + 2)).tolist()
        for depth in range(len(starts) - 2, 0, -1):
            level = by_depth[starts[depth] : starts[depth + 1]]
            np.add.at(total, parent[level], total[level])
        for group, count in zip(groups, total.tolist(), strict=True):
            group.op_count = count
        self._parent = parent
        self._n_children = np.bincount(parent[1:], minlength=len(groups)) + np.bincount(
            self._op_parent, minlength=len(groups)
        )

    # -- views ----------------------------------------------------------------------------

    def view(self, open: Iterable[str] = (), depth: int | None = None) -> View:
        """The view with these groups open (and, with ``depth``, every group that deep)."""
        wanted = set()
        for key in open:
            gid = self._by_key.get(key)
            if gid is None:
                raise NotFound(f"no scope {key!r} in this graph")
            wanted.add(gid)
        if depth is not None:
            if depth < 0:
                raise InvalidQuery(f"depth must be 0 or more, not {depth}")
            wanted |= self._open_to_depth(depth, wanted)
        opened = self._effective(wanted)
        boxes = self._box_count(opened)
        if boxes > MAX_BOXES:
            biggest = sorted(opened - {ROOT}, key=lambda g: -self._n_children[g])[:3]
            names = ", ".join(repr(self._groups[g].key) for g in biggest)
            raise InvalidView(
                f"this view would show {boxes} boxes, more than the {MAX_BOXES} a layout can "
                f"take; close some scopes (the largest open ones: {names})"
            )
        return View(frozenset(self._groups[g].key for g in opened if g != ROOT), boxes)

    def default_view(self) -> View:
        """A small view that tells something: lone scopes opened, then more while it is small."""
        groups = self._groups
        opened = {ROOT}
        boxes = int(self._n_children[ROOT])
        frontier = [ROOT]
        # A scope that is the only group at its level is opened, whatever it holds.
        while frontier:
            gid = frontier.pop()
            subgroups = groups[gid].children
            if len(subgroups) == 1 and self._nesting[subgroups[0]] <= MAX_NESTING:
                only = subgroups[0]
                grown = boxes + int(self._n_children[only]) - 1
                if grown <= MAX_BOXES:
                    opened.add(only)
                    boxes = grown
                    frontier.append(only)
        # Then a level at a time, biggest first, while the view stays readable. Groups of a
        # few ops read well as boxes; a level that does not fit whole is the last one opened.
        # Numbered siblings (layer1..layer3, the blocks of a series) open together or stay
        # closed together, so that a repeat looks like the others.
        level = self._visible_groups(opened)
        while level:
            nxt = []
            whole = True
            for family in self._families(level):
                family = [
                    g
                    for g in family
                    if groups[g].op_count >= DEFAULT_MIN_OPS and self._nesting[g] <= MAX_NESTING
                ]
                if not family:
                    continue
                grown = boxes + sum(int(self._n_children[g]) - 1 for g in family)
                if grown <= DEFAULT_BOXES:
                    opened.update(family)
                    boxes = grown
                    for g in family:
                        nxt.extend(groups[g].children)
                else:
                    whole = False
            level = nxt if whole else []
        return View(frozenset(groups[g].key for g in opened if g != ROOT), boxes)

    def _families(self, level: list[int]) -> list[list[int]]:
        """`level`'s groups by family, biggest first: siblings whose labels differ only in
        their numbers (``layer1``, ``layer2``; ``Block[0]``, ``Block[1]``; and as Keras numbers
        its layers, ``dense``, ``dense_1``) are one family."""
        groups = self._groups
        families: dict[tuple[int, str], list[int]] = {}
        for gid in level:
            group = groups[gid]
            pattern = _DIGITS.sub("#", group.label).removesuffix("_#")
            families.setdefault((group.parent, pattern), []).append(gid)
        return sorted(
            families.values(), key=lambda f: (-max(groups[g].op_count for g in f), min(f))
        )

    def nesting(self, view: View) -> int:
        """How many open groups deep ``view`` nests (0 when nothing is open)."""
        deepest = [int(self._nesting[self._by_key[k]]) for k in view.open if k in self._by_key]
        return max(deepest, default=0)

    def _visible_groups(self, opened: set[int]) -> list[int]:
        return [
            c
            for g in opened
            for c in self._groups[g].children
            if c not in opened and self._groups[c].parent in opened
        ]

    def _open_to_depth(self, depth: int, already: set[int]) -> set[int]:
        opened = {ROOT} | self._effective(already)
        boxes = self._box_count(opened)
        for gid in self._order[1:]:
            group = self._groups[gid]
            if group.level > depth or gid in opened or group.parent not in opened:
                continue
            if self._nesting[gid] > MAX_NESTING:
                continue
            grown = boxes + int(self._n_children[gid]) - 1
            if grown <= MAX_BOXES:
                opened.add(gid)
                boxes = grown
        return opened

    def _effective(self, wanted: set[int]) -> set[int]:
        """The open groups that show: those whose ancestors are all open too."""
        opened = {ROOT}
        for gid in self._order[1:]:
            if gid in wanted and self._groups[gid].parent in opened:
                opened.add(gid)
        return opened

    def _box_count(self, opened: set[int]) -> int:
        return int(sum(int(self._n_children[g]) for g in opened)) - (len(opened) - 1)

    def layout(self, view: View) -> Layout:
        """The clusters, boxes and bundled edges that ``view`` shows."""
        groups = self._groups
        opened = self._effective({self._by_key[k] for k in view.open if k in self._by_key})
        n_ops = len(self._names)
        # vis[g]: -1 if the group is open and shown, else the box that holds it.
        vis = np.full(len(groups), -2, dtype=np.int64)
        vis[ROOT] = -1
        for gid in self._order[1:]:
            above = vis[groups[gid].parent]
            vis[gid] = (-1 if gid in opened else n_ops + gid) if above == -1 else above
        rep = vis[self._op_parent]
        shown_ops = np.flatnonzero(rep == -1)
        rep[shown_ops] = shown_ops

        clusters = tuple(
            Cluster(
                kind=groups[g].kind,
                name=groups[g].key,
                label=groups[g].label,
                op_count=groups[g].op_count,
                parent=None if groups[g].parent == ROOT else groups[groups[g].parent].key,
            )
            for g in self._order[1:]
            if g in opened
        )
        box_of: dict[int, int] = {}
        boxes: list[Box] = []
        for g in self._order:
            if g not in opened:
                continue
            where = None if g == ROOT else groups[g].key
            for child in groups[g].children:
                if child not in opened:
                    box_of[n_ops + child] = len(boxes)
                    boxes.append(self._group_box(child, where))
            for op in groups[g].ops:
                box_of[op] = len(boxes)
                boxes.append(self._op_box(op, where))
        edges = self._bundle(rep, box_of)
        return Layout(View(view.open, len(boxes)), clusters, tuple(boxes), edges)

    def _group_box(self, gid: int, cluster: str | None) -> Box:
        group = self._groups[gid]
        return Box(group.kind, group.key, group.label, "", group.op_count, cluster)

    def _op_box(self, op: int, cluster: str | None) -> Box:
        name = self._names[op]
        label = name.rpartition("/")[2] if "/" in name else name
        if op >= self._real:
            return Box(MISSING, name, label, "", 0, cluster)
        return Box(OP, name, label, self._types[op], 1, cluster)

    def _bundle(self, rep: np.ndarray, box_of: dict[int, int]) -> tuple[Edge, ...]:
        if not len(self._e_src):
            return ()
        src = rep[self._e_src]
        dst = rep[self._e_dst]
        # Edges inside one box are not drawn, but an op's input from itself (a self-loop) is,
        # while the op is visible.
        keep = np.flatnonzero((src != dst) | ((self._e_src == self._e_dst) & (src == self._e_src)))
        if not len(keep):
            return ()
        width = len(self._names) + len(self._groups)
        keys = (src[keep] * width + dst[keep]) * 2 + self._e_ctrl[keep]
        uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        order = np.argsort(inverse, kind="stable")
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        edges = []
        for b, key in enumerate(uniq.tolist()):
            control = bool(key & 1)
            pair = key >> 1
            s, d = divmod(pair, width)
            members = keep[order[starts[b] : starts[b] + min(int(counts[b]), 64)]]
            tensors = []
            seen = set()
            for e in members.tolist():
                t = (int(self._e_src[e]), int(self._e_out[e]))
                if t not in seen:
                    seen.add(t)
                    tensors.append(t)
            total = len(seen)
            if counts[b] > 64:
                whole = keep[order[starts[b] : starts[b] + int(counts[b])]]
                pairs = zip(self._e_src[whole].tolist(), self._e_out[whole].tolist(), strict=True)
                total = len(set(pairs))
            edges.append(
                Edge(
                    src=box_of[s],
                    dst=box_of[d],
                    control=control,
                    count=int(counts[b]),
                    tensors=tuple(self._tensor(op, slot, control) for op, slot in tensors[:8]),
                    tensor_count=total,
                )
            )
        return tuple(edges)

    def _tensor(self, op: int, slot: int, control: bool) -> Tensor:
        name = self._names[op]
        if control:
            return Tensor("^" + name, "", "")
        return Tensor(f"{name}:{slot}", self._dtype(op, slot), self._shape(op, slot))

    # -- shapes and types -----------------------------------------------------------------

    def _shape(self, op: int, slot: int) -> str:
        if op >= self._real:
            return ""
        return shape_of(self._node(op), slot)

    def _dtype(self, op: int, slot: int) -> str:
        if op >= self._real:
            return ""
        return dtype_of(self._node(op), slot)

    # -- questions about names ------------------------------------------------------------

    def tree(self) -> dict:
        """The group tree as JSON-ready data (groups only, not ops)."""
        made: dict[int, dict] = {}
        for gid in reversed(self._order):
            group = self._groups[gid]
            made[gid] = {
                "name": group.key,
                "label": group.label,
                "kind": group.kind,
                "op_count": group.op_count,
                "child_count": int(self._n_children[gid]),
                "children": [made.pop(c) for c in group.children],
            }
        return made[ROOT]

    def reveal(self, name: str) -> frozenset[str]:
        """The groups to open so that ``name`` (an op or a group) is a visible box."""
        return frozenset(self.ancestors(name))

    def ancestors(self, name: str, kind: str | None = None) -> list[str]:
        """The keys of the groups that hold ``name``, outermost first; ``kind="group"`` takes
        ``name`` as a group's key when an op has the same name."""
        if name in self._index and kind != "group":
            gid = int(self._op_parent[self._index[name]])
        elif name in self._by_key:
            gid = self._groups[self._by_key[name]].parent
        else:
            raise NotFound(f"no node or scope {name!r} in this graph")
        keys = []
        while gid > ROOT:
            keys.append(self._groups[gid].key)
            gid = self._groups[gid].parent
        return keys[::-1]

    def search(
        self, query: str, regex: bool = False, limit: int = 50, match: Matcher | None = None
    ) -> list[dict]:
        """Ops and scopes whose full name holds ``query`` (or matches it as a regex).

        ``match``, when given, does the regex matching instead of this process: a runaway
        pattern (``(a+)+$``) holds the interpreter for hours, so a server runs it elsewhere.
        """
        scopes = [g for g in self._order[1:] if self._groups[g].kind == SCOPE]
        names = [self._groups[g].key for g in scopes] + self._names
        if regex:
            try:
                pattern = re.compile(query)
            except (re.error, OverflowError, RecursionError) as error:
                raise InvalidQuery(f"not a valid regular expression: {error}") from None
            if match is not None:
                hits: Iterable[int] = match(query, names, limit)
            else:
                hits = (i for i, name in enumerate(names) if pattern.search(name))
        else:
            lowered = query.lower()
            hits = (i for i, name in enumerate(names) if lowered in name.lower())
        found = []
        for i in itertools.islice(hits, limit):
            if i < len(scopes):
                found.append({"name": names[i], "kind": SCOPE, "op": ""})
            else:
                op = i - len(scopes)
                kind = OP if op < self._real else MISSING
                found.append({"name": names[i], "kind": kind, "op": self._types[op]})
        for item in found:
            item["reveal"] = self.ancestors(item["name"])
        return found

    def node_def(self, name: str) -> node_def_pb2.NodeDef:
        """The NodeDef of op ``name``; NotFound for anything else (a group, a missing input)."""
        op = self._index.get(name)
        if op is None or op >= self._real:
            raise NotFound(f"no op {name!r} in this graph")
        return self._node(op)

    def details(self, name: str, kind: str | None = None) -> dict:
        """What is known of one op or group: for a group, op counts and parameters."""
        if kind in (None, OP, MISSING) and name in self._index:
            return self._op_details(self._index[name])
        if kind != OP and name in self._by_key and name:
            return self._group_details(self._by_key[name])
        raise NotFound(f"no {'op' if kind == OP else 'node or scope'} {name!r} in this graph")

    def _op_details(self, op: int) -> dict:
        name = self._names[op]
        if op >= self._real:
            consumers = self._consumers_of(op)
            return {
                "kind": MISSING,
                "name": name,
                "op": "",
                "device": "",
                "attrs": {},
                "inputs": [],
                # Every slot its consumers name ("ghost:1"), not only the first.
                "outputs": [
                    {"name": f"{name}:{slot}", "dtype": "", "shape": "", "consumers": names}
                    for slot, names in sorted(consumers.items())
                    if slot >= 0
                ],
                "control_outputs": consumers.get(-1, []),
                "note": "an input names this node, but the graph has no node of that name",
            }
        node = self._node(op)
        inputs = []
        for text in node.input:
            control, source, slot = parse_input(text)
            j = self._index.get(source)
            inputs.append(
                {
                    "name": text,
                    "control": control,
                    "dtype": "" if control or j is None else self._dtype(j, slot),
                    "shape": "" if control or j is None else self._shape(j, slot),
                }
            )
        consumers = self._consumers_of(op)
        slots = set(consumers) - {-1}
        if "_output_shapes" in node.attr:
            slots |= set(range(len(node.attr["_output_shapes"].list.shape)))
        outputs = [
            {
                "name": f"{name}:{slot}",
                "dtype": self._dtype(op, slot),
                "shape": self._shape(op, slot),
                "consumers": consumers.get(slot, []),
            }
            for slot in sorted(slots)
        ]
        return {
            "kind": OP,
            "name": name,
            "op": node.op,
            "device": node.device,
            "attrs": {key: format_attr(node.attr[key]) for key in sorted(node.attr)},
            "inputs": inputs,
            "outputs": outputs,
            "control_outputs": consumers.get(-1, []),
            **({"profile": self._node_stats[name]} if name in self._node_stats else {}),
        }

    def _consumers_of(self, op: int) -> dict[int, list[str]]:
        if self._consumers is None:
            table: dict[int, list[int]] = {}
            for e, s in enumerate(self._e_src.tolist()):
                table.setdefault(s, []).append(e)
            self._consumers = table
        found: dict[int, list[str]] = {}
        for e in self._consumers.get(op, []):
            slot = -1 if self._e_ctrl[e] else int(self._e_out[e])
            found.setdefault(slot, []).append(self._names[int(self._e_dst[e])])
        return found

    def _group_details(self, gid: int) -> dict:
        stats = self._group_stats.get(gid)
        if stats is None:
            stats = self._stats(gid)
            if len(self._group_stats) > 256:
                self._group_stats.clear()
            self._group_stats[gid] = stats
        group = self._groups[gid]
        return {
            "kind": group.kind,
            "name": group.key,
            "label": group.label,
            "op_count": group.op_count,
            "child_count": int(self._n_children[gid]),
            **stats,
        }

    def _stats(self, gid: int) -> dict:
        types: Counter[str] = Counter()
        devices: Counter[str] = Counter()
        variables = constants = handles = 0
        compute = memory = 0.0
        profiled = 0
        stack = [gid]
        while stack:
            group = self._groups[stack.pop()]
            stack.extend(group.children)
            for op in group.ops:
                if op >= self._real:
                    continue
                op_type = self._types[op]
                types[op_type] += 1
                devices[self._devices[op]] += 1
                if op_type in _VARIABLE_OPS:
                    variables += _variable_elements(self._node(op))
                elif op_type == "Const":
                    constants += _const_elements(self._node(op))
                elif op_type == "Placeholder" and _is_resource(self._node(op)):
                    handles += 1
                figures = self._node_stats.get(self._names[op])
                if figures:
                    profiled += 1
                    compute += figures.get("compute_us", 0.0)
                    memory += figures.get("memory_bytes", 0)
        details = {
            "op_types": dict(types.most_common()),
            "devices": dict(devices.most_common()),
            # A traced TF2 function takes its variables as resource handles whose sizes the
            # graph does not hold: then the parameter count is unknown, not the constants'.
            "parameters": variables or (None if handles else constants),
            "variable_elements": variables,
            "constant_elements": constants,
            "resource_inputs": handles,
        }
        if profiled:
            details["profile"] = {"compute_us": compute, "memory_bytes": memory, "ops": profiled}
        return details

    def measure(self, box: Box, scheme: str) -> str | float | None:
        """What colouring by ``scheme`` (op, device, compute, memory) sees of one box."""
        if box.kind == MISSING:
            return None
        if box.kind == OP:
            op = self._index[box.name]
            if scheme == "op":
                return self._types[op]
            if scheme == "device":
                return self._devices[op] or None
            figures = self._node_stats.get(box.name, {})
            return figures.get("compute_us" if scheme == "compute" else "memory_bytes")
        details = self._group_details(self._by_key[box.name])
        if scheme == "op":
            return None
        if scheme == "device":
            devices = [d for d in details["devices"] if d]
            return devices[0] if devices else None
        profile = details.get("profile")
        if not profile:
            return None
        return profile["compute_us" if scheme == "compute" else "memory_bytes"]

    def op_type(self, name: str) -> str | None:
        """The op type of the op called ``name``; None when no op has that name."""
        op = self._index.get(name)
        return self._types[op] if op is not None and op < self._real else None

    def op_inputs(self, name: str) -> list[str]:
        """The names of the ops that feed ``name``'s data inputs, in input order."""
        op = self._index.get(name)
        if op is None or op >= self._real:
            return []
        found = []
        for text in self._node(op).input:
            control, source, _ = parse_input(text)
            if not control:
                found.append(source)
        return found

    def is_group(self, key: str) -> bool:
        """Whether ``key`` names a scope, series or part of this graph."""
        return bool(key) and key in self._by_key

    def scope_keys(self) -> Iterable[str]:
        """The keys of every name scope (not series or parts), outermost first."""
        groups = self._groups
        return (groups[g].key for g in self._order[1:] if groups[g].kind == SCOPE)

    @property
    def has_profile(self) -> bool:
        """Whether a profile gave figures for any node of this graph."""
        return bool(self._node_stats)


def _read(graph_def, fast: bool) -> _nodescan.Graph:
    """What `_nodescan` reads of a GraphDef or of its bytes; or a copy of what it read before."""
    if isinstance(graph_def, _nodescan.Graph):
        # A build grows its lists (inputs naming no node, series): copies, so that what was
        # read can be built again.
        return replace(
            graph_def,
            names=list(graph_def.names),
            ops=list(graph_def.ops),
            paths=list(graph_def.paths),
        )
    if isinstance(graph_def, (bytes, bytearray, memoryview)):
        return _nodescan.scan_graph(bytes(graph_def), False, fast)
    # Written by upb, every node's fields are in field number order (see `_nodescan.scan`).
    return _nodescan.scan_graph(graph_def.SerializeToString(), True, fast)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No garbage collection while a tree is built: it makes hundreds of thousands of lists
    and strings, none of them garbage, and the collector walking them all again and again
    cost a third of the build (on a 100k-op graph)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _members(parent_of: np.ndarray, n: int, first: int) -> list[list[int]]:
    """For each of ``n`` groups, the items (numbered from ``first``) it parents, in order."""
    order = np.argsort(parent_of, kind="stable")
    bounds = np.searchsorted(parent_of[order], np.arange(n + 1)).tolist()
    items = (order + first).tolist()
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


def release_memory() -> None:
    """Hand memory that Python and protobuf freed back to the system.

    glibc keeps freed heap pages: after a 100k-op GraphDef (about 90 MB parsed) is built into
    a Hierarchy and dropped, the process would stay about 90 MB larger for good. Elsewhere
    than on glibc this does nothing.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


def _is_resource(node) -> bool:
    return "dtype" in node.attr and node.attr["dtype"].type == types_pb2.DT_RESOURCE


def format_shape(shape) -> str:
    """A TensorShapeProto as text, ``?`` for unknown dimensions.

    >>> from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    >>> format_shape(TensorShapeProto(dim=[TensorShapeProto.Dim(size=-1),
    ...                                    TensorShapeProto.Dim(size=784)]))
    '[?,784]'
    >>> format_shape(TensorShapeProto(unknown_rank=True))
    '?'
    """
    if shape.unknown_rank:
        return "?"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in shape.dim) + "]"


def shape_of(node, slot: int) -> str:
    """The shape a NodeDef's ``_output_shapes`` gives output ``slot``, or ''."""
    attr = node.attr
    if "_output_shapes" not in attr:
        return ""
    shapes = attr["_output_shapes"].list.shape
    if slot >= len(shapes):
        return ""
    return format_shape(shapes[slot])


def dtype_of(node, slot: int) -> str:
    """The dtype a NodeDef's attributes give output ``slot``, or ''."""
    attr = node.attr
    if "_output_types" in attr:
        types = attr["_output_types"].list.type
        if slot < len(types):
            return _dtype_name(types[slot])
    for key in _DTYPE_ATTRS:
        if key in attr:
            value = attr[key]
            if value.WhichOneof("value") == "type":
                return _dtype_name(value.type)
            if value.WhichOneof("value") == "list" and slot < len(value.list.type):
                return _dtype_name(value.list.type[slot])
    return ""


def format_attr(value) -> dict:
    """An AttrValue as short text with its full size, clipped when it is long."""
    if value.WhichOneof("value") == "s" and len(value.s) > _ATTR_CLIP * 4:
        # Decoding megabytes with backslashreplace takes seconds: decode what is shown, and
        # count the rest (each undecodable byte shows as four characters, ``\xff``).
        valid = value.s.decode("utf-8", errors="ignore")
        size = len(valid) + 4 * (len(value.s) - len(valid.encode("utf-8")))
        text = value.s[: _ATTR_CLIP * 4].decode("utf-8", errors="backslashreplace")
        return {"value": text[:_ATTR_CLIP] + "…", "size": size, "clipped": True}
    text = _attr_text(value)
    size = len(text)
    if value.WhichOneof("value") == "tensor":
        size = _tensor_bytes(value.tensor)
    clipped = len(text) > _ATTR_CLIP
    if clipped:
        text = text[:_ATTR_CLIP] + "…"
    return {"value": text, "size": size, "clipped": clipped}


def _attr_text(value) -> str:
    which = value.WhichOneof("value")
    if which == "s":
        return value.s.decode("utf-8", errors="backslashreplace")
    if which in ("i", "f", "b"):
        return str(getattr(value, which)).lower() if which == "b" else str(getattr(value, which))
    if which == "type":
        return _dtype_name(value.type)
    if which == "shape":
        return format_shape(value.shape)
    if which == "tensor":
        return _tensor_text(value.tensor)
    if which == "func":
        return value.func.name
    if which == "placeholder":
        return "$" + value.placeholder
    if which == "list":
        lst = value.list
        items: list[str] = []
        items += [s.decode("utf-8", errors="backslashreplace") for s in lst.s[:64]]
        items += [str(i) for i in lst.i[:64]] + [str(f) for f in lst.f[:64]]
        items += [str(b).lower() for b in lst.b[:64]]
        items += [_dtype_name(t) for t in lst.type[:64]]
        items += [format_shape(s) for s in lst.shape[:64]]
        items += [_tensor_text(t) for t in lst.tensor[:8]]
        items += [f.name for f in lst.func[:64]]
        return "[" + ", ".join(items) + "]"
    return ""


def _tensor_text(tensor) -> str:
    dtype = _dtype_name(tensor.dtype)
    shape = format_shape(tensor.tensor_shape)
    values = ""
    for field in ("float_val", "double_val", "int_val", "int64_val", "bool_val"):
        got = getattr(tensor, field)
        if len(got):
            values = " ".join(str(v) for v in got[:16]) + (" …" if len(got) > 16 else "")
            break
    else:
        if tensor.string_val:
            values = " ".join(
                repr(s[:64].decode("utf-8", errors="backslashreplace"))
                for s in tensor.string_val[:8]
            )
        elif tensor.tensor_content:
            values = f"<{len(tensor.tensor_content)} bytes>"
    return f"{dtype} {shape} {values}".strip()


def _tensor_bytes(tensor) -> int:
    if tensor.tensor_content:
        return len(tensor.tensor_content)
    return tensor.ByteSize()


def _elements(shape) -> int:
    if shape.unknown_rank:
        return 0
    count = 1
    for dim in shape.dim:
        if dim.size < 0:
            return 0
        count *= dim.size
    return count


def _variable_elements(node) -> int:
    return _elements(node.attr["shape"].shape) if "shape" in node.attr else 0


def _const_elements(node) -> int:
    if "value" not in node.attr:
        return 0
    tensor = node.attr["value"].tensor
    return _elements(tensor.tensor_shape)


_DTYPE_NAMES: dict[int, str] = {}


def _dtype_name(value: int) -> str:
    if not _DTYPE_NAMES:
        from tensorboard.compat.proto import types_pb2

        for name, number in types_pb2.DataType.items():
            _DTYPE_NAMES[number] = name.removeprefix("DT_").lower()
    return _DTYPE_NAMES.get(value, f"type{value}")
