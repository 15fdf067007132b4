"""The names, op types, devices, inputs and scopes of every node of a serialized GraphDef.

Two readers give the same answer:

- `_fastscan` (C, compiled by ``pip install``) reads the wire format in one pass with the GIL
  released: each NodeDef's name, op, device and inputs (attrs are skipped), every input
  resolved to the node it names, scopes interned, labels split around their numbers. It takes
  only plain bytes (`scan_fast` returns None for anything else).
- Otherwise protobuf (upb) parses the GraphDef, the four fields are read off its nodes, and
  the rest is made in Python and numpy (`_graph_in_python`). End to end (bytes to a built
  tree) the C reader is 4-6 times as fast (bench/README.md, 2026-12-07), which is why both
  are kept; this one is the reference the C reader is tested against.

Nodes are kept as bytes (one buffer) and parsed again one by one when asked about: a parsed
100k-op GraphDef holds about 90 MB, its bytes 16 MB. A server compresses them once a graph is
built (`Nodes.compress`, off the request path): the million-op graph's 215 MB of NodeDefs
take 16 MB in zlib blocks of 64 KiB (13x at level 1, 0.7 s of CPU), and a block is inflated
in about 0.06 ms when one of its nodes is asked about.
"""

from __future__ import annotations

import itertools
import threading
import zlib
from dataclasses import dataclass, field

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory
from tensorboard.compat.proto import graph_pb2, node_def_pb2

from tb_scopegraph.model.columns import Interned, Names, handed_over


