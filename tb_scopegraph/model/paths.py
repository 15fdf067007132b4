"""Every path into an op (or out of it), a few hops deep, and the view that shows it.

A trace walks the graph's edges breadth-first from one op: against their direction for its
inputs, along it for its outputs, ``depth`` hops at most. The ops it reaches are on a path
of at most that many hops into (or out of) the op. The view that shows them opens the scopes
those ops sit in, nearest ops first, within bounds: a huge fan-in (a training graph's last
op reads thousands) neither reaches more than `MAX_OPS` ops nor opens more than `MAX_OPEN`
groups, nor grows the view past `MAX_BOXES` boxes. Ops whose scopes stay closed are shown
by the closed box that holds them.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from tb_scopegraph.errors import InvalidQuery, InvalidView, NotFound
from tb_scopegraph.model.graph import MISSING, OP
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import lone_op
from tb_scopegraph.model.views import MAX_NESTING

DIRECTIONS = ("in", "out", "both")
#: The most hops a trace may take.
MAX_DEPTH = 100
#: A trace stops once it has reached this many ops.
MAX_OPS = 2000
#: A trace opens at most this many groups beyond those already open.
MAX_OPEN = 40
#: ... and stops opening before its view shows more boxes than this (Graphviz lays out a few
#: hundred boxes in about a second; `hierarchy.MAX_BOXES` is the hard bound of any view).
MAX_BOXES = 400


@dataclass(frozen=True)
class Trace:
    """The ops on the paths into or out of one op, and the view that shows them."""

    name: str
    direction: str
    depth: int  # hops asked for
    reached: int  # hops the paths actually run (fewer when the graph ends sooner)
    ops: tuple[str, ...]  # the op itself first, then by distance
    complete: bool  # False when MAX_OPS cut the walk short
    open: frozenset[str]  # the groups of the view that shows the trace
    boxes: tuple[tuple[str, str], ...]  # (kind, name) of the visible boxes holding its ops
    origin: tuple[str, str]  # the visible box holding the op itself
    closed: int  # groups the paths run through that were left closed by the bounds

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "direction": self.direction,
            "depth": self.depth,
            "reached": self.reached,
            "ops": list(self.ops),
            "op_count": len(self.ops),
            "complete": self.complete,
            "open": sorted(self.open),
            "boxes": [{"kind": k, "name": n} for k, n in self.boxes],
            "origin": {"kind": self.origin[0], "name": self.origin[1]},
            "closed": self.closed,
            "limits": {"ops": MAX_OPS, "open": MAX_OPEN, "boxes": MAX_BOXES},
        }


def trace(
    hierarchy: Hierarchy,
    name: str,
    direction: str = "in",
    depth: int = 3,
    open: frozenset[str] | tuple[str, ...] = (),
    control: bool = False,
    expand: bool = True,
) -> Trace:
    """The paths of at most ``depth`` hops into (``in``), out of (``out``) or through
    (``both``) op ``name``, over data edges (and control edges with ``control``).

    The view starts from the groups in ``open``; with ``expand`` it opens those the paths run
    through, within the bounds.
    """
    if direction not in DIRECTIONS:
        raise InvalidQuery(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if not 0 <= depth <= MAX_DEPTH:
        raise InvalidQuery(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    start = hierarchy.graph.op_id(name)
    if start is None:
        raise NotFound(f"no op {name!r} in this graph")
    walks = ("in", "out") if direction == "both" else (direction,)
    order: dict[int, None] = {start: None}
    reached = 0
    complete = True
    for way in walks:
        found, hops, whole = _walk(hierarchy, start, way, depth, control, MAX_OPS - len(order))
        order.update(dict.fromkeys(found))
        reached = max(reached, hops)
        complete = complete and whole
    ops = list(order)
    base = hierarchy.view(open=open)
    opened = set(base.open)
    wanted = _scopes_for(hierarchy, ops, opened) if expand else []
    opened |= set(_fit(hierarchy, opened, wanted))
    boxes: dict[tuple[str, str], None] = {}
    left_closed: set[int] = set()
    for op in ops:
        box, closed = _visible_box(hierarchy, op, opened)
        boxes[box] = None
        left_closed.update(closed)
    names = hierarchy.graph.names
    return Trace(
        name=name,
        direction=direction,
        depth=depth,
        reached=reached,
        ops=tuple(names[op] for op in ops),
        complete=complete,
        open=frozenset(opened),
        boxes=tuple(boxes),
        origin=_visible_box(hierarchy, start, opened)[0],
        closed=len(left_closed),
    )


def _walk(
    h: Hierarchy, start: int, way: str, depth: int, control: bool, room: int
) -> tuple[list[int], int, bool]:
    """Ops within ``depth`` hops of ``start`` (not itself), nearest first, at most ``room``;
    the hops reached and whether the walk was complete."""
    indptr, targets = _adjacency(h, way, control)
    seen = np.zeros(len(indptr) - 1, dtype=bool)
    seen[start] = True
    frontier = np.asarray([start], dtype=np.int64)
    found: list[int] = []
    hops = 0
    while len(frontier) and hops < depth:
        lo, hi = indptr[frontier], indptr[frontier + 1]
        sizes = hi - lo
        if not sizes.sum():
            break
        # The targets of every frontier op, in one gather.
        offsets = np.repeat(lo - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        step = targets[offsets]
        step = step[~seen[step]]
        _, first = np.unique(step, return_index=True)
        step = step[np.sort(first)]
        if not len(step):
            break
        hops += 1
        if len(step) > room - len(found):
            found.extend(step[: max(0, room - len(found))].tolist())
            return found, hops, False
        seen[step] = True
        found.extend(step.tolist())
        frontier = step
    return found, hops, True


_adjacencies: weakref.WeakKeyDictionary[Hierarchy, dict] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _adjacency(h: Hierarchy, way: str, control: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per op, the ops one hop away (inputs or consumers), as CSR arrays; kept per graph."""
    with _lock:
        kept = _adjacencies.setdefault(h, {})
        found = kept.get((way, control))
        if found is not None:
            return found
        model = h.graph
        keep = np.ones(len(model.edge_src), dtype=bool) if control else ~model.edge_control
        frm, to = (
            (model.edge_dst, model.edge_src) if way == "in" else (model.edge_src, model.edge_dst)
        )
        frm, to = frm[keep], to[keep]
        order = np.argsort(frm, kind="stable")
        indptr = np.searchsorted(frm[order], np.arange(len(model.names) + 1)).astype(np.int64)
        found = kept[(way, control)] = (indptr, to[order])
        return found


