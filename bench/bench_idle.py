"""A request after a pause: how long the plugin's routes take when nobody asked for a while.

    python3 bench/bench_idle.py [--logdir DIR] [--pause 4] [--rounds 6]

Starts TensorBoard (its default data server) over DIR (default: the demo's scoped run in the
bench corpus, bench/corpus/logs/demo_ffn_scoped) twice: as installed, and with the plugin's
stale window for lookups turned off (`service.graphs.LOOKUP_STALE_SECONDS = 0`: each lookup
is trusted for 3 s, then made again by the request that needs it, as before that window).
For each route, each round waits `--pause` seconds, asks once (after a pause) and at once
again (hot); the answers are checked. Prints the medians and the ratio pause/hot per route,
and writes bench/results_idle.json.

Why: after a pause of a few seconds, TensorBoard's data server answered the second of two
calls about 40 ms late, and a route makes several (the listing is one call per kind of graph).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

from bench_browser import LOGS, tensorboard
from common import HERE, write_results

# TensorBoard with this checkout's plugin, its stale window for lookups turned off.
_WITHOUT_WINDOW = """
import sys
sys.argv[0] = "tensorboard"
from tb_scopegraph.service import graphs
graphs.LOOKUP_STALE_SECONDS = 0.0
from tensorboard.main import run_main
run_main()
"""
_WITH_WINDOW = _WITHOUT_WINDOW.replace("graphs.LOOKUP_STALE_SECONDS = 0.0", "")


def _timed(port: int, path: str) -> tuple[float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    ms = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return ms, body


def _routes(first: dict) -> dict[str, tuple[str, bytes]]:
    """Route name: (path, something its answer must hold)."""
    graph = urllib.parse.urlencode({k: first[k] for k in ("run", "kind", "tag")})
    prefix = "/data/plugin/scopegraph"
    return {
        "graphs": (f"{prefix}/graphs", first["run"].encode()),
        "svg (drawn before)": (f"{prefix}/svg?{graph}", b"<svg"),
        "hierarchy": (f"{prefix}/hierarchy?{graph}", b'"children"'),
        "tab.js": (f"{prefix}/tab.js", b"SCOPEGRAPH_INLINE"),
    }


def measure(logdir: Path, code: str, label: str, args) -> dict:
    command = [sys.executable, "-c", code]
    with tensorboard(logdir, command=command, log_name=f"idle-{label}") as url:
        port = int(url.rsplit(":", 1)[1])
        listed = json.loads(_timed(port, "/data/plugin/scopegraph/graphs")[1])
        routes = _routes(listed[0])
        for path, _ in routes.values():  # drawn and parsed once: what is timed is the lookups
            _timed(port, path)
        figures = {name: {"pause": [], "hot": []} for name in routes}
        for i in range(args.rounds):
            for name, (path, holds) in routes.items():
                time.sleep(args.pause)
                for when in ("pause", "hot"):
                    ms, body = _timed(port, path)
                    if holds not in body:
                        raise RuntimeError(f"{path}: the answer lacks {holds!r}")
                    figures[name][when].append(ms)
            print(f"  [{label}] round {i + 1} done", flush=True)
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logdir", type=Path, default=LOGS / "demo_ffn_scoped")
    parser.add_argument("--pause", type=float, default=4.0, help="seconds nobody asks")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    if not args.logdir.is_dir():
        print(f"no logdir {args.logdir}: run python3 bench/make_corpus.py", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    runs = {
        "without the window": measure(args.logdir, _WITHOUT_WINDOW, "without", args),
        "with the window": measure(args.logdir, _WITH_WINDOW, "with", args),
    }
    med = statistics.median
    head = "without: pause / hot     with: pause / hot    pause: without/with"
    rows = [f"{'route':<21} {head}"]
    results = []
    for name in runs["with the window"]:
        a, b = runs["without the window"][name], runs["with the window"][name]
        row = {
            "route": name,
            "without_pause_ms": med(a["pause"]),
            "without_hot_ms": med(a["hot"]),
            "with_pause_ms": med(b["pause"]),
            "with_hot_ms": med(b["hot"]),
            "runs": {"without": a, "with": b},
        }
        results.append(row)
        rows.append(
            f"{name:<20} {row['without_pause_ms']:8.1f} / {row['without_hot_ms']:5.1f} ms"
            f"   {row['with_pause_ms']:8.1f} / {row['with_hot_ms']:5.1f} ms"
            f"   {row['without_pause_ms'] / row['with_pause_ms']:6.1f}x"
        )
    print("\n".join(rows))
    print(f"median of {args.rounds}, each after {args.pause:g} s with no request; {args.logdir}")
    write_results(HERE / "results_idle.json", args, load_before, results, {})
    print("wrote bench/results_idle.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
