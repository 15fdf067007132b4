"""The layout queue: order of service, its bound, cancelling, and one layout per drawing.

Most tests drive `LayoutQueue` with a stand-in for Graphviz that records what it ran and holds
each run until the test lets it go, and a clock the test sets; the last ones go through a real
`Renderer` and a route made as the plugin's are.
"""

from __future__ import annotations

import random
import socket
import threading
from types import SimpleNamespace

import pytest
from graphs import ffn_graph
from harness import wait_for
from tensorboard.backend import application
from tensorboard.plugins import base_plugin
from werkzeug import serving
from werkzeug.test import Client

from tb_scopegraph.drawing import layouts, render
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.layouts import LayoutQueue
from tb_scopegraph.drawing.render import Preset, Renderer
from tb_scopegraph.errors import LayoutBusy, LayoutCancelled, RenderTimeout
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.plugin import ScopeGraphPlugin
from tb_scopegraph.plugin.answers import CLIENT_HEADER, SVG, route


class Held:
    """A stand-in for the layout workers: records each run, which ends when let go."""

    def __init__(self) -> None:
        self.started: list = []
        self.lock = threading.Lock()
        self.gates: dict = {}

    def gate(self, payload) -> threading.Event:
        with self.lock:
            return self.gates.setdefault(payload, threading.Event())

    def run(self, payload, slot):
        with self.lock:
            self.started.append(payload)
        if not self.gate(payload).wait(30):
            raise AssertionError(f"{payload} was never let go")
        return f"drawn {payload}"

    def let_go(self, payload) -> None:
        self.gate(payload).set()

    def running(self, *payloads) -> bool:
        with self.lock:
            return all(p in self.started for p in payloads)


@pytest.fixture
def held():
    return Held()


def make_queue(held: Held, workers: int = 1, now=None, **kwargs) -> LayoutQueue:
    clock = (lambda: now[0]) if now is not None else None
    return LayoutQueue(held.run, workers, **kwargs, **({"clock": clock} if clock else {}))


def waited(
    queue: LayoutQueue, job, results: list, gone=layouts.never, client=None
) -> threading.Thread:
    """A thread waiting for `job` as `client`, putting its value or error in `results`."""

    def wait() -> None:
        with layouts.asking(client, gone):
            try:
                results.append(queue.wait(job, gone))
            except Exception as error:
                results.append(error)

    thread = threading.Thread(target=wait)
    thread.start()
    return thread


def test_smaller_views_asked_at_once_are_drawn_first(held):
    now = [0.0]
    queue = make_queue(held, now=now)
    try:
        first, _ = queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        sizes = {"big": 800, "tiny": 5, "medium": 200, "small": 40}
        jobs = [queue.submit(name, name, size)[0] for name, size in sizes.items()]
        assert queue.position(jobs[0]) == 3 and queue.position(jobs[1]) == 0
        for name in ("busy", "tiny", "small", "medium", "big"):
            held.let_go(name)
        for job in [first, *jobs]:
            job.future.result(30)
        assert held.started == ["busy", "tiny", "small", "medium", "big"]
        assert queue.stats["runs"] == 5
    finally:
        queue.close()


def test_a_big_view_is_not_passed_by_small_ones_asked_long_after_it(held):
    now = [0.0]
    queue = make_queue(held, now=now, ageing=0.002)
    try:
        queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        big, _ = queue.submit("big", "big", 1000)  # yields to views asked for within 2 s
        now[0] = 1.0
        soon, _ = queue.submit("soon", "soon", 10)
        now[0] = 3.0
        late, _ = queue.submit("late", "late", 10)
        for name in ("busy", "soon", "big", "late"):
            held.let_go(name)
        for job in (soon, big, late):
            job.future.result(30)
        assert held.started == ["busy", "soon", "big", "late"]
    finally:
        queue.close()


def test_one_client_leaves_a_worker_to_the_others(held):
    ready = threading.Event()
    queue = make_queue(held, workers=2, prepare=lambda slot: ready.wait(30))
    try:
        # Everything is queued before either worker takes a job.
        a1, _ = queue.submit("a1", "a1", 0, client="a")
        a2, _ = queue.submit("a2", "a2", 0, client="a")
        b1, _ = queue.submit("b1", "b1", 500, client="b")  # later deadline than a2
        ready.set()
        wait_for(lambda: len(held.started) == 2, "both workers busy")
        assert sorted(held.started) == ["a1", "b1"]
        held.let_go("b1")
        b1.future.result(30)
        # Nobody else waits now: client a may use both workers.
        wait_for(lambda: held.running("a2"), "a's second job on the freed worker")
        held.let_go("a1")
        held.let_go("a2")
        assert a1.future.result(30) == "drawn a1" and a2.future.result(30) == "drawn a2"
    finally:
        queue.close()


