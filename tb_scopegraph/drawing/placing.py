"""Where an edge's words go: ranked between two ranks (``label``) or placed after the layout.

dot places an ``xlabel`` once the boxes and frames are laid out, beside its edge's middle,
clear of boxes but not of frames: an edge that crosses a frame's border has its middle on
or near that border, and its label lands on the border or in the frame's title band (the
PyTorch demo's ``[2,32]`` in ``ModuleList[blocks]``'s title, ``[2,3]`` on ``Net``'s bottom
border). A ranked ``label`` is a box of its own that dot ranks between the two ranks its
edge joins, outside the frames the edge leaves or enters and clear of every border, at the
cost of the room it takes: the drawing grows longer. dot.py ranks those labels, and a rolled
series' loop-back label (placed after the layout, it lies on the forward edge the loop runs
beside), and places the others after the layout: where the drawing has no room for ranked
labels, those across a border at the edge's end outside the frame (`end_labels`).
"""

from __future__ import annotations

from tb_scopegraph.drawing import proportions
from tb_scopegraph.drawing.ranking import ranks
from tb_scopegraph.drawing.titles import frames_of
from tb_scopegraph.model.layout import Layout

#: How much longer a top-down drawing grows per rank of edge labels (points): a label's
#: rank and the room dot keeps around it from the frames' borders (the PyTorch demo's three
#: labels across borders, in three gaps, add 82 points).
RANKED_LABEL = 27.0
#: The smallest scale (px per point) a drawing may come to for its crossing labels to be
#: ranked: labels of 11 px.
RANKED_SCALE = 1.1


def crossing(layout: Layout) -> set[int]:
    """The edges that cross a frame's border: into a frame their tail is not in, or out of
    one their head is not in."""
    frames = frames_of(layout)
    boxes = layout.boxes
    return {
        n
        for n, edge in enumerate(layout.edges)
        if frames[boxes[edge.dst].cluster] != frames[boxes[edge.src].cluster]
    }


def ranked_labels(
    layout: Layout, drawn: set[int], shape: proportions.Proportions, width: int, height: int
) -> set[int]:
    """The ``drawn`` edges whose labels are ranked in a drawing laid out as ``shape`` in
    ``width`` x ``height`` px: top-down, the labelled edges that cross a frame's border,
    where the drawing, longer by their ranks (one for the labels of edges between the same
    ranks, as estimated), still shows its labels as large or at 11 px
    (`RANKED_SCALE`), or is far too long to be shown whole anyway (its top is shown at full
    size). Left to right a ranked label is a column of its own: none are."""
    if shape.direction != "TB":
        return set()
    found = {n for n in crossing(layout) & drawn if proportions.carries_labels(layout, [n])}
    if not found:
        return found
    w, h = shape.size
    if proportions.scale((1.0, h), width, height) < proportions.SHOWN_AT_TOP:
        return found
    # Labels whose edges span the same ranks share the rank dot adds between them.
    edges = [(layout.edges[n].src, layout.edges[n].dst) for n in drawn if not layout.edges[n].loop]
    rank = ranks(len(layout.boxes), edges)
    gaps = {rank[layout.edges[n].src] + rank[layout.edges[n].dst] for n in found}
    shown = proportions.scale((w, h), width, height)
    longer = proportions.scale((w, h + RANKED_LABEL * len(gaps)), width, height)
    return found if longer >= min(shown, RANKED_SCALE) else set()


def end_labels(layout: Layout, drawn: set[int], ranked: set[int]) -> dict[int, str]:
    """Where the labels of edges across a frame's border that are not ``ranked`` go: at the
    end outside the frame (``taillabel`` into a frame, ``headlabel`` out of one), in the gap
    between that box and the border, where the box has no other such label to lie on it.
    Edges between frames side by side keep theirs at their middle (``xlabel``)."""
    frames = frames_of(layout)
    boxes = layout.boxes
    found: dict[int, tuple[str, int]] = {}
    for n in sorted(crossing(layout) & drawn - ranked):
        edge = layout.edges[n]
        if edge.loop or not proportions.carries_labels(layout, [n]):
            continue
        head, tail = frames[boxes[edge.dst].cluster], frames[boxes[edge.src].cluster]
        if head[: len(tail)] == tail:  # into a frame: the tail is outside
            found[n] = ("taillabel", edge.src)
        elif tail[: len(head)] == head:  # out of one: the head is outside
            found[n] = ("headlabel", edge.dst)
    ends = [end for end in found.values()]
    return {n: place for n, (place, box) in found.items() if ends.count((place, box)) == 1}


def repeated_loops(layout: Layout, drawn: set[int]) -> set[int]:
    """The loop-back edges of rolled series left without words: all but the first from each
    box (the last op of a rolled block feeds the next block's first op and its shortcut:
    one "to the next of 3" says it)."""
    seen, repeated = set(), set()
    for n in sorted(drawn):
        edge = layout.edges[n]
        if edge.loop:
            if edge.src in seen:
                repeated.add(n)
            seen.add(edge.src)
    return repeated
