"""Strings in DOT: quoted strings, label and tooltip text that Graphviz shows exactly as
written, and the SVG element ids of boxes.

Every string that comes from a graph goes through `quote` (and `label_text` or `tip_text`
for what Graphviz shows), so no name can break out of its DOT string or add markup to the SVG.
"""

from __future__ import annotations

import html
import re

from tb_scopegraph.model.graph import CHUNK, MISSING, OP, SCOPE, SERIES

KINDS = (OP, SCOPE, SERIES, CHUNK, MISSING)
#: Labels longer than this are clipped (with an ellipsis).
LABEL_CLIP = 48
_TOOLTIP_CLIP = 600
_SAFE = re.compile(rb"[A-Za-z0-9_-]")
_ENCODED = re.compile(rb"\.([0-9A-F]{2})")


def element_id(kind: str, name: str) -> str:
    """The SVG element id of a box: its kind and its name, with unsafe bytes as ``.XX``.

    >>> element_id("op", "dense/kernel")
    'op-dense.2Fkernel'
    >>> element_id("scope", 'a"<b>')
    'scope-a.22.3Cb.3E'
    """
    encoded = "".join(
        chr(b) if _SAFE.match(bytes([b])) else f".{b:02X}" for b in name.encode("utf-8")
    )
    return f"{kind}-{encoded}"


def parse_element_id(eid: str) -> tuple[str, str]:
    """The (kind, name) that `element_id` encoded.

    >>> parse_element_id("op-dense.2Fkernel")
    ('op', 'dense/kernel')
    """
    kind, dash, encoded = eid.partition("-")
    if not dash or kind not in KINDS:
        raise ValueError(f"not an element id: {eid!r}")
    data = _ENCODED.sub(lambda m: bytes([int(m.group(1), 16)]), encoded.encode("ascii"))
    return kind, data.decode("utf-8", errors="replace")


def quote(text: str) -> str:
    r"""A DOT double-quoted string holding ``text``.

    DOT's lexer reads ``\"`` as a quote and ``\\`` as a pair that ends no string, and it
    cannot hold a NUL. Graph strings reach this through `label_text`, whose backslashes come in
    pairs; a lone backslash before a quote or at the end is doubled so the string still ends.

    >>> print(quote('say "hi"'))
    "say \"hi\""
    >>> print(quote("ends\\"))
    "ends\\"
    """
    text = text.replace("\n", "\\n").replace("\0", "\\x00")
    text = _QUOTE_RUN.sub(lambda m: _even(m.group(1)) + '\\"', text)
    text = _END_RUN.sub(lambda m: _even(m.group(1)), text)
    # Graphviz refuses a quoted string of more than 16,384 bytes; DOT joins "a" + "b".
    size = _PIECE if text.isascii() else _PIECE // 4  # characters of at most 4 bytes
    if len(text) <= size:
        return f'"{text}"'
    pieces = []
    start = 0
    while start < len(text):
        piece = text[start : start + size]
        # Never split an escape from what it escapes: a piece ends after an even run of
        # backslashes (each piece starts after one, so its own run tells the parity).
        if start + size < len(text) and (len(piece) - len(piece.rstrip("\\"))) % 2:
            piece = piece[:-1]
        pieces.append(piece)
        start += len(piece)
    return " + ".join(f'"{piece}"' for piece in pieces)


_PIECE = 16000  # bytes


# Each run of backslashes is matched from its start only: linear time on long runs.
_QUOTE_RUN = re.compile(r'(?<!\\)(\\*)"')
_END_RUN = re.compile(r"(?<!\\)(\\+)$")


def _even(backslashes: str) -> str:
    return backslashes + "\\" if len(backslashes) % 2 else backslashes


def label_text(text: str, clip: int = LABEL_CLIP) -> str:
    r"""Text for a label that Graphviz shows exactly as it is.

    A backslash would start a Graphviz escape (``\N`` is the node's name), ``&`` an HTML
    entity, and control characters would break lines: all are written so they show as text.

    >>> print(label_text('a\\N&amp;<b>\n'))
    a\\N&amp;amp;<b>\\x0a
    """
    return _escape(text, clip, "\\\\")


def tip_text(text: str, clip: int = _TOOLTIP_CLIP) -> str:
    r"""Text for a tooltip: as `label_text`, but Graphviz reads escapes in tooltips twice, so each
    backslash is written as four.

    >>> print(tip_text('a\\N&amp;'))
    a\\\\N&amp;amp;
    """
    return _escape(text, clip, "\\" * 4)


def _escape(text: str, clip: int, backslash: str) -> str:
    if len(text) > clip:
        text = text[: clip - 1] + "…"
    text = text.replace("&", "&amp;").replace("\\", backslash)
    return CONTROL.sub(lambda m: f"{backslash}x{ord(m.group()):02x}", text)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def join_lines(*parts: str) -> str:
    """Several lines of label text joined with Graphviz's centred line break."""
    return "\\n".join(p for p in parts if p)


def note_lines(text: str, escape) -> str:
    """A mark's note (lines split by ``\\n``), each line escaped by ``escape``."""
    return join_lines(*(escape(line) for line in text.split("\n")))


def html_text(text: str, clip: int = LABEL_CLIP) -> str:
    r"""Text for a line of an HTML-like label (`title_label`): Graphviz reads no backslash
    escapes there, only entities, so ``&``, ``<`` and ``>`` are written as entities and
    control characters as the same visible ``\xNN`` that `label_text` shows.

    >>> print(html_text('a\\N&amp;<b>\n'))
    a\N&amp;amp;&lt;b&gt;\x0a
    """
    if len(text) > clip:
        text = text[: clip - 1] + "…"
    text = html.escape(text, quote=False)
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def title_label(lines: list[str]) -> str:
    """The title of an open group as an HTML-like DOT label: its lines (from `html_text`)
    flush left, as a frame's title stands at its top left (what keeps the edges coming in off
    it: `titles`).

    >>> title_label(["layer1", "7 ops"])  # doctest: +NORMALIZE_WHITESPACE
    '<<table border="0" cellborder="0" cellspacing="0" cellpadding="0"><tr><td align="left"
    balign="left">layer1<br/>7 ops</td></tr></table>>'
    """
    text = "<br/>".join(line for line in lines if line)
    return (
        '<<table border="0" cellborder="0" cellspacing="0" cellpadding="0"><tr>'
        f'<td align="left" balign="left">{text}</td></tr></table>>'
    )
