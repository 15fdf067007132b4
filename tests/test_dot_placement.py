"""Where text goes inside a drawing: frame titles clear of the edges coming in, edge labels
clear of titles and of each other, drawn by Graphviz from real views."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pygraphviz
from graphs import graph_from_nodes

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.drawing.render import render
from tb_scopegraph.model.hierarchy import Hierarchy

SVG = "{http://www.w3.org/2000/svg}"
TITLE = "a_rather_long_scope_title"
#: Below the average glyph width of Helvetica (about 0.55 em): a title measured with it is
#: no longer than it is drawn.
NARROW_GLYPH = 0.45


def chain_in_scopes(length: int = 60):
    """An input into a chain of ops inside two nested scopes named longer than the boxes
    they hold: a narrow frame under a wide title, too long for a window (shown from its
    top), as synthetic_100k's blocks are. Each step reads the two before it, as a residual
    block does: a chain of ops each fed by the one before alone would be laid in rows
    (`chains`)."""
    inner = f"model/{TITLE}"
    nodes = [
        ("x", "Placeholder", (), {"_output_shapes": [[2, 16]]}),
        (f"{inner}/a", "Relu", ("x",), {"_output_shapes": [[2, 16]]}),
        (f"{inner}/b", "Tanh", (f"{inner}/a",), {"_output_shapes": [[2, 8]]}),
    ]
    before, last = f"{inner}/a", f"{inner}/b"
    for i in range(length):  # named by letters: numbered siblings would fold into one box
        step = f"{inner}/step_{'abcdefghij'[i // 10]}{'abcdefghij'[i % 10]}"
        nodes.append((step, "AddV2", (last, before), {"_output_shapes": [[2, 8]]}))
        before, last = last, step
    nodes.append(("y", "Identity", (last,), {"_output_shapes": [[2, 8]]}))
    return graph_from_nodes(nodes)


def _path_xs(d: str) -> list[float]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return numbers[0::2]


def test_an_edge_into_a_narrow_frame_passes_beside_its_title():
    h = Hierarchy(chain_in_scopes())
    view = h.view(open=["model", f"model/{TITLE}"])
    root = ET.fromstring(render(to_dot(h, view, width=1128, height=818)))
    groups = {g.get("id"): g for g in root.iter(SVG + "g")}
    edge_in = next(g for g in groups.values() if g.get("class", "").startswith("edge"))
    (path,) = edge_in.iter(SVG + "path")
    xs = _path_xs(path.get("d"))
    assert max(xs) - min(xs) < 1  # a straight drop from x into the chain
    for key in ("model", f"model/{TITLE}"):
        frame = groups["cluster-" + element_id("scope", key)]
        texts = list(frame.iter(SVG + "text"))
        assert texts[0].text == key.rpartition("/")[2]
        for text in texts:
            assert text.get("text-anchor") == "start"
            end = float(text.get("x")) + len(text.text) * 10 * NARROW_GLYPH
            assert end < min(xs), (key, text.text)
    # The edge's shape label stands above the outer frame, not on its title.
    (shape,) = (t for t in edge_in.iter(SVG + "text") if t.text == "[2,16]")
    (frame,) = groups["cluster-" + element_id("scope", "model")].iter(SVG + "path")
    top = min(float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", frame.get("d"))[1::2])
    assert float(shape.get("y")) < top


def test_a_shape_label_of_an_edge_into_a_frame_is_ranked_outside_it():
    h = Hierarchy(chain_in_scopes())
    dot = to_dot(h, h.view(open=["model", f"model/{TITLE}"]), width=1128, height=818)
    graph = pygraphviz.AGraph(string=dot)
    inner = f"model/{TITLE}"
    into = graph.get_edge(element_id("op", "x"), element_id("op", f"{inner}/a"))
    assert into.attr["label"] == "[2,16]" and not into.attr.get("xlabel")
    # b feeds step_aa and step_ab; its shape is said once, on the shorter edge.
    within = graph.get_edge(element_id("op", f"{inner}/b"), element_id("op", f"{inner}/step_aa"))
    assert within.attr["xlabel"] == "[2,8]" and not within.attr.get("label")  # no title there


def test_a_frame_title_without_room_is_centred_for_the_tab_to_find_its_middle():
    # In an area as narrow as it is tall, ffn's width sets its scale: no room beside titles.
    from graphs import ffn_graph

    h = Hierarchy(ffn_graph())
    dot = to_dot(h, h.view(open=["layer1"]), width=600, height=818)
    assert "<table" not in dot
    root = ET.fromstring(render(dot))
    frame = next(
        g for g in root.iter(SVG + "g") if g.get("id") == "cluster-" + element_id("scope", "layer1")
    )
    texts = list(frame.iter(SVG + "text"))
    assert [t.text for t in texts] == ["layer1", "7 ops"]
    assert {t.get("text-anchor") for t in texts} == {"middle"}


def test_two_edges_between_two_boxes_are_labelled_once():
    # a and b feed each other (a gradient box and the sums it hands back): two edges side
    # by side, whose labels would lie on each other.
    nodes = [("x", "Placeholder")]
    nodes += [(f"a/t{i}", "Identity", ("x",)) for i in range(5)]
    nodes += [(f"b/u{i}", "Identity", (f"a/t{i}",)) for i in range(5)]
    nodes += [(f"a/back{i}", "AddN", (f"b/u{i}",)) for i in range(3)]
    h = Hierarchy(graph_from_nodes(nodes))
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(depth=0)))
    forth = graph.get_edge(element_id("scope", "a"), element_id("scope", "b"))
    back = graph.get_edge(element_id("scope", "b"), element_id("scope", "a"))
    assert forth.attr["label"] == "5 tensors"
    assert not any(back.attr.get(k) for k in ("label", "xlabel", "taillabel"))
    assert "3 connections" in back.attr["tooltip"]


def _labels(dot: str) -> dict[str, str]:
    graph = pygraphviz.AGraph(string=dot)
    return {str(n): graph.get_node(n).attr["label"] for n in graph.nodes()}


def test_pytorch_ops_are_named_by_what_they_do_not_by_a_number(torch_cnn):
    h = Hierarchy(torch_cnn)
    # Every group open (a depth leaves a layer's weights closed): every op a box of its own.
    dot = to_dot(h, h.view(open=[g.key for g in h.graph.groups[1:]]))
    labels = _labels(dot)
    numbered = [n for n in torch_cnn.node if n.name.rpartition("/")[2].isdigit()]
    assert len(numbered) > 10  # the writer names most ops by a value number
    # Constant arguments are folded into the ops they feed, not drawn (`auxiliary`).
    folded = {n.name for n in numbered if h.roles.op_aux(h.graph.op_id(n.name)) == "constant"}
    assert not {element_id("op", name) for name in folded} & labels.keys()
    numbered = [n for n in numbered if n.name not in folded]
    assert len(numbered) >= 2  # the convolutions, at least
    for node in numbered:
        label = labels[element_id("op", node.name)]
        assert label == node.op.partition("::")[2].lstrip("_"), (node.name, label)
    attr_reads = [n for n in torch_cnn.node if n.op == "prim::GetAttr"]
    for node in attr_reads:  # Conv2d[conv1]/weight/weight.5: the attribute's own name
        own = node.name.split("/")[-2]
        assert labels[element_id("op", node.name)] == f"{own}\\nprim::GetAttr"
    graph = pygraphviz.AGraph(string=dot)
    for node in numbered:  # the number stays in the tooltip
        assert node.name in graph.get_node(element_id("op", node.name)).attr["tooltip"]


def test_a_traced_functions_variable_handles_are_counted_on_the_boxes_they_feed(keras_traces):
    graph = keras_traces["predict"]
    resources = [n.name for n in graph.node if n.op == "_Arg" and n.name.endswith("_resource")]
    inputs = [n.name for n in graph.node if n.op == "_Arg" and n.name not in resources]
    assert resources and inputs
    h = Hierarchy(graph)
    layout = h.layout(h.view(depth=1))
    names = {box.name for box in layout.boxes}
    assert set(resources) <= names  # in the layout, as auxiliary boxes ...
    labels = _labels(to_dot(h, h.view(depth=1)))
    # ... but not drawn: Keras' names ({layer path}_{reader}_readvariableop_resource) say
    # what the box they feed says, and a training step has hundreds.
    assert not {element_id("op", r) for r in resources} & labels.keys()
    shown = {element_id("op", i) for i in inputs if i in names}
    assert shown and shown <= labels.keys()
    fed = [label for label in labels.values() if "variable" in label]
    counted = sum(int(m) for m in re.findall(r"\u2190 (\d+) variables?", "".join(fed)))
    assert counted == len(resources), fed


def test_an_initialiser_of_one_variable_is_drawn_once_beside_it():
    # As TF1 writes `W1 = tf.Variable(tf.truncated_normal(...))` with no name scopes.
    graph = graph_from_nodes(
        [
            ("x", "Placeholder"),
            ("truncated_normal/shape", "Const"),
            ("truncated_normal", "TruncatedNormal", ("truncated_normal/shape",)),
            ("W1", "VarHandleOp"),
            ("W1/Assign", "AssignVariableOp", ("W1", "truncated_normal")),
            ("W1/Read/ReadVariableOp", "ReadVariableOp", ("W1",)),
            ("MatMul", "MatMul", ("x", "W1/Read/ReadVariableOp")),
        ]
    )
    h = Hierarchy(graph)
    layout = h.layout(h.view(depth=0))
    init = next(b for b in layout.boxes if b.name == "truncated_normal")
    assert init.aux  # set apart from the main flow
    dot = to_dot(h, h.view(depth=0))
    tn, w1 = element_id(init.kind, init.name), element_id("op", "W1")
    assert f'{{rank=same; "{w1}"; "{tn}";}}' in dot
    parsed = pygraphviz.AGraph(string=dot)
    assert parsed.has_edge(tn, w1)
    assert "\u2190" not in parsed.get_node(w1).attr["label"]  # no stub naming it again
    assert parsed.get_node(tn).attr["shape"] == "box"  # narrower than an ellipse beside W1


def test_a_tensor_fed_forward_and_to_training_is_labelled_on_the_forward_edge(training_graph):
    # x feeds layer1 and, for its gradient, train: the shape belongs beside layer1, not
    # halfway along the long edge round the drawing to the training step.
    h = Hierarchy(training_graph)
    graph = pygraphviz.AGraph(string=to_dot(h, h.default_view()))
    x = element_id("op", "x")
    forward = graph.get_edge(x, element_id("scope", "layer1"))
    to_train = graph.get_edge(x, element_id("scope", "train"))
    assert forward.attr["xlabel"] == "[?,20]"
    assert not any(to_train.attr.get(k) for k in ("label", "xlabel"))
    assert "[?,20]" in to_train.attr["tooltip"]


def test_inputs_and_outputs_are_labelled_as_such(torch_cnn, keras_traces):
    # Written by add_graph (IO Node) and trace_export (_Arg, _Retval): their node types and
    # TF's "_RetVal" suffix tell a reader nothing "input" and "output" do not.
    for graph in (torch_cnn, keras_traces["predict"]):
        h = Hierarchy(graph)
        labels = _labels(to_dot(h, h.default_view()))
        ends = [
            element_id("op", n.name)
            for n in graph.node
            if n.op in ("IO Node", "_Arg", "_Retval") and element_id("op", n.name) in labels
        ]
        assert len(ends) >= 2, labels.keys()
        for eid in ends:
            lines = labels[eid].split("\\n")
            assert lines[-1] in ("input", "output"), lines
            assert not any(t in labels[eid] for t in ("_Arg", "_Retval", "IO Node", "RetVal"))
