"""Server-side figures for every corpus graph: parse, hierarchy, DOT, layout, SVG, memory.

For each graph of ``bench/corpus`` (built by ``make_corpus.py``):

- parse: bare ``GraphDef.FromString`` against ``Hierarchy`` built from the same bytes (parse +
  hierarchy, target <= 3x), and against the plugin's way with a stored run graph (``FromString``
  to check it, then the same read and tree);
- the default view and every "one step" from it (open one closed group visible in the default
  view, the largest first, capped) plus revealing a deep op: boxes, edges, DOT time, layout+SVG
  time (uncached), SVG bytes, which layout preset finished;
- a step whose drawing was cached before (target <= 50 ms);
- memory of a cached Hierarchy, measured in a fresh subprocess (RSS delta and tracemalloc).

A step's time is ``Hierarchy.view`` + ``to_dot`` + ``render``: everything the server does for
one click but HTTP. Times are medians of ``--repeat`` runs; a case slower than ``--case-limit``
is not repeated. Prints a table and writes ``bench/results_engine.json``.

    python3 bench/bench_engine.py [--only NAME ...] [--big] [--steps 10] [--repeat 3]
    python3 bench/bench_engine.py --limits   # the plugin at its limits (bench/limits.py)

Says which GraphDef reader it measures, and refuses the slow fallback (the C reader not built
in this checkout) unless ``--allow-slow-reader``. Graphs missing from the corpus are built
first (``make_corpus.py --only``); the million-op graph is taken when named or with ``--big``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import (
    CORPUS,
    GRAPHS,
    HERE,
    add_graph_options,
    add_reader_option,
    chosen,
    missing_graphs,
    require_fast_reader,
    write_results,
)

ROOT = HERE.parent
RESULTS = HERE / "results_engine.json"
sys.path.insert(0, str(ROOT))

#: Targets from issue 7.
STEP_TARGET_S = 1.0
CACHED_TARGET_S = 0.05
PARSE_RATIO_TARGET = 3.0
#: Issue 22: the peak while reading a graph, over its bytes, in times the GraphDef's size.
PEAK_READ_TARGET_X = 2.0
MEMORY_TARGET_MB = 150.0


class CaseTimeout(Exception):
    """A case of the harness ran past its own limit (beyond the renderer's timeout)."""


def _alarm(signum, frame):
    raise CaseTimeout


def _guarded(seconds: float, fn: Callable):
    """Run ``fn`` under a wall-clock alarm so that no case can hang the harness."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _timed(fn: Callable) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _median_time(fn: Callable, repeat: int, limit: float) -> tuple[float, list[float], object]:
    """Median seconds of ``fn`` over ``repeat`` runs (one run if the first exceeds ``limit``)."""
    times = []
    value = None
    for _ in range(repeat):
        seconds, value = _timed(fn)
        times.append(seconds)
        if seconds > limit:
            break
    return statistics.median(times), times, value


def _visible_closed(tree: dict, opened: frozenset[str]) -> list[dict]:
    """Groups drawn as closed boxes in the view where ``opened`` are open."""
    found = []

    def walk(node: dict) -> None:
        for child in node["children"]:
            if child["name"] in opened:
                walk(child)
            else:
                found.append(child)

    walk(tree)
    return found


def _pick_steps(closed: list[dict], cap: int) -> list[dict]:
    """The closed groups to open one at a time: the most ops first, then the most children."""
    by_ops = sorted(closed, key=lambda g: (-g["op_count"], -g["child_count"]))
    by_children = sorted(closed, key=lambda g: (-g["child_count"], -g["op_count"]))
    picked: dict[str, dict] = {}
    for a, b in zip(by_ops, by_children, strict=True):
        for group in (a, b):
            if len(picked) < cap:
                picked.setdefault(group["name"], group)
    return list(picked.values())


def _further_steps(tree: dict, opened: frozenset[str], closed: list[dict]):
    """Views one step beyond a one-step view: the two biggest groups open side by side, and
    the biggest group open with the biggest group inside it open too."""
    by_ops = sorted(closed, key=lambda g: -g["op_count"])
    if len(by_ops) >= 2:
        a, b = by_ops[0]["name"], by_ops[1]["name"]
        yield f"open {a} + {b}", opened | {a, b}
    if by_ops:
        outer = by_ops[0]
        inner = sorted(outer["children"], key=lambda g: -g["op_count"])
        if inner:
            yield (
                f"open {outer['name']} then {inner[0]['name']}",
                opened | {outer["name"], inner[0]["name"]},
            )


def _deep_op(graph_def, hierarchy) -> str:
    """An op from the middle of the graph that sits as deep as any: a search hit to reveal."""
    nodes = graph_def.node
    middle = nodes[len(nodes) // 2 : len(nodes) // 2 + 2000]
    return max(middle, key=lambda n: (len(hierarchy.reveal(n.name)), -len(n.name))).name


def _count(dot: str) -> tuple[int, int, int]:
    """(edges drawn, of which control edges, clusters) of a DOT text written by ``to_dot``."""
    edges = control = clusters = 0
    for line in dot.splitlines():
        if '" -> "' in line:
            edges += 1
            control += 'class="control"' in line
        elif line.lstrip().startswith("subgraph "):
            clusters += 1
    return edges, control, clusters


def _render_case(hierarchy, renderer, label: str, open_keys, args) -> dict:
    """Time one view end to end: view, DOT, layout + SVG (uncached)."""
    from tb_scopegraph.drawing.dot import to_dot
    from tb_scopegraph.errors import ScopeGraphError

    row: dict = {"view": label}
    try:
        view_s, view = _timed(
            lambda: hierarchy.default_view() if open_keys is None else hierarchy.view(open_keys)
        )
    except ScopeGraphError as error:
        row.update(status=f"refused: {type(error).__name__}", error=str(error)[:200])
        return row
    dot_s, _, dot = _median_time(lambda: to_dot(hierarchy, view), args.repeat, args.case_limit)
    edges, control_edges, clusters = _count(dot)
    layout = getattr(hierarchy, "layout", None)
    row.update(
        boxes=view.boxes,
        open=len(view.open),
        edges=edges,
        control_edges=control_edges,
        view_edges=len(layout(view).edges) if layout else None,
        clusters=clusters,
        view_s=view_s,
        dot_s=dot_s,
        dot_bytes=len(dot),
    )
    before = dict(getattr(renderer, "stats", {}))

    def draw():
        return renderer.render(dot, "svg", timeout=args.timeout)

    try:
        layout_s, times, svg = _guarded(
            args.timeout * args.repeat + 30,
            lambda: _median_time(draw, args.repeat, args.case_limit),
        )
    except CaseTimeout:
        row.update(status="harness limit")
        return row
    except ScopeGraphError as error:
        row.update(status=f"failed: {type(error).__name__}", error=str(error)[:200])
        return row
    after = getattr(renderer, "stats", {})
    row.update(
        layout_s=layout_s,
        layout_runs=times,
        svg_bytes=len(svg),
        svg_nodes=svg.count(b'<g id="') and svg.count(b'class="node'),
        fallbacks=after.get("fallbacks", 0) - before.get("fallbacks", 0),
        step_s=view_s + dot_s + layout_s,
        status="ok",
    )
    if row["step_s"] > STEP_TARGET_S and args.per_preset:
        row["presets"] = _per_preset(dot, args.preset_timeout)
        row["dot_file"] = _keep_dot(dot, args.graph_name, label)
    return row


def _per_preset(dot: str, timeout: float) -> dict:
    """Each layout preset alone, once, with the whole budget: which one is slow, and how."""
    from dataclasses import replace

    from tb_scopegraph.drawing.render import PRESETS, Renderer
    from tb_scopegraph.errors import ScopeGraphError

    out = {}
    for preset in PRESETS:
        renderer = Renderer(workers=1, cache_bytes=0, presets=(replace(preset, share=1.0),))
        try:
            renderer.render("digraph { a -> b }", "svg")
            seconds, _ = _guarded(
                timeout + 30,
                lambda r=renderer: _timed(lambda: r.render(dot, "svg", timeout=timeout)),
            )
            out[preset.name] = round(seconds, 3)
        except (ScopeGraphError, CaseTimeout) as error:
            out[preset.name] = f"{type(error).__name__} ({timeout:.0f} s)"
        finally:
            renderer.close()
    return out


def _keep_dot(dot: str, graph: str, label: str) -> str:
    """Save a slow view's DOT under bench/corpus/slow/ so it can be laid out by hand."""
    folder = CORPUS / "slow"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:80]
    path = folder / f"{graph}-{safe}.dot"
    path.write_text(dot)
    return str(path.relative_to(ROOT))


