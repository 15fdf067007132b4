"""Building a `GraphModel` from what the GraphDef reader found: missing inputs, groups, series.

Each scope path is a group, numbered as the reader numbered the paths (the root ``""`` is
group 0). Then, in bulk with numpy:

- an input that names no node becomes an op of its own (a *missing* input), in the scope its
  name gives;
- Keras layers named after their block (``conv4_block2_1_conv``) are gathered into a scope
  per block (`kerasblocks`);
- a scope made of many copies of one small graph (a traced optimizer's update of each
  variable) is gathered into a series of those copies (`pieces`);
- five or more numbered siblings of one kind (and op type) fold into a *series*
  (``layer_[0-47]``, as TensorBoard folds them);
- a group with more than `MAX_CHILDREN` direct children is split into *chunks*
  (``[part 2 of 3]``, and parts of parts);
- each group's level, nesting and op count are added up, deepest groups first.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from operator import itemgetter

import numpy as np

from tb_scopegraph.model import _nodescan, kerasblocks, pieces, roles
from tb_scopegraph.model._nodescan import parse_input
from tb_scopegraph.model.columns import ints
from tb_scopegraph.model.graph import CHUNK, SCOPE, SERIES, GraphModel
from tb_scopegraph.model.groups import KINDS, Groups
from tb_scopegraph.model.grouptable import GroupTable

#: Numbered siblings fold into one series node from this many members on (as TensorBoard does).
SERIES_MIN = 5
#: A group with more direct children than this is split into chunks of this size.
MAX_CHILDREN = 500
#: A function body keeps up to this many variable handles beside its parts, uncounted: they
#: are boxes of a layout all the same (not drawn), and a view holds at most 1,500 boxes
#: (`views.MAX_BOXES`), with a part's 500 beside them. More are cut with the other ops.
MAX_HANDLES = 1000


def read(graph_def, fast: bool = True) -> _nodescan.Graph:
    """What `_nodescan` reads of a GraphDef, of its bytes, or a copy of what it read before
    (``fast`` False reads in Python even where the C reader is built)."""
    if isinstance(graph_def, _nodescan.Graph):
        # A build grows its list of paths (inputs naming no node, series): a copy, so that
        # what was read can be built again.
        return replace(graph_def, paths=list(graph_def.paths))
    if isinstance(graph_def, (bytes, bytearray, memoryview)):
        return _nodescan.scan_graph(bytes(graph_def), fast)
    return _nodescan.scan_graph(graph_def.SerializeToString(), fast, graph_def)


def build(graph: _nodescan.Graph) -> GraphModel:
    """The model of ``graph`` (its lists are grown: pass a copy to build one read twice)."""
    return _Builder(graph).model()


class _Builder:
    def __init__(self, graph: _nodescan.Graph) -> None:
        self.graph = graph
        self.names = graph.names
        self.types = graph.ops
        self.devices = graph.devices
        self.real = len(graph.names)
        self._add_missing()
        self._build_groups()

    def _add_missing(self) -> None:
        """Edges as arrays; an input that names no node becomes an op of its own."""
        graph = self.graph
        src, slot, ctrl = graph.e_src, graph.e_slot, graph.e_ctrl
        missing: dict[str, int] = {}
        if graph.unresolved:
            src, slot, ctrl = src.copy(), slot.copy(), ctrl.copy()
            scopes = _nodescan.Scopes.of(graph)
            op_path, op_split = [], []
            type_id = len(graph.types)
            if "" in graph.types:
                type_id = graph.types.index("")
            for e, text in graph.unresolved:
                control, name, out = parse_input(text)
                j = missing.get(name)
                if j is None:
                    j = missing[name] = self.real + len(missing)
                    op_path.append(scopes.path(name.rpartition("/")[0]))
                    op_split.append(scopes.split(name.rpartition("/")[2]))
                src[e], slot[e], ctrl[e] = j, out, control
            self.names = self.names.extended(scopes.paths, list(missing), op_path)
            self.types = self.types.extended([""] * len(missing))
            self.devices = self.devices.extended([""] * len(missing))
            graph.op_path = np.concatenate((graph.op_path, np.asarray(op_path, np.int64)))
            graph.type_ids = np.concatenate((graph.type_ids, np.full(len(op_path), type_id)))
            graph.op_prefix = np.concatenate(
                (graph.op_prefix, np.asarray([c for c, _ in op_split], np.int64))
            )
            graph.op_number = np.concatenate(
                (graph.op_number, _nodescan.numbers([n for _, n in op_split]))
            )
            graph.paths = scopes.paths
            graph.path_parent = np.asarray(scopes.parents, dtype=np.int64)
            graph.path_prefix = np.asarray([c for c, _ in scopes.splits], dtype=np.int64)
            graph.path_number = _nodescan.numbers([n for _, n in scopes.splits])
        self.edges = (src, graph.e_dst, slot, ctrl)

    def _build_groups(self) -> None:
        # Each scope path is a group, numbered as the paths are: the root "" is group 0. The
        # groups are made as columns (series and chunks appended), and as objects in one go
        # at the end (`model`).
        graph = self.graph
        keys = graph.paths
        # One string per distinct label (a 96-layer model repeats each 96 times and more),
        # made without a Python call per key (300k keys on a million ops).
        distinct: dict[str, str] = {}
        parts = list(map(itemgetter(2), map(str.rpartition, keys, itertools.repeat("/"))))
        labels = list(map(distinct.setdefault, parts, parts))
        del parts
        kinds = ["root"] + [SCOPE] * (len(keys) - 1)
        table = self.table = GroupTable(
            keys,
            labels,
            kinds,
            graph.path_parent.astype(np.int64),
            graph.path_prefix,
            graph.path_number,
        )
        self.op_parent = graph.op_path.astype(np.int64)
        kerasblocks.gather(graph, table)
        rolled = self.series_of_pieces = frozenset(
            pieces.gather(graph, table, self.op_parent, self.edges)
        )
        self._fold_series()
        g_parent = table.parents.array()
        n = len(table)
        self.children = _Members(g_parent[1:], n, 1)
        self.ops = _Members(self.op_parent, n, 0)
        self.chunked: set[int] = set()  # groups whose children and ops are lists again
        self.handles = self._variable_handles()
        sizes = np.bincount(g_parent[1:], minlength=n) + np.bincount(self.op_parent, minlength=n)
        # A series of pieces is made to be drawn rolled, as one block: cut into parts, it
        # would not roll (an optimizer of 600 variables would show its parts).
        for gid in np.flatnonzero(sizes > MAX_CHILDREN).tolist():
            if gid not in rolled:
                self._chunk(gid)

    def _new_group(self, key: str, label: str, kind: str, parent: int) -> int:
        gid = self.table.new(key, label, kind, parent)
        self.children.append([])
        self.ops.append([])
        self.chunked.add(gid)
        return gid

    def _fold_series(self) -> None:
        """Fold five or more numbered siblings of one kind (and op type) into a series (added
        to the table).

        In bulk: the candidates (numbered scopes and ops in groups of five or more children)
        are sorted by (parent, scope or op, prefix, op type, id); runs of five or more become
        series, made parent by parent, scopes' before ops', in the order of their first member.
        """
        graph, table = self.graph, self.table
        n = len(table)
        g_parent = table.parents.array()
        path_prefix, path_number = table.prefix.array(), table.number.array()
        size = np.bincount(g_parent[1:], minlength=n) + np.bincount(self.op_parent, minlength=n)
        eligible = np.append(size >= SERIES_MIN, False)  # [-1]: the root's parent, none
        gc = np.flatnonzero((path_prefix >= 0) & eligible[g_parent])
        oc = np.flatnonzero((graph.op_prefix >= 0) & eligible[self.op_parent])
        if not (len(gc) + len(oc)):
            return
        parent = np.concatenate((g_parent[gc], self.op_parent[oc]))
        is_op = np.concatenate((np.zeros(len(gc), bool), np.ones(len(oc), bool)))
        prefix = np.concatenate((path_prefix[gc], graph.op_prefix[oc]))
        op_type = np.concatenate((np.full(len(gc), -1, np.int64), graph.type_ids[oc]))
        member = np.concatenate((gc, oc))
        order = np.lexsort((member, op_type, prefix, is_op, parent))
        parent, is_op, prefix = parent[order], is_op[order], prefix[order]
        op_type, member = op_type[order], member[order]
        number = np.concatenate((path_number[gc], graph.op_number[oc]))[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (
            (parent[1:] != parent[:-1])
            | (is_op[1:] != is_op[:-1])
            | (prefix[1:] != prefix[:-1])
            | (op_type[1:] != op_type[:-1])
        )
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(order))
        big = np.flatnonzero(ends - starts >= SERIES_MIN)
        if not len(big):
            return
        starts, ends = starts[big], ends[big]
        runs = np.lexsort((member[starts], is_op[starts], parent[starts]))
        starts, ends = starts[runs], ends[runs]
        # Each run's smallest and largest number (reduceat over [start, end) pairs).
        bounds = np.column_stack((starts, ends)).ravel()
        padded = np.append(number, number[:1])
        lows = np.minimum.reduceat(padded, bounds)[::2].tolist()
        highs = np.maximum.reduceat(padded, bounds)[::2].tolist()
        run_parent = parent[starts]
        for gid, code, low, high in zip(
            run_parent.tolist(), prefix[starts].tolist(), lows, highs, strict=True
        ):
            head = graph.prefixes[code >> 1]
            # Conv2d[0]..Conv2d[4] (PyTorch) read as Conv2d[0-4], layer_0.. as layer_[0-4].
            label = f"{head}{low}-{high}]" if code & 1 else f"{head}[{low}-{high}]"
            table.new(f"{table.keys[gid]}/{label}" if gid else label, label, SERIES, gid)
        sizes = ends - starts
        owner = np.repeat(np.arange(n, len(table), dtype=np.int64), sizes)
        at = np.arange(int(sizes.sum())) + np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
        moved, moved_op = member[at], is_op[at]
        self.op_parent[moved[moved_op]] = owner[moved_op]
        g_parent = table.parents.array()
        g_parent[moved[~moved_op]] = owner[~moved_op]

    def _variable_handles(self) -> frozenset[int]:
        """The ops that are a traced function's captured variable handles (`roles`)."""
        graph = self.graph
        codes = [n for n, t in enumerate(graph.types) if t in roles.ARG_TYPES]
        if not codes:
            return frozenset()
        args = np.flatnonzero(np.isin(graph.type_ids, codes)).tolist()
        edges = self.edges[:2]
        return frozenset(
            roles.variable_handles(args, self.names, self.types, graph.nodes.node_def, edges)
        )

    def _chunk(self, gid: int) -> None:
        """Split a group with too many children into parts (and parts of parts), each part
        something a reader can name.

        A traced function's captured variable handles (hundreds in a training step; up to
        `MAX_HANDLES`) are neither counted nor cut into parts: they stay in the group, where
        a drawing counts them on the boxes they feed instead of drawing them. A scope's
        subgroups (a training step's ``transformer_1``, loss, ``gradient_tape``, ``adam``)
        stay whole beside the parts, and only its loose ops are cut, in graph order; a part
        of a series holds a range of its numbers. Only a scope of more subgroups than a
        view shows is cut across them, in the order of their first ops."""
        table = self.table
        handles = [o for o in self.ops[gid] if o in self.handles]
        if len(handles) > MAX_HANDLES:
            handles = []
        ops = [o for o in self.ops[gid] if o not in self.handles] if handles else self.ops[gid]
        children = self.children[gid]
        if len(children) + len(ops) <= MAX_CHILDREN:
            return
        kept: list[int] = []
        if table.kinds[gid] in ("root", SCOPE) and len(children) < MAX_CHILDREN:
            kept, items = list(children), [(True, o) for o in ops]
        else:
            items = [(False, c) for c in children] + [(True, o) for o in ops]
            items.sort(key=lambda item: item[1] if item[0] else self._first_op(item[1]))
        room = MAX_CHILDREN - len(kept)
        size = MAX_CHILDREN
        while -(-len(items) // size) > room:
            size *= MAX_CHILDREN
        parts = [items[i : i + size] for i in range(0, len(items), size)]
        key = table.keys[gid]
        self.children[gid], self.ops[gid] = kept, handles
        self.chunked.add(gid)
        for n, part in enumerate(parts, 1):
            label = f"[part {n} of {len(parts)}]"
            cid = self._new_group(f"{key}/{label}" if key else label, label, CHUNK, gid)
            for is_op, item in part:
                if is_op:
                    self.ops[cid].append(item)
                    self.op_parent[item] = cid
                else:
                    self.children[cid].append(item)
                    table.parents[item] = cid
            self.children[gid].append(cid)
            self._chunk(cid)

    def _first_op(self, gid: int) -> int:
        while not self.ops[gid] and self.children[gid]:
            gid = self.children[gid][0]
        return self.ops[gid][0] if self.ops[gid] else 0

    def model(self) -> GraphModel:
        """The finished tree: levels, nesting and op counts added, everything frozen.

        What the build made on the way is let go as soon as it is read: the end of the build
        is the peak of a graph's reading (the GraphDef's bytes and what was read of them are
        held beside it)."""
        table = self.table
        n = len(table)
        child_starts, child_ids = self.children.columns(n)
        op_starts, op_ids = self.ops.columns(n)
        del self.children, self.ops
        kind_ids = np.fromiter(map(KINDS.index, table.kinds), np.int8, n)
        # A series' or chunk's members share its level; a scope's are one level deeper.
        step = np.asarray([kind not in (SERIES, CHUNK) for kind in KINDS], np.int32)[kind_ids]
        order, nesting, level = _breadth_first(child_starts, child_ids, step)
        del step
        groups_order = ints(order)
        del order
        # Op counts in bulk: each group's own ops (inputs naming no node are not ops), then
        # added into the parent, deepest groups first, one nesting level at a time.
        parent = table.parents.array()
        keys, labels, kinds, by_key = table.keys, table.labels, table.kinds, table.by_key
        del self.table, table
        total = np.bincount(self.op_parent[: self.real], minlength=n)
        by_depth = np.argsort(nesting, kind="stable")
        starts = np.searchsorted(nesting[by_depth], np.arange(int(nesting.max()) + 2)).tolist()
        for depth in range(len(starts) - 2, 0, -1):
            at = by_depth[starts[depth] : starts[depth + 1]]
            np.add.at(total, parent[at], total[at])
        del by_depth
        groups = Groups(
            keys=keys,
            labels=labels,
            kinds=(kinds, kind_ids),
            parents=parent,
            children=(child_starts, child_ids),
            ops=(op_starts, op_ids),
            op_counts=total,
            levels=level,
            nestings=nesting,
        )
        del child_starts, child_ids, op_starts, op_ids, nesting, level, total, parent
        return GraphModel(
            names=self.names,
            # A tuple: op types are read per op in bulk (rolls, roles), 30 ns each where a
            # column takes 0.5 us; 8 MB on a million ops.
            op_types=tuple(self.types),
            devices=self.devices,
            op_count=self.real,
            edges=self.edges,
            op_group=self.op_parent,
            groups=groups,
            order=groups_order,
            group_ids=by_key,
            nodes=self.graph.nodes,
            captured_handles=self.handles,
            series_of_pieces=self.series_of_pieces,
        )


def _breadth_first(
    starts: np.ndarray, members: np.ndarray, step: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups in breadth-first order from the root (children in order), each group's
    nesting, and its level (its parent's plus ``step[parent]``), one nesting level at a time."""
    n = len(starts) - 1
    nesting = np.zeros(n, dtype=np.int32)  # int32: a group's ids and depths are below 2**31
    level = np.zeros(n, dtype=np.int32)
    found = [np.zeros(1, dtype=members.dtype)]
    frontier = found[0]
    while len(frontier):
        first, sizes = starts[frontier], starts[frontier + 1] - starts[frontier]
        total = int(sizes.sum())
        # Each frontier group's members, one after another: offsets into ``members``.
        at = np.arange(total) + np.repeat(first - (np.cumsum(sizes) - sizes), sizes)
        below, above = members[at], np.repeat(frontier, sizes)
        nesting[below] = nesting[above] + 1
        level[below] = level[above] + step[above]
        found.append(below)
        frontier = below
    return np.concatenate(found), nesting, level


class _Members:
    """Each group's members (subgroups or ops) while the tree is built: from one sort of
    their parents, as tuples when read, and as the lists set by chunking (`_chunk` reads
    and sets them by group id, `_new_group` appends a group's)."""

    def __init__(self, parent_of: np.ndarray, n: int, first: int) -> None:
        """``parent_of``: the group of each member, members numbered from ``first``."""
        order = np.argsort(parent_of, kind="stable")
        # An array, not a list: a list of a Python int per group took 23 MB on a million ops.
        self.bounds = np.searchsorted(parent_of[order], np.arange(n + 1))
        order += first
        self.flat = order.astype(np.int32)  # ids, kept int32 by the model anyway
        self.n = n
        self.changed: dict[int, list[int] | tuple[int, ...]] = {}

    def __getitem__(self, gid: int):
        found = self.changed.get(gid)
        if found is None:
            a, b = self.bounds[gid : gid + 2].tolist()
            found = tuple(self.flat[a:b].tolist()) if b > a else ()
        return found

    def __setitem__(self, gid: int, items) -> None:
        self.changed[gid] = items

    def append(self, items: list[int]) -> None:
        self.changed[self.n] = items
        self.n += 1

    def columns(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Every group's members, flat, and where each group's start (``n + 1`` offsets)."""
        base = len(self.bounds) - 1
        sizes = np.zeros(n, dtype=np.int64)
        sizes[:base] = np.diff(self.bounds)
        pieces, done = [], 0  # ``done``: the base groups whose members are in pieces
        for gid in sorted(self.changed):
            items = self.changed[gid]
            sizes[gid] = len(items)
            if gid < base:
                pieces.append(self.flat[self.bounds[done] : self.bounds[gid]])
                done = gid + 1
            elif done < base:
                pieces.append(self.flat[self.bounds[done] :])
                done = base
            pieces.append(np.asarray(items, dtype=np.int32))
        if done < base:
            pieces.append(self.flat[self.bounds[done] :])
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return offsets, np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
