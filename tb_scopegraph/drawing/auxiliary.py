"""Auxiliary boxes drawn apart from the main flow, with short stubs instead of long edges.

TensorBoard's Graphs tab reads at a glance because it takes initialisers, save/restore,
summaries and sinks such as ``init`` out of the main graph: each edge to one of them becomes a
short stub on the box of the main flow, named after the auxiliary node, and the auxiliary nodes
stand in a column of their own. Here, from a `Layout` whose boxes say what sets them apart
(`Box.aux`, from `model.roles`):

- an edge between a box of the main flow and an auxiliary box is not drawn: the main box gets
  a stub (a short dashed line to the auxiliary box's name, beside it on its rank);
- an edge between two auxiliary boxes (a constant into a summary) is not drawn either;
- a constant or an initialiser joined to a single box of the main flow, in its own frame
  (the arguments a PyTorch op reads, the ``truncated_normal`` of one variable) keeps its
  edges to it, and is pinned to that box's rank: the edge itself is the stub, and the box is
  drawn once, not as a stub and again in the column (a summary pinned so beside a box gets
  its edges crossed by the flow around it: it stands in the column instead, as does a
  constant dot would not keep beside its box, `_in_the_way`);
- the other auxiliary boxes of a frame stand in a column (chained by invisible edges); no
  stub names a step counter (`roles.step_counters`) on the optimizer that waits on it or
  hands it the variable: "→ AssignVariableOp" would tell a reader nothing;
- the arguments a PyTorch op reads (``prim::Constant``, the ``prim::ListConstruct`` of a
  shape, and the shape plumbing worked out from ``aten::size``: `roles.pytorch_constants`)
  are folded into the ops they feed, as TensorBoard embeds constants in the node reading
  them: not drawn, and no stub (nearly every op reads some; their card lists them). Stood
  beside their ops, five of them and a ``size → NumToTensor → ScalarImplicit → arange``
  chain took half of a GPT-2's first view;
- a summary op drawn in the frame of the value it summarises (TF1's ``layer1/weights``, a
  histogram of ``layer1/W``; ``loss`` at the top level, of ``cross_entropy/Mean``) is folded
  into the box that feeds it (`folded_summaries`) where a badge counts it ("● 1
  histogram"): a box of its own in a column beside, and a stub "→ weights", said it twice
  more (at depth 2 each layer frame's upper half held only these). Where no badge is known
  (the command line), it stands apart and the stub names it;
- no stub names a merge of summaries (``MergeSummary``, or a closed group of summary ops,
  `merges_summaries`): a box feeds one because it holds summaries, which its badge counts,
  and "→ Merge" said that in a word a newcomer cannot decode, however many boxes feed it;
- the handles of the variables a traced function captures (a Keras training step's hundreds
  of ``_Arg`` ``..._resource``) are not drawn at all: each box they feed says how many
  (``← 12 variables``), as their names, each read once inside a layer, tell a reader
  nothing the layer's own name does not, and a column of them is hundreds of boxes tall.

Edges are set apart too (`set_aside`, `merge_hub_edges`): control edges into or out of a hub,
and a terminal sink's (``NoOp``, "waits on 320 ops", `terminal_sinks`), counted on it, and many
data edges between an open scope and one far box, bundled into one edge to its frame.

Node details and the edges' tooltips still tell every connection; only the drawing changes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Set
from dataclasses import dataclass, field

from tb_scopegraph.model.graph import OP
from tb_scopegraph.model.layout import Box, Cluster, Edge, Layout
from tb_scopegraph.model.roles import CONSTANT, COUNTER, HANDLE, SAVE, SINK, SUMMARY
from tb_scopegraph.reading.pytorch import is_pytorch_op

#: A box with more control edges than this in (or out) has them set aside, not drawn.
CONTROL_HUB = 4
#: A box with more data edges than this in (or out) has those from one open scope bundled.
DATA_HUB = 8
#: A stub names at most one more than this many auxiliary boxes, else this many and "N more".
STUB_NAMES = 2
#: An auxiliary box with more control edges than this in (or out) has them counted on it
#: instead of stubs: a ``NoOp`` waiting on every variable of a big model would put a stub on
#: hundreds of boxes, each a rank constraint for Graphviz.
STUB_HUB = 16
#: A constant is not pinned beside a box that more boxes of the flow than this feed.
PINNED_HUB = 3
#: What a box's tooltip says under the note that stands for edges set aside ("waits on 320
#: ops", "+6 control inputs", "→ init", "← 12 variables"): a reader hovering to find the
#: edges learns why there are none.
NOTE_TIP = "(these connections are counted or named on the box, not drawn as edges)"
#: The op type that merges summaries into one (TF1's ``merge_all``): no stub names it.
MERGE_OP = "MergeSummary"
#: What the boxes of a step counter (`roles.step_counters`) say they are.
COUNTER_NOTE = "step counter"
#: What the box that merges summaries (TF1's ``merge_all``: a ``Merge`` scope) says it does.
MERGE_NOTE = "of the summaries"
_MERGE_SCOPE = re.compile(r"^Merge(_\d+)?$")
#: The ops of variables: a constant that is all one reads is its initialiser (TF1's
#: ``Const`` of zeros into a bias), pinned beside it as TensorBoard draws it.
VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})


@dataclass
class Aside:
    """How a layout's auxiliary boxes are drawn."""

    #: Per main box: (names of the auxiliary boxes it feeds, of those feeding it).
    stubs: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: (auxiliary box, the main box it is joined to): drawn side by side on one rank.
    pinned: list[tuple[int, int]] = field(default_factory=list)
    #: Per frame (None: the top level), its auxiliary boxes standing in a column.
    columns: dict[str | None, list[int]] = field(default_factory=dict)
    #: Variable handles, counted on the boxes they feed instead of drawn, and constants
    #: folded into them (PyTorch's, and those that feed one box).
    hidden: set[int] = field(default_factory=set)


