"""DOT text of a view: valid whatever the names hold, ids that round-trip, styled edges."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pygraphviz
import pytest
from graphs import ffn_graph, graph_from_nodes
from hypothesis import given, settings
from hypothesis import strategies as st

from tb_scopegraph.drawing.auxiliary import stub_label
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id, parse_element_id, quote
from tb_scopegraph.drawing.render import render
from tb_scopegraph.model.hierarchy import Hierarchy

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

HOSTILE = [
    'quote"inside',
    "back\\slash\\",
    "new\nline",
    "brace{}/x",
    "arrow->b",
    "graph",
    "node",
    "subgraph/strict/edge",
    "<script>alert(1)</script>",
    "&lt;b&gt;&amp;",
    "\\N\\G\\E",
    "tab\there",
    "ünïcødé/名前",
    "x" * 3000,
    "'single'",
    "trailing\\",
]


def hostile_graph():
    nodes = [("input", "Placeholder", (), {"_output_shapes": [[None, 3]]})]
    for i, name in enumerate(HOSTILE):
        nodes.append((name, f'Op"<b>{i}', ("input",), {"note": name}))
        nodes.append((f"{name}/inner", "Identity", (name,)))
    graph = graph_from_nodes(nodes)
    for node, name in zip(graph.node[1::2], HOSTILE, strict=True):
        node.device = name
    return graph


def parsed(dot: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=dot)


@given(st.text(max_size=40))
def test_element_ids_round_trip_and_are_safe(name):
    for kind in ("op", "scope", "series", "chunk", "missing"):
        eid = element_id(kind, name)
        assert parse_element_id(eid) == (kind, name)
        assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in eid)


def test_parse_element_id_refuses_other_ids():
    with pytest.raises(ValueError):
        parse_element_id("edge-3")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=30))
def test_quote_always_gives_a_string_dot_can_read(text):
    graph = parsed(f"digraph {{ a [comment={quote(text)}] }} ")
    got = graph.get_node("a").attr["comment"]
    if "\\" not in text:
        # quote() writes raw newlines as DOT line breaks and NUL, which DOT cannot hold, as text
        assert got == text.replace("\n", "\\n").replace("\0", "\\x00")


@pytest.mark.parametrize("opened", [False, True])
def test_hostile_names_give_valid_dot_with_every_box(opened):
    h = Hierarchy(hostile_graph())
    view = h.view(depth=3 if opened else 0)
    dot = to_dot(h, view)
    graph = parsed(dot)
    layout = h.layout(view)
    ids = {element_id(b.kind, b.name) for b in layout.boxes}
    assert set(graph.nodes()) == ids
    assert len(graph.edges()) == len(layout.edges)
    clusters = []
    stack = graph.subgraphs()
    while stack:
        sub = stack.pop()
        clusters.append(sub.graph_attr["id"])
        stack.extend(sub.subgraphs())
    expected = ["cluster-" + element_id(c.kind, c.name) for c in layout.clusters]
    assert sorted(clusters) == sorted(expected)
    assert len(expected) > (10 if opened else -1)


def test_hostile_names_render_as_text_not_markup():
    h = Hierarchy(hostile_graph())
    view = h.view(depth=3)
    svg = render(to_dot(h, view))
    root = ET.fromstring(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert "script" not in tags and "foreignObject" not in tags
    for el in root.iter():
        for attr in el.attrib:
            assert not attr.lower().startswith("on"), attr
    texts = "\n".join(el.text or "" for el in root.iter(SVG + "text"))
    titles = "\n".join(el.get(XLINK + "title", "") for el in root.iter())
    for name in HOSTILE:
        shown = name.replace("\n", "\\x0a").replace("\t", "\\x09")
        assert shown[:500] in titles, name  # long names are clipped, not dropped
    assert "script>" in texts and "<script>alert(1)<" in texts
    assert "&lt;b&gt;&amp;" in texts  # entities in a name are shown, not decoded
    assert "\\N\\G\\E" in texts and "back\\slash\\" in texts
    assert 'quote"inside' in texts and "arrow->b" in texts and "ünïcødé" in texts
    ids = {el.get("id") for el in root.iter() if "node" in el.get("class", "").split()}
    names = {parse_element_id(i)[1] for i in ids}
    assert set(HOSTILE) <= names


def test_ops_show_their_name_and_a_type_only_where_it_adds_something():
    h = Hierarchy(ffn_graph())
    dot = to_dot(h, h.view(open=["layer1", "layer1/W"]))
    graph = parsed(dot)
    matmul = graph.get_node(element_id("op", "layer1/MatMul"))
    assert matmul.attr["label"] == "MatMul"  # never "MatMul / MatMul"
    weights = graph.get_node(element_id("op", "layer1/W"))
    assert weights.attr["label"] == "W\\nVariableV2"
    read = graph.get_node(element_id("op", "layer1/W/read"))
    assert read.attr["label"] == "read\\nIdentity"
    assert matmul.attr["class"] == "op"
    assert "layer1/MatMul" in matmul.attr["tooltip"]
    layer2 = graph.get_node(element_id("scope", "layer2"))
    assert layer2.attr["label"] == "layer2\\n7 ops"  # W, W/read, b, b/read, MatMul, add, Relu
    assert layer2.attr["class"] == "scope"
    (cluster,) = graph.subgraphs()
    assert cluster.graph_attr["id"] == "cluster-" + element_id("scope", "layer1")


def test_data_edges_carry_shapes_and_control_edges_are_dashed():
    graph = graph_from_nodes(
        [
            ("gate", "Identity"),  # a NoOp would be auxiliary: a stub, no edge
            ("x", "Placeholder", (), {"_output_shapes": [[None, 784]]}),
            ("y", "Relu", ("x", "^gate")),
            ("z", "Placeholder", (), {"_output_shapes": [None]}),
            ("w", "AddV2", ("z", "y")),
            ("s", "Placeholder", (), {"_output_shapes": [[]]}),
            ("v", "Placeholder", (), {"_output_shapes": [[None]]}),
            ("m", "Placeholder", (), {"_output_shapes": [[None, None]]}),
            ("k", "Placeholder", (), {"_output_shapes": [[32]]}),
            ("sum", "AddN", ("s", "v", "m", "k")),
        ]
    )
    h = Hierarchy(graph)
    dot = parsed(to_dot(h, h.view(depth=0)))
    data = dot.get_edge(element_id("op", "x"), element_id("op", "y"))
    assert data.attr["xlabel"] == "[?,784]" and data.attr["style"] in (None, "")
    # An edge label says something or is not there: no "?", "[]", "[?]" or "[?,?]".
    for src in ("z", "s", "v", "m"):
        dst = "w" if src == "z" else "sum"
        edge = dot.get_edge(element_id("op", src), element_id("op", dst))
        assert edge.attr["xlabel"] in (None, ""), src
    known = dot.get_edge(element_id("op", "k"), element_id("op", "sum"))
    assert known.attr["xlabel"] == "[32]"
    control = dot.get_edge(element_id("op", "gate"), element_id("op", "y"))
    assert control.attr["style"] == "dashed" and control.attr["weight"] == "0"
    assert control.attr["xlabel"] in (None, "")


def test_bundled_edges_say_how_many_tensors():
    graph = graph_from_nodes(
        [
            ("a/x", "Placeholder"),
            ("a/y", "Placeholder"),
            ("b/p", "AddV2", ("a/x", "a/y")),
            ("b/q", "Neg", ("a/x",)),
        ]
    )
    h = Hierarchy(graph)
    dot = parsed(to_dot(h, h.view(depth=0)))
    edge = dot.get_edge(element_id("scope", "a"), element_id("scope", "b"))
    assert edge.attr["label"] == "2 tensors"  # ranked: dot makes room for it
    assert not edge.attr.get("xlabel")
    assert "3 connections" in edge.attr["tooltip"] and "a/y:0" in edge.attr["tooltip"]


def test_control_edges_of_a_hub_are_counted_not_drawn():
    reads = [(f"read_{i}x", "ReadVariableOp") for i in range(20)]
    graph = graph_from_nodes(
        reads
        + [
            ("gate", "Identity"),
            ("a", "Identity", ("read_0x", "^gate")),
            ("b", "Identity", ("a", *(f"^read_{i}x" for i in range(20)))),
        ]
    )
    h = Hierarchy(graph)
    dot = parsed(to_dot(h, h.view(depth=0)))
    control = [e for e in dot.edges() if e.attr["class"] == "control"]
    assert [(e[0], e[1]) for e in control] == [(element_id("op", "gate"), element_id("op", "a"))]
    hub = dot.get_node(element_id("op", "b"))
    assert hub.attr["label"].endswith("+20 control inputs")
    assert not [n for n in dot.nodes() if "\u2192" in n.attr["label"]]


def test_a_hub_counts_the_ops_edges_it_sets_aside_not_the_boxes_drawn():
    # Two closed scopes of 3 reads each and 3 reads at the top: 5 control edges drawn into
    # the hub, bundling 9 ops' control edges.
    reads = [(f"s{s}/read_{i}", "ReadVariableOp") for s in range(2) for i in range(3)]
    reads += [(f"read_{i}", "ReadVariableOp") for i in range(3)]
    hub = ("b", "Identity", ("read_0", *(f"^{name}" for name, _ in reads)))
    h = Hierarchy(graph_from_nodes([*reads, hub]))
    for view in (h.view(depth=0), h.view(open=["s0"])):
        graph = parsed(to_dot(h, view))  # kept: a node's attributes live in its graph
        label = graph.get_node(element_id("op", "b")).attr["label"]
        assert label.endswith("+9 control inputs"), view.open


def test_an_auxiliary_hub_of_a_few_edges_gets_stubs_instead():
    reads = [(f"read_{i}x", "ReadVariableOp") for i in range(4)]
    graph = graph_from_nodes(reads + [("init", "NoOp", tuple(f"^read_{i}x" for i in range(4)))])
    h = Hierarchy(graph)
    dot = parsed(to_dot(h, h.view(depth=0)))
    assert not [e for e in dot.edges() if e.attr["class"] == "control"]
    stubs = [n for n in dot.nodes() if n.attr["label"].endswith("\u2192 init")]
    assert len(stubs) == 4
    assert "waits on" not in dot.get_node(element_id("op", "init")).attr["label"]


@pytest.mark.parametrize("scopes", [["embed", "conv", "pool", "dense", "norm", "head"], ["a", "b"]])
def test_a_sink_that_gates_outputs_is_counted_on_itself_not_stubbed_on_each_box(scopes):
    # As tf.function writes it: every stateful op runs before a NoOp that the outputs wait
    # on; however few (keras/trace's waits on 4), counted on itself.
    assigns = [(f"{scope}/assign", "AssignVariableOp") for scope in scopes]
    hub = ("NoOp", "NoOp", tuple(f"^{scope}/assign" for scope in scopes))
    graph = graph_from_nodes(assigns + [hub, ("Identity", "Identity", ("^NoOp",))])
    h = Hierarchy(graph)
    notes = _notes(h, h.view(depth=0))
    assert notes["NoOp"][-1] == f"waits on {len(scopes)} ops"
    assert not [n for n, rows in notes.items() if _stubs(rows)]


def _notes(h, view):
    """Per box of a view's drawing, the lines of its label under its name."""
    graph = parsed(to_dot(h, view))  # kept: a node's attributes live in its graph
    lines = {n: n.attr["label"].split("\\n") for n in graph.nodes()}
    return {parse_element_id(str(n))[1]: rows[1:] for n, rows in lines.items()}


