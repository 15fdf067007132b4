"""One view of a graph as DOT text: open groups as clusters, everything else as boxes.

Every string that comes from a graph goes through `dottext.quote` (and `label_text` or
`tip_text` for what Graphviz shows), so no name can break out of its DOT string or add markup
to the SVG.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tb_scopegraph.drawing import auxiliary, chains, labels, placing, proportions, titles
from tb_scopegraph.drawing.colour import (
    SCHEMES,
    STRUCTURE_OTHER,
    fills,
    structure_colour,
    structure_legend,
)
from tb_scopegraph.drawing.dottext import (
    element_id,
    html_text,
    join_lines,
    label_text,
    note_lines,
    quote,
    tip_text,
    title_label,
)
from tb_scopegraph.errors import InvalidQuery
from tb_scopegraph.model import structure
from tb_scopegraph.model.graph import CHUNK, MISSING, OP, SCOPE, SERIES
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.layout import Box, Cluster, Layout
from tb_scopegraph.model.views import WINDOW_HEIGHT, WINDOW_WIDTH, View

#: Beyond this many data edges into one box, the rest do not pull it close (weight 0).
FAN_IN_RANKED = 6
#: The class (in DOT and SVG) and the label mark of a box or frame that holds summaries.
SUMMARIZED = "summarized"
#: The class of a rolled series (box or frame) and of the block it shows for all.
ROLLED = "rolled"
#: What marks how many blocks a rolled series holds (in every font the labels come to).
TIMES = "\u00d7"
_LOOP = "#00897b"
#: The words on a rolled series' loop-back edge, with how many blocks it joins.
LOOP_LABEL = "to the\\nnext of {}"
#: The class of a box set apart from the main flow (`auxiliary`).
AUXILIARY = "auxiliary"
#: The mark that starts a summaries' badge (`labels.badge`).
BADGE = labels.BADGE

_STYLE = {
    OP: 'shape=ellipse style=filled fillcolor="#ffffff" color="#757575"',
    SCOPE: 'shape=box style="rounded,filled,bold" fillcolor="#e8eaf6" color="#5c6bc0"',
    SERIES: 'shape=box3d style=filled fillcolor="#e0f2f1" color="#26a69a"',
    CHUNK: 'shape=tab style=filled fillcolor="#f5f5f5" color="#9e9e9e"',
    MISSING: 'shape=ellipse style="dashed" color="#d32f2f" fontcolor="#d32f2f"',
}
_CLUSTER_STYLE = {
    SCOPE: 'style="rounded,filled" fillcolor="#f7f8fc" color="#9fa8da"',
    SERIES: 'style="rounded,filled" fillcolor="#f3faf9" color="#80cbc4"',
    CHUNK: 'style="rounded,filled,dashed" fillcolor="#fafafa" color="#bdbdbd"',
}


@dataclass(frozen=True)
class Marks:
    """What a view shows beyond its boxes (a diff's statuses): per box, by index into the
    layout's boxes, an extra class, a note under the label (``\\n`` between its lines) and
    lines in the tooltip; per open group, by key, a fill, a class and a note under its title.
    Classes and fills come from a fixed set (never from a graph); notes and tips are escaped
    like every other text."""

    box_classes: Sequence[str] = ()
    box_notes: Sequence[str] = ()
    box_tips: Sequence[Sequence[str]] = ()
    cluster_fills: Mapping[str, str] = field(default_factory=dict)
    cluster_classes: Mapping[str, str] = field(default_factory=dict)
    cluster_notes: Mapping[str, str] = field(default_factory=dict)
    #: Per open group, by key, the colour of a thick frame (a class of identical blocks).
    cluster_pens: Mapping[str, str] = field(default_factory=dict)


def to_dot(
    hierarchy: Hierarchy,
    view: View,
    title: str = "",
    colour: str = "",
    badges: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
    width: int = WINDOW_WIDTH,
    height: int = WINDOW_HEIGHT,
) -> str:
    """The DOT text of ``view``: clusters for open groups, one box per closed group or op.

    ``colour`` fills boxes by op type, device, compute time, memory or structure (see
    `colour.SCHEMES`) and adds a legend. ``badges`` (from `summaries.Links.held`) marks the
    ops and groups that hold summaries, with how many of each kind. ``width`` x ``height``
    (CSS px) is the area the drawing is shown in: it chooses the drawing's direction
    (`proportions`).
    """
    if colour not in SCHEMES:
        raise InvalidQuery(f"colour must be one of {', '.join(s for s in SCHEMES if s)}")
    layout = hierarchy.layout(view)
    # A Keras model config's boxes count layers, not ops.
    area = {"width": width, "height": height, "unit": labels.unit_of(hierarchy.graph)}
    if not colour:
        return layout_to_dot(layout, title, badges=badges, **area)
    if colour == "structure":
        return _structure_dot(hierarchy, layout, title, badges, **area)
    values = [hierarchy.measure(box, colour) for box in layout.boxes]
    box_fills, legend = fills(colour, values)
    return layout_to_dot(layout, title, box_fills, legend, badges=badges, **area)


def _structure_dot(hierarchy: Hierarchy, layout: Layout, title: str, badges, **area) -> str:
    """A view coloured by structure: closed blocks filled with their class's colour, open ones
    framed in it (an open group is never filled) with "1 of N identical" under their title."""
    found = structure.structures(hierarchy)
    values = [found.measure(box) for box in layout.boxes]
    box_fills, _ = fills("structure", values)
    pens, notes, classes = {}, {}, [v for v in values if v is not None]
    for cluster in layout.clusters:
        measured = found.measure(cluster)
        if measured is None:
            continue
        classes.append(measured)
        pens[cluster.name] = structure_colour(measured[0])
        gid = hierarchy.graph.group_id(cluster.name)
        notes[cluster.name] = f"1 of {len(found.block(gid).members)} identical"
    marks = Marks(cluster_pens=pens, cluster_notes=notes)
    return layout_to_dot(
        layout,
        title,
        box_fills,
        structure_legend(classes),
        marks=marks,
        badges=badges,
        **area,
    )


def layout_to_dot(
    layout: Layout,
    title: str = "",
    box_fills: Sequence[str | None] | None = None,
    legend: str = "",
    marks: Marks | None = None,
    badges: Mapping[tuple[str, str], Mapping[str, int]] | None = None,
    width: int = WINDOW_WIDTH,
    height: int = WINDOW_HEIGHT,
    unit: str = "op",
) -> str:
    """DOT text of a layout; ``box_fills`` (one colour per box) and an HTML ``legend`` label
    come from `colour.fills` (or `diff_caption`), ``marks`` from a diff; ``badges``
    counts the summaries of each kind that ops ("op", name) and groups ("group", key) hold
    (`labels.badge`). The drawing runs
    top-down or left-right, whichever reads larger in an area of ``width`` x ``height`` px;
    auxiliary boxes stand apart with stubs (`auxiliary`). Boxes and frames count their
    ``unit`` ("op", or "layer" in a Keras model config: `labels.unit_of`)."""
    marks = marks or Marks()
    badges = badges or {}
    ids = [element_id(box.kind, box.name) for box in layout.boxes]
    drawn, aside = auxiliary.set_aside(layout)
    helds = [_held(box, badges) for box in layout.boxes]
    apart = auxiliary.arrange(layout, drawn, {i for i, held in enumerate(helds) if held})
    merged = auxiliary.merge_hub_edges(layout, drawn)
    lines = []
    for i, box in enumerate(layout.boxes):
        held = helds[i]
        fill = box_fills[i] if box_fills else None
        # A stub is a line of the box's label, not an xlabel beside it: text outside the
        # shape would widen the box's element, which the tab fits views and hovers on.
        note = join_lines(aside.get(i, ""), _stub(apart.stubs[i]) if i in apart.stubs else "")
        badge = labels.badge(held)
        lines.append(_box(box, ids[i], note or None, fill, marks, i, badge, unit))
    tall = {  # the height of each frame's title (points)
        c.name: titles.title_height(
            _title_rows(c, marks, labels.badge(badges.get(("group", c.name), {})), unit, str)[0]
        )
        for c in layout.clusters
    }
    shape, room, ranked, at_top, wraps = _direction(
        layout, lines, drawn, apart, width, height, tall
    )
    direction = shape.direction
    if legend:
        label = f"label={legend} labelloc=b labeljust=l"
    else:
        label = f"label={quote(label_text(title))} labelloc=t"
    out = [
        "digraph scopegraph {",
        f'  graph [id="scopegraph" rankdir={direction} nodesep=0.3 '
        f"ranksep={shape.ranksep} fontname={quote(_FONT)} "
        f"fontsize=11 outputorder=edgesfirst compound=true bgcolor=transparent "
        f"{chains.GRAPH_ATTRIBUTES + ' ' if wraps else ''}"
        f"tooltip={quote(tip_text(title))} {label}];",
        f'  node [fontname={quote(_FONT)} fontsize=10 height=0.3 margin="0.12,0.04"];',
        f'  edge [fontname={quote(_FONT)} fontsize=9 color="#9e9e9e" fontcolor="#616161" '
        "arrowsize=0.6];",
    ]
    # A frame whose summaries its boxes all count is not marked as holding them either: the
    # tab styles a marked frame's last title line as its badge, and the boxes' cards show them.
    quiet = labels.said_inside(layout, helds, badges, apart.hidden)
    titles_of = {
        c.name: _title_rows(
            c,
            marks,
            "" if c.name in quiet else labels.badge(badges.get(("group", c.name), {})),
            unit,
            html_text if room else label_text,
        )
        for c in layout.clusters
    }
    keep_clear: dict[str | None, list[titles.Spacer]] = {}
    pulled: set[int] = set()  # edges that pull their head under their tail (`_edge`)
    if direction == "TB":
        widths = {
            key: titles.title_width(rows, frozenset(r for r in rows if r.startswith(BADGE)))
            for key, (rows, _) in titles_of.items()
        }
        sized = [
            titles.box_width(_label_lines(line, box), box.kind in (OP, MISSING) and not box.aux)
            for line, box in zip(lines, layout.boxes, strict=True)
        ]
        for spacer in titles.spacers(layout, drawn, widths, sized, apart.hidden):
            keep_clear.setdefault(spacer.frame, []).append(spacer)
            pulled.update(spacer.edges)
    by_cluster: dict[str | None, list[int]] = {}
    for i, box in enumerate(layout.boxes):
        by_cluster.setdefault(box.cluster, []).append(i)
    children: dict[str | None, list] = {}
    hung = dict(chains.hung(layout, drawn, apart, wraps)) if direction == "TB" else {}
    # A chain's frames in its order, which dot keeps in a row (`chains`).
    order = chains.frame_order(wraps)
    for cluster in sorted(layout.clusters, key=lambda c: order.get(c.name, -1)):
        children.setdefault(cluster.parent, []).append(cluster)
    # Depth-first without recursion: open scopes can nest thousands deep.
    stack: list = [("fill", None, "  ")]
    while stack:
        action, item, indent = stack.pop()
        if action == "close":
            out.append(indent + "}")
        elif action == "open":
            eid = "cluster-" + element_id(item.kind, item.name)
            note = marks.cluster_notes.get(item.name, "")
            badge = "" if item.name in quiet else labels.badge(badges.get(("group", item.name), {}))
            rows, roll_tip = titles_of[item.name]
            # A title is flush left (an HTML-like label, `title_label`) where the drawing's
            # width has room to spare (`_direction`); else plain, its lines centred.
            label = title_label(rows) if room else quote(join_lines(*rows))
            tip = join_lines(
                tip_text(item.name),
                roll_tip,
                note_lines(note, tip_text),
                f"open {item.kind}: click to close",
            )
            extra = (
                marks.cluster_classes.get(item.name),
                SUMMARIZED if badge else "",
                ROLLED if item.rolled else "",
            )
            classes = " ".join(filter(None, (item.kind, *extra)))
            style = _CLUSTER_STYLE[item.kind]
            if item.name in marks.cluster_fills:
                style += f' fillcolor="{marks.cluster_fills[item.name]}"'
            if item.name in marks.cluster_pens:
                pen = marks.cluster_pens[item.name]
                style += _pen(item.kind, pen)
            out.append(f"{indent}subgraph {quote('cluster_' + eid)} {{")
            out.append(
                f"{indent}  graph [id={quote(eid)} class={quote(classes)} label={label} "
                f"tooltip={quote(tip)} {style} fontsize={_TITLE_FONT} labeljust=l labelloc=t];"
            )
            stack.append(("close", None, indent))
            stack.append(("fill", item.name, indent + "  "))
        else:
            for i in by_cluster.get(item, []):
                if i not in apart.hidden:  # counted on the boxes they feed (`auxiliary`)
                    out.append(indent + lines[i])
            for aux, target in apart.pinned:
                if layout.boxes[aux].cluster == item:
                    out.append(f"{indent}{{rank=same; {quote(ids[target])}; {quote(ids[aux])};}}")
            for spacer in keep_clear.get(item, []):
                out.extend(indent + line for line in titles.spacer_dot(spacer, ids))
            column = apart.columns.get(item, [])
            for a, b in itertools.pairwise(column):
                out.append(f"{indent}{quote(ids[a])} -> {quote(ids[b])} [style=invis];")
            if column and column[0] in hung:
                beside = quote(ids[hung[column[0]]])
                out.append(f"{indent}{{rank=same; {beside}; {quote(ids[column[0]])};}}")
            for wrap in wraps:
                if wrap.parent == item:
                    out.extend(indent + line for line in chains.dot_lines(wrap, ids))
            for cluster in reversed(children.get(item, [])):
                stack.append(("open", cluster, indent))
    fan_in: dict[int, int] = {}
    said = labels.shapes_in(layout, drawn)
    said |= {("edge", n) for n in _second_of_pairs(layout, drawn)}
    said |= {("edge", n) for n in labels.fanned_out(layout, drawn)}
    said |= {("edge", n) for n in placing.repeated_loops(layout, drawn)}
    entering = placing.ranked_labels(layout, drawn, shape, width, height)
    ends = placing.end_labels(layout, drawn, entering) if direction == "TB" else {}
    chained = chains.edge_attributes(wraps)
    for n, edge in enumerate(layout.edges):
        if n in drawn:
            place = "label" if n in entering else ends.get(n, "xlabel")
            line = _edge(edge, n, ids, fan_in, said, place, ranked, n in pulled)
            out.append(f"  {line[:-2]} {chained[n]}];" if n in chained else "  " + line)
    for n, (edge, cluster, at_tail) in enumerate(merged):
        end = "ltail" if at_tail else "lhead"
        eid = "cluster_cluster-" + element_id(cluster.kind, cluster.name)
        place = "label" if not at_tail and at_top else "xlabel"
        line = _edge(edge, len(layout.edges) + n, ids, {}, place=place, ranked=ranked)
        out.append(f"  {line[:-2]} {end}={quote(eid)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _direction(
    layout: Layout,
    lines: list[str],
    drawn: set[int],
    apart: auxiliary.Aside,
    width,
    height,
    tall: dict[str, float],
) -> tuple[proportions.Proportions, bool, bool, bool, list[chains.Wrap]]:
    """The way this drawing reads larger in the window, and how close its ranks
    (`proportions`); whether its frames' titles stand flush left (`title_label`), whether its
    bundles' labels may be ranked (`_edge`), whether it is far too long to be shown whole
    (edges into frames have their labels ranked too), and its chains laid in rows top-down
    (`chains`; ``tall``: the height of each frame's title)."""
    sizes = []
    for line, box in zip(lines, layout.boxes, strict=True):
        text = _label_lines(line, box)
        sizes.append(proportions.box_size(text, 10, box.kind in (OP, MISSING) and not box.aux))
    for b in apart.hidden:
        sizes[b] = proportions.NO_SIZE
    # Loop-back edges are kept out of ranking (`_edge`): out of the estimate too.
    indexed = [(n, layout.edges[n].src, layout.edges[n].dst) for n in sorted(drawn)]
    indexed = [(n, s, d) for n, s, d in indexed if not layout.edges[n].loop]
    edges = [(s, d) for _, s, d in indexed]
    depth = proportions.nesting(layout)
    column = apart.columns.get(None, [])
    labelled = proportions.carries_labels(layout, drawn)
    frames = len(layout.clusters)
    wraps, wrapped = chains.lay(layout, drawn, apart, sizes, indexed, depth, (width, height), tall)
    shape = proportions.choose(
        sizes, edges, depth, width, height, column, labelled, frames, wrapped, apart.pinned
    )
    if shape.direction == "LR":  # its chains run along the window already
        wraps = []
    return shape, *proportions.text_room(shape, width, height), wraps


_LABEL = re.compile(r' label="((?:[^"\\]|\\.)*)"')


def _label_lines(line: str, box: Box) -> list[str]:
    """The label lines of a box, from its line of DOT."""
    found = _LABEL.search(line)
    return found.group(1).split("\\n") if found else [box.label]


def _stub(stub: tuple[list[str], list[str]]) -> str:
    """A box's stubs as label text: the auxiliary boxes it feeds (``→ init``) and those
    feeding it (``← save``)."""
    outs, ins = stub
    parts = []
    if outs:
        parts.append("\u2192 " + auxiliary.stub_label(outs))
    if ins:
        parts.append("\u2190 " + auxiliary.stub_label(ins))
    return label_text("  ".join(parts))


_FONT = "Helvetica,Arial,sans-serif"


def _box(
    box: Box,
    eid: str,
    note: str | None = None,
    fill: str | None = None,
    marks: Marks | None = None,
    index: int = 0,
    badge: str = "",
    unit: str = "op",
) -> str:
    marks = marks or Marks()
    extra_class = marks.box_classes[index] if marks.box_classes else ""
    mark = note_lines(marks.box_notes[index], label_text) if marks.box_notes else ""
    tips = marks.box_tips[index] if marks.box_tips else ()
    more_tip = join_lines(*(tip_text(t, 300) for t in tips))
    if box.kind == OP:
        # An auxiliary op's type is in its tooltip: its label stays short, as it stands apart.
        name, kind_line = labels.op_lines(box.label, box.op)
        kind_line = "" if box.aux else kind_line
        label = join_lines(label_text(name), label_text(kind_line))
        tip = join_lines(tip_text(box.name), tip_text(box.op))
    elif box.kind == MISSING:
        label = join_lines("missing", label_text(box.label))
        tip = join_lines(tip_text(box.name), "an input names it; no such node")
    else:
        title, roll_tip = _rolled(box, label_text)
        label = join_lines(*title, labels.counted(box.op_count, unit))
        tip = join_lines(tip_text(box.name), roll_tip, f"{box.kind}: click to open")
    if note:
        label = join_lines(label, note)
        tip = join_lines(tip, note, auxiliary.NOTE_TIP)
    label = join_lines(label, mark)
    tip = join_lines(tip, more_tip)
    classes = " ".join(filter(None, (box.kind, extra_class, ROLLED if box.rolled else "")))
    style = _STYLE[box.kind]
    if box.aux:
        # Set apart from the main flow, as TensorBoard's auxiliary nodes: drawn lighter.
        tip = join_lines(tip, f"auxiliary ({box.aux}): set apart from the main flow")
        classes = f"{classes} {AUXILIARY}"
        style += _AUX_STYLE[box.kind == SCOPE]
    if badge:
        label = join_lines(label, badge)
        tip = join_lines(tip, badge + ": hover for the latest values")
        classes = f"{classes} {SUMMARIZED}"
    return (
        f"{quote(eid)} [id={quote(eid)} class={quote(classes)} label={quote(label)} "
        f"tooltip={quote(tip)} {style}{_fill(box, fill)}];"
    )


# Auxiliary boxes: dashed and grey (a scope's box keeps its rounded corners). An op's is a
# box, not an ellipse: an initialiser pinned beside its variable on every layer's rank
# (`auxiliary`) widens the drawing by its width, and an ellipse is 1.4 times its text's.
_AUX_STYLE = {
    False: ' shape=box margin="0.06,0.02" style="filled,dashed" color="#9e9e9e" '
    'fillcolor="#fafafa"',
    True: ' style="rounded,filled,dashed" color="#9e9e9e" fillcolor="#f5f5f5"',
}


def _fill(box: Box, fill: str | None) -> str:
    if not fill:
        return ""
    style = ' style="dashed,filled"' if box.kind == MISSING else ""
    if fill == STRUCTURE_OTHER:  # a class of identical blocks past the palette: dashed
        style = f' style="{_ROUNDED.get(box.kind, "")}filled,dashed" color="#616161"'
    return f' fillcolor="{fill}"{style}'  # colours come from colour.py's fixed set


_ROUNDED = {SCOPE: "rounded,"}


def _pen(kind: str, colour: str) -> str:
    """The frame of an open group of a class of identical blocks: thick, in its colour."""
    if colour == STRUCTURE_OTHER:
        return f' style="{_ROUNDED.get(kind, "")}filled,dashed" color="#616161" penwidth=2'
    return f' color="{colour}" penwidth=4'


def _rolled(item: Box | Cluster, escape) -> tuple[list[str], str]:
    """The title lines of a box or frame with its roll mark (each line through ``escape``),
    and a tooltip line saying what it is.

    >>> _rolled(Cluster("series", "layer_[0-3]", "layer_[0-3]", 8, None, 4), label_text)
    (['layer_[0-3] ×4'], '4 identical blocks, drawn once')
    """
    if not item.rolled:
        return [escape(item.label)], ""
    if item.kind == SERIES:
        return (
            [f"{escape(item.label)} {TIMES}{item.rolled}"],
            f"{item.rolled} identical blocks, drawn once",
        )
    return (
        [escape(item.label), f"drawn for all {item.rolled}"],
        f"one of {item.rolled} identical blocks, drawn for all of them",
    )


def _title_rows(
    item: Cluster, marks: Marks, badge: str, unit: str, escape
) -> tuple[list[str], str]:
    """The lines of an open group's title (each through ``escape``), its summaries'
    ``badge`` last, and a tooltip line saying what a rolled one is."""
    title, roll_tip = _rolled(item, escape)
    note = marks.cluster_notes.get(item.name, "")
    rows = [
        *title,
        labels.counted(item.op_count, unit),
        *map(escape, note.split("\n")),
        badge,
    ]
    return [row for row in rows if row], roll_tip


_TITLE_FONT = titles.TITLE_FONT


def _held(box: Box, badges: Mapping[tuple[str, str], Mapping[str, int]]) -> Counter:
    """How many summaries of each kind a box holds, as its badge counts them."""
    if box.kind == MISSING:
        return Counter()
    held = Counter(badges.get(("op" if box.kind == OP else "group", box.name), {}))
    if box.kind == OP and box.op_count > 1:  # a scope of its name is drawn in it
        held.update(badges.get(("group", box.name), {}))
    return held


def _second_of_pairs(layout: Layout, drawn: set[int]) -> set[int]:
    """Of two data edges drawn between the same two boxes, one each way, the one carrying
    fewer tensors: its label would lie on the other's (they run side by side), so only the
    larger is labelled; both tooltips still tell."""
    way: dict[tuple[int, int], int] = {}
    for n in sorted(drawn):
        edge = layout.edges[n]
        if not edge.control and not edge.loop and edge.src != edge.dst:
            way[edge.src, edge.dst] = n
    quiet = set()
    for (src, dst), n in way.items():
        back = way.get((dst, src))
        if back is not None:
            mine, theirs = layout.edges[n].tensor_count, layout.edges[back].tensor_count
            if (mine, back) < (theirs, n):
                quiet.add(n)
    return quiet


def _edge(
    edge,
    n: int,
    ids: list[str],
    fan_in: dict[int, int],
    said: set[tuple] = frozenset(),
    place: str = "xlabel",
    ranked: bool = True,
    pulled: bool = False,
) -> str:
    attrs = [f'id="edge-{n}"']
    if edge.loop:
        # From one block of a rolled series to the next: drawn back up, and kept out of
        # ranking (it would turn the block upside down). Its words (ranked: `placing`) say
        # it is no recurrence: each block's output feeds the next.
        attrs += ['class="data loop"', "constraint=false", f'color="{_LOOP}"', "penwidth=2"]
        if ("edge", n) not in said:
            attrs.append(f'label="{LOOP_LABEL.format(edge.loop + 1)}" fontcolor="{_LOOP}"')
        tip = [
            f"loops back: from each block to the next, {edge.loop} "
            f"time{'s' if edge.loop > 1 else ''} ({edge.count} connections)"
        ]
        for tensor in edge.tensors:
            tip.append(
                " ".join(tip_text(p, 200) for p in (tensor.name, tensor.dtype, tensor.shape) if p)
            )
        attrs.append(f"tooltip={quote(join_lines(*tip))}")
        return f"{quote(ids[edge.src])} -> {quote(ids[edge.dst])} [{' '.join(attrs)}];"
    if edge.control:
        # Ranked but weightless: Graphviz routes unranked (constraint=false) edges slowly.
        attrs += ['class="control"', "style=dashed", 'color="#bdbdbd"']
        if not pulled:
            # Weightless, but for one that comes into a frame past its title: pulling its head
            # under its tail, it comes down beside the title, not slanting across it.
            attrs.append("weight=0")
        label = ""
    else:
        attrs.append('class="data"')
        seen = fan_in[edge.dst] = fan_in.get(edge.dst, 0) + 1
        if seen > FAN_IN_RANKED:
            attrs.append("weight=0")
        if edge.tensor_count == 1:
            shape = edge.tensors[0].shape
            quiet = {(edge.src, shape), (edge.src, "*"), (edge.dst, "*")} & said
            label = "" if quiet else labels.shape_label(shape)
        elif edge.tensor_count > 1:
            label = f"{edge.tensor_count} tensors"
            if place == "xlabel" and ranked:
                # A bundle's count is ranked (dot makes room for it): bundles run thick and
                # side by side between a few big boxes, where labels placed after the
                # layout lie on each other and on the bundles.
                place = "label"
        else:
            label = ""
        if edge.count > 1:
            attrs.append(f"penwidth={min(1 + math.log2(edge.count) / 2, 4):.2f}")
    if ("edge", n) in said:
        label = ""
    if label:
        # A shape is placed once the boxes are: a ranked label takes a rank of its own, and
        # a chain of shapes would double the drawing's length.
        attrs.append(f"{place}={quote(label_text(label))}")
    tip = [f"{edge.count} connection{'s' if edge.count > 1 else ''}"]
    for tensor in edge.tensors:
        parts = (tensor.name, tensor.dtype, tensor.shape)
        tip.append(" ".join(tip_text(p, 200) for p in parts if p))
    if edge.tensor_count > len(edge.tensors):
        tip.append(f"… and {edge.tensor_count - len(edge.tensors)} more tensors")
    attrs.append(f"tooltip={quote(join_lines(*tip))}")
    return f"{quote(ids[edge.src])} -> {quote(ids[edge.dst])} [{' '.join(attrs)}];"
