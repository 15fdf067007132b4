"""The graphs a data provider holds, resolved and kept: (run, kind, tag, step) -> graph -> view.

`GraphService` is what the plugin's routes stand on. It turns a query's run, kind, tag and step
into one stored graph (asking the provider as rarely as a burst of requests allows), parses it
once into a `Hierarchy` (kept while its blob is the latest), makes views, DOT and drawings of
it, and does the same for the diff of two graphs. Every method takes TensorBoard's request
context and experiment id first, then the graph's run, kind and tag, or for a view one
`query.ViewQuery` holding them.
"""

from __future__ import annotations

import functools
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tensorboard import errors as tb_errors

from tb_scopegraph.caching import Lookups, SingleFlight, lru
from tb_scopegraph.drawing import diffdot, dot, render
from tb_scopegraph.errors import NotFound, RenderTimeout
from tb_scopegraph.model import rolls, summaries
from tb_scopegraph.model.diff import GraphDiff
from tb_scopegraph.model.hierarchy import ROOT, SCOPE, SERIES, Hierarchy, View, release_memory
from tb_scopegraph.reading import data_provider, repair
from tb_scopegraph.reading.graph import GraphRef
from tb_scopegraph.service import search
from tb_scopegraph.service.query import ViewQuery
from tb_scopegraph.service.views import diff_title, diff_view, title, what_to_close

# Parsed graphs are kept by their weight, not their number: a logdir's graphs are mostly small
# (a few MB each), and a graph pushed out is read again by the next request for it, seconds of
# CPU on a large one while every other request waits. Kept by a number smaller than a logdir's
# graphs, they are read again and again under load, and each reading's temporaries grow the
# process (bench/README.md, "fifty users").
GRAPH_CACHE_BYTES = 2 << 30
# What a parsed graph weighs, estimated from its op count: a process holding the Hierarchy of
# synthetic_100k or of transformer_1m grew by 390-440 bytes an op; its name index, consumers
# and structures come on top when asked for.
GRAPH_BYTES_PER_OP = 512
# At most this many graphs, however small: each weighs at least its share of the bytes.
GRAPH_CACHE_SIZE = 64
# A diff holds the union of two graphs and the base's changed nodes: about one graph more.
DIFF_CACHE_SIZE = 4
# Every request for a view (its SVG drawn before included) needs its DOT text, tens of ms of
# Python to make: under load a miss holds the GIL from every other request. Texts are mostly
# 5-60 KB, so the entries' bound is set far above what the bytes allow of typical views.
DOT_CACHE_SIZE = 1024
# Views kept per graph read, by `ViewQuery.view_key`: a default view lays out each view it
# tries (1.5 s of CPU on a million ops), and `/view` and every drawing of it would work it out
# again. A view is small (the keys of its open groups, strings the graph holds anyway).
VIEWS_PER_GRAPH = 64
# Graphs this big are readied for search and compacted once read (`Hierarchy.prepare`): on a
# million ops that is 200 MB and the first search's 0.4-0.9 s; and after their first view,
# which series roll (`tell_rolls`). A smaller graph's index takes milliseconds when first
# searched.
PREPARE_MIN_OPS = 50_000
DOT_CACHE_BYTES = 32 << 20
# How long a graph listing or a blob lookup is trusted: a burst of requests (hover, open,
# search) asks the data provider once, and a new graph still shows within seconds.
LOOKUP_TTL_SECONDS = 3.0
# For how long after that a lookup still answers at once while it is made again in the
# background. After a pause of a few seconds, TensorBoard's data server (the default one)
# answered the second of two calls about 40 ms late: every step taken after looking at a
# drawing for a while waited 10-60 ms on lookups, where a looked-up step takes 2 ms (see
# bench/bench_idle.py). As long as TensorBoard's own page trusts what it shows between reloads.
LOOKUP_STALE_SECONDS = 30.0


