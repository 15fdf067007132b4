"""What the text on a drawing says: an op's type line and an edge's shape, where they tell
something.

A label that repeats what is already there costs room and attention: ``MatMul`` over
``MatMul``, ``?`` or ``[]`` for a shape, the same ``[2,32]`` on every edge of a chain. These
rules decide what is left out.
"""

from __future__ import annotations

import re

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
    drawn for its one-op scope, named below the scope's parent) show no type line.

    >>> [op_type_line(n, t) for n, t in [("MatMul", "MatMul"), ("MatMul_1", "MatMul"),
    ...     ("add", "AddV2"), ("kernel", "VariableV2"), ("aten::linear", "aten::linear"),
    ...     ("Cast/ReadVariableOp", "ReadVariableOp")]]
    ['', '', '', 'VariableV2', '', '']
    """
    if not op_type:
        return ""

    def plain(text: str) -> str:
        return _OP_SUFFIX.sub("", text).lower()

    return "" if plain(name.rpartition("/")[2]) == plain(op_type) else op_type


# What a name or a type may end with and still say the same: ``_1`` (TF's numbering),
# ``V2`` (a newer op of the same name).
_OP_SUFFIX = re.compile(r"(_\d+|v\d+)+$", re.IGNORECASE)


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
