"""How a view's drawing is proportioned for its window: which way it runs, how close its ranks.

A browser shows a drawing scaled to fit its area (never above its natural size), so a label
is as tall on screen as the drawing's scale allows. A long chain drawn top-down is a thin
column whose scale is set by its height (the PyTorch demo: 8% of a 1,400 x 900 window's
width, labels 7 px); drawn left to right it fills a wide window. Laying a view out twice to
compare would double its cost, so its extent either way is estimated from the boxes and edges
Graphviz will place, with dot's own rules: each box of a rank side by side, ranks one after
the other, every open frame adding its margin and title band.

A drawing whose length (the way its ranks follow each other), not its breadth, keeps its
labels under natural size has its ranks drawn closer, down to `RANKSEP_MIN_IN`, before its
labels are drawn smaller: opening ResNet50 in its training step makes a column of 14 ranks
that fits a 1,400 x 900 window with labels of 9.5 px at the usual spacing and 11.4 px at the
closest. Closer ranks cost nothing in the drawing's breadth, where its edges and their
labels run beside the boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tb_scopegraph.drawing import auxiliary, labels
from tb_scopegraph.drawing.ranking import ranks

#: Graphviz units are points; the tab shows a drawing at most at 4/3 px per point.
NATURAL_SCALE = 4 / 3
#: Left-right is taken only when it shows labels this much larger than top-down: top-down
#: reads like TensorBoard's and most model diagrams.
PREFER_TOP_DOWN = 1.05
#: A view whose boxes follow one another, one to a rank, for this many ranks or more (the
#: stages of a Keras image model between its input and output) is a chain. A chain too long
#: for a column to be shown at natural size is drawn left to right where that still shows
#: its labels `CHAIN_SCALE` times their natural size or more (11 px), even where the column
#: would show them a little larger: InceptionV3's stages and series frames are a column
#: using a fifth of the window's width with labels of 11.1 px, or a row across it with
#: labels of 11.7 px. A column shown at natural size stays one: the row would show its
#: labels smaller and cover less of the window (ResNet50's stages: 24% against 12%).
CHAIN_RANKS = 8
CHAIN_SCALE = 1.1
# dot's settings as dot.py writes them (points): the space between ranks, between boxes of a
# rank, a frame's margin, its title band, a box's margins and smallest size.
#: Rank separation (inches) each way: left-right leaves room for a shape label ("[2,32]")
#: between two boxes of a chain.
RANKSEP_IN = {"TB": 0.35, "LR": 0.6}
#: The closest ranks are drawn (inches), each way, when the drawing's length sets its scale:
#: top-down, room for an arrow and its head between two boxes (edge labels sit beside the
#: edges); left to right, the same, unless an edge carries a label, which is placed between
#: the two ranks it joins (then `RANKSEP_IN`).
RANKSEP_MIN_IN = {"TB": 0.2, "LR": 0.35}
#: Rank separations tried from the usual one down to the closest (inches).
RANKSEP_STEP = 0.05
NODESEP = 0.3 * 72
FRAME_MARGIN, FRAME_TITLE = 8.0, 28.0
BOX_MARGIN_X, BOX_MARGIN_Y, BOX_MIN_W, BOX_MIN_H = 8.6, 2.9, 54.0, 21.6
#: Average glyph width in Helvetica, as a share of the font size.
GLYPH = 0.5
LINE = 1.2
#: Padding the tab keeps around a fitted drawing (px).
FIT_PADDING = 24


def box_size(lines: Sequence[str], fontsize: float, ellipse: bool) -> tuple[float, float]:
    """A box's (width, height) in points for its label lines, as dot sizes it."""
    w = max((len(line) for line in lines), default=0) * fontsize * GLYPH + 2 * BOX_MARGIN_X
    h = max(len(lines), 1) * fontsize * LINE + 2 * BOX_MARGIN_Y
    if ellipse:  # an ellipse around a text box is about sqrt(2) times as large
        w, h = w * 1.41, h * 1.41
    return max(w, BOX_MIN_W), max(h, BOX_MIN_H)


#: The size of a box that is not drawn (`auxiliary.Aside.hidden`): it takes no room.
NO_SIZE = (0.0, 0.0)