def _cached_step(hierarchy, view, timeout: float) -> float:
    """Seconds for view + DOT + a render whose drawing is in the renderer's cache."""
    from tb_scopegraph.drawing.dot import to_dot
    from tb_scopegraph.drawing.render import Renderer

    renderer = Renderer(workers=1, timeout=timeout)
    try:
        renderer.render(to_dot(hierarchy, view), "svg", timeout=timeout)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            again = hierarchy.view(view.open)
            renderer.render(to_dot(hierarchy, again), "svg", timeout=timeout)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        renderer.close()


def _parse_times(data: bytes, repeat: int):
    """Medians of bare ``FromString``, of ``Hierarchy`` from the same bytes (parse +
    hierarchy), and of the plugin's way with a stored run graph (``FromString`` to check it,
    then the same read and tree), interleaved: wall clock seconds, and the process's CPU
    seconds (one thread's work; on a shared machine the CPU time leaves out the time other
    processes had the core).

    Each run starts with the previous result freed and collected, so no timing pays for
    freeing the last one (a 100k-op proto's arena is ~90 MB; freeing it is not parsing).
    """
    from tensorboard.compat.proto import graph_pb2

    from tb_scopegraph.model.hierarchy import Hierarchy
    from tb_scopegraph.reading.run_graph import read_run_graph

    runs = {
        "bare": lambda: graph_pb2.GraphDef.FromString(data),
        "built": lambda: Hierarchy(data),
        "plugin": lambda: Hierarchy(read_run_graph(data).drawable),
    }
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeat):
        for key, run in runs.items():
            gc.collect()
            start_cpu = time.process_time()
            seconds, result = _timed(run)
            del result
            cpu[key].append(time.process_time() - start_cpu)
            wall[key].append(seconds)
    median = statistics.median
    times = {f"{k}_s": median(v) for k, v in wall.items()}
    times.update({f"{k}_cpu_s": median(v) for k, v in cpu.items()})
    return times, graph_pb2.GraphDef.FromString(data), Hierarchy(data)


