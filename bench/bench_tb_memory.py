"""Memory of a cached graph in a real TensorBoard process: what reading, drawing and searching
one graph adds to it, and its peak while reading.

Starts TensorBoard (this checkout's plugin, ``--load_fast=false`` unless ``--load-fast``) over
one corpus graph's logdir with the plugin's warm-up held back, waits until the graph is listed
and the process's RSS has settled (the data provider holds the event file's graph then), and
takes that as the baseline. Then it lets the warm-up run (it reads the graph and draws its
first view, as on any start), asks for the default view's SVG, searches (a hit and a miss),
asks for the first hit's details, and opens one group more than the default view (the
first the hit's reveal opens). RSS is
sampled every 20 ms throughout: the peak while reading and drawing, and the RSS once it has
settled after each step, both over the baseline.

    python3 bench/bench_tb_memory.py [--only transformer_1m] [--load-fast] [--trace [FRAMES]]

``--trace`` writes, after each step, what the process holds to
``corpus/tensorboard-memory-<graph>.trace``: glibc's heap figures (``mallinfo2``: bytes in
use, bytes free in its heaps but kept, bytes mapped) and, with tracemalloc started at launch
(FRAMES deep, 1 by default; it slows the process about twice), the lines whose allocations
grew most since the step before.

Targets (issue 22): a cached million-op graph adds <= 400 MB; the peak while reading it
<= 2x its GraphDef's size.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import memory_trace
from common import (
    CORPUS,
    HERE,
    add_reader_option,
    logdir,
    missing_graphs,
    require_fast_reader,
)

ROOT = HERE.parent
PREFIX = "/data/plugin/scopegraph"
MIB = 1 << 20
ADDED_TARGET_MB = 400
PEAK_TARGET_X = 2.0

# TensorBoard as tests/e2e/launch_tensorboard.py runs it, its plugin's warm-up waiting for
# SIGUSR1 (the handler is set in the main thread, before TensorBoard starts).
_LAUNCH = """
import signal, sys, threading
sys.path.insert(0, {root!r})
sys.path.insert(0, {e2e!r})
from tb_scopegraph.plugin import warmup
go = threading.Event()
signal.signal(signal.SIGUSR1, lambda *_: go.set())
watch = warmup.WarmUp._watch
def held(self):
    go.wait()
    watch(self)
warmup.WarmUp._watch = held
if {trace!r} is not None:
    sys.path.insert(0, {bench!r})
    import memory_trace
    memory_trace.install({trace!r}, {frames!r})
import launch_tensorboard
sys.argv = ["tensorboard", *{args!r}]
launch_tensorboard.main()
"""


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """The process's RSS every 20 ms; `peak` since the last `reset`."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.last = pid, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            try:
                self.last = rss_mb(self.pid)
            except OSError:
                return
            self.peak = max(self.peak, self.last)

    def reset(self) -> None:
        self.peak = self.last

    def settled(self, seconds: float = 3.0, within_mb: float = 3.0, limit: float = 120) -> float:
        """The RSS once it has moved less than ``within_mb`` for ``seconds``."""
        deadline = time.monotonic() + limit
        window: list[float] = []
        while time.monotonic() < deadline:
            window = [*window, self.last][-int(seconds / 0.1) :]
            if len(window) * 0.1 >= seconds and max(window) - min(window) < within_mb:
                break
            time.sleep(0.1)
        return self.last

    def stop(self) -> None:
        self._stop.set()


def get(url: str, timeout: float = 600) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read()
    return time.perf_counter() - start, body


