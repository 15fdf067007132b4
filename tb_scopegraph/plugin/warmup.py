"""The server's part of the tab's first view: drawn ahead, carried by the tab's module.

What a first visit to the tab shows is the first graph's default view. Three things serve it:

- `start`: the view drawn in the background as soon as the provider lists a graph, so that
  the click on the tab finds it drawn; started with the plugin, not by TensorBoard asking for
  the tab's metadata, which has no side effects;
- `tab_module`: the tab's module (`bundle.js`) after one statement,
  `const SCOPEGRAPH_INLINE = {...}`, carrying its stylesheet and the `first` answer: two round
  trips fewer to the first drawing, each waiting on a page TensorBoard keeps busy;
- `first`: the listing and the first view in one answer, for a tab whose module came without.

Each of the three gained 47 ms or more on some corpus graph when it was taken away alone
(bench/README.md, "First view"). The module is gzipped as TensorBoard gzips any answer, once
for what it carries (see `tab_module`); its view carries the graph's warnings, which the tab
would otherwise ask for before its first drawing, and the colourings with data for the graph
(`views.colourings`), which it would ask for after.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from tensorboard.util import tb_logging

from tb_scopegraph.errors import LayoutBusy
from tb_scopegraph.plugin.answers import INTERNAL_ERROR, failure
from tb_scopegraph.service.query import ViewQuery
from tb_scopegraph.service.views import DEFAULT_AREA, colourings

if TYPE_CHECKING:
    from tb_scopegraph.plugin.routes import ScopeGraphPlugin

logger = tb_logging.get_logger()

# The `first` route answers the listing without the first graph's view when drawing it takes
# longer than this (a big graph on a cold server): the listing is not held up, and the tab
# asks for the view, which is still being drawn (the renderer lays it out once).
FIRST_VIEW_WAIT_SECONDS = 1.0
# The tab's module carries the listing when it is made within this long: a slow one is not
# waited for (it would hold up a remembered view too).
MODULE_LISTING_WAIT_SECONDS = 0.2
# Until a graph is listed, the provider is asked again after FIRST_LOOK_SECONDS, then twice as
# long each time up to LOOK_SECONDS: the data server reads the logdir after TensorBoard starts,
# and a training may write its graph later still.
FIRST_LOOK_SECONDS = 0.5
LOOK_SECONDS = 10.0
# Once a graph is drawn ahead, the provider is asked on until its listing has stayed the same
# this long: TensorBoard lists the runs as it reads them, and the first graph of the few read
# at first is not always the first of all (seen with the demo logdir: one run, then 16 runs
# 1 s later, another one first).
STEADY_SECONDS = 10.0


def graph_of(listed: dict[str, Any]) -> dict[str, Any]:
    """The run, kind and tag of a graph as the listing gives it."""
    return {key: listed[key] for key in ("run", "kind", "tag")}


def graph_facts(hierarchy) -> dict[str, Any]:
    """What a first view brings about its graph beside the drawing: its `warnings` and its
    `colourings` with data."""
    return {
        "warnings": [w.to_json() for w in hierarchy.warnings],
        "colourings": colourings(hierarchy),
    }


class WarmUp:
    """The first view drawn ahead, and the answers that carry it (see the module docstring)."""

    def __init__(self, plugin: ScopeGraphPlugin):
        # The plugin's own `*_impl` methods make the listing and the drawing.
        self._plugin = plugin
        self._drawings = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scopegraph")
        self._listings = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scopegraph")
        # (graph cache key, SVG text or None, the graph's facts (`graph_facts`)): the last
        # first view drawn ahead, or tried.
        self._drawn_ahead: tuple[tuple, str | None, list] | None = None
        # (module, the same gzipped): the last module served. Gzipping its 200-400 KB took
        # 12-24 ms of every click on the tab (bench/README.md, "the first drawing against the
        # floor"), and it is the same module from one click to the next.
        self._packed: tuple[bytes, bytes] | None = None
        self._packing = threading.Lock()
        self._stop = threading.Event()
        #: The thread that waits for a first graph and draws it ahead (see `start`), or None.
        self.watcher: threading.Thread | None = None

    def start(self) -> None:
        """Draws the first graph's default view ahead as soon as there is one: a thread asks
        the provider (see FIRST_LOOK_SECONDS) until a graph is listed, draws it ahead (`run`),
        looks again until the listing has stayed the same for STEADY_SECONDS, and ends.
        Started with the plugin, so that the first click on the tab finds that view drawn."""
        if self._plugin.service.provider is None or self.watcher is not None:
            return
        self.watcher = threading.Thread(target=self._watch, name="scopegraph-warmup", daemon=True)
        self.watcher.start()

    def stop(self) -> None:
        """Stops waiting for a first graph (a drawing under way finishes)."""
        self._stop.set()

    def _watch(self) -> None:
        wait = FIRST_LOOK_SECONDS
        seen, since = None, None
        while not self._stop.is_set():
            listed = self._look()
            now = time.monotonic()
            if listed is None or listed != seen:
                seen, since = listed, now
            elif now - since >= STEADY_SECONDS:
                return
            self._stop.wait(wait)
            wait = min(2 * wait, LOOK_SECONDS)

    def first(
        self, ctx, experiment: str, wait: float | None = None, query: ViewQuery | None = None
    ) -> dict[str, Any]:
        """The listing (as `graphs`) and the SVG of the first graph's default view (as `svg`)
        drawn for the area `query` names (as `width`, `height`) with its rolling, or the error
        `svg` would answer for it ({"error", "status", "timeout"}); view None when there is no
        graph, or when the drawing takes longer than `wait` seconds (default
        FIRST_VIEW_WAIT_SECONDS; the tab then asks `svg` for it). The view drawn ahead serves
        an area of the same step as DEFAULT_AREA (`views.area`): it is the same drawing."""
        query = query or ViewQuery()
        plugin = self._plugin
        graphs = plugin.graphs_impl(ctx, experiment)
        if not graphs:
            return {"graphs": graphs, "view": None}
        first = graph_of(graphs[0])
        drawing = self._drawings.submit(plugin.image_impl, ctx, experiment, query.of_graph(**first))
        try:
            svg = drawing.result(timeout=FIRST_VIEW_WAIT_SECONDS if wait is None else wait)
        except FutureTimeout:
            return {"graphs": graphs, "view": None}
        except Exception as e:
            code, message, timeout = failure(e)
            if message is INTERNAL_ERROR:
                logger.exception("scopegraph: the first view of %r failed", first)
            view = {**first, "error": message, "status": code, "timeout": timeout}
            if isinstance(e, LayoutBusy):
                view["retry_after"] = e.retry_after  # as the svg route's Retry-After
            return {"graphs": graphs, "view": view}
        hierarchy = plugin.service.hierarchy(ctx, experiment, **first)[1]  # drawn: cached
        return {
            "graphs": graphs,
            "view": {
                **first,
                **query.shown_in._asdict(),
                "svg": svg.decode("utf-8"),
                **graph_facts(hierarchy),
            },
        }

    def tab_module(self, ctx, experiment: str) -> bytes:
        """The tab's module, gzipped (see `module`): the same module as the last one served
        is not compressed again."""
        module = self.module(ctx, experiment)
        with self._packing:
            packed = self._packed
            if packed is not None and packed[0] == module:
                return packed[1]
        # As TensorBoard's http_util.Respond compresses an answer (level 3, no time stamp).
        body = gzip.compress(module, compresslevel=3, mtime=0)
        with self._packing:
            self._packed = (module, body)
        return body

    def module(self, ctx, experiment: str) -> bytes:
        """The tab's module: `bundle.js` (the whole tab, see frontend/index.js) after
        `SCOPEGRAPH_INLINE`: its stylesheet (`style`) and the `first` answer (`first`).

        `first` is null when the listing fails or takes over MODULE_LISTING_WAIT_SECONDS (the
        tab then asks, and a remembered view is not held up); its view is the first graph's
        default view only when it was drawn ahead for that graph as it is now (see `start`).
        Nothing is laid out for the module itself."""
        bundle, _ = self._plugin.static_impl("bundle.js")
        style, _ = self._plugin.static_impl("style.css")
        listing = self._listings.submit(self._inline_first, ctx, experiment)
        try:
            first = listing.result(timeout=MODULE_LISTING_WAIT_SECONDS)
        except Exception:  # the tab asks the `first` route, which says what went wrong
            logger.debug("scopegraph: the tab's module goes without its listing", exc_info=True)
            first = None
        inline = {"style": style.decode("utf-8"), "first": first}
        # JSON is a JavaScript expression (U+2028 and U+2029 included, since ES2019).
        prelude = f"const SCOPEGRAPH_INLINE = {json.dumps(inline)};\n"
        return prelude.encode("utf-8") + bundle

    def _inline_first(self, ctx, experiment: str) -> dict[str, Any]:
        graphs = self._plugin.graphs_impl(ctx, experiment)
        view = None
        drawn = self._drawn_ahead
        if graphs and drawn is not None and drawn[1] is not None:
            first = graph_of(graphs[0])
            # The cache key names the experiment and the stored version of the graph.
            if self._plugin.service.locate(ctx, experiment, **first)[0] == drawn[0]:
                view = {**first, **DEFAULT_AREA._asdict(), "svg": drawn[1], **drawn[2]}
        return {"graphs": graphs, "view": view}

    def run(self) -> bool:
        """Draws the first graph's default view ahead now; False when there is no graph to
        draw yet, or the provider could not list them (not up yet). A graph is drawn ahead
        once, however that went (a layout that ran out of time is not tried again), until a
        new version of it is stored. Only for TensorBoard's own experiment ("")."""
        return self._look() is not None

    def _look(self) -> tuple | None:
        """`run`, which says what it looked at: the graphs listed, or None (False for `run`)."""
        from tensorboard.context import RequestContext

        ctx = RequestContext()
        plugin = self._plugin
        try:
            # Background work, which the module then carries: made from what the provider
            # says now, and it renews the lookups the click on the tab is answered from.
            graphs = plugin.graphs_impl(ctx, "", stale_ok=False)
        except Exception:
            logger.debug("scopegraph: listing the graphs to draw ahead failed", exc_info=True)
            return None
        if not graphs:
            return None  # not loaded yet, perhaps
        try:
            first = graph_of(graphs[0])
            key = plugin.service.locate(ctx, "", **first, stale_ok=False)[0]
            if self._drawn_ahead is None or self._drawn_ahead[0] != key:
                svg, facts = None, {}
                try:
                    svg = plugin.image_impl(ctx, "", ViewQuery(**first)).decode("utf-8")
                    hierarchy = plugin.service.hierarchy(ctx, "", **first)[1]  # drawn: cached
                    facts = graph_facts(hierarchy)
                finally:  # a layout that failed or ran out of time is not tried again
                    self._drawn_ahead = (key, svg, facts)
            # Compressed now, not at the click on the tab.
            self.tab_module(ctx, "")
        except Exception:  # the tab asks again and reports it; nothing to say twice
            logger.debug("scopegraph: drawing the first view ahead failed", exc_info=True)
        return tuple(tuple(graph_of(g).values()) for g in graphs)
