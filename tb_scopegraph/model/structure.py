"""Which groups of a graph have the same inner structure: op types and wiring, names aside.

Every group (scope, series, chunk) gets a *structural signature*, a 64-bit hash computed
bottom-up over the scope tree, so that two groups have the same signature when one is a copy
of the other with other names: the residual blocks of a ResNet, the layers of a transformer.

What counts, for a group G whose *members* are its direct ops and direct subgroups:

- each member's own structure: an op's type (attributes such as shapes, dtypes, strides,
  kernel sizes and devices are left out, so blocks of different widths match), a subgroup's
  signature and kind;
- the wiring among members: every edge between two ops of G whose lowest common group is G,
  described by where it leaves and enters (the output slot, the input position, data or
  control, and which op inside a subgroup it leaves or enters, by that op's structural role
  there, never by name);
- the boundary: which members read tensors from outside G (and which of them read the same
  outside tensor: a residual block's input feeds both its first conv and its add), and which
  members' tensors are read outside G (each distinct tensor once, however many readers).

Members are told apart by Weisfeiler-Lehman refinement (each round hashes a member's colour
with its neighbours' colours and edge descriptions), so the signature does not depend on node
order or names: a copy always gets the same signature. Refinement stops when the partition of
members stops growing, or after `ROUNDS` rounds; two different structures could share a
signature only if that refinement cannot tell them apart (highly symmetric wiring), which model
graphs do not show in practice. Everything is hashed from integers (op types through CRC-32),
so signatures and colours are the same in every process.

Computed lazily, once per Hierarchy, on the first structure colouring or scope details.
"""

from __future__ import annotations

import itertools
import threading
import weakref
import zlib
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from tb_scopegraph.model.graph import CHUNK, MISSING, OP, SCOPE, SERIES, GraphModel
from tb_scopegraph.model.groups import Groups
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.layout import Box

#: Groups of fewer ops than this are not reported as blocks (a scope of one op is that op).
MIN_OPS = 2
#: At most this many rounds of refinement per group.
ROUNDS = 6
#: A group's details name at most this many of its identical blocks.
MAX_LISTED = 20

_KIND_CODES = {"root": 1, SCOPE: 2, SERIES: 3, CHUNK: 4}
_MISSING_CODE = zlib.crc32(b"\0missing")


@dataclass(frozen=True)
class Block:
    """One group's class of identical blocks."""

    signature: int
    members: tuple[int, ...]  # group ids, in tree order
    rank: int  # the class's place among repeated classes (biggest blocks first): its colour


class Structures:
    """The signatures of one Hierarchy's groups and the classes of identical blocks."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        model = self._model = hierarchy.graph
        self.signatures = signatures(model)
        groups = model.groups
        # Classes in numpy: a Python dict of lists over the 308,568 groups of the million-op
        # graph took 0.37 s of the 3 s its structures take.
        order = np.asarray(model.order[1:], dtype=np.int64)
        op_count = np.asarray(groups.op_counts, dtype=np.int64)
        order = order[op_count[order] >= MIN_OPS]  # tree order
        signature = np.asarray(self.signatures, dtype=np.int64)[order]
        by_signature = np.argsort(signature, kind="stable")  # tree order within a class
        ordered = signature[by_signature]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, len(ordered)])
        starts, sizes = starts[sizes > 1], sizes[sizes > 1]
        first = by_signature[starts]  # each class's first group, by its place in tree order
        # Biggest blocks first, then the most of them, then the first met.
        ranked = np.lexsort((first, -sizes, -op_count[order[first]]))
        members = order[by_signature].tolist()
        self._block_of: dict[int, Block] = {}
        for rank, c in enumerate(ranked.tolist()):
            start = int(starts[c])
            block_members = tuple(members[start : start + int(sizes[c])])
            block = Block(self.signatures[block_members[0]], block_members, rank)
            self._block_of.update(dict.fromkeys(block_members, block))
        self.classes = len(ranked)

    def block(self, gid: int) -> Block | None:
        """The class of identical blocks that group ``gid`` belongs to, if it has company."""
        return self._block_of.get(gid)

    def details(self, name: str) -> dict:
        """What a group's card says of its structure: signature and its identical blocks."""
        gid = self._model.group_id(name)
        signature = _hex(self.signatures[gid])
        block = self._block_of.get(gid)
        if block is None:
            return {"signature": signature, "identical": 1, "others": [], "more": 0}
        # The first few others only: a 96-layer model's blocks are asked for on every card.
        groups = self._model.groups
        others = (groups[g].key for g in block.members if g != gid)
        keys = list(itertools.islice(others, MAX_LISTED))
        return {
            "signature": signature,
            "identical": len(block.members),
            "others": keys,
            "more": len(block.members) - 1 - len(keys),
        }

    def measure(self, box: Box) -> tuple[int, str] | None:
        """What colouring by structure sees of a box: (class rank, legend text) or None."""
        if box.kind in (OP, MISSING):
            return None
        gid = self._model.group_id(box.name)
        block = None if gid is None else self._block_of.get(gid)
        if block is None:
            return None
        first = self._model.groups[block.members[0]].label
        return block.rank, f"{first} ×{len(block.members)}"


