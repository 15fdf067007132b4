"""Frame titles kept clear of the edges that come into their frames.

dot places an open group's title in a band above the frame's first rank, at its top left,
without regard to the edges that come in: an edge into a box on that first rank crosses the
band where the box stands, and dot keeps a frame as narrow as it can, so a chain's box stands
at its left, under the title ("mode[l32,32,64]": synthetic_100k's input edge through `model`).
So, in a top-down drawing, each frame entered from outside gets an invisible spacer on the
rank of the box the edge comes into, to its left (a flat edge: dot puts its tail left of its
head) and as wide as the titles the edge passes: the box, and the edge coming down to it,
stand right of them. The edge's label, placed after the layout (``xlabel``) beside the edge's
middle, then finds room beside the title too, as dot keeps such labels off frame titles.

A spacer is invisible: dot writes no element for it in the SVG.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from tb_scopegraph.drawing import proportions
from tb_scopegraph.drawing.dottext import quote
from tb_scopegraph.model.layout import Layout

#: Points of a title's font (dot.py writes frames' titles in it).
TITLE_FONT = 10
#: Points between a title's text and an edge coming down beside it.
TITLE_SPARE = 6
#: Points of a box's font, its margin each side and dot's smallest width (dot.py's settings).
BOX_FONT, BOX_MARGIN, BOX_MIN_WIDTH = 10, 0.12 * 72, 0.75 * 72
#: dot's space between two boxes of a rank (points; dot.py's ``nodesep``).
NODESEP = 0.3 * 72
#: dot's margin between a frame and what it holds (points): a frame nested in another stands
#: this much further right than the outer one's title starts.
FRAME_MARGIN = 8

# Advance widths (thousandths of the font size) of the printable ASCII characters, space to
# "~", in Helvetica and Helvetica Bold: the metrics of Arial and Liberation Sans too, which
# browsers draw "Helvetica,Arial,sans-serif" with. An average glyph width misjudges a title by
# a fifth either way ("ModuleList[blocks]": 0.46 of the font size a glyph, "WWMM": 0.89), and a
# spacer too narrow puts the edge on the title's last letters, one too wide widens the drawing.
_WIDTHS = {
    False: (
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667,
        667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722,
        667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500,
        556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278,
        556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ),
    True: (
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722,
        722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722,
        667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556,
        611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333,
        611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ),
}  # fmt: skip
#: Any other character: "×" and "●" (the marks titles carry) are 584 and 604, and one em
#: covers the widest letters of other scripts.
_OTHER = {"\u00d7": 584, "\u25cf": 604}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width in points of one line of ``text`` drawn in Helvetica of ``size`` points.

    >>> round(text_width("ModuleList[blocks]", 10), 1), round(text_width("\u25cf 2", 10, True), 1)
    (82.2, 14.4)
    """
    widths = _WIDTHS[bold]
    total = 0
    for char in text:
        code = ord(char) - 32
        total += widths[code] if 0 <= code < len(widths) else _OTHER.get(char, 1000)
    return total * size / 1000


def title_width(lines: list[str], bold: frozenset[str] = frozenset()) -> float:
    """The width in points, as drawn, of a frame's title of these lines (HTML entities
    allowed: `dottext.html_text`; the lines in ``bold`` are bold), and a little to spare.

    >>> round(title_width(["layer1", "7 ops"]), 1)
    33.2
    """
    widest = max(
        (text_width(html.unescape(line), TITLE_FONT, line in bold) for line in lines), default=0
    )
    return widest + TITLE_SPARE


#: Points dot keeps under a frame's title (its label's margin).
TITLE_MARGIN = 4.0


def title_height(lines: list[str]) -> float:
    """A frame's title's height in points, as dot draws its ``lines`` (and the few points
    of margin dot keeps under a label)."""
    return len(lines) * TITLE_FONT * proportions.LINE + TITLE_MARGIN


def box_width(lines: list[str], ellipse: bool) -> float:
    """The width in points of a box of these label lines (as `dottext.label_text` writes
    them), as dot sizes it: its text, its margins, an ellipse about sqrt(2) times as wide,
    and at least dot's smallest width."""
    text = max((text_width(line.replace("\\\\", "\\"), BOX_FONT) for line in lines), default=0)
    width = text + 2 * BOX_MARGIN
    return max(width * 1.41 if ellipse else width, BOX_MIN_WIDTH)