def extent(
    sizes: Sequence[tuple[float, float]],
    rank: Sequence[int],
    depth: int,
    left_right: bool,
    column: Sequence[int] = (),
    ranksep: float | None = None,
) -> tuple[float, float]:
    """The drawing's (width, height) in points, laid out one way: boxes of a rank side by
    side, ranks ``ranksep`` inches apart (`RANKSEP_IN` if None) one after the other,
    ``depth`` nested frames around them, and the boxes of ``column`` (set apart) one after
    another beside the rest."""
    across: dict[int, float] = {}
    along: dict[int, float] = {}
    apart = set(column)
    for b, (w, h) in enumerate(sizes):
        if b in apart or sizes[b] == NO_SIZE:
            continue
        a, s = (h, w) if left_right else (w, h)
        across[rank[b]] = across.get(rank[b], -NODESEP) + a + NODESEP
        along[rank[b]] = max(along.get(rank[b], 0.0), s)
    if ranksep is None:
        ranksep = RANKSEP_IN["LR" if left_right else "TB"]
    ranksep *= 72
    length = sum(along.values()) + ranksep * max(len(along) - 1, 0)
    breadth = max(across.values(), default=0.0)
    if column:
        run = sum((sizes[b][0] if left_right else sizes[b][1]) + ranksep for b in column)
        side = max(sizes[b][1] if left_right else sizes[b][0] for b in column)
        length = max(length, run - ranksep)
        breadth += side + NODESEP
    # A frame's title band is above its boxes whichever way the drawing runs.
    width, height = (length, breadth) if left_right else (breadth, length)
    return width + depth * 2 * FRAME_MARGIN, height + depth * (FRAME_TITLE + 2 * FRAME_MARGIN)


def scale(size: tuple[float, float], width: int, height: int) -> float:
    """The scale (px per point) at which the tab shows a drawing of ``size`` whole in an area
    of ``width`` x ``height`` px."""
    w, h = size
    pad = min(FIT_PADDING, width / 8, height / 8)
    return min((width - 2 * pad) / max(w, 1), (height - 2 * pad) / max(h, 1), NATURAL_SCALE)


@dataclass(frozen=True)
class Ranking:
    """How a top-down drawing whose chains are laid in rows (`chains`) is ranked: the
    ``edges`` (src, dst) that rank it, the groups of boxes that share a rank (``same``),
    and the frames' title bands (of `FRAME_TITLE` and margins) its rows add to its length
    (``bands``)."""

    edges: list[tuple[int, int]]
    same: list[list[int]]
    bands: float = 0.0


@dataclass(frozen=True)
class Proportions:
    """How a drawing is laid out: its ``direction`` ("TB" or "LR"), the separation of its
    ranks (``ranksep``, inches), and the estimated ``size`` (points) and ``scale`` on screen
    (px per point) this gives."""

    direction: str
    ranksep: float
    size: tuple[float, float]
    scale: float


def fitted(
    sizes: Sequence[tuple[float, float]],
    rank: Sequence[int],
    depth: int,
    left_right: bool,
    width: int,
    height: int,
    column: Sequence[int] = (),
    closest: float | None = None,
) -> Proportions:
    """The drawing laid out one way in an area of ``width`` x ``height`` px, its ranks as
    far apart as they may be (from `RANKSEP_IN` down to ``closest``, `RANKSEP_MIN_IN` if
    None) while its labels are as large as at the closest."""
    direction = "LR" if left_right else "TB"
    roomy = RANKSEP_IN[direction]
    closest = RANKSEP_MIN_IN[direction] if closest is None else closest
    steps = max(0, round((roomy - closest) / RANKSEP_STEP))
    tried = [roomy - i * RANKSEP_STEP for i in range(steps)] + [closest]

    def at(ranksep: float) -> Proportions:
        size = extent(sizes, rank, depth, left_right, column, ranksep)
        return Proportions(direction, round(ranksep, 2), size, scale(size, width, height))

    best = at(closest)
    for ranksep in tried:  # the roomiest first
        found = at(ranksep)
        if found.scale >= best.scale * 0.99:  # a hundredth: a tenth of a pixel on a label
            return found
    return best


