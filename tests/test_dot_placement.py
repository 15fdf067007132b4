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


def chain_in_scopes():
    """An input into a chain of two ops inside two nested scopes named longer than the
    boxes they hold: a narrow frame under a wide title."""
    inner = f"model/{TITLE}"
    return graph_from_nodes(
        [
            ("x", "Placeholder", (), {"_output_shapes": [[2, 16]]}),
            (f"{inner}/a", "Relu", ("x",), {"_output_shapes": [[2, 16]]}),
            (f"{inner}/b", "Tanh", (f"{inner}/a",), {"_output_shapes": [[2, 8]]}),
            ("y", "Identity", (f"{inner}/b",), {"_output_shapes": [[2, 8]]}),
        ]
    )


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


def test_a_shape_label_of_an_edge_into_a_frame_stands_at_its_tail():
    h = Hierarchy(chain_in_scopes())
    graph = pygraphviz.AGraph(string=to_dot(h, h.view(open=["model", f"model/{TITLE}"])))
    inner = f"model/{TITLE}"
    into = graph.get_edge(element_id("op", "x"), element_id("op", f"{inner}/a"))
    assert into.attr["taillabel"] == "[2,16]" and not into.attr.get("xlabel")
    out = graph.get_edge(element_id("op", f"{inner}/b"), element_id("op", "y"))
    assert out.attr["xlabel"] == "[2,8]" and not out.attr.get("taillabel")  # leaves: no title


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
    assert forth.attr["xlabel"] == "5 tensors"
    assert not back.attr.get("xlabel") and not back.attr.get("taillabel")
    assert "3 connections" in back.attr["tooltip"]
