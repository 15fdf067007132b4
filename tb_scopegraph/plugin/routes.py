"""The TensorBoard plugin: routes that serve one graph view at a time as JSON, DOT, SVG or PNG.

Each route reads its query (`query`) and calls an `*_impl` method taking plain arguments and
returning plain data; the graphs, views and drawings come from the service
(`service.graphs.GraphService`), the first view drawn ahead from `warmup`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorboard import errors as tb_errors
from tensorboard.plugins import base_plugin
from tensorboard.plugins.graph import metadata as graph_metadata

from tb_scopegraph.drawing import layouts
from tb_scopegraph.errors import NotFound
from tb_scopegraph.model import paths, structure
from tb_scopegraph.model.hierarchy import MAX_NESTING, return_large_blocks
from tb_scopegraph.plugin import collector, query, static
from tb_scopegraph.plugin.answers import (
    DOT,
    JSON,
    PNG,
    SVG,
    SVG_HEADERS,
    Answer,
    drawing,
    route,
    with_depth,
)
from tb_scopegraph.plugin.warmup import WarmUp
from tb_scopegraph.service.graphs import GraphService
from tb_scopegraph.service.query import ViewQuery
from tb_scopegraph.service.views import colourings, view_depth

PLUGIN_NAME = "scopegraph"

# The summary plugins whose data hold graphs; the tab shows when any of them has data.
GRAPH_PLUGIN_NAMES = (
    graph_metadata.PLUGIN_NAME,
    graph_metadata.PLUGIN_NAME_RUN_METADATA,
    graph_metadata.PLUGIN_NAME_RUN_METADATA_WITH_GRAPH,
    graph_metadata.PLUGIN_NAME_KERAS_MODEL,
    graph_metadata.PLUGIN_NAME_TAGGED_RUN_METADATA,
)

_STATIC_ROUTE = f"/data/plugin/{PLUGIN_NAME}/static/"
_GROUP_KINDS = frozenset({"scope", "series", "chunk"})
_SUMMARY_LIST_MAX = 2000


class ScopeGraphPlugin(base_plugin.TBPlugin):
    """Draws a run's graph with Graphviz, name scopes as boxes that open into clusters."""

    plugin_name = PLUGIN_NAME

    def __init__(self, context: base_plugin.TBContext, *, prepare_first_view: bool = True):
        """`prepare_first_view`: draw the first graph's default view ahead as soon as there
        is one (see `warmup.WarmUp.start`)."""
        self.service = GraphService(context.data_provider)
        self.static_root = static.static_root()
        self.warmup = WarmUp(self)
        if context.flags is not None:  # inside a TensorBoard program (see collector)
            collector.freeze_startup_objects()
            return_large_blocks()  # a cached graph's views free what they make
        # Layout workers start with TensorBoard, not with the first view asked for.
        from tb_scopegraph.drawing import render

        render.shared_renderer().warm()
        if prepare_first_view:
            self.warmup.start()

    def get_plugin_apps(self) -> dict[str, Callable]:
        return {
            "/graphs": self._serve_graphs,
            "/first": self._serve_first,
            "/tab.js": self._serve_tab_module,
            "/hierarchy": self._serve_hierarchy,
            "/view": self._serve_view,
            "/dot": self._serve_dot,
            "/svg": self._serve_svg,
            "/png": self._serve_png,
            "/node": self._serve_node,
            "/search": self._serve_search,
            "/summaries": self._serve_summaries,
            "/diff": self._serve_diff,
            "/diff_view": self._serve_diff_view,
            "/diff_node": self._serve_diff_node,
            "/steps": self._serve_steps,
            "/trace": self._serve_trace,
            "/queue": self._serve_queue,
            "/static/*": self._serve_static,
        }

    def is_active(self) -> bool:
        # TensorBoard enables the tab from `data_plugin_names`; nothing to read here.
        return False

    def data_plugin_names(self) -> tuple[str, ...]:
        return GRAPH_PLUGIN_NAMES

    def frontend_metadata(self) -> base_plugin.FrontendMetadata:
        return base_plugin.FrontendMetadata(es_module_path="/tab.js", tab_name="Scope Graph")

    # --- the work behind each route: plain arguments in, plain data out ---

    def graphs_impl(self, ctx, experiment: str, stale_ok: bool = True) -> list[dict[str, Any]]:
        """Every graph in the experiment: run, kind, tag and op count when known. `stale_ok`:
        as looked up a while ago (see service.graphs.LOOKUP_STALE_SECONDS), or False: within
        seconds."""
        return self.service.listing(ctx, experiment, stale_ok)

    def first_impl(self, ctx, experiment: str, query: ViewQuery | None = None) -> dict[str, Any]:
        """The listing and the first graph's default view, in one answer (`WarmUp.first`):
        drawn for the area and with the rolling `query` asks for (the graph is the listing's
        first)."""
        return self.warmup.first(ctx, experiment, query=query or ViewQuery())

    def hierarchy_impl(self, ctx, experiment: str, run, kind=None, tag=None) -> dict:
        """The scope tree of one graph (groups only), as deep as a view may open groups."""
        hierarchy = self.service.hierarchy(ctx, experiment, run, kind, tag)[1]
        tree = {**hierarchy.tree(), "warnings": [w.to_json() for w in hierarchy.warnings]}
        # Below that, every level would repeat its full name: quadratic in a deep path.
        stack = [(tree, 0)]
        while stack:
            group, depth = stack.pop()
            if depth >= MAX_NESTING:
                group["children"] = []
            stack.extend((child, depth + 1) for child in group["children"])
        return tree

    def view_impl(self, ctx, experiment: str, query: ViewQuery) -> dict:
        """The groups a view opens (the default view resolved for the area it is shown in),
        how many boxes it shows, the graph's warnings and the colourings with data for it
        (`views.colourings`); the open series it draws rolled (each with the member it shows)
        and those it was asked to draw unrolled."""
        _, hierarchy, view = self.service.view(ctx, experiment, query)
        warnings = [w.to_json() for w in hierarchy.warnings]
        rolled = {"rolled": hierarchy.rolled(view), "unrolled": sorted(view.unrolled)}
        depth = view_depth(hierarchy, view, query.depth)._asdict()
        return {
            "open": sorted(view.open),
            "boxes": view.boxes,
            **depth,
            **rolled,
            "warnings": warnings,
            "colourings": colourings(hierarchy),
        }

    def dot_impl(self, ctx, experiment: str, query: ViewQuery) -> str:
        """The view as DOT text (`GraphService.dot`)."""
        return self.service.dot(ctx, experiment, query)

    def image_impl(self, ctx, experiment: str, query: ViewQuery, fmt: str = "svg") -> bytes:
        """The view drawn as SVG or PNG; RenderTimeout when the layout runs long. An SVG
        says its view's depth on its root (`answers.with_depth`)."""
        image = self.service.image(ctx, experiment, query, fmt)
        if fmt != "svg":
            return image
        _, hierarchy, view = self.service.view(ctx, experiment, query)
        return with_depth(image, *view_depth(hierarchy, view, query.depth))

    def node_impl(self, ctx, experiment, run, kind=None, tag=None, name=None, kind_of=None):
        """Details of one op or group; a group's say which groups are identical to it."""
        hierarchy = self.service.hierarchy(ctx, experiment, run, kind, tag)[1]
        details = hierarchy.details(name, kind=kind_of)
        if details["kind"] in _GROUP_KINDS:
            details["structure"] = structure.structures(hierarchy).details(details["name"])
        return details

    def trace_impl(
        self,
        ctx,
        experiment,
        run,
        kind=None,
        tag=None,
        name=None,
        direction="in",
        depth=3,
        open_=(),
        control=False,
        expand=True,
    ) -> dict:
        """The paths into or out of one op: its ops, and the view (open groups, boxes) that
        shows them."""
        hierarchy = self.service.hierarchy(ctx, experiment, run, kind, tag)[1]
        found = paths.trace(
            hierarchy, name, direction, depth, open=open_, control=control, expand=expand
        )
        return found.to_json()

    def search_impl(self, ctx, experiment, run, kind=None, tag=None, q="", regex=False, limit=50):
        """Ops and groups whose names match, each with the groups to open to reveal it."""
        found = self.service.search(ctx, experiment, run, kind, tag, q, regex, limit)
        for item in found:
            # No view opens deeper; the hit is then inside the innermost box it reveals.
            del item["reveal"][MAX_NESTING:]
        return found

    def summaries_impl(
        self, ctx, experiment, run, kind=None, tag=None, name=None, kind_of=None
    ) -> dict:
        """The run's summaries linked to this graph's names. With ``name``: the latest values
        of those at or inside that op or group; without: every tag and what it is linked to."""
        key, hierarchy = self.service.hierarchy(ctx, experiment, run, kind, tag)
        links = self.service.summary_links(ctx, experiment, key, hierarchy)
        if name is None:
            listed = [
                {"tag": t, "kind": links.kinds[t], "linked": [n for _, n in targets]}
                for t, targets in links.linked.items()
            ]
            unlinked = [{"tag": t, "kind": links.kinds[t]} for t in links.unlinked]
            return {"linked": listed[:_SUMMARY_LIST_MAX], "unlinked": unlinked[:_SUMMARY_LIST_MAX]}
        # As the node route: an op's card asks for an op, a group's for a group. A missing
        # input (no node, so never linked) has none.
        is_op = hierarchy.op_type(name) is not None
        if kind_of == "op":
            known = is_op
        elif kind_of is None:
            known = is_op or hierarchy.is_group(name)
        else:
            known = kind_of == "missing" or hierarchy.is_group(name)
        if not known:
            what = "op" if kind_of == "op" else "node or scope"
            raise NotFound(f"no {what} {name!r} in this graph")
        lookup = "op" if kind_of in ("op", "missing") else (None if kind_of is None else "group")
        tags = links.tags_of(name, lookup)
        return {"name": name, **self.service.summary_values(ctx, experiment, key, links, tags)}

    def diff_view_impl(self, ctx, experiment, graph, base, open_=(), depth=None) -> dict:
        """What a diff view opens and shows, and the whole diff's op counts by status.

        ``graph`` and ``base`` are (run, kind, tag, step), step None for the latest graph;
        ``base`` is the graph before."""
        _, diff, view = self.service.diff_view(ctx, experiment, graph, base, open_, depth)
        shown = view_depth(diff.hierarchy, view, depth)._asdict()
        return {
            "open": sorted(view.open),
            "boxes": view.boxes,
            **shown,
            "counts": diff.totals.as_dict(),
        }

    def diff_impl(self, ctx, experiment, graph, base, open_=(), depth=None, fmt="svg") -> bytes:
        """A diff view as DOT text, or drawn as SVG or PNG (an SVG with its view's depth on
        its root, as `image_impl`'s)."""
        if fmt == "dot":
            return self.service.diff_dot(ctx, experiment, graph, base, open_, depth).encode()
        image = self.service.diff_image(ctx, experiment, graph, base, open_, depth, fmt)
        if fmt != "svg":
            return image
        _, diff, view = self.service.diff_view(ctx, experiment, graph, base, open_, depth)
        return with_depth(image, *view_depth(diff.hierarchy, view, depth))

    def diff_node_impl(self, ctx, experiment, graph, base, name, kind_of=None) -> dict:
        """Details of one op or group of a diff: its status, and for a changed op what
        changed, before and after."""
        return self.service.diff(ctx, experiment, graph, base)[1].details(name, kind=kind_of)

    def steps_impl(self, ctx, experiment: str, run, kind=None, tag=None) -> list[dict]:
        """Every stored graph of one (run, kind, tag), oldest first: its step and wall time."""
        return self.service.steps(ctx, experiment, run, kind, tag)

    def queue_impl(self, client) -> dict:
        """Where the drawings `client`'s requests wait for stand in the layout queue."""
        from tb_scopegraph.drawing import render

        return render.shared_renderer().layouts.standing(client)

    def static_impl(self, path: str) -> tuple[bytes, str]:
        """A file of the tab and its MIME type; NotFoundError for anything outside the folder."""
        return static.read(self.static_root, path)

    # --- routes: parse the query, call the _impl, answer (see answers.route) ---

    @route(JSON)
    def _serve_graphs(self, request, ctx, experiment):
        # The tab asks this to learn of new runs (every 30 s): an answer from a listing older
        # than that would show them one round late.
        return self.graphs_impl(ctx, experiment, stale_ok=False)

    @route()
    def _serve_tab_module(self, request, ctx, experiment):
        module = self.warmup.tab_module(ctx, experiment)
        return Answer(module, static.MIME_TYPES[".js"], encoding="gzip")

    @route(JSON)
    def _serve_first(self, request, ctx, experiment):
        return self.first_impl(ctx, experiment, query.first_query(request))

    @route(JSON)
    def _serve_hierarchy(self, request, ctx, experiment):
        return self.hierarchy_impl(ctx, experiment, *query.graph_args(request))

    @route(JSON)
    def _serve_view(self, request, ctx, experiment):
        return self.view_impl(ctx, experiment, query.view_query(request, coloured=False))

    @route(DOT)
    def _serve_dot(self, request, ctx, experiment):
        return self.dot_impl(ctx, experiment, query.view_query(request))

    @route(SVG, SVG_HEADERS)
    def _serve_svg(self, request, ctx, experiment):
        return self.image_impl(ctx, experiment, query.view_query(request), "svg")

    @route(PNG)
    def _serve_png(self, request, ctx, experiment):
        return self.image_impl(ctx, experiment, query.view_query(request), "png")

    @route(JSON)
    def _serve_node(self, request, ctx, experiment):
        args = (*query.graph_args(request), *query.node_args(request))
        return self.node_impl(ctx, experiment, *args)

    @route(JSON)
    def _serve_search(self, request, ctx, experiment):
        args = (*query.graph_args(request), *query.search_args(request))
        return self.search_impl(ctx, experiment, *args)

    @route(JSON)
    def _serve_summaries(self, request, ctx, experiment):
        name = request.args.get("name")
        args = (*query.graph_args(request), name, query.kind_of_arg(request))
        return self.summaries_impl(ctx, experiment, *args)

    @route()
    def _serve_diff(self, request, ctx, experiment):
        fmt = query.format_arg(request)
        args = (query.side_args(request), query.base_args(request), *query.view_args(request))
        return drawing(self.diff_impl(ctx, experiment, *args, fmt=fmt), fmt)

    @route(JSON)
    def _serve_diff_view(self, request, ctx, experiment):
        args = (query.side_args(request), query.base_args(request), *query.view_args(request))
        return self.diff_view_impl(ctx, experiment, *args)

    @route(JSON)
    def _serve_diff_node(self, request, ctx, experiment):
        name, kind_of = query.node_args(request)
        args = (query.side_args(request), query.base_args(request), name, kind_of)
        return self.diff_node_impl(ctx, experiment, *args)

    @route(JSON)
    def _serve_steps(self, request, ctx, experiment):
        return self.steps_impl(ctx, experiment, *query.graph_args(request))

    @route(JSON)
    def _serve_trace(self, request, ctx, experiment):
        how = query.trace_args(request)
        return self.trace_impl(ctx, experiment, *query.graph_args(request), **how)

    @route(JSON)
    def _serve_queue(self, request, ctx, experiment):
        # The client the route asks as: the tab's header, else the remote address.
        return self.queue_impl(layouts.current_asker().client)

    @route()
    def _serve_static(self, request, ctx, experiment):
        if not request.path.startswith(_STATIC_ROUTE):
            raise tb_errors.NotFoundError(f"no static file {request.path!r}")
        return Answer(*self.static_impl(request.path[len(_STATIC_ROUTE) :]))