def _chain(h: Hierarchy, op: int) -> list[int]:
    """The groups that hold ``op``, outermost first (the root left out)."""
    chain = []
    gid = int(h.graph.op_group[op])
    while gid > 0:
        chain.append(gid)
        gid = h.graph.groups[gid].parent
    return chain[::-1]


def _scopes_for(h: Hierarchy, ops: list[int], opened: set[str]) -> list[str]:
    """The groups to open to show ``ops``, in the order the ops come (nearest first)."""
    wanted: dict[str, None] = {}
    for op in ops:
        for gid in _chain(h, op):
            group = h.graph.groups[gid]
            if group.nesting > MAX_NESTING:
                break
            key = group.key
            if key not in opened:
                wanted[key] = None
        if len(wanted) > MAX_OPEN:
            break
    return list(wanted)


def _fit(h: Hierarchy, opened: set[str], wanted: list[str]) -> list[str]:
    """The longest start of ``wanted`` (at most MAX_OPEN) whose view stays within MAX_BOXES
    boxes (or within the view already open, when that is larger)."""
    bound = max(MAX_BOXES, h.view(open=opened).boxes)

    def fits(k: int) -> bool:
        try:
            return h.view(open=opened | set(wanted[:k])).boxes <= bound
        except InvalidView:
            return False

    lo, hi = 0, min(len(wanted), MAX_OPEN)
    if not hi or fits(hi):
        return wanted[:hi]
    while lo < hi - 1:  # fits(lo) holds, fits(hi) does not
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return wanted[:lo]


def _visible_box(h: Hierarchy, op: int, opened: set[str]) -> tuple[tuple[str, str], list[int]]:
    """The visible box that holds ``op`` in a view with ``opened`` groups, and the closed
    groups on its way there."""
    chain = _chain(h, op)
    for i, gid in enumerate(chain):
        group = h.graph.groups[gid]
        if group.key not in opened:
            if (lone := lone_op(h.graph, gid)) is not None:  # a closed scope drawn as its op
                return (OP, h.graph.names[lone]), chain[i:]
            return (group.kind, group.key), chain[i:]
    return (MISSING if h.graph.is_missing(op) else OP, h.graph.names[op]), []
