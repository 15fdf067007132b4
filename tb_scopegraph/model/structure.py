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

import threading
import weakref
import zlib
from dataclasses import dataclass

import numpy as np

from tb_scopegraph.model.graph import CHUNK, MISSING, OP, SCOPE, SERIES, GraphModel
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
        by_signature: dict[int, list[int]] = {}
        for gid in model.order[1:]:
            if groups[gid].op_count >= MIN_OPS:
                by_signature.setdefault(self.signatures[gid], []).append(gid)
        repeated = [members for members in by_signature.values() if len(members) > 1]
        position = {gid: i for i, gid in enumerate(model.order)}
        repeated.sort(key=lambda m: (-groups[m[0]].op_count, -len(m), position[m[0]]))
        self._block_of: dict[int, Block] = {}
        for rank, members in enumerate(repeated):
            block = Block(self.signatures[members[0]], tuple(members), rank)
            for gid in members:
                self._block_of[gid] = block
        self.classes = len(repeated)

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
        keys = [self._model.groups[g].key for g in block.members if g != gid]
        return {
            "signature": signature,
            "identical": len(block.members),
            "others": keys[:MAX_LISTED],
            "more": max(0, len(keys) - MAX_LISTED),
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
    """A signature as 16 hex digits (Python's hash is signed: read as unsigned 64 bits).

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
    """The structural signature of every group, children before parents.

    ``model`` needs only what a `GraphModel` has of ops, edges and groups (`rolls` passes
    the part of one under a group)."""
    groups = model.groups
    n = len(model.op_types)
    n_groups = len(groups)
    op_parent = model.op_group.tolist()
    g_parent = [g.parent for g in groups]
    g_depth = [g.nesting for g in groups]
    codes: dict[str, int] = {}
    type_code = []
    for i, op_type in enumerate(model.op_types):
        code = codes.get(op_type)
        if code is None:
            code = codes[op_type] = zlib.crc32(op_type.encode("utf-8", "surrogatepass"))
        type_code.append(_MISSING_CODE if model.is_missing(i) else code)

    src = model.edge_src.tolist()
    dst = model.edge_dst.tolist()
    slot = model.edge_slot.tolist()
    ctrl = model.edge_control.tolist()
    # An edge's input position: its place among its destination's inputs (edges of one
    # destination are stored in input order).
    by_dst = np.argsort(model.edge_dst, kind="stable")
    ordered = model.edge_dst[by_dst]
    place = np.empty(len(by_dst), dtype=np.int64)
    place[by_dst] = np.arange(len(by_dst)) - np.searchsorted(ordered, ordered, side="left")
    inpos = place.tolist()

    # Each edge is wiring inside the lowest group that holds both ends, and crosses the
    # boundary of every group below that on either side. Members are node ids: an op's id,
    # or n + a group's id.
    inner: list[list[tuple[int, int, int]]] = [[] for _ in range(n_groups)]
    leaving: list[list[tuple[int, int]]] = [[] for _ in range(n_groups)]
    entering: list[list[tuple[int, int]]] = [[] for _ in range(n_groups)]
    same = (model.op_group[model.edge_src] == model.op_group[model.edge_dst]).tolist()
    for e, (a, b) in enumerate(zip(src, dst, strict=True)):
        ga = op_parent[a]
        if same[e]:
            inner[ga].append((e, a, b))
            continue
        gb = op_parent[b]
        member_a, member_b = a, b
        while ga != gb:
            if g_depth[ga] >= g_depth[gb]:
                leaving[ga].append((e, member_a))
                member_a, ga = n + ga, g_parent[ga]
            else:
                entering[gb].append((e, member_b))
                member_b, gb = n + gb, g_parent[gb]
        inner[ga].append((e, member_a, member_b))

    op_colour = [0] * n  # each op's final colour in its own group
    group_colour = [0] * n_groups  # each group's final colour in its parent
    signature = [0] * n_groups

    climbed: dict[int, tuple[int, int]] = {}  # op -> (group g, port(op, n + g)) last found

    def port(op: int, member: int) -> int:
        """Which op inside ``member`` an edge ends at, by its structural role there."""
        if member == op:
            return 0
        # Groups are done bottom-up, so each op's ports are asked for going up: go on from
        # the last one (a deep scope path would otherwise be climbed again at every level).
        g, role = climbed.get(op) or (op_parent[op], op_colour[op])
        while n + g != member:
            role = hash((group_colour[g], role))
            g = g_parent[g]
        climbed[op] = (g, role)
        return role

    kind_code = [_KIND_CODES[g.kind] for g in groups]
    for gid in reversed(model.order):
        group = groups[gid]
        kids = group.children
        members = group.ops + tuple(n + c for c in kids) if kids else group.ops
        colour = [type_code[m] for m in group.ops]
        if kids:
            colour += [hash((kind_code[c], signature[c])) for c in kids]
        index = {m: i for i, m in enumerate(members)}
        # The boundary: what leaves (each distinct tensor once) and what comes in (grouped by
        # the outside tensor, so members that read the same input are seen to).
        outs: dict[tuple[int, int, bool], tuple[int, tuple]] = {}
        for e, m in leaving[gid]:
            key = (src[e], slot[e], ctrl[e])
            if key not in outs:
                outs[key] = (index[m], (port(src[e], m), slot[e], ctrl[e]))
        ins: dict[tuple[int, int, bool], list[tuple[int, tuple]]] = {}
        for e, m in entering[gid]:
            key = (src[e], slot[e], ctrl[e])
            ins.setdefault(key, []).append((index[m], (port(dst[e], m), inpos[e], ctrl[e])))
        if outs or ins:
            static: dict[int, list] = {}
            for i, desc in outs.values():
                static.setdefault(i, []).append((1, desc))
            for readers in ins.values():
                for i, desc in readers:
                    static.setdefault(i, []).append((2, desc, len(readers)))
            for i, descs in static.items():
                colour[i] = hash((colour[i], tuple(sorted(descs))))
        wires = [
            (index[a], index[b], (port(src[e], a), slot[e], port(dst[e], b), inpos[e], ctrl[e]))
            for e, a, b in inner[gid]
        ]
        if wires:
            colour = _refine(colour, wires)
        for m, c in zip(members, colour, strict=True):
            if m < n:
                op_colour[m] = c
            else:
                group_colour[m - n] = c
        signature[gid] = hash(
            (
                kind_code[gid],
                tuple(sorted(colour)),
                tuple(sorted([(colour[i], desc, colour[j]) for i, j, desc in wires])),
                tuple(
                    sorted([tuple(sorted([(colour[i], d) for i, d in r])) for r in ins.values()])
                ),
                tuple(sorted([(colour[i], desc) for i, desc in outs.values()])),
            )
        )
    return signature


def _refine(colour: list[int], wires: list[tuple[int, int, tuple]]) -> list[int]:
    """Members' colours refined by their wiring until the partition holds (or ROUNDS)."""
    classes = len(set(colour))
    size = len(colour)
    for _ in range(ROUNDS):
        out_nb: list[list] = [[] for _ in range(size)]
        in_nb: list[list] = [[] for _ in range(size)]
        for i, j, desc in wires:
            out_nb[i].append((desc, colour[j]))
            in_nb[j].append((desc, colour[i]))
        colour = [
            hash((c, tuple(sorted(o)), tuple(sorted(i))))
            for c, o, i in zip(colour, out_nb, in_nb, strict=True)
        ]
        refined = len(set(colour))
        if refined == classes:
            break
        classes = refined
    return colour