def bench_graph(name: str, args) -> dict:
    from tb_scopegraph.drawing.render import Renderer
    from tb_scopegraph.errors import ScopeGraphError

    args.graph_name = name
    data = (CORPUS / f"{name}.pb").read_bytes()
    result: dict = {"graph": name, "bytes": len(data)}
    times, graph_def, hierarchy = _parse_times(data, max(args.repeat, 5))
    bare, built, plugin = times["bare_s"], times["built_s"], times["plugin_s"]
    bare_cpu, built_cpu = times["bare_cpu_s"], times["built_cpu_s"]
    result.update(
        ops=hierarchy.op_count,
        fromstring_s=bare,
        parse_hierarchy_s=built,
        parse_ratio=built / bare,
        fromstring_cpu_s=bare_cpu,
        parse_hierarchy_cpu_s=built_cpu,
        parse_ratio_cpu=built_cpu / bare_cpu,
        plugin_read_s=plugin,
        plugin_ratio=plugin / bare,
        plugin_ratio_cpu=times["plugin_cpu_s"] / bare_cpu,
    )
    print(
        f"[{name}] {hierarchy.op_count:,} ops, FromString {bare:.4f}s, Hierarchy from the "
        f"bytes {built:.4f}s ({built / bare:.1f}x; CPU {built_cpu / bare_cpu:.1f}x), as the "
        f"plugin reads a run graph {plugin:.4f}s ({plugin / bare:.1f}x)",
        flush=True,
    )
    tree = hierarchy.tree()
    default = hierarchy.default_view()
    renderer = Renderer(workers=1, cache_bytes=0, timeout=args.timeout)
    try:
        renderer.render("digraph { a -> b }", "svg")  # start the worker outside the timings
        cases = [_render_case(hierarchy, renderer, "default", None, args)]
        closed = _visible_closed(tree, default.open)
        result["closed_in_default"] = len(closed)
        for group in _pick_steps(closed, args.steps):
            label = f"open {group['name']} ({group['kind']}, {group['child_count']} children)"
            cases.append(
                _render_case(hierarchy, renderer, label, default.open | {group["name"]}, args)
            )
        for label, keys in _further_steps(tree, default.open, closed):
            cases.append(_render_case(hierarchy, renderer, label, keys, args))
        try:
            op = _deep_op(graph_def, hierarchy)
            keys = default.open | hierarchy.reveal(op)
            cases.append(_render_case(hierarchy, renderer, f"reveal {op}", keys, args))
        except ScopeGraphError as error:
            cases.append({"view": "reveal", "status": f"refused: {error}"})
        for case in cases:
            _print_case(case)
    finally:
        renderer.close()
    result["views"] = cases
    try:
        result["cached_step_s"] = _cached_step(hierarchy, default, args.timeout)
    except ScopeGraphError as error:
        result["cached_step_s"] = None
        result["cached_error"] = str(error)[:200]
    steps = [c["step_s"] for c in cases if c.get("status") == "ok"]
    result["slowest_step_s"] = max(steps) if steps else None
    return result


