"""Which colourings have data for a graph (`service.views.colourings`): what the tab's colour
picker offers, said without drawing the graph in each colouring. It must agree with the
drawings themselves: a colouring has data when the top level drawn in it has a legend."""

from __future__ import annotations

import pytest
from graphs import ffn_graph

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.service.views import MAYBE_EMPTY_COLOURINGS, colourings


def _with_device(name: str):
    graph = ffn_graph()
    next(node for node in graph.node if node.name == name).device = "/device:GPU:0"
    return graph


CASES = {
    "plain": (ffn_graph(), None, ["op", "structure"]),
    "a device": (_with_device("layer2/MatMul"), None, ["op", "device", "structure"]),
    "a profile of ops not in the graph": (
        ffn_graph(),
        {"elsewhere/MatMul": {"compute_us": 900.0, "memory_bytes": 64}},
        ["op", "structure"],
    ),
    "a whole profile": (
        ffn_graph(),
        {"layer3/add": {"compute_us": 5.0, "memory_bytes": 64}},
        ["op", "compute", "memory", "structure"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_colourings_are_those_whose_top_level_drawing_has_a_legend(case):
    graph, stats, expected = CASES[case]
    hierarchy = Hierarchy(graph, stats=stats)
    found = colourings(hierarchy)
    assert found == expected
    closed = hierarchy.view(depth=0)
    for scheme in MAYBE_EMPTY_COLOURINGS:
        legend = "<table" in to_dot(hierarchy, closed, colour=scheme).lower()
        assert legend == (scheme in found), scheme