def arrange(layout: Layout, drawn: set[int], badged: Set[int] = frozenset()) -> Aside:
    """Set a layout's auxiliary boxes apart; ``drawn`` (edge indexes) loses the edges that
    stubs replace. ``badged``: the boxes whose label counts the summaries they hold
    (`labels.badge`), which need no stub naming a summary folded into them."""
    boxes = layout.boxes
    aside = Aside()
    if not any(box.aux for box in boxes):
        return aside
    handles = {i for i, box in enumerate(boxes) if box.aux == HANDLE}
    # Where no badge says them (the command line) they stand apart, named by stubs.
    summarised = folded_summaries(layout) & badged
    hidden = handles | summarised | {i for i, box in enumerate(boxes) if folded_constant(box)}
    # An auxiliary box joined to a single main box in its own frame is pinned beside it.
    near: dict[int, set[int]] = {}
    for n in drawn:
        edge = layout.edges[n]
        if edge.src == edge.dst or edge.src in hidden or edge.dst in hidden:
            continue
        for a, b in ((edge.src, edge.dst), (edge.dst, edge.src)):
            if boxes[a].aux and not boxes[b].aux:
                near.setdefault(a, set()).add(b)
    pinned = {}
    for a, others in near.items():
        (other,) = others if len(others) == 1 else (None,)
        if other is not None and boxes[other].cluster == boxes[a].cluster:
            if boxes[a].aux in (CONSTANT, SAVE):
                pinned[a] = other
    for a in _in_the_way(layout, drawn, pinned):
        del pinned[a]
    hidden |= _lone_constants(layout, drawn, pinned)
    held: dict[int, set[int]] = {}
    outs: dict[int, list[str]] = {}
    ins: dict[int, list[str]] = {}
    for n in sorted(drawn):
        edge = layout.edges[n]
        src, dst = boxes[edge.src], boxes[edge.dst]
        if not (src.aux or dst.aux) or edge.src == edge.dst:  # a self-loop stays: it is news
            continue
        if pinned.get(edge.src) == edge.dst or pinned.get(edge.dst) == edge.src:
            continue
        drawn.discard(n)
        if src.aux and dst.aux:
            continue
        if edge.src in handles or edge.dst in handles:
            main, handle = (edge.dst, edge.src) if edge.src in handles else (edge.src, edge.dst)
            held.setdefault(main, set()).add(handle)
        elif edge.src in hidden or edge.dst in hidden:
            continue
        elif dst.aux:
            if not merges_summaries(dst) and dst.aux != COUNTER:
                _add(outs.setdefault(edge.src, []), dst.label)
        else:
            _add(ins.setdefault(edge.dst, []), src.label)
    for b, handles in held.items():
        n = len(handles)
        ins.setdefault(b, []).insert(0, f"{n} variable{'s' if n > 1 else ''}")
    for b in outs.keys() | ins.keys():
        aside.stubs[b] = (outs.get(b, []), ins.get(b, []))
    aside.pinned = sorted(pinned.items())
    aside.hidden = hidden
    for i, box in enumerate(boxes):
        if box.aux and i not in pinned and i not in hidden:
            aside.columns.setdefault(box.cluster, []).append(i)
    return aside