def _print_case(case: dict) -> None:
    if case.get("status") != "ok":
        print(f"    {case['view'][:60]:<60} {case.get('status')}", flush=True)
        return
    print(
        f"    {case['view'][:60]:<60} {case['boxes']:>4} boxes {case['edges']:>4} edges "
        f"({case['control_edges']:>2} ctl, {case['view_edges']:>4} in view)  "
        f"dot {case['dot_s']:.3f}s  layout {case['layout_s']:.3f}s  "
        f"{case['svg_bytes'] / 1024:>6.0f} KB"
        f"{'  fallback x' + str(case['fallbacks']) if case['fallbacks'] else ''}"
        f"{'' if case['svg_nodes'] == case['boxes'] else '  SVG has ' + str(case['svg_nodes'])}",
        flush=True,
    )
    if "presets" in case:
        alone = ", ".join(f"{k} {v}" for k, v in case["presets"].items())
        print(f"        each preset alone: {alone}", flush=True)


def _rss_kb(field: str = "VmRSS") -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def memory_child(path: str, mode: str) -> dict:
    """In a fresh process: what one cached Hierarchy of ``path`` costs, read as the plugin
    reads a stored run graph (run by `memory`), and the peak while reading it over the RSS
    with its bytes read (``peak_read_mb``; ``peak_read_x``: times the GraphDef's size)."""
    import tracemalloc

    from tensorboard.compat.proto import graph_pb2

    from tb_scopegraph.drawing.dot import to_dot
    from tb_scopegraph.model._nodescan import reader
    from tb_scopegraph.model.hierarchy import Hierarchy, release_memory
    from tb_scopegraph.reading.run_graph import read_run_graph

    gc.collect()
    if mode == "tracemalloc":
        tracemalloc.start()
    base = _rss_kb()
    data = Path(path).read_bytes()
    size = len(data)
    with_bytes = _rss_kb()
    hierarchy = Hierarchy(read_run_graph(data).drawable)
    # The process's own peak (the bytes read and everything imported came before): VmHWM,
    # not getrusage's ru_maxrss, which Linux carries over exec from the parent that forked
    # this process (the benchmark, holding a million-op graph or two).
    peak_kb = _rss_kb("VmHWM") - with_bytes
    del data
    gc.collect()
    release_memory()  # as the plugin does once a graph is built
    out = {
        "mode": mode,
        "reader": reader(),
        "graphdef_mb": size / 2**20,
        "peak_read_mb": peak_kb / 1024,
        "peak_read_x": peak_kb * 1024 / size,
        "built_mb": (_rss_kb() - base) / 1024,
    }
    if mode == "tracemalloc":
        out["traced_read_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    if mode == "tracemalloc":
        out["traced_built_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
    # What a served graph also fills in: default view, tree, a search, some details.
    view = hierarchy.default_view()
    to_dot(hierarchy, view)
    hierarchy.tree()
    for hit in hierarchy.search("a", limit=50):
        hierarchy.details(hit["name"])
    gc.collect()
    out["used_mb"] = (_rss_kb() - base) / 1024
    if mode == "tracemalloc":
        current, peak = tracemalloc.get_traced_memory()
        out.update(traced_used_mb=current / 2**20, traced_peak_mb=peak / 2**20)
    # For scale: the same bytes parsed by protobuf (what the plugin no longer does).
    before = _rss_kb()
    graph_def = graph_pb2.GraphDef.FromString(Path(path).read_bytes())
    out["proto_only_mb"] = (_rss_kb() - before) / 1024 - size / 2**20
    del graph_def
    return out


def memory(name: str) -> dict:
    """Run `memory_child` in fresh interpreters: once for RSS, once under tracemalloc."""
    out: dict = {"graph": name}
    for mode in ("rss", "tracemalloc"):
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(CORPUS / f"{name}.pb"), mode],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode:
            out[mode] = {"error": proc.stderr[-500:]}
        else:
            out[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    rss = out["rss"]
    if "peak_read_x" in rss:
        print(
            f"[memory] {name}: reader {rss['reader']}; peak while reading +"
            f"{rss['peak_read_mb']:.0f} MB over its bytes ({rss['peak_read_x']:.1f}x the "
            f"GraphDef's {rss['graphdef_mb']:.0f} MB; target <= {PEAK_READ_TARGET_X:g}x); "
            f"built {rss['built_mb']:.0f} MB, used {rss['used_mb']:.0f} MB",
            flush=True,
        )
    return out


def _table(results: list[dict], memories: list[dict]) -> str:
    lines = [
        f"{'graph':<24}{'ops':>10}{'parse x':>9}{'cpu x':>7}{'plugin x':>10}{'default':>9}"
        f"{'boxes':>7}"
        f"{'slowest step':>14}{'steps>1s':>10}{'cached':>9}{'RSS MB':>9}",
    ]
    mem = {m["graph"]: m for m in memories}
    for r in results:
        ok = [c for c in r["views"] if c.get("status") == "ok"]
        default = r["views"][0]
        slow = sum(1 for c in ok if c["step_s"] > STEP_TARGET_S)
        bad = sum(1 for c in r["views"] if c.get("status") != "ok")
        rss = mem.get(r["graph"], {}).get("rss", {}).get("used_mb")
        lines.append(
            f"{r['graph']:<24}{r['ops']:>10,}{r['parse_ratio']:>8.1f}x{r['parse_ratio_cpu']:>6.1f}x"
            f"{r['plugin_ratio']:>9.1f}x"
            f"{default.get('step_s', float('nan')):>8.3f}s{default.get('boxes', 0):>7}"
            f"{r['slowest_step_s'] or float('nan'):>13.3f}s{f'{slow}/{len(ok)}':>10}"
            f"{(r['cached_step_s'] or float('nan')) * 1000:>7.1f}ms"
            f"{'' if rss is None else f'{rss:.0f}':>9}" + (f"  ({bad} not drawn)" if bad else "")
        )
    lines.append(
        f"targets: parse <= {PARSE_RATIO_TARGET:.0f}x, step <= {STEP_TARGET_S:.0f} s, cached <= "
        f"{CACHED_TARGET_S * 1000:.0f} ms, 100k graph <= {MEMORY_TARGET_MB:.0f} MB"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_graph_options(parser, GRAPHS)
    add_reader_option(parser)
    parser.add_argument("--steps", type=int, default=10, help="one-step views per graph")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--timeout", type=float, default=20.0, help="render() budget, seconds")
    parser.add_argument(
        "--case-limit", type=float, default=5.0, help="do not repeat a case slower than this"
    )
    parser.add_argument(
        "--no-per-preset",
        dest="per_preset",
        action="store_false",
        help="do not time each layout preset alone on views slower than the target",
    )
    parser.add_argument(
        "--preset-timeout", type=float, default=10.0, help="budget for each preset alone"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument(
        "--limits", action="store_true", help="time the plugin at its limits instead (limits.py)"
    )
    parser.add_argument("--memory-child", nargs=2, metavar=("PB", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(*args.memory_child)))
        return 0
    if args.limits:
        import limits

        return limits.main()
    if not require_fast_reader(args.allow_slow_reader):
        return 2
    names = chosen(args)
    if missing_graphs(names):
        return 2
    load_before = os.getloadavg()
    results = [bench_graph(name, args) for name in names]
    memories = []
    if not args.no_memory:
        for name in names:
            memories.append(memory(name))
            print(f"[memory] {json.dumps(memories[-1])}", flush=True)
    print()
    print(_table(results, memories))
    python = {"python": platform.python_version()}
    write_results(RESULTS, args, load_before, results, python, memory=memories)
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