def frames_of(layout: Layout) -> dict[str | None, tuple[str, ...]]:
    """For each open frame (and None, the top level), the frames it is in, outermost first,
    itself last."""
    parent = {c.name: c.parent for c in layout.clusters}
    found: dict[str | None, tuple[str, ...]] = {None: ()}
    for key in parent:
        chain = []
        at: str | None = key
        while at is not None and at not in found:
            chain.append(at)
            at = parent[at]
        outer = found[at]
        for k in reversed(chain):
            outer = found[k] = (*outer, k)
    return found


@dataclass(frozen=True)
class Spacer:
    """An invisible box in ``frame`` beside the first of ``heads`` on its rank, left of all
    of them, ``width`` points wide; ``edges`` come into the heads past the frame's title."""

    frame: str
    heads: tuple[int, ...]
    width: float
    edges: tuple[int, ...]


def spacers(
    layout: Layout,
    drawn: set[int],
    widths: dict[str, float],
    box_widths: Sequence[float],
    hidden: set[int] = frozenset(),
) -> list[Spacer]:
    """The spacers that keep the titles of frames (``widths``: each title's width in points,
    by key) clear of the ``drawn`` edges coming into them, one per frame that holds such an
    edge's head; ``box_widths`` are the boxes' widths in points, ``hidden`` boxes are not
    drawn.

    An edge from outside comes down to the middle of its head: a spacer leaves room for the
    title that the space beside the head, and half the head, do not cover.

    An edge passes the title of a frame it comes into where its head stands on that frame's
    first rank, as estimated (`proportions.ranks`): a head further down is reached from the
    frame's side, below the title (the cost of a spacer there, a title's width on a rank of
    boxes side by side, buys nothing). Loop-back edges (drawn back up, kept out of ranking)
    neither enter nor rank."""
    frames = frames_of(layout)
    boxes = layout.boxes
    ranking = [
        (e.src, e.dst)
        for e in (layout.edges[n] for n in drawn)
        if not e.loop and e.src != e.dst and e.src not in hidden and e.dst not in hidden
    ]
    rank = proportions.ranks(len(boxes), ranking)
    linked = {b for pair in ranking for b in pair}
    top: dict[str, int] = {}  # each frame's first rank
    for b in linked:
        for f in frames[boxes[b].cluster]:
            top[f] = min(top.get(f, rank[b]), rank[b])
    needed: dict[str, dict[int, float]] = {}
    passing: dict[str, list[int]] = {}
    for n in sorted(drawn):
        edge = layout.edges[n]
        if edge.loop or edge.src in hidden or edge.dst in hidden:
            continue
        head, tail = boxes[edge.dst].cluster, boxes[edge.src].cluster
        passed = [f for f in frames[head] if f not in frames[tail] and rank[edge.dst] <= top[f]]
        if not passed:
            continue
        depth = len(frames[head])
        # A frame further out starts further left, by a margin per level.
        width = max(widths[f] - FRAME_MARGIN * (depth - len(frames[f])) for f in passed)
        width -= NODESEP
        if tail is None or tail in frames[head]:
            # From a frame around the head's, the tail is drawn right above the head (dot
            # pulls the two together), and the edge comes down to the head's middle. From a
            # frame beside it, the edge slants in from one side: the head's half is no room.
            width -= box_widths[edge.dst] / 2
        heads = needed.setdefault(head, {})
        heads[edge.dst] = max(heads.get(edge.dst, 0.0), width)
        passing.setdefault(head, []).append(n)
    return [
        Spacer(frame, tuple(heads), max(heads.values()), tuple(passing[frame]))
        for frame, heads in needed.items()
        if max(heads.values()) > 0
    ]


def spacer_dot(spacer: Spacer, ids: list[str]) -> list[str]:
    """The DOT of an invisible spacer left of the boxes it keeps clear of their
    frame's title, on their rank."""
    sid = quote(f"title-spacer-{ids[spacer.heads[0]]}")
    heads = [quote(ids[h]) for h in spacer.heads]
    # On the rank of the first head; an edge to each head puts the spacer left of those on
    # its rank (dot draws a flat edge's tail left of its head), pulling none of them.
    return [
        f'{sid} [label="" shape=box style=invis fixedsize=true height=0.02 '
        f"width={spacer.width / 72:.3f}];",
        f"{{rank=same; {sid}; {heads[0]};}}",
        f"{sid} -> {heads[0]} [style=invis];",
        *(f"{sid} -> {head} [style=invis weight=0];" for head in heads[1:]),
    ]
