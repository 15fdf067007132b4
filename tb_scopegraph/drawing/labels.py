"""What the text on a drawing says: an op's type line and an edge's shape, where they tell
something.

A label that repeats what is already there costs room and attention: ``MatMul`` over
``MatMul``, ``?`` or ``[]`` for a shape, the same ``[2,32]`` on every edge of a chain. These
rules decide what is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from tb_scopegraph.drawing.ranking import ranks
from tb_scopegraph.model.graph import GraphModel
from tb_scopegraph.model.layout import Layout


def shape_label(shape: str) -> str:
    """An edge's label for the shape it carries: only a shape that tells something.

    An unknown shape (``?``), a scalar (``[]``) and a shape of unknown dimensions only
    (``[?]``, ``[?,?]``) say nothing a reader can use, so the edge is left unlabelled.

    >>> [shape_label(s) for s in ("[?,784]", "[32]", "?", "[]", "[?]", "[?,?]", "")]
    ['[?,784]', '[32]', '', '', '', '', '']
    """
    if not shape.startswith("[") or not _KNOWN_DIM.search(shape):
        return ""
    return shape


_KNOWN_DIM = re.compile(r"\d")


def op_type_line(name: str, op_type: str) -> str:
    """The second line of an op's label: its type, or '' when its name already says it.

    The name's last part is shown first; its type is repeated only where it adds something:
    ``MatMul_1`` (a MatMul), ``add`` (an AddV2), ``Relu`` and ``Cast/ReadVariableOp`` (an op
    drawn for its one-op scope, named below the scope's parent) show no type line. Nor does a
    ``NoOp``: it only waits on others, and is named for what that does (TF1's
    ``GradientDescent``, the step that waits on every update; ``init``; ``group_deps``),
    where "NoOp" under it reads as "does nothing" to a newcomer.

    >>> [op_type_line(n, t) for n, t in [("MatMul", "MatMul"), ("MatMul_1", "MatMul"),
    ...     ("add", "AddV2"), ("kernel", "VariableV2"), ("aten::linear", "aten::linear"),
    ...     ("Cast/ReadVariableOp", "ReadVariableOp"), ("GradientDescent", "NoOp")]]
    ['', '', '', 'VariableV2', '', '', '']
    """
    if not op_type or op_type in _WAITS_ONLY:
        return ""

    def plain(text: str) -> str:
        return _OP_SUFFIX.sub("", text).lower()

    return "" if plain(name.rpartition("/")[2]) == plain(op_type) else op_type


#: The op types that only wait on others: named for their job, their type tells nothing.
_WAITS_ONLY = frozenset({"NoOp"})
# What a name or a type may end with and still say the same: ``_1`` (TF's numbering),
# ``V2`` (a newer op of the same name).
_OP_SUFFIX = re.compile(r"(_\d+|v\d+)+$", re.IGNORECASE)


def op_lines(label: str, op_type: str) -> tuple[str, str]:
    """An op's label: the name it is shown by, and its type line (`op_type_line`).

    PyTorch names an op by the value it makes (``293``, ``input.3``, ``bias.13``): a number
    or a debug name says nothing, so such an op is named by what it does, with no type line
    (``relu`` for ``aten::relu``, ``convolution`` for ``aten::_convolution``), an attribute
    read by the attribute's own name, and the ``.N`` that only tells values apart is left to
    the tooltip. (A traced function's arguments of captured variables, ``_Arg``
    ``dense_1_matmul_readvariableop_resource``, are not drawn: `auxiliary`.)

    A graph's inputs and outputs say so, not TF's or PyTorch's node types for them (``_Arg``,
    ``Placeholder``, ``_Retval``, ``IO Node``), nor the ``_RetVal`` TF appends to a result's
    name.

    >>> [op_lines(n, t) for n, t in [("293", "aten::relu"), ("input.3", "aten::linear"),
    ...     ("bias/bias.13", "prim::GetAttr"), ("280", "prim::Constant"), ("x.1", "aten::add"),
    ...     ("MatMul_1", "MatMul")]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('relu', ''), ('linear', ''), ('bias', 'prim::GetAttr'), ('Constant', ''),
     ('x', 'aten::add'), ('MatMul_1', '')]
    >>> [op_lines(n, t) for n, t in [("features", "_Arg"), ("identity_RetVal", "_Retval"),
    ...     ("output_RetVal", "_DeviceRetval"), ("input/x", "IO Node"),
    ...     ("output/output.1", "IO Node"), ("args_0", "Placeholder"), ("input", "Placeholder")]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('features', 'input'), ('identity', 'output'), ('output', ''), ('x', 'input'),
     ('output', ''), ('args_0', 'input'), ('input', '')]
    """
    if op_type in _ENDS or op_type == _TORCH_END:
        return _end_lines(label, op_type)
    if "::" in op_type:
        scope, _, local = label.rpartition("/")
        name = _DEBUG_SUFFIX.sub("", local)
        if not name or name.isdigit() or name in _VALUE_NAMES:
            return op_type.partition("::")[2].lstrip("_") or op_type, ""
        if name == scope.rpartition("/")[2]:  # an op drawn for its one-op scope
            label = name
        else:
            label = f"{scope}/{name}" if scope else name
    return label, op_type_line(label, op_type)


#: The op types of a graph's (or a function's) inputs and outputs, and what they are: TF1's
#: feeds are placeholders (Keras's ``args_0`` too).
_ENDS = {
    "_Arg": "input",
    "_DeviceArg": "input",
    "Placeholder": "input",
    "PlaceholderWithDefault": "input",
    "_Retval": "output",
    "_DeviceRetval": "output",
}
#: PyTorch's graph inputs and outputs: ``input/x``, ``output/output.1``.
_TORCH_END = "IO Node"
_RETVAL_SUFFIX = re.compile(r"(?i)_retval(_\d+)?$")


def type_word(op_type: str) -> str:
    """An op type as a newcomer reads it: a graph's inputs and outputs by what they are
    (`op_lines`), any other type as it is. For a legend, where ``_DeviceArg`` and ``IO Node``
    named rows a reader could not place.

    >>> [type_word(t) for t in ("_DeviceArg", "Placeholder", "_Retval", "IO Node", "MatMul")]
    ['input', 'input', 'output', 'input or output', 'MatMul']
    """
    if op_type == _TORCH_END:
        return "input or output"
    return _ENDS.get(op_type, op_type)


def _end_lines(label: str, op_type: str) -> tuple[str, str]:
    """An input's or output's label (`op_lines`)."""
    if op_type == _TORCH_END:
        side, _, name = label.partition("/")
        what = "output" if side == "output" else "input"
        name = _DEBUG_SUFFIX.sub("", name or side)
    else:
        what = _ENDS[op_type]
        name = _RETVAL_SUFFIX.sub("", label) if what == "output" else label
    name = name or label
    return name, "" if name.rpartition("/")[2] == what else what


# TorchScript's debug names: a value's name, ".N" to tell values of one name apart; "input"
# and "output" name what a module's forward takes and gives, nothing about the op.
_DEBUG_SUFFIX = re.compile(r"\.\d+$")
_VALUE_NAMES = frozenset({"input", "output"})


def counted(count: int, unit: str = "op") -> str:
    """How many ops (or layers) a box or frame holds, as its label says it.

    >>> counted(1), counted(1234), counted(4, "layer")
    ('1 op', '1,234 ops', '4 layers')
    """
    return f"{count:,} {unit}" if count == 1 else f"{count:,} {unit}s"


#: The mark that starts the label line of a box or frame holding summaries. A black circle:
#: in Arial and Liberation Sans, which the labels' fonts come to. A glyph missing from them (a
#: black diamond, for one) sends Chromium looking through every installed font as it first
#: lays out a drawing: a few ms, and tens on a busy machine.
BADGE = "\u25cf"


def badge(held: Mapping[str, int]) -> str:
    """The label line of an op or group that holds summaries, '' for none: how many of each
    kind (``held``: "histogram" or "scalar" -> count, from `summaries.Links.held`), so that
    "• 30 histograms, 1 scalar" says what hovering shows, where "31 summaries" left it open.

    >>> badge({"histogram": 30, "scalar": 1}), badge({"scalar": 1}), badge({})
    ('\u25cf 30 histograms, 1 scalar', '\u25cf 1 scalar', '')
    >>> badge({"scalar": 2, "histogram": 2, "summary": 3})
    '\u25cf 2 histograms, 2 scalars, 3 summaries'
    """
    parts = []
    for kind in sorted(held, key=lambda k: (k not in _KIND_ORDER, _KIND_ORDER.get(k, 0), k)):
        count = held[kind]
        if count:
            plural = "summaries" if kind == "summary" else f"{kind}s"
            parts.append(f"{count:,} {kind if count == 1 else plural}")
    return f"{BADGE} {', '.join(parts)}" if parts else ""


_KIND_ORDER = {"histogram": 0, "scalar": 1}


def said_inside(
    layout: Layout,
    held: list[Counter],
    badges: Mapping[tuple[str, str], Mapping[str, int]],
    hidden: set[int],
) -> set[str]:
    """The open frames whose summaries are all counted by the badges of what is drawn right
    inside them (``held``: each box's count, `badge`; ``hidden``: boxes not drawn): their
    title leaves the count out, as it would say those badges again (``Net ● 30 histograms``
    over ``ModuleList[blocks] ● 24 histograms`` over ``Block[0-5] ● 24 histograms``). A
    rolled series keeps its count: the one block drawn counts only its own."""
    own = {c.name: Counter(badges.get(("group", c.name), {})) for c in layout.clusters}
    inside: dict[str, Counter] = {name: Counter() for name in own}
    for i, box in enumerate(layout.boxes):
        if box.cluster in inside and i not in hidden:
            inside[box.cluster].update(held[i])
    for cluster in layout.clusters:
        if cluster.parent in inside:
            inside[cluster.parent].update(own[cluster.name])
    return {name for name, count in own.items() if +count and +inside[name] == +count}


def unit_of(model: GraphModel) -> str:
    """What a graph's nodes are, told by one of them: "layer" in a Keras model config (every
    node TensorBoard makes of one carries its layer's ``keras_class``), else "op"."""
    if model.op_count and "keras_class" in model.node_def(0).attr:
        return "layer"
    return "op"


def shapes_in(layout: Layout, drawn: set[int]) -> set[tuple[int, str]]:
    """(box, shape) for every shape that a drawn data edge carries into a box, and (box, "*")
    for every auxiliary box: an edge out of a box with a shape that came into it tells
    nothing new (a chain of [2,32] blocks), nor does an edge to or from an initialiser or a
    summary set apart."""
    said = {(b, "*") for b, box in enumerate(layout.boxes) if box.aux}
    for n in drawn:
        edge = layout.edges[n]
        if not edge.control and edge.tensor_count == 1:
            said.add((edge.dst, edge.tensors[0].shape))
    return said


def fanned_out(layout: Layout, drawn: set[int]) -> set[int]:
    """The drawn data edges that carry one tensor which another drawn edge carries too (a
    tensor fed to several boxes): its shape is said once, as the same shape on each edge
    leaving one box tells nothing new, and each label placed beside the fanned-out edges is
    one more for the edges around them to cross.

    It is said on the edge spanning the fewest ranks (`ranking.ranks`), the last of those in the
    layout's order: the forward edge (``x → layer1``), not the long one round the drawing
    to the training step (``x → train``), whose label would float far from both its ends."""
    carried: dict[str, list[int]] = {}
    for n in sorted(drawn):
        edge = layout.edges[n]
        if not edge.control and not edge.loop and edge.tensor_count == 1:
            carried.setdefault(edge.tensors[0].name, []).append(n)
    fans = [edges for edges in carried.values() if len(edges) > 1]
    if not fans:
        return set()
    rank = ranks(
        len(layout.boxes),
        (
            (layout.edges[n].src, layout.edges[n].dst)
            for n in sorted(drawn)
            if not layout.edges[n].control and not layout.edges[n].loop
        ),
    )

    def span(n: int) -> int:
        edge = layout.edges[n]
        return rank[edge.dst] - rank[edge.src]

    quiet = set()
    for edges in fans:
        said = min(edges, key=lambda n: (span(n), -n))
        quiet.update(n for n in edges if n != said)
    return quiet
