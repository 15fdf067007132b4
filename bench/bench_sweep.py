"""Sweep figures: a logdir of 2,000 runs, 1,000 with a small graph, served by a real TensorBoard.

Writes (or reuses, when its manifest says it is complete) ``bench/corpus/sweep/logs``: a
hyperparameter sweep over ``lr``, ``width``, ``depth`` and ``seed``, one run per point, named
``lr=0.001,width=64,depth=3,seed=7``. Runs with an even seed hold a graph (an MLP of ``depth``
dense layers of ``width`` units: 26-54 ops, written as TensorFlow's run graph) and scalars;
the others scalars only. Records are written with TensorBoard's own record writer and protos,
without TensorFlow (about 20 s).

Then for each ``--load_fast`` setting starts ``tensorboard`` on 127.0.0.1, waits until it has
read the logdir (``/data/runs`` lists every run, its Graphs plugin every graph run, its scalars
plugin every run), and measures, asking our plugin nothing before:

- ``graphs``: our listing route, its first call and the median of the next 10;
- ``tab.js``: the tab's module, which carries the listing (gzipped, as a browser asks for it);
- ``svg``: one graph's default view (first: read, parsed, laid out; then the median of 5 more
  calls), then 20 other runs' each;
- the resident memory of the TensorBoard process, of its data server (``--load_fast=true``)
  and of our layout workers before our plugin is asked, after the listing, after the drawings;
- how many graphs the listing says are parsed (``op_count`` not null) after each step;
- TensorBoard's CPU use over 10 s at rest, once it has read the logdir.

With ``--browser N`` also opens ``/#scopegraph`` in a fresh Chromium N times and times, from
the navigation, until the tab's run picker lists the graph runs and its first drawing is on
screen. Prints a table per setting and writes ``--out`` (JSON).

    python3 bench/bench_sweep.py [--force] [--load-fast false true] [--browser 3]
        [--wait 600] [--out bench/results_sweep.json]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from bench_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, tensorboard, tensorboard_command
from common import CORPUS, HERE, write_results

SWEEP = CORPUS / "sweep"
LOGS = SWEEP / "logs"
MANIFEST = SWEEP / "manifest.json"
RESULTS = HERE / "results_sweep.json"

# The sweep's grid: 5 x 4 x 5 x 20 = 2,000 runs; even seeds (half) write a graph.
GRID = {
    "lr": ("0.0001", "0.0003", "0.001", "0.003", "0.01"),
    "width": (32, 64, 128, 256),
    "depth": (2, 3, 4, 5, 6),
    "seed": tuple(range(20)),
}
SCALAR_STEPS = 50
# Bumped when what is written changes, so an old logdir is written again.
LAYOUT_VERSION = 2
DRAWN = 20
LISTING_REPEAT = 10


# --- the logdir ---


def sweep_points() -> list[dict]:
    """Every point of the grid, as the run's hyperparameters."""
    keys = list(GRID)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*GRID.values())]


def run_name(point: dict) -> str:
    return ",".join(f"{key}={value}" for key, value in point.items())


def has_graph(point: dict) -> bool:
    return point["seed"] % 2 == 0


