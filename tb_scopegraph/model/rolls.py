"""Rolled series: a series of identical blocks drawn once, marked with how many it holds.

A series of scopes (``layer_[0-95]``, see `tree`; Keras blocks, see `kerasblocks`) is
*rollable* when all its members have the same structural signature (`structure`): op types
and wiring alike, names and shapes aside. A view draws a rollable series *rolled* unless it
asks for it unrolled (`View.unrolled`, or ``View.roll`` False for all) or opens two or more of
its members (a trace or a search that reaches into several blocks wants to see them in place):

- closed, it is one box marked ``×96``;
- open, its frame (marked ``×96``) holds one member, the *shown* one: the member the view
  opens, else the first. Every other member is folded onto it: each of their ops is drawn by
  the box that draws its counterpart in the shown member, so that an edge from outside into
  any block enters the shown one, and the edge from one block to the next is drawn as one
  *loop-back* edge from the shown block's end to its start, counted (``×95``).

Counterparts are found group by group, from the members down, only as deep as the view opens
the shown member: children with the same labels pair by label (blocks built by the same code
name their insides alike), others by signature (or op type) and then order.

Whether a series is rollable is worked out for one series at a time, as a view first meets it
(an open series, or a closed one drawn as a box), never for the whole graph. Blocks built by
the same code name their insides alike (``block_3/attn/MatMul``, ``block_0/attn/MatMul``):
when every member has the same names below it, the members are compared through those names
in bulk (op types, the wiring inside, what each reads and feeds outside, as `structure`
counts them): same names and same wiring is a copy, so the signatures would be equal, and a
different wiring under the same names a different block. Otherwise (Keras numbers the
layers of a whole model: ``dense_7`` in one block, ``dense_1`` in the first) the signatures
decide: a group's signature reads only its subtree and the edges that cross its boundary, so
the part under one series, with what it reads and feeds outside as ops of a stand-in root,
gives the same signatures as the whole graph would. On a series of 96 blocks of 599 ops
(57,504 ops) the names take 0.07 s of CPU where the signatures take 0.14 s; on the 100,000
ops of `synthetic_100k`'s 50 blocks, 0.05 s and 0.26 s (bench/README.md, "rolls: what
signatures cost").
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

import numpy as np

from tb_scopegraph.model import pieces
from tb_scopegraph.model.graph import ROOT, SCOPE, SERIES, GraphModel, Group

#: A rolled series of pieces (`pieces`: an optimizer's update per variable) opened by name
#: shows its block open too when the block holds at most this many boxes: closed, it says
#: nothing its series did not. A stack of layers keeps its block closed, as first views show it.
MEMBER_OPENS_WITH = 40
#: A series whose blocks neither share names nor line up op for op is told rollable by
#: signatures only up to this many ops, so that a view waits at most about 0.4 s of CPU for
#: them: they took 0.28-0.83 s of CPU per 100k ops on the corpus's series of 96,000-515,000
#: ops (the most on `transformer_1m`'s 96,210-op `Adam/update_[0-32069]`; series of a few
#: thousand ops take milliseconds), and 2.5-5 times that in wall clock at load 8 on 2 cores.
SIGNATURE_OPS = 50_000


class Rolls:
    """Which series of one graph are rollable, and the signatures that tell it."""

    def __init__(self, model: GraphModel) -> None:
        self.model = model
        self._rollable: dict[int, bool] = {}
        self._signature: dict[int, int] = {}  # group id -> signature, for the parts worked out
        #: Series told rollable by names: its members' ops, one row per member, lined up.
        self._aligned: dict[int, np.ndarray] = {}
        self._by_src: tuple[np.ndarray, np.ndarray] | None = None  # edges by source (`role`)
        self._lock = threading.Lock()

    def rollable(self, gid: int) -> bool:
        """Whether group ``gid`` is a series of scopes that all have one signature."""
        found = self._rollable.get(gid)
        if found is None:
            with self._lock:
                found = self._rollable.get(gid)
                if found is None:
                    found = self._rollable[gid] = self._identical(gid)
        return found

    def count(self, gid: int) -> int:
        """How many members series ``gid`` holds."""
        return len(self.model.groups[gid].children)

    def role(self, op: int) -> tuple:
        """What tells an op from others of its type in a copy: its type, and the types of
        the ops it reads and of those that read it."""
        model = self.model
        if self._by_src is None:
            order = np.argsort(model.edge_src, kind="stable")
            self._by_src = (order, model.edge_src[order])
        order, sorted_src = self._by_src
        types = model.op_types
        src, dst = model.edge_src, model.edge_dst
        ins = range(*np.searchsorted(dst, [op, op + 1]).tolist())  # edges are node by node
        lo, hi = np.searchsorted(sorted_src, [op, op + 1]).tolist()
        return (
            types[op],
            tuple(sorted(types[int(src[e])] for e in ins)),
            tuple(sorted(types[int(dst[e])] for e in order[lo:hi].tolist())),
        )

    def aligned(self, gid: int) -> np.ndarray | None:
        """For a series told rollable by names, its members' ops lined up (row i: member i's
        ops, each column one op and its copies); None for one told by signatures."""
        return self._aligned.get(gid)

    def signature(self, gid: int) -> int:
        """The signature of a group inside a series told rollable by its signatures (0 for
        one told by names: its copies pair by label, not by signature)."""
        return self._signature.get(gid, 0)

    def _identical(self, gid: int) -> bool:
        groups = self.model.groups
        group = groups[gid]
        members = group.children
        if group.kind != SERIES or not members or group.ops:
            return False
        first = groups[members[0]]
        for m in members:
            g = groups[m]
            if g.kind != SCOPE or (g.op_count, g.child_count) != (
                first.op_count,
                first.child_count,
            ):
                return False  # not a copy: no signature needed to tell
        by_name, aligned = _copies_by_name(self.model, members)
        if by_name is not None:
            if by_name:
                self._aligned[gid] = aligned
            return by_name
        if group.op_count > SIGNATURE_OPS:
            return False
        if any(m not in self._signature for m in members):
            # structure reads layouts, which read this module: imported when first needed.
            from tb_scopegraph.model import structure

            part = Part(self.model, gid)
            found = structure.signatures(part)
            self._signature.update(zip(part.group_ids, found[1:], strict=True))
        return len({self._signature[m] for m in members}) == 1


def _copies_by_name(
    model: GraphModel, members: tuple[int, ...]
) -> tuple[bool | None, np.ndarray | None]:
    """Whether groups ``members`` are copies of one another, and their ops lined up, one row
    per member: by the names below them, else in the order they were made (Keras numbers
    the layers of a whole model, so blocks built by one piece of code are named apart but
    made alike). None when neither lines them up: then only signatures can tell."""
    groups, names, types = model.groups, model.names, model.op_types
    per_member = []
    for m in members:
        sub = [m]
        for g in sub:  # breadth first: the list grows as it is walked
            sub.extend(groups.children(g))
        per_member.append([op for g in sub for op in groups.ops(g)])
    by_name = _by_name(model, members, per_member)
    named = by_name is not None
    if named:
        per_member = by_name
    first_types = [types[op] for op in per_member[0]]
    if not named and any([types[op] for op in ops] != first_types for ops in per_member[1:]):
        # Copies made one after another (an optimizer's updates, `pieces`) line up in the
        # order of their ops, whatever groups hold them.
        per_member = [sorted(ops) for ops in per_member]
        first_types = [types[op] for op in per_member[0]]
    if any([types[op] for op in ops] != first_types for ops in per_member[1:]):
        return (False if named else None), None
    dst_sorted = model.edge_dst
    if len(dst_sorted) > 1 and not (dst_sorted[1:] >= dst_sorted[:-1]).all():
        return None, None  # edges not in node order: no input positions to compare
    size, k = len(per_member[0]), len(members)
    aligned = np.asarray(per_member, dtype=np.int64).reshape(k, size)
    everything = aligned.ravel()
    pos = np.full(len(names), -1, dtype=np.int64)
    block = np.full(len(names), -1, dtype=np.int64)
    pos[everything] = np.tile(np.arange(size), k)
    block[everything] = np.repeat(np.arange(k), size)
    src, dst = model.edge_src, model.edge_dst
    # The edges that touch a member, found by a bool column: a byte read an edge end, not
    # the eight of ``block``, for each of the million-op graph's 1.5M edges.
    inside = np.zeros(len(names), dtype=bool)
    inside[everything] = True
    at = np.flatnonzero(inside[src] | inside[dst])
    s, d = src[at], dst[at]
    bs, bd = block[s], block[d]
    ps, pd = pos[s], pos[d]
    slot, ctrl = model.edge_slot[at], model.edge_control[at].astype(np.int64)
    place = at - np.searchsorted(dst_sorted, d, side="left")  # the input's position
    inner = (bs == bd) & (bs >= 0)
    # Under the same names, another wiring is another block; lined up by order, it may be
    # the order that differs.
    differ = (False if named else None), None
    if not _same_rows(bs[inner], k, ps[inner], slot[inner], pd[inner], place[inner], ctrl[inner]):
        return differ
    # What each block reads from outside it, and which of its ops read the same tensor.
    into = (bd >= 0) & ~inner
    reader = pd[into] * (int(place.max(initial=0)) + 1) + place[into]
    tensor = np.column_stack((bd[into], s[into], slot[into]))
    _, which = np.unique(tensor, axis=0, return_inverse=True)
    which = which.ravel()
    first_reader = np.full(int(which.max(initial=-1)) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_reader, which, reader)
    if not _same_rows(bd[into], k, first_reader[which], reader, ctrl[into]):
        return differ
    # What each block feeds outside it, each tensor once.
    out = (bs >= 0) & ~inner
    fed = np.unique(np.column_stack((bs[out], ps[out], slot[out], ctrl[out])), axis=0)
    if not _same_rows(fed[:, 0], k, *fed[:, 1:].T):
        return differ
    return True, aligned


def _by_name(
    model: GraphModel, members: tuple[int, ...], per_member: list[list[int]]
) -> list[list[int]] | None:
    """Each member's ops lined up by their names below the member; None when the members'
    names differ."""
    keys, names = model.groups.keys, model.names
    lined = []
    first = None
    for m, ops in zip(members, per_member, strict=True):
        key = keys[m]
        cut = len(key) + 1
        rel = [names[op] for op in ops]
        if not all(name.startswith(key) for name in rel):
            return None  # gathered from elsewhere (`pieces`): named apart, not below it
        rel = [name[cut:] for name in rel]
        if first is None:
            first = rel
        elif rel != first:
            # The same names in another order: line them up by name.
            if sorted(rel) != sorted(first):
                return None
            by_rel = dict(zip(rel, ops, strict=True))
            ops = [by_rel[r] for r in first]
        lined.append(ops)
    return lined


def _same_rows(block: np.ndarray, k: int, *columns: np.ndarray) -> bool:
    """Whether each of ``k`` blocks has the same rows (``columns``, by ``block``) as the
    first, in any order."""
    counts = np.bincount(block, minlength=k)
    if (counts != counts[0]).any():
        return False
    order = np.lexsort((*reversed(columns), block))
    return all((c[order].reshape(k, -1) == c[order].reshape(k, -1)[0]).all() for c in columns)


class Part:
    """The part of a model under one group, with the ops outside it that its edges reach as
    ops of a stand-in root: what `structure.signatures` reads of a model, no more.

    Group 0 is the stand-in root; group ``i`` (from 1) is ``group_ids[i - 1]`` of the model;
    ops are the part's own (its groups', in group order), then the outside ops.
    """

    def __init__(self, model: GraphModel, top: int) -> None:
        groups = model.groups
        sub = [top]
        for gid in sub:  # breadth first: the list grows as it is walked
            sub.extend(groups.children(gid))
        self.group_ids = sub
        sizes = [len(groups.ops(g)) for g in sub]
        own = np.fromiter(
            (op for g in sub for op in groups.ops(g)), dtype=np.int64, count=sum(sizes)
        )
        inside = np.zeros(len(model.names), dtype=bool)
        inside[own] = True
        src, dst = model.edge_src, model.edge_dst
        keep = np.flatnonzero(inside[src] | inside[dst])
        e_src, e_dst = src[keep], dst[keep]
        outside = np.unique(np.concatenate((e_src[~inside[e_src]], e_dst[~inside[e_dst]])))
        ops = np.concatenate((own, outside))
        new_id = np.full(len(model.names), -1, dtype=np.int64)
        new_id[ops] = np.arange(len(ops))
        self.edge_src, self.edge_dst = new_id[e_src], new_id[e_dst]
        self.edge_slot, self.edge_control = model.edge_slot[keep], model.edge_control[keep]
        self.op_types = tuple(model.op_types[o] for o in own.tolist()) + ("",) * len(outside)
        self._missing = np.ones(len(ops), dtype=bool)
        self._missing[: len(own)] = own >= model.op_count
        number = {g: i for i, g in enumerate(sub, 1)}
        self.op_group = np.concatenate(
            (np.repeat(np.arange(1, len(sub) + 1), sizes), np.zeros(len(outside), np.int64))
        )
        depth = groups[top].nesting - 1
        starts = np.concatenate(([0], np.cumsum(sizes))).tolist()
        made = [Group("", "", "root", -1, (1,), tuple(range(len(own), len(ops))), 0, 0, 0, 0)]
        for i, gid in enumerate(sub):
            g = groups[gid]
            made.append(
                g._replace(
                    parent=0 if gid == top else number[g.parent],
                    children=tuple(number[c] for c in g.children),
                    ops=tuple(range(starts[i], starts[i + 1])),
                    nesting=g.nesting - depth,
                )
            )
        self.groups = tuple(made)
        self.order = tuple(range(len(made)))

    def is_missing(self, op: int) -> bool:
        """Whether op ``op`` of the part is a missing input or outside the part."""
        return bool(self._missing[op])


_cache: weakref.WeakKeyDictionary[GraphModel, Rolls] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def of(model: GraphModel) -> Rolls:
    """The `Rolls` of ``model``, kept while it lives."""
    with _cache_lock:
        found = _cache.get(model)
        if found is None:
            found = _cache[model] = Rolls(model)
        return found


def shown_member(
    model: GraphModel, gid: int, wanted: set[int], unrolled: frozenset[str]
) -> int | None:
    """The member that series ``gid`` shows when drawn rolled (the one ``wanted`` opens,
    else the first); None when it is not drawn rolled."""
    group = model.groups[gid]
    if group.kind != SERIES or group.key in unrolled:
        return None
    opened = [m for m in group.children if m in wanted]
    if len(opened) > 1 or not of(model).rollable(gid):
        return None
    return opened[0] if opened else group.children[0]


def rolled_open(
    model: GraphModel, opened: set[int], wanted: Iterable[int], unrolled: frozenset[str]
) -> dict[int, int]:
    """The open series of a view drawn rolled, each with the member it shows."""
    wanted = set(wanted)
    found = {}
    for gid in opened:
        if gid != ROOT and model.groups[gid].kind == SERIES:
            member = shown_member(model, gid, wanted, unrolled)
            if member is not None:
                found[gid] = member
    return found


class Rolling:
    """What rolled series change in one view being worked out (`views`): which member an
    open series shows, how many boxes a group shows open."""

    def __init__(self, model: GraphModel, unrolled: frozenset[str], roll: bool) -> None:
        self.model, self.unrolled, self.roll = model, unrolled, roll

    def shown_member(self, gid: int, wanted: set[int]) -> int | None:
        if not self.roll:
            return None
        return shown_member(self.model, gid, wanted, self.unrolled)

    def rolled(self, opened: set[int], wanted: set[int]) -> dict[int, int]:
        if not self.roll:
            return {}
        return rolled_open(self.model, opened, wanted, self.unrolled)

    def opened_with(self, wanted: set[int]) -> set[int]:
        """The blocks that open with the series of pieces ``wanted`` opens, drawn rolled (each
        `MEMBER_OPENS_WITH` boxes or fewer, and ``wanted`` opens none of its blocks)."""
        counts, most = self.model.groups.child_counts, MEMBER_OPENS_WITH
        shown = (self.shown_member(g, wanted) for g in wanted & self.model.series_of_pieces)
        return {m for m in shown if m is not None and m not in wanted and counts[m] <= most}

    def shows(self, gid: int) -> int:
        """The boxes group ``gid`` shows open, with nothing in it open."""
        if self.shown_member(gid, set()) is not None:
            return 1
        return self.model.groups[gid].child_count

    def children(self, gid: int) -> tuple[int, ...]:
        """The subgroups group ``gid`` shows open, with nothing in it open."""
        member = self.shown_member(gid, set())
        return self.model.groups[gid].children if member is None else (member,)


class Folding:
    """How a view folds its rolled series: which edges loop back, and how far each does.

    ``loop[e]`` is True for an edge between two members of a rolled series (or of a
    counterpart of one, inside a folded member); ``steps[e]`` then names the pair of members
    it joins (a number unique to that pair), so that a bundle can count its hand-offs.
    ``block[op]`` is the innermost block (member group) of a rolled series, or of a folded
    copy of one, that holds the op (-1: none): the same tensor of several blocks is one
    tensor drawn.
    """

    def __init__(self, loop: np.ndarray, steps: np.ndarray, block: np.ndarray) -> None:
        self.loop = loop
        self.steps = steps
        self.block = block


def fold(model: GraphModel, rolled: dict[int, int], vis: np.ndarray, rep: np.ndarray) -> Folding:
    """Fold the members that rolled series do not show onto the shown ones.

    ``vis`` (per group: -1 when open and shown, else the box holding it) and ``rep`` (per
    op: the op itself when shown, else its box) are those of the view with the folded
    members closed; ``rep`` is changed in place so that each of their ops is drawn by the
    box that draws its counterpart. Innermost series first, so that a counterpart inside a
    folded member of a series rolled within the shown block is already drawn by its own.
    """
    groups = model.groups
    rolls = of(model)
    parent = np.asarray(groups.parents, dtype=np.int64)
    levels = _levels(model)
    counterpart = np.arange(len(groups), dtype=np.int64)
    block = np.full(len(groups), -1, dtype=np.int64)
    copies: dict[int, list[int]] = {}
    for series in sorted(rolled, key=lambda g: groups[g].nesting):
        copies[series] = found = _copies(model, series, rolled, copies)
        for copy in found:
            counterpart[copy] = series
            block[list(groups[copy].children)] = groups[copy].children
    for series in sorted(rolled, key=lambda g: -groups[g].nesting):
        shown = rolled[series]
        aligned = rolls.aligned(series)
        if aligned is not None:
            # Each column is one op and its copies: all drawn as the shown member's is.
            row = groups[series].children.index(shown)
            rep[aligned] = rep[aligned[row]]
        else:
            _walk(model, rolls, series, rolled, vis, rep, counterpart, block, parent, levels)
    for at in levels:
        unset = at[block[at] == -1]
        block[unset] = block[parent[unset]]
    loop, steps = _loops(model, rolled, counterpart, parent)
    return Folding(loop, steps, block[model.op_group])


def _copies(
    model: GraphModel, series: int, rolled: dict[int, int], copies: dict[int, list[int]]
) -> list[int]:
    """Series ``series`` and its copies in the folded members of the rolled series around
    it, found by name (a copy named otherwise is found by `_walk`)."""
    groups = model.groups
    outer = groups[series].parent
    while outer > ROOT and outer not in rolled:
        outer = groups[outer].parent
    if outer <= ROOT:
        return [series]
    tail = groups[series].key[len(groups[rolled[outer]].key) :]
    found = []
    for copy in copies[outer]:
        for member in groups[copy].children:
            gid = model.group_id(groups[member].key + tail)
            if gid is not None and groups[gid].kind == SERIES:
                found.append(gid)
    return found


def _walk(model, rolls, series, rolled, vis, rep, counterpart, block, parent, levels) -> None:
    """Fold one series whose members name their insides differently, group by group:
    children paired by signature (or op type) and order."""
    groups = model.groups
    target = np.full(len(groups), -1, dtype=np.int64)  # group -> box drawing all of it
    shown = rolled[series]
    for member in groups[series].children:
        if member == shown:
            continue
        pairs = [(member, shown)]
        while pairs:
            gk, gr = pairs.pop()
            counterpart[gk] = counterpart[gr]
            if vis[gr] != -1:
                target[gk] = vis[gr]
                continue
            for ok, o_r in _pair_ops(model, rolls, groups[gk].ops, groups[gr].ops):
                rep[ok] = rep[o_r]
            kids = _pair_groups(model, rolls, groups[gk].children, groups[gr].children)
            for ck, cr in kids:
                # A counterpart that is itself a folded member of a series rolled in the
                # shown block stands for that series' shown member.
                up = groups[cr].parent
                if up in rolled:
                    block[ck] = ck
                    cr = rolled[up]
                pairs.append((ck, cr))
    # Everything under a group that one box draws goes to that box.
    for at in levels:
        unset = at[target[at] == -1]
        target[unset] = target[parent[unset]]
    covered = target[model.op_group]
    hit = np.flatnonzero(covered >= 0)
    rep[hit] = covered[hit]


def _loops(
    model: GraphModel, rolled: dict[int, int], counterpart: np.ndarray, parent: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which edges join two members of a rolled series (or of a folded copy of one)."""
    groups = model.groups
    n_edges = len(model.edge_src)
    loop = np.zeros(n_edges, dtype=bool)
    steps = np.full(n_edges, -1, dtype=np.int64)
    # Only edges with both ends under a rolled series can join two of its members.
    under = np.zeros(len(groups), dtype=bool)
    under[list(rolled)] = True
    for at in _levels(model):
        under[at] |= under[parent[at]]
    ga, gb = model.op_group[model.edge_src], model.op_group[model.edge_dst]
    candidates = np.flatnonzero(under[ga] & under[gb] & (ga != gb))
    if not len(candidates):
        return loop, steps
    depth = np.asarray(groups.nestings, dtype=np.int64)
    a, b = ga[candidates], gb[candidates]
    below_a, below_b = a.copy(), b.copy()  # the child of the common group on each side
    while True:
        differ = a != b
        if not differ.any():
            break
        up_a = differ & (depth[a] >= depth[b])
        up_b = differ & ~up_a
        below_a[up_a], a[up_a] = a[up_a], parent[a[up_a]]
        below_b[up_b], b[up_b] = b[up_b], parent[b[up_b]]
    is_rolled = np.zeros(len(groups), dtype=bool)
    is_rolled[list(rolled)] = True
    joins = is_rolled[counterpart[a]] & (below_a != below_b)
    loop[candidates[joins]] = True
    width = len(groups)
    steps[candidates[joins]] = below_a[joins] * width + below_b[joins]
    return loop, steps


