"""The TensorBoard plugin: routes that serve one graph view at a time as JSON, DOT, SVG or PNG."""

from __future__ import annotations

import collections
import functools
import gzip
import json
import mimetypes
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as futures_wait
from pathlib import Path
from typing import Any

from tensorboard import errors as tb_errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin
from tensorboard.util import tb_logging
from werkzeug import wrappers

from tb_scopegraph.drawing import dot, render
from tb_scopegraph.drawing.colour import SCHEMES
from tb_scopegraph.errors import (
    InvalidQuery,
    InvalidView,
    NotFound,
    RenderError,
    RenderTimeout,
    SourceError,
)
from tb_scopegraph.model import paths, structure, summaries
from tb_scopegraph.model.diff import GraphDiff
from tb_scopegraph.model.hierarchy import MAX_NESTING, Hierarchy, View, release_memory
from tb_scopegraph.reading import data_provider, repair
from tb_scopegraph.reading.graph import GraphRef
from tb_scopegraph.reading.graph_file import FILE_GRAPH
from tb_scopegraph.reading.meta_graph import META_GRAPH
from tb_scopegraph.reading.run_graph import RUN_GRAPH

logger = tb_logging.get_logger()

PLUGIN_NAME = "scopegraph"

# The summary plugins whose data hold graphs; the tab shows when any of them has data.
GRAPH_PLUGIN_NAMES = (
    "graphs",
    "graph_run_metadata",
    "graph_run_metadata_graph",
    "graph_keras_model",
    "graph_tagged_run_metadata",
)

_STATIC_ROUTE = f"/data/plugin/{PLUGIN_NAME}/static/"
_MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".map": "application/json",
    ".woff2": "font/woff2",
}
_NODE_KINDS = frozenset({"op", "missing", "scope", "series", "chunk"})
_GROUP_KINDS = frozenset({"scope", "series", "chunk"})
_TRACE_DEPTH = 3
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})

# Parsed graphs are large (a Hierarchy of a 100k-op graph holds every node), so keep few.
_GRAPH_CACHE_SIZE = 8
# A diff holds the union of two graphs and the base's changed nodes: about one graph more.
_DIFF_CACHE_SIZE = 4
_DOT_CACHE_SIZE = 128
_DOT_CACHE_BYTES = 32 << 20
# How long a graph listing or a blob lookup is trusted: a burst of requests (hover, open,
# search) asks the data provider once, and a new graph still shows within seconds.
_LOOKUP_TTL_SECONDS = 3.0
# For how long after that a lookup still answers at once while it is made again in the
# background. After a pause of a few seconds, TensorBoard's data server (the default one)
# answered the second of two calls about 40 ms late: every step taken after looking at a
# drawing for a while waited 10-60 ms on lookups, where a looked-up step takes 2 ms (see
# bench/bench_idle.py). As long as TensorBoard's own page trusts what it shows between reloads.
_LOOKUP_STALE_SECONDS = 30.0
_SEARCH_LIMIT = 50
_SEARCH_LIMIT_MAX = 1000
# The `first` route answers the listing without the first graph's view when drawing it takes
# longer than this (a big graph on a cold server): the listing is not held up, and the tab
# asks for the view, which is still being drawn (the renderer lays it out once).
_FIRST_VIEW_WAIT_SECONDS = 1.0
# The tab's module carries the listing when it is made within this long (see
# `tab_module_impl`): a slow one is not waited for (it would hold up a remembered view too).
_MODULE_LISTING_WAIT_SECONDS = 0.2
# TensorBoard's page lists its tabs when it loads and as it reloads; the first graph's default
# view is then drawn ahead, at most this often once it was.
_PREPARE_FIRST_VIEW_SECONDS = 10.0
# What a failure that is not the caller's says (the traceback goes to the log).
_INTERNAL_ERROR = "internal error"
_SUMMARY_LIST_MAX = 2000
# A regex search runs in a child process, stopped after this long: Python's `re` holds the
# interpreter while it matches (every other request waits), and some patterns backtrack for
# hours (`(a+)+$`).
_REGEX_SECONDS = 5.0
_JSON = "application/json"
# A drawing opened on its own (not through the tab) runs no script, whatever it holds.
_SVG_HEADERS = [("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")]