def choose(
    sizes: Sequence[tuple[float, float]],
    edges: Iterable[tuple[int, int]],
    depth: int,
    width: int,
    height: int,
    column: Sequence[int] = (),
    labelled: bool = True,
    frames: int = 0,
    wrapped: Ranking | None = None,
    pinned: Sequence[tuple[int, int]] = (),
) -> Proportions:
    """The way (and rank separation) in which a view shows its labels larger in an area of
    ``width`` x ``height`` px: top-down unless left-right is clearly better, or the view is
    a chain too long for a column that reads left to right (`CHAIN_RANKS`).
    ``labelled``: some edge carries a label (then left-right ranks stay `RANKSEP_IN`
    apart). ``frames``: the open groups drawn, of which ``depth`` nest. ``wrapped``: how
    the drawing is ranked top-down where it lays chains in rows (`chains.ranking`).
    ``pinned``: (auxiliary box, box) pairs drawn on one rank (`auxiliary.Aside.pinned`)."""
    edges = list(edges)
    rank = ranks(len(sizes), edges, pinned)
    # A box pinned beside another stands beside the chain, not in it.
    chain = is_chain(sizes, rank, [*column, *(aux for aux, _ in pinned)])
    # In a chain every frame follows or holds the one before it: top-down, each adds its
    # title band to the column's length, not only those that nest.
    nest, down_rank = (max(depth, frames) if chain else depth), rank
    if wrapped is not None:  # laid in rows, a chain's frames stand side by side
        nest = depth + wrapped.bands
        down_rank = ranks(len(sizes), wrapped.edges, [*wrapped.same, *pinned])
    down = fitted(sizes, down_rank, nest, False, width, height, column)
    lr_closest = RANKSEP_IN["LR"] if labelled else None
    across = fitted(sizes, rank, depth, True, width, height, column, lr_closest)
    if across.scale > down.scale * PREFER_TOP_DOWN:
        return across
    if chain and down.scale < NATURAL_SCALE and across.scale >= CHAIN_SCALE:
        return across
    return down


def is_chain(
    sizes: Sequence[tuple[float, float]], rank: Sequence[int], column: Sequence[int] = ()
) -> bool:
    """Whether the boxes drawn in line (not set apart in ``column``, not hidden) stand one
    to a rank, in `CHAIN_RANKS` ranks or more."""
    apart = set(column)
    per_rank: dict[int, int] = {}
    for b, size in enumerate(sizes):
        if b not in apart and size != NO_SIZE:
            per_rank[rank[b]] = per_rank.get(rank[b], 0) + 1
    return len(per_rank) >= CHAIN_RANKS and max(per_rank.values()) == 1


def carries_labels(layout, drawn: Iterable[int]) -> bool:
    """Whether a drawn data edge of ``layout`` may carry a label: a tensor count, or a
    shape (the drawing leaves some out: `labels.shapes_in`)."""
    for n in drawn:
        edge = layout.edges[n]
        if edge.control or edge.loop:
            continue
        if edge.tensor_count > 1:
            return True
        if edge.tensor_count == 1 and labels.shape_label(edge.tensors[0].shape):
            return True
    return False