def _lone_constants(layout: Layout, drawn: set[int], pinned: dict[int, int]) -> set[int]:
    """The constants not pinned beside the one box they feed that feed no other: folded into
    it, as TensorBoard embeds a constant in the node reading it (one that feeds nothing has
    nothing to fold into, and is drawn). Stood in the column with a
    stub on that box, a training step's ``ones`` (the seed of the loss's gradient) read as
    ``gradient_tape ← ones``, a word a newcomer cannot decode, and the box itself as one
    more set apart."""
    boxes = layout.boxes
    joined: dict[int, set[int]] = {}
    for n in drawn:
        edge = layout.edges[n]
        if edge.src != edge.dst:
            joined.setdefault(edge.src, set()).add(edge.dst)
            joined.setdefault(edge.dst, set()).add(edge.src)
    return {
        b
        for b, box in enumerate(boxes)
        if box.kind == OP
        and box.aux == CONSTANT
        and b not in pinned
        and len(joined.get(b, ())) == 1
    }


def merges_summaries(box: Box) -> bool:
    """Whether a summary box merges summaries: a ``MergeSummary``, or a closed group of
    summary ops (TF1's ``Merge`` scope around it)."""
    return box.aux == SUMMARY and (box.kind != OP or box.op == MERGE_OP)


def folded_summaries(layout: Layout) -> set[int]:
    """The summary ops that may be folded into the box that feeds them: each whose data
    edges all come from boxes in its own frame or in frames inside it, where that box stands
    beside it. A summary of a value in another frame is drawn, named by a stub that ties
    the two."""
    boxes = layout.boxes
    parent = {c.name: c.parent for c in layout.clusters}
    found = {
        b
        for b, box in enumerate(boxes)
        if box.kind == OP and box.aux == SUMMARY and not merges_summaries(box)
    }
    for edge in layout.edges:
        if edge.control or edge.dst not in found:
            continue
        frame, key = boxes[edge.dst].cluster, boxes[edge.src].cluster
        while key != frame and key is not None:
            key = parent[key]
        if key != frame:
            found.discard(edge.dst)
    return found


def folded_constant(box: Box) -> bool:
    """Whether a box is a PyTorch op's constant argument, folded into the ops it feeds."""
    return box.kind == OP and box.aux == CONSTANT and is_pytorch_op(box.op)


def _in_the_way(layout: Layout, drawn: set[int], pinned: dict[int, int]) -> set[int]:
    """The pinned constants that dot cannot keep beside their box on its rank: drawn there
    with no rank of their own, dot, free to order a rank's boxes, puts them wherever the
    rank's other edges leave room, and their edge crosses everything between. Such a
    constant stands in the column instead, a stub on its box. So it goes for a constant that
    is all its box reads (a step counter's ``Const`` into ``Cast``: put across
    keras_transformer_train's view, its edge crossed 9 others), and for one beside a box that
    more than `PINNED_HUB` boxes of the flow feed, their edges coming in from both sides
    (``ones`` into ``gradient_tape``: put beyond ``Identity`` in resnet50_train's view).
    An initialiser stays beside the variable it sets (`VARIABLE_OPS`)."""
    boxes = layout.boxes
    fed: dict[int, set[int]] = {}
    for n in drawn:
        edge = layout.edges[n]
        if edge.dst in pinned.values() and edge.src != edge.dst:
            fed.setdefault(edge.dst, set()).add(edge.src)
    out = set()
    for a, b in pinned.items():
        flow = {f for f in fed.get(b, ()) if not boxes[f].aux}
        only = fed.get(b) == {a} and boxes[b].op not in VARIABLE_OPS
        if boxes[a].aux == CONSTANT and (only or len(flow) > PINNED_HUB):
            out.add(a)
    return out