def _stubs(rows):
    return [row for row in rows if row.startswith(("\u2192", "\u2190"))]


def test_a_training_steps_last_op_reads_the_same_on_every_view(keras_training_step):
    # Its NoOp waits on 462 ops in 4 closed boxes of the first view: counted on itself on
    # that view too, and not recounted over the boxes each click leaves drawn.
    h = Hierarchy(keras_training_step)
    views = [h.default_view(width=1400, height=900), h.view(depth=1), h.view(open=["adam"])]
    for view in views:
        notes = _notes(h, view)
        assert notes["NoOp"][-1] == "waits on 462 ops", view.open
        stubs = [n for n, rows in notes.items() if any("NoOp" in row for row in _stubs(rows))]
        assert stubs == [], view.open


def test_a_training_graphs_update_is_the_flows_end_and_stubs_name_what_they_hide(
    training_graph,
):
    # TF1's minimize(): the NoOp GradientDescent, drawn with its scope of update ops, is
    # where the gradients go, not a sink set apart; init, waiting on every initialiser, says
    # so once instead of a stub on each layer.
    h = Hierarchy(training_graph)
    view = h.view(open=["train"])
    graph = parsed(to_dot(h, view))
    update = element_id("op", "train/GradientDescent")
    assert "auxiliary" not in graph.get_node(update).attr["class"]
    assert graph.has_edge(element_id("scope", "train/gradients"), update)
    notes = _notes(h, view)
    assert notes["init"][-1] == "waits on 6 ops"
    stubs = [row for rows in notes.values() for row in _stubs(rows)]
    assert stubs and not [row for row in stubs if "init" in row or re.search(r"\+\d", row)]


