"""What one view shows: its frames, its boxes, and the graph's edges bundled between boxes.

Every op is drawn by the visible box that holds it (itself, or the closed group it is in; a
closed scope of one op beside an op of its own name is drawn in that op's box).
All op-to-op edges of one kind (data or control) between two visible boxes become one `Edge`
that counts them and names the first few distinct tensors they carry; edges inside one box
are not drawn, except an op's input from itself while that op is visible, and the edges from
one block of a rolled series to the next, which loop back (`rolls`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tb_scopegraph.model import rolls
from tb_scopegraph.model.attrs import dtype_of, shape_of
from tb_scopegraph.model.graph import MISSING, OP, ROOT, SERIES, GraphModel
from tb_scopegraph.model.roles import Roles, folded_into, lone_op, op_aux
from tb_scopegraph.model.views import View
from tb_scopegraph.model.views import opened as view_opened

#: An edge names at most this many of the tensors it carries ...
_TENSORS_NAMED = 8
#: ... looked for among its first this many connections (all are counted).
_TENSORS_SCANNED = 64


@dataclass(frozen=True)
class Box:
    """One visible node: an op, a closed group, or an input that names no node."""

    kind: str
    name: str
    label: str
    op: str
    op_count: int
    cluster: str | None  # key of the open group it is drawn in; None at the top level
    #: What sets it apart from the main flow (`roles.CONSTANT`, `SUMMARY`, `SINK`, `SAVE`),
    #: or "" for a box of the main flow.
    aux: str = ""
    #: A rolled series: how many blocks it holds; the member a rolled series shows: as many.
    rolled: int = 0


@dataclass(frozen=True)
class Cluster:
    """One open group, drawn as a frame around its children."""

    kind: str
    name: str
    label: str
    op_count: int
    parent: str | None
    rolled: int = 0  #: as `Box.rolled`


@dataclass(frozen=True)
class Tensor:
    """One tensor that an edge carries."""

    name: str
    dtype: str
    shape: str


@dataclass(frozen=True)
class Edge:
    """All connections of one kind between two visible boxes, bundled into one edge."""

    src: int  # index into Layout.boxes
    dst: int
    control: bool
    count: int  # op-to-op connections bundled
    tensors: tuple[Tensor, ...]  # the first distinct tensors, at most a few
    tensor_count: int  # distinct tensors in the bundle
    #: A loop-back edge of a rolled series: how many hand-offs between its blocks it draws.
    loop: int = 0


@dataclass(frozen=True)
class Layout:
    """Everything that one view shows, ready to be written as DOT."""

    view: View
    clusters: tuple[Cluster, ...]
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


def layout(model: GraphModel, view: View, roles: Roles | None = None) -> Layout:
    """The clusters, boxes and bundled edges that ``view`` shows; ``roles`` (made once per
    graph) marks the auxiliary boxes."""
    roles = roles or Roles(model)
    groups = model.groups
    opened, rolled = view_opened(model, view)
    n_ops = len(model.names)
    # vis[g]: -1 if the group is open and shown, else the box that holds it.
    vis = np.full(len(groups), -2, dtype=np.int64)
    vis[ROOT] = -1
    for gid in model.order[1:]:
        above = vis[groups[gid].parent]
        vis[gid] = (-1 if gid in opened else n_ops + gid) if above == -1 else above
    rep = vis[model.op_group]
    shown_ops = np.flatnonzero(rep == -1)
    rep[shown_ops] = shown_ops
    folding = rolls.fold(model, rolled, vis, rep) if rolled else None
    times = _times(model, view, opened, rolled)

    clusters = tuple(
        Cluster(
            kind=groups[g].kind,
            name=groups[g].key,
            label=groups[g].label,
            op_count=groups[g].op_count,
            parent=None if groups[g].parent == ROOT else groups[groups[g].parent].key,
            rolled=times.get(g, 0),
        )
        for g in model.order[1:]
        if g in opened
    )
    box_of: dict[int, int] = {}
    boxes: list[Box] = []
    for g in model.order:
        if g not in opened:
            continue
        where = None if g == ROOT else groups[g].key
        shows = rolled.get(g)
        # A closed scope of one op beside an op of its name is drawn in that op's box.
        into = {}
        for child in groups[g].children:
            op = None if child in opened else folded_into(model, child)
            if op is not None:
                into[op] = 1 + groups[child].op_count
                rep[rep == n_ops + child] = op
        for child in groups[g].children:
            if child not in opened and shows in (None, child) and folded_into(model, child) is None:
                box_of[n_ops + child] = len(boxes)
                group = groups[child]
                if (op := lone_op(model, child)) is not None:  # drawn as its op, named below g
                    box = _op_box(model, op, where)
                    label = model.names[op][len(where) + 1 :] if where else model.names[op]
                    boxes.append(replace(box, label=label, op_count=group.op_count))
                    continue
                boxes.append(
                    Box(
                        group.kind,
                        group.key,
                        group.label,
                        "",
                        group.op_count,
                        where,
                        roles.aux(child),
                        times.get(child, 0),
                    )
                )
        for op in groups[g].ops:
            box_of[op] = len(boxes)
            box = _op_box(model, op, where)
            if op in into:
                box = replace(box, op_count=into[op], aux=roles.op_aux(op))
            boxes.append(box)
    edges = _bundle(model, rep, box_of, folding)
    return Layout(replace(view, boxes=len(boxes)), clusters, tuple(boxes), edges)


def _times(
    model: GraphModel, view: View, opened: set[int], rolled: dict[int, int]
) -> dict[int, int]:
    """How many blocks each rolled series drawn (and the member each open one shows) holds."""
    groups = model.groups
    found = {}
    for series, member in rolled.items():
        found[series] = found[member] = len(groups[series].children)
    if view.roll:
        of = rolls.of(model)
        for g in opened:
            for child in groups[g].children:
                group = groups[child]
                if (
                    child not in opened
                    and group.kind == SERIES
                    and group.key not in view.unrolled
                    and of.rollable(child)
                ):
                    found[child] = len(group.children)
    return found


def _op_box(model: GraphModel, op: int, cluster: str | None) -> Box:
    name = model.names[op]
    label = name.rpartition("/")[2] if "/" in name else name
    if model.is_missing(op):
        return Box(MISSING, name, label, "", 0, cluster)
    op_type = model.op_types[op]
    return Box(OP, name, label, op_type, 1, cluster, op_aux(op_type))


def _bundle(
    model: GraphModel, rep: np.ndarray, box_of: dict[int, int], folding: rolls.Folding | None
) -> tuple[Edge, ...]:
    e_src, e_dst, e_slot = model.edge_src, model.edge_dst, model.edge_slot
    if not len(e_src):
        return ()
    src = rep[e_src]
    dst = rep[e_dst]
    # Edges inside one box are not drawn, but an op's input from itself (a self-loop) is,
    # while the op is visible, and so are the loop-back edges of rolled series.
    drawn = (src != dst) | ((e_src == e_dst) & (src == e_src))
    if folding is not None:
        drawn |= folding.loop
    keep = np.flatnonzero(drawn)
    if not len(keep):
        return ()
    width = len(model.names) + len(model.groups)
    keys = (src[keep] * width + dst[keep]) * 2 + model.edge_control[keep]
    # A tensor is told apart by the op that makes it, or, folded, by the op that draws it:
    # the same tensor of twelve folded blocks is one tensor drawn. One that a closed box
    # draws is counted in its own block, and a bundle has as many as its fullest block.
    maker, block = e_src, None
    if folding is not None:
        keys = keys * 2 + folding.loop[keep]
        maker = np.where(src < len(model.names), src, e_src)
        block = np.where(src < len(model.names), -1, folding.block[e_src])
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    edges = []
    for b, key in enumerate(uniq.tolist()):
        loop = 0
        if folding is not None:
            if key & 1:
                at = keep[order[starts[b] : starts[b] + int(counts[b])]]
                loop = len(np.unique(folding.steps[at]))
            key >>= 1
        control = bool(key & 1)
        pair = key >> 1
        s, d = divmod(pair, width)
        members = keep[order[starts[b] : starts[b] + min(int(counts[b]), _TENSORS_SCANNED)]]
        tensors = []
        seen = set()
        for e in members.tolist():
            t = (int(maker[e]), int(e_slot[e]))
            if t not in seen:
                seen.add(t)
                tensors.append((int(e_src[e]), t[1]))
        total = len(seen)
        if block is not None:
            whole = keep[order[starts[b] : starts[b] + int(counts[b])]]
            total = _tensors_drawn(maker[whole], e_slot[whole], block[whole])
        elif counts[b] > _TENSORS_SCANNED:
            whole = keep[order[starts[b] : starts[b] + int(counts[b])]]
            total = len(set(zip(maker[whole].tolist(), e_slot[whole].tolist(), strict=True)))
        edges.append(
            Edge(
                src=box_of[s],
                dst=box_of[d],
                control=control,
                count=int(counts[b]),
                tensors=tuple(
                    _tensor(model, op, slot, control) for op, slot in tensors[:_TENSORS_NAMED]
                ),
                tensor_count=total,
                loop=loop,
            )
        )
    return tuple(edges)


def _tensors_drawn(maker: np.ndarray, slot: np.ndarray, block: np.ndarray) -> int:
    """Distinct tensors of a bundle in a folded view: those of no block, and those of its
    fullest block (the rest are copies of them)."""
    # One int64 per (block, tensor), in bulk: a bundle of a million-op block stack holds tens
    # of thousands of connections, and a set of tuples took 0.9 s of a 1.7 s layout.
    tensor = maker * (int(slot.max()) + 2) + (slot + 1)
    span = int(tensor.max()) + 1
    if (int(block.max()) + 2) * span >= 2**62:
        distinct = set(zip(tensor.tolist(), block.tolist(), strict=True))
        blocks = np.fromiter((b for _, b in distinct), dtype=np.int64, count=len(distinct))
    else:
        blocks = np.unique((block + 1) * span + tensor) // span - 1
    counts = np.bincount(blocks + 1)
    return int(counts[0]) + int(counts[1:].max(initial=0))


def _tensor(model: GraphModel, op: int, slot: int, control: bool) -> Tensor:
    name = model.names[op]
    if control:
        return Tensor("^" + name, "", "")
    return Tensor(f"{name}:{slot}", tensor_dtype(model, op, slot), tensor_shape(model, op, slot))


def tensor_shape(model: GraphModel, op: int, slot: int) -> str:
    """The shape of output ``slot`` of op ``op`` as its NodeDef gives it, or ''."""
    return "" if model.is_missing(op) else shape_of(model.node_def(op), slot)


def tensor_dtype(model: GraphModel, op: int, slot: int) -> str:
    """The dtype of output ``slot`` of op ``op`` as its NodeDef gives it, or ''."""
    return "" if model.is_missing(op) else dtype_of(model.node_def(op), slot)
