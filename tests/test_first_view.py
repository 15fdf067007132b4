"""The first view of graphs whose model is one scope: what it opens, and what it leaves closed
because open it would not read at a glance in a 1,400 x 900 window."""

from __future__ import annotations

import pytest
from graphs import blocks_graph, graph_from_nodes

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


def test_a_lone_series_of_blocks_that_differ_stays_one_box():
    # Fifty blocks wired two ways: a series, never rolled. Open, it is a column of fifty.
    h = Hierarchy(_in_model(blocks_graph(50, rewired=range(0, 50, 2))))
    series = h.graph.groups[h.graph.group_id("model/block_[0-49]")]
    assert series.kind == SERIES
    view = h.default_view()
    assert view.open == {"model"} and not h.rolled(view)
    names = {box.name for box in h.layout(view).boxes}
    assert "model/block_[0-49]" in names and "model/block_0" not in names
    assert _label_px(h, view) >= views.READABLE_PX


def test_a_lone_series_of_identical_blocks_still_opens_rolled():
    h = Hierarchy(_in_model(blocks_graph(50)))
    view = h.default_view()
    assert {"model", "model/block_[0-49]"} <= view.open
    assert h.rolled(view) == {"model/block_[0-49]": "model/block_0"}


def _function_with_arguments(n: int, suffix: str = "_resource") -> list:
    """A traced function as Keras writes a training step: ``n`` ``_Arg`` resource handles
    (or, with another ``suffix``, plain arguments) beside its model, more than a scope shows
    whole, so it is cut into parts."""
    nodes = [("fn/x", "_Arg")]
    nodes += [(f"fn/w{i:03d}{suffix}", "_Arg") for i in range(n)]
    previous = "fn/x"
    for n, layer in enumerate(("dense", "dense_1", "dense_2")):
        read = f"fn/model/{layer}/ReadVariableOp"
        nodes.append((read, "ReadVariableOp", (f"fn/w{n:03d}{suffix}",)))
        nodes.append((f"fn/model/{layer}/MatMul", "MatMul", (previous, read)))
        nodes.append((f"fn/model/{layer}/Relu", "Relu", (f"fn/model/{layer}/MatMul",)))
        previous = f"fn/model/{layer}/Relu"
    nodes.append(("fn/out", "_Retval", (previous,)))
    return nodes


def test_a_lone_part_of_a_scope_cut_in_parts_opens_only_if_it_reads():
    h = Hierarchy(graph_from_nodes(_function_with_arguments(600, suffix="_arg")))
    parts = [g for g in h.graph.groups if g.kind == CHUNK]
    assert len(parts) == 2
    view = h.default_view()
    assert "fn" in view.open
    assert not {p.key for p in parts} & view.open  # a part holds hundreds of arguments
    assert _label_px(h, view) >= views.READABLE_PX


def test_variable_handles_do_not_keep_a_traced_functions_model_closed():
    # Its hundreds of handles are counted on the boxes they feed, not drawn (`auxiliary`):
    # the part holding the model opens, down to the model's layers.
    h = Hierarchy(graph_from_nodes(_function_with_arguments(600)))
    view = h.default_view()
    assert {"fn", "fn/model"} <= view.open
    assert _label_px(h, view) >= views.READABLE_PX


def test_a_model_between_input_and_output_opens_to_its_blocks():
    pytest.importorskip("torch")
    from tf_graphs import torch_gpt_graph

    # input -> GPT -> output reads, but tells nothing: the first view opens GPT down to its
    # twelve identical blocks, rolled into one, while labels stay at the target's 10 px.
    h = Hierarchy(torch_gpt_graph(12))
    view = h.default_view()
    assert "GPT" in view.open
    rolled = h.rolled(view)
    assert any(key.endswith("Block[0-11]") for key in rolled)
    assert views.FEW_BOXES_PX <= _label_px(h, view) < views.READABLE_PX
