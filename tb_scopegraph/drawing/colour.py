"""Colours for a view: by op type or device (a fixed palette), by compute time or memory (a scale),
by structure (groups that are copies of one another share a colour).

A category always gets the same colour, in every view and every graph, so a reader learns
that ``Conv2D`` is blue once. Values are coloured on a light-to-dark scale relative to the
largest one in the view, with the range in the legend.

By op type, a closed group takes the colour of the op type that does its work (`group_op_type`):
the most common of its computing ops, counted over every op inside it. Plumbing (constants,
variables and their reads, identities, placeholders, summaries, shape queries) is left out, as
a layer holds more `Const` and `ReadVariableOp` than `MatMul`; a heavy op (a matrix product or
convolution) outweighs the elementwise ops round it, as it is what the layer is. A group where no
type holds half of what is counted is "mixed", in a grey of its own.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence

from tb_scopegraph.drawing.labels import type_word

#: What a view can be coloured by; "" is no colouring.
SCHEMES = ("", "op", "device", "compute", "memory", "structure")

# Text on every fill reads at WCAG AA contrast (4.5:1) or better, in the tab's light and dark
# themes alike (see `contrast`, `dark_theme`; tests/test_contrast.py checks every palette): light
# fills (Material 100/200 tones), a few lightened to pass.
#: The fills of op types and devices.
PALETTE = (
    "#bbdefb",
    "#c8e6c9",
    "#ffe0b2",
    "#f8bbd0",
    "#d1c4e9",
    "#b2ebf2",
    "#fff9c4",
    "#ffccbc",
    "#dcedc8",
    "#cfd8dc",
    "#b3e5fc",
    "#f0f4c3",
    "#e1bee7",
    "#ffecb3",
    "#b2dfdb",
    "#c5cae9",
    "#ffcdd2",
    "#a5d6a7",
    "#90caf9",
    "#ffab91",
    "#d4a0dd",
    "#80deea",
    "#e6ee9c",
    "#bcaaa4",
)
#: The fills of compute time and memory, light to dark: its dark end is as dark as black text
#: (light theme) and light grey text (dark theme) both still read on.
SCALE = ("#fff3e0", "#ffecc7", "#ffe0b2", "#ffd699", "#ffcc80", "#ffc266", "#ffb74d", "#ffae37")
_NONE = "#ffffff"
_LEGEND_MAX = 14


def category_colour(name: str) -> str:
    """The fill for one op type or device: the same name gives the same colour everywhere.

    >>> category_colour("Conv2D") == category_colour("Conv2D")
    True
    >>> category_colour("")
    '#ffffff'
    """
    if not name:
        return _NONE
    return PALETTE[zlib.crc32(name.encode("utf-8")) % len(PALETTE)]


#: Op types that hold, move or describe data without computing on it: not what a group's
#: colour says it does. (PyTorch's `prim::` ops are all such.)
PLUMBING = frozenset(
    {
        "Const",
        "Identity",
        "IdentityN",
        "NoOp",
        "Placeholder",
        "PlaceholderWithDefault",
        "_Arg",
        "_Retval",
        "VarHandleOp",
        "VariableV2",
        "Variable",
        "ReadVariableOp",
        "AssignVariableOp",
        "Assign",
        "VarIsInitializedOp",
        "IsVariableInitialized",
        "StopGradient",
        "Shape",
        "ShapeN",
        "Size",
        "Rank",
        "Assert",
        "ScalarSummary",
        "HistogramSummary",
        "ImageSummary",
        "AudioSummary",
        "TensorSummary",
        "TensorSummaryV2",
        "MergeSummary",
        "WriteSummary",
        "WriteScalarSummary",
        "WriteHistogramSummary",
    }
)
# The op types that are a layer's work where they are: matrix products and convolutions (and
# their gradients), in TF's and PyTorch's spellings.
_HEAVY = re.compile(r"MatMul|Conv|Einsum|^aten::(?:linear|mm|bmm|addmm|matmul|_?convolution)", re.I)
#: A closed group is coloured by one op type when it holds at least this share of the ops
#: counted (`group_op_type`); else it is "mixed".
DOMINANT_SHARE = 0.5
#: What `group_op_type` says of a group of mixed op types (no op type has parentheses).
MIXED = "(mixed)"
#: The fill of a group of mixed op types: a plain grey none of `PALETTE` is.
MIXED_FILL = "#e0e0e0"
_MIXED_TEXT = "mixed op types"


def group_op_type(op_types: Mapping[str, int]) -> str | None:
    """The op type a closed group is coloured by, from the op types of every op inside it and
    their counts: its most common heavy op type if it holds any, else its most common computing
    one, when that is at least `DOMINANT_SHARE` of them; `MIXED` when none is; None when it
    holds only plumbing.

    >>> group_op_type({"Const": 6, "ReadVariableOp": 6, "AddV2": 2, "MatMul": 1, "Relu": 1})
    'MatMul'
    >>> group_op_type({"Conv2D": 3, "Conv2DBackpropInput": 3, "Conv2DBackpropFilter": 3})
    '(mixed)'
    >>> group_op_type({"Mul": 5, "Sub": 2}), group_op_type({"Const": 4}) is None
    ('Mul', True)
    """
    counted = {t: n for t, n in op_types.items() if n > 0 and t not in PLUMBING}
    counted = {t: n for t, n in counted.items() if not t.startswith("prim::")}
    heavy = {t: n for t, n in counted.items() if _HEAVY.search(t)}
    if heavy:
        counted = heavy
    if not counted:
        return None
    top = min(counted, key=lambda t: (-counted[t], t))
    return top if counted[top] >= DOMINANT_SHARE * sum(counted.values()) else MIXED


def op_type_colour(name: str) -> str:
    """The fill for an op type, or `MIXED_FILL` for a group of mixed op types.

    >>> op_type_colour(MIXED) == MIXED_FILL, op_type_colour("MatMul") == category_colour("MatMul")
    (True, True)
    """
    return MIXED_FILL if name == MIXED else category_colour(name)


# Classes of identical blocks: few, clearly different tones (each unlike its neighbours and
# unlike the plain group fills), for the biggest classes; every other class shares one
# neutral fill, drawn dashed (see dot.py), so no two classes ever look alike.
STRUCTURE_PALETTE = (
    "#ffd54f",  # amber
    "#81d4fa",  # sky blue
    "#f59ebb",  # pink
    "#aed581",  # light green
    "#d4a0dd",  # purple
    "#ffab91",  # salmon
    "#71c5bd",  # teal
    "#fff176",  # yellow
    "#bcaaa4",  # brown
    "#a3acdb",  # indigo
)
#: The fill of the classes past the palette: "other identical blocks".
STRUCTURE_OTHER = "#fcfcfc"


def structure_colour(rank: int) -> str:
    """The fill for the class of identical blocks ranked ``rank`` (biggest blocks first): one
    of `STRUCTURE_PALETTE` for the first classes, `STRUCTURE_OTHER` for the rest.

    >>> structure_colour(0) == STRUCTURE_PALETTE[0], structure_colour(99) == STRUCTURE_OTHER
    (True, True)
    """
    return STRUCTURE_PALETTE[rank] if 0 <= rank < len(STRUCTURE_PALETTE) else STRUCTURE_OTHER


def scale_colour(value: float | None, top: float) -> str:
    """The fill for a value on a light-to-dark scale up to ``top``.

    >>> scale_colour(0, 10), scale_colour(10, 10), scale_colour(None, 10)
    ('#fff3e0', '#ffae37', '#ffffff')
    """
    if value is None or top <= 0:
        return _NONE
    step = min(int(value / top * len(SCALE)), len(SCALE) - 1)
    return SCALE[max(step, 0)]


def fills(scheme: str, values: Sequence) -> tuple[list[str | None], str]:
    """A fill per box (None: keep its own), and an HTML-like legend label (or ``""``).

    ``values`` holds, per box, the category (op type, device), the number (microseconds,
    bytes) or the class of identical blocks (its rank and legend text, see `structure`) that
    ``scheme`` colours by, or None where the box has none; by op type, a closed group's value
    is the op types inside it with their counts (`group_op_type` picks its colour).
    """
    if scheme == "structure":
        colours = [None if v is None else structure_colour(v[0]) for v in values]
        return colours, structure_legend(v for v in values if v is not None)
    if scheme in ("op", "device"):
        if scheme == "op":
            # An op's type as its label says it: inputs and outputs by what they are.
            values = [group_op_type(v) if isinstance(v, Mapping) else v for v in values]
            values = [type_word(v) if v and v != MIXED else v for v in values]
        colours = [op_type_colour(v) if v else None for v in values]
        counts: dict[str, int] = {}
        for v in values:
            if v:
                counts[v] = counts.get(v, 0) + 1
        shown = sorted(counts, key=lambda k: (-counts[k], k))[:_LEGEND_MAX]
        rows = [(op_type_colour(k), _MIXED_TEXT if k == MIXED else k) for k in shown]
        if len(counts) > len(shown):
            rows.append((_NONE, f"… {len(counts) - len(shown)} more"))
        title = "op type" if scheme == "op" else "device"
        return colours, _legend(title, rows) if rows else ""
    if scheme in ("compute", "memory"):
        numbers = [v for v in values if v is not None]
        top = max(numbers, default=0)
        colours = [None if v is None else scale_colour(v, top) for v in values]
        if not numbers:
            return colours, ""
        unit = _microseconds if scheme == "compute" else _bytes
        title = "compute time" if scheme == "compute" else "memory"
        rows = [(SCALE[0], f"0 – {unit(top / len(SCALE))}"), (SCALE[-1], f"up to {unit(top)}")]
        return colours, _legend(title, rows)
    return [None] * len(values), ""


def structure_legend(classes: Iterable[tuple[int, str]]) -> str:
    """The legend of a view coloured by structure: a row per coloured class of identical
    blocks (rank, text) it shows, then one row for all the others. Each row's swatch carries
    an id (``sg-legend-<n>``) and its text as tooltip, for the tab's sidebar to read.

    >>> "other identical blocks (2 classes)" in structure_legend([(0, "a ×2"), (10, "b ×2"),
    ...     (11, "c ×3")])
    True
    """
    found = sorted(set(classes))
    rows = [(structure_colour(rank), text) for rank, text in found if rank < len(STRUCTURE_PALETTE)]
    others = len(found) - len(rows)
    if others:
        rows.append(
            (STRUCTURE_OTHER, f"other identical blocks ({others} class{'es' * (others > 1)})")
        )
    return _legend("identical blocks", rows, ids=True) if rows else ""


#: Fills of a diff view, by status (diff.py's names): green added, red removed, amber changed;
#: what is the same keeps a pale grey so the changes stand out.
DIFF_FILLS = {
    "added": "#a5d6a7",
    "removed": "#f0a1a1",
    "changed": "#ffcc80",
    "same": "#f5f5f5",
}


def diff_legend(counts: dict[str, int]) -> str:
    """The legend of a diff view: one row per status with its op count in the whole union.

    >>> "added: 3 ops" in diff_legend({"added": 3, "removed": 0, "changed": 1, "same": 9})
    True
    """
    rows = [
        (DIFF_FILLS[s], f"{s}: {counts.get(s, 0):,} op" + "s" * (counts.get(s) != 1))
        for s in DIFF_FILLS
    ]
    return _legend("diff (ops)", rows)


def _legend(title: str, rows: list[tuple[str, str]], ids: bool = False) -> str:
    cells = "".join(
        f'<tr><td bgcolor="{colour}" width="14" height="10"'
        + (
            f' id="sg-legend-{n}" tooltip="{html.escape(_clip(text, 200), quote=True)}"'
            if ids
            else ""
        )
        + ("" if colour != STRUCTURE_OTHER else ' border="1" style="dashed" color="#757575"')
        + f'></td><td align="left">{html.escape(_clip(text), quote=True)}</td></tr>'
        for n, (colour, text) in enumerate(rows)
    )
    return (
        '<<table border="0" cellborder="0" cellspacing="2" cellpadding="1">'
        f'<tr><td colspan="2" align="left"><b>{html.escape(title)}</b></td></tr>{cells}</table>>'
    )


def _clip(text: str, size: int = 40) -> str:
    text = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return text if len(text) <= size else text[: size - 1] + "…"


def _microseconds(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} s"
    if value >= 1e3:
        return f"{value / 1e3:.1f} ms"
    return f"{value:.0f} µs"


def _bytes(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


#: The colours text is drawn in on the fills: labels (Graphviz's black), and the line of a box
#: that holds summaries (style.css's --sg-badge; in the dark theme, labels' colour): a calm dark
#: blue, told apart from the labels' black without reading as an error, as a dark red did.
LABEL_TEXT = "#000000"
BADGE_TEXT = "#1f3a5f"

# What the tab's dark theme does to the drawing (style.css: `filter: invert(0.86)
# hue-rotate(180deg)`), as the Filter Effects spec defines those functions, in sRGB as Chromium
# applies them.
DARK_INVERT = 0.86
_HUE_ROTATE_180 = ((-0.574, 1.43, 0.144), (0.426, 0.43, 0.144), (0.426, 1.43, -0.856))


def _rgb(colour: str) -> tuple[float, float, float]:
    value = int(colour.lstrip("#"), 16)
    return ((value >> 16) / 255, (value >> 8 & 0xFF) / 255, (value & 0xFF) / 255)


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a ``#rrggbb`` colour.

    >>> luminance("#ffffff"), luminance("#000000")
    (1.0, 0.0)
    """
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in _rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours, 1 to 21 (AA asks 4.5 of text).

    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_theme(colour: str) -> str:
    """The colour the tab's dark theme shows for ``colour``.

    >>> dark_theme("#000000"), dark_theme("#ffffff")
    ('#dbdbdb', '#242424')
    """
    inverted = [DARK_INVERT + c * (1 - 2 * DARK_INVERT) for c in _rgb(colour)]
    rotated = [sum(m * c for m, c in zip(row, inverted, strict=True)) for row in _HUE_ROTATE_180]
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rotated)
