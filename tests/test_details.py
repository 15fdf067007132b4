"""Group cards (`model.details`): what they count, and what a card costs when asked again."""

from __future__ import annotations

from collections import Counter

import graphs
import numpy as np

from tb_scopegraph.model import details as details_module
from tb_scopegraph.model.hierarchy import Hierarchy


def _blocks(blocks: int = 6, layers: int = 4) -> Hierarchy:
    """Scoped blocks of variables, constants, resource inputs and ops on two devices, with a
    profile of some of them."""
    nodes = [("x", "Placeholder", (), {"dtype": "float32"})]
    nodes.append(("handle", "Placeholder", (), {"dtype": "resource"}))
    stats = {}
    previous = "x"
    for b in range(blocks):
        for layer in range(layers):
            scope = f"model/block_{b}/layer_{layer}"
            device = "/device:GPU:0" if layer % 2 else "/device:CPU:0"
            kernel = (
                f"{scope}/kernel",
                "VarHandleOp",
                (),
                {"shape": graphs.shape_attr([3, b + 2])},
            )
            nodes.append(kernel)
            nodes.append((f"{scope}/scale", "Const", (), {"dtype": "float32"}))
            nodes.append(
                (f"{scope}/MatMul", "MatMul", (previous, f"{scope}/kernel"), {"_device": device})
            )
            previous = f"{scope}/MatMul"
            stats[previous] = {"compute_us": 2.0, "memory_bytes": 8}
    graph = graphs.graph_from_nodes(nodes)
    for node in graph.node:
        if node.op == "MatMul":
            node.device = node.attr.pop("_device").s.decode()
    return Hierarchy(graph, stats=stats)


def _reference(h: Hierarchy, prefix: str) -> dict:
    """The figures of the ops whose names start with ``prefix``, worked out op by op."""
    model = h.graph
    inside = [op for op in range(model.op_count) if model.names[op].startswith(prefix)]
    types = Counter(model.op_types[op] for op in inside)
    devices = Counter(model.devices[op] for op in inside)
    variables = sum(
        int(np.prod([d.size for d in model.node_def(op).attr["shape"].shape.dim]))
        for op in inside
        if model.op_types[op] == "VarHandleOp"
    )
    return {"op_types": dict(types), "devices": dict(devices), "variables": variables}


def test_group_cards_count_every_op_inside_at_any_depth():
    h = _blocks()
    for key, prefix in (
        ("model", "model/"),
        ("model/block_[0-5]", "model/block_"),  # the series of the six blocks
        ("model/block_2", "model/block_2/"),
        ("model/block_2/layer_1", "model/block_2/layer_1/"),
    ):
        card = h.details(key, kind="scope")
        want = _reference(h, prefix)
        assert card["op_types"] == want["op_types"]
        assert card["devices"] == want["devices"]
        # A graph with variables: its constants are not taken for parameters.
        assert card["parameters"] == want["variables"] > 0
        assert card["profile"]["ops"] == want["op_types"]["MatMul"]
        assert card["profile"]["compute_us"] == 2.0 * want["op_types"]["MatMul"]
    # Most ops first; a tie in the order the walk meets them.
    card = h.details("model/block_2/layer_1", kind="scope")
    assert list(card["op_types"]) == ["VarHandleOp", "Const", "MatMul"]


def test_a_second_card_over_the_same_ops_parses_no_node_again(parsed_nodes):
    # A card counts parameters from each variable's NodeDef; a scope and the series that
    # holds the same ops (or any group around a group asked about) count them once.
    h = _blocks()
    parsed = parsed_nodes
    parsed.clear()
    first = h.details("model", kind="scope")
    # Each variable once, and each Placeholder once to tell a variable's handle; constants
    # not at all, in a graph that has variables.
    placeholders = h.graph.op_types.count("Placeholder")
    assert max(parsed.values()) == 1 and sum(parsed.values()) == 6 * 4 + placeholders
    parsed.clear()
    second = h.details("model/block_[0-5]", kind="scope")
    assert second["parameters"] == first["parameters"] and not parsed


def test_group_cards_kept_stay_within_their_bound(monkeypatch):
    monkeypatch.setattr(details_module, "_GROUP_STATS_KEPT", 5)
    h = _blocks()
    keys = [f"model/block_{b}/layer_{layer}" for b in range(6) for layer in range(4)]
    for key in keys:
        h.details(key, kind="scope")
        assert len(h._details._group_stats) <= 5  # noqa: SLF001 - the bound under test
    # The most recent are the ones kept: asked again, they are not worked out again.
    assert set(h._details._group_stats) >= {h.graph.group_id(k) for k in keys[-3:]}  # noqa: SLF001
