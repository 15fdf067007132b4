"""Regex search figures: the plugin's child process against the `regex` package's timeout.

The plugin matches a search's regular expression in a child process stopped after a while
(`tb_scopegraph/service/search.py`). The alternative is the `regex` package in the server's
own process, each name matched with `timeout=` (and `concurrent=True`, so that other threads
run meanwhile). This prints, on synthetic_100k's names, the median time of a search that
finds nothing (every name is matched) in each way, and `re` in-process for scale; then what a
catastrophic pattern costs under `regex` with `timeout=2`: wall clock and CPU time.

    python3 bench/bench_regex.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import regex
from common import CORPUS

from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.reading.graph_file import load_graph_file
from tb_scopegraph.service import search

PATTERNS = (r"dense\d+/kernel$", r"zzz_nomatch", r"^block_1/")


def with_regex_timeout(pattern: str, names: list[str], limit: int, seconds: float = 5.0):
    """The first `limit` matches, each name matched by `regex` with the time left."""
    compiled = regex.compile(pattern)
    deadline = time.monotonic() + seconds
    found = []
    for i, name in enumerate(names):
        left = max(deadline - time.monotonic(), 1e-3)
        if compiled.search(name, concurrent=True, timeout=left):
            found.append(i)
            if len(found) >= limit:
                break
    return found


def with_re(pattern: str, names: list[str], limit: int):
    compiled = re.compile(pattern)
    return [i for i, name in enumerate(names) if compiled.search(name)][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    names = list(Hierarchy(load_graph_file(CORPUS / "synthetic_100k.pb")).graph.names)
    print(f"{len(names)} names")
    for pattern in PATTERNS:
        for how in (search.match, with_regex_timeout, with_re):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                how(pattern, names, 50)
                times.append(time.perf_counter() - start)
            median, least = 1000 * statistics.median(times), 1000 * min(times)
            print(f"{pattern:<20} {how.__name__:<20} {median:7.1f} ms (min {least:.1f})")
    wall, cpu = time.monotonic(), time.process_time()
    try:
        regex.search(r"(a|aa)+$", "a" * 40 + "!", concurrent=True, timeout=2.0)
        stopped = "finished"
    except TimeoutError:
        stopped = "timed out"
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(f"(a|aa)+$ with timeout=2: {stopped} after {wall:.1f} s wall clock, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
