"""Colouring by op type: a closed group takes the colour of the op type that does its work,
plumbing left out, "mixed" where no type holds half of it; the legend names what is shown."""

from __future__ import annotations

import doctest

import pygraphviz
from graphs import ffn_graph, graph_from_nodes

from tb_scopegraph.drawing import colour
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.model.hierarchy import Hierarchy


def parsed(dot: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=dot)


def test_the_examples_in_colour_py_hold():
    assert doctest.testmod(colour).failed == 0


def test_closed_layers_take_the_colour_of_their_matmul_not_their_plumbing():
    h = Hierarchy(ffn_graph())
    # Each layer holds more variable plumbing (VariableV2, Identity) than MatMul.
    types = h.details("layer1")["op_types"]
    assert types["MatMul"] < types["VariableV2"] + types["Identity"], types
    graph = parsed(to_dot(h, h.view(depth=0), colour="op"))
    matmul = colour.category_colour("MatMul")
    for layer in ("layer1", "layer2", "layer3"):
        assert graph.get_node(element_id("scope", layer)).attr["fillcolor"] == matmul
    assert "MatMul" in graph.graph_attr["label"]
    # Opened, its MatMul op has the colour its closed box had.
    opened = parsed(to_dot(h, h.view(open=["layer1"]), colour="op"))
    assert opened.get_node(element_id("op", "layer1/MatMul")).attr["fillcolor"] == matmul


def test_a_group_of_no_dominant_op_type_is_mixed_and_one_of_plumbing_keeps_its_fill():
    graph = graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("math/a", "Add", ("x", "x")),
            ("math/b", "Mul", ("math/a", "x")),
            ("math/c", "Sub", ("math/b", "x")),
            ("math/k", "Const", (), {"dtype": "float32"}),
            ("math/k2", "Const", (), {"dtype": "float32"}),
            ("consts/k", "Const", (), {"dtype": "float32"}),
            ("consts/i", "Identity", ("consts/k",)),
            ("out", "Add", ("math/c", "consts/i")),
        ]
    )
    h = Hierarchy(graph)
    plain = parsed(to_dot(h, h.view(depth=0)))
    drawn = parsed(to_dot(h, h.view(depth=0), colour="op"))
    # Const is the most common type in `math`, but plumbing: Add, Mul, Sub a third each.
    assert drawn.get_node(element_id("scope", "math")).attr["fillcolor"] == colour.MIXED_FILL
    assert "mixed" in drawn.graph_attr["label"]
    consts = element_id("scope", "consts")
    assert drawn.get_node(consts).attr["fillcolor"] == plain.get_node(consts).attr["fillcolor"]


def test_the_mixed_fill_is_none_of_the_op_types():
    assert colour.MIXED_FILL not in colour.PALETTE
    assert colour.group_op_type({"Conv2D": 4, "FusedBatchNormV3": 4, "Relu": 3}) == "Conv2D"


def test_inputs_and_outputs_are_coloured_and_named_by_what_they_are():
    # TF's, a device's and PyTorch's spellings of a graph's ends: one colour, one legend row
    # each, in words a reader places ("_DeviceArg", "IO Node" were rows of their own).
    boxes = ["_DeviceArg", "_Arg", "Placeholder", "_Retval", "IO Node", "MatMul"]
    colours, legend = colour.fills("op", boxes)
    assert len(set(colours[:3])) == 1 and colours[0] == colour.category_colour("input")
    assert colours[3] == colour.category_colour("output") != colours[0]
    for word in ("input", "output", "input or output", "MatMul"):
        assert f">{word}<" in legend, word
    assert "_DeviceArg" not in legend and "IO Node" not in legend and "_Retval" not in legend
