"""The plugin at its limits, timed: what tests/test_size.py and tests/test_fuzz_routes.py check
without a clock. Printed by ``python3 bench/bench_engine.py --limits``.

In-process, the plugin in TensorBoard's WSGI app over the event multiplexer (tests/harness.py),
the graphs of tests/graphs.py in a temporary logdir:

- hovering an op with an 8 MB string attribute (details clipped), median of 5, once parsed;
- the SVG of a scope path 5,000 levels deep: its default view, and opened to depth 100,000
  when that is another view (the views stop at the nesting bound);
- a layout past its limit (a renderer with a 4 s limit): seconds to its 503, and the slowest
  answer of the other routes asked meanwhile (details, search, another drawing);
- a runaway regular expression (``(a+)+$`` over 40 a's and a ``!``): seconds to its 400 (the
  plugin's own time limit), and the slowest answer of another route asked meanwhile.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _seconds(fn: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _meanwhile(slow: Callable, others: list[Callable]) -> tuple[float, object, float]:
    """Seconds `slow()` took, its answer, and the slowest of `others` asked in turn while it
    ran."""
    done = {}
    thread = threading.Thread(target=lambda: done.update(answer=_seconds(slow)))
    thread.start()
    slowest = 0.0
    while thread.is_alive():
        for other in others:
            slowest = max(slowest, _seconds(other)[0])
    thread.join()
    took, answer = done["answer"]
    return took, answer, slowest


def measure() -> list[tuple[str, str]]:
    """(what, figure) rows."""
    from graphs import (
        const_graph,
        deep_graph,
        ffn_graph,
        graph_from_nodes,
        wide_graph,
        write_run_graph,
    )
    from harness import Api, multiplexer

    from tb_scopegraph.drawing import render

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        write_run_graph(logdir / "const50mb", const_graph())
        write_run_graph(logdir / "deep5000", deep_graph())
        write_run_graph(logdir / "wide", wide_graph())
        write_run_graph(logdir / "catastrophe", graph_from_nodes([("a" * 40 + "!", "Const")]))
        write_run_graph(logdir / "ffn", ffn_graph())
        api = Api(multiplexer(logdir))

        def hover():
            return api.json("node", run="const50mb", name="use")

        hover()  # parsed and cached
        median = statistics.median(_seconds(hover)[0] for _ in range(5))
        rows.append(("hover an op with an 8 MB string attr", f"{median * 1000:.1f} ms"))

        took = _seconds(lambda: api.ok("svg", run="deep5000"))[0]
        rows.append(("SVG of a 5,000-level scope path, default view", f"{took:.2f} s"))
        deepest = api.json("view", run="deep5000", depth="100000")["open"]
        if sorted(deepest) != sorted(api.json("view", run="deep5000")["open"]):
            took = _seconds(lambda: api.ok("svg", run="deep5000", depth="100000"))[0]
            rows.append(("  opened to depth 100,000", f"{took:.2f} s"))

        renderer = render.Renderer(workers=2, timeout=4)
        real = render.render
        render.render = renderer.render  # what the plugin draws with, as tests/test_size does
        try:
            api.json("view", run="wide", depth="1")  # parsed, so only the layout is slow
            took, answer, slowest = _meanwhile(
                lambda: api.get("svg", run="wide", depth="1"),
                [
                    lambda: api.json("node", run="wide", name="w700"),
                    lambda: api.json("search", run="wide", q="w13"),
                    lambda: api.ok("svg", run="ffn"),
                ],
            )
        finally:
            render.render = real
            renderer.close()
        assert answer.status_code == 503, answer.status_code
        rows.append(("a layout past its 4 s limit: its 503", f"{took:.2f} s"))
        rows.append(("  the slowest other answer meanwhile", f"{slowest * 1000:.0f} ms"))

        api.json("hierarchy", run="catastrophe")
        took, answer, slowest = _meanwhile(
            lambda: api.get("search", run="catastrophe", q="(a+)+$", regex="1"),
            [lambda: api.json("hierarchy", run="ffn")],
        )
        assert answer.status_code == 400, answer.status_code
        rows.append(("a runaway regex search: its 400", f"{took:.2f} s"))
        rows.append(("  the slowest other answer meanwhile", f"{slowest * 1000:.0f} ms"))
    return rows


def main() -> int:
    rows = measure()
    width = max(len(what) for what, _ in rows)
    for what, figure in rows:
        print(f"{what:<{width}}  {figure}")
    return 0
