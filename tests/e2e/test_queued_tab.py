"""A view that waits for a layout worker: the tab says where it is in line, and drops it when
the user cancels or leaves; a view the server is too busy to queue is asked for again.

These tests start a TensorBoard of their own whose layouts wait while a gate file exists
(layout_gate/sitecustomize.py, in its layout workers), with no drawings kept on disk. Views
asked for by a script hold both workers behind the gate, so that the tab's next view waits in
the queue for as long as the test needs; the server's `queue` route says what waits and runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import urllib.parse
import urllib.request
from functools import partial
from pathlib import Path

import pytest
from tbharness import Tab, poll, tensorboard

GATE_FOLDER = Path(__file__).resolve().with_name("layout_gate")
PREFIX = "/data/plugin/scopegraph"
CLIENT_HEADER = "X-Scopegraph-Client"  # tb_scopegraph.plugin.answers.CLIENT_HEADER
PLACE = "Waiting for a layout: 1st in line"
BUSY = re.compile(r"Server busy: trying again in \d+ s")
RUN = "ffn_scoped"  # the tab's; the script asks for views of the other runs


def _gated_tensorboard(logdir, tmp_path_factory, **env):
    """(url, gate): a TensorBoard over `logdir` whose layouts wait while the file `gate`
    exists, with `env` set besides."""
    gate = tmp_path_factory.mktemp("gate") / "closed"
    path = os.pathsep.join(filter(None, [str(GATE_FOLDER), os.environ.get("PYTHONPATH")]))
    env = {
        "PYTHONPATH": path,
        "SCOPEGRAPH_TEST_LAYOUT_GATE": str(gate),
        "TB_SCOPEGRAPH_CACHE_DIR": "off",  # every view not drawn by this process is laid out
        **env,
    }
    with tensorboard(logdir, env=env) as url:
        yield url, gate


@pytest.fixture(scope="module")
def gated(demo_logdir, tmp_path_factory):
    """(url, gate): a TensorBoard whose layouts wait while the file `gate` exists."""
    yield from _gated_tensorboard(demo_logdir, tmp_path_factory)


@pytest.fixture(scope="module")
def crowded(demo_logdir, tmp_path_factory):
    """(url, gate): as `gated`, with room for one layout waiting: the next is answered 503."""
    yield from _gated_tensorboard(demo_logdir, tmp_path_factory, SCOPEGRAPH_TEST_MAX_QUEUED="1")


def get(url: str, route: str, query: str = "", client: str | None = None) -> bytes:
    headers = {CLIENT_HEADER: client} if client else {}
    request = urllib.request.Request(f"{url}{PREFIX}/{route}?{query}", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def queue(url: str) -> dict:
    """The layout queue's totals, as a client that waits for nothing sees them."""
    return json.loads(get(url, "queue", client="the test"))


class Fillers:
    """Views of the graphs the tab does not show, each with its own DOT (so each takes a
    layout of its own), asked for by a script to hold the layout workers."""

    def __init__(self, url: str, shown_run: str):
        self.url = url
        listing = json.loads(get(url, "graphs"))
        seen, self.queries = set(), []
        for graph in listing:
            if graph["run"] == shown_run:
                continue
            for depth in (0, 1, 2):
                named = {k: graph[k] for k in ("run", "kind", "tag") if graph.get(k)}
                query = urllib.parse.urlencode({**named, "depth": depth})
                digest = hashlib.sha256(get(url, "dot", query)).digest()
                if digest not in seen:
                    seen.add(digest)
                    self.queries.append(query)
        self.threads: list[threading.Thread] = []
        self.errors: list[str] = []

    def hold_workers(self) -> None:
        """Asks for views, each as a client of its own, until both layout workers are held at
        the gate (a view drawn before, e.g. the first graph's default view drawn ahead, is
        answered at once and holds nothing)."""
        while queue(self.url)["running"] < 2:
            before = queue(self.url)["running"]
            query = self.queries.pop(0)
            client = f"script {len(self.threads)}"
            thread = threading.Thread(target=self._ask, args=(query, client), daemon=True)
            thread.start()
            self.threads.append(thread)
            poll_until(partial(self._held_or_drawn, thread, before), "the view held or drawn")

    def fill_queue(self) -> None:
        """With both workers held, asks for one more view, to wait in line."""
        thread = threading.Thread(
            target=self._ask, args=(self.queries.pop(0), "script queued"), daemon=True
        )
        thread.start()
        self.threads.append(thread)
        poll_until(lambda: queue(self.url)["queued"] == 1, "a script's view waiting in line")

    def _held_or_drawn(self, thread: threading.Thread, running_before: int) -> bool:
        return not thread.is_alive() or queue(self.url)["running"] > running_before

    def _ask(self, query: str, client: str) -> None:
        try:
            get(self.url, "svg", query, client)
        except OSError as error:
            self.errors.append(f"{query}: {error}")

    def drawn(self) -> None:
        for thread in self.threads:
            thread.join(60)
            assert not thread.is_alive(), "a script's view was never drawn"
        assert not self.errors, self.errors


