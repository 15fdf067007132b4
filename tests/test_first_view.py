"""The first view of graphs whose model is one scope: what it opens, and what it leaves closed
because open it would not read at a glance in a 1,400 x 900 window."""

from __future__ import annotations

import re

import pygraphviz
import pytest
from graphs import blocks_graph, graph_from_nodes
from harness import drawn_label_px

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.drawing.proportions import layout_scale
from tb_scopegraph.model import views
from tb_scopegraph.model.graph import CHUNK, SERIES
from tb_scopegraph.model.hierarchy import Hierarchy


def _label_px(h: Hierarchy, view) -> float:
    return layout_scale(h.layout(view), views.WINDOW_WIDTH, views.WINDOW_HEIGHT) * views.LABEL_PT


def _in_model(graph):
    """``graph``'s ops but its input and output moved into one scope ``model``."""
    for node in graph.node:
        if node.name not in ("input", "output"):
            node.name = f"model/{node.name}"
        node.input[:] = [i if i in ("input", "^input") else f"model/{i}" for i in node.input]
    return graph


def test_a_lone_series_of_blocks_that_differ_opens_to_its_blocks_in_rows():
    # Fifty blocks wired two ways: a series, never rolled. Closed, the model was one box in
    # a twentieth of the window; open, its blocks are laid in rows that read in order.
    h = Hierarchy(_in_model(blocks_graph(50, rewired=range(0, 50, 2))))
    series = h.graph.groups[h.graph.group_id("model/block_[0-49]")]
    assert series.kind == SERIES
    view = h.default_view()
    assert view.open == {"model", "model/block_[0-49]"} and not h.rolled(view)
    names = {box.name for box in h.layout(view).boxes}
    assert {f"model/block_{i}" for i in range(50)} <= names
    assert _label_px(h, view) >= views.READABLE_PX
    dot = to_dot(h, view)
    assert re.search(r'rank=same; "scope-model\.2Fblock_0"; "scope-model\.2Fblock_1"', dot)
    assert drawn_label_px(dot) >= views.READABLE_PX


def test_a_training_step_opens_its_model_to_its_stages(keras_training_step):
    # ResNet50's stages in a Keras training step: the model open beside its loss, gradients
    # and optimizer, closed. Estimated as a column (10 px) it stayed one small box; the
    # drawing lays its stages closer, or in rows.
    h = Hierarchy(keras_training_step)
    view = h.default_view()
    assert view.open == {"resnet_1"}
    shown = {box.label for box in h.layout(view).boxes}
    assert {"conv1", "conv2", "conv3", "conv4", "conv5", "gradient_tape", "adam"} <= shown
    assert _label_px(h, view) >= views.READABLE_PX
    assert drawn_label_px(to_dot(h, view)) >= views.READABLE_PX


def test_a_lone_series_of_identical_blocks_still_opens_rolled():
    h = Hierarchy(_in_model(blocks_graph(50)))
    view = h.default_view()
    assert {"model", "model/block_[0-49]"} <= view.open
    assert h.rolled(view) == {"model/block_[0-49]": "model/block_0"}


def _function_with_arguments(n: int, handles: bool = True, fn: str = "fn") -> list:
    """A traced function ``fn`` as Keras writes a training step: ``n`` captured variable
    handles (``_Arg`` of type ``DT_RESOURCE``, named as Keras's ``fit`` names them:
    ``unknown_7``) beside its model; with ``handles`` False, ``n`` plain float arguments
    instead, more than a scope shows whole."""
    if handles:
        nodes = [(f"{fn}/unknown_{i}", "_Arg", (), {"T": "resource"}) for i in range(n)]
    else:
        nodes = [(f"{fn}/w{i:03d}_arg", "_Arg") for i in range(n)]
    nodes.insert(0, (f"{fn}/x", "_Arg"))
    previous = f"{fn}/x"
    for i, layer in enumerate(("dense", "dense_1", "dense_2")):
        read = f"{fn}/model/{layer}/ReadVariableOp"
        nodes.append((read, "ReadVariableOp", (nodes[i + 1][0],)))
        nodes.append((f"{fn}/model/{layer}/MatMul", "MatMul", (previous, read)))
        nodes.append((f"{fn}/model/{layer}/Relu", "Relu", (f"{fn}/model/{layer}/MatMul",)))
        previous = f"{fn}/model/{layer}/Relu"
    nodes.append((f"{fn}/out", "_Retval", (previous,)))
    return nodes


def test_a_scope_cut_in_parts_keeps_its_subscopes_whole_beside_them():
    # Only its loose ops are cut: the model is not in "[part 2 of 2]" with 100 arguments.
    h = Hierarchy(graph_from_nodes(_function_with_arguments(600, handles=False)))
    model = h.graph
    parts = [g for g in model.groups if g.kind == CHUNK]
    assert len(parts) == 2 and not any(p.children for p in parts)
    fn = model.group_id("fn")
    assert model.groups[model.group_id("fn/model")].parent == fn
    assert sum(len(p.ops) for p in parts) == 602  # the arguments, x and out
    view = h.default_view()
    assert {"fn", "fn/model"} <= view.open
    assert not {p.key for p in parts} & view.open  # a part holds hundreds of arguments
    assert _label_px(h, view) >= views.READABLE_PX


