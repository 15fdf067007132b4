"""Frame titles and edge labels clear of the edges: real first views laid out by Graphviz,
their SVG read back, every edge's drawn path checked against every text's box."""

from __future__ import annotations

import importlib.util
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pygraphviz
import pytest
from graphs import ffn_graph, graph_from_nodes
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.drawing import titles
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.drawing.render import render
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.reading.local import LocalGraphs
from tb_scopegraph.service.views import DEFAULT_AREA

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parent.parent


def _text_boxes(group) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each text of an SVG group with its box (x0, y0, x1, y1), 1 pt in from each side as
    the benchmark takes them: the font's advance widths, ascent 0.9 em, descent 0.25 em
    (these graphs have no summaries: no bold badge line)."""
    found = []
    for text in group.iter(SVG + "text"):
        shown = "".join(text.itertext())
        if not shown.strip():
            continue
        size = float(text.get("font-size"))
        width = titles.text_width(shown, size)
        x, y = float(text.get("x")), float(text.get("y"))
        anchor = text.get("text-anchor", "start")
        x0 = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        found.append((shown, (x0 + 1, y - 0.9 * size + 1, x0 + width - 1, y + 0.25 * size - 1)))
    return found


def _path_points(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of cubic Béziers (Graphviz's edges), 40 per curve."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    pts = list(zip(numbers[0::2], numbers[1::2], strict=True))
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1 : i + 3]
        for k in range(1, 41):
            t = k / 40
            out.append(
                tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t * t * c + t**3 * e
                    for a, b, c, e in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return out


def text_in_the_way(svg: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, edge id) for every text an edge runs through (its own label aside), and the
    pairs of texts that share over a fifth of the smaller one's box."""
    root = ET.fromstring(svg)
    texts, edges = [], []
    for group in root.iter(SVG + "g"):
        kind = group.get("class", "").split(" ")[0]
        if kind == "edge":
            points = [p for path in group.iter(SVG + "path") for p in _path_points(path.get("d"))]
            edges.append((group.get("id"), points))
        if kind in ("edge", "node", "cluster"):
            texts += [(group.get("id"), *box) for box in _text_boxes(group)]
    crossed = []
    for owner, shown, (x0, y0, x1, y1) in texts:
        for eid, points in edges:
            if eid != owner and any(x0 < x < x1 and y0 < y < y1 for x, y in points):
                crossed.append((shown, eid))
    overlapping = []
    for i, (_, a_text, a) in enumerate(texts):
        for _, b_text, b in texts[i + 1 :]:
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if w > 0 and h > 0 and w * h > 0.2 * smaller:
                overlapping.append((a_text, b_text))
    return crossed, overlapping


def _first_view_svg(hierarchy: Hierarchy) -> bytes:
    width, height = DEFAULT_AREA
    view = hierarchy.default_view(width, height)
    return render(to_dot(hierarchy, view, width=width, height=height))


@pytest.fixture(scope="module")
def torch_demo(tmp_path_factory) -> Hierarchy:
    """The demo's PyTorch run (a ModuleList of six blocks, a Sequential head), written by
    demo/make_demo_logdir.py's own function."""
    spec = importlib.util.spec_from_file_location(
        "make_demo_logdir", REPO / "demo" / "make_demo_logdir.py"
    )
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    logdir = tmp_path_factory.mktemp("torch_demo")
    assert "pytorch/torch" in demo.write_pytorch_runs(os.fspath(logdir))
    local = LocalGraphs(logdir)
    return Hierarchy(local.load(local.select(run="pytorch/torch", kind="run_graph")))


def test_the_pytorch_demos_chain_passes_beside_the_titles_of_its_nested_frames(torch_demo):
    # Linear[embed] -> Block[0] comes into ModuleList[blocks] and the rolled Block[0-5] at
    # once, and Block[0] -> Linear[0] into Sequential[head]: dot keeps each frame narrow, its
    # box at the left, under the title.
    svg = _first_view_svg(torch_demo)
    frames = re.findall(rb'class="cluster[^"]*"', svg)
    assert len(frames) >= 4  # Net, ModuleList[blocks], Block[0-5], Sequential[head]
    assert text_in_the_way(svg) == ([], [])


def blocks_in_a_model(blocks: int = 6):
    """synthetic_100k in small: an input of [1,32,32,64] into numbered blocks (a series)
    inside one scope named shorter than the input's shape, as Keras and TF-slim name them."""
    shape = {"_output_shapes": [[1, 32, 32, 64]]}
    nodes = [("input", "Placeholder", (), shape)]
    last = "input"
    for b in range(blocks):
        for op in ("Conv2D", "Relu"):
            name = f"model/block_{b}/{op.lower()}"
            nodes.append((name, op, (last,), shape))
            last = name
    nodes.append(("Identity", "Identity", (last,), shape))
    return graph_from_nodes(nodes)


