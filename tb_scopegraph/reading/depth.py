"""Nesting limits for what is read from a log: JSON, text and binary protobuf parsed with a limit.

Each parser recurses once per level of nesting, so a document nested deep enough exhausts
Python's recursion (`json.loads` raises RecursionError near 1,000 levels, protobuf's
`text_format` near 150 messages) or hits protobuf's own limit. These readers refuse anything
nested past a stated limit with `TooDeep` (a `SourceError`: the plugin answers 422, the command
line one line), before or instead of the parser's own failure.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from google.protobuf import message, text_format

from tb_scopegraph.errors import SourceError, TooDeep

MAX_JSON_DEPTH = 200
"""Nesting of JSON arrays and objects read (a Keras model config).

A Keras functional model's config nests 10 levels, and each model inside a model adds about 3,
so 200 leaves room for some 60 nested models. It keeps `json.loads` and TensorBoard's
`keras_util`, which both recurse per level, far from Python's recursion limit (1,000) whatever
the depth of the stack of the thread that parses.
"""

MAX_MESSAGE_DEPTH = 100
"""Nesting of protobuf messages, binary or text (a GraphDef's attrs nest: func → attr → func).

The limit protobuf itself (upb, its Python decoder, and TensorFlow's C++ parser) puts on binary
messages, so a text file is read exactly when the same graph in binary would be. A real
GraphDef nests about 8 levels (library → function → node → attr → list → tensor → shape).
"""

# JSON strings, whose brackets do not nest; an unterminated one is left for json to refuse.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")

Message = TypeVar("Message", bound=message.Message)


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON document nest, found without recursing.

    `json` has no option to limit depth, so the brackets outside strings are counted: a
    regular-expression pass and a cumulative sum, about 20 ms for a 1 MB Keras config.
    """
    import numpy as np

    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).encode("ascii")
    if not brackets:
        return 0
    raw = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((raw == ord("[")) | (raw == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def load_json(data: bytes | str, what: str) -> Any:
    """The JSON document `data`; TooDeep past `MAX_JSON_DEPTH`, ValueError if it is not JSON."""
    text = data if isinstance(data, str) else data.decode(json.detect_encoding(data), "replace")
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise TooDeep(
            f"not a {what} this reader takes: its JSON nests {depth} levels deep, "
            f"more than the limit of {MAX_JSON_DEPTH}"
        )
    return json.loads(text)


def decode_message(cls: type[Message], data: bytes, what: str) -> Message:
    """A binary protobuf message of class `cls`; TooDeep past protobuf's nesting limit,
    SourceError naming `what` for any other bytes that are not one."""
    try:
        return cls.FromString(data)
    except message.DecodeError as e:
        if _too_deep(str(e)):
            raise TooDeep(
                f"not a {what} this reader takes: its messages nest deeper than "
                f"protobuf's limit of {MAX_MESSAGE_DEPTH}"
            ) from None
        raise SourceError(f"not a valid {what} ({e})") from None


def _too_deep(error: str) -> bool:
    # upb says "Exceeded upb_DecodeOptions_MaxDepth"; the pure-Python decoder "too many
    # levels of nesting".
    return "MaxDepth" in error or "levels of nesting" in error


def parse_text_message(text: str, proto: Message, what: str) -> Message:
    """Text-format `text` merged into `proto`; TooDeep past `MAX_MESSAGE_DEPTH`,
    SourceError naming `what` if it is not one (text_format.ParseError)."""
    try:
        text_format.Parse(text, proto, max_recursion_depth=MAX_MESSAGE_DEPTH)
    except text_format.ParseError as e:
        if "too deep" in str(e):
            raise TooDeep(
                f"not a text {what} this reader takes: its messages nest deeper than "
                f"the limit of {MAX_MESSAGE_DEPTH}"
            ) from None
        raise SourceError(f"not a valid text {what} ({e})") from None
    return proto