def _hex(signature: int) -> str:
    """A signature as 16 hex digits (signatures are signed: read as unsigned 64 bits).

    >>> _hex(-1), _hex(255)
    ('ffffffffffffffff', '00000000000000ff')
    """
    return f"{signature & (2**64 - 1):016x}"


_cache: weakref.WeakKeyDictionary[Hierarchy, Structures] = weakref.WeakKeyDictionary()
# One lock per hierarchy, so that computing one graph's signatures (a second or more on a
# large graph) never holds up another graph's; `_lock` only guards the two dictionaries.
_locks: weakref.WeakKeyDictionary[Hierarchy, threading.Lock] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def structures(hierarchy: Hierarchy) -> Structures:
    """The structures of ``hierarchy``, computed on first use and kept while it lives."""
    with _lock:
        found = _cache.get(hierarchy)
        if found is not None:
            return found
        own = _locks.setdefault(hierarchy, threading.Lock())
    with own:
        with _lock:
            found = _cache.get(hierarchy)
        if found is None:
            found = Structures(hierarchy)
            with _lock:
                _cache[hierarchy] = found
        return found


def signatures(model: GraphModel) -> list[int]:
    """The structural signature of every group (as signed 64-bit integers).

    ``model`` needs only what a `GraphModel` has of ops, edges and groups (`rolls` passes
    the part of one under a group).

    Worked out one nesting level at a time, deepest first, every group of a level at once in
    numpy: a million-op graph has a million members to colour and a million and a half edges
    to place, which one group at a time in Python took over a minute. Each tuple the module
    docstring describes is hashed by `combine`, and each multiset (what a sorted tuple
    stands for) by adding its items' hashes (`sums`), so that no sort is needed."""
    return _Levels(model).signatures()


class _Level(NamedTuple):
    """One nesting level: its groups, and their members (ops first, then subgroups)."""

    groups: np.ndarray  # group ids
    ops: np.ndarray  # op ids
    kids: np.ndarray  # group ids, one level down
    owner: np.ndarray  # each member's group, by its index in ``groups``