def test_a_full_queue_refuses_with_a_time_to_try_again(held):
    queue = make_queue(held, max_queued=2)
    try:
        running, _ = queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        queue.submit("one", "one", 1)
        queue.submit("two", "two", 1)
        with pytest.raises(LayoutBusy, match="2 drawings waiting for 1 layout worker;") as refused:
            queue.submit("three", "three", 1)
        assert refused.value.retry_after >= 1
        assert queue.stats["refused"] == 1
        # Asking again for a drawing already queued adds no work: never refused.
        again, joined = queue.submit("one", "one", 1)
        assert joined and again.waiters == 2
        for name in ("busy", "one", "two"):
            held.let_go(name)
        assert again.future.result(30) == "drawn one"
        assert "three" not in held.started
    finally:
        queue.close()


def test_a_layout_whose_waiter_left_is_never_run(held):
    queue = make_queue(held)
    try:
        busy, _ = queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        left, _ = queue.submit("left", "left", 0)
        gone = threading.Event()
        results: list = []
        thread = waited(queue, left, results, gone.is_set)
        gone.set()  # its client closed the connection
        thread.join(30)
        assert isinstance(results[0], LayoutCancelled)
        after, _ = queue.submit("after", "after", 0)
        held.let_go("busy")
        held.let_go("after")
        assert after.future.result(30) == "drawn after"
        assert held.started == ["busy", "after"]
        assert queue.stats["runs"] == 2 and queue.stats["dropped"] == 1
    finally:
        queue.close()


def test_a_layout_another_waiter_still_wants_is_run(held):
    queue = make_queue(held)
    try:
        queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        job, _ = queue.submit("shared", "shared", 0)
        same, joined = queue.submit("shared", "shared", 0)
        assert joined and same is job
        gone = threading.Event()
        leaving: list = []
        staying: list = []
        first = waited(queue, job, leaving, gone.is_set)
        second = waited(queue, same, staying)
        gone.set()
        first.join(30)
        assert isinstance(leaving[0], LayoutCancelled)
        held.let_go("busy")
        held.let_go("shared")
        second.join(30)
        assert staying == ["drawn shared"] and held.started == ["busy", "shared"]
        assert queue.stats["dropped"] == 0
    finally:
        queue.close()


def test_a_waiter_that_waited_too_long_for_a_worker_is_told_to_come_back(held):
    now = [0.0]
    queue = make_queue(held, now=now, wait_limit=10)
    try:
        queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        job, _ = queue.submit("late", "late", 0)
        results: list = []
        looked: list = []
        thread = waited(queue, job, results, lambda: looked.append(1) and False)
        wait_for(lambda: looked, "the waiter waiting")
        now[0] = 11.0
        thread.join(30)
        assert isinstance(results[0], LayoutBusy)
        assert "waited 10 s for a layout worker" in str(results[0])
        held.let_go("busy")
        assert queue.stats["dropped"] == 1 and held.started == ["busy"]
    finally:
        queue.close()


def test_a_failure_reaches_every_waiter_and_is_not_kept():
    def failing(payload, slot):
        raise RenderTimeout(f"{payload} ran past its time")

    queue = LayoutQueue(failing, 1)
    try:
        job, _ = queue.submit("slow", "slow", 0)
        with pytest.raises(RenderTimeout, match="slow ran past"):
            queue.wait(job)
        again, joined = queue.submit("slow", "slow", 0)
        assert not joined and again is not job
        with pytest.raises(RenderTimeout):
            queue.wait(again)
        assert queue.stats["runs"] == 2
    finally:
        queue.close()


