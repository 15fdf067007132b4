"""How a top-down drawing lays a chain of sibling boxes and open frames in rows, in order.

Top-down, dot draws a chain one item (box or open frame) under the next: the stages of
ResNet50's training step opened to their blocks make one column five windows tall. And open
frames whose ranks overlap stand side by side in whatever order dot's crossing reduction
leaves them: the demo's three open layers stepped down from right to left, the forward path
read backwards. A chain of siblings (items of one open group, or of the top level, each fed
by the one before it alone) is laid instead in rows of `Wrap.per_row`, each row read left to
right and the rows one under the other, as text is:

- the items of a row start on one rank: their top boxes are ``rank=same`` (across frames:
  every layout preset sets ``newrank``), and the edges from one item to the next in a row do
  not rank (``constraint=false``);
- the row reads in order: the chain's frames are declared in its order, which dot's
  crossing reduction starts from and keeps unless it finds fewer crossings (a row has
  none to remove), and an invisible edge from each item's top box to the next item's, flat
  on their shared rank, asks for the same order;
- every box of a row is ranked above the next row (invisible edges that pull nothing), so
  rows never overlap, and each row's first item is pulled under the first above it: the
  edge that wraps from the end of one row to the start of the next pulls nothing;
- a box that nothing inside its item ranks (an edge-less box, the first of a column of
  auxiliary boxes) stands on its item's first rank, not at the drawing's top.

Which chains: a run of `proportions.CHAIN_RANKS` items or more, or a run of two or more open
frames. How many to a row: the fewest that show the whole drawing as large as any number
does, as `proportions` estimates it; one to a row is a column, kept from overlapping (a
column of boxes alone is left as dot draws it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tb_scopegraph.drawing import auxiliary, proportions
from tb_scopegraph.drawing.dottext import quote
from tb_scopegraph.model.layout import Layout

#: Two open frames in a chain are laid as a row or kept from overlapping.
CHAIN_FRAMES = 2
#: Graph attributes of a drawing with chains laid in rows. Dot keeps boxes joined by a
#: flat edge in its order in its first crossing reduction, but not in the second it runs
#: over a drawing with frames (``remincross``): there the stages of a Keras ResNet's
#: training step, two to a row, came out with two rows of three reversed.
GRAPH_ATTRIBUTES = "remincross=false"
#: Numbers to a row whose drawings are estimated this close to the largest tie.
TIE = 0.97


@dataclass(frozen=True)
class Item:
    """One box or open frame of a chain: its ``cluster`` key (None for a box), its ``top``
    box (ranked first), the boxes put on the top box's rank (``level``), its ``bottom``
    boxes (ranked last) and every box it holds."""

    cluster: str | None
    top: int
    level: tuple[int, ...]
    bottom: tuple[int, ...]
    boxes: tuple[int, ...]


@dataclass(frozen=True)
class Wrap:
    """A chain of sibling ``items`` laid ``per_row`` to a row; ``links[k]`` are the edges
    (indexes into the layout's edges) from item k to item k + 1."""

    parent: str | None
    items: tuple[Item, ...]
    links: tuple[tuple[int, ...], ...]
    per_row: int

    @property
    def rows(self) -> list[range]:
        """The items of each row, by index."""
        n, k = len(self.items), self.per_row
        return [range(i, min(i + k, n)) for i in range(0, n, k)]

    @property
    def frames(self) -> bool:
        """Whether its items include open frames."""
        return any(item.cluster is not None for item in self.items)

    @property
    def drawn(self) -> bool:
        """Whether the drawing changes: rows, or a column of frames kept apart."""
        return self.per_row > 1 or self.frames


def find(layout: Layout, drawn: Iterable[int], left_out: Iterable[int] = ()) -> list[Wrap]:
    """The chains of siblings in a layout to lay in rows (one item to a row: `plan` chooses
    how many) over the ``drawn`` edges, boxes ``left_out`` (hidden, or in a column) taking
    no part."""
    found = []
    for key, run, members, between, rank, linked in _runs(layout, drawn, left_out):
        for part in _laid(run, key is not None):
            items = tuple(_item(members[m], m, rank, linked, layout) for m in part)
            links = tuple(tuple(between[a, b]) for a, b in itertools.pairwise(part))
            found.append(Wrap(key, items, links, 1))
    return found


def _runs(layout: Layout, drawn: Iterable[int], left_out: Iterable[int]):
    """Each run of siblings each fed by the one before alone: (its group's key, its members
    (a frame's key or a box's index), the boxes each member holds, the edges between
    members, the boxes' estimated ranks, the boxes ranked)."""
    boxes, edges = layout.boxes, layout.edges
    out = set(left_out)
    parent = {c.name: c.parent for c in layout.clusters}
    data = [
        n
        for n in sorted(drawn)
        if not edges[n].control
        and not edges[n].loop
        and edges[n].src != edges[n].dst
        and edges[n].src not in out
        and edges[n].dst not in out
    ]
    ranked = [(edges[n].src, edges[n].dst) for n in data]
    rank = proportions.ranks(len(boxes), ranked)
    linked = {b for pair in ranked for b in pair}
    for key in [None, *parent]:
        members = _members(layout, key, parent, out)
        if len(members) < CHAIN_FRAMES:
            continue
        item_of = {b: item for item, held in members.items() for b in held}
        succ: dict[object, set] = {}
        pred: dict[object, set] = {}
        between: dict[tuple, list[int]] = {}
        for n in data:
            s, d = item_of.get(edges[n].src), item_of.get(edges[n].dst)
            if s is None or d is None or s == d:
                continue
            succ.setdefault(s, set()).add(d)
            pred.setdefault(d, set()).add(s)
            between.setdefault((s, d), []).append(n)
        nxt = {}
        for s, ds in succ.items():
            only = [d for d in ds if pred[d] == {s}]
            if len(only) == 1:
                nxt[s] = only[0]
        starts = set(nxt) - set(nxt.values())
        for start in sorted(starts, key=lambda m: min(members[m])):
            run = [start]
            while run[-1] in nxt and nxt[run[-1]] not in run:
                run.append(nxt[run[-1]])
            yield key, run, members, between, rank, linked


def _laid(run: list, inside: bool) -> list[list]:
    """The parts of a run laid as chains: all of it if long enough and ``inside`` an open
    group (a long chain at the top level reads left to right: `proportions.choose`), else
    its runs of open frames (a member is a frame's key, a str, or a box's index)."""
    kinds = {isinstance(m, str) for m in run}
    # Only boxes or only frames: a row mixing them is not kept in order (dot orders a
    # frame among boxes by its crossings, which a row leaves none of to tell by).
    if inside and len(run) >= proportions.CHAIN_RANKS and len(kinds) == 1:
        return [run]
    parts, part = [], []
    for m in [*run, None]:
        if isinstance(m, str):
            part.append(m)
            continue
        if len(part) >= CHAIN_FRAMES:
            parts.append(part)
        part = []
    return parts


def _members(layout: Layout, key: str | None, parent: dict, out: set[int]) -> dict:
    """The items of open group ``key`` (None: the top level): its boxes by index, its open
    groups by key, each with the boxes it holds (``out`` left out, as are auxiliary boxes:
    they stand apart)."""
    members: dict[object, list[int]] = {}
    for b, box in enumerate(layout.boxes):
        if b in out or box.cluster is None and key is not None:
            continue
        if box.cluster == key:
            if not box.aux:
                members[b] = [b]
            continue
        c = box.cluster
        while c is not None and parent[c] != key:
            c = parent[c]
        if c is not None:
            members.setdefault(c, []).append(b)
    return {m: held for m, held in members.items() if any(not layout.boxes[b].aux for b in held)}


def _item(held: list[int], member, rank: Sequence[int], linked: set[int], layout) -> Item:
    """One item of a chain, its boxes ranked by the estimate."""
    ranked = [b for b in held if b in linked]
    main = [b for b in ranked if not layout.boxes[b].aux] or ranked or held
    top = min(main, key=lambda b: (rank[b], b))
    low = max(rank[b] for b in ranked) if ranked else rank[top]
    bottom = tuple(b for b in ranked if rank[b] == low) or (top,)
    # Boxes nothing ranks inside the item: dot would put them on the drawing's first rank.
    level = tuple(b for b in held if b not in linked and b != top)
    return Item(
        member if isinstance(member, str) else None, top, level, bottom, tuple(sorted(held))
    )


def ranking(
    wraps: Sequence[Wrap],
    edges: Sequence[tuple[int, int, int]],
    titles: Mapping[str, float] | None = None,
) -> proportions.Ranking:
    """How a top-down drawing with ``wraps`` laid is ranked, from its ranking ``edges``
    (index, src, dst; -1 for one not drawn); ``titles``: the height of each frame's title
    (points, by key; else `proportions.FRAME_TITLE`)."""
    titles = titles or {}
    band = proportions.FRAME_TITLE + 2 * proportions.FRAME_MARGIN
    loose, extra, same, bands = set(), [], [], 0.0
    for wrap in wraps:
        if not wrap.drawn:
            continue
        rows = wrap.rows
        if wrap.frames:
            # Each row adds the title band of its frames (the tallest, with their margins),
            # where the drawing's nesting counts one band of `FRAME_TITLE`: a column of
            # three frames under titles of three lines is a band and a half longer each.
            for row in rows:
                tallest = max(
                    titles.get(wrap.items[k].cluster, proportions.FRAME_TITLE)
                    for k in row
                    if wrap.items[k].cluster is not None
                )
                bands += (tallest + 2 * proportions.FRAME_MARGIN) / band
            bands -= 1
        for row in rows:
            same.append([b for k in row for b in (wrap.items[k].top, *wrap.items[k].level)])
            for k in row[:-1]:
                loose.update(wrap.links[k])
        for row, below in itertools.pairwise(rows):
            first = wrap.items[below[0]].top
            extra.extend((b, first) for k in row for b in wrap.items[k].bottom)
    kept = [(s, d) for n, s, d in edges if n < 0 or n not in loose]
    return proportions.Ranking(kept + extra, same, bands)


def plan(
    wraps: list[Wrap],
    sizes: Sequence[tuple[float, float]],
    edges: Sequence[tuple[int, int, int]],
    depth: int,
    width: int,
    height: int,
    column: Sequence[int] = (),
    titles: Mapping[str, float] | None = None,
    pinned: Sequence[tuple[int, int]] = (),
) -> list[Wrap]:
    """``wraps`` each with the fewest items to a row that show the whole top-down drawing
    (boxes of ``sizes``, ranked by ``edges`` (index, src, dst), ``pinned`` pairs on one
    rank, frames' ``titles`` as `ranking` takes them) as large as any number does in
    ``width`` x ``height`` px, as estimated (`proportions.extent`)."""
    chosen = list(wraps)
    for i, wrap in enumerate(chosen):
        tried = []
        for k in range(1, len(wrap.items) + 1):
            chosen[i] = Wrap(wrap.parent, wrap.items, wrap.links, k)
            ranked = ranking(chosen, edges, titles)
            rank = proportions.ranks(len(sizes), ranked.edges, [*ranked.same, *pinned])
            # Frames side by side: each adds its margins and a gap to its boxes' breadth.
            framed = [wrap.items[k].cluster is not None for k in range(len(wrap.items))]
            side = max(sum(framed[k] for k in row) for row in chosen[i].rows)
            nest = depth + ranked.bands
            fit = proportions.fitted(sizes, rank, nest, False, width, height, column)
            w, h = fit.size
            size = (w + side * (2 * proportions.FRAME_MARGIN + proportions.NODESEP), h)
            tried.append((proportions.scale(size, width, height), k))
        # Within the estimate's error (a few hundredths: resnet50_train's stages four to a
        # row are drawn 4% larger than six, estimated 1% smaller), the fewest to a row.
        best = max(s for s, _ in tried)
        k = min(k for s, k in tried if s >= best * TIE)
        chosen[i] = Wrap(wrap.parent, wrap.items, wrap.links, k)
    return [wrap for wrap in chosen if wrap.drawn]


def lay(
    layout: Layout,
    drawn: set[int],
    apart: auxiliary.Aside,
    sizes: Sequence[tuple[float, float]],
    edges: Sequence[tuple[int, int, int]],
    depth: int,
    area: tuple[int, int],
    titles: Mapping[str, float],
) -> tuple[list[Wrap], proportions.Ranking | None]:
    """The chains of a layout to lay in rows if it is drawn top-down (`find`, `plan`), and
    how the drawing is then ranked (`ranking`): its boxes of ``sizes`` ranked by ``edges``
    (index, src, dst), ``apart`` as `auxiliary.arrange` sets them, ``depth`` frames
    nesting, in an ``area`` (width, height) px, its frames' titles as ``titles``."""
    column = apart.columns.get(None, [])
    # Of a frame's column of auxiliary boxes, the first takes part in a chain's item (it
    # stands on the item's first rank), the others stand under it.
    below = {b for boxes in apart.columns.values() for b in boxes[1:]}
    wraps = find(layout, drawn, apart.hidden | below | set(column))
    if not wraps:
        return [], None
    stacked = [
        (-1, a, b)
        for key, boxes in apart.columns.items()
        if key is not None
        for a, b in itertools.pairwise(boxes)
    ]
    edges = [*edges, *stacked]
    wraps = plan(wraps, sizes, edges, depth, *area, column, titles, apart.pinned)
    return wraps, ranking(wraps, edges, titles) if wraps else None


def hung(layout: Layout, drawn: set[int], apart: auxiliary.Aside, wraps: Sequence[Wrap]):
    """The first box of each open frame's column of auxiliary boxes, with the box it stands
    beside: the frame's first box ranked. Nothing ranks a column (its edges are stubs), and
    dot puts what nothing ranks on the drawing's first rank: a frame lower down reaches up
    to it, tall and empty (the demo's ``cross_entropy`` opened, its ``Const`` at the top of
    a frame eight ranks tall). Columns of a chain's items stand on their row already."""
    edges = [
        (layout.edges[n].src, layout.edges[n].dst)
        for n in drawn
        if not layout.edges[n].loop and layout.edges[n].src != layout.edges[n].dst
    ]
    rank = proportions.ranks(len(layout.boxes), edges)
    linked = {b for pair in edges for b in pair}
    levelled = {b for wrap in wraps for item in wrap.items for b in item.level}
    pairs = []
    for key, column in apart.columns.items():
        if key is None or not column or column[0] in levelled:
            continue
        ranked = [
            b
            for b, box in enumerate(layout.boxes)
            if box.cluster == key and b in linked and b not in apart.hidden
        ]
        if ranked:
            pairs.append((column[0], min(ranked, key=lambda b: (rank[b], b))))
    return pairs


def frame_order(wraps: Sequence[Wrap]) -> dict[str, int]:
    """Each chained frame's place in its chain: frames are declared in this order."""
    return {
        item.cluster: k
        for wrap in wraps
        for k, item in enumerate(wrap.items)
        if item.cluster is not None
    }


def edge_attributes(wraps: Sequence[Wrap]) -> dict[int, str]:
    """What the edges of chains add to their DOT attributes, by edge index: within a row
    they do not rank; from one row to the next they pull nothing."""
    attrs = {}
    for wrap in wraps:
        for row in wrap.rows:
            for k in row[:-1]:
                attrs.update(dict.fromkeys(wrap.links[k], "constraint=false"))
            if row[-1] + 1 < len(wrap.items):
                attrs.update(dict.fromkeys(wrap.links[row[-1]], "weight=0"))
    return attrs


def dot_lines(wrap: Wrap, ids: Sequence[str]) -> list[str]:
    """The DOT statements, in the chain's parent, that lay ``wrap`` in its rows."""
    q = [quote(i) for i in ids]
    items, rows = wrap.items, wrap.rows
    out = []
    for r, row in enumerate(rows):
        tops = [q[b] for k in row for b in (items[k].top, *items[k].level)]
        if len(tops) > 1:
            out.append(f"{{rank=same; {'; '.join(tops)};}}")
        for a, b in itertools.pairwise(row):
            out.append(f"{q[items[a].top]} -> {q[items[b].top]} [style=invis];")
        if len(row) > 1 and any(items[k].cluster is not None for k in row):
            out.extend(_rails(row, items, q, f"{ids[items[0].top]}-{r}"))
    for row, below in itertools.pairwise(rows):
        first = q[items[below[0]].top]
        for k in row:
            # Each row's first item is pulled under the first above it (from its last
            # rank: an edge from higher up would have to pass around that item's frame).
            weight = 4 if k == row[0] else 0
            for b in items[k].bottom:
                out.append(f"{q[b]} -> {first} [style=invis weight={weight}];")
    return out


#: How many invisible edges tie each rail to its item: crossings of these cost dot's crossing
#: reduction this many times one crossing of a drawn edge.
RAIL_EDGES = 3


def _rails(row: range, items: Sequence[Item], q: Sequence[str], key: str) -> list[str]:
    """Rails that keep a row with frames in order: dot orders frames side by side by
    their crossings alone (no flat edge between boxes in two frames orders them). So an
    invisible point above each item, the points in order by flat edges between them (in
    one frame, which dot keeps: `GRAPH_ATTRIBUTES`), each tied to its item: an item out of
    order crosses those ties."""
    rails = [quote(f"chain-rail-{key}-{k}") for k in row]
    out = [f'{rail} [label="" shape=point style=invis width=0 height=0];' for rail in rails]
    out.append(f"{{rank=same; {'; '.join(rails)};}}")
    out.extend(f"{a} -> {b} [style=invis];" for a, b in itertools.pairwise(rails))
    for rail, k in zip(rails, row, strict=True):
        out.extend([f"{rail} -> {q[items[k].top]} [style=invis];"] * RAIL_EDGES)
    return out