def test_a_stub_names_what_it_hides_or_says_how_many_more():
    assert stub_label(["GradientDescent", "init", "Merge"]) == "GradientDescent, init, Merge"
    assert stub_label(["a", "b", "c", "d", "e"]) == "a, b and 3 more"


def test_deeply_nested_open_scopes_give_valid_dot():
    deep = "/".join(f"s{i}" for i in range(300))
    h = Hierarchy(
        graph_from_nodes([(deep + "/leaf", "Placeholder"), ("s0/x", "Identity", (deep + "/leaf",))])
    )
    view = h.view(open=h.reveal(deep + "/leaf"))
    dot = to_dot(h, view)
    assert dot.count("subgraph") == 300
    graph = parsed(dot)
    assert element_id("op", deep + "/leaf") in graph.nodes()


def test_many_edges_from_an_open_scope_into_a_hub_become_one_edge_to_its_frame():
    layers = [(f"model/out{i}x", "Relu", ("input",)) for i in range(12)]
    grads = tuple(f"model/out{i}x" for i in range(12))
    graph = graph_from_nodes(
        [("input", "Placeholder")]
        + layers
        + [("grad/sum", "AddN", grads), ("grad/neg", "Neg", ("grad/sum",))]
        + [("other", "Neg", grads[:1])]
    )
    h = Hierarchy(graph)
    view = h.view(open=["model"])
    dot = parsed(to_dot(h, view))
    into_grad = [e for e in dot.edges() if e[1] == element_id("scope", "grad")]
    assert len(into_grad) == 1
    (edge,) = into_grad
    assert edge.attr["ltail"] == "cluster_cluster-" + element_id("scope", "model")
    assert edge.attr["label"] == "12 tensors" and "12 connections" in edge.attr["tooltip"]
    assert dot.get_edge(element_id("op", "model/out0x"), element_id("op", "other"))
    assert len(h.layout(view).edges) == 12 + 12 + 1  # the layout itself keeps every edge