def _add(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)


def stub_label(names: list[str]) -> str:
    """The text of a stub naming auxiliary boxes: all of them when they fit, else the first
    few and how many more (a bare "+1" read as nothing in particular).

    >>> stub_label(["init"]), stub_label(["a", "b", "c"]), stub_label(["a", "b", "c", "d"])
    ('init', 'a, b, c', 'a, b and 2 more')
    """
    if len(names) <= STUB_NAMES + 1:
        return ", ".join(names)
    return f"{', '.join(names[:STUB_NAMES])} and {len(names) - STUB_NAMES} more"


def merge_hub_edges(layout: Layout, drawn: set[int]) -> list[tuple[Edge, Cluster, bool]]:
    """Bundle the data edges between a hub and an open scope into one edge at its frame,
    and the control edges from an open scope into any box.

    In a training graph every forward layer feeds the closed gradient box: hundreds of long
    edges into one box that Graphviz takes minutes to route. Those that come from (or go to)
    one open scope become a single edge drawn to that scope's frame. Control edges into a
    box say only "runs after": two or more from one open scope say it once, from the frame
    (a Keras training step's ``adam`` waits on four boxes of the open model, whose four
    dashed edges crossed its labels). Those out of a box stay: a ``While``'s edges to the
    functions it calls, its body and its condition, say which. ``drawn`` loses them.
    """
    parent = {c.name: c.parent for c in layout.clusters}
    by_name = {c.name: c for c in layout.clusters}

    def path(key: str | None) -> list[str]:
        keys = []
        while key is not None:
            keys.append(key)
            key = parent[key]
        return keys[::-1]

    merged: list[tuple[Edge, Cluster, bool]] = []
    for at_tail, control in itertools.product((True, False), (False, True)):
        if control and not at_tail:
            continue  # a call's edges from `while` to its body and its condition say which
        ends: dict[int, list[int]] = {}
        for n in drawn:
            edge = layout.edges[n]
            if edge.control == control and not edge.loop:
                ends.setdefault(edge.dst if at_tail else edge.src, []).append(n)
        for hub, members in ends.items():
            if len(members) <= (1 if control else DATA_HUB):
                continue
            hub_path = path(layout.boxes[hub].cluster)
            groups: dict[str, list[int]] = {}
            for n in members:
                edge = layout.edges[n]
                far = path(layout.boxes[edge.src if at_tail else edge.dst].cluster)
                common = 0
                while common < min(len(far), len(hub_path)) and far[common] == hub_path[common]:
                    common += 1
                if common < len(far):
                    groups.setdefault(far[common], []).append(n)
            for key, group in groups.items():
                if len(group) < 2:
                    continue
                drawn.difference_update(group)
                edges = [layout.edges[n] for n in sorted(group)]
                tensors = tuple(t for e in edges for t in e.tensors)[:8]
                first = edges[-1]
                bundle = Edge(
                    src=first.src,
                    dst=first.dst,
                    control=control,
                    count=sum(e.count for e in edges),
                    tensors=tensors,
                    tensor_count=sum(e.tensor_count for e in edges),
                )
                merged.append((bundle, by_name[key], at_tail))
    return merged