class GraphService:
    """The graphs of one data provider, with one set of caches for every route."""

    def __init__(self, provider: Any):
        self.provider = provider
        self.graphs = lru(GRAPH_CACHE_BYTES, getsizeof=graph_weight)
        self.diffs = lru(DIFF_CACHE_SIZE)
        # Keyed by the Hierarchy itself, not its cache key: views go with the graph they were
        # made of, and a graph read again (a profile's run graph beside it may have changed
        # under the same key) starts with none.
        self.views: weakref.WeakKeyDictionary[Hierarchy, SingleFlight] = weakref.WeakKeyDictionary()
        self._views_lock = threading.Lock()
        # At most DOT_CACHE_SIZE texts and DOT_CACHE_BYTES: each weighs at least its share.
        share = DOT_CACHE_BYTES // DOT_CACHE_SIZE
        self.dots = lru(DOT_CACHE_BYTES, getsizeof=lambda text: max(len(text), share))
        # Lookups made again in the background, one at a time (see caching.Lookups).
        self.refresh = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopegraph-lookup")
        lookups = functools.partial(
            Lookups, LOOKUP_TTL_SECONDS, stale=LOOKUP_STALE_SECONDS, refresh=self.refresh
        )
        self.listings = lookups()
        self.blobs = lookups()
        # Summaries: a run's tags and what was read of them, trusted as briefly as a listing;
        # tags linked to names once per graph and tag set.
        self.summary_tags = lookups()
        self.summary_reads = lookups()
        self.links = lru(GRAPH_CACHE_SIZE)
        # Graphs read are readied for search and compacted here (`Hierarchy.prepare`).
        self.preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopegraph-prep")

    # --- which graph ---

    def list(self, ctx, experiment: str, stale_ok: bool = True, fresh: bool = False):
        """Every graph in the experiment (`GraphInfo`, op counts left out); `stale_ok`:
        as looked up a while ago (see LOOKUP_STALE_SECONDS), or False: within seconds."""

        def list_now():
            # Counting ops would read and parse every graph; counts come from the cache.
            return data_provider.list_graphs(self.provider, ctx, experiment, op_counts=False)

        if fresh:
            self.listings.drop(experiment)
        return self.listings.get(experiment, list_now, stale_ok)

    def listing(self, ctx, experiment: str, stale_ok: bool = True) -> list[dict[str, Any]]:
        """`list` as plain data: run, kind, tag and op count when the graph was parsed."""
        listed = []
        for g in self.list(ctx, experiment, stale_ok=stale_ok):
            parsed = self.graphs.find((experiment, g.run, g.kind, g.tag))
            op_count = parsed.op_count if parsed is not None else g.op_count
            listed.append({"run": g.run, "kind": g.kind, "tag": g.tag, "op_count": op_count})
        return listed

    def resolve(self, ctx, experiment: str, run, kind, tag, stale_ok: bool = True):
        """The one graph a (run, kind, tag) query names; kind and tag may be left out."""
        if not run:
            raise tb_errors.InvalidArgumentError('query parameter "run" is required')
        graphs = [g for g in self.list(ctx, experiment, stale_ok=stale_ok) if g.run == run]
        if not graphs:
            # A run that appeared after the listing was cached.
            graphs = [g for g in self.list(ctx, experiment, fresh=True) if g.run == run]
        if not graphs:
            raise tb_errors.NotFoundError(f"no graph in run {run!r}")
        if kind:
            graphs = [g for g in graphs if g.kind == kind]
            if not graphs:
                raise tb_errors.NotFoundError(f"run {run!r} has no graph of kind {kind!r}")
        if tag:
            graphs = [g for g in graphs if g.tag == tag]
            if not graphs:
                raise tb_errors.NotFoundError(f"run {run!r} has no graph tagged {tag!r}")
        if len(graphs) > 1:
            choices = ", ".join(f"kind={g.kind} tag={g.tag}" for g in graphs)
            raise tb_errors.InvalidArgumentError(
                f"run {run!r} has {len(graphs)} graphs; pick one with kind and tag ({choices})"
            )
        g = graphs[0]
        return GraphRef(g.run, g.kind, g.tag)

    def locate(self, ctx, experiment: str, run, kind, tag, step=None, stale_ok: bool = True):
        """(cache key, ref, blob) of the graph a query names (the latest, or the one written
        at `step`): the key changes with its blob. `stale_ok`: as for `list`."""
        ref = self.resolve(ctx, experiment, run, kind, tag, stale_ok)
        provider = self.provider
        if step is None:
            find = functools.partial(data_provider.latest_blob, provider, ctx, experiment, ref)
        else:
            find = functools.partial(
                data_provider.blob_at_step, provider, ctx, experiment, ref, step
            )
        blob = self.blobs.get((experiment, ref, step), find, stale_ok)
        # The wall time tells apart two graphs written at the same step (same blob key).
        key = (experiment, ref.run, ref.kind, ref.tag, blob.blob_key, blob.wall_time)
        return key, ref, blob

    def steps(self, ctx, experiment: str, run, kind=None, tag=None) -> list[dict]:
        """Every stored graph of one (run, kind, tag), oldest first: its step and wall time.
        The providers keep the last 10 by default."""
        ref = self.resolve(ctx, experiment, run, kind, tag)
        blobs = data_provider.graph_blobs(self.provider, ctx, experiment, ref)
        return [{"step": b.step, "wall_time": b.wall_time} for b in blobs]

    # --- the graph, its views, its drawings ---

    def hierarchy(self, ctx, experiment: str, run, kind, tag) -> tuple[tuple, Hierarchy]:
        """The parsed graph and its cache key, read from the provider only when its blob changed."""
        key, ref, blob = self.locate(ctx, experiment, run, kind, tag)

        def load() -> Hierarchy:
            # A profile is drawn on its run's graph, read beside the profile's own blob.
            graph = data_provider.load_graph(self.provider, ctx, experiment, ref, blob)
            hierarchy = Hierarchy(graph.drawable, stats=graph.stats)
            hierarchy.warnings = repair.warnings_of(graph.warnings, hierarchy.graph)
            del graph  # the parsed GraphDef: about 90 MB for 100k ops, no longer needed
            release_memory()
            if hierarchy.op_count >= PREPARE_MIN_OPS:
                self.preparing.submit(hierarchy.prepare)
            return hierarchy

        # A newer blob for the same graph replaces the parsed old one.
        return key, self.graphs.get(key, load, replaces=key[:4])

    def view(self, ctx, experiment: str, query: ViewQuery) -> tuple[tuple, Hierarchy, View]:
        """(key, hierarchy, view): the graph and the view `query` asks for (`views.asked_view`;
        a default view is chosen for the area it is shown in), kept per graph read and query."""
        key, hierarchy = self.hierarchy(ctx, experiment, **query.graph)
        with self._views_lock:
            views = self.views.get(hierarchy)
            first = views is None
            if first:
                views = self.views[hierarchy] = lru(VIEWS_PER_GRAPH)
        try:
            view = views.get(query.view_key(), lambda: query.view_of(hierarchy))
        finally:
            if first and hierarchy.op_count >= PREPARE_MIN_OPS:
                # After `prepare` (submitted on read), and after this graph's first view.
                self.preparing.submit(tell_rolls, hierarchy)
                self.preparing.submit(count_cards, hierarchy)
        return key, hierarchy, view

    def dot(self, ctx, experiment: str, query: ViewQuery) -> str:
        """The view as DOT text, cached per graph, view, area, colouring and summaries'
        badges."""
        key, hierarchy, view = self.view(ctx, experiment, query)
        links = self.summary_links(ctx, experiment, key, hierarchy)
        shown_in = query.shown_in
        return self.dots.get(
            (key, view, shown_in, query.colour, links.fingerprint),
            lambda: dot.to_dot(
                hierarchy,
                view,
                colour=query.colour,
                badges=links.held(),
                width=shown_in.width,
                height=shown_in.height,
            ),
        )

    def image(self, ctx, experiment: str, query: ViewQuery, fmt: str = "svg") -> bytes:
        """The view drawn by Graphviz as SVG or PNG; RenderTimeout when the layout runs long."""
        text = self.dot(ctx, experiment, query)
        try:
            return render.render(text, fmt=fmt)
        except RenderTimeout as e:
            _, hierarchy, view = self.view(ctx, experiment, query)
            raise _with_advice(e, hierarchy, view) from None

    def search(self, ctx, experiment, run, kind=None, tag=None, q="", regex=False, limit=50):
        """Ops and groups whose names match, each with the groups to open to reveal it."""
        hierarchy = self.hierarchy(ctx, experiment, run, kind, tag)[1]
        return hierarchy.search(q, regex=regex, limit=limit, match=search.match)

    # --- summaries linked to the graph ---

    def summary_links(self, ctx, experiment: str, key: tuple, hierarchy: Hierarchy):
        """The run's summary tags linked to the graph's names (a few seconds old at most)."""
        run = key[1]
        tags = self.summary_tags.get(
            (experiment, run),
            lambda: summaries.list_tags(self.provider, ctx, experiment, run),
        )
        listing = tuple(sorted(tags.items()))
        return self.links.get(
            (key, listing), lambda: summaries.link(hierarchy, tags), replaces=(key,)
        )

    def summary_values(self, ctx, experiment: str, key: tuple, links, tags) -> dict:
        """The latest values of summary `tags` of the graph at `key` (as briefly trusted as a
        listing)."""
        run = key[1]

        def read():
            return summaries.read(self.provider, ctx, experiment, run, links, tags)

        return self.summary_reads.get((experiment, run, links.fingerprint, tags), read)

    # --- the diff of two graphs ---

    def diff(self, ctx, experiment, graph, base) -> tuple[tuple, GraphDiff]:
        """The diff of two graphs, each (run, kind, tag, step), and its cache key; made again
        when either blob changed."""
        new_key, new_ref, new_blob = self.locate(ctx, experiment, *graph)
        try:
            base_key, base_ref, base_blob = self.locate(ctx, experiment, *base)
        except (NotFound, tb_errors.NotFoundError) as e:
            # Said so the tab can tell a vanished base (offer to stop comparing) from the rest.
            raise NotFound(f"base graph: {e}") from None
        if base_key == new_key:
            raise tb_errors.InvalidArgumentError(
                "the base graph and the graph are the same graph (same run, kind, tag and "
                "step): pick another base_run, base_kind, base_tag or base_step"
            )
        key = ("diff", base_key, new_key)

        def load() -> GraphDiff:
            provider = self.provider
            before = data_provider.load_graph(provider, ctx, experiment, base_ref, base_blob)
            after = data_provider.load_graph(provider, ctx, experiment, new_ref, new_blob)
            diff = GraphDiff(before.graph_def, after.graph_def)
            del before, after
            release_memory()
            return diff

        return key, self.diffs.get(key, load)

    def diff_view(self, ctx, experiment, graph, base, open_=(), depth=None):
        """(key, diff, view): no `open` and no `depth` opens the scopes holding changes."""
        key, diff = self.diff(ctx, experiment, graph, base)
        return key, diff, diff_view(diff, open_, depth)

    def diff_dot(self, ctx, experiment, graph, base, open_=(), depth=None) -> str:
        """A diff view as DOT text, titled "base → graph", cached per pair of graphs and view."""
        key, diff, view = self.diff_view(ctx, experiment, graph, base, open_, depth)
        # The sides as resolved (kind and tag filled in), with the steps asked for.
        (_, *base_named), (_, *new_named) = key[1][:4], key[2][:4]
        named = diff_title(title(*base_named, base[3]), title(*new_named, graph[3]))
        return self.dots.get((key, view), lambda: diffdot.diff_to_dot(diff, view, named))

    def diff_image(self, ctx, experiment, graph, base, open_=(), depth=None, fmt="svg") -> bytes:
        """A diff view drawn as SVG or PNG; RenderTimeout when the layout runs long."""
        text = self.diff_dot(ctx, experiment, graph, base, open_, depth)
        try:
            return render.render(text, fmt=fmt)
        except RenderTimeout as e:
            _, diff, view = self.diff_view(ctx, experiment, graph, base, open_, depth)
            raise _with_advice(e, diff.hierarchy, view) from None


