"""Load: many clients at once against a real TensorBoard serving the Scope Graph plugin.

    python3 bench/bench_load.py [--seconds 60] [--clients 50] [--logdir DIR] [--load-fast]

Starts TensorBoard on 127.0.0.1 and a free port over DIR (default: bench/corpus/logs when
make_corpus.py has written it, else a logdir of generated graphs), learns each graph's views
(the default view, depth 0 and 1, the default view with one more group open, searches, node
details), then lets the clients ask for them at random for the given time: SVG, DOT, node
details and search, over HTTP with a kept-alive connection each.

Every answer is checked: an SVG parses and holds exactly the boxes of the view's DOT, a DOT names
the same boxes, details name the node asked for, a search finds the name searched. Prints
requests served, errors, latency percentiles (per kind), and the peak memory (RSS) of the
TensorBoard process and of its layout workers, against the plugin's cache bounds. Exits 1 when
an answer was an error or wrong, or when memory grew past the bound.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import inspect
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS_LOGS = HERE / "corpus" / "logs"
DOT_NODE = re.compile(r'^\s*"([^"]+)" \[id=', re.M)
MIB = 1 << 20
CLIENT_HEADER = "X-Scopegraph-Client"  # tb_scopegraph.plugin.answers.CLIENT_HEADER
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import memory_trace  # noqa: E402
from graphdef_reader import add_reader_option, require_fast_reader  # noqa: E402
from tbprocess import (  # noqa: E402
    PREFIX,
    Memory,
    cpu_seconds,
    get_json,
    rss_bytes,
    settle_cpu,
    start_tensorboard,
    wait_for_graphs,
)

# --- the logdir ----------------------------------------------------------------------------


def generated_logdir(folder: Path) -> Path:
    """Several graphs written as run graphs: scoped models of a few sizes and a flat graph."""
    from tensorboard.compat.proto import event_pb2, graph_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    def model(blocks: int, layers: int) -> graph_pb2.GraphDef:
        graph = graph_pb2.GraphDef()
        graph.node.add(name="input", op="Placeholder")
        previous = "input"
        for b in range(blocks):
            for layer in range(layers):
                scope = f"model/block{b}/layer{layer}"
                for var in ("kernel", "bias"):
                    graph.node.add(name=f"{scope}/{var}", op="VarHandleOp")
                    graph.node.add(
                        name=f"{scope}/{var}/read", op="ReadVariableOp", input=[f"{scope}/{var}"]
                    )
                graph.node.add(
                    name=f"{scope}/MatMul", op="MatMul", input=[previous, f"{scope}/kernel/read"]
                )
                graph.node.add(
                    name=f"{scope}/BiasAdd",
                    op="BiasAdd",
                    input=[f"{scope}/MatMul", f"{scope}/bias/read"],
                )
                graph.node.add(name=f"{scope}/Relu", op="Relu", input=[f"{scope}/BiasAdd"])
                previous = f"{scope}/Relu"
        graph.node.add(name="loss", op="Mean", input=[previous])
        return graph

    def flat(n: int) -> graph_pb2.GraphDef:
        rng = random.Random(0)
        graph = graph_pb2.GraphDef()
        graph.node.add(name="x", op="Placeholder")
        for i in range(1, n):
            graph.node.add(
                name=f"add_{i}",
                op="AddV2",
                input=["x" if i == 1 else f"add_{max(1, i - rng.randint(1, 20))}"],
            )
        return graph

    graphs = {
        "small": model(4, 6),
        "medium": model(12, 16),
        "large": model(40, 30),
        "flat": flat(20_000),
    }
    for name, graph in graphs.items():
        writer = EventFileWriter(str(folder / name))
        writer.add_event(
            event_pb2.Event(wall_time=1.0, step=0, graph_def=graph.SerializeToString())
        )
        writer.close()
    return folder


# --- what the clients ask ------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """One request and what a right answer holds."""

    kind: str  # svg | dot | node | search
    graph: str
    path: str
    expect: tuple  # svg/dot: the view's box ids; node: (name,); search: (a name it must find,)
    size: int = 0  # svg/dot: boxes and edges in the view's DOT (what its layout costs)
    dot_bytes: int = 0  # svg/dot: the length of the view's DOT text (what the DOT cache holds)


def query(graph: dict, pairs: list[tuple[str, str]]) -> str:
    """The query naming `graph` (a listing's entry: run, kind, tag) and `pairs`: a run may hold
    several graphs (a PyTorch run: its graph and its tagged run metadata)."""
    named = [(k, graph[k]) for k in ("run", "kind", "tag") if graph.get(k)]
    return urllib.parse.urlencode([*named, *pairs])


def learn(url: str, graphs: list[dict], per_graph: int, timeout_views: list) -> list[Ask]:
    """Each graph's views, searches and details, with the answers to expect (read once now)."""
    asks: list[Ask] = []
    rng = random.Random(1)
    for g in graphs:
        run = (
            g["run"]
            if [h["run"] for h in graphs].count(g["run"]) == 1
            else f"{g['run']} {g['kind']}"
        )
        tree = get_json(f"{url}{PREFIX}/hierarchy?{query(g, [])}")
        default = get_json(f"{url}{PREFIX}/view?{query(g, [])}")
        views: list[list[tuple[str, str]]] = [[], [("depth", "0")], [("depth", "1")]]
        groups, stack = {}, [tree]
        while stack:
            node = stack.pop()
            for child in node["children"]:
                groups[child["name"]] = child
                stack.append(child)
        visible = [
            name
            for name, group in groups.items()
            if name not in default["open"]
            and (name.rpartition("/")[0] in default["open"] or "/" not in name)
        ]
        visible.sort(key=lambda name: -groups[name]["op_count"])
        opened = [("open", key) for key in default["open"]]
        for name in visible[:per_graph]:
            views.append(opened + [("open", name)])
        pairs_of = zip(visible[: per_graph // 2], visible[1 : per_graph // 2 + 1], strict=False)
        for first, second in pairs_of:
            views.append(opened + [("open", first), ("open", second)])  # two groups side by side
        for pairs in views:
            q = query(g, pairs)
            try:
                text = urllib.request.urlopen(f"{url}{PREFIX}/dot?{q}", timeout=120).read().decode()
            except urllib.error.HTTPError as e:
                timeout_views.append((run, pairs, e.code, e.read()[:200]))
                continue
            ids = tuple(sorted(DOT_NODE.findall(text)))
            size, length = text.count('" [id="'), len(text.encode())
            asks.append(Ask("svg", run, f"{PREFIX}/svg?{q}", ids, size, length))
            asks.append(Ask("dot", run, f"{PREFIX}/dot?{q}", ids, size, length))
        names = [n for n in groups if groups[n]["kind"] == "scope"]
        if names:
            # A scope's details name its identical blocks: the graph's structural signatures,
            # made once per parsed graph. Made now, they count with the parsed graph.
            get_json(f"{url}{PREFIX}/node?{query(g, [('name', names[0]), ('kind_of', 'scope')])}")
        for name in rng.sample(names, min(len(names), per_graph)):
            asks.append(
                Ask(
                    "node",
                    run,
                    f"{PREFIX}/node?{query(g, [('name', name), ('kind_of', 'scope')])}",
                    (name,),
                )
            )
            # Groups come before ops in search results: the scope's own name finds it first.
            asks.append(Ask("search", run, f"{PREFIX}/search?{query(g, [('q', name)])}", (name,)))
        found = get_json(f"{url}{PREFIX}/search?{query(g, [('q', '/'), ('limit', '1000')])}")
        ops = [f["name"] for f in found if f["kind"] == "op"]
        for name in rng.sample(ops, min(len(ops), per_graph)):
            asks.append(Ask("node", run, f"{PREFIX}/node?{query(g, [('name', name)])}", (name,)))
            pattern = f"^{re.escape(name)}$"
            asks.append(
                Ask(
                    "search",
                    run,
                    f"{PREFIX}/search?{query(g, [('q', pattern), ('regex', '1')])}",
                    (name,),
                )
            )
    return asks


def check(ask: Ask, status: int, body: bytes) -> str | None:
    """Why an answer is wrong, or None."""
    if status != 200:
        try:
            return f"{status}: {json.loads(body)['error'][:200]}"
        except (ValueError, KeyError, TypeError):
            return f"{status}: not a JSON error: {body[:100]!r}"
    if ask.kind == "svg":
        root = ET.fromstring(body)
        if not root.tag.endswith("svg"):
            return "not an SVG"
        boxes = (g for g in root.iter("{http://www.w3.org/2000/svg}g"))
        ids = tuple(sorted(g.get("id") for g in boxes if "node" in g.get("class", "").split()))
        return None if ids == ask.expect else f"SVG boxes differ ({len(ids)} vs {len(ask.expect)})"
    if ask.kind == "dot":
        ids = tuple(sorted(DOT_NODE.findall(body.decode())))
        return None if ids == ask.expect else "DOT boxes differ"
    answer = json.loads(body)
    if ask.kind == "node":
        return None if answer["name"] == ask.expect[0] else f"details of {answer['name']!r}"
    names = [f["name"] for f in answer]
    return None if ask.expect[0] in names else f"search did not find {ask.expect[0]!r}"


# --- the clients ---------------------------------------------------------------------------


def client_process(args: tuple) -> dict:
    """`threads` clients until `deadline` (time.time()); their latencies and errors."""
    host, port, asks, threads, deadline, seed = args
    results = {
        "latency": {},
        "errors": [],
        "served": 0,
        "svg_bytes": {},
        "largest": 0,
        "svg_times": [],
    }
    lock = threading.Lock()
    # Each distinct answer (path and body) is checked once: parsing every SVG answer again
    # (tens of ms of CPU each) made the clients take a large share of the 2 cores they share
    # with the server they measure.
    verdicts: dict[tuple[str, int, bytes], str | None] = {}

    def checked(ask: Ask, status: int, body: bytes) -> str | None:
        if not status:
            return f"no answer: {body.decode()}"
        key = (ask.path, status, hashlib.sha1(body).digest())
        if key not in verdicts:
            try:
                verdicts[key] = check(ask, status, body)
            except Exception as e:  # noqa: BLE001 - any unreadable answer is a wrong answer
                verdicts[key] = f"unreadable {ask.kind}: {e!r}"
        return verdicts[key]

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        connection = http.client.HTTPConnection(host, port, timeout=120)
        while time.time() < deadline:
            ask = rng.choice(asks)
            started = time.perf_counter()
            try:
                # Each client names itself, as distinct users would be told apart.
                connection.request("GET", ask.path, headers={CLIENT_HEADER: f"{seed}-{n}"})
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=120)
                status, body = 0, repr(e).encode()
            took = time.perf_counter() - started
            wrong = checked(ask, status, body)
            with lock:
                results["served"] += 1
                results["largest"] = max(results["largest"], len(body))
                results["latency"].setdefault(ask.kind, []).append(took)
                if ask.kind == "svg" and not wrong:
                    ended = time.time()
                    results["svg_times"].append((ask.path, ask.size, ended - took, ended))
                if wrong:
                    results["errors"].append(f"{ask.kind} {ask.graph}: {wrong}")
                elif ask.kind == "svg":
                    results["svg_bytes"][ask.path] = len(body)
        connection.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def split_drawings(times: list[tuple[str, int, float, float]]) -> dict[str, list[float]]:
    """SVG answers as "svg seen" (asked for after an answer of that view had come back: drawn
    before) and "svg new" (asked for before: it was laid out, or waited for its layout), the
    new ones also by the size of their view, in thirds ("new S", "new M", "new L")."""
    first: dict[str, float] = {}
    for path, _, _, ended in times:
        first[path] = min(first.get(path, ended), ended)
    split: dict[str, list[float]] = {"svg new": [], "svg seen": []}
    new = []
    for path, size, started, ended in times:
        seen = started >= first[path]
        split["svg seen" if seen else "svg new"].append(ended - started)
        if not seen:
            new.append((size, ended - started))
    new.sort()
    for third, name in enumerate(("new S", "new M", "new L")):
        part = new[len(new) * third // 3 : len(new) * (third + 1) // 3]
        if part:
            split[f"{name} {part[0][0]}-{part[-1][0]}"] = [took for _, took in part]
    return split


def cache_bounds() -> dict[str, int]:
    from tb_scopegraph.drawing import render
    from tb_scopegraph.service import graphs

    return {
        "drawings (SVG/PNG) bytes": inspect.signature(render.Renderer)
        .parameters["cache_bytes"]
        .default,
        "DOT bytes": graphs.DOT_CACHE_BYTES,
        "DOT entries": graphs.DOT_CACHE_SIZE,
        "parsed graphs": graphs.GRAPH_CACHE_SIZE,
        # An older checkout, measured for comparison, keeps graphs by number alone.
        "parsed graphs bytes (estimated)": getattr(graphs, "GRAPH_CACHE_BYTES", 0),
        "layout workers": inspect.signature(render.Renderer).parameters["workers"].default,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5, help="client processes")
    parser.add_argument("--logdir", type=Path, help="default: bench/corpus/logs, else generated")
    parser.add_argument(
        "--views", type=int, default=30, help="views, details and searches per graph"
    )
    parser.add_argument("--load-fast", action="store_true", help="TensorBoard's Rust data server")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--store",
        type=Path,
        help="the drawings' folder on disk (default: a new, empty one, so that views are laid "
        "out under the load, not read from an earlier run's drawings)",
    )
    parser.add_argument(
        "--trace",
        type=int,
        metavar="FRAMES",
        nargs="?",
        const=1,
        help="write what the TensorBoard process holds after learning, after each quarter of "
        "the load and after it (glibc's heap figures, and tracemalloc's growth FRAMES deep; 0: "
        "glibc's alone) to tensorboard-load.trace beside --json, or in the current folder",
    )
    add_reader_option(parser)
    args = parser.parse_args()
    if not require_fast_reader(args.allow_slow_reader):
        return 2
    # Stopped with SIGTERM, still stop TensorBoard (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    scratch = Path(tempfile.mkdtemp(prefix="bench_load_"))
    logdir = args.logdir
    if logdir is None:
        logdir = CORPUS_LOGS if CORPUS_LOGS.is_dir() else generated_logdir(scratch / "logs")
    runs = len([p for p in logdir.iterdir() if p.is_dir()])
    print(f"logdir {logdir} ({runs} runs), {args.clients} clients for {args.seconds:g} s")
    store = args.store or scratch / "drawings"
    trace = None
    if args.trace is not None:
        trace = (args.json.parent if args.json else Path.cwd()) / "tensorboard-load.trace"
        trace.write_text("")
    process, url = start_tensorboard(
        logdir, args.load_fast, scratch / "tensorboard.log", store, trace, args.trace or 0
    )
    memory = Memory(process.pid)
    try:
        graphs = wait_for_graphs(process, url, runs)
        idle = rss_bytes(process.pid)  # up, graphs listed, none parsed
        started = time.monotonic()
        refused: list = []
        asks = learn(url, graphs, args.views, refused)
        # What the server does in the background after reading a graph is not the load's.
        waited = settle_cpu(process.pid)
        print(f"waited {waited:.0f} s for the server's work in the background to end")
        memory.sample()
        learned = rss_bytes(process.pid)
        counts = {k: sum(1 for a in asks if a.kind == k) for k in ("svg", "dot", "node", "search")}
        print(
            f"learned {len(asks)} requests over {len(graphs)} graphs "
            f"in {time.monotonic() - started:.1f} s: {counts}"
        )
        texts = sorted(a.dot_bytes for a in asks if a.kind == "dot")
        if texts:
            print(
                f"their {len(texts)} views' DOT texts: median {texts[len(texts) // 2] / 1024:.0f} "
                f"KiB, largest {texts[-1] / 1024:.0f} KiB, {sum(texts) / MIB:.1f} MiB in all"
            )
        for run, pairs, code, why in refused:
            print(f"  left out (answered {code} to DOT): {run} {pairs}: {why!r}")

        if trace is not None:
            memory_trace.ask(process.pid, str(trace), "after learning")
        sampler = memory.run()
        host, port = "127.0.0.1", int(url.rsplit(":", 1)[1])
        per_process = [args.clients // args.processes] * args.processes
        for i in range(args.clients % args.processes):
            per_process[i] += 1
        deadline = time.time() + args.seconds
        jobs = [(host, port, asks, n, deadline, seed) for seed, n in enumerate(per_process) if n]
        load_started = time.monotonic()
        cpu_started = cpu_seconds(process.pid)
        with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
            pending = pool.map_async(client_process, jobs)
            for q in (1, 2, 3):
                if trace is not None:
                    time.sleep(max(0.0, deadline - args.seconds * (4 - q) / 4 - time.time()))
                    memory_trace.ask(process.pid, str(trace), f"after {q}/4 of the load")
            parts = pending.get()
        if trace is not None:
            memory_trace.ask(process.pid, str(trace), "after the load")
        elapsed = time.monotonic() - load_started
        cpu = cpu_seconds(process.pid) - cpu_started
        memory.stop()
        sampler.join()
        memory.sample()
        alive = process.poll() is None
        after = get_json(f"{url}{PREFIX}/graphs") if alive else []
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    served = sum(p["served"] for p in parts)
    errors = [e for p in parts for e in p["errors"]]
    latency: dict[str, list[float]] = {}
    for p in parts:
        for kind, values in p["latency"].items():
            latency.setdefault(kind, []).extend(values)
    everything = [v for values in latency.values() for v in values]
    latency |= split_drawings([t for p in parts for t in p["svg_times"]])
    drawings = {path: size for p in parts for path, size in p["svg_bytes"].items()}
    bounds = cache_bounds()
    cache_bound = bounds["drawings (SVG/PNG) bytes"] + bounds["DOT bytes"]
    # Each client's answer is in memory while it is sent (a DOT is encoded per request).
    largest = max(p["largest"] for p in parts)
    in_flight = args.clients * largest
    growth = memory.tensorboard - learned

    print(
        f"\nserved {served} requests in {elapsed:.1f} s ({served / elapsed:.1f}/s), "
        f"errors {len(errors)}"
    )
    print(
        f"the TensorBoard process used {cpu:.1f} s of CPU under the load "
        f"({1000 * cpu / max(served, 1):.1f} ms a request; the load average was "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} after it)"
    )
    print(f"{'kind':16} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    thirds = [kind for kind in latency if kind.startswith("new ")]
    for kind in ("svg", "svg new", *thirds, "svg seen", "dot", "node", "search", "all"):
        values = everything if kind == "all" else latency.get(kind, [])
        if values:
            cells = [percentile(values, q) * 1000 for q in (50, 95, 99)] + [max(values) * 1000]
            print(f"{kind:16} {len(values):7d} " + " ".join(f"{c:8.0f}" for c in cells))
    print(
        "  (svg new: asked for before any answer of that view came back; new S/M/L: those by "
        "the size of their view, in boxes and edges, in thirds; svg seen: the rest)"
    )
    for error in sorted(set(errors))[:20]:
        print(f"  error x{errors.count(error)}: {error}")
    print(
        f"distinct drawings served: {len(drawings)}, {sum(drawings.values()) / MIB:.1f} MiB in all"
    )
    print("\nmemory (RSS)")
    print(f"  tensorboard up, no graph parsed yet          {idle / MIB:8.1f} MiB")
    print(f"  after reading every graph and view once      {learned / MIB:8.1f} MiB")
    print(f"  peak under load                              {memory.tensorboard / MIB:8.1f} MiB")
    print(f"  growth under load                            {growth / MIB:8.1f} MiB")
    quarters = []
    for q in (1, 2, 3, 4):
        at = load_started + elapsed * q / 4
        seen = [tb for t, tb, _ in memory.samples if t <= at]
        quarters.append(f"{max(seen, default=0) / MIB:.0f}")
    print(f"  peak after 1/4, 1/2, 3/4, all of the load    {' / '.join(quarters)} MiB")
    print(f"  largest layout worker                        {memory.worker / MIB:8.1f} MiB")
    print(f"  layout workers together, at most             {memory.workers_at_once / MIB:8.1f} MiB")
    print(
        "plugin cache bounds: "
        + ", ".join(
            f"{k} {v / MIB:g} MiB" if "bytes" in k else f"{k} {v}" for k, v in bounds.items()
        )
    )
    within = growth <= cache_bound + in_flight
    print(
        f"growth under load {'within' if within else 'PAST'} the bound: caches that fill under "
        f"load (drawings + DOT = {cache_bound / MIB:g} MiB) + answers in flight ({args.clients} "
        f"clients x the largest answer, {largest / MIB:.1f} MiB = {in_flight / MIB:.0f} MiB); "
        f"parsed graphs ({len(graphs)}, at most {bounds['parsed graphs']}) were all read "
        "before the load"
    )
    print(f"tensorboard still answering after the load: {alive and len(after) == len(graphs)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "logdir": str(logdir),
                    "clients": args.clients,
                    "seconds": elapsed,
                    "served": served,
                    "cpu_seconds": cpu,
                    "load_average": os.getloadavg(),
                    "errors": len(errors),
                    "error_kinds": sorted(set(errors)),
                    "latency_ms": {
                        k: {f"p{q}": percentile(v, q) * 1000 for q in (50, 95, 99)}
                        | {"count": len(v)}
                        for k, v in (latency | {"all": everything}).items()
                    },
                    "rss_mib": {
                        "idle": idle / MIB,
                        "learned": learned / MIB,
                        "peak": memory.tensorboard / MIB,
                        "worker_peak": memory.worker / MIB,
                        "workers_at_once": memory.workers_at_once / MIB,
                        "in_flight_allowance": in_flight / MIB,
                    },
                    "cache_bounds": bounds,
                },
                indent=1,
            )
        )
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if not errors and within and alive else 1


if __name__ == "__main__":
    sys.exit(main())