class _Levels:
    """The signatures of one model's groups, worked out level by level (`signatures`)."""

    def __init__(self, model: GraphModel) -> None:
        groups = model.groups
        self.n = n = len(model.op_types)
        n_groups = len(groups)
        if isinstance(groups, Groups):  # a graph's groups: read by column, none made
            self.g_parent = np.asarray(groups.parents, dtype=np.int64)
            self.g_nest = g_nest = np.asarray(groups.nestings, dtype=np.int64)
            kinds = map(_KIND_CODES.__getitem__, groups.kinds)
        else:  # a `rolls.Part`'s few `Group` tuples
            self.g_parent = np.fromiter(map(attrgetter("parent"), groups), np.int64, n_groups)
            g_nest = np.fromiter(map(attrgetter("nesting"), groups), np.int64, n_groups)
            self.g_nest = g_nest
            kinds = map(_KIND_CODES.__getitem__, map(attrgetter("kind"), groups))
        self.g_kind = np.fromiter(kinds, np.uint64, n_groups)
        self.op_parent = op_parent = np.asarray(model.op_group, dtype=np.int64)
        self.op_level = op_level = g_nest[op_parent]  # the nesting of the group holding each op

        self.src = src = np.asarray(model.edge_src, dtype=np.int64)
        self.dst = dst = np.asarray(model.edge_dst, dtype=np.int64)
        self.slot = slot = np.asarray(model.edge_slot, dtype=np.int64)
        self.ctrl = ctrl = np.asarray(model.edge_control, dtype=bool)
        self.inpos = _input_positions(dst)
        self.tensor, self.n_tensors = _tensors(src, slot, ctrl, n_groups)

        self.op_colour = _type_codes(model)
        self.group_colour = np.zeros(n_groups, np.uint64)
        self.signature = np.zeros(n_groups, np.uint64)
        # At each level, for each op as deep as it or deeper: the group of the level that
        # holds it (``held_by``), the member of that group that holds it (``member``: the op
        # itself, or n + a group's id) and its port there (``role``: 0 for the op itself,
        # else its colour in its own group hashed with the colour of each group on the way
        # up, `port` in the module docstring's terms).
        self.held_by = op_parent.copy()
        self.member = np.arange(n, dtype=np.int64)
        self.role = np.zeros(n, np.uint64)
        self.ops_by_level = _by_level(-op_level)
        self.op_levels = -op_level[self.ops_by_level]
        self.groups_by_nest = _by_level(g_nest)
        self.g_nests = g_nest[self.groups_by_nest]
        # Edges are taken up from the level of their deeper end, and dropped at the level of
        # the lowest group that holds both ends, whose wiring they are.
        reach = np.maximum(op_level[src], op_level[dst])
        self.edges_by_reach = _by_level(-reach)
        self.reaches = -reach[self.edges_by_reach]
        self.pending = np.zeros(0, np.int64)
        self.local = np.zeros(n + n_groups, np.int64)  # a member's index in its level
        self.group_local = np.zeros(n_groups, np.int64)  # a group's index in its level

    def signatures(self) -> list[int]:
        """Every group's signature, deepest level first (a group's members are done before
        it, the ops inside them climbed to it)."""
        for level in range(int(self.g_nest.max()), -1, -1):
            self._climb(level)
            self._colour(level)
        return self.signature.view(np.int64).tolist()

    def _climb(self, level: int) -> None:
        """The ops below ``level`` one level up: the group that held them is now a member."""
        n, member, role = self.n, self.member, self.role
        deeper = self.ops_by_level[: np.searchsorted(self.op_levels, -level)]
        inside = member[deeper]
        climbed = deeper[inside >= n]
        role[climbed] = combine(self.group_colour[member[climbed] - n], role[climbed])
        direct = deeper[inside < n]
        role[direct] = self.op_colour[direct]
        member[deeper] = n + self.held_by[deeper]
        self.held_by[deeper] = self.g_parent[self.held_by[deeper]]

    def _level(self, level: int) -> _Level:
        """The groups of ``level`` and their members, numbered within the level."""
        a, b = np.searchsorted(self.g_nests, [level, level + 1])
        groups = self.groups_by_nest[a:b]
        a, b = np.searchsorted(self.g_nests, [level + 1, level + 2])
        kids = self.groups_by_nest[a:b]
        a, b = np.searchsorted(self.op_levels, [-level, -level + 1])
        ops = self.ops_by_level[a:b]
        members = np.concatenate((ops, self.n + kids))
        self.local[members] = np.arange(len(members))
        self.group_local[groups] = np.arange(len(groups))
        owner = self.group_local[np.concatenate((self.op_parent[ops], self.g_parent[kids]))]
        return _Level(groups, ops, kids, owner)

    def _colour(self, level: int) -> None:
        """The colours of the members of the groups of ``level``, and those groups'
        signatures."""
        at = self._level(level)
        local, group_local, member, role = self.local, self.group_local, self.member, self.role
        src, dst, slot, ctrl = self.src, self.dst, self.slot, self.ctrl
        inpos, tensor = self.inpos, self.tensor
        colour = np.concatenate(
            (self.op_colour[at.ops], combine(self.g_kind[at.kids], self.signature[at.kids]))
        )
        size, count = len(colour), len(at.groups)

        a, b = np.searchsorted(self.reaches, [-level, -level + 1])
        pending = np.concatenate((self.pending, self.edges_by_reach[a:b]))
        s, d = src[pending], dst[pending]
        s_in, d_in = self.op_level[s] >= level, self.op_level[d] >= level
        s_group, d_group = self.held_by[s], self.held_by[d]
        wired = s_in & d_in & (s_group == d_group)
        self.pending = pending[~wired]

        # The boundary: what leaves (each distinct tensor once: its group goes with its
        # source) and what comes in (grouped by the outside tensor, so members that read the
        # same input are seen to).
        out = np.flatnonzero(s_in & ~wired)
        out = out[_first_of_each(tensor[pending[out]])]
        e, op = pending[out], s[out]
        out_member, out_group = local[member[op]], group_local[s_group[out]]
        out_desc = combine(role[op], slot[e], ctrl[e])
        into = np.flatnonzero(d_in & ~wired)
        e, op = pending[into], d[into]
        keys, read_tensor, readers = np.unique(
            d_group[into] * self.n_tensors + tensor[e], return_inverse=True, return_counts=True
        )
        in_member = local[member[op]]
        in_desc = combine(role[op], inpos[e], ctrl[e])
        key_group = group_local[keys // self.n_tensors] if len(keys) else keys
        if len(out_member) or len(in_member):
            items = np.concatenate(
                (combine(1, out_desc), combine(2, in_desc, readers[read_tensor]))
            )
            where = np.concatenate((out_member, in_member))
            seen = np.bincount(where, minlength=size) > 0
            colour[seen] = combine(colour[seen], sums(items, where, size)[seen])

        wires = np.flatnonzero(wired)
        e, a, b = pending[wires], s[wires], d[wires]
        wire_from, wire_to = local[member[a]], local[member[b]]
        wire_group = group_local[s_group[wires]]
        wire_desc = combine(role[a], slot[e], role[b], inpos[e], ctrl[e])
        if len(e):
            colour = _refine(colour, at.owner, count, wire_from, wire_to, wire_group, wire_desc)

        self.op_colour[at.ops] = colour[: len(at.ops)]
        self.group_colour[at.kids] = colour[len(at.ops) :]
        readers_seen = sums(combine(colour[in_member], in_desc), read_tensor, len(keys))
        self.signature[at.groups] = combine(
            self.g_kind[at.groups],
            sums(mix(colour), at.owner, count),
            sums(combine(colour[wire_from], wire_desc, colour[wire_to]), wire_group, count),
            sums(mix(readers_seen), key_group, count),
            sums(combine(colour[out_member], out_desc), out_group, count),
        )


def _input_positions(dst: np.ndarray) -> np.ndarray:
    """Each edge's input position: its place among its destination's inputs (edges of one
    destination are stored in input order; a graph's edges come node after node)."""
    if (dst[1:] >= dst[:-1]).all():
        return np.arange(len(dst)) - np.searchsorted(dst, dst, side="left")
    by_dst = np.argsort(dst, kind="stable")
    ordered = dst[by_dst]
    inpos = np.empty(len(by_dst), dtype=np.int64)
    inpos[by_dst] = np.arange(len(by_dst)) - np.searchsorted(ordered, ordered, side="left")
    return inpos


def _refine(
    colour: np.ndarray,
    owner: np.ndarray,
    count: int,
    wire_from: np.ndarray,
    wire_to: np.ndarray,
    wire_group: np.ndarray,
    wire_desc: np.ndarray,
) -> np.ndarray:
    """Members' colours refined by their wiring, each group's until its partition holds (or
    ROUNDS): ``owner`` gives each member's group (of ``count``), the wires' arrays each
    wire's ends, group and description."""
    size = len(colour)
    active = np.zeros(count, dtype=bool)
    active[wire_group] = True
    members = np.flatnonzero(active[owner])
    wires = np.arange(len(wire_from))
    classes = _classes(owner[members], colour[members], count)
    for _ in range(ROUNDS):
        a, b, desc = wire_from[wires], wire_to[wires], wire_desc[wires]
        out_nb = sums(combine(desc, colour[b]), a, size)
        in_nb = sums(combine(desc, colour[a]), b, size)
        colour[members] = combine(colour[members], out_nb[members], in_nb[members])
        refined = _classes(owner[members], colour[members], count)
        active &= refined != classes
        if not active.any():
            break
        classes = refined
        members = members[active[owner[members]]]
        wires = wires[active[wire_group[wires]]]
    return colour


def _classes(owner: np.ndarray, colour: np.ndarray, count: int) -> np.ndarray:
    """How many distinct colours each of ``count`` groups has among its members."""
    return np.bincount(owner[_first_of_each(combine(owner, colour))], minlength=count)


def _first_of_each(keys: np.ndarray) -> np.ndarray:
    """The index of one row of each distinct key (any one: `np.unique`'s first of each
    needs a stable sort, 1.5-2 times slower)."""
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return order[new]


def _by_level(level: np.ndarray) -> np.ndarray:
    """The indices that sort ``level`` (small integers: nesting depths), stably. As 16-bit
    integers numpy sorts them by radix, in linear time: 5-10 times quicker on a million."""
    small = len(level) == 0 or (-(2**15) < int(level.min()) and int(level.max()) < 2**15)
    return np.argsort(level.astype(np.int16) if small else level, kind="stable")


def _tensors(
    src: np.ndarray, slot: np.ndarray, ctrl: np.ndarray, n_groups: int
) -> tuple[np.ndarray, int]:
    """Each edge's tensor (source, slot, control or not) as a number below the second value,
    small enough that a group id times it plus a tensor fits 63 bits (a group's tensors are
    told apart by that, `np.unique` over one number)."""
    if not len(src):
        return np.zeros(0, np.int64), 1
    low = int(slot.min())
    slots = int(slot.max()) - low + 1
    span = (int(src.max()) + 1) * slots * 2
    if span >= 2**62:  # not met in practice (2**31 slots of 2**31 ops)
        rows = np.column_stack((src, slot, ctrl))
        key = np.unique(rows, axis=0, return_inverse=True)[1].reshape(-1)
        return key, int(key.max()) + 1
    key = (src * slots + (slot - low)) * 2 + ctrl
    if n_groups * span < 2**62:  # numbering them costs a sort of every edge: 0.3 s on 1.7M
        return key, span
    key = np.unique(key, return_inverse=True)[1].reshape(-1)
    return key, int(key.max()) + 1


def _type_codes(model: GraphModel) -> np.ndarray:
    """Each op's colour as a member of its group: its op type through CRC-32, the same in
    every process (Python's string hash is not)."""
    op_types = model.op_types
    codes = {t: zlib.crc32(t.encode("utf-8", "surrogatepass")) for t in set(op_types)}
    colour = np.fromiter(map(codes.__getitem__, op_types), np.uint64, len(op_types))
    if isinstance(model, GraphModel):  # a million calls of is_missing take 0.1 s
        colour[model.op_count :] = _MISSING_CODE
    else:
        missing = np.fromiter(map(model.is_missing, range(len(op_types))), bool, len(op_types))
        colour[missing] = _MISSING_CODE
    return colour


# splitmix64's finaliser, and the multiplier that chains a tuple's items.
_M1, _M2, _K = (
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
    np.uint64(0x9E3779B97F4A7C15),
)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix(x: np.ndarray) -> np.ndarray:
    """64 bits scrambled so that every input bit moves about half the output bits."""
    return _mix_in_place(x.astype(np.uint64, copy=True))


def _mix_in_place(x: np.ndarray) -> np.ndarray:
    # In place with one scratch array: the million-op graph hashes arrays of up to 1.5
    # million rows about 300 times, and a new array per step took a quarter more time.
    scratch = x >> _S30
    x ^= scratch
    x *= _M1
    np.right_shift(x, _S27, out=scratch)
    x ^= scratch
    x *= _M2
    np.right_shift(x, _S31, out=scratch)
    x ^= scratch
    return x


def combine(*columns) -> np.ndarray:
    """Each row's tuple of ``columns`` (arrays of one length, or numbers) hashed to 64 bits."""
    h = None
    for column in columns:
        c = np.atleast_1d(np.asarray(column)).astype(np.uint64, copy=False)
        if h is None:
            h = c + _K  # a new array: the columns are never written
        elif h.shape == c.shape or len(c) == 1:
            h *= _K
            h += c
        else:  # a number first, then a column
            h = h * _K + c
        _mix_in_place(h)
    return h


def sums(values: np.ndarray, at: np.ndarray, size: int) -> np.ndarray:
    """The hash of each of ``size`` multisets: the sum (mod 2**64) of the hashes of its
    items, ``values``, item i in multiset ``at[i]``."""
    total = np.zeros(size, np.uint64)
    np.add.at(total, at, values)
    return total
