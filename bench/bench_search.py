"""Search over a graph's names: the first search (the name index made with it) and later ones.

For each corpus graph: the time to ready a graph just read as a server does off the request
path (`Hierarchy.prepare`: the name index made, the NodeDefs compressed), the name index
alone, the first search after that, and medians of later searches (a plain name that is found,
a plain miss that scans every name, a regular expression), against a test per name over the
same names in the same run (how search worked before the index) as the anchor.

    python bench/bench_search.py [--only transformer_1m ...] [--repeat 5]

Prints one line per graph and which GraphDef reader built the model.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time

from common import CORPUS, DEFAULT_GRAPHS, HERE, missing_graphs

sys.path.insert(0, str(HERE.parent))

QUERIES = {"hit": "Relu", "miss": "no_such_name_zz", "regex": r"(conv|dense|matmul).*\d$"}


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _per_name(names: list[str], query: str, regex: bool, limit: int = 50) -> list[int]:
    """Search as a test per name: the anchor."""
    if regex:
        pattern = re.compile(query)
        hits = (i for i, n in enumerate(names) if pattern.search(n))
    else:
        lowered = query.lower()
        hits = (i for i, n in enumerate(names) if lowered in n.lower())
    found = []
    for i in hits:
        found.append(i)
        if len(found) >= limit:
            break
    return found


def bench_graph(name: str, repeat: int) -> dict:
    from tb_scopegraph.model._nodescan import reader
    from tb_scopegraph.model.hierarchy import Hierarchy

    data = (CORPUS / f"{name}.pb").read_bytes()
    hierarchy = Hierarchy(data)
    model = hierarchy.graph
    del data
    gc.collect()
    prepare_s, _ = _timed(hierarchy.prepare)
    first_s, _ = _timed(lambda: hierarchy.search(QUERIES["miss"]))
    index = model.name_index()
    result = {
        "graph": name,
        "names": len(index.names),
        "reader": reader(),
        "prepare_s": prepare_s,
        "first_s": first_s,
        "index_s": min(_timed(lambda: type(index)(model))[0] for _ in range(repeat)),
    }
    for label, query in QUERIES.items():
        regex = label == "regex"
        ours, theirs = [], []
        for _ in range(repeat):
            ours.append(_timed(lambda q=query, r=regex: hierarchy.search(q, regex=r))[0])
            theirs.append(_timed(lambda q=query, r=regex: _per_name(index.names, q, r))[0])
        result[f"{label}_s"] = statistics.median(ours)
        result[f"{label}_per_name_s"] = statistics.median(theirs)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="search only these corpus graphs")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    args = parser.parse_args(argv)
    # The million-op graph too when it has been made.
    big = (CORPUS / "transformer_1m.pb").exists()
    names = args.only or [*DEFAULT_GRAPHS, *(["transformer_1m"] if big else [])]
    if missing_graphs(names):
        return 2
    print("graph | names | reader | prepare | index | first search | hit | miss | regex (per name)")
    for name in names:
        r = bench_graph(name, args.repeat)
        ms = {k: v * 1000 for k, v in r.items() if k.endswith("_s")}
        print(
            f"{name} | {r['names']:,} | {r['reader']} | {ms['prepare_s']:.0f} ms | "
            f"{ms['index_s']:.0f} ms | "
            f"{ms['first_s']:.0f} ms | {ms['hit_s']:.1f} ({ms['hit_per_name_s']:.1f}) | "
            f"{ms['miss_s']:.1f} ({ms['miss_per_name_s']:.1f}) | "
            f"{ms['regex_s']:.1f} ({ms['regex_per_name_s']:.1f}) ms",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