def set_aside(layout: Layout) -> tuple[set[int], dict[int, str]]:
    """Which edges to draw, and a note for each box whose control edges are set aside or
    that counts steps.

    A step counter's boxes say so ("step counter"): set apart with no stub, ``Cast``,
    ``Add`` and ``AssignVariableOp`` told a reader nothing of what they count.

    Control edges into or out of a hub (a ``NoOp`` that waits on every variable read) cost
    Graphviz minutes to route and tell little, so, as TensorBoard does with its auxiliary
    nodes, they are left out of the drawing and counted on the hub instead. A terminal sink
    (`terminal_sinks`) says how many ops it waits on and loses its control edges both ways,
    ``Identity ← NoOp`` included: the same note on every view of the graph.
    """
    ins: dict[int, int] = {}
    outs: dict[int, int] = {}
    # The ops' control edges each bundles: a hub's note counts those, the same whichever
    # boxes around it are open; which box is a hub goes by the edges drawn, what costs.
    ins_ops: dict[int, int] = {}
    outs_ops: dict[int, int] = {}
    for edge in layout.edges:
        if edge.control:
            ins[edge.dst] = ins.get(edge.dst, 0) + 1
            outs[edge.src] = outs.get(edge.src, 0) + 1
            ins_ops[edge.dst] = ins_ops.get(edge.dst, 0) + edge.count
            outs_ops[edge.src] = outs_ops.get(edge.src, 0) + edge.count
    sinks = terminal_sinks(layout)
    # An auxiliary hub with a few edges gets stubs on its boxes instead (`arrange`).
    few = {b for b, box in enumerate(layout.boxes) if box.aux}
    few -= {b for b, n in (*ins.items(), *outs.items()) if n > STUB_HUB}
    hub_in = {b for b, n in ins.items() if n > CONTROL_HUB and b not in few}
    hub_out = {b for b, n in outs.items() if n > CONTROL_HUB and b not in few}
    drawn = set()
    notes: dict[int, list[str]] = {}
    for n, edge in enumerate(layout.edges):
        if edge.control and (edge.dst in hub_in or edge.src in hub_out):
            continue
        if edge.control and (edge.dst in sinks or edge.src in sinks):
            continue
        drawn.add(n)
    for b, waits in sinks.items():
        notes.setdefault(b, []).append(f"waits on {waits:,} op{'s' if waits > 1 else ''}")
    for b, box in enumerate(layout.boxes):
        if box.aux == COUNTER:  # "Cast", "Add", "AssignVariableOp" alone said nothing of it
            notes.setdefault(b, []).append(COUNTER_NOTE)
        elif merges_summaries(box) and (box.op == MERGE_OP or _MERGE_SCOPE.match(box.label)):
            notes.setdefault(b, []).append(MERGE_NOTE)  # no stub says it: "Merge" alone
    for b in hub_in - sinks.keys():
        notes.setdefault(b, []).append(f"+{ins_ops[b]:,} control inputs")
    for b in hub_out - sinks.keys():
        notes.setdefault(b, []).append(f"+{outs_ops[b]:,} control outputs")
    return drawn, {b: ", ".join(v) for b, v in notes.items()}


def terminal_sinks(layout: Layout) -> dict[int, int]:
    """The terminal control sinks of a layout, each with how many ops it waits on.

    A terminal sink is a sink box (`roles.SINK`: a ``NoOp``) with no data edge out that
    gates others (the op a traced function holds its outputs back on until every stateful
    op has run: ``Identity ← NoOp``), or that waits on more than `CONTROL_HUB` ops (a
    training step's last op, ``init``; a smaller ``init`` gets stubs, as TensorBoard draws
    it). Counted on itself, "waits on 2,354 ops", instead of a "→ NoOp" stub on each box it
    waits on and a "← NoOp" on each it gates. The
    count is of ops over the whole graph (each control edge bundles `Edge.count` of them),
    so the rule and the note read the same on every view: counted over the boxes drawn, a
    sink that four closed boxes wait on (resnet50_train's first view) would be stubbed on
    each, and its count would change with every box opened.
    """
    boxes = layout.boxes
    waits: dict[int, int] = {}
    feeds, gates = set(), set()
    for edge in layout.edges:
        if edge.src == edge.dst:
            continue
        if not edge.control:
            feeds.add(edge.src)
        else:
            gates.add(edge.src)
            if boxes[edge.dst].aux == SINK:
                waits[edge.dst] = waits.get(edge.dst, 0) + edge.count
    return {b: n for b, n in waits.items() if b not in feeds and (n > CONTROL_HUB or b in gates)}
