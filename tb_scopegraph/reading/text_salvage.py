"""Text GraphDefs (`.pbtxt`) that protobuf's text parser refuses, read field by field.

`text_format` refuses a whole file at its first bad token, so one attribute written wrong costs
the graph. Here the text is cut into its top-level fields (`fields_of`: a name, then a scalar,
a list or a `{...}`/`<...>` block; strings and `#` comments are read as tokens, so braces inside
them do not count), and each is parsed on its own. A `node` that does not parse is cut the same
way into its own fields: an `attr` or another field that does not parse is left out, the node
kept. Text where the fields stop framing (an unclosed brace or string) is left out from there.
Each thing left out is reported (`repair`), named by the line it starts on. The fields kept are
merged as protobuf merges messages (a singular field given twice keeps the last, which
`text_format.Parse` would refuse).
"""

from __future__ import annotations

import re
from typing import Any

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading.depth import parse_text_message
from tb_scopegraph.reading.repair import report

# Text format's tokens: strings (either quote, with escapes), comments, words (names, numbers,
# enum values), punctuation. Anything else (an unclosed string) stops the framing.
_TOKEN = re.compile(
    r"""\s*(?:(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(?P<comment>\#[^\n]*)"""
    r"""|(?P<word>\[[\w.]+(?:/[\w.]+)*\]|[\w.+-]+)|(?P<punct>[{}<>\[\]:,;]))"""
)
_CLOSING = {"{": "}", "<": ">", "[": "]"}
_ATTR_KEY = re.compile(r"""key\s*:\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")


def _tokens(text: str, pos: int = 0) -> tuple[list[tuple[str, str, int, int]], int]:
    """(kind, text, start, end) of each token from `pos`, comments left out, and where the
    tokens stop (the text's length when all of it is tokens or space)."""
    found = []
    size = len(text)
    while pos < size:
        match = _TOKEN.match(text, pos)
        if match is None:
            return found, pos if text[pos:].strip() else size
        kind = match.lastgroup
        if kind != "comment":
            found.append((kind, match.group(kind), match.start(kind), match.end()))
        pos = match.end()
    return found, size


def fields_of(text: str) -> tuple[list[tuple[str, int, int]], int]:
    """(name, start, end) of each top-level field of a text message, and where the fields
    stop framing (the text's length when they all do)."""
    tokens, stop = _tokens(text)
    fields = []
    i, n = 0, len(tokens)
    while i < n:
        kind, name, start, _ = tokens[i]
        if kind != "word":
            return fields, start
        i += 1
        if i < n and tokens[i][1] == ":":
            i += 1
        if i >= n:
            return fields, start
        value = tokens[i][1]
        if value in _CLOSING:
            i = _past_block(tokens, i)
            if i is None:
                return fields, start
        else:
            i += 1
            while i < n and tokens[i][0] == "string":  # adjacent strings are one
                i += 1
        if i < n and tokens[i][1] in ",;":
            i += 1
        fields.append((name, start, tokens[i - 1][3]))
    return fields, stop


def _past_block(tokens: list, i: int) -> int | None:
    """The index past the block opening at `tokens[i]`; None if it does not close."""
    stack = []
    for j in range(i, len(tokens)):
        kind, text, _, _ = tokens[j]
        if kind != "punct":
            continue
        if text in _CLOSING:
            stack.append(_CLOSING[text])
        elif text in "}>]":
            if not stack or stack.pop() != text:
                return None
            if not stack:
                return j + 1
    return None


def salvage_text_graph_def(text: str) -> graph_pb2.GraphDef:
    """What can be read of a text GraphDef that `text_format` refuses (see the module
    docstring), each thing left out reported."""
    graph = graph_pb2.GraphDef()
    fields, stop = fields_of(text)
    for name, start, end in fields:
        parsed = _parsed(text[start:end], graph_pb2.GraphDef)
        if parsed is not None:
            graph.MergeFrom(parsed)
        elif name == "node":
            node = _salvage_node(text, start, end)
            if node is not None:
                graph.node.append(node)
        else:
            report("unreadable_part", f"{name} at line {_line(text, start)}")
    if stop < len(text):
        report("unreadable_bytes", f"text from line {_line(text, stop)} on")
    return graph


def _salvage_node(text: str, start: int, end: int) -> node_def_pb2.NodeDef | None:
    """The fields of the `node` block at `text[start:end]` that parse, as a NodeDef; None,
    reported, if none does."""
    opened = re.compile(r"[{<]").search(text, start, end)
    body_start = opened.end() if opened else end
    body = text[body_start : end - 1]
    fields, stop = fields_of(body)
    node = node_def_pb2.NodeDef()
    read_any = False
    for name, field_start, field_end in fields:
        piece = body[field_start:field_end]
        parsed = _parsed(piece, node_def_pb2.NodeDef)
        if parsed is not None:
            node.MergeFrom(parsed)
            read_any = True
            continue
        where = f"line {_line(text, body_start + field_start)}"
        if name == "attr":
            key = _ATTR_KEY.search(piece)
            report("unreadable_attr", f"{where}: {key.group(1) if key else '(no key)'}")
        else:
            report("unreadable_field", f"{where}: {name}")
    if stop < len(body):
        report("unreadable_field", f"line {_line(text, body_start + stop)}: the rest of the node")
    if not read_any:
        report("unreadable_node", f"line {_line(text, start)}")
        return None
    return node


def _parsed(text: str, cls: Any) -> Any:
    try:
        return parse_text_message(text, cls(), cls.DESCRIPTOR.name)
    except SourceError:
        return None


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
