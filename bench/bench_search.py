"""Search over a graph's names: the first search (the name index made with it) and later ones.

For each corpus graph: the time to ready a graph just read as a server does off the request
path (`Hierarchy.prepare`: the name index made, the NodeDefs compressed), the name index
alone, the first search after that, and medians of later searches (plain texts found and
missed, with and without a "/", and a regular expression), against two anchors over the same
names in the same run: a `str.find` over every name lowered and joined (how plain search
worked before it looked in segments and labels apart; its answers are checked to be the same)
and a test per name (how search worked before any index).

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

QUERIES = {
    "hit": "Relu",
    "miss": "no_such_name_zz",
    "slash hit": "_7/attention",
    "slash miss": "no_such/name_zz",
    "regex": r"(conv|dense|matmul).*\d$",
}


class _JoinedFind:
    """Plain search as one `str.find` over every name lowered and joined: the anchor."""

    def __init__(self, names) -> None:
        from tb_scopegraph.model.search import join

        self.text, self.starts = join([n.lower() for n in names])

    def find(self, query: str, limit: int = 50) -> list[int]:
        from tb_scopegraph.model.search import line_of

        query, found = query.lower(), []
        at = self.text.find(query)
        while at >= 0 and len(found) < limit:
            found.append(line_of(self.starts, at))
            if found[-1] + 1 >= len(self.starts):
                break
            at = self.text.find(query, int(self.starts[found[-1] + 1]))
        return found


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
    joined = _JoinedFind(index.names)
    for label, query in QUERIES.items():
        regex = label == "regex"
        ours, before, theirs = [], [], []
        for _ in range(repeat):
            ours.append(_timed(lambda q=query, r=regex: hierarchy.search(q, regex=r))[0])
            if not regex:
                took, hits = _timed(lambda q=query: joined.find(q))
                before.append(took)
                found = [x["name"] for x in hierarchy.search(query)]
                assert found == [index.names[i] for i in hits], f"{name}: {query!r} differs"
            theirs.append(_timed(lambda q=query, r=regex: _per_name(index.names, q, r))[0])
        result[f"{label}_s"] = statistics.median(ours)
        result[f"{label}_joined_s"] = statistics.median(before) if before else float("nan")
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
    print(
        "graph | names | reader | prepare | index | first search | "
        + " | ".join(QUERIES)
        + " (ms: this / joined find = ratio; per name)"
    )
    for name in names:
        r = bench_graph(name, args.repeat)
        ms = {k: v * 1000 for k, v in r.items() if k.endswith("_s")}
        cells = [
            f"{ms[f'{q}_s']:.2f} / {ms[f'{q}_joined_s']:.2f} = "
            f"{ms[f'{q}_s'] / ms[f'{q}_joined_s']:.2f}; {ms[f'{q}_per_name_s']:.0f}"
            for q in QUERIES
        ]
        print(
            f"{name} | {r['names']:,} | {r['reader']} | {ms['prepare_s']:.0f} ms | "
            f"{ms['index_s']:.0f} ms | {ms['first_s']:.1f} ms | " + " | ".join(cells),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