def measure(name: str, load_fast: bool, frames: int | None = None) -> dict:
    """``frames``: trace the process after each step (see the module docstring); 0 for
    glibc's figures alone."""
    from tbprocess import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["--logdir", str(logdir(name)), "--host", "127.0.0.1", "--port", str(port)]
    args.append(f"--load_fast={'true' if load_fast else 'false'}")
    trace = None if frames is None else str(CORPUS / f"tensorboard-memory-{name}.trace")
    if trace is not None:
        open(trace, "w").close()  # noqa: SIM115 - emptied for this run's reports
    code = _LAUNCH.format(
        root=str(ROOT),
        e2e=str(ROOT / "tests" / "e2e"),
        bench=str(HERE),
        args=args,
        trace=trace,
        frames=frames,
    )
    log = open(CORPUS / f"tensorboard-memory-{name}.log", "wb")  # noqa: SIM115 - with the process
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    sampler = Sampler(process.pid)
    out: dict = {"graph": name, "graphdef_mb": (CORPUS / f"{name}.pb").stat().st_size / MIB}

    def settled(step: str) -> float:
        """The RSS over the baseline once settled after ``step`` (traced, when tracing)."""
        mb = sampler.settled() - out.get("baseline_mb", 0.0)
        if trace is not None:
            memory_trace.ask(process.pid, trace, step)
        return mb

    try:
        deadline = time.monotonic() + 600
        while True:
            if process.poll() is not None:
                raise SystemExit(f"tensorboard exited; see {log.name}")
            try:
                graphs = json.loads(get(f"{url}{PREFIX}/graphs", timeout=10)[1])
                if graphs:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("tensorboard did not list the graph in 600 s")
            time.sleep(0.5)
        first = graphs[0]
        graph = urllib.parse.urlencode({k: first[k] for k in ("run", "kind", "tag")})
        base = out["baseline_mb"] = settled("baseline")
        sampler.reset()
        start = time.perf_counter()
        process.send_signal(signal.SIGUSR1)  # the warm-up reads the graph and draws it
        seconds, svg = get(f"{url}{PREFIX}/svg?{graph}")
        out["first_view_s"] = time.perf_counter() - start
        out["first_view_mb"] = settled("first view")
        out["first_view_peak_mb"] = sampler.peak - base
        reveal: list[str] = []
        for label, query in (("hit", "Relu"), ("miss", "no_such_name_zz")):
            seconds, body = get(f"{url}{PREFIX}/search?{graph}&q={query}")
            out[f"search_{label}_s"] = seconds
            out[f"search_{label}_mb"] = settled(f"search {label}")
            hits = json.loads(body)
            if hits:
                reveal = hits[0]["reveal"]
                hit = urllib.parse.quote(hits[0]["name"])
                out["node_s"] = get(f"{url}{PREFIX}/node?{graph}&name={hit}")[0]
                out["node_mb"] = settled("op card")
        opened = json.loads(get(f"{url}{PREFIX}/view?{graph}")[1])["open"]
        out["view_mb"] = settled("/view")
        step = [key for key in reveal if key not in opened][:1]  # one group more: a step
        if step:
            keys = "&".join(f"open={urllib.parse.quote(k)}" for k in [*opened, *step])
            out["open_one_s"] = get(f"{url}{PREFIX}/svg?{graph}&{keys}")[0]
        out["used_mb"] = settled("one step")
        out["peak_mb"] = sampler.peak - base
        out["svg_bytes"] = len(svg)
    finally:
        sampler.stop()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=["transformer_1m"], help="corpus graphs")
    parser.add_argument("--load-fast", action="store_true", help="TensorBoard's Rust data server")
    parser.add_argument(
        "--trace",
        type=int,
        nargs="?",
        const=1,
        metavar="FRAMES",
        help="after each step, write glibc's heap figures and tracemalloc's growth (FRAMES "
        "deep; 0: glibc's alone) to corpus/tensorboard-memory-<graph>.trace",
    )
    add_reader_option(parser)
    args = parser.parse_args(argv)
    if not require_fast_reader(args.allow_slow_reader):
        return 2
    if missing_graphs(args.only, logdirs=True):
        return 2
    for name in args.only:
        r = measure(name, args.load_fast, args.trace)
        print(json.dumps(r), flush=True)
        print(
            f"{name}: baseline {r['baseline_mb']:.0f} MB; first view {r['first_view_s']:.1f} s, "
            f"+{r['first_view_mb']:.0f} MB (peak +{r['first_view_peak_mb']:.0f} MB, "
            f"{r['first_view_peak_mb'] / r['graphdef_mb']:.2f}x the GraphDef's "
            f"{r['graphdef_mb']:.0f} MB); after searches, details and one step "
            f"+{r['used_mb']:.0f} MB (target <= {ADDED_TARGET_MB} MB, peak <= "
            f"{PEAK_TARGET_X:g}x)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