def _node(graph, name: str, op: str, inputs=(), **attrs):
    from tensorboard.compat.proto import attr_value_pb2

    node = graph.node.add(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        if isinstance(value, str):
            node.attr[key].CopyFrom(attr_value_pb2.AttrValue(type=value_type(value)))
        else:
            shape = node.attr[key].shape
            for size in value:
                shape.dim.add(size=size)
    return node


def value_type(name: str) -> int:
    from tensorboard.compat.proto import types_pb2

    return {"float": types_pb2.DT_FLOAT, "int": types_pb2.DT_INT32, "res": types_pb2.DT_RESOURCE}[
        name
    ]


def mlp_graph(width: int, depth: int):
    """A GraphDef of a small classifier: ``depth`` dense layers of ``width`` units, a logits
    layer, a loss. 7 ops per layer (variables, reads, MatMul, BiasAdd, Relu), 26-54 in all."""
    from tensorboard.compat.proto import graph_pb2

    graph = graph_pb2.GraphDef()
    _node(graph, "x", "Placeholder", dtype="float", shape=(-1, 784))
    previous, fan_in = "x", 784
    layers = [(f"dense_{i}", width, True) for i in range(depth)] + [("logits", 10, False)]
    for scope, units, relu in layers:
        _node(graph, f"{scope}/kernel", "VarHandleOp", dtype="float", shape=(fan_in, units))
        _node(graph, f"{scope}/bias", "VarHandleOp", dtype="float", shape=(units,))
        read_k = _node(graph, f"{scope}/MatMul/ReadVariableOp", "ReadVariableOp")
        read_k.input.append(f"{scope}/kernel")
        read_b = _node(graph, f"{scope}/BiasAdd/ReadVariableOp", "ReadVariableOp")
        read_b.input.append(f"{scope}/bias")
        _node(graph, f"{scope}/MatMul", "MatMul", (previous, read_k.name), T="float")
        _node(graph, f"{scope}/BiasAdd", "BiasAdd", (f"{scope}/MatMul", read_b.name), T="float")
        previous, fan_in = f"{scope}/BiasAdd", units
        if relu:
            _node(graph, f"{scope}/Relu", "Relu", (previous,), T="float")
            previous = f"{scope}/Relu"
    _node(graph, "labels", "Placeholder", dtype="int", shape=(-1,))
    xent = "loss/SparseSoftmaxCrossEntropyWithLogits"
    _node(graph, xent, "SparseSoftmaxCrossEntropyWithLogits", (previous, "labels"), T="float")
    _node(graph, "loss/Const", "Const", dtype="int")
    _node(graph, "loss/Mean", "Mean", (xent, "loss/Const"), T="float")
    _node(graph, "Identity", "Identity", ("loss/Mean",), T="float")
    return graph


def write_run(path: Path, point: dict) -> None:
    """One run's event file: its graph (even seeds) and two scalars over SCALAR_STEPS steps,
    as a TF1 writer stores them (``simple_value``), which both loaders read as scalars.

    TensorBoard's RecordWriter on a plain file: its EventFileWriter opens files through
    ``tf.io.gfile``, which imports TensorFlow when it is installed (15 s more here)."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    start = 1_800_000_000.0 + point["seed"]
    path.mkdir(parents=True, exist_ok=True)
    with open(path / f"events.out.tfevents.{int(start)}.sweep", "wb") as file:
        writer = RecordWriter(file)
        writer.write(
            event_pb2.Event(wall_time=start, file_version="brain.Event:2").SerializeToString()
        )
        if has_graph(point):
            graph = mlp_graph(point["width"], point["depth"]).SerializeToString()
            writer.write(
                event_pb2.Event(wall_time=start, step=0, graph_def=graph).SerializeToString()
            )
        lr = float(point["lr"])
        for step in range(SCALAR_STEPS):
            loss = 2.3 / (1 + lr * 1000 * step / point["depth"]) + 0.01 * point["seed"]
            values = [
                summary_pb2.Summary.Value(tag="loss", simple_value=loss),
                summary_pb2.Summary.Value(tag="accuracy", simple_value=1 - loss / 2.5),
            ]
            event = event_pb2.Event(
                wall_time=start + step, step=step, summary=summary_pb2.Summary(value=values)
            )
            writer.write(event.SerializeToString())


def make_logdir(force: bool = False) -> tuple[Path, float | None]:
    """The sweep's logdir, written unless its manifest says it is complete as this version
    writes it; and the seconds writing it took (None when reused)."""
    points = sweep_points()
    wanted = {"version": LAYOUT_VERSION, "runs": len(points), "steps": SCALAR_STEPS}
    if not force and MANIFEST.is_file():
        try:
            if json.loads(MANIFEST.read_text()) == wanted:
                return LOGS, None
        except ValueError:
            pass
    began = time.perf_counter()
    if SWEEP.exists():
        shutil.rmtree(SWEEP)
    LOGS.mkdir(parents=True)
    for point in points:
        write_run(LOGS / run_name(point), point)
    # Last: a logdir cut short by an interruption has no manifest, and is written again.
    MANIFEST.write_text(json.dumps(wanted) + "\n")
    return LOGS, time.perf_counter() - began


# --- the server ---


def _get(url: str, *, gzipped: bool = False) -> tuple[float, bytes]:
    """(seconds, body) of one GET; the body unpacked when it came gzipped."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzipped else {})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
        packed = response.headers.get("Content-Encoding") == "gzip"
    seconds = time.perf_counter() - began
    return seconds, (gzip.decompress(body) if packed else body)


def _json(url: str):
    try:
        return json.loads(_get(url)[1])
    except (OSError, ValueError):
        return None


def wait_read(url: str, runs: int, graph_runs: int, limit: float) -> dict:
    """Waits until TensorBoard has read the logdir: seconds until each of its listings holds
    every run; RuntimeError past `limit` seconds."""
    began = time.perf_counter()
    seen: dict[str, float] = {}
    checks = {
        "runs": (f"{url}/data/runs", runs),
        "graphs_info": (f"{url}/data/plugin/graphs/info", graph_runs),
        "scalar_tags": (f"{url}/data/plugin/scalars/tags", runs),
    }
    while len(seen) < len(checks):
        for name, (route, want) in checks.items():
            if name not in seen:
                listed = _json(route)
                if listed is not None and len(listed) >= want:
                    seen[name] = time.perf_counter() - began
        if time.perf_counter() - began > limit:
            missing = sorted(set(checks) - set(seen))
            raise RuntimeError(f"TensorBoard had not read the logdir after {limit:g} s: {missing}")
        time.sleep(0.5)
    return seen


def tensorboard_process(port_url: str) -> psutil.Process:
    """The TensorBoard this bench started: its child that listens on the URL's port."""
    port = int(port_url.rsplit(":", 1)[1])
    for child in psutil.Process().children():
        try:
            if any(c.laddr.port == port for c in child.net_connections(kind="tcp")):
                return child
        except psutil.Error:
            continue
    raise RuntimeError(f"no child process listens on port {port}")


def memory(process: psutil.Process) -> dict:
    """Resident MB of TensorBoard, of its data server (``--load_fast=true``) and of our
    plugin's layout workers (its other children)."""
    out = {"tensorboard_mb": process.memory_info().rss / 2**20, "data_server_mb": 0.0}
    out["layout_workers_mb"] = 0.0
    for child in process.children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            rss = child.memory_info().rss / 2**20
        except psutil.Error:
            continue
        which = "data_server_mb" if "tensorboard_data_server" in command else "layout_workers_mb"
        out[which] += rss
    return out


def cpu_at_rest(process: psutil.Process, seconds: float = 10.0) -> float:
    """TensorBoard's CPU use (its children's included), in % of one core, over `seconds`."""

    def used() -> float:
        total = 0.0
        for p in [process, *process.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total

    before = used()
    time.sleep(seconds)
    return 100 * (used() - before) / seconds


def parsed_count(listing: list[dict]) -> int:
    return sum(1 for g in listing if g["op_count"] is not None)


def measure_server(url: str, process: psutil.Process, graph_runs: list[str]) -> dict:
    """Our routes' times, TensorBoard's memory and what the listing says was parsed."""
    plugin = f"{url}/data/plugin/scopegraph"
    out: dict = {"cpu_at_rest_pct": cpu_at_rest(process), "memory": {}}
    out["memory"]["before"] = memory(process)

    first, body = _get(f"{plugin}/graphs")
    listing = json.loads(body)
    later = [_get(f"{plugin}/graphs")[0] for _ in range(LISTING_REPEAT)]
    out["graphs"] = {
        "first_s": first,
        "median_s": statistics.median(later),
        "max_s": max(later),
        "listed": len(listing),
        "bytes": len(body),
        "parsed": parsed_count(listing),
    }
    out["memory"]["after_listing"] = memory(process)

    module_first, module = _get(f"{plugin}/tab.js", gzipped=True)
    module_later = [_get(f"{plugin}/tab.js", gzipped=True)[0] for _ in range(5)]
    inline = json.loads(module.split(b"\n", 1)[0].split(b"=", 1)[1].rstrip(b";"))
    first_inline = inline.get("first") or {}
    out["tab_js"] = {
        "first_s": module_first,
        "median_s": statistics.median(module_later),
        "bytes": len(module),
        "listing_inlined": first_inline.get("graphs") is not None,
        "listed": len(first_inline.get("graphs") or []),
    }

    # Runs spread over the listing; the first listed is left to TensorBoard's page, which
    # has it drawn ahead.
    stride = max(1, len(graph_runs) // (DRAWN + 1))
    picked = graph_runs[stride::stride][: DRAWN + 1]
    quote = urllib.request.quote
    times = [_get(f"{plugin}/svg?run={quote(run, safe='')}")[0] for run in picked]
    again = [_get(f"{plugin}/svg?run={quote(picked[0], safe='')}")[0] for _ in range(5)]
    out["svg"] = {
        "run": picked[0],
        "first_s": times[0],
        "again_s": statistics.median(again),
        "others_median_s": statistics.median(times[1:]),
        "others_max_s": max(times[1:]),
        "drawn": len(picked),
    }
    out["memory"]["after_drawing"] = memory(process)
    listing = json.loads(_get(f"{plugin}/graphs")[1])
    out["svg"]["parsed_after"] = parsed_count(listing)
    return out


# --- the browser ---

# In the tab's iframe: when the tab first runs, its run picker first lists `want` runs and a
# drawing is first on screen, in ms from the navigation; true once the last two are seen.
_FILLED_AND_DRAWN = """(want) => {
  const seen = (window.__sweep = window.__sweep || {});
  for (const frame of document.getElementsByTagName('iframe')) {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { continue; }
    if (!doc || !doc.querySelector('.sg-app')) continue;
    if (!seen.frame) seen.frame = performance.now();
    const picker = doc.querySelector('#sg-run');
    if (!seen.picker && picker && picker.options.length >= want) seen.picker = performance.now();
    if (!seen.drawn && doc.querySelector('svg g.node')) seen.drawn = performance.now();
    if (picker) seen.options = picker.options.length;
  }
  return !!(seen.picker && seen.drawn);
}"""


# Where the time went: TensorBoard's and our requests (page and iframe), in ms from the
# navigation, as [path, start, end].
_REQUESTS = """() => {
  const rows = [];
  const add = (win) => {
    const shift = win.performance.timeOrigin - performance.timeOrigin;
    for (const e of win.performance.getEntriesByType('resource')) {
      const path = new URL(e.name).pathname;
      if (!path.startsWith('/data/')) continue;
      rows.push([path, Math.round(e.startTime + shift), Math.round(e.responseEnd + shift)]);
    }
  };
  add(window);
  for (const frame of document.getElementsByTagName('iframe')) {
    try { add(frame.contentWindow); } catch (e) { /* another origin */ }
  }
  return rows.sort((a, b) => a[1] - b[1]);
}"""


def measure_browser(url: str, graph_runs: int, repeat: int, limit: float) -> list[dict]:
    """Fresh Chromium `repeat` times on /#scopegraph: ms until the picker and the drawing."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        for _ in range(repeat):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = None
            try:
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(f"{url}/#scopegraph", wait_until="commit")
                page.wait_for_function(
                    _FILLED_AND_DRAWN, arg=graph_runs, timeout=limit * 1000, polling="raf"
                )
                seen = page.evaluate("() => window.__sweep")
                seen["requests"] = page.evaluate(_REQUESTS)
                result = {f"{k}_s": seen[k] / 1000 for k in ("frame", "picker", "drawn")}
                # From when TensorBoard's page, loaded, asks for its tabs: the tab's own part.
                tabs = [r[1] for r in seen["requests"] if r[0] == "/data/plugins_listing"]
                if tabs:
                    result["tabs_listed_s"] = tabs[0] / 1000
                    for k in ("picker", "drawn"):
                        result[f"{k}_after_tabs_s"] = (seen[k] - tabs[0]) / 1000
                results.append({**result, **seen})
            except Exception as error:  # a failed run is a figure too
                failed = {"error": f"{type(error).__name__}: {str(error)[:200]}"}
                try:  # what was seen before it failed
                    failed.update(page.evaluate("() => window.__sweep || {}") if page else {})
                except Exception:
                    pass
                results.append(failed)
            finally:
                browser.close()
    return results


# --- the whole ---


def bench_setting(load_fast: str, args, graph_runs: list[str], runs: int) -> dict:
    command = [*tensorboard_command(), f"--load_fast={load_fast}"]
    began = time.perf_counter()
    with tensorboard(LOGS, args.wait, command, log_name=f"sweep-load_fast-{load_fast}") as url:
        out: dict = {"load_fast": load_fast}
        out["read_s"] = wait_read(url, runs, len(graph_runs), args.wait)
        out["read_s"]["since_start"] = time.perf_counter() - began
        process = tensorboard_process(url)
        out.update(measure_server(url, process, graph_runs))
        if args.browser:
            out["browser"] = measure_browser(url, len(graph_runs), args.browser, args.limit)
            out["memory"]["after_browser"] = memory(process)
    return out


def _ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def _mb(figures: dict) -> str:
    """TensorBoard's MB, + its data server's when it has one; [our layout workers']."""
    server = figures["data_server_mb"]
    text = f"{figures['tensorboard_mb']:.0f}" + (f" + {server:.0f}" if server else "")
    return f"{text} [{figures['layout_workers_mb']:.0f}] MB"


def _pair(first, then) -> str:
    return f"{_ms(first)} / {_ms(then)}"


def _browser_cell(result: dict, key: str) -> str:
    """The first run's seconds (a cold tab), then the median of the others."""
    done = [b[key] for b in result.get("browser", []) if key in b and "error" not in b]
    if len(done) > 1:
        return f"{done[0]:.2f} s, then {statistics.median(done[1:]):.2f} s"
    return f"{done[0]:.2f} s" if done else "-"


#: The table's rows: a label and what each setting's figures show in it.
ROWS = (
    ("read the logdir (all listed)", lambda r: f"{r['read_s']['since_start']:.1f} s"),
    ("CPU at rest, % of a core", lambda r: f"{r['cpu_at_rest_pct']:.0f}%"),
    (
        "graphs: first / median of 10",
        lambda r: _pair(r["graphs"]["first_s"], r["graphs"]["median_s"]),
    ),
    ("graphs: listed, bytes", lambda r: f"{r['graphs']['listed']}, {r['graphs']['bytes']:,}"),
    (
        "tab.js: first / median of 5",
        lambda r: _pair(r["tab_js"]["first_s"], r["tab_js"]["median_s"]),
    ),
    ("tab.js: listing inlined", lambda r: str(r["tab_js"]["listing_inlined"])),
    ("svg: one graph / again (med 5)", lambda r: _pair(r["svg"]["first_s"], r["svg"]["again_s"])),
    (
        "svg: 20 others, median / max",
        lambda r: _pair(r["svg"]["others_median_s"], r["svg"]["others_max_s"]),
    ),
    ("op_count known after listing", lambda r: str(r["graphs"]["parsed"])),
    ("op_count known after 21 drawn", lambda r: str(r["svg"]["parsed_after"])),
    ("RSS before our plugin is asked", lambda r: _mb(r["memory"]["before"])),
    ("RSS after the listing", lambda r: _mb(r["memory"]["after_listing"])),
    ("RSS after 21 drawn", lambda r: _mb(r["memory"]["after_drawing"])),
)
BROWSER_ROWS = (
    ("browser: TB asks for its tabs", lambda r: _browser_cell(r, "tabs_listed_s")),
    ("browser: picker filled", lambda r: _browser_cell(r, "picker_s")),
    ("browser: first drawing", lambda r: _browser_cell(r, "drawn_s")),
    ("  picker, after TB's tabs", lambda r: _browser_cell(r, "picker_after_tabs_s")),
    ("  drawing, after TB's tabs", lambda r: _browser_cell(r, "drawn_after_tabs_s")),
    ("RSS after the browser runs", lambda r: _mb(r["memory"]["after_browser"])),
)


def table(results: list[dict]) -> str:
    rows = ROWS + (BROWSER_ROWS if all("browser" in r for r in results) else ())
    head = f"{'':<32}" + "".join(f"{'load_fast=' + r['load_fast']:>30}" for r in results)
    lines = [head]
    lines += [f"{label:<32}" + "".join(f"{cell(r):>30}" for r in results) for label, cell in rows]
    lines.append(
        "RSS: TensorBoard + its data server [our layout workers]; op_count known: graphs the "
        "listing says are parsed (those still in its cache)"
    )
    if rows is not ROWS:
        lines.append(
            "browser: seconds from the navigation to /#scopegraph (fresh Chromium; the first "
            "run, then the median of the others); after TB's tabs: from its /data/plugins_listing"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="write the logdir again")
    parser.add_argument(
        "--load-fast", nargs="+", choices=("false", "true"), default=["false", "true"]
    )
    parser.add_argument(
        "--browser", type=int, default=0, help="times to open the tab in Chromium (0: none)"
    )
    parser.add_argument("--wait", type=float, default=600.0, help="seconds to read the logdir")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per browser run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the figures")
    args = parser.parse_args(argv)

    logdir, wrote = make_logdir(args.force)
    points = sweep_points()
    graph_runs = sorted(run_name(p) for p in points if has_graph(p))
    size = sum(f.stat().st_size for f in logdir.rglob("*") if f.is_file())
    said = "reused" if wrote is None else f"written in {wrote:.1f} s"
    what = f"{len(points)} runs, {len(graph_runs)} with a graph, {size / 2**20:.1f} MB"
    print(f"{logdir}: {what}, {said}")
    load_before = os.getloadavg()
    results = []
    for load_fast in args.load_fast:
        print(f"--load_fast={load_fast} ...", flush=True)
        results.append(bench_setting(load_fast, args, graph_runs, len(points)))
    print()
    print(table(results))
    logdir_info = {
        "runs": len(points),
        "graph_runs": len(graph_runs),
        "bytes": size,
        "wrote_s": wrote,
    }
    write_results(args.out, args, load_before, results, {"chromium": CHROMIUM}, logdir=logdir_info)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
