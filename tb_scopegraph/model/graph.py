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
- **groups**, numbered with the root ``""`` as group 0: name scopes (split on ``/``),
  *series* (five or more numbered siblings: ``layer_[0-47]``) and *chunks* (``[part 2 of 3]``,
  the parts of a group with too many direct children). ``groups`` (`Groups`) holds them as
  columns, ``groups[g]`` making the `Group` tuple of one; ``op_group`` (numpy) gives the
  group that directly holds each op; ``order`` (an int column) lists the group ids breadth
  first, parents before children.

Search reads a `NameIndex` of the model (every name joined in one string), made when first
asked for, or ahead by `GraphModel.prepare` (a server, once it has read a graph), which also
compresses the NodeDefs' bytes.

Everything is read-only: the arrays are views with ``writeable`` False, the columns
read-only memoryviews, the rest tuples, so that a model can be shared between threads and
cached without a copy.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence

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
        """Every scope's and op's name, joined for search; made when first asked (or by
        `prepare`), once."""
        with self._index_lock:
            if self._name_index is None:
                self._name_index = NameIndex(self)
            return self._name_index

    def prepare(self) -> None:
        """Ready the model for a server, off the request path: the NodeDefs' bytes compressed
        (`Nodes.compress`: 215 MB to 16 MB on the million-op graph) and the name index made
        (the first search of a million names would wait 0.4-0.9 s for it). Once; any thread.

        In this order, so that the index's making (the names joined, then lowered: twice its
        72 MB at once on the million-op graph) comes after the bytes are freed, not on top."""
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


class NameIndex:
    """Every scope's and op's full name in one string, so that a search is one `str.find`
    (or one regex scan) over it instead of a test per name.

    On a million names a test per name took 190 ms (plain) and 280 ms (regex) a search, and
    listing the names 100 ms more; one `find` over the joined names takes 17-35 ms. Names are
    numbered scopes first (in breadth-first order), then ops. Where a name holds a newline
    (the names' separator), searches test name by name.
    """

    def __init__(self, model: GraphModel) -> None:
        groups = model.groups
        order = np.asarray(model.order)[1:]
        self.scopes = order[groups.of_kind(SCOPE)[order]].tolist()
        #: Every name, scopes' then ops' (the ops' made when asked for, from the model's).
        self.names = IndexNames(list(map(groups.keys.__getitem__, self.scopes)), model.names)
        text, starts = _join(self.names)
        lowered = text.lower()
        if len(lowered) == len(text):
            self.lowered_starts = starts
        else:  # a few letters lower to two characters ("İ"): number the lowered names anew
            names = [name.lower() for name in self.names]
            lowered, self.lowered_starts = "\n".join(names), _starts(names)
            del names
        del text  # the names as written are joined again only for a regex searched here
        self.lowered = lowered
        #: Whether the joined names can be searched: no name holds the separator.
        self.joined = lowered.count("\n") == max(len(self.names) - 1, 0)
        self._text: tuple[str, np.ndarray] | None = None

    @property
    def text(self) -> str:
        """Every name as written, joined with newlines (made when first asked: a server's
        regex search runs elsewhere on `names`, and plain search reads `lowered`)."""
        return self._joined()[0]

    @property
    def starts(self) -> np.ndarray:
        """Where each name starts in `text`."""
        return self._joined()[1]

    def _joined(self) -> tuple[str, np.ndarray]:
        joined = self._text
        if joined is None:
            text, starts = _join(self.names)
            same = len(text) == len(self.lowered)
            joined = self._text = (text, self.lowered_starts if same else starts)
        return joined

    def find(self, query: str, limit: int) -> list[int]:
        """The first ``limit`` names that hold ``query``, ignoring case."""
        query = query.lower()
        if not self.joined:
            hits = (i for i, name in enumerate(self.names) if query in name.lower())
            return list(itertools.islice(hits, limit))
        if "\n" in query or not self.names:
            return []
        text, starts = self.lowered, self.lowered_starts
        found: list[int] = []
        at = text.find(query)
        while at >= 0 and len(found) < limit:
            line = _line_of(starts, at)
            found.append(line)
            if line + 1 >= len(starts):
                break
            at = text.find(query, int(starts[line + 1]))
        return found

    def match(self, pattern: re.Pattern, limit: int) -> list[int]:
        """The first ``limit`` names that ``pattern`` finds something in.

        The joined names are scanned with ``^`` and ``$`` matching at every name's ends; each
        name a match starts in is then tested alone, since a match may run on into the next
        name. Patterns whose meaning depends on being the whole string (``\\A``, ``\\Z``,
        look-behinds and -aheads, flags turned off) are tested name by name.
        """
        if not self.joined or _WHOLE_STRING.search(pattern.pattern):
            hits = (i for i, name in enumerate(self.names) if pattern.search(name))
            return list(itertools.islice(hits, limit))
        if not self.names:
            return []
        scan = re.compile(pattern.pattern, pattern.flags | re.MULTILINE)
        text, starts = self.text, self.starts
        found: list[int] = []
        at = 0
        while len(found) < limit and (hit := scan.search(text, at)) is not None:
            line = _line_of(starts, hit.start())
            if pattern.search(self.names[line]):
                found.append(line)
            if line + 1 >= len(starts):
                break
            at = int(starts[line + 1])
        return found


#: What makes a pattern's meaning depend on the string being one name alone.
_WHOLE_STRING = re.compile(r"\\[AZG]|\(\?<|\(\?[=!]|\(\?[a-zA-Z]*-")


class IndexNames(Sequence):
    """A name index's names: its scopes' keys, then the model's op names (made on access)."""

    __slots__ = ("scope_keys", "op_names")

    def __init__(self, scope_keys: list[str], op_names: Sequence[str]) -> None:
        self.scope_keys, self.op_names = scope_keys, op_names

    def __len__(self) -> int:
        return len(self.scope_keys) + len(self.op_names)

    def __getitem__(self, i: int) -> str:
        if isinstance(i, slice):
            return tuple(itertools.islice(self, *i.indices(len(self))))
        if i < 0:
            i += len(self)
        scopes = len(self.scope_keys)
        return self.scope_keys[i] if i < scopes else self.op_names[i - scopes]

    def __iter__(self):
        return itertools.chain(self.scope_keys, self.op_names)


def _join(names: Sequence[str]) -> tuple[str, np.ndarray]:
    """``"\\n".join(names)`` and where each name starts in it, a chunk of names at a time:
    `str.join` lists what it joins first, and a million op names as strings at once took
    170 MB."""
    it = iter(names)
    parts, lengths = [], []
    while chunk := list(itertools.islice(it, 1 << 16)):
        parts.append("\n".join(chunk))
        lengths.extend(map(len, chunk))
    return "\n".join(parts), _offsets(np.asarray(lengths, dtype=np.int64))


def _line_of(starts: np.ndarray, at: int) -> int:
    """The name that offset ``at`` of the joined names falls in.

    ``at`` is cast to ``starts``' own type first: numpy would otherwise convert the whole
    array to int64 for each look-up (0.4-2.4 ms on a million names, against 3 µs), and a
    search finding 50 names looks up 50 times.
    """
    return int(np.searchsorted(starts, starts.dtype.type(at), side="right")) - 1


def _starts(names: Sequence[str]) -> np.ndarray:
    """Where each name starts in ``"\\n".join(names)``."""
    return _offsets(np.fromiter(map(len, names), dtype=np.int64, count=len(names)))


def _offsets(lengths: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    # Kept with the index: int32 while the joined names are under 2**31 characters.
    return starts.astype(np.int32) if len(starts) and starts[-1] < 2**31 else starts