def layout_scale(layout, width: int, height: int) -> float:
    """The scale at which a `Layout` would be shown whole, drawn the better way round: an
    estimate from its boxes' labels (name, and type or op count) and its data edges, for
    choosing a first view that reads without zooming (`Hierarchy.default_view`).

    Auxiliary boxes are placed as the drawing places them (`auxiliary`): a constant pinned
    beside the one box it feeds shares that box's rank, the others stand in a column, and
    the edges stubs replace are not ranked. Ranked as plain boxes, the arguments of every
    PyTorch op would each add a rank, and the estimate would refuse views that read. A
    box's label has the lines the drawing adds: stubs (``→ init``), notes, and "drawn for
    all N" on the block a rolled series shows: a line more on each box of a column of
    blocks, a tenth taller.

    A chain of boxes is estimated as the drawing lays it top-down, in rows (`chains`). The
    estimate keeps ranks at `RANKSEP_IN`: closer ranks (`fitted`) save a drawing too long
    for its window, which a first view is chosen not to be."""
    drawn, notes = auxiliary.set_aside(layout)
    apart = auxiliary.arrange(layout, drawn)
    pinned = dict(apart.pinned)
    column = [b for boxes in apart.columns.values() for b in boxes]
    sizes = []
    for b, box in enumerate(layout.boxes):
        lines = [box.label] if box.aux else [box.label, box.op or f"{box.op_count:,} ops"]
        if box.rolled and box.kind != "series":  # the member a rolled series shows
            lines.append(f"drawn for all {box.rolled}")
        if b in notes:
            lines.append(notes[b])
        if b in apart.stubs:  # what it feeds and what feeds it
            outs, ins = apart.stubs[b]
            ends = [(arrow, n) for arrow, n in (("→", outs), ("←", ins)) if n]
            lines.append("  ".join(f"{arrow} {auxiliary.stub_label(n)}" for arrow, n in ends))
        sizes.append(
            NO_SIZE if b in apart.hidden else box_size(lines, 10, box.kind in ("op", "missing"))
        )
    # As dot ranks them: a rolled series' loop-back edges are kept out (dot.py's `_edge`).
    indexed = []
    for n in sorted(drawn):
        e = layout.edges[n]
        if not e.control and not e.loop and e.src not in pinned and e.dst not in pinned:
            indexed.append((n, e.src, e.dst))
    depth = nesting(layout)
    rank = _pinned(ranks(len(sizes), [(s, d) for _, s, d in indexed]), pinned)
    found = [
        scale(extent(sizes, rank, depth, left_right, column), width, height)
        for left_right in (False, True)
    ]
    # Top-down, the drawing lays chains of boxes in rows (`chains`): a column of fifty
    # blocks would show labels of 2.6 px, their rows show 13 px. Not a first view's open
    # frames side by side: a row of frames reads across and back up (the PyTorch demo's
    # head beside its blocks opened), a first view is not opened for it.
    from tb_scopegraph.drawing import chains  # it reads this module's figures

    wraps, wrapped = chains.lay(layout, drawn, apart, sizes, indexed, depth, (width, height), {})
    if wrapped is not None and not any(wrap.frames for wrap in wraps):
        rank = _pinned(ranks(len(sizes), wrapped.edges, wrapped.same), pinned)
        found[0] = scale(extent(sizes, rank, depth, False, column), width, height)
    return max(found)


def _pinned(rank: list[int], pinned: dict[int, int]) -> list[int]:
    """``rank`` with each auxiliary box pinned beside another on that box's rank."""
    for aux, target in pinned.items():
        rank[aux] = rank[target]
    return rank


def nesting(layout) -> int:
    """How deep a `Layout`'s open frames nest (0: none open)."""
    parent = {c.name: c.parent for c in layout.clusters}
    depth = 0
    for key in parent:
        d = 0
        while key is not None:
            d, key = d + 1, parent[key]
        depth = max(depth, d)
    return depth


def text_room(shape: Proportions, width: int, height: int) -> tuple[bool, bool, bool]:
    """Where a drawing laid out as ``shape`` in ``width`` x ``height`` px has room for its
    text: whether its frames' titles may stand flush left, whether its bundles' labels may
    be ranked (dot makes room for them), and whether it is far too long to be shown whole
    (then edges into frames have their labels ranked too)."""
    if shape.direction != "TB":
        # Left to right, each ranked label is a column of its own between two ranks, and the
        # view's tangle of long edges grows with them (keras_transformer_train's first view:
        # 0.23 crossings per box with labels placed after the layout, 0.57 ranked).
        return False, False, False
    # Titles flush left where the drawing's height, not its width, sets its scale on
    # screen; else centred, each line under the one above (a narrow frame's reads so).
    w, h = shape.size
    pad = min(FIT_PADDING, width / 8, height / 8)
    across, down = (width - 2 * pad) / max(w, 1), (height - 2 * pad) / max(h, 1)
    shown = min(across, down, NATURAL_SCALE)
    room = across >= ROOM_SLACK * min(down, NATURAL_SCALE)
    # Ranked labels lengthen a top-down drawing: a bundle's where its length has room to
    # spare, every edge's into a frame only where it is far too long to be shown whole
    # anyway (ranked in a drawing shown whole, they cost keras/op_graph 4% of its scale).
    at_top = down < SHOWN_AT_TOP
    return room, down >= LENGTH_SLACK * shown or at_top, at_top


#: How much wider than its estimate a top-down drawing may be before its width would set its
#: scale. Large, as the estimate counts no frames side by side: the demo's function library,
#: estimated 532 points wide, is 1,016.
ROOM_SLACK = 2.5
#: An estimated scale under which the tab shows a drawing's top at full size.
SHOWN_AT_TOP = 0.5
#: How much longer than its estimate a top-down drawing may grow from its bundles' ranked
#: labels, before its length would set its scale.
LENGTH_SLACK = 1.3