def _node_list_class():
    """A message with GraphDef's field 1 as ``repeated bytes``: each NodeDef, unparsed."""
    proto = descriptor_pb2.FileDescriptorProto(
        name="tb_scopegraph_node_list.proto", package="tb_scopegraph", syntax="proto3"
    )
    message = proto.message_type.add(name="NodeList")
    message.field.add(
        name="node",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED,
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tb_scopegraph.NodeList"))


_NodeList = _node_list_class()


@dataclass
class Nodes:
    """Every node's fields, in graph order; ``data[starts[i]:ends[i]]`` is node i's NodeDef."""

    data: bytes
    starts: np.ndarray
    ends: np.ndarray
    names: list[str]
    ops: list[str]
    devices: list[str]
    inputs: list[str]  # every node's inputs, one node after another
    input_counts: np.ndarray  # how many of ``inputs`` each node has
    #: ``data`` in zlib blocks of `BLOCK` bytes once `compress` has run (``data`` is then b"").
    blocks: list[bytes] | None = None
    _inflated: dict[int, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def node_def(self, i: int) -> node_def_pb2.NodeDef:
        """Node i's NodeDef. A graph read by the C reader alone was checked only as far as
        its nodes' names, ops, inputs and devices: a node whose other fields protobuf refuses
        is given with those four alone."""
        data = self.node_bytes(i)
        try:
            return node_def_pb2.NodeDef.FromString(data)
        except (message.DecodeError, RecursionError):
            return node_def_pb2.NodeDef.FromString(_first_fields(data, 4))

    def node_bytes(self, i: int) -> bytes:
        """Node i's serialized NodeDef."""
        start, end = int(self.starts[i]), int(self.ends[i])
        # `compress` sets `blocks` before it empties `data`: bytes read first are whole.
        data = self.data
        if data or self.blocks is None:
            return data[start:end]
        if end <= start:
            return b""
        first = start // BLOCK
        joined = b"".join(map(self._block, range(first, (end - 1) // BLOCK + 1)))
        return joined[start - first * BLOCK : end - first * BLOCK]

    def _block(self, b: int) -> bytes:
        inflated = self._inflated
        found = inflated.get(b)
        if found is None:
            if len(inflated) >= _INFLATED_KEPT:
                inflated.clear()
            found = inflated[b] = zlib.decompress(self.blocks[b])
        return found

    def compress(self) -> None:
        """Keep the nodes' bytes compressed (see the module docstring); once, any thread."""
        with self._lock:
            data = self.data
            if self.blocks is not None or not data:
                return
            view = memoryview(data)
            # Level 1: 13x on NodeDefs at 0.3 s per 100 MB; level 6 gives 18x at twice that.
            self.blocks = [
                zlib.compress(view[i : i + BLOCK], 1) for i in range(0, len(data), BLOCK)
            ]
            view.release()
            self.data = b""


def _first_fields(data: bytes, last: int) -> bytes:
    """The records of fields 1 to ``last`` of a message's bytes (length-delimited fields, as
    the C reader found them), the rest left out."""
    kept, at = [], 0
    while at < len(data):
        start = at
        tag, at = _read_varint(data, at)
        if tag & 7 == 2:
            size, at = _read_varint(data, at)
            at += size
        elif tag & 7 == 0:
            at = _read_varint(data, at)[1]
        else:
            at += {1: 8, 5: 4}.get(tag & 7, len(data))
        if 1 <= tag >> 3 <= last and tag & 7 == 2 and at <= len(data):
            kept.append(data[start:at])
    return b"".join(kept)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data):
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
    return value, len(data) + 1


#: Block size of compressed node bytes: one inflated is ~0.06 ms of work.
BLOCK = 1 << 16
#: Inflated blocks kept per graph (a view reads nodes here and there; NodeDefs parsed are kept
#: by the model besides).
_INFLATED_KEPT = 64


def scan(data: bytes, parsed: graph_pb2.GraphDef | None = None) -> Nodes:
    """The nodes of the serialized GraphDef ``data``, read through protobuf (``parsed``: the
    same GraphDef, parsed already); DecodeError when the bytes are not a GraphDef."""
    graph = graph_pb2.GraphDef.FromString(data) if parsed is None else parsed
    nodes = graph.node
    n = len(nodes)
    names = [node.name for node in nodes]
    ops = [node.op for node in nodes]
    devices = [node.device for node in nodes]
    per_node = [node.input for node in nodes]
    input_counts = np.fromiter(map(len, per_node), dtype=np.int64, count=n)
    inputs = list(itertools.chain.from_iterable(per_node))
    del graph, nodes, per_node
    # Each NodeDef's bytes (upb reads field 1 as bytes without parsing them), found in place.
    parts = list(_NodeList.FromString(data).node)
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=n)
    starts = _in_place(data, lengths)
    if starts is None:  # other fields between the nodes: the nodes' bytes alone, joined
        data = b"".join(parts)
        starts = np.cumsum(lengths) - lengths
    del parts
    ends = starts + lengths
    tail = len(data) - (int(ends[-1]) if n else 0)
    if tail > max(1 << 20, len(data) // 8):
        data = data[: len(data) - tail]  # a big library after the nodes is not kept
    return Nodes(data, starts, ends, names, ops, devices, inputs, input_counts)


def _in_place(data: bytes, lengths: np.ndarray) -> np.ndarray | None:
    """Where each node's bytes start in ``data`` if the nodes come first, one after another
    (as protobuf writes a GraphDef), else None."""
    header = 2 + (lengths >= 1 << 7) + (lengths >= 1 << 14) + (lengths >= 1 << 21)
    header += (lengths >= 1 << 28) + (lengths >= 1 << 35)
    records = np.cumsum(header + lengths)
    if len(records) and records[-1] > len(data):
        return None
    at = records - header - lengths  # each record's tag
    a = np.frombuffer(data, dtype=np.uint8)
    read = _varint(a, at + 1)
    if not (a[at] == 0x0A).all() or read is None or (read[0] != lengths).any():
        return None
    if (read[1] != at + header).any():
        return None  # a length written with more bytes than it needs
    return at + header


def _varint(a: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The varints at positions ``p``, and the positions after them; None if one runs past
    the buffer or over ten bytes."""
    if not p.size:
        return p, p
    if int(p.max()) >= len(a):
        return None
    byte = a[p]
    if int(byte.max()) < 0x80:  # all one byte long: nearly always
        return byte.astype(np.int64), p + 1
    value = (byte & 0x7F).astype(np.int64)
    after = p + 1
    more = np.flatnonzero(byte >= 0x80)
    for shift in range(7, 70, 7):
        q = after[more]
        if int(q.max()) >= len(a):
            return None
        byte = a[q]
        value[more] |= (byte & 0x7F).astype(np.int64) << shift
        after[more] = q + 1
        more = more[byte >= 0x80]
        if not more.size:
            return value, after
    return None


# --- the whole graph: nodes, edges, scopes ---------------------------------------------------

try:
    from tb_scopegraph.model import _fastscan
except ImportError:  # installed where the C reader could not be compiled
    _fastscan = None


def reader() -> str:
    """Which GraphDef reader `scan_graph` uses here: ``"C"`` or ``"protobuf"`` (the slow
    fallback, where the extension is not built: benchmarks say which they measured)."""
    return "protobuf" if _fastscan is None else "C"


@dataclass
class Graph:
    """What a Hierarchy is built from, read in one pass over a serialized GraphDef.

    Ops are numbered in graph order. Edges are the inputs, node after node: ``e_src`` is the
    op an input names (-1 when it names none: then ``unresolved`` holds its text), ``e_slot``
    the output index (-1 for a control input). Scopes are the names' ``/`` prefixes, path 0
    being the root ``""``, each listed after its parent. For series, every op's label (the
    name after its last ``/``) and every scope's label is split around a trailing number:
    ``*_prefix`` is -1, or ``2 * id + closed`` where ``prefixes[id]`` is the text before the
    number and ``closed`` says the label ends in ``]`` (``Conv2d[3]``).
    """

    nodes: Nodes  # the NodeDefs' bytes, for reading one whole
    names: Names
    ops: Interned  # each op's type
    devices: Interned
    types: list[str]  # the distinct op types; ``type_ids`` indexes them
    type_ids: np.ndarray
    e_src: np.ndarray
    e_dst: np.ndarray
    e_slot: np.ndarray
    e_ctrl: np.ndarray
    unresolved: list[tuple[int, str]]
    op_path: np.ndarray
    paths: list[str]
    path_parent: np.ndarray
    op_prefix: np.ndarray
    op_number: np.ndarray  # int64, or Python ints (dtype object) past 18 digits
    path_prefix: np.ndarray
    path_number: np.ndarray
    prefixes: list[str]
    #: The GraphDef's fields but its nodes (versions, a library), as records: what protobuf
    #: parses of a graph the C reader read (``b""`` when read in Python).
    head: bytes = b""


def scan_graph(data: bytes, fast: bool = True, parsed: graph_pb2.GraphDef | None = None) -> Graph:
    """The nodes, edges and scopes of the serialized GraphDef ``data`` (which must parse as
    one): in C when the extension is built and the bytes are plain, else through protobuf
    (same answer, several times slower); ``fast=False`` asks for protobuf, ``parsed`` is the
    GraphDef of ``data`` when the caller has it."""
    graph = scan_fast(data) if fast else None
    return _graph_in_python(scan(data, parsed)) if graph is None else graph


def scan_fast(data: bytes) -> Graph | None:
    """The C reader's answer for ``data``; None when it is not built or the bytes are not
    plain (``scan_graph`` then reads them in Python)."""
    if _fastscan is None:
        return None
    got = _fastscan.scan(data)
    return None if got is None else _from_c(data, got)


def _from_c(data: bytes, got: dict) -> Graph:
    ints = {
        key: np.frombuffer(value, dtype=np.int64)
        for key, value in got.items()
        if isinstance(value, bytearray)
    }
    starts, ends = ints["starts"], ints["ends"]
    head = b"".join(data[a:b] for a, b in ints["others"].reshape(-1, 2).tolist())
    last = int(ends.max()) if len(ends) else 0
    if len(data) - last > max(1 << 20, len(data) // 8):
        data = data[:last]  # a big library after the nodes is not kept
    if last < 2**31:  # kept while the graph is: half the size (8 MB on a million nodes)
        starts, ends = starts.astype(np.int32), ends.astype(np.int32)
    # Ids and counts below 2**31 kept as int32: what was read is held until its tree is built
    # (the tree's build is the peak of a graph's reading), and the C reader gives int64.
    for key in _NARROWED:
        ints[key] = _narrow(ints[key])
    return Graph(
        nodes=Nodes(data, starts, ends, [], [], [], [], np.zeros(0, np.int64)),
        # The model's columns of op paths and types are the read's own (read-only) arrays.
        names=Names(got["paths"], handed_over(ints["op_path"]), got["labels"], ints["label_ids"]),
        ops=Interned(got["types"], handed_over(ints["type_ids"])),
        devices=Interned(got["devices"], ints["device_ids"]),
        types=got["types"],
        type_ids=ints["type_ids"],
        e_src=ints["e_src"],
        e_dst=ints["e_dst"],
        e_slot=ints["e_slot"],
        e_ctrl=ints["e_slot"] < 0,  # a control input's slot is -1
        unresolved=got["unresolved"],
        op_path=ints["op_path"],
        paths=got["paths"],
        path_parent=ints["path_parent"],
        op_prefix=ints["op_prefix"],
        op_number=ints["op_number"],
        path_prefix=ints["path_prefix"],
        path_number=ints["path_number"],
        prefixes=got["prefixes"],
        head=head,
    )


#: The C reader's columns kept as int32 when they fit (the rest are the model's own, int64).
_NARROWED = (
    "type_ids",
    "op_path",
    "op_prefix",
    "op_number",
    "path_parent",
    "path_prefix",
    "path_number",
)


def _narrow(values: np.ndarray) -> np.ndarray:
    """``values`` as int32 if every one fits (a copy), else as they are."""
    if not len(values) or (int(values.min()) >= -(2**31) and int(values.max()) < 2**31):
        return values.astype(np.int32)
    return values


def _graph_in_python(nodes: Nodes) -> Graph:
    names = nodes.names
    index = dict(zip(names, range(len(names)), strict=True))
    if len(index) != len(names):
        names, index = dedupe(names)
    texts = nodes.inputs
    get = index.get
    src = [get(text, -1) for text in texts]  # most inputs name a node outright
    slot = np.zeros(len(texts), dtype=np.int64)
    ctrl = np.zeros(len(texts), dtype=bool)
    unresolved = []
    for e in [e for e, j in enumerate(src) if j < 0]:
        control, name, out = parse_input(texts[e])
        j = get(name)
        if j is None:
            unresolved.append((e, texts[e]))
            continue
        src[e], slot[e], ctrl[e] = j, out, control
    type_index: dict[str, int] = {}
    type_ids = [type_index.setdefault(op, len(type_index)) for op in nodes.ops]
    scopes = Scopes([])
    op_path = [scopes.path(name.rpartition("/")[0]) for name in names]
    op_split = [scopes.split(name.rpartition("/")[2]) for name in names]
    graph = Graph(
        nodes=nodes,
        names=Names.of(names, scopes.paths, op_path),
        ops=Interned(list(type_index), type_ids),
        devices=Interned.of(nodes.devices),
        types=list(type_index),
        type_ids=np.asarray(type_ids, dtype=np.int64),
        e_src=np.asarray(src, dtype=np.int64),
        e_dst=np.repeat(np.arange(len(names), dtype=np.int64), nodes.input_counts),
        e_slot=slot,
        e_ctrl=ctrl,
        unresolved=unresolved,
        op_path=np.asarray(op_path, dtype=np.int64),
        paths=scopes.paths,
        path_parent=np.asarray(scopes.parents, dtype=np.int64),
        op_prefix=np.asarray([code for code, _ in op_split], dtype=np.int64),
        op_number=numbers([number for _, number in op_split]),
        path_prefix=np.asarray([code for code, _ in scopes.splits], dtype=np.int64),
        path_number=numbers([number for _, number in scopes.splits]),
        prefixes=scopes.prefixes,
    )
    nodes.names = nodes.ops = nodes.devices = nodes.inputs = []  # kept above, or not needed
    return graph


class Scopes:
    """Scope paths and label prefixes interned as the C reader does (to extend its answer
    with more names, or to make the same answer in Python)."""

    def __init__(self, prefixes: list[str]) -> None:
        self.paths = [""]
        self.parents = [-1]
        self.splits: list[tuple[int, int]] = [(-1, 0)]
        self.by_path = {"": 0}
        self.prefixes = prefixes
        self.prefix_ids = {p: i for i, p in enumerate(prefixes)}

    @classmethod
    def of(cls, graph: Graph) -> Scopes:
        """The scopes of ``graph``, to add more to."""
        scopes = cls(graph.prefixes)
        scopes.paths = graph.paths
        scopes.parents = graph.path_parent.tolist()
        scopes.splits = list(
            zip(graph.path_prefix.tolist(), graph.path_number.tolist(), strict=True)
        )
        scopes.by_path = dict(zip(graph.paths, range(len(graph.paths)), strict=True))
        return scopes

    def path(self, path: str) -> int:
        """The id of scope ``path``, added (and the scopes above it) if new."""
        found = self.by_path.get(path)
        if found is not None:
            return found
        # Walk up without recursion: a scope path may be thousands of levels deep.
        todo = []
        while path and path not in self.by_path:
            todo.append(path)
            path = path.rpartition("/")[0]
        parent = self.by_path[path]
        for sub in reversed(todo):
            self.by_path[sub] = len(self.paths)
            self.paths.append(sub)
            self.parents.append(parent)
            self.splits.append(self.split(sub.rpartition("/")[2]))
            parent = len(self.paths) - 1
        return parent

    def split(self, label: str) -> tuple[int, int]:
        """A label's (prefix code, number) for series; (-1, 0) when it ends in no number."""
        prefix, number, suffix = split_number(label)
        if not (number and prefix):
            return -1, 0
        pid = self.prefix_ids.get(prefix)
        if pid is None:
            pid = self.prefix_ids[prefix] = len(self.prefixes)
            self.prefixes.append(prefix)
        return 2 * pid + (suffix == "]"), int(number)


def numbers(values: list[int]) -> np.ndarray:
    """Label numbers as an array: int64, or Python ints (dtype object) past 18 digits."""
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:  # a number past 18 digits: kept whole
        return np.asarray(values, dtype=object)


def split_number(label: str) -> tuple[str, str, str]:
    """A name part split around its trailing number, as series are made of.

    >>> split_number("layer_12"), split_number("Conv2d[3]"), split_number("conv2d")
    (('layer_', '12', ''), ('Conv2d[', '3', ']'), ('conv2d', '', ''))
    """
    core = label[:-1] if label.endswith("]") else label
    prefix = core.rstrip("0123456789")
    number = core[len(prefix) :]
    if not number.isascii():
        return label, "", ""
    return prefix, number, label[len(core) :]


def parse_input(text: str) -> tuple[bool, str, int]:
    """Split a NodeDef input into (is control, node name, output index).

    >>> parse_input("^init")
    (True, 'init', -1)
    >>> parse_input("dense/MatMul:1")
    (False, 'dense/MatMul', 1)
    >>> parse_input("x")
    (False, 'x', 0)

    An index of more than 18 digits (past 64 bits) is read as part of the name.
    """
    if text.startswith("^"):
        return True, text[1:], -1
    name, colon, slot = text.rpartition(":")
    if colon and slot.isdigit() and slot.isascii() and len(slot) <= 18:
        return False, name, int(slot)
    return False, text, 0


def dedupe(names: list[str]) -> tuple[list[str], dict[str, int]]:
    """Names made unique: a repeated name gets `` (2)``, `` (3)``… so no node is lost."""
    index: dict[str, int] = {}
    unique = []
    for i, name in enumerate(names):
        if name in index:
            n = 2
            while f"{name} ({n})" in index:
                n += 1
            name = f"{name} ({n})"
        index[name] = i
        unique.append(name)
    return unique, index