def _static_root() -> Path:
    """The tab's files: `static/` in an installed package, `frontend/` in a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "static"
    if installed.is_dir():
        return installed
    return package.parent / "frontend"


def _error(request, code: int, message: str, *, timeout: bool = False, headers=None):
    body: dict[str, Any] = {"error": message}
    if timeout:
        body["timeout"] = True
    return http_util.Respond(request, body, _JSON, code=code, headers=headers)


def _graph_args(request) -> tuple[str | None, str | None, str | None]:
    """(run, kind, tag) from the query; kind and tag may be left out when the run has one graph."""
    return (
        request.args.get("run"),
        request.args.get("kind") or None,
        request.args.get("tag") or None,
    )


def _view_args(request) -> tuple[tuple[str, ...], int | None]:
    """(open, depth) from the query: `open` repeated, `depth` an int >= 0."""
    open_ = tuple(dict.fromkeys(request.args.getlist("open")))
    return open_, _int_arg(request, "depth", minimum=0)


def _side_args(request) -> tuple[str | None, str | None, str | None, int | None]:
    """(run, kind, tag, step) of the newer side of a diff; no `step` is the latest graph."""
    return (*_graph_args(request), _int_arg(request, "step", minimum=0))


def _base_args(request) -> tuple[str | None, str | None, str | None, int | None]:
    """(base_run, base_kind, base_tag, base_step): the graph a diff compares against. The
    first three default to `run`, `kind`, `tag` (`base_run` alone compares the same graph of
    two runs, `base_tag` alone two tags of one run, `base_step` alone two steps of one graph);
    no `base_step` is the latest graph."""
    named = tuple(
        request.args.get(f"base_{field}") or request.args.get(field) or None
        for field in ("run", "kind", "tag")
    )
    return (*named, _int_arg(request, "base_step", minimum=0))


_DIFF_FORMATS = ("svg", "dot", "png")


def _format_arg(request) -> str:
    value = request.args.get("format", "svg")
    if value not in _DIFF_FORMATS:
        raise tb_errors.InvalidArgumentError(
            f"format must be one of {', '.join(_DIFF_FORMATS)}, not {value!r}"
        )
    return value


def _colour_arg(request) -> str:
    """`colour` (or `color`): op, device, compute, memory, or nothing for plain boxes."""
    value = request.args.get("colour", request.args.get("color", ""))
    if value not in SCHEMES:
        choices = ", ".join(s for s in SCHEMES if s)
        raise tb_errors.InvalidArgumentError(f"colour must be one of {choices}, not {value!r}")
    return value


def _int_arg(request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise tb_errors.InvalidArgumentError(
            f'query parameter "{name}" must be an integer, not {raw!r}'
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise tb_errors.InvalidArgumentError(f'query parameter "{name}" must be {bounds}')
    return value


def _flag(request, name: str) -> bool:
    raw = request.args.get(name, "").lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise tb_errors.InvalidArgumentError(f'query parameter "{name}" must be 1 or 0, not {raw!r}')


def _graph_of(listed: dict[str, Any]) -> dict[str, Any]:
    """The run, kind and tag of a graph as `graphs_impl` lists it."""
    return {key: listed[key] for key in ("run", "kind", "tag")}


def _failure(e: Exception) -> tuple[int, str, bool]:
    """The HTTP status, message and whether it is a layout time-out, for a route's failure."""
    if isinstance(e, RenderTimeout):
        return 503, str(e), True
    if isinstance(e, NotFound):
        return 404, str(e), False
    if isinstance(e, (InvalidView, InvalidQuery)):
        return 400, str(e), False
    if isinstance(e, SourceError):
        return 422, str(e), False
    if isinstance(e, RenderError):
        return 500, f"Graphviz could not draw this view: {e}", False
    if isinstance(e, tb_errors.PublicError):
        return e.http_code, str(e), False
    return 500, _INTERNAL_ERROR, False


def _json_errors(route):
    """Answer every failure of a route as JSON {"error": ...}, never as a traceback."""

    @functools.wraps(route)
    def wrapper(self, request):
        try:
            return route(self, request)
        except Exception as e:
            code, message, timeout = _failure(e)
            if message is _INTERNAL_ERROR:
                logger.exception("scopegraph: %s failed", request.full_path)
            headers = e.headers if isinstance(e, tb_errors.PublicError) else None
            return _error(request, code, message, timeout=timeout, headers=headers)

    return wrapper


def _request_context(request) -> tuple[Any, str]:
    """TensorBoard's request context and experiment id, which every provider call takes."""
    return plugin_util.context(request.environ), plugin_util.experiment_id(request.environ)


