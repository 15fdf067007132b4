"""Each box's rank as dot ranks a drawing, estimated before dot runs: for the drawing's
proportions (`proportions`) and for which of the edges fanned out from one box says the
tensor's shape (`labels.fanned_out`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def ranks(
    n: int, edges: Iterable[tuple[int, int]], same: Iterable[Sequence[int]] = ()
) -> list[int]:
    """Each of ``n`` boxes' rank: the longest path to it over ``edges`` (src, dst), with the
    edges that close a cycle left out (Kahn's order; a box left in a cycle is taken as it
    comes). The boxes of each group in ``same`` share a rank, as dot's ``rank=same``."""
    one = list(range(n))  # each box's stand-in: a box of its group

    def find(b: int) -> int:
        while one[b] != b:
            b = one[b]
        return b

    for group in same:
        for b in group:
            one[find(b)] = find(group[0])
    one = [find(b) for b in range(n)]
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for s, d in edges:
        s, d = one[s], one[d]
        if s != d:
            succ[s].append(d)
            indeg[d] += 1
    rank = [0] * n
    done = [False] * n
    sources = [b for b in range(n) if not indeg[b]]
    ready = list(sources)
    left = n
    nxt = 0
    while left:
        if not ready:
            while done[nxt]:
                nxt += 1
            ready.append(nxt)  # in a cycle: its edges still unmet are the cycle's
        b = ready.pop()
        if done[b]:
            continue
        done[b] = True
        left -= 1
        for d in succ[b]:
            if not done[d]:
                rank[d] = max(rank[d], rank[b] + 1)
                indeg[d] -= 1
                if indeg[d] == 0:
                    ready.append(d)
    # dot draws a source (a constant, a variable) a rank above its first reader, not at the
    # top: so does the estimate.
    for b in sources:
        if succ[b]:
            rank[b] = max(0, min(rank[d] for d in succ[b]) - 1)
    return [rank[one[b]] for b in range(n)]