def test_a_client_is_told_where_the_drawings_it_waits_for_stand(held):
    queue = make_queue(held)
    try:
        busy, _ = queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        first, _ = queue.submit("first", "first", 0, client="other")
        mine, _ = queue.submit("mine", "mine", 0, client="tab")
        results: list = []
        threads = [waited(queue, mine, results, client="tab")]
        # Another tab asks for the other client's drawing: it joins that job.
        joined, shared = queue.submit("first", "first", 0, client="tab 2")
        assert shared and joined is first
        threads.append(waited(queue, first, results, client="tab 2"))

        def stands(client):
            return queue.standing(client)["layouts"]

        wait_for(lambda: stands("tab") and stands("tab 2"), "both tabs waiting")
        assert queue.standing("tab") == {
            "layouts": [{"state": "queued", "ahead": 1}],
            "queued": 2,
            "running": 1,
            "workers": 1,
        }
        assert stands("tab 2") == [{"state": "queued", "ahead": 0}]
        assert stands("other") == []  # it asked, but no request of its waits
        held.let_go("busy")
        wait_for(lambda: held.running("first"), "the first job running")
        assert stands("tab") == [{"state": "queued", "ahead": 0}]
        assert stands("tab 2") == [{"state": "running"}]
        held.let_go("first")
        wait_for(lambda: held.running("mine"), "the tab's job running")
        wait_for(lambda: stands("tab") == [{"state": "running"}], "the tab told it runs")
        held.let_go("mine")
        for thread in threads:
            thread.join(30)
        assert sorted(results) == ["drawn first", "drawn mine"]
        assert stands("tab") == [] and stands("tab 2") == []
    finally:
        queue.close()


def test_a_closed_connection_is_seen_and_a_next_request_is_not_mistaken_for_it():
    ours, theirs = socket.socketpair()
    try:
        closed = layouts.connection_closed(ours)
        assert not closed()
        theirs.sendall(b"GET /next HTTP/1.1\r\n")  # a kept-alive connection's next request
        assert not closed()
        assert ours.recv(100).startswith(b"GET /next")  # left where it was
        theirs.close()
        assert closed()
    finally:
        ours.close()


# --- through a real renderer and the plugin ---


def small_dot(scope: str = "layer1") -> str:
    hierarchy = Hierarchy(ffn_graph())
    return to_dot(hierarchy, hierarchy.view(open=[scope]))


def slow_dot(n: int = 300, edges: int = 1500) -> str:
    """A random DAG with labelled edges: its full `dot` layout takes tens of seconds."""
    rng = random.Random(1)
    lines = ["digraph g {"] + [f"n{i};" for i in range(n)]
    for _ in range(edges):
        a, b = sorted(rng.sample(range(n), 2))
        lines.append(f'n{a} -> n{b} [label="[?,128]"];')
    return "\n".join(lines + ["}"])


def test_a_renderer_never_lays_out_what_its_asker_left():
    slow = slow_dot()
    # One worker, held by a layout that runs until its time is up.
    r = Renderer(workers=1, timeout=4, presets=(Preset("full", 1.0, ()),))
    try:
        errors: list = []

        def ask_slow():
            try:
                r.render(slow)
            except RenderTimeout as error:
                errors.append(error)

        holder = threading.Thread(target=ask_slow)
        holder.start()
        wait_for(lambda: r.stats["runs"] == 1, "the slow layout running")
        gone = threading.Event()
        left: list = []

        def ask_and_leave():
            with layouts.asking("a tab", gone.is_set):
                try:
                    r.render(small_dot())
                except LayoutCancelled as error:
                    left.append(error)

        asker = threading.Thread(target=ask_and_leave)
        asker.start()
        wait_for(lambda: r.layouts.queued() == 1, "the small view queued")
        gone.set()
        asker.join(30)
        holder.join(60)
        assert len(left) == 1 and r.stats["dropped"] == 1
        assert r.stats["runs"] == 1  # the small view was never laid out
        # Asked again by someone who stays, it is drawn.
        assert r.render(small_dot(), timeout=60).startswith(b"<?xml")
        assert r.stats["runs"] == 2
    finally:
        r.close()