def test_a_shape_label_of_an_edge_into_a_short_titled_frame_stays_off_its_title():
    h = Hierarchy(blocks_in_a_model())
    svg = _first_view_svg(h)
    assert b">[1,32,32,64]<" in svg and b">model<" in svg
    assert text_in_the_way(svg) == ([], [])


def _subgraph(graph, name: str):
    """A subgraph of ``graph`` by name, at any depth."""
    for sub in graph.subgraphs():
        if sub.name == name:
            return sub
        found = _subgraph(sub, name)
        if found is not None:
            return found
    return None


def test_a_spacer_stands_left_of_the_box_an_edge_comes_into_on_its_rank(torch_demo):
    width, height = DEFAULT_AREA
    dot = to_dot(torch_demo, torch_demo.default_view(width, height), width=width, height=height)
    graph = pygraphviz.AGraph(string=dot)
    blocks = "Net/ModuleList[blocks]"
    block, head = (
        element_id("scope", f"{blocks}/Block[0]"),
        element_id("scope", "Net/Sequential[head]/Linear[0]"),
    )
    spacers = {n for n in graph.nodes() if n.startswith("title-spacer-")}
    assert spacers == {f"title-spacer-{block}", f"title-spacer-{head}"}
    # Block[0]'s, in the rolled Block[0-5] it stands in, wide enough for ModuleList[blocks]'s
    # title too: the edge comes into both at once.
    rolled = _subgraph(graph, "cluster_cluster-" + element_id("series", f"{blocks}/Block[0-5]"))
    spacer = graph.get_node(f"title-spacer-{block}")
    assert spacer.name in rolled.nodes()
    beside = float(spacer.attr["width"]) * 72 + titles.NODESEP
    beside += titles.box_width(["Block[0]", "drawn for all 6", "13 ops"], ellipse=False) / 2
    assert beside > titles.text_width("ModuleList[blocks]", 10) - titles.FRAME_MARGIN
    assert spacer.attr["style"] == "invis"
    assert graph.has_edge(spacer.name, block)  # flat (same rank): dot puts its tail left
    assert f'{{rank=same; "{spacer.name}"; "{block}";}}' in dot
    assert b"title-spacer" not in render(dot).replace(b"<!-- title-spacer", b"")  # not drawn


def test_no_spacer_where_the_box_coming_in_is_wider_than_the_title():
    # ffn's layers: "layer1" over "7 ops" is narrower than half a box and the space beside it.
    h = Hierarchy(ffn_graph())
    dot = to_dot(h, h.view(open=["layer1"]))
    assert "title-spacer" not in dot


def test_a_tensor_fed_to_two_boxes_is_labelled_once():
    shape = {"_output_shapes": [[None, 10]]}
    h = Hierarchy(
        graph_from_nodes(
            [
                ("x", "Placeholder", (), {"_output_shapes": [[None, 784]]}),
                ("logits/MatMul", "MatMul", ("x", "x"), shape),
                ("logits/add", "AddV2", ("logits/MatMul", "logits/MatMul"), shape),
                ("loss/Softmax", "Softmax", ("logits/add",), shape),
                ("accuracy/ArgMax", "ArgMax", ("logits/add",), shape),
            ]
        )
    )
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(depth=0)))
    out = [e for e in graph.edges() if "logits/add:0" in e.attr["tooltip"]]
    assert len(out) == 2
    assert sorted(e.attr.get("xlabel", "") for e in out) == ["", "[?,10]"]


def test_an_edge_from_a_frame_beside_gets_room_for_the_whole_title():
    # The tail stands in a frame of its own beside the head's: it cannot be drawn right above
    # the head, and its edge slants in across the title band left of the head's middle.
    title = "a_rather_long_scope_title"
    nodes = [
        ("x", "Placeholder"),
        ("inputs/a", "Relu", ("x",)),
        ("inputs/b", "Relu", ("inputs/a",)),
        (f"{title}/c", "Relu", ("inputs/b",)),
        (f"{title}/d", "Relu", (f"{title}/c",)),
    ]
    h = Hierarchy(graph_from_nodes(nodes))
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(open=["inputs", title])))
    head = element_id("op", f"{title}/c")
    spacer = graph.get_node(f"title-spacer-{head}")
    whole = titles.title_width([title, "2 ops"]) - titles.NODESEP
    assert float(spacer.attr["width"]) * 72 == pytest.approx(whole, abs=0.1)
    # From the top level, around the frame, the tail stands above: half the head is room.
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(open=[title])))
    spacer = graph.get_node(f"title-spacer-{head}")
    half = titles.box_width(["c", "Relu"], ellipse=True) / 2
    assert float(spacer.attr["width"]) * 72 == pytest.approx(whole - half, abs=0.1)