def _levels(model: GraphModel) -> list[np.ndarray]:
    """The groups below the root, one nesting level at a time, outermost first."""
    order = np.asarray(model.order, dtype=np.int64)
    depth = np.asarray(model.groups.nestings, dtype=np.int64)[order]
    bounds = np.searchsorted(depth, np.arange(int(depth.max()) + 2)).tolist()
    return [order[a:b] for a, b in zip(bounds[1:-1], bounds[2:], strict=True)]


def _pair_ops(model: GraphModel, rolls: Rolls, ours: tuple, theirs: tuple) -> list[tuple[int, int]]:
    """Ops of two copies of a group, each with its counterpart: by label, else by op type
    and the op types around each (a kernel and a bias are both ``Const``; what reads them
    tells them apart), then order."""
    if not ours:
        return []
    names = model.names
    by_label = {names[o].rpartition("/")[2]: o for o in theirs}
    pairs = [(o, by_label.get(names[o].rpartition("/")[2])) for o in ours]
    if len(by_label) == len(ours) and all(r is not None for _, r in pairs):
        return pairs
    role = rolls.role
    a = sorted(ours, key=lambda o: (role(o), o))
    b = sorted(theirs, key=lambda o: (role(o), o))
    return list(zip(a, b, strict=False))  # a copy has as many