def test_control_edges_from_an_open_scope_to_one_box_become_one_edge_from_its_frame():
    # As a Keras training step's update waits on the model's layers: "runs after" said once.
    layers = [("model/a", "Relu", ("input",)), ("model/b", "Relu", ("model/a",))]
    layers += [("model/c", "Relu", ("model/b",))]
    graph = graph_from_nodes(
        [("input", "Placeholder")]
        + layers
        + [("update", "AssignAdd", ("input", "^model/a", "^model/b", "^model/c"))]
        + [("after", "Neg", ("input", "^model/c"))]
    )
    h = Hierarchy(graph)
    view = h.view(open=["model"])
    dot = parsed(to_dot(h, view))
    into_update = [e for e in dot.edges() if e[1] == element_id("op", "update")]
    control = [e for e in into_update if e.attr["class"] == "control"]
    assert len(control) == 1
    (edge,) = control
    assert edge.attr["ltail"] == "cluster_cluster-" + element_id("scope", "model")
    assert edge.attr["style"] == "dashed" and "3 connections" in edge.attr["tooltip"]
    # One control edge alone stays an edge from its box.
    after = [e for e in dot.edges() if e[1] == element_id("op", "after")]
    assert any(e[0] == element_id("op", "model/c") and not e.attr["ltail"] for e in after)


