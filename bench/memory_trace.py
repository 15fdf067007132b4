"""What a process holds, step by step: glibc's heap figures and, optionally, tracemalloc's.

`install` (in the process measured, before it starts its work) makes SIGUSR2 append a report
to a file: RSS, ``mallinfo2`` (bytes in use in the heaps, bytes freed but kept by them, bytes
mapped on their own), Python's allocator's arenas, what the process was doing at its highest
RSS since the last report (`Peaks`: each thread's innermost frames of this project's code)
and, when tracemalloc runs (``frames`` > 0), the traced total and the lines whose
allocations grew most since the last report. `ask` (in the benchmark) sends the signal and
waits for the report. Used by `bench_tb_memory.py --trace`.

RSS far above what is in use (``in_use``) is memory freed to glibc and not given back to the
system: fragmentation, or big temporaries made from the heap after glibc raised its mmap
threshold.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

MIB = 1 << 20
#: Lines of tracemalloc's growth per report.
TOP = 25


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
        ).split()
    ]


def heap() -> dict[str, float]:
    """glibc's figures in MB: ``in_use`` (allocated from the heaps), ``free_kept`` (freed,
    still held by them), ``mapped`` (allocations mapped on their own); empty off glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return {}
    return {
        "in_use": info.uordblks / MIB,
        "free_kept": info.fordblks / MIB,
        "mapped": info.hblkhd / MIB,
    }


def pymalloc() -> dict[str, float]:
    """Python's small-object allocator in MB: ``arenas`` (mapped by it, each freed only once
    all its objects are), ``in_blocks`` (objects in them); from `sys._debugmallocstats`,
    which writes to the C stderr (caught here in a file)."""
    import re
    import sys
    import tempfile

    with tempfile.TemporaryFile() as caught:
        saved = os.dup(2)
        try:
            os.dup2(caught.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        text = caught.read().decode(errors="replace")
    found = {}
    for name, pattern in (
        ("arenas", r"arenas \* \d+ bytes/arena\s*=\s*([\d,]+)"),
        ("in_blocks", r"# bytes in allocated blocks\s*=\s*([\d,]+)"),
    ):
        match = re.search(pattern, text)
        if match:
            found[name] = int(match.group(1).replace(",", "")) / MIB
    return found


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Peaks:
    """The process's RSS every 10 ms, and what its threads were running at the highest
    (`take` gives it and starts again): the peak while reading a graph is a moment, which a
    report after each step misses. Peaks of different work (told apart by each thread's
    outermost frame in this project: reading a graph, a view, `prepare`) are kept apart,
    the highest `SHOWN` reported."""

    SHOWN = 3

    def __init__(self, every: float = 0.01, depth: int = 4) -> None:
        self.every, self.depth = every, depth
        self.lock = threading.Lock()
        self.highs: dict[frozenset, tuple[float, str]] = {}
        threading.Thread(target=self._run, daemon=True, name="memory-peaks").start()

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            rss = _rss_mb()
            with self.lock:
                if rss > max((high for high, _ in self.highs.values()), default=0.0) - 50:
                    work, stacks = self._stacks()
                    if rss > self.highs.get(work, (0.0, ""))[0]:
                        self.highs[work] = (rss, stacks)

    def _stacks(self) -> tuple[frozenset, str]:
        import sys
        import traceback

        me = threading.get_ident()
        names = {t.ident: t.name for t in threading.enumerate()}
        work, lines = set(), []
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            ours = [f for f in traceback.extract_stack(frame) if "tb_scopegraph" in f.filename]
            if ours:
                work.add(f"{ours[0].filename.rsplit('/', 1)[-1]} {ours[0].name}")
                inner = " < ".join(
                    f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
                    for f in reversed(ours[-self.depth :])
                )
                lines.append(f"    {names.get(ident, ident)}: {inner}")
        return frozenset(work), "\n".join(lines) or "    (no thread in tb_scopegraph)"

    def take(self) -> str:
        """The highest RSS of each work since the last `take` (the highest few), and what
        ran then."""
        with self.lock:
            highs = sorted(self.highs.values(), reverse=True)[: self.SHOWN]
            self.highs = {}
        return (
            "\n".join(f"peak rss {rss:.0f} MB, running:\n{stacks}" for rss, stacks in highs)
            or "peak rss: none sampled"
        )


def install(path: str, frames: int) -> None:
    """Report to ``path`` on each SIGUSR2 (from the main thread's handler, in a thread of its
    own: a snapshot of millions of traces takes seconds)."""
    import tracemalloc

    if frames:
        tracemalloc.start(frames)
    asked = threading.Event()
    state: dict = {"last": None, "n": 0}
    peaks = Peaks()

    def report() -> None:
        while True:
            asked.wait()
            asked.clear()
            figures = ", ".join(f"{k} {v:.0f} MB" for k, v in heap().items())
            python = ", ".join(f"{k} {v:.0f} MB" for k, v in pymalloc().items())
            lines = [f"rss {_rss_mb():.0f} MB; heap {figures}; pymalloc {python}", peaks.take()]
            if tracemalloc.is_tracing():
                lines.extend(_growth(tracemalloc, frames, state))
            state["n"] += 1
            with open(path, "a") as out:
                out.write("\n".join(lines) + f"\ndone {state['n']}\n")

    threading.Thread(target=report, daemon=True, name="memory-trace").start()
    signal.signal(signal.SIGUSR2, lambda *_: asked.set())


def _growth(tracemalloc, frames: int, state: dict) -> list[str]:
    """The traced total and the lines that grew most since the last report (only the sizes
    per line are kept between reports, not the snapshot: it would weigh on the next step)."""
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("traceback" if frames > 1 else "lineno")
    del snapshot
    sizes = {stat.traceback: (stat.size, stat.count) for stat in stats}
    last = state["last"] or {}
    grown = sorted(sizes, key=lambda t: -(sizes[t][0] - last.get(t, (0, 0))[0]))
    lines = [f"traced {sum(size for size, _ in sizes.values()) / MIB:.0f} MB"]
    for where in grown[:TOP]:
        size, count = sizes[where]
        before, was = last.get(where, (0, 0))
        lines.append(
            f"  {(size - before) / MIB:+.1f} MB ({count - was:+d} blocks), now {size / MIB:.1f} MB"
        )
        lines.extend(f"    {line}" for line in where.format(most_recent_first=True))
    state["last"] = sizes
    return lines


def ask(pid: int, path: str, step: str, limit: float = 300) -> None:
    """Have process ``pid`` report to ``path`` after ``step``; wait until it has."""
    with open(path, "a") as out:
        out.write(f"== {step}\n")
    wanted = sum(1 for line in open(path) if line.startswith("done ")) + 1
    os.kill(pid, signal.SIGUSR2)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if sum(1 for line in open(path) if line.startswith("done ")) >= wanted:
            return
        time.sleep(0.2)
