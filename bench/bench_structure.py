"""Structure and paths on every corpus graph: identical blocks and traces, timed.

For each graph of ``bench/corpus`` (built by ``make_corpus.py``):

- structure: the structural signatures of every group and the classes of identical blocks,
  computed once per graph on first use (the first "colour by structure" view or scope card);
  wall and CPU time (CPU time tells the work apart from other load on the machine), classes,
  the biggest class; then a default view's DOT coloured by structure once they are known;
- trace: the paths into the graph's last op that reads a tensor and out of its first op, at
  depths 3, 10 and 100, with the view that shows them (``paths.trace`` from the default view,
  opening groups): wall time, ops reached, groups opened, groups left closed by the bounds,
  boxes of the view.

Times are medians of ``--repeat`` runs, each on a fresh Hierarchy for the structure (it is
cached per Hierarchy). Prints a table and writes ``bench/results_structure.json``.

    python3 bench/bench_structure.py [--only NAME ...] [--big] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

from common import (
    CORPUS,
    HERE,
    add_graph_options,
    chosen,
    missing_graphs,
    require_fast_reader,
    write_results,
)

ROOT = HERE.parent
RESULTS = HERE / "results_structure.json"
DEPTHS = (3, 10, 100)
sys.path.insert(0, str(ROOT))


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def bench_graph(name: str, repeat: int) -> dict:
    from tensorboard.compat.proto import graph_pb2

    from tb_scopegraph.drawing import dot
    from tb_scopegraph.model import paths, structure
    from tb_scopegraph.model.hierarchy import Hierarchy

    graph_def = graph_pb2.GraphDef.FromString((CORPUS / f"{name}.pb").read_bytes())
    hierarchies = [Hierarchy(graph_def) for _ in range(repeat)]
    hierarchy = hierarchies[-1]
    fresh = iter(hierarchies)
    wall, cpu, found = _timed(lambda: structure.structures(next(fresh)), repeat)
    groups = range(len(hierarchy.graph.groups))
    classes = {id(b): b for b in map(found.block, groups) if b is not None}
    blocks = sorted(classes.values(), key=lambda b: b.rank)
    biggest = blocks[0] if blocks else None
    default = hierarchy.default_view()
    dot_wall, _, _ = _timed(lambda: dot.to_dot(hierarchy, default, colour="structure"), repeat)
    result = {
        "graph": name,
        "ops": hierarchy.op_count,
        "groups": len(hierarchy.graph.groups),
        "structure_s": wall,
        "structure_cpu_s": cpu,
        "classes": found.classes,
        "blocks_in_classes": sum(len(b.members) for b in blocks),
        "biggest_class": None
        if biggest is None
        else {
            "blocks": len(biggest.members),
            "ops_each": hierarchy.graph.groups[biggest.members[0]].op_count,
            "first": hierarchy.graph.groups[biggest.members[0]].key,
        },
        "structure_dot_s": dot_wall,
        "traces": [],
    }
    print(
        f"[{name}] {hierarchy.op_count:,} ops, {len(hierarchy.graph.groups):,} groups: signatures "
        f"{wall:.2f} s ({cpu:.2f} s CPU), {found.classes} classes of identical blocks; "
        f"structure-coloured default view DOT {dot_wall * 1000:.0f} ms",
        flush=True,
    )
    # The last op that reads a tensor (a traced function ends in a NoOp with control inputs
    # only), and the first op.
    sink = next(n.name for n in reversed(graph_def.node) if any(i[:1] != "^" for i in n.input))
    ends = (("in", sink), ("out", graph_def.node[0].name))
    for direction, op in ends:
        for depth in DEPTHS:
            t_wall, _, trace = _timed(
                lambda op=op, direction=direction, depth=depth: paths.trace(
                    hierarchy, op, direction, depth, open=default.open
                ),
                repeat,
            )
            case = {
                "op": op,
                "direction": direction,
                "depth": depth,
                "trace_s": t_wall,
                "ops": len(trace.ops),
                "complete": trace.complete,
                "reached": trace.reached,
                "opened": len(trace.open - default.open),
                "left_closed": trace.closed,
                "boxes": hierarchy.view(open=trace.open).boxes,
            }
            result["traces"].append(case)
            print(
                f"    trace {direction:<3} depth {depth:>3} from {op[:40]:<40} "
                f"{t_wall * 1000:>7.1f} ms  {case['ops']:>5} ops{'' if trace.complete else '+'}"
                f"  {case['reached']:>3} hops  +{case['opened']:>2} open  "
                f"{case['left_closed']:>4} left closed  {case['boxes']:>4} boxes",
                flush=True,
            )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_graph_options(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args(argv)
    require_fast_reader(allow_slow=True)  # said, not refused: the reader is not timed here
    names = chosen(args)
    if missing_graphs(names):
        return 2
    load_before = os.getloadavg()
    results = [bench_graph(name, args.repeat) for name in names]
    print()
    print(f"{'graph':<16}{'ops':>8}{'groups':>8}{'signatures':>12}{'CPU':>8}{'classes':>9}")
    for r in results:
        print(
            f"{r['graph']:<16}{r['ops']:>8,}{r['groups']:>8,}{r['structure_s']:>11.2f}s"
            f"{r['structure_cpu_s']:>7.2f}s{r['classes']:>9}"
        )
    write_results(RESULTS, args, load_before, results, {"python": platform.python_version()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
