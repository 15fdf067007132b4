"""Identical blocks: structural signatures of scopes, their colouring, and their details."""

from __future__ import annotations

import random
import re

import pytest
from graphs import blocks_graph, ffn_graph, graph_from_nodes
from tensorboard.compat.proto import graph_pb2
from tf_graphs import resnet_graph

from tb_scopegraph.drawing import colour, dot
from tb_scopegraph.model import structure
from tb_scopegraph.model.hierarchy import Hierarchy


@pytest.fixture(scope="module")
def resnet() -> graph_pb2.GraphDef:
    return resnet_graph()


def identical(h: Hierarchy, name: str) -> set[str]:
    """The groups the details of ``name`` call identical to it, itself included."""
    found = structure.structures(h).details(name)
    assert found["identical"] == len(found["others"]) + found["more"] + 1
    return {name, *found["others"]}


def test_details_name_the_first_identical_blocks_and_count_the_rest():
    # 30 blocks in a series: the card names 20 others in tree order, itself never, and counts
    # the 9 left.
    h = Hierarchy(blocks_graph(30, heads=2))
    found = structure.structures(h).details("block_4")
    others = [f"block_{i}" for i in range(30) if i != 4]
    assert found["identical"] == 30
    assert found["others"] == others[: structure.MAX_LISTED]
    assert found["more"] == 30 - 1 - structure.MAX_LISTED


def test_residual_blocks_of_different_widths_are_identical_and_rewired_one_is_not(resnet):
    h = Hierarchy(resnet)
    assert identical(h, "block1") == {"block1", "block2", "block4"}
    assert identical(h, "block3") == {"block3"}
    details = structure.structures(h).details("block2")
    assert details["identical"] == 3
    assert structure.structures(h).details("block3")["identical"] == 1
    # The blocks really differ in their shapes: the signature leaves them out.
    shapes = {
        n.name: n.attr["shape"].shape.dim[3].size
        for n in resnet.node
        if n.op == "VarHandleOp" and n.name.endswith("/w1")
    }
    assert shapes == {"block1/w1": 8, "block2/w1": 16, "block3/w1": 4, "block4/w1": 32}


def test_nested_blocks_are_found_too(resnet):
    h = Hierarchy(resnet)
    # Every weight's scope (its initializer, reads and assignment) is one block, in every
    # block, whichever wiring the block has.
    weights = {f"block{i}/w{j}" for i in range(1, 5) for j in (1, 2)}
    assert identical(h, "block1/w1") == weights
    initializers = {f"{w}/Initializer" for w in weights}
    assert identical(h, "block3/w2/Initializer") == initializers


def test_signatures_ignore_names_and_node_order(resnet):
    h = Hierarchy(resnet)
    shuffled = graph_pb2.GraphDef()
    shuffled.CopyFrom(resnet)
    nodes = list(shuffled.node)
    random.Random(3).shuffle(nodes)
    # Renamed: blockN becomes unit_N, and the op names inside lose their TF suffixes.
    renames = {}
    for node in nodes:
        new = re.sub(r"^block(\d)", r"unit_\1", node.name)
        renames[node.name] = new.replace("Conv2D_1", "second_conv").replace("Relu_1", "out")
    del shuffled.node[:]
    for node in nodes:
        copy = shuffled.node.add()
        copy.CopyFrom(node)
        copy.name = renames[node.name]
        del copy.input[:]
        for text in node.input:
            control = text.startswith("^")
            name = text.lstrip("^")
            copy.input.append(("^" if control else "") + renames.get(name, name))
    other = Hierarchy(shuffled)
    ours = structure.structures(h).signatures
    theirs = structure.structures(other).signatures
    for i in range(1, 5):
        assert ours[h.graph.group_id(f"block{i}")] == theirs[other.graph.group_id(f"unit_{i}")]
    assert identical(other, "unit_1") == {"unit_1", "unit_2", "unit_4"}


def test_different_op_types_or_an_extra_op_make_a_different_block():
    graph = ffn_graph(scoped=True)
    h = Hierarchy(graph)
    # layer1 and layer2 are MatMul + add + Relu; layer3 has no Relu.
    assert identical(h, "layer1") == {"layer1", "layer2"}
    assert identical(h, "layer3") == {"layer3"}