def graph_weight(hierarchy: Hierarchy) -> int:
    """What a parsed graph counts for in the graph cache: its estimated bytes, at least its
    share of the cache (so that it holds at most GRAPH_CACHE_SIZE graphs), and at most half
    of the cache, so that a graph larger than that estimate is still kept (alone, with what
    fits beside it), not read again for every request."""
    share = GRAPH_CACHE_BYTES // GRAPH_CACHE_SIZE
    return min(max(hierarchy.op_count * GRAPH_BYTES_PER_OP, share), GRAPH_CACHE_BYTES // 2)


def tell_rolls(hierarchy: Hierarchy) -> None:
    """Work out whether each series of blocks of a big graph is rollable, smallest first, off
    the request path. A search hit inside a series says whether that is rolled (what to open
    to reveal it), and a view works it out only for the series it meets: on transformer_1m the
    first search with hits in `gradient_tape`'s layers or the attention heads took 1.2-2.6 s,
    nearly all of it `rolls` telling 96 blocks copies (all 869 series: 4.8 s of CPU, +7 MB).
    Started once the graph's first view is chosen: beside it, the view took 1.5x as long."""
    model = hierarchy.graph
    series = [g for g, group in enumerate(model.groups) if group.kind == SERIES]
    found = rolls.of(model)
    for gid in sorted(series, key=lambda g: model.groups[g].op_count):
        found.rollable(gid)


def count_cards(hierarchy: Hierarchy) -> None:
    """Work out the cards of a big graph's top groups off the request path: each op's
    parameters are then counted (`Details` keeps them), and the card of any group parses no
    NodeDef. On synthetic_100k the first card of its top scope parsed 23,000 variables'
    NodeDefs: 0.7 s idle, seconds under fifty clients."""
    groups = hierarchy.graph.groups
    for g in groups.children(ROOT):
        hierarchy.details(groups.keys[g], kind=SCOPE)  # a group, even if an op has its key


def _with_advice(e: RenderTimeout, hierarchy: Hierarchy, view: View) -> RenderTimeout:
    """The renderer says "close some scopes"; only the service knows which ones."""
    which = f"close some scopes ({what_to_close(hierarchy, view)})"
    return RenderTimeout(str(e).replace("close some scopes", which, 1))