class ScopeGraphPlugin(base_plugin.TBPlugin):
    """Draws a run's graph with Graphviz, name scopes as boxes that open into clusters."""

    plugin_name = PLUGIN_NAME

    def __init__(self, context: base_plugin.TBContext, *, prepare_first_view: bool = True):
        """`prepare_first_view`: draw the first graph's default view ahead when TensorBoard's
        page lists its tabs (see `prepare_first_view`)."""
        self._provider = context.data_provider
        self._prepare_ahead = prepare_first_view
        self._static_root = _static_root()
        self._graphs = _FutureCache(_GRAPH_CACHE_SIZE)
        self._diffs = _FutureCache(_DIFF_CACHE_SIZE)
        self._dots = _FutureCache(_DOT_CACHE_SIZE, max_weight=_DOT_CACHE_BYTES, weigh=len)
        # Lookups made again in the background, one at a time (see _TtlCache).
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopegraph-lookup")
        lookup = functools.partial(
            _TtlCache, _LOOKUP_TTL_SECONDS, stale=_LOOKUP_STALE_SECONDS, refresh=self._lookups
        )
        self._listings = lookup()
        self._blobs = lookup()
        # Summaries: a run's tags and what was read of them, trusted as briefly as a listing;
        # tags linked to names once per graph and tag set.
        self._summary_tags = lookup()
        self._summary_reads = lookup()
        self._links = _FutureCache(_GRAPH_CACHE_SIZE)
        # Layout workers start with TensorBoard, not with the first view asked for.
        render.shared_renderer().warm()
        self._first_views = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scopegraph")
        self._preparing = threading.Lock()
        self._prepared: Future | None = None
        self._prepared_at = -_PREPARE_FIRST_VIEW_SECONDS
        # (graph cache key, SVG text or None): the last first view drawn ahead, or tried.
        self._drawn_ahead: tuple[tuple, str | None] | None = None
        self._module_listings = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopegraph")
        # (module, the same gzipped): the tab's module last served, compressed once.
        self._packed_module: tuple[bytes, bytes] | None = None

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
            "/static/*": self._serve_static,
        }

    def is_active(self) -> bool:
        # TensorBoard enables the tab from `data_plugin_names`; nothing to read here.
        return False

    def data_plugin_names(self) -> tuple[str, ...]:
        return GRAPH_PLUGIN_NAMES

    def frontend_metadata(self) -> base_plugin.FrontendMetadata:
        # TensorBoard asks for this whenever its page lists the tabs, and as our tab opens:
        # someone may open it soon, or is opening it.
        if self._prepare_ahead:
            self.prepare_first_view()
        return base_plugin.FrontendMetadata(es_module_path="/tab.js", tab_name="Scope Graph")

    # --- the work behind each route: plain arguments in, plain data out ---

    def graphs_impl(self, ctx, experiment: str, stale_ok: bool = True) -> list[dict[str, Any]]:
        """Every graph in the experiment: run, kind, tag and op count when known. `stale_ok`:
        as looked up a while ago (see _LOOKUP_STALE_SECONDS), or False: within seconds."""
        listed = []
        for g in self._list_graphs(ctx, experiment, stale_ok=stale_ok):
            parsed = self._graphs.find((experiment, g.run, g.kind, g.tag))
            op_count = parsed.op_count if parsed is not None else g.op_count
            listed.append({"run": g.run, "kind": g.kind, "tag": g.tag, "op_count": op_count})
        return listed

    def first_impl(
        self, ctx, experiment: str, wait: float = _FIRST_VIEW_WAIT_SECONDS
    ) -> dict[str, Any]:
        """What a first visit to the tab shows, in one answer: the listing (as `graphs`) and
        the SVG of the first graph's default view (as `svg`), or the error `svg` would answer
        for it ({"error", "status", "timeout"}); view None when there is no graph, or when the
        drawing takes longer than `wait` seconds (the tab then asks `svg` for it)."""
        graphs = self.graphs_impl(ctx, experiment)
        if not graphs:
            return {"graphs": graphs, "view": None}
        first = _graph_of(graphs[0])
        drawing = self._first_views.submit(self.image_impl, ctx, experiment, **first, fmt="svg")
        try:
            svg = drawing.result(timeout=wait)
        except FutureTimeout:
            return {"graphs": graphs, "view": None}
        except Exception as e:
            code, message, timeout = _failure(e)
            if message is _INTERNAL_ERROR:
                logger.exception("scopegraph: the first view of %r failed", first)
            return {
                "graphs": graphs,
                "view": {**first, "error": message, "status": code, "timeout": timeout},
            }
        hierarchy = self._hierarchy(ctx, experiment, **first)[1]  # drawn: cached
        warnings = [w.to_json() for w in hierarchy.warnings]
        return {
            "graphs": graphs,
            "view": {**first, "svg": svg.decode("utf-8"), "warnings": warnings},
        }

    def tab_module_impl(self, ctx, experiment: str) -> bytes:
        """The tab's module: `boot.bundle.js` (frontend/boot.js, which shows the first drawing
        and then starts the tab itself, `static/bundle.js`) after one statement,
        `const SCOPEGRAPH_INLINE = {...}`, that carries what the tab would otherwise ask for as
        soon as it runs: its stylesheet (`style`) and the `first` route's answer (`first`). Two
        round trips fewer to the first drawing, each waiting on a page TensorBoard keeps busy.

        `first` is null when the listing fails or takes over _MODULE_LISTING_WAIT_SECONDS (the
        tab then asks, and a remembered view is not held up); its view is the first graph's
        default view only when it was drawn ahead for that graph as it is now (see
        `prepare_first_view`). Nothing is laid out for the module itself."""
        bundle, _ = self.static_impl("boot.bundle.js")
        style, _ = self.static_impl("style.css")
        listing = self._module_listings.submit(self._inline_first, ctx, experiment)
        try:
            first = listing.result(timeout=_MODULE_LISTING_WAIT_SECONDS)
        except Exception:  # the tab asks the `first` route, which says what went wrong
            logger.debug("scopegraph: the tab's module goes without its listing", exc_info=True)
            first = None
        inline = {"style": style.decode("utf-8"), "first": first}
        # JSON is a JavaScript expression (U+2028 and U+2029 included, since ES2019).
        prelude = f"const SCOPEGRAPH_INLINE = {json.dumps(inline)};\n"
        return prelude.encode("utf-8") + bundle

    def packed_tab_module(self, ctx, experiment: str) -> bytes:
        """`tab_module_impl`, gzipped. The last module made is kept with its compressed bytes,
        which are served again while it is made the same (it changes with the listing and the
        first view drawn ahead); that view is packed as it is drawn, so the click on the tab
        finds its module ready."""
        module = self.tab_module_impl(ctx, experiment)
        packed = self._packed_module
        if packed is not None and packed[0] == module:
            return packed[1]
        packed = (module, gzip.compress(module, compresslevel=6, mtime=0))
        self._packed_module = packed
        return packed[1]

    def _inline_first(self, ctx, experiment: str) -> dict[str, Any]:
        graphs = self.graphs_impl(ctx, experiment)
        view = None
        drawn = self._drawn_ahead
        if graphs and drawn is not None and drawn[1] is not None:
            first = _graph_of(graphs[0])
            # The cache key names the experiment and the stored version of the graph.
            if self._locate(ctx, experiment, **first)[0] == drawn[0]:
                view = {**first, "svg": drawn[1]}
        return {"graphs": graphs, "view": view}

    def prepare_first_view(self) -> Future | None:
        """Draws the first graph's default view in the background (what a first visit to the
        tab shows), so that the first click on the tab finds it drawn; the future of that
        work, or None when there is nothing to do: no data, the same work under way, or done
        less than _PREPARE_FIRST_VIEW_SECONDS ago. A graph is drawn ahead once, however that
        went, until a new version of it is stored. Only for TensorBoard's own experiment ("")."""
        if self._provider is None:
            return None
        with self._preparing:
            if self._prepared is not None and not self._prepared.done():
                return None
            if time.monotonic() - self._prepared_at < _PREPARE_FIRST_VIEW_SECONDS:
                return None
            self._prepared = self._first_views.submit(self._prepare_first_view)
            return self._prepared

    def _prepare_first_view(self) -> bool:
        """False when there is no graph to draw yet (the next listing of the tabs looks again)."""
        from tensorboard.context import RequestContext

        ctx = RequestContext()
        try:
            # Background work, which the module then carries: made from what the provider
            # says now, and it renews the lookups the click on the tab is answered from.
            graphs = self.graphs_impl(ctx, "", stale_ok=False)
            if not graphs:
                return False  # not loaded yet, perhaps
            first = _graph_of(graphs[0])
            key = self._locate(ctx, "", **first, stale_ok=False)[0]
            if self._drawn_ahead is None or self._drawn_ahead[0] != key:
                svg = None
                try:
                    svg = self.image_impl(ctx, "", **first, fmt="svg").decode("utf-8")
                finally:  # a layout that failed or ran out of time is not tried again
                    self._drawn_ahead = (key, svg)
                self.packed_tab_module(ctx, "")  # with it, for the click that shows it
        except Exception:  # the tab asks again and reports it; nothing to say twice
            logger.debug("scopegraph: drawing the first view ahead failed", exc_info=True)
        self._prepared_at = time.monotonic()
        return True

    def hierarchy_impl(self, ctx, experiment: str, run, kind=None, tag=None) -> dict:
        """The scope tree of one graph (groups only), as deep as a view may open groups."""
        hierarchy = self._hierarchy(ctx, experiment, run, kind, tag)[1]
        tree = {**hierarchy.tree(), "warnings": [w.to_json() for w in hierarchy.warnings]}
        # Below that, every level would repeat its full name: quadratic in a deep path.
        stack = [(tree, 0)]
        while stack:
            group, depth = stack.pop()
            if depth >= MAX_NESTING:
                group["children"] = []
            stack.extend((child, depth + 1) for child in group["children"])
        return tree

    def view_impl(self, ctx, experiment, run, kind=None, tag=None, open_=(), depth=None) -> dict:
        """The groups a view opens (the default view resolved) and how many boxes it shows."""
        _, hierarchy, view = self._view(ctx, experiment, run, kind, tag, open_, depth)
        warnings = [w.to_json() for w in hierarchy.warnings]
        return {"open": sorted(view.open), "boxes": view.boxes, "warnings": warnings}

    def dot_impl(
        self, ctx, experiment, run, kind=None, tag=None, open_=(), depth=None, colour=""
    ) -> str:
        """The view as DOT text, cached per graph, view, colouring and summaries' badges."""
        key, hierarchy, view = self._view(ctx, experiment, run, kind, tag, open_, depth)
        links = self._summary_links(ctx, experiment, key, hierarchy)
        return self._dots.get(
            (key, view, colour, links.fingerprint),
            lambda: dot.to_dot(hierarchy, view, colour=colour, badges=links.badges()),
        )

    def image_impl(
        self, ctx, experiment, run, kind=None, tag=None, open_=(), depth=None, fmt="svg", colour=""
    ) -> bytes:
        """The view drawn by Graphviz as SVG or PNG; RenderTimeout when the layout runs long."""
        text = self.dot_impl(ctx, experiment, run, kind, tag, open_, depth, colour)
        try:
            return render.render(text, fmt=fmt)
        except RenderTimeout as e:
            # The renderer says "close some scopes"; only the plugin knows which ones.
            _, hierarchy, view = self._view(ctx, experiment, run, kind, tag, open_, depth)
            which = f"close some scopes ({_what_to_close(hierarchy, view)})"
            raise RenderTimeout(str(e).replace("close some scopes", which, 1)) from None

    def node_impl(self, ctx, experiment, run, kind=None, tag=None, name=None, kind_of=None):
        """Details of one op or group; a group's say which groups are identical to it."""
        hierarchy = self._hierarchy(ctx, experiment, run, kind, tag)[1]
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
        hierarchy = self._hierarchy(ctx, experiment, run, kind, tag)[1]
        found = paths.trace(
            hierarchy, name, direction, depth, open=open_, control=control, expand=expand
        )
        return found.to_json()

    def search_impl(self, ctx, experiment, run, kind=None, tag=None, q="", regex=False, limit=50):
        """Ops and groups whose names match, each with the groups to open to reveal it."""
        found = self._hierarchy(ctx, experiment, run, kind, tag)[1].search(
            q, regex=regex, limit=limit, match=_match_in_child
        )
        for item in found:
            # No view opens deeper; the hit is then inside the innermost box it reveals.
            del item["reveal"][MAX_NESTING:]
        return found

    def summaries_impl(
        self, ctx, experiment, run, kind=None, tag=None, name=None, kind_of=None
    ) -> dict:
        """The run's summaries linked to this graph's names. With ``name``: the latest values
        of those at or inside that op or group; without: every tag and what it is linked to."""
        key, hierarchy = self._hierarchy(ctx, experiment, run, kind, tag)
        links = self._summary_links(ctx, experiment, key, hierarchy)
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
        ref = key[1]

        def read():
            return summaries.read(self._provider, ctx, experiment, ref, links, tags)

        found = self._summary_reads.get((experiment, ref, links.fingerprint, tags), read)
        return {"name": name, **found}

    def diff_view_impl(self, ctx, experiment, graph, base, open_=(), depth=None) -> dict:
        """What a diff view opens and shows, and the whole diff's op counts by status.

        ``graph`` and ``base`` are (run, kind, tag, step), step None for the latest graph;
        ``base`` is the graph before."""
        _, diff, view = self._diff_view(ctx, experiment, graph, base, open_, depth)
        return {"open": sorted(view.open), "boxes": view.boxes, "counts": diff.totals.as_dict()}

    def diff_dot_impl(self, ctx, experiment, graph, base, open_=(), depth=None) -> str:
        """A diff view as DOT text, cached per pair of graphs and view."""
        key, diff, view = self._diff_view(ctx, experiment, graph, base, open_, depth)
        # The sides as resolved (kind and tag filled in), with the steps asked for.
        (_, *base_named), (_, *new_named) = key[1][:4], key[2][:4]
        title = f"{_graph_title(*base_named, base[3])} → {_graph_title(*new_named, graph[3])}"
        return self._dots.get((key, view), lambda: dot.diff_to_dot(diff, view, title))

    def diff_image_impl(
        self, ctx, experiment, graph, base, open_=(), depth=None, fmt="svg"
    ) -> bytes:
        """A diff view drawn as SVG or PNG; RenderTimeout when the layout runs long."""
        text = self.diff_dot_impl(ctx, experiment, graph, base, open_, depth)
        try:
            return render.render(text, fmt=fmt)
        except RenderTimeout as e:
            _, diff, view = self._diff_view(ctx, experiment, graph, base, open_, depth)
            which = f"close some scopes ({_what_to_close(diff.hierarchy, view)})"
            raise RenderTimeout(str(e).replace("close some scopes", which, 1)) from None

    def diff_node_impl(self, ctx, experiment, graph, base, name, kind_of=None) -> dict:
        """Details of one op or group of a diff: its status, and for a changed op what
        changed, before and after."""
        return self._diff(ctx, experiment, graph, base)[1].details(name, kind=kind_of)

    def steps_impl(self, ctx, experiment: str, run, kind=None, tag=None) -> list[dict]:
        """Every stored graph of one (run, kind, tag), oldest first: its step and wall time.
        The providers keep the last 10 by default."""
        ref = self._resolve(ctx, experiment, run, kind, tag)
        blobs = data_provider.graph_blobs(self._provider, ctx, experiment, ref)
        return [{"step": b.step, "wall_time": b.wall_time} for b in blobs]

    def static_impl(self, path: str) -> tuple[bytes, str]:
        """A file of the tab and its MIME type; NotFoundError for anything outside the folder."""
        parts = path.split("/")
        if (
            not path
            or path.startswith("/")
            or any(c in path for c in "\\\x00%:")
            or any(p in ("", ".", "..") for p in parts)
        ):
            raise tb_errors.NotFoundError(f"no static file {path!r}")
        root = self._static_root.resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise tb_errors.NotFoundError(f"no static file {path!r}")
        mime = _MIME_TYPES.get(target.suffix.lower())
        if mime is None:
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return target.read_bytes(), mime

    # --- lookups and caches ---

    def _list_graphs(self, ctx, experiment: str, fresh: bool = False, stale_ok: bool = True):
        def list_now():
            # Counting ops would read and parse every graph; counts come from the cache.
            return data_provider.list_graphs(self._provider, ctx, experiment, op_counts=False)

        if fresh:
            self._listings.drop(experiment)
        return self._listings.get(experiment, list_now, stale_ok)

    def _resolve(self, ctx, experiment: str, run, kind, tag, stale_ok: bool = True):
        """The one graph a (run, kind, tag) query names; kind and tag may be left out."""
        if not run:
            raise tb_errors.InvalidArgumentError('query parameter "run" is required')
        listed = self._list_graphs(ctx, experiment, stale_ok=stale_ok)
        graphs = [g for g in listed if g.run == run]
        if not graphs:
            # A run that appeared after the listing was cached.
            graphs = [g for g in self._list_graphs(ctx, experiment, fresh=True) if g.run == run]
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

    def _locate(self, ctx, experiment: str, run, kind, tag, step=None, stale_ok: bool = True):
        """(cache key, ref, blob) of the graph a query names (the latest, or the one written
        at `step`): the key changes with its blob. `stale_ok`: as for graphs_impl."""
        ref = self._resolve(ctx, experiment, run, kind, tag, stale_ok)
        if step is None:
            find = functools.partial(
                data_provider.latest_blob, self._provider, ctx, experiment, ref
            )
        else:
            find = functools.partial(
                data_provider.blob_at_step, self._provider, ctx, experiment, ref, step
            )
        blob = self._blobs.get((experiment, ref, step), find, stale_ok)
        # The wall time tells apart two graphs written at the same step (same blob key).
        key = (experiment, ref.run, ref.kind, ref.tag, blob.blob_key, blob.wall_time)
        return key, ref, blob

    def _hierarchy(self, ctx, experiment: str, run, kind, tag) -> tuple[tuple, Hierarchy]:
        """The parsed graph and its cache key, read from the provider only when its blob changed."""
        key, ref, blob = self._locate(ctx, experiment, run, kind, tag)

        def load() -> Hierarchy:
            # A profile is drawn on its run's graph, read beside the profile's own blob.
            graph = data_provider.load_graph(self._provider, ctx, experiment, ref, blob)
            hierarchy = Hierarchy(graph.drawable, stats=graph.stats)
            hierarchy.warnings = repair.warnings_of(graph.warnings, hierarchy.graph)
            del graph  # the parsed GraphDef: about 90 MB for 100k ops, no longer needed
            release_memory()
            return hierarchy

        # A newer blob for the same graph replaces the parsed old one.
        return key, self._graphs.get(key, load, replaces=key[:4])

    def _summary_links(self, ctx, experiment: str, key: tuple, hierarchy: Hierarchy):
        """The run's summary tags linked to the graph's names (a few seconds old at most)."""
        run = key[1]
        tags = self._summary_tags.get(
            (experiment, run),
            lambda: summaries.list_tags(self._provider, ctx, experiment, run),
        )
        listing = tuple(sorted(tags.items()))
        return self._links.get(
            (key, listing), lambda: summaries.link(hierarchy, tags), replaces=(key,)
        )

    def _view(self, ctx, experiment, run, kind, tag, open_, depth) -> tuple[tuple, Hierarchy, View]:
        """The graph and the view a query asks for: no `open` and no `depth` is the default."""
        key, hierarchy = self._hierarchy(ctx, experiment, run, kind, tag)
        if not open_ and depth is None:
            return key, hierarchy, hierarchy.default_view()
        return key, hierarchy, _asked_view(hierarchy, open_, depth)

    def _diff(self, ctx, experiment, graph, base) -> tuple[tuple, GraphDiff]:
        """The diff of two graphs and its cache key; made again when either blob changed."""
        new_key, new_ref, new_blob = self._locate(ctx, experiment, *graph)
        try:
            base_key, base_ref, base_blob = self._locate(ctx, experiment, *base)
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
            provider = self._provider
            before = data_provider.load_graph(provider, ctx, experiment, base_ref, base_blob)
            after = data_provider.load_graph(provider, ctx, experiment, new_ref, new_blob)
            diff = GraphDiff(before.graph_def, after.graph_def)
            del before, after
            release_memory()
            return diff

        return key, self._diffs.get(key, load)

    def _diff_view(self, ctx, experiment, graph, base, open_, depth):
        """(key, diff, view): no `open` and no `depth` opens the scopes holding changes."""
        key, diff = self._diff(ctx, experiment, graph, base)
        if not open_ and depth is None:
            return key, diff, diff.default_view()
        return key, diff, _asked_view(diff.hierarchy, open_, depth)

    # --- routes: parse the query, call the _impl, answer ---

    @wrappers.Request.application
    @_json_errors
    def _serve_graphs(self, request):
        # The tab asks this to learn of new runs (every 30 s): an answer from a listing older
        # than that would show them one round late.
        body = self.graphs_impl(*_request_context(request), stale_ok=False)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_tab_module(self, request):
        # Respond unpacks it for a client that takes no gzip.
        body = self.packed_tab_module(*_request_context(request))
        return http_util.Respond(request, body, _MIME_TYPES[".js"], content_encoding="gzip")

    @wrappers.Request.application
    @_json_errors
    def _serve_first(self, request):
        body = self.first_impl(*_request_context(request))
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_hierarchy(self, request):
        body = self.hierarchy_impl(*_request_context(request), *_graph_args(request))
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_view(self, request):
        args = (*_graph_args(request), *_view_args(request))
        body = self.view_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_dot(self, request):
        args = (*_graph_args(request), *_view_args(request))
        body = self.dot_impl(*_request_context(request), *args, colour=_colour_arg(request))
        return http_util.Respond(request, body, "text/vnd.graphviz; charset=utf-8")

    @wrappers.Request.application
    @_json_errors
    def _serve_svg(self, request):
        args = (*_graph_args(request), *_view_args(request))
        colour = _colour_arg(request)
        body = self.image_impl(*_request_context(request), *args, fmt="svg", colour=colour)
        return http_util.Respond(request, body, "image/svg+xml", headers=_SVG_HEADERS)

    @wrappers.Request.application
    @_json_errors
    def _serve_png(self, request):
        args = (*_graph_args(request), *_view_args(request))
        colour = _colour_arg(request)
        body = self.image_impl(*_request_context(request), *args, fmt="png", colour=colour)
        return http_util.Respond(request, body, "image/png")

    @wrappers.Request.application
    @_json_errors
    def _serve_node(self, request):
        args = (*_graph_args(request), *_node_args(request))
        body = self.node_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_search(self, request):
        q = request.args.get("q")
        if q is None:
            raise tb_errors.InvalidArgumentError('query parameter "q" is required')
        limit = _int_arg(request, "limit", minimum=1, maximum=_SEARCH_LIMIT_MAX)
        args = (*_graph_args(request), q, _flag(request, "regex"), limit or _SEARCH_LIMIT)
        body = self.search_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_summaries(self, request):
        args = (*_graph_args(request), request.args.get("name"), _kind_of_arg(request))
        body = self.summaries_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_diff(self, request):
        fmt = _format_arg(request)
        args = (_side_args(request), _base_args(request), *_view_args(request))
        if fmt == "dot":
            body = self.diff_dot_impl(*_request_context(request), *args)
            return http_util.Respond(request, body, "text/vnd.graphviz; charset=utf-8")
        body = self.diff_image_impl(*_request_context(request), *args, fmt=fmt)
        if fmt == "png":
            return http_util.Respond(request, body, "image/png")
        return http_util.Respond(request, body, "image/svg+xml", headers=_SVG_HEADERS)

    @wrappers.Request.application
    @_json_errors
    def _serve_diff_view(self, request):
        args = (_side_args(request), _base_args(request), *_view_args(request))
        body = self.diff_view_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_diff_node(self, request):
        name, kind_of = _node_args(request)
        args = (_side_args(request), _base_args(request), name, kind_of)
        body = self.diff_node_impl(*_request_context(request), *args)
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_steps(self, request):
        body = self.steps_impl(*_request_context(request), *_graph_args(request))
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_trace(self, request):
        name = request.args.get("name")
        if name is None:
            raise tb_errors.InvalidArgumentError('query parameter "name" is required')
        direction = request.args.get("direction", "in")
        if direction not in paths.DIRECTIONS:
            raise tb_errors.InvalidArgumentError(
                f'query parameter "direction" must be one of {", ".join(paths.DIRECTIONS)}'
            )
        depth = _int_arg(request, "depth", minimum=0, maximum=paths.MAX_DEPTH)
        open_ = tuple(dict.fromkeys(request.args.getlist("open")))
        expand = _flag(request, "expand") if "expand" in request.args else True
        body = self.trace_impl(
            *_request_context(request),
            *_graph_args(request),
            name,
            direction,
            _TRACE_DEPTH if depth is None else depth,
            open_,
            control=_flag(request, "control"),
            expand=expand,
        )
        return http_util.Respond(request, body, _JSON)

    @wrappers.Request.application
    @_json_errors
    def _serve_static(self, request):
        if not request.path.startswith(_STATIC_ROUTE):
            raise tb_errors.NotFoundError(f"no static file {request.path!r}")
        body, mime = self.static_impl(request.path[len(_STATIC_ROUTE) :])
        return http_util.Respond(request, body, mime)


