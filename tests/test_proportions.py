"""How a drawing is proportioned for its window: its direction and how close its ranks.

A view whose column is too long for the window draws its ranks closer before its labels
smaller (`proportions.fitted`), in the estimate and in the drawing Graphviz lays out.
"""

from __future__ import annotations

import re

import pygraphviz
import pytest

from tb_scopegraph.drawing import proportions
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.render import PRESETS
from tb_scopegraph.model import views as model_views
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.service import views

W, H = model_views.WINDOW_WIDTH, model_views.WINDOW_HEIGHT
#: Boxes of two label lines (name, op count), as dot sizes them: 80 x 31 points.
BOX = proportions.box_size(["conv2_block1", "542 ops"], 10, False)


def _chain(n: int) -> tuple[list, list]:
    return [BOX] * n, [(i, i + 1) for i in range(n - 1)]


def _drawn_scale(dot: str) -> float:
    """The scale (px per point) at which the tab shows ``dot`` laid out by Graphviz, whole
    in the 1,400 x 900 window's drawing area."""
    graph = pygraphviz.AGraph(string=dot)
    graph.graph_attr.update(dict(PRESETS[0].graph_attrs))
    graph.layout(prog="dot")
    _, _, w, h = map(float, graph.graph_attr["bb"].split(","))
    return proportions.scale((w, h), W, H)


def test_a_column_that_fits_keeps_its_ranks_apart():
    sizes, edges = _chain(6)
    found = proportions.choose(sizes, edges, 0, W, H)
    assert (found.direction, found.ranksep) == ("TB", proportions.RANKSEP_IN["TB"])
    assert found.scale == proportions.NATURAL_SCALE


def test_a_column_too_long_for_the_window_draws_its_ranks_closer_not_its_labels_smaller():
    sizes, edges = _chain(14)
    rank = proportions.ranks(len(sizes), edges)
    roomy = proportions.scale(proportions.extent(sizes, rank, 1, False), W, H)
    found = proportions.fitted(sizes, rank, 1, False, W, H)
    assert roomy < 1.0  # labels of 10 pt under 10 px at the usual spacing
    assert proportions.RANKSEP_MIN_IN["TB"] <= found.ranksep < proportions.RANKSEP_IN["TB"]
    assert found.scale > roomy * 1.1
    # As far apart as the closest spacing's scale allows: a step wider draws labels smaller.
    wider = proportions.extent(sizes, rank, 1, False, ranksep=found.ranksep + 0.05)
    if found.ranksep + 0.05 <= proportions.RANKSEP_IN["TB"]:
        assert proportions.scale(wider, W, H) < found.scale
    # Far too long for any spacing: the closest, and labels as large as that allows.
    sizes, edges = _chain(40)
    rank = proportions.ranks(len(sizes), edges)
    found = proportions.fitted(sizes, rank, 1, False, W, H)
    assert found.ranksep == proportions.RANKSEP_MIN_IN["TB"]


@pytest.mark.parametrize("labelled", [False, True])
def test_left_to_right_ranks_keep_room_for_the_labels_between_them(labelled):
    # A wide short area: the chain runs left to right, too long for the area's width.
    sizes, edges = _chain(30)
    found = proportions.choose(sizes, edges, 0, 2400, 400, labelled=labelled)
    assert found.direction == "LR"
    if labelled:
        assert found.ranksep == proportions.RANKSEP_IN["LR"]
    else:
        assert found.ranksep < proportions.RANKSEP_IN["LR"]