def test_identical_requests_share_one_layout_through_the_renderer():
    r = Renderer(workers=2, timeout=60)
    try:
        dot = small_dot("layer2")
        answers: list = []
        threads = [threading.Thread(target=lambda: answers.append(r.render(dot))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(answers) == 4 and len(set(answers)) == 1
        assert r.stats["runs"] == 1
        assert r.stats["misses"] == 1 and r.stats["shared"] + r.stats["hits"] == 3
    finally:
        r.close()


class Drawn:
    """A route as the plugin's are made (`answers.route`), drawing with `draw()`."""

    def __init__(self, draw):
        self.draw = draw

    @route(SVG)
    def serve(self, request, ctx, experiment):
        return self.draw()


def test_a_route_answers_a_full_queue_with_503_and_retry_after():
    def full():
        raise LayoutBusy("64 drawings are waiting for the 2 layout workers; try again in 7 s", 7)

    response = Client(Drawn(full).serve).get("/svg")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "7"
    body = response.get_json()
    assert body["busy"] is True and body["retry_after"] == 7
    assert "try again in 7 s" in body["error"] and "timeout" not in body


def test_each_request_asks_as_its_client():
    asked: list = []

    def note():
        asked.append(layouts.current_asker())
        return b"<svg/>"

    client = Client(Drawn(note).serve)
    client.get("/svg", headers={CLIENT_HEADER: "tab-7"})
    client.get("/svg", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert [a.client for a in asked] == ["tab-7", "10.1.2.3"]
    assert layouts.current_asker().client is None  # outside a request: the process itself


def test_a_browser_that_closes_its_connection_drops_its_queued_layout(held):
    queue = make_queue(held)

    def draw():
        asker = layouts.current_asker()
        job, _ = queue.submit("view", "view", 0, asker.client)
        return queue.wait(job, asker.gone)

    # Served as TensorBoard serves the plugin: werkzeug's threaded server, a real socket.
    server = serving.make_server("127.0.0.1", 0, Drawn(draw).serve, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        busy, _ = queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        browser = socket.create_connection(("127.0.0.1", server.server_port))
        browser.sendall(b"GET /svg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait_for(lambda: queue.queued() == 1, "the view queued")
        browser.close()  # as fetch() does when the tab aborts a superseded view
        wait_for(lambda: queue.stats["dropped"] == 1, "the view dropped")
        held.let_go("busy")
        busy.future.result(30)
        queue.close()  # once its dispatcher has nothing left to take
        assert held.started == ["busy"] and queue.stats["runs"] == 1
    finally:
        server.shutdown()
        queue.close()


def test_the_queue_route_answers_where_the_asking_tab_stands(held, monkeypatch):
    queue = make_queue(held)
    monkeypatch.setattr(
        render, "shared_renderer", lambda: SimpleNamespace(layouts=queue, warm=queue.start)
    )
    plugin = ScopeGraphPlugin(base_plugin.TBContext(), prepare_first_view=False)
    app = Client(application.TensorBoardWSGI([plugin]))
    try:
        queue.submit("busy", "busy", 0)
        wait_for(lambda: held.running("busy"), "the worker busy")
        queue.submit("before", "before", 0, client="another tab")
        job, _ = queue.submit("mine", "mine", 0, client="tab-7")
        results: list = []
        thread = waited(queue, job, results, client="tab-7")
        route = "/data/plugin/scopegraph/queue"

        def standing(**headers):
            response = app.get(route, headers=headers)
            assert response.status_code == 200 and response.mimetype == "application/json"
            return response.get_json()

        wait_for(lambda: standing(**{CLIENT_HEADER: "tab-7"})["layouts"], "the tab waiting")
        assert standing(**{CLIENT_HEADER: "tab-7"}) == {
            "layouts": [{"state": "queued", "ahead": 1}],
            "queued": 2,
            "running": 1,
            "workers": 1,
        }
        assert standing()["layouts"] == []  # another client (by address) waits for nothing
        for name in ("busy", "before", "mine"):
            held.let_go(name)
        thread.join(30)
        assert results == ["drawn mine"]
    finally:
        queue.close()


def test_clients_that_left_leave_nothing_behind(held):
    # Each tab names itself: a client whose jobs are done, dropped or refused is forgotten.
    queue = make_queue(held, workers=1)
    try:
        for n in range(20):
            job, _ = queue.submit(f"view {n}", f"view {n}", 0, client=f"tab {n}")
            if n % 2:
                assert queue.leave(job)  # dropped unstarted, or left once running
            held.let_go(f"view {n}")

        def idle() -> bool:
            standing = queue.standing(None)
            return standing["queued"] == standing["running"] == 0

        wait_for(idle, "every job done")
        assert not queue._queued and not queue._running  # noqa: SLF001 - what is kept per client
    finally:
        queue.close()
