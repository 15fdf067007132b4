"""A TensorBoard process for the benches: a free port on 127.0.0.1, starting it with this
checkout's plugin, waiting for its graph listing, and the memory (RSS) of it and its workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "tests" / "e2e" / "launch_tensorboard.py"
PREFIX = "/data/plugin/scopegraph"


# --- TensorBoard ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The launcher, with `memory_trace` installed (its SIGUSR2 handler is set in the main thread,
# before TensorBoard starts) and tracemalloc started by the first report: traced from the
# start, TensorBoard took minutes to list the graphs on the shared machine.
_TRACED = """
import signal, sys, tracemalloc
sys.path.insert(0, {bench!r})
sys.path.insert(0, {e2e!r})
import memory_trace
memory_trace.install({trace!r}, {frames!r})
tracemalloc.stop()
report = signal.getsignal(signal.SIGUSR2)
def traced(*args):
    if {frames!r} and not tracemalloc.is_tracing():
        tracemalloc.start({frames!r})
    report(*args)
signal.signal(signal.SIGUSR2, traced)
import launch_tensorboard
sys.argv = ["tensorboard", *sys.argv[1:]]
launch_tensorboard.main()
"""


def start_tensorboard(
    logdir: Path,
    load_fast: bool,
    log_path: Path,
    store: Path,
    trace: Path | None = None,
    frames: int = 0,
) -> tuple[subprocess.Popen, str]:
    """TensorBoard over `logdir` on a free port; with `trace`, reporting what it holds to that
    file when asked (`memory_trace.ask`), with tracemalloc `frames` deep (0: glibc's figures
    alone)."""
    port = free_port()
    if trace is None:
        command = [sys.executable, str(LAUNCHER)]
    else:
        here = Path(__file__).resolve().parent
        code = _TRACED.format(
            bench=str(here), e2e=str(LAUNCHER.parent), trace=str(trace), frames=frames
        )
        command = [sys.executable, "-c", code]
    command += ["--logdir", str(logdir), "--host", "127.0.0.1"]
    command += ["--port", str(port), f"--load_fast={'true' if load_fast else 'false'}"]
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TB_SCOPEGRAPH_CACHE_DIR=str(store))
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    return process, f"http://127.0.0.1:{port}"


def get_json(url: str, timeout: float = 120):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def wait_for_graphs(process: subprocess.Popen, url: str, runs: int, timeout: float = 180) -> list:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(f"tensorboard exited with {process.returncode}")
        try:
            graphs = get_json(f"{url}{PREFIX}/graphs", timeout=10)
            if len(graphs) >= runs:
                return graphs
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("tensorboard did not list the graphs in time")
        time.sleep(0.5)


# --- memory --------------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below `pid`."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], list(children.get(pid, []))
    while stack:
        child = stack.pop()
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((child, cmdline))
        stack.extend(children.get(child, []))
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU time process `pid` has used (user and system), in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle_cpu(pid: int, share: float = 0.1, seconds: float = 3.0, limit: float = 180) -> float:
    """Waits until process `pid` has used less than `share` of a core for `seconds` (its work
    in the background done: a big graph's rolls and cards are worked out after its first
    view); the seconds waited."""
    started = time.monotonic()
    last, at = cpu_seconds(pid), started
    while time.monotonic() - started < limit:
        time.sleep(seconds)
        now, used = time.monotonic(), cpu_seconds(pid)
        if used - last < share * (now - at):
            break
        last, at = used, now
    return time.monotonic() - started


@dataclass
class Memory:
    """Peak RSS of TensorBoard and of its layout workers, sampled while the load runs."""

    pid: int
    tensorboard: int = 0
    worker: int = 0  # the largest one worker reached
    workers_at_once: int = 0  # the most their RSS summed to at one time
    samples: list = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        tb = rss_bytes(self.pid)
        workers = [
            rss_bytes(p)
            for p, cmd in descendants(self.pid)
            if "tb_scopegraph.drawing._worker" in cmd
        ]
        self.tensorboard = max(self.tensorboard, tb)
        self.worker = max([self.worker, *workers])
        self.workers_at_once = max(self.workers_at_once, sum(workers))
        self.samples.append((time.monotonic(), tb, sum(workers)))

    def run(self, every: float = 0.25) -> threading.Thread:
        def loop():
            while not self._stop.is_set():
                self.sample()
                self._stop.wait(every)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
