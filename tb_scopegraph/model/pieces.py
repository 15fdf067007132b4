"""Pieces: a scope made of many copies of one small graph gathered into a series of them.

A traced optimizer writes the update of every variable as flat ops of one scope (Keras's
``adam/Sub_2``, ``adam/Mul_1``, ``adam/AssignAddVariableOp`` … for the first variable,
``adam/Sub_6``, ``adam/Mul_5`` … for the next): numbered series of those names
(``Sub_[2-855]``, ``Mul_[3-855]``) cut across the variables and say nothing of what the scope
does. Read by its wiring instead, the scope is a few ops that feed everything (the learning
rate, the iteration counter, the gradients' ``IdentityN``) and, apart from them, one small
graph per variable, all alike.

So, while the tree is built (before `tree` folds numbered siblings), a scope with at least
`CANDIDATE_OPS` ops of its own, and at least as many as in its subscopes (a flat list of ops
with their helpers' scopes, not a model's layers), is split into *pieces*: the weakly
connected parts of the graph of the ops below it, once the *hubs* are set aside (ops joined
to many others: the threshold is tried from the highest degree down, and the one that
gathers the most ops into pieces alike wins). Pieces alike have the same op types wired the
same way and the same inputs from outside them at each op (a hash refined over their
wiring, as `structure` does for groups). When `PIECES_MIN` or more pieces of at least
`PIECE_MIN_OPS` ops are alike and hold `ALIKE_SHARE` of the scope's ops, they become the
members of one series below the scope (``update[1-214]``, members ``update[1]`` …,
"update" when they write variables), which views roll as any series of identical blocks
(`rolls`): one piece drawn for all, the hubs drawn once beside it, opened at once (`rolls`,
`GraphModel.series_of_pieces`). Other pieces of `PIECE_MIN_OPS` ops or more become one scope
each, named after the layer whose variable it trains (``update of tokens_1``), else
``other update``.

The pieces' ops keep their names; their groups move: a scope below the scope whose ops all
fall in one piece moves into that piece whole (keeping its key, so that ``Sub_6`` beside the
op ``Sub_6`` still draws as that op's box); a scope that also holds hubs or other ops stays,
and the piece's ops in it go to a scope of the same label inside the piece. The members
follow the graph's order: ``update[1]`` updates the first variable.
"""

from __future__ import annotations

import numpy as np

from tb_scopegraph.model.graph import SCOPE, SERIES
from tb_scopegraph.model.grouptable import GroupTable

#: A scope is looked at from this many ops of its own (not in subscopes) on.
CANDIDATE_OPS = 24
#: At least this many pieces alike ...
PIECES_MIN = 3
#: ... of at least this many ops each make a series.
PIECE_MIN_OPS = 3
#: ... that hold at least this share of the scope's ops (an optimizer's updates hold 97-99%;
#: a few small look-alikes among a scope's other ops would only scatter them).
ALIKE_SHARE = 0.5
#: Hub thresholds tried per scope (the highest degrees first).
TRIES = 8
#: Rounds of refining the ops' colours over the pieces' wiring.
ROUNDS = 4
#: Op types that write a variable: pieces holding one are "update"s.
WRITES = frozenset(
    {
        "AssignVariableOp",
        "AssignAddVariableOp",
        "AssignSubVariableOp",
        "Assign",
        "AssignAdd",
        "AssignSub",
    }
)