def test_a_chain_too_long_for_a_column_runs_along_the_window():
    # Twelve boxes one to a rank in three frames (a model's scope holding two series, one
    # after the other), two of which nest: top-down
    # a thin column too long to be shown at natural size; left to right a row across the
    # window, its labels still over 11 px.
    small = proportions.box_size(["mixed3", "95 ops"], 10, False)
    sizes, edges = [small] * 12, [(i, i + 1) for i in range(11)]
    found = proportions.choose(sizes, edges, 2, W, H, labelled=False, frames=3)
    down = proportions.fitted(sizes, proportions.ranks(12, edges), 3, False, W, H)
    assert down.scale < proportions.NATURAL_SCALE
    assert found.direction == "LR" and found.scale >= proportions.CHAIN_SCALE
    # Not where the row would read smaller (edges labelled: ranks further apart), nor a
    # view that is not a chain (a rank of two boxes).
    assert proportions.choose(sizes, edges, 2, W, H, labelled=True, frames=3).direction == "TB"
    forked = [*edges, (2, 12)]
    chosen = proportions.choose([*sizes, small], forked, 2, W, H, labelled=False, frames=3)
    assert chosen.direction == "TB"
    # A column shown at natural size stays one.
    sizes, edges = _chain(9)
    assert proportions.fitted(sizes, proportions.ranks(9, edges), 1, False, W, H).scale == (
        proportions.NATURAL_SCALE
    )
    assert proportions.choose(sizes, edges, 1, W, H, labelled=False).direction == "TB"


def _open_the_model(hierarchy: Hierarchy):
    """The view with the model open: the first view, where it opens the model, else the
    view a click on its model box asks for (its groups and the model)."""
    first = views.asked_view(hierarchy)
    layout = hierarchy.layout(first)
    opened = [c.name for c in layout.clusters if c.label.startswith("resnet")]
    if opened:
        return first, opened[0]
    model = next(b.name for b in layout.boxes if b.label.startswith("resnet"))
    return views.asked_view(hierarchy, [*first.open, model]), model


def test_opening_the_model_in_its_training_step_keeps_labels_of_10_px(keras_training_step):
    """Opened, the model is a chain of its stages, every one of which Adam reads from (as
    in ResNet50's training step): with the step counter set apart it fits the window as a
    column with labels of more than 10 px; in a shorter window, laid in rows (`chains`)."""
    hierarchy = Hierarchy(keras_training_step)
    clicked, model = _open_the_model(hierarchy)
    stages = {b.label for b in hierarchy.layout(clicked).boxes if b.cluster == model}
    assert {"conv1", "conv2", "conv3", "conv4", "conv5"} <= stages  # stages, not layers
    dot = to_dot(hierarchy, clicked)
    assert re.search(r"rankdir=TB", dot)
    assert _drawn_scale(dot) * model_views.LABEL_PT >= 10
    assert 'rank=same; "scope-resnet_1' not in dot  # a column
    shorter = to_dot(hierarchy, clicked, height=700)
    assert re.search(r'rank=same; "scope-resnet_1\.2Fconv2"; "scope-resnet_1\.2Fconv3"', shorter)
    assert _drawn_scale(shorter) * model_views.LABEL_PT >= 10


def test_a_box_pinned_beside_another_is_estimated_on_its_rank_not_above_it():
    # A layer's variable b, its initialiser Const pinned beside it (`auxiliary.Aside.pinned`),
    # b feeding the add: dot draws b a rank above the add, beside MatMul, and Const beside
    # b. Ranked by the edge Const -> b, Const would stand a rank above b, beside W.
    w, matmul, add, relu, b, const = range(6)
    sizes = [BOX] * 6
    edges = [(w, matmul), (matmul, add), (add, relu), (b, add), (const, b)]
    pinned = [(const, b)]
    rank = proportions.ranks(6, edges, pinned)
    assert rank[b] == rank[const] == rank[matmul] == rank[add] - 1
    assert proportions.ranks(6, edges)[const] == rank[w]
    # The widest rank holds three boxes, as dot draws it.
    found = proportions.choose(sizes, edges, 0, W, H, pinned=pinned)
    assert found.size[0] == pytest.approx(3 * BOX[0] + 2 * proportions.NODESEP)
    # A chain whose boxes each have a constant pinned beside them is still a chain.
    sizes, edges = _chain(10)
    pins = [(10 + i, i) for i in range(10)]
    sizes += [BOX] * 10
    edges += pins
    assert not proportions.is_chain(sizes, proportions.ranks(20, edges, pins))
    assert proportions.is_chain(sizes, proportions.ranks(20, edges, pins), [a for a, _ in pins])
