"""Graphs with bad parts: what is skipped or repaired so that the rest is drawn, and the warnings.

One bad node must not cost the whole graph. What counts, and what is done:

- a node without a name: skipped (nothing can name it as an input);
- a node without an op: kept, drawn with the op type `NO_OP`;
- a node named like an earlier one: renamed `name (2)` (`name (3)`...), the first keeps the
  name, so inputs naming it mean the first, as the model takes two nodes of one name;
- a function in the library without a name or repeating one: left out (no call can tell it
  apart); nodes of a function body as above (`function_library`);
- an input naming no node: drawn as a *missing* node (the model makes those; see
  `missing_inputs`);
- binary bytes that do not parse (`salvage_graph_def`): protobuf refuses a whole message at
  its first bad byte, so the GraphDef is taken apart field by field on the wire. A node that
  does not parse is read field by field: an attribute or another field that does not parse
  is left out, the node is kept. A top-level part that does not parse (the function library,
  the versions) is left out; bytes past the last field that frames (a cut, trailing junk)
  are left out.

A graph is refused (`SourceError`) only when nothing of it can be read: it has nodes and none of
them has both a name and an op, or its first bytes do not frame. Bytes that parse but hold
fields no GraphDef has are another kind of protobuf, and stay refused (`graph_def`).

What was done is reported with `report(kind, detail)` to the innermost `collecting()` block of
the same thread or task (a context variable), so that every format's parser (run graphs, model
files, function graphs in a RunMetadata, Keras configs) reports without passing a list through
each call; `adapter.Format.graph` collects what reading one stored graph reported into
`Graph.warnings`. A front door shows one line per kind (`GraphWarning.message`).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import message
from tensorboard.compat.proto import graph_pb2, node_def_pb2

from tb_scopegraph.errors import SourceError

NO_OP = "(no op)"
"""The op type a node without one is drawn with: no TensorFlow op has parentheses in its name."""

MAX_EXAMPLES = 20
"""At most this many details (node names, attributes) are kept for each kind of warning."""

# What each kind of warning says, in the order a front door lists them: (one, many, what is
# wrong with one, what was done). The kind names are the `kind` field of the routes' `warnings`.
_KINDS: dict[str, tuple[str, str, str, str]] = {
    "unreadable_bytes": ("byte range", "byte ranges", "does not parse", "left out"),
    "unreadable_part": (
        "part of the GraphDef",
        "parts of the GraphDef",
        "does not parse",
        "left out",
    ),
    "unreadable_node": ("node", "nodes", "does not parse at all", "skipped"),
    "unreadable_field": ("node field", "node fields", "does not parse", "left out"),
    "unreadable_attr": ("attribute", "attributes", "does not parse", "left out"),
    "no_name": ("node", "nodes", "has no name", "skipped"),
    "no_op": ("node", "nodes", "has no op", f"drawn with op type {NO_OP}"),
    "duplicate_name": ("node", "nodes", "repeats an earlier node's name", "drawn renamed"),
    "bad_function": ("function", "functions", "is nameless or named twice", "left out"),
    "missing_input": ("input", "inputs", "names no node", "drawn as missing nodes"),
}
# The verbs of `_KINDS` for more than one.
_PLURAL = {"does": "do", "has": "have", "repeats": "repeat", "names": "name", "is": "are"}


@dataclass(frozen=True)
class GraphWarning:
    """One kind of thing skipped or repaired in a graph: how often, and the first details."""

    kind: str
    count: int
    examples: tuple[str, ...]

    @property
    def message(self) -> str:
        """One line: `3 nodes have no name, skipped: #4, #9, #12`."""
        one, many, problem, done = _KINDS[self.kind]
        if self.count != 1:
            verb, _, rest = problem.partition(" ")
            problem = f"{_PLURAL[verb]} {rest}"
        shown = ", ".join(self.examples[:5])
        more = ", ..." if self.count > min(5, len(self.examples)) else ""
        noun = one if self.count == 1 else many
        return f"{self.count} {noun} {problem}, {done}: {shown}{more}"

    def to_json(self) -> dict[str, Any]:
        """The warning as the routes answer it in their `warnings` field."""
        return {
            "kind": self.kind,
            "count": self.count,
            "message": self.message,
            "examples": list(self.examples),
        }


class Found:
    """What one `collecting()` block was told: per kind, a count and the first details."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}

    def add(self, kind: str, detail: str, count: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count
        examples = self.examples.setdefault(kind, [])
        if len(examples) < MAX_EXAMPLES:
            examples.append(detail)

    def warnings(self) -> tuple[GraphWarning, ...]:
        return tuple(
            GraphWarning(kind, self.counts[kind], tuple(self.examples[kind]))
            for kind in _KINDS
            if kind in self.counts
        )


_found: contextvars.ContextVar[Found | None] = contextvars.ContextVar(
    "tb_scopegraph_repairs", default=None
)


@contextlib.contextmanager
def collecting() -> Iterator[Found]:
    """Collect what the parsing inside the block reports (an inner block takes it over)."""
    found = Found()
    token = _found.set(found)
    try:
        yield found
    finally:
        _found.reset(token)


def report_found(found: Found) -> None:
    """Pass on to the enclosing block what an inner one was told (once it is kept)."""
    for kind, count in found.counts.items():
        examples = found.examples[kind]
        report(kind, examples[0], count - len(examples) + 1)
        for detail in examples[1:]:
            report(kind, detail)


def report(kind: str, detail: str, count: int = 1) -> None:
    """Tell the enclosing `collecting()` block that `count` things of `kind` were skipped or
    repaired (`detail` names the first); outside any block nobody is told."""
    found = _found.get()
    if found is not None:
        found.add(kind, detail, count)


# --- nodes ---------------------------------------------------------------------------------


def repair_nodes(graph: graph_pb2.GraphDef) -> None:
    """Skip nodes without a name, rename those repeating one, give op-less nodes `NO_OP`, in
    place; SourceError when the graph has nodes and none has both a name and an op."""
    nodes = graph.node
    names: set[str] = set()
    keep: list[int] = []
    no_op: list[int] = []
    repeated: list[int] = []
    for index, node in enumerate(nodes):
        name = node.name
        if not name:
            report("no_name", f"#{index}" + (f" ({node.op})" if node.op else ""))
            continue
        if name in names:
            repeated.append(index)
        else:
            names.add(name)
        keep.append(index)
        if not node.op:
            no_op.append(index)
    if nodes and len(no_op) == len(keep):
        raise SourceError("not a valid GraphDef (no node has both a name and an op)")
    for index in repeated:
        node = nodes[index]
        node.name = unique_name(node.name, names)
        report("duplicate_name", node.name)
    for index in no_op:
        report("no_op", nodes[index].name)
        nodes[index].op = NO_OP
    if len(keep) < len(nodes):
        # Rebuilt at once: deleting nodes one by one from a repeated field is quadratic.
        kept = [node_def_pb2.NodeDef() for _ in keep]
        for copy, index in zip(kept, keep, strict=True):
            copy.CopyFrom(nodes[index])
        del nodes[:]
        nodes.extend(kept)


def unique_name(name: str, used: set[str]) -> str:
    """`name (2)`, `name (3)`... : the first not in `used`, which it is added to."""
    n = 2
    while f"{name} ({n})" in used:
        n += 1
    used.add(f"{name} ({n})")
    return f"{name} ({n})"


def missing_inputs(model: Any) -> GraphWarning | None:
    """The warning for the inputs of a built `GraphModel` that name no node (the model draws
    each name as a missing node: its ops `op_count` and above); None when there are none."""
    first = model.op_count
    if len(model.names) == first:
        return None
    # Counted by the names they give: inputs naming one node twice are one missing node.
    count = len(model.names) - first
    return GraphWarning("missing_input", count, tuple(model.names[first : first + MAX_EXAMPLES]))


def warnings_of(graph_warnings: tuple[GraphWarning, ...], model: Any) -> tuple[GraphWarning, ...]:
    """All a front door shows for a graph: what reading it reported, and its missing inputs."""
    missing = missing_inputs(model)
    return graph_warnings if missing is None else (*graph_warnings, missing)


# --- bytes ---------------------------------------------------------------------------------

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5


def wire_fields(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, start, end) of each top-level field of a protobuf message.

    Stops at the first field that does not frame (a bad tag, a group, a length past the end):
    protobuf has no reader that goes on past a bad field, which is the point of this one.
    """
    pos, size = 0, len(data)
    while pos < size:
        start = pos
        tag = data[pos]
        if tag < 0x80:  # one byte, as every tag here is: the call costs more than the work
            pos += 1
        else:
            tag, pos = _varint(data, pos)
            if tag is None:
                return
        number, wire = tag >> 3, tag & 7
        if number == 0:
            return
        if wire == _VARINT:
            _, pos = _varint(data, pos)
            if pos is None:
                return
        elif wire == _FIXED64:
            pos += 8
        elif wire == _FIXED32:
            pos += 4
        elif wire == _LEN:
            length = data[pos] if pos < size else 0x80
            if length < 0x80:
                pos += 1
            else:
                length, pos = _varint(data, pos)
                if length is None:
                    return
            pos += length
        else:
            return  # groups (3, 4) are in no message read here; 6 and 7 are no wire type
        if pos > size:
            return
        yield number, wire, start, pos


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    return None, len(data)


def salvage_graph_def(data: bytes) -> graph_pb2.GraphDef:
    """What can be read of a serialized GraphDef that protobuf refuses (see the module
    docstring), each thing left out reported; a graph with no nodes when nothing frames.

    Spans of fields that parse are found by halving (a span is tried whole, then each half),
    and the bytes kept are parsed once at the end: node by node, a 100k-node GraphDef took
    2.6 s more than this.
    """
    fields = graph_pb2.GraphDef.DESCRIPTOR.fields_by_number
    framed: list[tuple[int, int, int]] = []  # (number, start, end) of each field that frames
    for number, wire, start, end in wire_fields(data):
        field = fields.get(number)
        if field is None or wire != _wire_type(field):
            break  # no GraphDef's field: junk from here on
        framed.append((number, start, end))
    node_index = list(itertools.accumulate(number == 1 for number, _, _ in framed))
    kept: list[bytes] = []
    spans = [(0, len(framed))] if framed else []
    while spans:
        first, last = spans.pop()
        piece = data[framed[first][1] : framed[last - 1][2]]
        if _parses(piece):
            kept.append(piece)
        elif last - first > 1:
            middle = (first + last) // 2
            spans += [(middle, last), (first, middle)]  # the first half is taken first
        elif framed[first][0] == 1:
            node = _salvage_node(piece, node_index[first] - 1)
            if node is not None:
                kept.append(_field_bytes(1, node.SerializeToString()))
        else:
            report("unreadable_part", fields[framed[first][0]].name)
    end = framed[-1][2] if framed else 0
    if end < len(data):
        report("unreadable_bytes", f"bytes {end}-{len(data)} of {len(data)}")
    # Protobuf reads concatenated messages as one: pieces that parse apart parse together.
    return graph_pb2.GraphDef.FromString(b"".join(kept))


def _parses(piece: bytes) -> bool:
    try:
        graph_pb2.GraphDef.FromString(piece)
    except message.DecodeError:
        return False
    return True


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint_bytes(number << 3 | _LEN) + _varint_bytes(len(payload)) + payload


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _wire_type(field: Any) -> int:
    return (
        _LEN
        if field.type in (field.TYPE_MESSAGE, field.TYPE_STRING, field.TYPE_BYTES)
        else (_VARINT)
    )


def _salvage_node(part: bytes, index: int) -> node_def_pb2.NodeDef | None:
    """Node #`index` (field 1 of a GraphDef, tag and length included), read field by field
    if it does not parse whole; None, reported, if no field of it parses."""
    body = _value(part)
    node = node_def_pb2.NodeDef()
    try:
        node.MergeFromString(body)
        return node
    except message.DecodeError:
        node.Clear()
    fields = node_def_pb2.NodeDef.DESCRIPTOR.fields_by_number
    read_any = False
    end = 0
    for number, _wire, start, end_of_field in wire_fields(body):
        end = end_of_field
        try:
            # Into a message of its own first: a failed merge may leave half a field behind.
            node.MergeFrom(node_def_pb2.NodeDef.FromString(body[start:end_of_field]))
            read_any = True
        except message.DecodeError:
            who = node.name or f"#{index}"
            if number == 5:
                report("unreadable_attr", f"{who}: {_attr_key(body[start:end_of_field])}")
            else:
                name = fields[number].name if number in fields else f"field {number}"
                report("unreadable_field", f"{who}: {name}")
    if end < len(body):
        report("unreadable_field", f"{node.name or f'#{index}'}: bytes {end}-{len(body)}")
    if not read_any:
        report("unreadable_node", f"#{index}")
        return None
    return node


def _value(field_bytes: bytes) -> bytes:
    """The payload of one length-delimited field, given with its tag and length."""
    _, pos = _varint(field_bytes, 0)
    _, pos = _varint(field_bytes, pos)
    return field_bytes[pos:]


def _attr_key(entry_field: bytes) -> str:
    """The key of an attr map entry (field 5 of a NodeDef, tag and length included)."""
    entry = _value(entry_field)
    for number, wire, start, end in wire_fields(entry):
        if number == 1 and wire == _LEN:
            return repr(_value(entry[start:end]).decode("utf-8", "replace"))
    return "(no key)"