def test_colouring_by_op_type_is_the_same_in_every_view_with_a_legend():
    h = Hierarchy(ffn_graph())
    first = parsed(to_dot(h, h.view(open=["layer1"]), colour="op"))
    second = parsed(to_dot(h, h.view(open=["layer1", "layer2"]), colour="op"))
    for graph in (first, second):
        assert "op type" in graph.graph_attr["label"] and "MatMul" in graph.graph_attr["label"]
    a = first.get_node(element_id("op", "layer1/MatMul")).attr["fillcolor"]
    b = second.get_node(element_id("op", "layer2/MatMul")).attr["fillcolor"]
    assert a == b != "#ffffff"
    relu = second.get_node(element_id("op", "layer1/Relu")).attr["fillcolor"]
    assert relu != "#ffffff"


def test_colouring_by_compute_time_uses_the_profile_and_sums_scopes():
    stats = {"layer1/MatMul": {"compute_us": 900.0, "memory_bytes": 4096}}
    stats["layer2/MatMul"] = {"compute_us": 100.0, "memory_bytes": 1024}
    h = Hierarchy(ffn_graph(), stats=stats)
    assert h.details("layer1")["profile"] == {"compute_us": 900.0, "memory_bytes": 4096, "ops": 1}
    assert h.details("layer1/MatMul", kind="op")["profile"]["compute_us"] == 900.0
    graph = parsed(to_dot(h, h.view(open=["layer1"]), colour="compute"))
    hot = graph.get_node(element_id("op", "layer1/MatMul")).attr["fillcolor"]
    cool = graph.get_node(element_id("scope", "layer2")).attr["fillcolor"]
    unprofiled = graph.get_node(element_id("op", "layer1/add")).attr["fillcolor"]
    assert hot != cool and unprofiled == "#ffffff"  # its own white, not a scale colour
    assert "compute time" in graph.graph_attr["label"]
    with pytest.raises(Exception, match="colour must be one of"):
        to_dot(h, h.view(depth=0), colour="rainbow")


# --- auxiliary boxes, edge labels, direction -------------------------------------------------


def _drawn_edges(graph):
    return [e for e in graph.edges() if e.attr["style"] != "invis"]


def test_auxiliary_boxes_stand_apart_with_stubs(training_graph):
    h = Hierarchy(training_graph)
    view = h.default_view(width=1800, height=1100)
    graph = parsed(to_dot(h, view))
    init, merge = element_id("op", "init"), element_id("scope", "Merge")
    for aux in (init, merge, element_id("scope", "save")):
        assert "auxiliary" in graph.get_node(aux).attr["class"]
        # No long edge to it: its edges are stubs on the boxes of the main flow.
        assert not [e for e in _drawn_edges(graph) if aux in e], aux
    # Instead, the boxes feeding it say so (a stub: "→ weights, save", a line of their
    # label), or, for init, waiting on every initialiser, itself.
    stubs = {n: n.attr["label"] for n in graph.nodes() if "\u2192" in (n.attr["label"] or "")}
    assert any(re.search(r"\u2192 .*\bsave\b", text) for text in stubs.values())
    assert graph.get_node(init).attr["label"].endswith("waits on 6 ops")
    assert all(n not in (init, merge) for n in stubs)
    # No stub names the merge of every summary: the boxes feeding it hold summaries, which
    # their badges count.
    assert not [t for t in stubs.values() if "Merge" in t]
    # Hovered, a box with such a note says why its edges are not there.
    for node in [init, *stubs]:
        tip = graph.get_node(node).attr["tooltip"]
        assert "not drawn as edges" in tip and "(not drawn)" not in tip, tip
    assert "waits on 6 ops" in graph.get_node(init).attr["tooltip"]
    # A layer's weights histogram: a stub on the variable it reads, no edge.
    weights = element_id("op", "layer1/weights")
    assert not [e for e in _drawn_edges(graph) if weights in e]
    assert "\u2192 weights" in graph.get_node(element_id("op", "layer1/W")).attr["label"]
    svg = render(to_dot(h, view))
    assert ET.fromstring(svg) is not None  # the rank constraints lay out


