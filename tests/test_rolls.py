"""Rolled series: identical blocks drawn once with their count, a loop-back edge, any one
member opened on its own; blocks that differ stay a series."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from graphs import blocks_graph, graph_from_nodes, series_graph
from harness import svg_ids
from tf_graphs import resnet_graph

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.render import render
from tb_scopegraph.model import rolls
from tb_scopegraph.model.diff import GraphDiff
from tb_scopegraph.model.hierarchy import SERIES, Hierarchy

SVG = "{http://www.w3.org/2000/svg}"
#: Six residual blocks alike (widths differ: a signature leaves shapes out).
SAME_BLOCKS = ((8, False), (16, False), (4, False), (32, False), (8, False), (8, False))
#: The same, but block3's add reads its first Relu instead of the block's input.
ONE_REWIRED = ((8, False), (16, False), (4, True), (32, False), (8, False), (8, False))


@pytest.fixture(scope="module")
def resnet_same() -> Hierarchy:
    return Hierarchy(resnet_graph(SAME_BLOCKS))


def loop_edges(layout):
    return [e for e in layout.edges if e.loop]


def test_default_view_of_identical_tf_blocks_is_one_rolled_group(resnet_same):
    h = resnet_same
    view = h.default_view()
    assert "block[1-6]" in view.open
    layout = h.layout(view)
    series = [c for c in layout.clusters if c.kind == SERIES]
    assert [(c.name, c.rolled) for c in series] == [("block[1-6]", 6)]
    # One block is drawn, the first, standing for all six; no other block shows.
    shown = {b.name.split("/")[0] for b in layout.boxes if b.name.startswith("block")}
    shown |= {c.name.split("/")[0] for c in layout.clusters if c.kind != SERIES}
    assert shown == {"block1"}
    # From each block to the next: one loop-back edge, five hand-offs.
    loops = loop_edges(layout)
    assert loops and all(e.loop == 5 for e in loops)
    text = to_dot(h, view)
    # Said once: the series' title counts the blocks, the block is "drawn for all 6", and the
    # loop-back edge carries no "×5" saying it again in another number.
    assert "block[1-6] ×6" in text and "drawn for all 6" in text and "×5" not in text


def test_rolled_view_draws_a_loop_back_edge_in_the_svg(resnet_same):
    svg = render(to_dot(resnet_same, resnet_same.default_view()))
    root = ET.fromstring(svg)
    loops = [g for g in root.iter(f"{SVG}g") if "loop" in g.get("class", "").split()]
    assert loops
    # Its words say it runs to the next block, of the series' six: no recurrence.
    words = {t.text for g in loops for t in g.iter(f"{SVG}text")}
    assert words == {"to the", "next of 6"}
    assert b"loops back: from each block to the next, 5 times" in svg  # its tooltip: how often
    assert "cluster-series-block.5B1-6.5D" in svg_ids(svg, "rolled")


def test_a_rolled_block_opened_says_its_loop_back_once(resnet_same):
    # Opened, the block's last op loops back to the next block's first op and to its add
    # (the shortcut): two teal edges from one box, one "to the next of 6".
    h = resnet_same
    view = h.view(open=["block[1-6]", "block1"])
    loops = [e for e in h.layout(view).edges if e.loop]
    assert len(loops) >= 2 and len({e.src for e in loops}) == 1
    text = to_dot(h, view)
    assert text.count('class="data loop"') == len(loops)
    assert text.count('label="to the\\nnext of 6"') == 1


def test_opening_one_member_shows_it_in_place_of_the_first(resnet_same):
    h = resnet_same
    view = h.view(open=["block[1-6]", "block4"])
    assert view.open == {"block[1-6]", "block4"}
    layout = h.layout(view)
    names = {b.name for b in layout.boxes}
    assert {"block4/Conv2D", "block4/Relu_1"} <= names
    assert not any(n.startswith(("block1/", "block2/", "block5/")) for n in names)
    assert [c.name for c in layout.clusters if c.rolled] == ["block[1-6]", "block4"]
    assert h.rolled(view) == {"block[1-6]": "block4"}
    assert h.rolled(h.view(open=["block[1-6]"])) == {"block[1-6]": "block1"}
    assert h.rolled(h.view(open=["block[1-6]"], unroll=["block[1-6]"])) == {}
    # The input enters block4's convolution (as it enters every block's), and block4's output
    # loops back into it.
    by_name = {b.name: i for i, b in enumerate(layout.boxes)}
    into_conv = [e for e in layout.edges if e.dst == by_name["block4/Conv2D"]]
    assert any(e.loop == 5 for e in into_conv)
    assert any(layout.boxes[e.src].name == "x" for e in into_conv)
    assert view.boxes == len(layout.boxes)


def test_a_closed_member_loops_back_on_itself_and_a_closed_series_says_its_count(resnet_same):
    h = resnet_same
    layout = h.layout(h.view(open=["block[1-6]"]))
    blocks = [b for b in layout.boxes if b.name.startswith("block")]
    assert [(b.name, b.rolled) for b in blocks] == [("block1", 6)]
    (loop,) = loop_edges(layout)
    assert loop.src == loop.dst == layout.boxes.index(blocks[0]) and loop.loop == 5
    closed = h.layout(h.view())
    assert [(b.name, b.rolled) for b in closed.boxes if b.kind == SERIES] == [("block[1-6]", 6)]
    assert "block[1-6] ×6" in to_dot(h, h.view())


def test_blocks_that_differ_stay_a_series():
    h = Hierarchy(resnet_graph(ONE_REWIRED))
    assert not rolls.of(h.graph).rollable(h.graph.group_id("block[1-6]"))
    layout = h.layout(h.view(open=["block[1-6]"]))
    assert {b.name for b in layout.boxes} >= {f"block{i}" for i in range(1, 7)}
    assert not loop_edges(layout) and not any(b.rolled for b in layout.boxes)
    assert "×" not in to_dot(h, h.default_view())
    # The same with blocks built as protos: one rewired block of eight keeps all eight.
    h = Hierarchy(blocks_graph(8, rewired=[3]))
    assert {f"block_{i}" for i in range(8)} <= {b.name for b in h.layout(h.default_view()).boxes}


def test_unrolled_on_request_or_when_two_members_are_open(resnet_same):
    h = resnet_same
    for view in (
        h.view(open=["block[1-6]"], unroll=["block[1-6]"]),
        h.view(open=["block[1-6]"], roll=False),
        h.view(open=["block[1-6]", "block2", "block5"]),
    ):
        layout = h.layout(view)
        assert {f"block{i}" for i in (1, 3, 4, 6)} <= {b.name for b in layout.boxes}
        assert not loop_edges(layout)
    view = h.view(open=["block[1-6]", "block2", "block5"])
    assert {"block2", "block5"} <= view.open


def test_default_view_of_96_identical_blocks_is_small_and_rolled():
    h = Hierarchy(blocks_graph(96))
    view = h.default_view()
    assert view.open == {"block_[0-95]", "block_0"}
    layout = h.layout(view)
    assert len(layout.boxes) == view.boxes == 9  # input, stem, output, the six ops of one block
    assert [(c.name, c.rolled) for c in layout.clusters] == [("block_[0-95]", 96), ("block_0", 96)]
    by_name = {b.name: i for i, b in enumerate(layout.boxes)}
    # The residual: each block's add reads the one before, so the add loops back on itself.
    loops = {(layout.boxes[e.src].name, layout.boxes[e.dst].name): e for e in loop_edges(layout)}
    assert set(loops) == {("block_0/add", "block_0/MatMul"), ("block_0/add", "block_0/add")}
    assert all(e.loop == 95 and e.count == 95 for e in loops.values())
    # Inside the block, one edge per tensor drawn, each counting its 96 copies.
    inner = [e for e in layout.edges if e.src == by_name["block_0/MatMul"]]
    assert [(e.count, e.tensor_count) for e in inner] == [(96, 1)]
    text = to_dot(h, view)
    assert "block_[0-95] ×96" in text and "drawn for all 96" in text
    assert "×95" not in text and "from each block to the next, 95 times" in text


def test_nested_identical_blocks_roll_inside_the_shown_block():
    h = Hierarchy(blocks_graph(6, heads=6))
    view = h.view(open=["block_[0-5]", "block_2", "block_2/head_[0-5]", "block_2/head_4"])
    layout = h.layout(view)
    assert [(c.name, c.rolled) for c in layout.clusters] == [
        ("block_[0-5]", 6),
        ("block_2", 6),
        ("block_2/head_[0-5]", 6),
        ("block_2/head_4", 6),
    ]
    names = {b.name for b in layout.boxes}
    assert "block_2/head_4/MatMul" in names and not any("head_0" in n for n in names)
    by_name = {b.name: i for i, b in enumerate(layout.boxes)}
    # All 36 head MatMuls feed concat, drawn as one edge from the one head shown.
    (edge,) = [e for e in layout.edges if e.dst == by_name["block_2/concat"]]
    assert edge.src == by_name["block_2/head_4/MatMul"] and edge.count == 36
    assert view.boxes == len(layout.boxes)


def test_depth_opens_the_shown_member_only():
    h = Hierarchy(blocks_graph(12))
    view = h.view(depth=5)
    assert view.open == {"block_[0-11]", "block_0"}
    assert view.boxes == len(h.layout(view).boxes)


def test_cards_and_search_name_every_member(resnet_same):
    h = resnet_same
    card = h.details("block[1-6]")
    assert card["rolled"] == {
        "series": "block[1-6]",
        "blocks": 6,
        "members": [f"block{i}" for i in range(1, 7)],
    }
    assert h.details("block5")["rolled"] == {
        "series": "block[1-6]",
        "blocks": 6,
        "member": "block5",
    }
    hits = {hit["name"] for hit in h.search("Conv2D_1", limit=100)}
    assert {f"block{i}/Conv2D_1" for i in range(1, 7)} <= hits
    # A hit in a block not shown is revealed by opening its block: that block is then shown.
    view = h.view(open=h.reveal("block5/Conv2D_1"))
    assert "block5/Conv2D_1" in {b.name for b in h.layout(view).boxes}


def test_a_series_of_ops_or_of_unequal_blocks_is_never_rolled():
    h = Hierarchy(series_graph(12, scoped=False))
    model = h.graph
    series = [g for g in model.order if model.groups[g].kind == SERIES]
    assert series and not any(rolls.of(model).rollable(g) for g in series)


def test_diffs_never_roll(resnet_same):
    graph = resnet_graph(SAME_BLOCKS)
    diff = GraphDiff(graph, graph)
    assert not diff.view(open=["block[1-6]"]).roll
    assert not loop_edges(diff.hierarchy.layout(diff.view(open=["block[1-6]"])))


def renumbered(graph, shuffled: bool = False):
    """``graph`` with the ops of block_i (i > 0) named as Keras numbers a model's layers:
    ``block_3/MatMul`` becomes ``block_3/MatMul_3``, so blocks no longer share names;
    ``shuffled``, its nodes in another order too, so blocks no longer line up op for op."""
    import random
    import re

    from tensorboard.compat.proto import graph_pb2, node_def_pb2

    def rename(name: str) -> str:
        found = re.match(r"^(block_(\d+)/(?:.*/)?)([^/]+)$", name)
        if not found or found.group(2) == "0":
            return name
        return f"{found.group(1)}{found.group(3)}_{found.group(2)}"

    out = graph_pb2.GraphDef()
    out.CopyFrom(graph)
    for node in out.node:
        node.name = rename(node.name)
        node.input[:] = [
            ("^" if i.startswith("^") else "") + rename(i.lstrip("^")) for i in node.input
        ]
    if shuffled:
        nodes = [node_def_pb2.NodeDef() for _ in out.node]
        for copy, node in zip(nodes, out.node, strict=True):
            copy.CopyFrom(node)
        random.Random(5).shuffle(nodes)
        del out.node[:]
        out.node.extend(nodes)
    return out


def drawn(h, view):
    """What a view draws, names aside: box labels (blocks' numbers dropped) and edges."""
    import re

    layout = h.layout(view)

    def label(i):
        return re.sub(r"_\d+$", "", layout.boxes[i].label)

    boxes = sorted(label(i) for i in range(len(layout.boxes)))
    edges = sorted(
        (label(e.src), label(e.dst), e.count, e.tensor_count, e.loop) for e in layout.edges
    )
    return boxes, edges


@pytest.mark.parametrize("heads", [0, 6])
@pytest.mark.parametrize("shuffled", [False, True])
def test_blocks_named_apart_roll_alike(heads, shuffled):
    graph = blocks_graph(8, heads=heads)
    by_names, by_signatures = Hierarchy(graph), Hierarchy(renumbered(graph, shuffled))
    series = by_signatures.graph.group_id("block_[0-7]")
    found = rolls.of(by_signatures.graph)
    # Lined up op for op as they were made, else told by their signatures.
    assert found.rollable(series) and (found.aligned(series) is None) == shuffled
    # The same drawing (the block shown first is the first made: shuffled, another one).
    assert drawn(by_names, by_names.default_view()) == drawn(
        by_signatures, by_signatures.default_view()
    )
    for open_ in (
        ["block_[0-7]"],
        ["block_[0-7]", "block_0"],
        ["block_[0-7]", "block_5"] + (["block_5/head_[0-5]", "block_5/head_2"] if heads else []),
    ):
        view = by_names.view(open=open_)
        assert drawn(by_names, view) == drawn(by_signatures, by_signatures.view(open=open_))
    assert any(e.loop == 7 for e in by_signatures.layout(by_signatures.view(open=open_)).edges)


def test_default_view_opens_no_member_but_the_shown_one():
    # Each block holds one group (a series of units): opening a block adds no box, so the
    # default view would open all forty if it saw them; it sees the shown one only.
    nodes = [("input", "Placeholder", (), {"dtype": "float32"})]
    previous = "input"
    for b in range(40):
        for u in range(6):
            name = f"block_{b}/unit_{u}/Relu"
            nodes.append((name, "Relu", (previous,)))
            previous = name
    nodes.append(("output", "Identity", (previous,)))
    h = Hierarchy(graph_from_nodes(nodes))
    view = h.default_view()
    assert view.open == {
        "block_[0-39]",
        "block_0",
        "block_0/unit_[0-5]",
        "block_0/unit_0",
    }
    layout = h.layout(view)
    assert [c.rolled for c in layout.clusters] == [40, 40, 6, 6]
    assert view.boxes == len(layout.boxes) == 3
    assert sorted(e.loop for e in layout.edges) == [0, 0, 39 * 6 + 5]


def test_signatures_of_a_series_part_are_those_of_the_whole_graph():
    from tb_scopegraph.model import structure

    h = Hierarchy(renumbered(blocks_graph(8, heads=6), shuffled=True))
    model = h.graph
    series = model.group_id("block_[0-7]")
    found = rolls.of(model)
    assert found.rollable(series) and found.aligned(series) is None
    whole = structure.structures(h).signatures
    below = [g for g in model.order if model.groups[g].key.startswith("block_")]
    assert [found.signature(g) for g in below] == [whole[g] for g in below]


def test_searching_a_block_by_name_reveals_it_drawn_for_all():
    h = Hierarchy(blocks_graph(12))
    hits = {hit["name"]: hit for hit in h.search("block_7", limit=100)}
    # The block itself: its series and the block opened, so it is the one drawn.
    assert hits["block_7"]["reveal"] == ["block_[0-11]", "block_7"]
    view = h.view(open=hits["block_7"]["reveal"])
    assert h.rolled(view) == {"block_[0-11]": "block_7"}
    assert "block_7/MatMul" in {b.name for b in h.layout(view).boxes}
    # An op inside it opens its block as well.
    assert hits["block_7/MatMul"]["reveal"] == ["block_[0-11]", "block_7"]
    # A block of a series that differs is a box of its own: revealed by its series alone.
    h = Hierarchy(blocks_graph(8, rewired=[3]))
    hits = {hit["name"]: hit for hit in h.search("block_5", limit=100)}
    assert hits["block_5"]["reveal"] == ["block_[0-7]"]