def test_structure_colouring_fills_identical_blocks_alike(resnet):
    h = Hierarchy(resnet)
    view = h.view(depth=0)
    text = dot.to_dot(h, view, colour="structure")
    fills = box_fills(text)
    plain = box_fills(dot.to_dot(h, view))
    assert fills["block1"] == fills["block2"] == fills["block4"] != plain["block1"]
    assert fills["block3"] == plain["block3"]  # a block without company keeps its own fill
    assert "identical blocks" in text and "block1 ×3" in text
    rank = structure.structures(h).block(h.graph.group_id("block1")).rank
    assert fills["block1"] == colour.structure_colour(rank)
    # The same classes give the same colours in another view of the graph.
    deeper = dot.to_dot(h, h.view(open=["block1"]), colour="structure")
    assert box_fills(deeper)["block2"] == fills["block1"]


def box_fills(text: str) -> dict[str, str]:
    """The fill of each top-level scope box in DOT text (the last fillcolor of its line)."""
    found = {}
    for line in text.splitlines():
        box = re.match(r'\s*"scope-(block\d)" \[', line)
        if box:
            found[box.group(1)] = re.findall(r'fillcolor="(#[0-9a-f]{6})"', line)[-1]
    return found


def test_input_order_and_control_edges_are_part_of_the_wiring():
    def block(scope: str, swapped: bool, control: bool):
        first, second = (f"{scope}/b", f"{scope}/a") if swapped else (f"{scope}/a", f"{scope}/b")
        return [
            (f"{scope}/a", "Relu", ("x",)),
            (f"{scope}/b", "Exp", ("x",)),
            (f"{scope}/sub", "Sub", (first, second, *([f"^{scope}/a"] if control else []))),
        ]

    graph = graph_from_nodes(
        [("x", "Placeholder")]
        + block("plain1", False, False)
        + block("plain2", False, False)
        + block("swapped", True, False)
        + block("waits", False, True)
    )
    h = Hierarchy(graph)
    assert identical(h, "plain1") == {"plain1", "plain2"}
    assert identical(h, "swapped") == {"swapped"}  # a - b is not b - a
    assert identical(h, "waits") == {"waits"}


def test_signatures_in_details_are_16_unsigned_hex_digits(resnet):
    h = Hierarchy(resnet)
    found = structure.structures(h)
    keys = [g.key for g in h.graph.groups[1:]]
    assert any(found.signatures[h.graph.group_id(k)] < 0 for k in keys)  # signed 64-bit
    for key in keys:
        text = found.details(key)["signature"]
        assert re.fullmatch(r"[0-9a-f]{16}", text), text
        assert int(text, 16) == found.signatures[h.graph.group_id(key)] % 2**64


def test_one_graphs_signatures_do_not_hold_up_another_graphs(resnet, monkeypatch):
    import threading

    slow, quick = Hierarchy(resnet), Hierarchy(ffn_graph(scoped=True))
    started, release = threading.Event(), threading.Event()
    original = structure.signatures

    def signatures(model):
        if model is slow.graph:
            started.set()
            release.wait(30)
        return original(model)

    monkeypatch.setattr(structure, "signatures", signatures)
    worker = threading.Thread(target=structure.structures, args=(slow,))
    worker.start()
    try:
        assert started.wait(30)
        done = threading.Event()
        other = threading.Thread(target=lambda: (structure.structures(quick), done.set()))
        other.start()
        # The other graph is answered while the first is still being computed.
        assert done.wait(30)
        assert not release.is_set() and worker.is_alive()
    finally:
        release.set()
        worker.join()
    assert structure.structures(slow).classes >= 1


def test_open_blocks_are_framed_in_their_class_colour():
    h = Hierarchy(ffn_graph(scoped=True))
    view = h.view(open=["layer1", "layer2", "layer3"])
    text = dot.to_dot(h, view, colour="structure")
    rank = structure.structures(h).block(h.graph.group_id("layer1")).rank
    pen = colour.structure_colour(rank)
    frames = {
        m.group(1): m.group(0)
        for m in re.finditer(r'graph \[id="cluster-scope-(layer\d)"[^\n]*', text)
    }
    for name in ("layer1", "layer2"):
        assert f'color="{pen}" penwidth=4' in frames[name]
        assert "1 of 2 identical" in frames[name]
    assert "penwidth" not in frames["layer3"] and "identical" not in frames["layer3"]
    # The legend names the class though no closed box shows it, with an id for the tab.
    assert re.search(rf'bgcolor="{pen}"[^>]* id="sg-legend-0" tooltip="layer1 ×2"', text)


