"""Rendering: SVG and PNG through Graphviz workers, the cache, the time limit and the fallback."""

from __future__ import annotations

import os
import random
import threading
import xml.etree.ElementTree as ET

import pytest
from graphs import ffn_graph
from harness import wait_for

from tb_scopegraph.drawing import render as render_module
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.render import BIG_VIEW_EDGES, PRESETS, Preset, Renderer
from tb_scopegraph.errors import RenderError, RenderTimeout
from tb_scopegraph.model.hierarchy import Hierarchy


def dense_dag(n: int = 300, edges: int = 1500, seed: int = 1) -> str:
    """A random DAG with labelled edges: minutes for a full `dot` layout, about a second
    with the cheapest settings (measured on this machine: 40 s and 1.3 s)."""
    rng = random.Random(seed)
    lines = ["digraph g {"] + [f"n{i};" for i in range(n)]
    for _ in range(edges):
        a, b = sorted(rng.sample(range(n), 2))
        lines.append(f'n{a} -> n{b} [label="[?,128]"];')
    return "\n".join(lines + ["}"])


@pytest.fixture
def renderer():
    r = Renderer(workers=2, timeout=20)
    yield r
    r.close()


def small_dot() -> str:
    h = Hierarchy(ffn_graph())
    return to_dot(h, h.view(open=["layer1"]))


def test_svg_and_png_of_a_view(renderer):
    svg = renderer.render(small_dot(), "svg")
    root = ET.fromstring(svg)
    ids = {el.get("id") for el in root.iter()}
    assert "op-layer1.2FMatMul" in ids and "cluster-scope-layer1" in ids
    png = renderer.render(small_dot(), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_second_render_comes_from_the_cache(renderer):
    dot = small_dot()
    first = renderer.render(dot)
    assert renderer.stats["misses"] == 1 and renderer.stats["hits"] == 0
    assert renderer.render(dot) == first
    assert renderer.stats["hits"] == 1


def test_one_drawing_asked_for_at_once_is_laid_out_once(renderer):
    dot = dense_dag(120, 300, seed=5)  # a layout long enough to ask for it twice meanwhile
    answers: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: answers.append(renderer.render(dot))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 3 and answers[0] == answers[1] == answers[2]
    assert renderer.stats["misses"] == 1
    assert renderer.stats["shared"] + renderer.stats["hits"] == 2


def test_a_failed_drawing_fails_everyone_waiting_for_it():
    r = Renderer(workers=1, timeout=0.5, presets=PRESETS[-1:])
    try:
        dot = dense_dag()
        errors: list[BaseException] = []

        def ask():
            try:
                r.render(dot)
            except RenderTimeout as e:
                errors.append(e)

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(errors) == 2
        assert r.stats["misses"] + r.stats["shared"] == 2 and r.stats["timeouts"] >= 1
        # Nothing is left waiting: asked again, it is laid out again.
        with pytest.raises(RenderTimeout):
            r.render(dot)
        assert r.stats["misses"] >= 2
    finally:
        r.close()


def test_cache_is_bounded_and_evicts_oldest(renderer):
    size = len(renderer.render(small_dot()))
    bound = int(size * 4.5)  # room for four drawings
    r = Renderer(workers=1, cache_bytes=bound)
    try:
        dots = [small_dot().replace("scopegraph {", f"scopegraph{i} {{") for i in range(6)]
        for dot in dots:
            r.render(dot)
        assert r.drawings.cache.currsize <= bound and len(r.drawings) == 4
        r.render(dots[-1])
        assert r.stats["hits"] == 1
        r.render(dots[0])
        assert r.stats["misses"] == 7  # the first one was evicted
    finally:
        r.close()


def test_bad_dot_and_bad_format_are_clear_errors(renderer):
    with pytest.raises(RenderError, match="could not draw"):
        renderer.render("digraph { a -> }")
    with pytest.raises(RenderError, match="unknown format"):
        renderer.render(small_dot(), "gif")
    assert renderer.render(small_dot()).startswith(b"<?xml")


def test_layout_past_its_time_is_stopped_and_the_renderer_recovers():
    slow_only = (Preset("full", 1.0, ()),)
    r = Renderer(workers=1, timeout=1.5, presets=slow_only)
    try:
        with pytest.raises(RenderTimeout, match="close some scopes"):
            r.render(dense_dag())
        assert r.stats["timeouts"] == 1
        # A fresh worker took over. Its time limit is the test's, not the short one above: a
        # worker started on a busy machine may take longer than that to come up.
        assert r.render(small_dot(), timeout=60).startswith(b"<?xml")
    finally:
        r.close()


def test_too_slow_layout_falls_back_to_a_cheaper_preset(monkeypatch):
    monkeypatch.setattr(render_module, "BIG_VIEW_EDGES", 10**9)  # start with the full preset
    # The full layout takes about 40 s: it cannot finish in its 4 s. The draft takes about a
    # second (several on a loaded machine) and has 36.
    full = Preset("full", 0.1, PRESETS[0].graph_attrs)
    presets = (full, Preset("draft", 0.9, PRESETS[-1].graph_attrs, cheap_edges=True))
    r = Renderer(workers=1, timeout=40, presets=presets)
    try:
        svg = r.render(dense_dag())
        assert r.stats["fallbacks"] == 1 and r.stats["timeouts"] == 0
        root = ET.fromstring(svg)
        assert sum(1 for el in root.iter() if el.get("class") == "node") == 300
    finally:
        r.close()


def test_a_stuck_layout_does_not_block_other_requests():
    r = Renderer(workers=2, timeout=6, presets=(Preset("full", 1.0, ()),))
    try:
        errors = []

        def slow():
            try:
                r.render(dense_dag(seed=2))
            except RenderTimeout as error:
                errors.append(error)

        thread = threading.Thread(target=slow)
        thread.start()
        svg = r.render(small_dot())
        assert thread.is_alive()  # the quick view was drawn while the slow one still ran
        thread.join()
        assert svg.startswith(b"<?xml") and len(errors) == 1
    finally:
        r.close()


def test_a_big_view_starts_with_the_cheaper_preset():
    dot = dense_dag()
    assert dot.count(" -> ") > BIG_VIEW_EDGES
    # A generous budget (the draft layout takes about a second; a loaded machine, several): if
    # the full preset were tried first, it would not finish in its share and fall back.
    presets = (PRESETS[0], Preset("draft", 0.7, PRESETS[-1].graph_attrs, cheap_edges=True))
    r = Renderer(workers=1, timeout=60, presets=presets)
    try:
        r.render(dot)
        assert r.stats["fallbacks"] == 0 and r.stats["timeouts"] == 0
    finally:
        r.close()


def test_warm_starts_every_worker_in_the_background():
    r = Renderer(workers=2, timeout=20)
    try:
        r.warm()
        r.warm()  # once is enough

        def started():
            workers = r.workers()
            return all(w is not None and w.jobs == 1 for w in workers)

        wait_for(started, "both workers started", timeout=20)
        workers = r.workers()
        assert len(workers) == 2
        assert all(w is not None and w.alive() and w.jobs == 1 for w in workers)
        assert set(r.stats.values()) == {0}  # warming is not a request
    finally:
        r.close()


def test_workers_run_below_the_server_in_priority():
    r = Renderer(workers=1, timeout=20)
    try:
        r.warm()
        worker = wait_for(
            lambda: (w := r.workers()[0]) is not None and w.jobs == 1 and w,
            "the worker started and drew once",
            timeout=20,
        )
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.proc.pid) > min(18, ours)
    finally:
        r.close()