def gather(graph, table: GroupTable, op_parent: np.ndarray, edges) -> set[int]:
    """Gather the pieces of every scope that has them into a series, the new groups added to
    ``table`` and ``op_parent`` changed in place; the series made."""
    n_groups = len(table)
    kinds = table.kinds
    g_parent = table.parents.array()
    own = np.bincount(op_parent, minlength=n_groups)
    candidate = own >= CANDIDATE_OPS
    for gid in np.flatnonzero(candidate).tolist():
        candidate[gid] = kinds[gid] == SCOPE
    if not candidate.any():
        return set()
    op_top = _nearest(g_parent, candidate)[op_parent]
    below = np.bincount(op_top[op_top >= 0], minlength=n_groups)
    # Mostly subscopes: a model's layers, not a flat list of copies.
    candidate &= 2 * own >= below
    if not candidate.any():
        return set()
    op_top = np.where(candidate[np.maximum(op_top, 0)] & (op_top >= 0), op_top, -1)
    src, dst, slot, ctrl = edges
    # Each candidate's ops, and the edges that touch them, found by one sort each: a pass
    # over the million-op graph's ops and edges per candidate took 6 s of CPU.
    ops_of = _runs(op_top)
    top_s, top_d = op_top[src], op_top[dst]
    from_ = _runs(top_s)
    into_ = _runs(np.where(top_d != top_s, top_d, -1))
    local = np.full(len(op_top), -1, dtype=np.int64)
    found = []
    for gid in np.flatnonzero(candidate).tolist():
        ops = ops_of(gid)
        touch = np.concatenate((from_(gid), into_(gid)))
        local[ops] = np.arange(len(ops))
        split = _pieces(ops, local, touch, graph.type_ids, edges)
        local[ops] = -1
        if split is not None:
            found.append((gid, split))
    made = set()
    for gid, (alike, others) in found:
        series = _regroup(gid, alike, others, graph, table, op_parent, edges)
        if series is not None:
            made.add(series)
    return made


