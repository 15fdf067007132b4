"""Chains of sibling boxes and open frames laid in rows that read in order, drawn by
Graphviz from real views and measured in the SVG."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphs import graph_from_nodes

from tb_scopegraph.drawing import chains, proportions
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.drawing.render import render
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.summaries import HISTOGRAM
from tb_scopegraph.service import views

SVG = "{http://www.w3.org/2000/svg}"
DEMO = Path(__file__).resolve().parent.parent / "demo" / "make_demo_logdir.py"
W, H = 1128, 818
#: Named by letters: numbered siblings would fold into one series box.
LETTERS = "abcdefghijklmnop"


def blocks_in_a_model(n: int = 10):
    """``x`` into a chain of ``n`` blocks (two ops each) inside the scope ``model``, then
    ``y``; ``x`` also feeds ``side`` beside the model, so that the view is no chain."""
    nodes = [("x", "Placeholder", (), {"_output_shapes": [[2, 8]]})]
    last = "x"
    for i in range(n):
        block = f"model/block_{LETTERS[i]}"
        nodes.append((f"{block}/conv", "Conv2D", (last,), {"_output_shapes": [[2, 8]]}))
        nodes.append((f"{block}/relu", "Relu", (f"{block}/conv",), {"_output_shapes": [[2, 8]]}))
        last = f"{block}/relu"
    nodes.append(("y", "Identity", (last,), {"_output_shapes": [[2, 8]]}))
    nodes.append(("side", "Identity", ("x",), {"_output_shapes": [[2, 8]]}))
    return graph_from_nodes(nodes)


def _boxes(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Each node's and frame's (left, top, right, bottom) in the SVG, by element id."""
    found = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        numbers = []
        for shape in g.iter():
            if shape.tag in (SVG + "polygon", SVG + "path"):
                text = shape.get("points") or shape.get("d") or ""
                numbers += [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
            elif shape.tag == SVG + "ellipse":
                cx, cy = float(shape.get("cx")), float(shape.get("cy"))
                rx, ry = float(shape.get("rx")), float(shape.get("ry"))
                numbers += [cx - rx, cy - ry, cx + rx, cy + ry]
        if numbers and g.get("id"):
            xs, ys = numbers[0::2], numbers[1::2]
            found[g.get("id")] = (min(xs), min(ys), max(xs), max(ys))
    return found


def _rows(boxes: list[tuple[float, float, float, float]]) -> list[list[int]]:
    """The boxes (by index, in the order given) grouped into rows as a reader meets them:
    a box whose top is below the bottom of the one before starts a new row."""
    rows = [[0]]
    for i in range(1, len(boxes)):
        if boxes[i][1] >= boxes[i - 1][3]:
            rows.append([i])
        else:
            rows[-1].append(i)
    return rows


def _reads_in_order(boxes: list[tuple[float, float, float, float]]) -> list[list[int]]:
    """Assert the boxes read in their order (each row left to right, rows top-down);
    their rows."""
    rows = _rows(boxes)
    for row in rows:
        for a, b in zip(row, row[1:], strict=False):
            assert boxes[b][0] >= boxes[a][2], (a, b, boxes[a], boxes[b])
    for above, below in zip(rows, rows[1:], strict=False):
        assert min(boxes[i][1] for i in below) >= max(boxes[i][3] for i in above)
    return rows


def test_a_chain_of_ten_blocks_in_an_open_group_is_laid_in_rows_in_order():
    h = Hierarchy(blocks_in_a_model())
    dot = to_dot(h, h.view(open=["model"]), width=W, height=H)
    assert "rankdir=TB" in dot
    boxes = _boxes(render(dot))
    blocks = [boxes[element_id("scope", f"model/block_{LETTERS[i]}")] for i in range(10)]
    rows = _reads_in_order(blocks)
    assert 2 <= len(rows) <= 5 and all(len(row) >= 2 for row in rows), rows
    # Without rows, the same chain is one column: no more rows than blocks.
    drawn = to_dot(h, h.view(open=["model"]), width=W, height=2000)
    column = _boxes(render(drawn))
    blocks = [column[element_id("scope", f"model/block_{LETTERS[i]}")] for i in range(10)]
    assert len(_reads_in_order(blocks)) == 10


#: Summaries' badges as the demo's layers have them: a title and two boxes a line taller.
BADGES = {
    (kind, f"layer{i}{name}"): {HISTOGRAM: n}
    for i in (1, 2, 3)
    for kind, name, n in (("group", "", 2), ("op", "/W", 1), ("op", "/b", 1))
}


@pytest.mark.parametrize("badges", [None, BADGES])
def test_three_open_layers_read_forward_left_to_right(training_graph, badges):
    # Written by TensorFlow, as the demo's: without rails, dot put layer2 left of layer1.
    h = Hierarchy(training_graph)
    view = h.view(open=["layer1", "layer2", "layer3"])
    dot = to_dot(h, view, badges=badges, width=W, height=H)
    boxes = _boxes(render(dot))
    frames = [boxes["cluster-" + element_id("scope", f"layer{i}")] for i in (1, 2, 3)]
    rows = _reads_in_order(frames)
    assert rows[0][:2] == [0, 1]  # layer1, then layer2 to its right


def test_a_wide_window_lays_the_layers_in_one_row_a_narrow_one_in_a_column(training_graph):
    h = Hierarchy(training_graph)
    view = h.view(open=["layer1", "layer2", "layer3"])
    for width, height, rows in ((3000, 450, 1), (500, 3000, 3)):
        boxes = _boxes(render(to_dot(h, view, width=width, height=height)))
        frames = [boxes["cluster-" + element_id("scope", f"layer{i}")] for i in (1, 2, 3)]
        assert len(_reads_in_order(frames)) == rows, (width, height)


def test_only_chains_of_siblings_each_fed_by_the_one_before_alone():
    h = Hierarchy(blocks_in_a_model())
    layout = h.layout(h.view(open=["model"]))
    drawn = set(range(len(layout.edges)))
    (found,) = chains.find(layout, drawn)
    assert found.parent == "model" and len(found.items) == 10
    assert [layout.boxes[item.top].name for item in found.items] == [
        f"model/block_{LETTERS[i]}" for i in range(10)
    ]
    # A chain of seven boxes is left to dot; at the top level, to `proportions.choose`.
    h = Hierarchy(blocks_in_a_model(7))
    layout = h.layout(h.view(open=["model"]))
    assert chains.find(layout, set(range(len(layout.edges)))) == []


def test_the_stages_of_a_model_in_its_training_step_read_in_order(keras_training_step):
    # Boxes joined by flat edges in one frame: dot's second crossing reduction put conv1
    # right of the pool it feeds (`chains.GRAPH_ATTRIBUTES`).
    h = Hierarchy(keras_training_step)
    first = views.asked_view(h)
    dot = to_dot(h, views.asked_view(h, [*first.open, "resnet_1"]), width=W, height=H)
    boxes = _boxes(render(dot))
    stages = [
        boxes[element_id("scope", "resnet_1/conv1")],
        boxes[element_id("op", "resnet_1/pool1_pool_1/Relu")],
        *(
            boxes[element_id("scope", f"resnet_1/{name}")]
            for name in ("conv2", "conv3", "conv4", "conv5", "avg_pool_1", "predictions_1")
        ),
    ]
    assert len(_reads_in_order(stages)) >= 2


#: Points: `cross_entropy`'s frame holds its title and three ranks (140; 689 when its column
#: stands on the drawing's first rank).
FRAME_HEIGHT = 250


def test_an_open_frames_auxiliary_column_stands_on_its_first_rank(training_graph):
    # `cross_entropy/Const` is a stub (no edge ranks it): left to dot, it went to the
    # drawing's first rank and `cross_entropy`'s frame reached up to it, eight ranks tall.
    h = Hierarchy(training_graph)
    view = h.view(open=["layer1", "layer2", "layer3", "cross_entropy"])
    dot = to_dot(h, view, width=W, height=H)
    const = element_id("op", "cross_entropy/Const")
    assert re.search(rf'rank=same; "[^"]+"; "{re.escape(const)}"', dot)
    boxes = _boxes(render(dot))
    frame = boxes["cluster-" + element_id("scope", "cross_entropy")]
    inside = [
        box
        for key, box in boxes.items()
        if key.startswith(("op-cross_entropy", "scope-cross_entropy"))
    ]
    middle = [(box[1] + box[3]) / 2 for box in inside]
    assert (boxes[const][1] + boxes[const][3]) / 2 <= min(middle) + 1  # the first rank
    assert frame[3] - frame[1] < FRAME_HEIGHT


def test_the_demos_layers_at_depth_2_with_their_badges_read_at_10_px():
    # demo/make_demo_logdir.py's ffn_scoped at depth 2: each layer's initialisers pinned
    # beside their variables (on their rank, not above them) keep the estimate as long as
    # the drawing, whose ranks are then drawn closer: labels of 10 points at 10 px or more
    # (ranked without the pins, 9.4 px).
    spec = importlib.util.spec_from_file_location("make_demo_logdir", DEMO)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    graph, _ = demo.ffn_graph(scoped=True)
    h = Hierarchy(graph.as_graph_def())
    view = h.view(open=["layer1", "layer2", "layer3"])
    held = {
        ("op", f"layer{i}/{name}"): {HISTOGRAM: 1}
        for i in (1, 2, 3)
        for name in ("W", "b", "weights", "biases")
    }
    badges = {**BADGES, **held}
    svg = render(to_dot(h, view, badges=badges, width=W, height=H))
    w, h = map(float, re.search(rb'viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert proportions.scale((w, h), W, H) * 10 >= 10