def test_pytorch_arguments_are_folded_into_the_op_they_feed(torch_cnn):
    h = Hierarchy(torch_cnn)
    view = h.view(open=["Net", "Net/Conv2d[conv1]"])
    text = to_dot(h, view)
    graph = parsed(text)
    layout = h.layout(view)
    args = {element_id(b.kind, b.name) for b in layout.boxes if b.aux == "constant"}
    assert len(args) >= 4  # the convolution's ListConstruct arguments at least
    conv = next(b for b in layout.boxes if b.op == "aten::_convolution")
    conv_id = element_id("op", conv.name)
    # Neither drawn nor joined to anything, nor named in a stub: the convolution is drawn
    # with the input it computes on and its weights, no more.
    assert not args & set(graph.nodes())
    assert not [e for e in _drawn_edges(graph) if args & set(e)]
    assert "rank=same" not in text
    assert "\u2190" not in graph.get_node(conv_id).attr["label"]
    assert [e for e in _drawn_edges(graph) if e[1] == conv_id]  # what it computes on


def test_edge_labels_say_where_the_shape_changes():
    graph = graph_from_nodes(
        [
            ("x", "Placeholder", (), {"_output_shapes": [[2, 16]]}),
            ("a", "MatMul", ("x",), {"_output_shapes": [[2, 32]]}),
            ("b", "Relu", ("a",), {"_output_shapes": [[2, 32]]}),
            ("c", "Relu", ("b",), {"_output_shapes": [[2, 32]]}),
        ]
    )
    h = Hierarchy(graph)
    dot = parsed(to_dot(h, h.view(depth=0)))
    label = {
        (s, d): dot.get_edge(element_id("op", s), element_id("op", d)).attr["xlabel"]
        for s, d in (("x", "a"), ("a", "b"), ("b", "c"))
    }
    assert label == {("x", "a"): "[2,16]", ("a", "b"): "[2,32]", ("b", "c"): ""}


def test_a_long_chain_runs_along_the_longer_side_of_the_window():
    nodes = [("x", "Placeholder")]
    for letter in "abcdefghijklmn":  # named apart: numbered siblings would fold into a series
        nodes.append((f"relu_{letter}", "Relu", (nodes[-1][0],)))
    h = Hierarchy(graph_from_nodes(nodes))
    view = h.view(depth=0)
    wide = parsed(to_dot(h, view, width=2400, height=400))
    tall = parsed(to_dot(h, view, width=400, height=2400))
    assert wide.graph_attr["rankdir"] == "LR" and tall.graph_attr["rankdir"] == "TB"
    # In the window it is given, the laid-out drawing is wider than tall, and the other way.
    for graph, wider in ((wide, True), (tall, False)):
        graph.layout(prog="dot")
        _, _, w, h_ = map(float, graph.graph_attr["bb"].split(","))
        assert (w > h_) is wider


def test_a_keras_model_configs_boxes_count_layers_not_ops():
    tf = pytest.importorskip("tensorflow")
    from tb_scopegraph.reading.keras_model import parse_keras_config

    inputs = tf.keras.Input((8,), name="features")
    classifier = tf.keras.Sequential(
        [tf.keras.layers.Dense(4, name=f"dense_{i}") for i in range(4)], name="classifier"
    )
    model = tf.keras.Model(inputs, classifier(inputs), name="model")
    h = Hierarchy(parse_keras_config(model.to_json().encode()))
    closed = to_dot(h, h.view(open=["model"]))
    assert re.search(r"classifier\\n\d+ layers", closed), closed  # its dense_0..3 (and input)
    assert " ops" not in closed and " op\\n" not in closed
    # An op graph still counts ops.
    ops = Hierarchy(graph_from_nodes([("a/x", "Placeholder"), ("a/y", "Relu", ("a/x",))]))
    assert "2 ops" in to_dot(ops, ops.view())