def _node_args(request) -> tuple[str, str | None]:
    """(name, kind_of) of a node query."""
    name = request.args.get("name")
    if name is None:
        raise tb_errors.InvalidArgumentError('query parameter "name" is required')
    return name, _kind_of_arg(request)


def _kind_of_arg(request) -> str | None:
    """The optional `kind_of` of a node query: which kind of node `name` is."""
    kind_of = request.args.get("kind_of") or None
    if kind_of is not None and kind_of not in _NODE_KINDS:
        raise tb_errors.InvalidArgumentError(
            f'query parameter "kind_of" must be one of {", ".join(sorted(_NODE_KINDS))}'
        )
    return kind_of


def _asked_view(hierarchy: Hierarchy, open_, depth) -> View:
    """The view with these groups open (and that depth), refused when it nests too deep."""
    view = hierarchy.view(open=list(open_), depth=depth)
    nesting = hierarchy.nesting(view)
    if nesting > MAX_NESTING:
        raise InvalidView(
            f"this view opens groups {nesting} deep, more than the {MAX_NESTING} a drawing "
            "can take; close the innermost ones"
        )
    return view


def _graph_title(run, kind, tag, step=None) -> str:
    """A side of a diff, as its title names it: the run, with the tag (or, for a tag of ours
    such as ``__run_graph__``, the kind unless it is a run's plain graph) and the step when
    given."""
    if tag and not tag.startswith("__"):
        title = f"{run} · {tag}"
    elif kind and kind not in (RUN_GRAPH, META_GRAPH, FILE_GRAPH):
        title = f"{run} · {kind}"
    else:
        title = f"{run}"
    return title if step is None else f"{title} @ step {step}"