def poll_until(predicate, what: str, timeout: float = 30) -> None:
    """Waits (outside a browser) until `predicate()` is true."""
    done = threading.Event()
    for _ in range(int(timeout / 0.1)):
        if predicate():
            return
        done.wait(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def chip_text(tab: Tab) -> str:
    return tab.frame.evaluate(
        "() => { const c = document.querySelector('.sg-loading');"
        " return c && !c.hidden ? c.textContent : ''; }"
    )


def open_closed(tab: Tab) -> None:
    """Opens the tab on the scoped net with every group closed (drawn with the gate open)."""
    tab.open(RUN)
    tab.close_all()


def test_a_queued_view_says_where_it_waits_until_it_is_drawn(browser, gated):
    url, gate = gated
    tab = Tab(browser, url)
    try:
        open_closed(tab)
        fillers = Fillers(url, RUN)
        gate.touch()
        try:
            fillers.hold_workers()
            tab.box("scope", "layer2").click()
            poll(tab.page, lambda: PLACE in chip_text(tab), "the chip saying the view's place")
            assert tab.frame.locator(".sg-loading .sg-queued").count() == 1
            assert queue(url)["queued"] == 1
        finally:
            gate.unlink()
        # Once it is drawn, the view is shown and the chip is gone.
        tab.frame.wait_for_selector(".sg-app[data-state='ready'] svg.sg-graph", timeout=60_000)
        assert tab.frame_of("scope", "layer2").count() == 1
        assert chip_text(tab) == ""
        fillers.drawn()
        assert not tab.unexpected_problems(), tab.unexpected_problems()
    finally:
        tab.close()


def test_a_view_the_user_cancels_or_leaves_is_dropped_before_it_is_laid_out(browser, gated):
    url, gate = gated
    tab = Tab(browser, url)
    try:
        open_closed(tab)
        fillers = Fillers(url, RUN)
        gate.touch()
        try:
            fillers.hold_workers()
            # Cancelled with the chip's button: the tab aborts its request.
            tab.box("scope", "layer3").click()
            poll(tab.page, lambda: PLACE in chip_text(tab), "the view waiting in line")
            tab.frame.click(".sg-loading [data-action='cancel-render']")
            poll_until(lambda: queue(url)["queued"] == 0, "the cancelled view dropped")
            # Asked for again, then the tab closed: its connections close with it.
            tab.box("scope", "layer3").click()
            poll(tab.page, lambda: PLACE in chip_text(tab), "the view waiting in line again")
            problems = tab.unexpected_problems()
            tab.page.close()
            poll_until(lambda: queue(url)["queued"] == 0, "the left view dropped")
            assert queue(url)["running"] == 2  # the script's views still run
        finally:
            gate.unlink()
        fillers.drawn()
        assert not problems, problems
    finally:
        tab.close()


def busy_card(tab: Tab) -> str:
    """The title of the card saying the server was busy, if it is on screen."""
    return tab.frame.evaluate(
        "() => { const t = document.querySelector('.sg-message-busy .sg-message-title');"
        " return t && t.offsetParent !== null ? t.textContent : ''; }"
    )


def test_a_view_the_server_is_too_busy_for_is_asked_for_again_by_itself(browser, crowded):
    url, gate = crowded
    tab = Tab(browser, url)
    tab.allow_console_error(r"503 .*/svg\?")  # the busy answers, on purpose
    try:
        open_closed(tab)
        fillers = Fillers(url, RUN)
        gate.touch()
        try:
            fillers.hold_workers()
            fillers.fill_queue()
            # The queue is full: the server answers 503 with Retry-After, and the tab counts
            # down to asking again, with a Cancel.
            tab.box("scope", "layer2").click()
            poll(tab.page, lambda: BUSY.match(busy_card(tab)), "the card saying the server is busy")
            # Cancelled: back to the drawing, and nothing is asked for again.
            tab.frame.click(".sg-message-busy [data-action='cancel-retry']")
            tab.frame.wait_for_selector(".sg-app[data-state='ready'] svg.sg-graph")
            assert busy_card(tab) == ""
            assert tab.frame_of("scope", "layer2").count() == 0
            tab.box("scope", "layer2").click()
            poll(tab.page, lambda: BUSY.match(busy_card(tab)), "the server busy again")
        finally:
            gate.unlink()
        # The layouts run; once the seconds are up the tab asks again and draws the view.
        tab.frame_of("scope", "layer2").wait_for(state="attached", timeout=60_000)
        tab.wait_ready()
        assert busy_card(tab) == ""
        fillers.drawn()
        assert not tab.unexpected_problems(), tab.unexpected_problems()
    finally:
        tab.close()