def test_variable_handles_told_by_type_are_not_cut_into_parts():
    # Its hundreds of handles are counted on the boxes they feed, not drawn (`auxiliary`):
    # the function is not cut, and opens down to the model's layers.
    h = Hierarchy(graph_from_nodes(_function_with_arguments(600)))
    assert not [g for g in h.graph.groups if g.kind == CHUNK]
    view = h.default_view()
    assert {"fn", "fn/model"} <= view.open
    assert _label_px(h, view) >= views.READABLE_PX


def test_a_keras_training_step_is_cut_at_its_scopes_not_for_its_handles(keras_train_step):
    h = Hierarchy(keras_train_step)
    model = h.graph
    top = [model.groups[g] for g in model.groups[0].children]
    assert not [g for g in top if g.kind == CHUNK]
    assert {"stack_1", "mean_squared_error", "gradient_tape", "adam"} <= {g.key for g in top}
    view = h.default_view()
    assert "stack_1" in view.open  # the model, not the plumbing
    assert not {"gradient_tape", "adam"} & view.open
    assert _label_px(h, view) >= views.READABLE_PX


def test_a_trace_opens_the_function_holding_the_model_not_the_others():
    # As a Keras training step's trace holds them: ``graph_1`` the 4-op ``Fill`` of a
    # ``tf.zeros`` input, run eagerly while tracing; ``graph_2`` the step.
    fill = [
        ("graph_1/dims", "_DeviceArg", (), {"T": "int32"}),
        ("graph_1/value", "_DeviceArg", (), {"T": "int32"}),
        ("graph_1/Fill", "Fill", ("graph_1/dims", "graph_1/value")),
        ("graph_1/output_RetVal", "_DeviceRetval", ("graph_1/Fill",)),
    ]
    h = Hierarchy(graph_from_nodes(fill + _function_with_arguments(20, fn="graph_2")))
    view = h.default_view()
    assert {"graph_2", "graph_2/model"} <= view.open
    assert "graph_1" not in view.open


def test_a_model_between_input_and_output_opens_to_its_blocks():
    pytest.importorskip("torch")
    from tf_graphs import torch_gpt_graph

    # input -> GPT -> output reads, but tells nothing: the first view opens GPT down to its
    # twelve identical blocks, rolled into one; with the ops' constant arguments and shape
    # plumbing folded into the ops they feed, its labels read at full size.
    h = Hierarchy(torch_gpt_graph(12))
    view = h.default_view()
    assert "GPT" in view.open
    rolled = h.rolled(view)
    assert any(key.endswith("Block[0-11]") for key in rolled)
    assert _label_px(h, view) >= views.READABLE_PX


def test_a_function_library_shows_its_functions_closed_beside_the_running_graph():
    pytest.importorskip("tensorflow")
    from tf_graphs import functions_graph

    from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY, expand_function_library

    h = Hierarchy(expand_function_library(functions_graph()))
    model = h.graph
    library = model.groups[model.group_id(FUNCTION_LIBRARY)]
    functions = {model.groups[g].key for g in library.children}
    assert any("while_body" in f for f in functions) and any("cond_true" in f for f in functions)
    view = h.default_view()
    # Each function one box its call leads to: open, their arguments and return values took
    # two thirds of the window, the running graph a column beside them.
    assert not functions & view.open
    names = {box.name for box in h.layout(view).boxes}
    assert functions <= names
    assert {"while", "cond", "Mean"} <= names  # the graph that runs, op by op
    # Each call an edge to the function it calls, not one to the library's frame.
    drawn = pygraphviz.AGraph(string=to_dot(h, view))
    called = {e[1] for e in drawn.edges() if e[0] == element_id("op", "while")}
    assert {element_id("scope", f) for f in functions if "while_" in f} <= called
    assert _label_px(h, view) >= views.READABLE_PX
    # Asked for, a function opens.
    body = next(f for f in functions if "while_body" in f)
    assert body in h.view(open=[FUNCTION_LIBRARY, body]).open


def test_the_layers_of_a_model_open_together_or_not_at_all(keras_traces):
    # A Keras classifier's two layers: in a 1,400 x 900 window hidden_1 fitted open on its
    # own (11.1 px), both only at 9.4 px; two layers alike drawn one open and one closed
    # looked different, so both stay closed. In a taller window both open.
    h = Hierarchy(keras_traces["predict_on_batch"])
    view = h.default_view()
    (classifier,) = [k for k in view.open if k.endswith("classifier_1")]
    layers = {f"{classifier}/hidden_1", f"{classifier}/classes_1"}
    assert not layers & view.open
    taller = h.default_view(height=1000)
    assert layers <= taller.open
    scale = layout_scale(h.layout(taller), views.WINDOW_WIDTH, 1000)
    assert scale * views.LABEL_PT >= views.FEW_BOXES_PX


def test_one_keras_function_written_two_ways_opens_the_same_layers(tmp_path):
    # tf.summary.graph and trace_export write the same function's ops; its first view opens
    # the same scopes in both, the two layers together.
    pytest.importorskip("tensorflow")
    from tf_graphs import keras_predict_both_ways

    written = keras_predict_both_ways(str(tmp_path))
    opened = {how: Hierarchy(graph).default_view().open for how, graph in written.items()}
    assert opened["op_graph"] == opened["trace"]
    assert {"classifier_1/hidden_1", "classifier_1/classes_1"} <= opened["trace"]