def _what_to_close(hierarchy: Hierarchy, view: View) -> str:
    """Advice for a view too slow to draw: the open groups that show the most boxes."""
    if not view.open:
        return f"none is open: the top level alone shows {view.boxes} boxes"
    inside = collections.Counter(box.cluster for box in hierarchy.layout(view).boxes)
    inside.pop(None, None)
    largest = ", ".join(f"{_clip(key)!r} shows {n}" for key, n in inside.most_common(3))
    return f"of {view.boxes} boxes, {largest}"


def _clip(name: str, size: int = 80) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"


_MATCHER = """
import json, re, sys
job = json.load(sys.stdin)
pattern = re.compile(job["pattern"])
found = []
for i, name in enumerate(job["names"]):
    if pattern.search(name):
        found.append(i)
        if len(found) >= job["limit"]:
            break
json.dump(found, sys.stdout)
"""


def _match_in_child(pattern: str, names: list[str], limit: int) -> list[int]:
    """The indices of the first `limit` names matching `pattern`, found by a child process
    that is killed after `_REGEX_SECONDS`."""
    job = json.dumps({"pattern": pattern, "names": names, "limit": limit}).encode()
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _MATCHER],
            input=job,
            capture_output=True,
            timeout=_REGEX_SECONDS,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise InvalidQuery(
            f"the regular expression ran past {_REGEX_SECONDS:g} s over this graph's names; "
            "try a simpler one (nested repeats like (a+)+ backtrack without end)"
        ) from None
    except subprocess.CalledProcessError as e:
        error = e.stderr.decode("utf-8", errors="replace").strip().splitlines()[-1:]
        raise InvalidQuery(f"the regular expression failed: {' '.join(error)}") from None
    return json.loads(done.stdout)


