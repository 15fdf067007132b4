"""The graph model: one graph's ops, edges and groups, as read-only columns.

A `GraphModel` is what every later step (views, layout, details, structure, paths, diff,
drawing) reads of a graph; `tb_scopegraph.model.tree` builds it from what the GraphDef reader
found. It holds:

- **ops**, numbered ``0 … len(names) - 1`` in graph order: ``names``, ``op_types`` and
  ``devices`` are read-only sequences indexed by op id; names and devices kept as columns
  (`Names`: each name as its scope's path and its label; `Interned`: ids into the distinct
  devices), each string made when asked for, op types a tuple. The first ``op_count`` are
  the graph's nodes; the rest are *missing* inputs (an input that names no node becomes a box
  of its own), with op type and device ``""``.
- **edges**, one per NodeDef input, node after node, each node's in input order:
  ``edge_src`` (the op the input names), ``edge_dst`` (the op that reads it), ``edge_slot``
  (the output index; -1 for a control input) and ``edge_control`` (bool), as numpy arrays.
- **captured_handles**: the ops that are a traced function's captured variable handles
  (``_Arg``s of type ``DT_RESOURCE``, `roles.is_variable_handle`), found while the tree is
  built (its parts leave them uncut); `variables` adds an inlined function's resource
  ``Placeholder``s to them.
- **series_of_pieces**: the series `pieces` made of a scope's copies of one small graph
  (an optimizer's per-variable updates), which views open to their block at once.
- **groups**, numbered with the root ``""`` as group 0: name scopes (split on ``/``),
  *series* (five or more numbered siblings: ``layer_[0-47]``) and *chunks* (``[part 2 of 3]``,
  the parts of a group with too many direct children). ``groups`` (`Groups`) holds them as
  columns, ``groups[g]`` making the `Group` tuple of one; ``op_group`` (numpy) gives the
  group that directly holds each op; ``order`` (an int column) lists the group ids breadth
  first, parents before children.

Search reads a `NameIndex` of the model (`tb_scopegraph.model.search`), made when first
asked for, or ahead by `GraphModel.prepare` (a server, once it has read a graph), which also
compresses the NodeDefs' bytes.

Everything is read-only: the arrays are views with ``writeable`` False, the columns
read-only memoryviews, the rest tuples, so that a model can be shared between threads and
cached without a copy.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from tensorboard.compat.proto import node_def_pb2

from tb_scopegraph.model._nodescan import Nodes
from tb_scopegraph.model.columns import Interned, Names
from tb_scopegraph.model.groups import (  # noqa: F401 - named here too, for the model's readers
    CHUNK,
    ROOT,
    SCOPE,
    SERIES,
    Group,
    Groups,
)

if TYPE_CHECKING:
    from tb_scopegraph.model.search import NameIndex

#: Box kinds for ops: a node of the graph, or an input that names no node.
OP, MISSING = "op", "missing"

#: Parsed NodeDefs kept per model (each parse of a NodeDef costs microseconds; a graph's
#: bytes are kept, its parsed NodeDefs would take several times the memory).
_PARSED_KEPT = 4096


def _frozen(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class GraphModel:
    """One graph's ops, edges and groups (see the module docstring for what each holds)."""

    __slots__ = (
        "names",
        "op_types",
        "devices",
        "op_count",
        "edge_src",
        "edge_dst",
        "edge_slot",
        "edge_control",
        "op_group",
        "groups",
        "order",
        "nodes",
        "captured_handles",
        "series_of_pieces",
        "_op_ids",
        "_group_ids",
        "_parsed",
        "_name_index",
        "_index_lock",
        "_op_ids_lock",
        "__weakref__",  # what is worked out of a model is cached beside it, weakly (`rolls`)
    )

    def __init__(
        self,
        *,
        names: Names,
        op_types: tuple[str, ...],
        devices: Interned,
        op_count: int,
        edges: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        op_group: np.ndarray,
        groups: Groups,
        order: Sequence[int],
        group_ids: dict[str, int],
        nodes: Nodes,
        captured_handles: frozenset[int] = frozenset(),
        series_of_pieces: frozenset[int] = frozenset(),
    ) -> None:
        self.names = names
        self.op_types = op_types
        self.devices = devices
        #: The graph's own nodes: ops ``op_count`` and above are missing inputs.
        self.op_count = op_count
        self.edge_src, self.edge_dst, self.edge_slot, self.edge_control = map(_frozen, edges)
        self.op_group = _frozen(op_group)
        self.groups = groups
        self.order = order
        #: The NodeDefs' bytes, each parsed when asked for (`node_def`).
        self.nodes = nodes
        #: A traced function's captured variable handles (see the module docstring).
        self.captured_handles = captured_handles
        #: The series of pieces (see the module docstring).
        self.series_of_pieces = series_of_pieces
        self._group_ids = group_ids
        self._op_ids: _NameTable | None = None
        self._parsed: dict[int, node_def_pb2.NodeDef] = {}
        self._name_index: NameIndex | None = None
        self._index_lock = threading.Lock()
        self._op_ids_lock = threading.Lock()

    def op_id(self, name: str) -> int | None:
        """The id of the op (or missing input) called ``name``; None if there is none."""
        table = self._op_ids
        if table is None:  # made when first asked
            with self._op_ids_lock:
                table = self._op_ids
                if table is None:
                    table = self._op_ids = _NameTable(self.names)
        # In the root scope a name is its label ("/x" included); elsewhere, the path before
        # its last "/" is a scope's key.
        op = table.find(0, name)
        if op is None:
            head, slash, label = name.rpartition("/")
            path = self._group_ids.get(head) if slash and head else None
            if path is not None:
                op = table.find(path, label)
        return op

    def name_index(self) -> NameIndex:
        """What search reads of the names (`search.NameIndex`); made when first asked (or by
        `prepare`), once."""
        from tb_scopegraph.model.search import NameIndex  # it reads the model's names

        with self._index_lock:
            if self._name_index is None:
                self._name_index = NameIndex(self)
            return self._name_index

    def prepare(self) -> None:
        """Ready the model for a server, off the request path: the NodeDefs' bytes compressed
        (`Nodes.compress`: 215 MB to 16 MB on the million-op graph) and the name index made
        (the first search of a million names would wait 0.4-0.9 s for it). Once; any thread.

        In this order, so that the index's making (94 MB at its peak on the million-op graph)
        comes after the bytes are freed, not on top."""
        self.nodes.compress()
        self.name_index()

    def has_name_index(self) -> bool:
        """Whether the name index is made (`name_index`, `prepare`)."""
        return self._name_index is not None

    def group_id(self, key: str) -> int | None:
        """The id of the group whose key is ``key`` (``""``: the root); None if none is."""
        return self._group_ids.get(key)

    def group_keys(self) -> frozenset[str]:
        """The keys of every group, the root's ``""`` among them."""
        return frozenset(self._group_ids)

    def is_missing(self, op: int) -> bool:
        """Whether op ``op`` is an input that names no node."""
        return op >= self.op_count

    def node_def(self, op: int) -> node_def_pb2.NodeDef:
        """The NodeDef of op ``op`` (one of the graph's nodes, not a missing input)."""
        parsed = self._parsed
        node = parsed.get(op)
        if node is None:
            if len(parsed) >= _PARSED_KEPT:
                parsed.clear()
            node = parsed[op] = self.nodes.node_def(op)
        return node


class _NameTable:
    """Every op's (path id, label id) sorted, and the op id of each: a lookup is a binary
    search. On a million names a dict of names took 60 MB (its table and a million ints)
    and the names as strings; these take 12 MB and are made from the columns without a
    string (0.1 s); a lookup takes a few us, and lookups come one per box or card."""

    def __init__(self, names: Names) -> None:
        path = np.frombuffer(names.path, dtype=np.int32).astype(np.int64)
        keys = (path << 32) | np.frombuffer(names.label, dtype=np.int32)
        ids = np.argsort(keys, kind="stable")
        self.keys = keys[ids]
        self.ids = ids.astype(np.int32 if len(ids) < 2**31 else np.int64)
        self.labels = {label: i for i, label in enumerate(names.labels)}

    def find(self, path: int, label: str) -> int | None:
        """The op in scope ``path`` (an id of `Names.paths`) labelled ``label``, if any."""
        label_id = self.labels.get(label)
        if label_id is None:
            return None
        wanted = (path << 32) | label_id
        at = int(np.searchsorted(self.keys, wanted))
        if at < len(self.keys) and self.keys[at] == wanted:
            return int(self.ids[at])
        return None