def _pair_groups(
    model: GraphModel, rolls: Rolls, ours: tuple, theirs: tuple
) -> list[tuple[int, int]]:
    """Subgroups of two copies of a group, each with its counterpart."""
    if not ours:
        return []
    groups = model.groups
    by_label = {groups[g].label: g for g in theirs}
    pairs = [(g, by_label.get(groups[g].label)) for g in ours]
    if len(by_label) == len(ours) and all(r is not None for _, r in pairs):
        return pairs
    a = sorted(ours, key=lambda g: (rolls.signature(g), g))
    b = sorted(theirs, key=lambda g: (rolls.signature(g), g))
    return list(zip(a, b, strict=False))


def member_of_rolled(model: GraphModel, gid: int) -> bool:
    """Whether group ``gid`` is a block of a series that views draw rolled."""
    parent = model.groups[gid].parent
    return parent > ROOT and model.groups[parent].kind == SERIES and of(model).rollable(parent)


def card(model: GraphModel, gid: int) -> dict | None:
    """What a group's card says of rolling: for a rollable series, every member it holds;
    for a member of one, the series and how many blocks it holds; else None. Blocks that
    write variables (an optimizer's updates, `pieces`) also name them (``variables``)."""
    groups = model.groups
    group = groups[gid]
    rolls = of(model)
    if group.kind == SERIES and rolls.rollable(gid):
        members = [groups[m].key for m in group.children]
        found = {"series": group.key, "blocks": len(members), "members": members}
        variables = pieces.written(model, list(group.children))
        if any(variables):
            found["variables"] = variables  # what each block updates, member by member
        return found
    if group.parent > ROOT and rolls.rollable(group.parent):
        series = groups[group.parent]
        found = {"series": series.key, "blocks": len(series.children), "member": group.key}
        if variables := pieces.written(model, [gid])[0]:
            found["variables"] = variables
        return found
    return None