def test_a_control_edge_into_a_frame_past_its_title_pulls_its_head_under_its_tail():
    title = "a_rather_long_scope_title"
    nodes = [
        ("x", "Placeholder"),
        ("y", "Relu", ("x",)),
        (f"{title}/c", "Relu", ("x", "^y")),
        (f"{title}/d", "Relu", (f"{title}/c", "^x")),
    ]
    h = Hierarchy(graph_from_nodes(nodes))
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(open=[title])))
    into = graph.get_edge(element_id("op", "y"), element_id("op", f"{title}/c"))
    below = graph.get_edge(element_id("op", "x"), element_id("op", f"{title}/d"))
    assert into.attr["class"] == below.attr["class"] == "control"
    assert not into.attr.get("weight")  # dot's own weight: the head is drawn under its tail
    assert below.attr["weight"] == "0"  # not on the frame's first rank: weightless, as ever


def test_a_constant_dot_would_not_keep_beside_its_box_is_folded_into_it():
    # As in a Keras training step: its counter's Const -> Cast (all Cast reads), which dot,
    # pinned on Cast's rank, put across the view, its edge crossing the flow; and ``ones``
    # beside the gradient tape, which the whole model feeds. Neither pinned nor standing in
    # the column with a stub ("← ones"): folded into the box it feeds, as TensorBoard embeds
    # a constant in the node reading it.
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    for i in range(1, 5):
        graph.node.add(name=f"h{i}", op="Relu", input=["x"])
    graph.node.add(name="ones", op="Const")
    graph.node.add(name="tape", op="AddN", input=["h1", "h2", "h3", "h4", "ones"])
    graph.node.add(name="Const", op="Const")
    graph.node.add(name="Cast", op="Cast", input=["Const"])
    graph.node.add(name="Add", op="Add", input=["Cast", "tape"])
    h = Hierarchy(graph)
    width, height = DEFAULT_AREA
    dot = to_dot(h, h.default_view(width, height), width=width, height=height)
    drawn = pygraphviz.AGraph(string=dot)
    for const, box in (("Const", "Cast"), ("ones", "tape")):
        const, box = element_id("op", const), element_id("op", box)
        assert const not in drawn.nodes()
        assert f'"{const}";}}' not in dot  # on no box's rank
        assert "\u2190" not in drawn.get_node(box).attr["label"]


def _frames(svg: bytes) -> list[tuple[tuple[float, ...], float]]:
    """Each frame's box (x0, y0, x1, y1) and where its title band ends (the bottom of its
    title's last line)."""
    found = []
    for group in ET.fromstring(svg).iter(SVG + "g"):
        if group.get("class", "").split(" ")[0] != "cluster":
            continue
        drawn = [*group.iter(SVG + "path"), *group.iter(SVG + "polygon")][0]
        outline = drawn.get("d") or drawn.get("points")
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", outline)]
        xs, ys = numbers[0::2], numbers[1::2]
        band = max(box[3] for _, box in _text_boxes(group))
        found.append(((min(xs), min(ys), max(xs), max(ys)), band))
    return found


def _edge_labels(svg: bytes) -> list[tuple[str, tuple[float, ...]]]:
    return [
        found
        for group in ET.fromstring(svg).iter(SVG + "g")
        if group.get("class", "").split(" ")[0] == "edge"
        for found in _text_boxes(group)
    ]


def test_shape_labels_of_edges_across_frame_borders_stand_clear_of_borders_and_titles(
    torch_demo,
):
    # x -> Linear[embed] comes into Net past its title, Linear[embed] -> Block[0] into
    # ModuleList[blocks] past its, Linear[2] -> output out of Net across its bottom border:
    # their labels are ranked, each in a gap between two ranks.
    svg = _first_view_svg(torch_demo)
    found = dict(_edge_labels(svg))
    assert {"[2,16]", "[2,32]", "[2,3]"} <= set(found)
    for text, (x0, y0, x1, y1) in found.items():
        for (fx0, fy0, fx1, fy1), band in _frames(svg):
            overlaps = x0 < fx1 and fx0 < x1 and y0 < fy1 and fy0 < y1
            inside = fx0 <= x0 and x1 <= fx1 and fy0 <= y0 and y1 <= fy1
            assert inside or not overlaps, (text, "on a frame's border")
            assert not (inside and y0 < band), (text, "in a frame's title band")


def test_without_room_to_rank_them_labels_across_borders_stand_at_the_outer_end(torch_demo):
    # In a short window the drawing's length sets its scale: ranked labels would shrink it.
    # x -> Linear[embed] says its shape beside x, Linear[2] -> output beside output: in the
    # gaps outside Net, clear of its title and borders.
    width, height = DEFAULT_AREA
    view = torch_demo.default_view(width, height)
    dot = to_dot(torch_demo, view, width=width, height=650)
    assert 'taillabel="[2,16]"' in dot and 'headlabel="[2,3]"' in dot
    assert 'label="[2,16]"' not in dot.replace("taillabel", "")
    svg = render(dot)
    found = dict(_edge_labels(svg))
    assert {"[2,16]", "[2,3]"} <= set(found)
    for text in ("[2,16]", "[2,3]"):
        x0, y0, x1, y1 = found[text]
        for (fx0, fy0, fx1, fy1), _ in _frames(svg):
            assert not (x0 < fx1 and fx0 < x1 and y0 < fy1 and fy0 < y1), (text, "on a frame")
