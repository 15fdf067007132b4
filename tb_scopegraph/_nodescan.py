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
_ROUNDS = 64


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


def scan(data: bytes) -> Nodes:
    """The nodes of the serialized GraphDef ``data`` (which must parse as one)."""
    parts = list(_NodeList.FromString(data).node)
    n = len(parts)
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=n)
    joined = b"".join(parts)
    del parts
    ends = np.cumsum(lengths)
    starts = ends - lengths
    fields = _walk(np.frombuffer(joined, dtype=np.uint8), starts, ends)
    if fields is None:
        return _scan_slowly(joined, starts, ends, np.arange(n), None)
    return _decode(joined, starts, ends, *fields)


def _varint(
    a: np.ndarray, p: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a varint at every position ``p``: (values, positions after, which were bad)."""
    size = len(a)
    safe = np.minimum(p, size - 1)
    byte = a[safe].astype(np.int64)
    value = byte & 0x7F
    bad = p >= end
    after = p + 1
    more = np.flatnonzero(byte >= 0x80)
    shift = 7
    while more.size:
        if shift > 63:
            bad[more] = True
            break
        q = after[more]
        out = q >= end[more]
        bad[more[out]] = True
        byte = a[np.minimum(q, size - 1)].astype(np.int64)
        value[more] |= (byte & 0x7F) << shift
        after[more] = q + 1
        more = more[(byte >= 0x80) & ~out]
        shift += 7
    return value, after, bad


def _walk(a: np.ndarray, starts: np.ndarray, ends: np.ndarray):
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
        tag, p, bad = _varint(a, pos[active], end)
        wire = tag & 7
        number = tag >> 3
        length = np.zeros_like(p)
        delimited = np.flatnonzero(wire == 2)
        if delimited.size:
            size, after, bad_size = _varint(a, p[delimited], end[delimited])
            length[delimited] = size
            p[delimited] = after
            bad[delimited] |= bad_size
        varint = np.flatnonzero(wire == 0)
        if varint.size:
            _, after, bad_value = _varint(a, p[varint], end[varint])
            p[varint] = after
            bad[varint] |= bad_value
        odd = (wire == 3) | (wire == 4) | (wire > 5) | (number == 0)
        string = (wire == 2) & (number >= 1) & (number <= 4)
        keep = np.flatnonzero(string)
        found.append((active[keep], number[keep], p[keep], length[keep]))
        p = p + length + (wire == 1) * 8 + (wire == 5) * 4
        bad |= odd | (p > end)
        if bad.any():
            return None  # not a stream protobuf would take as it is: let it say why
        pos[active] = p
        active = active[p < end]
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
    names = [""] * n
    ops = [""] * n
    devices = [""] * n
    node_list = node.tolist()
    for field, out in ((1, names), (2, ops), (4, devices)):
        where = np.flatnonzero(number == field)
        if not where.size:
            continue
        texts = [strings[i] for i in where.tolist()]
        if len(where) == n:
            out[:] = texts
        else:
            for i, text in zip([node_list[i] for i in where.tolist()], texts, strict=True):
                out[i] = text
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
    if done.inputs or len(per_node) < n:
        bounds = np.concatenate(([0], np.cumsum(done.input_counts))).tolist()
        inputs: list[str] = []
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            inputs.extend(per_node[i] if i in per_node else done.inputs[a:b])
        done.inputs = inputs
    else:
        done.inputs = [text for i in range(n) for text in per_node[i]]
    counts = done.input_counts.copy()
    for i, texts in per_node.items():
        counts[i] = len(texts)
    done.input_counts = counts
    return done