class _FutureCache:
    """A thread-safe bounded LRU; one thread computes a missing value while others wait for it.

    At most `maxsize` entries and, with `max_weight`, at most that much `weigh(value)` summed
    over computed values; a value heavier than half of it is handed out but not kept.
    """

    def __init__(
        self,
        maxsize: int,
        max_weight: int | None = None,
        weigh: Callable[[Any], int] | None = None,
    ):
        self._maxsize = maxsize
        self._max_weight = max_weight
        self._weigh = weigh
        self._lock = threading.Lock()
        self._entries: collections.OrderedDict[Hashable, Future] = collections.OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self.weight = 0

    def get(self, key: Hashable, load: Callable[[], Any], replaces: tuple | None = None) -> Any:
        """The value for key, computing it with load() once; `replaces` drops keys it prefixes."""
        with self._lock:
            future = self._entries.get(key)
            owner = future is None
            if owner:
                future = Future()
                if replaces is not None:
                    stale = [k for k in self._entries if k[: len(replaces)] == replaces]
                    for k in stale:
                        self._drop(k)
                self._entries[key] = future
                while len(self._entries) > self._maxsize:
                    self._drop(next(iter(self._entries)))
            else:
                self._entries.move_to_end(key)
        if owner:
            try:
                value = load()
            except BaseException as e:
                # Failures are not cached: the next request tries again.
                with self._lock:
                    if self._entries.get(key) is future:
                        self._drop(key)
                future.set_exception(e)
            else:
                future.set_result(value)
                if self._max_weight is not None and self._weigh is not None:
                    self._weigh_in(key, future, self._weigh(value))
        return future.result()

    def _weigh_in(self, key: Hashable, future: Future, weight: int) -> None:
        with self._lock:
            if self._entries.get(key) is not future:
                return  # evicted while it was computed
            if weight > self._max_weight // 2:
                self._drop(key)
                return
            self._weights[key] = weight
            self.weight += weight
            while self.weight > self._max_weight:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        del self._entries[key]
        self.weight -= self._weights.pop(key, 0)

    def find(self, prefix: tuple) -> Any:
        """A computed value whose key starts with prefix, or None."""
        with self._lock:
            futures = [f for k, f in self._entries.items() if k[: len(prefix)] == prefix]
        for future in futures:
            if future.done() and future.exception() is None:
                return future.result()
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class _TtlCache:
    """Values trusted for `ttl` seconds, so a burst of requests asks the provider once.

    With a `refresh` executor, a value up to `stale` seconds older still answers at once, and
    is looked up again in the background (once at a time per key): the request that comes
    after a pause does not wait on the provider. Older than that, or when its refresh failed
    until then, a value is looked up again by the request that asks for it."""

    def __init__(
        self,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        stale: float = 0.0,
        refresh: ThreadPoolExecutor | None = None,
    ):
        self._ttl = ttl
        self._stale = stale if refresh is not None else 0.0
        self._refresh = refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._refreshing: dict[Hashable, Future] = {}

    def get(self, key: Hashable, load: Callable[[], Any], stale_ok: bool = True) -> Any:
        """The value of `key`, looked up by `load()` unless trusted; `stale_ok=False`: not
        older than `ttl` (a caller that asks to see what changed)."""
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self._ttl:
                return hit[1]
            if stale_ok and hit is not None and now - hit[0] < self._ttl + self._stale:
                if key not in self._refreshing:
                    self._refreshing[key] = self._refresh.submit(self._reload, key, load)
                return hit[1]
        value = load()
        self._store(key, value, now)
        return value

    def _reload(self, key: Hashable, load: Callable[[], Any]) -> None:
        try:
            now = self._clock()
            self._store(key, load(), now)
        except Exception:  # the old value stays; once too old, a request looks it up again
            logger.debug("scopegraph: looking %r up again failed", key, exc_info=True)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def _store(self, key: Hashable, value: Any, at: float) -> None:
        """Keeps `value`, looked up at time `at`, unless a lookup begun later was kept."""
        limit = self._ttl + self._stale
        with self._lock:
            kept = self._entries.get(key)
            self._entries = {k: v for k, v in self._entries.items() if at - v[0] < limit}
            if kept is not None and kept[0] > at:
                self._entries[key] = kept
            else:
                self._entries[key] = (at, value)

    def settle(self, timeout: float | None = None) -> None:
        """Waits until the lookups under way in the background are done."""
        with self._lock:
            refreshing = list(self._refreshing.values())
        futures_wait(refreshing, timeout)

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)