def _nearest(g_parent: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """Per group, the nearest candidate at or above it (-1: none)."""
    top = np.where(candidate, np.arange(len(candidate)), -1)
    up = g_parent.copy()
    up[0] = 0
    # Pointer jumping: after k rounds each group has looked 2**k levels up.
    reach = up
    while True:
        unset = top == -1
        above = top[reach]
        fill = unset & (above >= 0)
        top[fill] = above[fill]
        nxt = reach[reach]
        if (nxt == reach).all():
            break
        reach = nxt
    return top


def _runs(owner: np.ndarray):
    """A function giving, for a group, the indices whose ``owner`` is that group (sorted)."""
    at = np.flatnonzero(owner >= 0)
    at = at[np.argsort(owner[at], kind="stable")]
    keys = owner[at]

    def of(gid: int) -> np.ndarray:
        a, b = np.searchsorted(keys, [gid, gid + 1]).tolist()
        return at[a:b]

    return of


def _pieces(ops, local, touch, type_ids, edges):
    """The pieces alike among ``ops`` (numbered ``local``; ``touch``: the edges that reach
    them) and the other pieces of `PIECE_MIN_OPS` or more (op ids, each in graph order), or
    None when too few are alike."""
    m = len(ops)
    if m < PIECES_MIN * PIECE_MIN_OPS:
        return None
    src, dst, slot, ctrl = edges
    s, d = local[src[touch]], local[dst[touch]]
    e_slot, e_ctrl = slot[touch], ctrl[touch].astype(np.int64)
    inpos = touch - np.searchsorted(dst, dst[touch], side="left")  # edges node by node
    inner = (s >= 0) & (d >= 0) & (s != d)
    a, b = np.minimum(s[inner], d[inner]), np.maximum(s[inner], d[inner])
    pairs = np.unique(a * m + b)
    degree = np.bincount(pairs // m, minlength=m) + np.bincount(pairs % m, minlength=m)
    levels = np.unique(degree[degree >= PIECES_MIN])[::-1][:TRIES]
    best, best_ops = None, 0
    for threshold in [np.inf, *levels.tolist()]:
        hub = degree >= threshold
        label = _components(m, s, d, inner & ~hub[np.maximum(s, 0)] & ~hub[np.maximum(d, 0)])
        found = _alike(label, hub, type_ids[ops], s, d, e_slot, e_ctrl, inpos)
        if found is not None and sum(map(len, found[0])) > best_ops:
            best, best_ops = found, sum(map(len, found[0]))
    if best is None or best_ops < ALIKE_SHARE * m:
        return None
    alike, others = best
    return [ops[p] for p in alike], [ops[p] for p in others]


def _components(m: int, s: np.ndarray, d: np.ndarray, use: np.ndarray) -> np.ndarray:
    """The weakly connected component of each of ``m`` ops (the smallest op id in it),
    joined by the edges ``use`` picks: hooking and pointer jumping, in bulk. (SciPy's
    ``connected_components`` does this, but SciPy is no dependency of this package; these
    numpy passes take about 10 ms per try on 8,000 ops wired as chains.)"""
    label = np.arange(m)
    a, b = s[use], d[use]
    while len(a):
        la, lb = label[a], label[b]
        differ = la != lb
        if not differ.any():
            break
        a, b, la, lb = a[differ], b[differ], la[differ], lb[differ]
        np.minimum.at(label, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            jumped = label[label]
            if (jumped == label).all():
                break
            label = jumped
    return label


def _alike(label, hub, types, s, d, e_slot, e_ctrl, inpos):
    """The biggest set of components alike (by ops covered) and the other components of
    `PIECE_MIN_OPS` ops or more, each as its ops' local ids; None when fewer than
    `PIECES_MIN` of `PIECE_MIN_OPS` ops or more are alike."""
    # structure reads layouts, which read tree, which reads this module: imported here.
    from tb_scopegraph.model.structure import combine, mix, sums

    m = len(label)
    keep = ~hub
    comp = np.where(keep, label, m)  # hubs in one bin of their own, left out below
    sizes = np.bincount(comp, minlength=m + 1)[:m]
    big = np.flatnonzero(sizes >= PIECE_MIN_OPS)
    # Pieces alike are as big as one another: most scopes are told apart here, unhashed.
    if len(big) < PIECES_MIN or np.bincount(sizes[big]).max() < PIECES_MIN:
        return None
    s0, d0 = np.maximum(s, 0), np.maximum(d, 0)
    # An edge inside one component is wiring; any other that reaches one is its boundary.
    within = (s >= 0) & (d >= 0) & keep[s0] & keep[d0] & (comp[s0] == comp[d0])
    into = (d >= 0) & keep[d0] & ~within
    out = (s >= 0) & keep[s0] & ~within
    colour = combine(
        types,
        np.bincount(d[into], weights=1 + inpos[into] * 2 + e_ctrl[into], minlength=m),
        np.bincount(s[out], minlength=m),
    )
    ws, wd = s[within], d[within]
    desc = combine(e_slot[within], inpos[within], e_ctrl[within])
    for _ in range(ROUNDS):
        colour = combine(
            colour,
            sums(combine(desc, colour[wd]), ws, m),
            sums(combine(desc, colour[ws]), wd, m),
        )
    members = np.flatnonzero(keep)
    signature = combine(sums(mix(colour[members]), comp[members], m), sizes)
    keys, inverse, counts = np.unique(signature[big], return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    size = np.zeros(len(keys), dtype=np.int64)
    size[inverse] = sizes[big]
    covered = counts * size
    covered = np.where(counts >= PIECES_MIN, covered, 0)
    if not covered.max(initial=0):
        return None
    alike = inverse == int(np.argmax(covered))
    return _ops_of(comp, big[alike]), _ops_of(comp, big[~alike])


def _ops_of(comp: np.ndarray, chosen: np.ndarray) -> list[np.ndarray]:
    """The ops of each component of ``chosen``, in order of their first op."""
    in_chosen = np.zeros(len(comp) + 1, dtype=bool)
    in_chosen[chosen] = True
    at = np.flatnonzero(in_chosen[comp])
    at = at[np.lexsort((at, comp[at]))]
    bounds = np.flatnonzero(np.r_[True, comp[at][1:] != comp[at][:-1]])
    found = np.split(at, bounds[1:]) if len(at) else []
    return sorted(found, key=lambda p: int(p[0]))


def _regroup(gid, alike, others, graph, table: GroupTable, op_parent, edges):
    """Make the series of the pieces ``alike`` below scope ``gid``, a scope for each of the
    ``others``, and move the pieces' ops and scopes into them; the series (None: nothing
    made)."""
    keys, labels, parents = table.keys, table.labels, table.parents
    pieces = alike + others
    piece_of = np.full(len(op_parent), -1, dtype=np.int64)
    for k, piece in enumerate(pieces):
        piece_of[piece] = k
    # Which piece each group below gid holds whole (-1: none, or mixed).
    below = _subtree(gid, parents.array())
    held: dict[int, set[int]] = {g: set() for g in below}
    op_ids = np.flatnonzero(np.isin(op_parent, below))
    op_groups = op_parent[op_ids].tolist()
    for g, k in zip(op_groups, piece_of[op_ids].tolist(), strict=True):
        held[g].add(k)
    for g in reversed(below[1:]):
        held[parents[g]] |= held[g]
    if any(len(held[g]) > 1 and -1 not in held[g] for g in below[1:]):
        return None  # a scope holding ops of several pieces and nothing else would be left empty
    whole = {g: next(iter(held[g])) if len(held[g]) == 1 else -1 for g in below}
    n = len(alike)
    writes = any(graph.types[t] in WRITES for t in graph.type_ids[pieces[0]].tolist())
    word = "update" if writes else "piece"
    new_group = table.new

    base = keys[gid]
    series = new_group(f"{base}/{word}[1-{n}]", f"{word}[1-{n}]", SERIES, gid)
    member = [0] * len(pieces)
    # In the graph's order (`_ops_of`): the first variable's update is the first.
    for k in range(n):
        label = f"{word}[{k + 1}]"
        member[k] = new_group(f"{keys[series]}/{label}", label, SCOPE, series)
    inside = np.zeros(len(op_parent), dtype=bool)
    inside[op_ids] = True
    for i, k in enumerate(range(n, len(pieces)), 1):
        trains = _layer_trained(graph, edges, pieces[k], inside)
        if trains:
            label = f"{word} of {trains}"
        else:
            label = f"other {word}" + (f" {i}" if len(others) > 1 else "")
        member[k] = new_group(f"{base}/{label}", label, SCOPE, gid)
    mirror: dict[tuple[int, int], int] = {}

    def place(g: int, k: int) -> int:
        """The group in piece k's member standing for group g below the scope."""
        if g == gid:
            return member[k]
        found = mirror.get((g, k))
        if found is None:
            up = place(parents[g], k)
            found = mirror[g, k] = new_group(f"{keys[up]}/{labels[g]}", labels[g], SCOPE, up)
        return found

    for g in below[1:]:
        k = whole[g]
        if k >= 0 and whole[parents[g]] != k:
            parents[g] = place(parents[g], k)  # moves whole, with its key
    for op in np.flatnonzero(piece_of >= 0).tolist():
        g = int(op_parent[op])
        if whole[g] == -1:
            op_parent[op] = place(g, int(piece_of[op]))
    return series


def _layer_trained(graph, edges, piece: np.ndarray, inside: np.ndarray) -> str:
    """The layer whose one variable a piece writes: the last name of the scope holding the
    ops that read it outside the scope being split (``inside``): ``tokens_1`` for an
    embedding's table read by ``tokens_1/GatherV2`` and ``tokens_1/Shape``; "" when the piece
    trains no such variable, or several."""
    src, dst, _, ctrl = edges
    own = set(piece.tolist())
    handles = set()
    for op in piece.tolist():
        if graph.types[graph.type_ids[op]] in WRITES:
            first = int(np.searchsorted(dst, op))  # edges come node by node, in input order
            if first < len(dst) and dst[first] == op and not ctrl[first]:
                handles.add(int(src[first]))
    layers = set()
    for h in handles - own:
        readers = dst[src == h]
        outside = readers[~inside[readers]].tolist()
        if outside:
            ops = _read_paths([graph.names[r] for r in sorted(outside)])
            layers.add(_common([op.rpartition("/")[0] for op in ops]).rpartition("/")[2])
    return layers.pop() if len(layers) == 1 else ""


def _subtree(gid: int, parents: np.ndarray) -> list[int]:
    """Group ``gid`` and every group below it, breadth first."""
    children: dict[int, list[int]] = {}
    for g, p in enumerate(parents.tolist()):
        children.setdefault(p, []).append(g)
    found = [gid]
    for g in found:  # the list grows as it is walked
        found.extend(c for c in children.get(g, ()) if c != g)
    return found


def written(model, gids: list[int]) -> list[list[str]]:
    """For each group of ``gids``, the variables that the ops below it write: the handles
    that the first input of each of their `WRITES` ops names, outside the group. A handle
    the model reads too (outside the scope that holds the update) is a variable the update
    trains, named as the op reading it is (`variable_name`); those it alone reads (the
    optimizer's moments) are left out when there are such, else named as they are."""
    groups, types, names = model.groups, model.op_types, model.names
    src, dst = model.edge_src, model.edge_dst
    found: list[list[int]] = []
    for gid in gids:
        sub = [gid]
        for g in sub:  # breadth first: the list grows as it is walked
            sub.extend(groups.children(g))
        ops = [op for g in sub for op in groups.ops(g)]
        inside = set(ops)
        handles = []
        for op in ops:
            if types[op] in WRITES:
                first = int(np.searchsorted(dst, op))  # edges come node by node, in input order
                if first < len(dst) and dst[first] == op and not model.edge_control[first]:
                    source = int(src[first])
                    if source not in inside:
                        handles.append(source)
        found.append(list(dict.fromkeys(handles)))
    every = sorted({h for each in found for h in each})
    if not every:
        return [[] for _ in gids]
    # Who reads each handle, in one pass over the edges for all the groups.
    reads = np.flatnonzero(np.isin(src, np.asarray(every, dtype=src.dtype)))
    readers: dict[int, list[int]] = {}
    for h, reader in zip(src[reads].tolist(), dst[reads].tolist(), strict=True):
        readers.setdefault(h, []).append(reader)
    out = []
    for gid, handles in zip(gids, found, strict=True):
        holder = groups.parents[gid]
        if groups.kinds[holder] == SERIES:
            holder = groups.parents[holder]
        model_reads = []
        for h in handles:
            outside = [r for r in readers.get(h, ()) if not _below(model, r, holder)]
            if outside:
                model_reads.append(variable_name([names[r] for r in sorted(outside)]))
        out.append(list(dict.fromkeys(model_reads)) or [names[h] for h in handles])
    return out


def variable_name(readers: list[str]) -> str:
    """A variable named as the model reads it: the op reading its handle, less the
    ``ReadVariableOp`` TF names that op (``resnet50_1/conv1_conv_1/convolution`` for
    ``…/convolution/ReadVariableOp``, where the handle is ``…/ReadVariableOp/resource``); read
    by several, the scope holding them all (an embedding's table, read by its lookup and its
    shape: ``tokens_1``), else the first.

    >>> variable_name(["model/dense/MatMul/ReadVariableOp"]), variable_name(["m/Read_1"])
    ('model/dense/MatMul', 'm/Read_1')
    >>> variable_name(["t/tokens_1/Shape/ReadVariableOp", "t/tokens_1/GatherV2/ReadVariableOp"])
    't/tokens_1'
    """
    paths = _read_paths(readers)
    return _common(paths) or paths[0]


def _read_paths(readers: list[str]) -> list[str]:
    """The ops reading a variable, each less the ``ReadVariableOp`` that reads it for them."""
    paths = []
    for reader in readers:
        head, slash, last = reader.rpartition("/")
        paths.append(head if slash and head and last.split("_")[0] == "ReadVariableOp" else reader)
    return paths


def _common(paths: list[str]) -> str:
    """The longest scope path (``/``-separated) that begins every one of ``paths``."""
    common = paths[0].split("/")
    for path in paths[1:]:
        parts = path.split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/".join(common)


def _below(model, op: int, gid: int) -> bool:
    """Whether op ``op`` is in group ``gid`` or below it."""
    parents = model.groups.parents
    group = int(model.op_group[op])
    while group > 0 and group != gid:
        group = int(parents[group])
    return group == gid
