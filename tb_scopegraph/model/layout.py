"""What one view shows: its frames, its boxes, and the graph's edges bundled between boxes.

Every op is drawn by the visible box that holds it (itself, or the closed group it is in; a
closed scope of one op beside an op of its own name is drawn in that op's box).
All op-to-op edges of one kind (data or control) between two visible boxes become one `Edge`
that counts them and names the first few distinct tensors they carry; edges inside one box
are not drawn, except an op's input from itself while that op is visible, and the edges from
one block of a rolled series to the next, which loop back (`rolls`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

import numpy as np

from tb_scopegraph.model import rolls
from tb_scopegraph.model.attrs import dtype_of, shape_of
from tb_scopegraph.model.graph import MISSING, OP, ROOT, SERIES, GraphModel
from tb_scopegraph.model.roles import Roles, folded_into, lone_op
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
    vis = _visible(model, opened)
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
                    box = _op_box(model, op, where, roles)
                    # Named below g (cut one character after its key: a Keras block's
                    # layers are named after it, `kerasblocks`), else from the scope down:
                    # a scope gathered into a Keras stem or a piece (`pieces`) is not named
                    # after the group that holds it, and one made for a piece holds an op
                    # named below another scope.
                    name = model.names[op]
                    if not where or name.startswith(where):
                        label = name[len(where) + 1 :] if where else name
                    elif name.startswith(group.key + "/"):
                        label = group.label + name[len(group.key) :]
                    else:
                        label = f"{group.label}/{name.rpartition('/')[2]}"
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
            box = _op_box(model, op, where, roles)
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


def _op_box(model: GraphModel, op: int, cluster: str | None, roles: Roles) -> Box:
    name = model.names[op]
    label = name.rpartition("/")[2] if "/" in name else name
    if model.is_missing(op):
        return Box(MISSING, name, label, "", 0, cluster)
    return Box(OP, name, label, model.op_types[op], 1, cluster, roles.own_aux(op))


def _visible(model: GraphModel, opened: set[int]) -> np.ndarray:
    """Per group: -1 if it is open and shown, else the box that holds it (``len(names) +``
    the closed group drawn). Worked out one nesting level at a time: a loop over the groups
    took 0.12 s of CPU on the million-op graph's 309k groups, this takes a few ms."""
    parents, levels = _group_levels(model)
    is_open = np.zeros(len(parents), dtype=bool)
    is_open[np.fromiter(opened, dtype=np.int64, count=len(opened))] = True
    vis = np.empty(len(parents), dtype=np.int64)
    vis[ROOT] = -1
    n_ops = len(model.names)
    for ids in levels:
        above = vis[parents[ids]]
        vis[ids] = np.where(above == -1, np.where(is_open[ids], -1, n_ops + ids), above)
    return vis


_levels_of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _group_levels(model: GraphModel) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every group's parent, and the groups below the root by nesting level (made once per
    model)."""
    found = _levels_of.get(model)
    if found is None:
        parents = np.asarray(model.groups.parents)
        nesting = np.asarray(model.groups.nestings)
        by_level = np.argsort(nesting, kind="stable")
        bounds = np.searchsorted(nesting[by_level], np.arange(1, int(nesting.max()) + 2))
        levels = [by_level[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        found = _levels_of[model] = (parents, levels)
    return found


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
    # From here on, arrays are over the edges drawn (positions in `keep`).
    n_ops = len(model.names)
    width = n_ops + len(model.groups)
    src, origin, slot = src[keep], e_src[keep], e_slot[keep]
    keys = (src * width + dst[keep]) * 2 + model.edge_control[keep]
    # A tensor is told apart by the op that makes it, or, folded, by the op that draws it:
    # the same tensor of twelve folded blocks is one tensor drawn. One that a closed box
    # draws is counted in its own block, and a bundle has as many as its fullest block.
    maker, block = origin, None
    if folding is not None:
        keys = keys * 2 + folding.loop[keep]
        inside = src < n_ops
        maker = np.where(inside, src, origin)
        block = np.where(inside, -1, folding.block[origin])
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).tolist()
    totals = _tensor_totals(inverse.ravel(), maker, slot, block, len(uniq))
    edges = []
    for b, key in enumerate(uniq.tolist()):
        count = int(counts[b])
        at = order[starts[b] : starts[b] + count]
        loop = 0
        if folding is not None:
            if key & 1:
                loop = len(np.unique(folding.steps[keep[at]]))
            key >>= 1
        control = bool(key & 1)
        s, d = divmod(key >> 1, width)
        members = at[:_TENSORS_SCANNED]
        tensors = []
        seen = set()
        for m, o, t_slot in zip(
            maker[members].tolist(), origin[members].tolist(), slot[members].tolist(), strict=True
        ):
            if (m, t_slot) not in seen:
                seen.add((m, t_slot))
                tensors.append((o, t_slot))
        edges.append(
            Edge(
                src=box_of[s],
                dst=box_of[d],
                control=control,
                count=count,
                tensors=tuple(
                    _tensor(model, op, t_slot, control) for op, t_slot in tensors[:_TENSORS_NAMED]
                ),
                tensor_count=int(totals[b]),
                loop=loop,
            )
        )
    return tuple(edges)


def _tensor_totals(
    bundle: np.ndarray, maker: np.ndarray, slot: np.ndarray, block: np.ndarray | None, n: int
) -> np.ndarray:
    """How many distinct tensors each of ``n`` bundles carries (``bundle``: the bundle of each
    edge drawn): in a folded view, those of no block and those of its fullest block (the
    rest are copies of them).

    One int64 per (bundle, block, tensor), in bulk: a bundle of a million-op graph holds
    hundreds of thousands of connections, and a set of tuples per bundle took 0.2 s."""
    slots = int(slot.max()) + 2  # slots from -1 (control)
    span = (int(maker.max()) + 1) * slots  # tensor ids are below this
    blocks = 1 if block is None else int(block.max()) + 2
    if n * blocks * span >= 2**62:  # past int64 (outputs numbered past 18 digits): as tuples
        found = []
        for b in range(n):
            at = bundle == b
            if block is not None:
                found.append(_tensors_drawn(maker[at], slot[at], block[at]))
            else:
                found.append(len(set(zip(maker[at].tolist(), slot[at].tolist(), strict=True))))
        return np.asarray(found, dtype=np.int64)
    tensor = maker * slots + (slot + 1)
    pair = bundle * blocks + (0 if block is None else block + 1)
    distinct = _distinct(pair * span + tensor) // span  # one per (bundle, block, tensor)
    if block is None:
        return np.bincount(distinct, minlength=n)
    # `distinct` is sorted: each (bundle, block) is a run of it.
    first = np.flatnonzero(np.concatenate(([True], distinct[1:] != distinct[:-1])))
    pairs, per_pair = distinct[first], np.diff(np.append(first, len(distinct)))
    owner, within = np.divmod(pairs, blocks)
    none = within == 0
    totals = np.bincount(owner[none], weights=per_pair[none], minlength=n).astype(np.int64)
    fullest = np.zeros(n, dtype=np.int64)
    np.maximum.at(fullest, owner[~none], per_pair[~none])
    return totals + fullest


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted. NumPy's `unique` hashes instead of sorting here: 0.29 s
    for half a million int64 where a sort takes 0.03 s."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


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
