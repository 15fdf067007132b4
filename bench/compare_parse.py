"""Parse + hierarchy of the corpus graphs: this checkout's against another commit's.

Both copies of the package are loaded in one process and timed interleaved with a bare
``GraphDef.FromString`` of the same bytes, so a busy machine slows them all alike:

- before: the other commit's plugin reading a stored run graph (``parse_graph`` parses and checks
  it, ``Hierarchy`` builds the tree of the GraphDef);
- after: this checkout's ``Hierarchy`` built from the bytes (parse + hierarchy);
- plugin: this checkout's plugin reading a stored run graph (``FromString`` to check it, then
  the same read and tree).

Prints medians of wall-clock and CPU time, and each one's ratio to ``FromString``.

With ``--readers``, the GraphDef readers instead, each from bytes to a built ``Hierarchy``,
with ratios to the C reader: the C reader; it after a ``FromString`` check (as the plugin
reads a run graph); this checkout's Python reader (upb ``FromString``, then numpy); the other
commit's Python reader (``fast=False``).

    python3 bench/compare_parse.py --before ded6e63 [--repeat 9] [--only synthetic_100k ...]
    python3 bench/compare_parse.py --before 8d35e5b --readers --only resnet50_train synthetic_100k
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
GRAPHS = ("mobilenetv2", "resnet50", "inceptionv3", "resnet50_train", "synthetic_100k")


def _load(folder: Path):
    """``tb_scopegraph.model.hierarchy`` and the module holding ``parse_graph`` and
    ``read_run_graph``, imported from ``folder`` and forgotten again afterwards.

    An older commit keeps ``parse_graph`` in ``tb_scopegraph/reading/sources.py`` and has no
    public ``read_run_graph``."""
    for name in [m for m in sys.modules if m == "tb_scopegraph" or m.startswith("tb_scopegraph.")]:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        hierarchy = importlib.import_module("tb_scopegraph.model.hierarchy")
        for name in ("reading.sources", "reading.formats"):
            try:
                reading = importlib.import_module(f"tb_scopegraph.{name}")
                break
            except ModuleNotFoundError:
                continue
        else:
            raise ModuleNotFoundError(f"no parse_graph in {folder}")
        try:
            run_graph = importlib.import_module("tb_scopegraph.reading.run_graph")
            read_run_graph = run_graph.read_run_graph
        except ModuleNotFoundError:
            read_run_graph = None
    finally:
        sys.path.remove(str(folder))
    assert Path(hierarchy.__file__).is_relative_to(folder), hierarchy.__file__
    assert Path(reading.__file__).is_relative_to(folder), reading.__file__
    return hierarchy, reading.parse_graph, read_run_graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit to compare against")
    parser.add_argument("--repeat", type=int, default=9, help="runs of each (median)")
    parser.add_argument("--only", nargs="+", choices=GRAPHS, help="compare only these graphs")
    parser.add_argument("--readers", action="store_true", help="compare the GraphDef readers")
    args = parser.parse_args(argv)
    from tensorboard.compat.proto import graph_pb2

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before, "tb_scopegraph"],
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        before, before_parse, _ = _load(Path(tmp))
        after, _, read_run_graph = _load(ROOT)
        print(
            f"load average {os.getloadavg()[0]:.1f}; before = {args.before}, after = working tree"
        )
        for name in args.only or GRAPHS:
            data = (CORPUS / f"{name}.pb").read_bytes()
            if args.readers:
                _readers(name, data, before, after, args.repeat)
                continue
            runs = {
                "FromString": lambda d=data: graph_pb2.GraphDef.FromString(d),
                "before": lambda d=data: before.Hierarchy(before_parse("run_graph", d)),
                "after": lambda d=data: after.Hierarchy(d),
                "plugin": lambda d=data: after.Hierarchy(read_run_graph(d).drawable),
            }
            wall: dict[str, list[float]] = {k: [] for k in runs}
            cpu: dict[str, list[float]] = {k: [] for k in runs}
            for _ in range(args.repeat):
                for key, run in runs.items():
                    gc.collect()
                    start, start_cpu = time.perf_counter(), time.process_time()
                    result = run()
                    cpu[key].append(time.process_time() - start_cpu)
                    wall[key].append(time.perf_counter() - start)
                    del result
            line = [f"{name:<16}"]
            for label, times in (("wall", wall), ("CPU", cpu)):
                m = {k: statistics.median(v) for k, v in times.items()}
                base = m["FromString"]
                line.append(
                    f"{label}: FromString {base * 1000:6.1f} ms"
                    + "".join(
                        f", {key} {m[key] * 1000:6.1f} ({m[key] / base:4.1f}x)"
                        for key in ("before", "after", "plugin")
                    )
                )
            print("  ".join(line), flush=True)
        print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


def _readers(name: str, data: bytes, before, after, repeat: int) -> None:
    from tensorboard.compat.proto import graph_pb2

    from tb_scopegraph.model import _nodescan

    def checked(d: bytes):
        graph_pb2.GraphDef.FromString(d)
        return after.Hierarchy(_nodescan.scan_fast(d))

    runs = {
        "C": lambda d: after.Hierarchy(d),
        "C + FromString check": checked,
        "Python (this checkout)": lambda d: after.Hierarchy(d, fast=False),
        "Python (before)": lambda d: before.Hierarchy(d, fast=False),
    }
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(repeat):
        for key, run in runs.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            result = run(data)
            cpu[key].append(time.process_time() - start_cpu)
            wall[key].append(time.perf_counter() - start)
            del result
    base = statistics.median(cpu["C"])
    for key in runs:
        m, w = statistics.median(cpu[key]), statistics.median(wall[key])
        print(
            f"{name:<16} {key:<24} CPU {m * 1000:7.1f} ms ({m / base:4.1f}x C)"
            f"  wall {w * 1000:7.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
