"""The names, op types, devices and inputs of every node of a serialized GraphDef, read in bulk.

Reading these through protobuf's Python objects costs about a microsecond per node and field;
on a 100k-op graph that is ten times the parse itself. Here the wire format is walked with
numpy, one field of every node at a time, and the strings are decoded in one piece:

- a GraphDef is parsed as a message whose field 1 (``node``) is ``repeated bytes``, which
  gives each NodeDef's bytes without parsing them (upb does this in C);
- the NodeDefs are joined into one buffer; numpy reads each node's next field tag and length
  for all nodes at once, until every node is read through (NodeDef has a handful of fields,
  so this takes as many rounds as the busiest node has fields);
- the bytes of every ``name`` (1), ``op`` (2), ``input`` (3) and ``device`` (4) field are
  picked out with one mask, a separator written over the length byte before each, and the
  lot decoded and split at once.

Anything unusual (a field repeated where protobuf keeps the last, groups, a field tag over
one byte for these fields, a node with many more fields than the rest, a string holding the
separator, bytes that are not UTF-8) sends those nodes, or all of them, to
``NodeDef.FromString``, so the answer is always what protobuf would say.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from tensorboard.compat.proto import node_def_pb2

# Rounds of the bulk walk after which the few nodes left are parsed one by one.
_ROUNDS = 16


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

    def node_def(self, i: int) -> node_def_pb2.NodeDef:
        return node_def_pb2.NodeDef.FromString(self.data[self.starts[i] : self.ends[i]])


def scan(data: bytes, ordered: bool = False) -> Nodes:
    """The nodes of the serialized GraphDef ``data`` (which must parse as one).

    ``ordered`` says every NodeDef holds its fields in field number order with no field
    repeated but ``input``, as protobuf writes them (upb, which serializes ours, writes known
    fields in field number order, unknown ones last): then a node is read only up to its
    first field after ``device``, and skipping its attrs takes no rounds.
    """
    parts = list(_NodeList.FromString(data).node)
    n = len(parts)
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
    fields = _walk(np.frombuffer(data, dtype=np.uint8), starts, ends, ordered)
    if fields is None:
        return _scan_slowly(data, starts, ends, np.arange(n), None)
    return _decode(data, starts, ends, *fields)


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


def _walk(a: np.ndarray, starts: np.ndarray, ends: np.ndarray, ordered: bool):
    """Every length-delimited field 1-4 of every node: (node, field, start, length) arrays,
    and the nodes to parse one by one; None when the bytes are not a well-formed stream."""
    pos = starts.copy()
    active = np.flatnonzero(pos < ends)
    found = []
    slow = []
    rounds = 0
    while active.size:
        rounds += 1
        if rounds > _ROUNDS and active.size * 8 <= max(len(starts), 8):
            slow.append(active)  # a few nodes with very many fields: one by one
            break
        end = ends[active]
        read = _varint(a, pos[active])
        if read is None:
            return None
        tag, p = read
        wire = tag & 7
        number = tag >> 3
        delimited = wire == 2
        if delimited.all():
            read = _varint(a, p)
            if read is None:
                return None
            length, p = read
        else:
            if ((wire == 3) | (wire == 4) | (wire > 5)).any():
                return None  # groups, or no wire type at all: protobuf says what they are
            length = (wire == 1) * 8 + (wire == 5) * 4  # fixed64, fixed32
            which = np.flatnonzero(delimited)
            read = _varint(a, p[which])
            if read is None:
                return None
            length[which], p[which] = read
            which = np.flatnonzero(wire == 0)
            read = _varint(a, p[which])
            if read is None:
                return None
            p[which] = read[1]  # a varint field, passed over
        string = delimited & (number <= 4)
        keep = np.flatnonzero(string)
        found.append((active[keep], number[keep], p[keep], length[keep]))
        p += length
        if (p > end).any() or (length < 0).any() or (number < 1).any():
            return None  # a field past its node's end, a varint past 63 bits, field number 0
        pos[active] = p
        going = p < end
        if ordered:
            going &= number <= 4
        active = active[going]
    if found:
        node, number, start, length = (
            np.concatenate(column) for column in zip(*found, strict=True)
        )
    else:
        node = number = start = length = np.zeros(0, dtype=np.int64)
    return node, number, start, length, (np.concatenate(slow) if slow else None)


def _decode(data: bytes, starts, ends, node, number, start, length, slow) -> Nodes:
    n = len(starts)
    # Protobuf keeps the last of a repeated singular field; such nodes are read one by one.
    counts = np.bincount(number * n + node, minlength=5 * n).reshape(5, n)
    odd = np.flatnonzero((counts[1] > 1) | (counts[2] > 1) | (counts[4] > 1))
    if slow is not None:
        odd = np.union1d(odd, slow)
    if odd.size:
        if odd.size * 8 > n:
            return _scan_slowly(data, starts, ends, np.arange(n), None)
        drop = np.zeros(n, dtype=bool)
        drop[odd] = True
        keep = ~drop[node]
        node, number, start, length = node[keep], number[keep], start[keep], length[keep]
    # Fields in the order they are stored: nodes in order, each node's fields in order.
    order = np.argsort(node, kind="stable")
    node, number, start, length = node[order], number[order], start[order], length[order]
    strings = _strings(data, start, length)
    if strings is None:
        return _scan_slowly(data, starts, ends, np.arange(n), None)
    columns = []
    node_list = node.tolist()
    for field in (1, 2, 4):
        where = np.flatnonzero(number == field).tolist()
        if len(where) == n:  # one in every node
            columns.append([strings[i] for i in where])
        elif len(where) == n - len(odd) and len(odd) <= 64:  # in every node but those left out
            column = [strings[i] for i in where]
            for i in odd.tolist():  # in order, each in its place
                column.insert(i, "")
            columns.append(column)
        else:
            column = [""] * n
            for i in where:
                column[node_list[i]] = strings[i]
            columns.append(column)
    names, ops, devices = columns
    where = np.flatnonzero(number == 3)
    inputs = [strings[i] for i in where.tolist()]
    input_counts = np.bincount(node[where], minlength=n)
    result = Nodes(data, starts, ends, names, ops, devices, inputs, input_counts)
    if odd.size:
        return _scan_slowly(data, starts, ends, odd, result)
    return result


def _strings(data: bytes, start: np.ndarray, length: np.ndarray) -> list[str] | None:
    """Decode ``data[start:start+length]`` for every field at once (None if that fails)."""
    if not len(start):
        return []
    a = np.frombuffer(data, dtype=np.uint8)
    # The byte before each string (its length's last byte) is kept, to be the separator:
    # the kept bytes are runs, between runs of bytes left out (fields are in data order).
    runs = np.empty(2 * len(start) + 1, dtype=np.int64)
    runs[1::2] = length + 1
    runs[0:-1:2] = start - 1
    runs[2:-1:2] -= start[:-1] + length[:-1]
    runs[-1] = len(a) - (start[-1] + length[-1])
    pattern = np.zeros(len(runs), dtype=np.bool_)
    pattern[1::2] = True
    picked = a[np.repeat(pattern, runs)]
    picked[np.cumsum(length + 1) - (length + 1)] = 10  # "\n"
    try:
        text = picked.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    strings = text.split("\n")
    if len(strings) != len(start) + 1:
        return None  # a string holds a newline
    del strings[0]
    return strings


def _scan_slowly(data: bytes, starts, ends, which: np.ndarray, done: Nodes | None) -> Nodes:
    """Parse the nodes ``which`` one by one into ``done`` (or into a new result)."""
    n = len(starts)
    if done is None:
        done = Nodes(data, starts, ends, [""] * n, [""] * n, [""] * n, [], np.zeros(n, np.int64))
    # Inputs are kept flat in node order: rebuild them around the nodes read here.
    per_node: dict[int, list[str]] = {}
    for i in which.tolist():
        node = node_def_pb2.NodeDef.FromString(data[starts[i] : ends[i]])
        done.names[i] = node.name
        done.ops[i] = node.op
        done.devices[i] = node.device
        per_node[i] = list(node.input)
    if len(per_node) < n:
        bounds = np.concatenate(([0], np.cumsum(done.input_counts))).tolist()
        inputs: list[str] = []
        after = 0  # the first node not yet copied
        for i in sorted(per_node):
            inputs += done.inputs[bounds[after] : bounds[i]]
            inputs += per_node[i]
            after = i + 1
        inputs += done.inputs[bounds[after] :]
        done.inputs = inputs
    else:
        done.inputs = [text for i in range(n) for text in per_node[i]]
    counts = done.input_counts.copy()
    for i, texts in per_node.items():
        counts[i] = len(texts)
    done.input_counts = counts
    return done


# --- the whole graph: nodes, edges, scopes ---------------------------------------------------

try:
    from tb_scopegraph.model import _fastscan
except ImportError:  # installed where the C reader could not be compiled
    _fastscan = None


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
    names: list[str]
    ops: list[str]
    devices: list[str]
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


def scan_graph(data: bytes, ordered: bool = False, fast: bool = True) -> Graph:
    """The nodes, edges and scopes of the serialized GraphDef ``data`` (which must parse as
    one): in C when the extension is built and the bytes are plain, else in Python (same
    answer, several times slower); ``fast=False`` asks for Python."""
    graph = scan_fast(data) if fast else None
    return _graph_in_python(scan(data, ordered)) if graph is None else graph


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
    last = int(ends.max()) if len(ends) else 0
    if len(data) - last > max(1 << 20, len(data) // 8):
        data = data[:last]  # a big library after the nodes is not kept
    return Graph(
        nodes=Nodes(data, starts, ends, [], [], [], [], np.zeros(0, np.int64)),
        names=got["names"],
        ops=got["ops"],
        devices=got["devices"],
        types=got["types"],
        type_ids=ints["type_ids"],
        e_src=ints["e_src"],
        e_dst=ints["e_dst"],
        e_slot=ints["e_slot"],
        e_ctrl=ints["e_ctrl"].astype(bool),
        unresolved=got["unresolved"],
        op_path=ints["op_path"],
        paths=got["paths"],
        path_parent=ints["path_parent"],
        op_prefix=ints["op_prefix"],
        op_number=ints["op_number"],
        path_prefix=ints["path_prefix"],
        path_number=ints["path_number"],
        prefixes=got["prefixes"],
    )


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
        names=names,
        ops=nodes.ops,
        devices=nodes.devices,
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