def test_structure_colours_differ_clearly_from_each_other_and_from_plain_fills():
    def rgb(c: str) -> tuple[int, ...]:
        return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))

    plain = re.findall(r'fillcolor="(#[0-9a-f]{6})"', " ".join(dot._STYLE.values()))
    palette = colour.STRUCTURE_PALETTE
    assert len(set(palette)) == len(palette)
    for i, a in enumerate(palette):
        for b in [*palette[i + 1 :], *plain]:
            distance = sum((x - y) ** 2 for x, y in zip(rgb(a), rgb(b), strict=True)) ** 0.5
            assert distance >= 40, (a, b)


def test_classes_past_the_palette_share_one_dashed_other_style():
    # 13 classes of two identical blocks each: chains of k Relu ops, k = 2 .. 14.
    nodes = [("x", "Placeholder")]
    for k in range(2, 15):
        for copy in ("a", "b"):
            scope, last = f"chain{k:02d}{copy}", "x"
            for j in range(k):
                nodes.append((f"{scope}/relu_{'abcdefghijklmn'[j]}", "Relu", (last,)))
                last = nodes[-1][0]
    h = Hierarchy(graph_from_nodes(nodes))
    found = structure.structures(h)
    assert found.classes == 13
    text = dot.to_dot(h, h.view(depth=0), colour="structure")
    fills = {}
    for line in text.splitlines():
        box = re.match(r'\s*"scope-(chain\d\d[ab])" \[', line)
        if box:
            fills[box.group(1)] = (re.findall(r'fillcolor="(#[0-9a-f]{6})"', line)[-1], line)
    palette = len(colour.STRUCTURE_PALETTE)
    coloured = {}
    for k in range(2, 15):
        (fill_a, line_a), (fill_b, _) = fills[f"chain{k:02d}a"], fills[f"chain{k:02d}b"]
        assert fill_a == fill_b
        if found.block(h.graph.group_id(f"chain{k:02d}a")).rank < palette:
            coloured[k] = fill_a
            assert "dashed" not in line_a
        else:
            assert fill_a == colour.STRUCTURE_OTHER and "dashed" in line_a
    # The biggest classes get the palette, each its own colour; the rest one "other" row.
    assert sorted(coloured) == list(range(5, 15))
    assert sorted(coloured.values()) == sorted(colour.STRUCTURE_PALETTE)
    swatches = re.findall(r'<td bgcolor="(#[0-9a-f]{6})"', text)
    assert len(swatches) == len(set(swatches)) == palette + 1
    assert "other identical blocks (3 classes)" in text


def test_which_op_inside_a_nested_scope_an_edge_leaves_tells_blocks_apart():
    # Each block's inner scope is the same (Relu and Exp of x, both read outside); the
    # block's Sub takes them in one order in b1 and b2, in the other in b3.
    nodes = [("x", "Placeholder")]
    for name, order in (("b1", "re"), ("b2", "re"), ("b3", "er")):
        nodes += [(f"{name}/inner/r", "Relu", ("x",)), (f"{name}/inner/e", "Exp", ("x",))]
        nodes.append((f"{name}/sub", "Sub", tuple(f"{name}/inner/{op}" for op in order)))
    h = Hierarchy(graph_from_nodes(nodes))
    assert identical(h, "b1/inner") == {"b1/inner", "b2/inner", "b3/inner"}
    assert identical(h, "b1") == {"b1", "b2"}
    assert identical(h, "b3") == {"b3"}


def test_a_shared_input_counts_and_how_many_read_an_output_outside_does_not():
    # p1 and p2 read x twice; q reads x and y. p2's Exp is read by three ops outside, p1's
    # by one: each tensor leaving a block counts once.
    nodes = [("x", "Placeholder"), ("y", "Placeholder")]
    for name, second in (("p1", "x"), ("p2", "x"), ("q", "y")):
        nodes += [(f"{name}/r", "Relu", ("x",)), (f"{name}/e", "Exp", (second,))]
    nodes += [("c0", "Neg", ("p1/e",)), ("q0", "Neg", ("q/e",))]
    nodes += [(f"c{i}", "Neg", ("p2/e",)) for i in range(1, 4)]
    h = Hierarchy(graph_from_nodes(nodes))
    assert identical(h, "p1") == {"p1", "p2"}
    assert identical(h, "q") == {"q"}


def test_signatures_are_the_same_in_another_process():
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json\n"
        "from graphs import ffn_graph\n"
        "from tb_scopegraph.model import structure\n"
        "from tb_scopegraph.model.hierarchy import Hierarchy\n"
        "print(json.dumps(structure.structures(Hierarchy(ffn_graph(scoped=True))).signatures))\n"
    )
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": path}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    ours = structure.structures(Hierarchy(ffn_graph(scoped=True))).signatures
    assert json.loads(out) == ours
