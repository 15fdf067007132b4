"""Tracing the paths into and out of an op: which ops, which groups open, within bounds."""

from __future__ import annotations

import pytest
from graphs import graph_from_nodes
from tensorboard.compat.proto import graph_pb2
from tf_graphs import resnet_graph

from tb_scopegraph.errors import InvalidQuery, NotFound
from tb_scopegraph.model import paths
from tb_scopegraph.model.hierarchy import Hierarchy, parse_input


@pytest.fixture(scope="module")
def resnet() -> graph_pb2.GraphDef:
    return resnet_graph()


@pytest.fixture(scope="module")
def fan_in() -> graph_pb2.GraphDef:
    """Thirty scopes of a few ops each, all read by one AddN: a wide fan-in, written by TF."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [4], name="x")
        parts = []
        for i in range(30):
            with tf.name_scope(f"branch{i:02d}"):
                parts.append(tf.nn.relu(x * float(i + 1)))
        tf.add_n(parts, name="sum")
    return graph_pb2.GraphDef.FromString(graph.as_graph_def().SerializeToString())


def reference(graph_def, name: str, direction: str, depth: int, control=False) -> set[str]:
    """Ops within ``depth`` hops of ``name``, found from the NodeDefs' inputs directly.

    ``both`` is the paths in and the paths out, not paths that turn around on the way.
    """
    if direction == "both":
        return reference(graph_def, name, "in", depth, control) | reference(
            graph_def, name, "out", depth, control
        )
    inputs: dict[str, set[str]] = {}
    consumers: dict[str, set[str]] = {}
    for node in graph_def.node:
        for text in node.input:
            is_control, source, _ = parse_input(text)
            if is_control and not control:
                continue
            inputs.setdefault(node.name, set()).add(source)
            consumers.setdefault(source, set()).add(node.name)
    found = {name}
    frontier = {name}
    for _ in range(depth):
        step = set()
        for op in frontier:
            step |= (inputs if direction == "in" else consumers).get(op, set())
        frontier = step - found
        found |= frontier
    return found


def test_every_path_into_the_output_is_found_and_shown(resnet):
    h = Hierarchy(resnet)
    found = paths.trace(h, "output", "in", depth=50)
    assert set(found.ops) == reference(resnet, "output", "in", 50)
    assert found.ops[0] == "output" and found.complete
    assert {"block1/Conv2D", "block4/Relu_1", "x"} <= set(found.ops)
    # Initializers do not feed the output: they are on no path into it.
    assert not any("Initializer" in op for op in found.ops)
    # Every scope the paths run through is open, and every op on them is its own box.
    assert {"block1", "block2", "block3", "block4", "block2/Conv2D_1"} <= found.open
    assert "block1/w1" not in found.open  # the variable handle sits in block1, not below
    assert set(found.boxes) == {("op", op) for op in found.ops}
    assert found.origin == ("op", "output")
    assert found.closed == 0
    # The trace's view is one the plugin can draw.
    h.view(open=found.open)


@pytest.mark.parametrize("depth", [0, 1, 2, 5])
@pytest.mark.parametrize("direction", ["in", "out", "both"])
def test_depth_bounds_the_hops(resnet, direction, depth):
    h = Hierarchy(resnet)
    found = paths.trace(h, "block2/add", direction, depth=depth)
    assert set(found.ops) == reference(resnet, "block2/add", direction, depth)
    assert found.reached <= depth


def test_depth_one_is_the_direct_inputs_and_consumers(resnet):
    h = Hierarchy(resnet)
    assert set(paths.trace(h, "block2/add", "in", 1).ops) == {
        "block2/add",
        "block2/Conv2D_1",
        "block1/Relu_1",
    }
    assert set(paths.trace(h, "block2/add", "out", 1).ops) == {"block2/add", "block2/Relu_1"}
    # The graph ends before the hops do: reached says how far the paths run.
    assert paths.trace(h, "x", "in", 5).reached == 0
    assert paths.trace(h, "block4/Relu_1", "out", 5).reached == 1


def test_without_expanding_the_view_stays_and_closed_boxes_hold_the_path(resnet):
    h = Hierarchy(resnet)
    found = paths.trace(h, "output", "in", depth=50, open=("block4",), expand=False)
    assert found.open == {"block4"}
    boxes = set(found.boxes)
    assert {("scope", "block1"), ("scope", "block2"), ("scope", "block3")} <= boxes
    assert ("op", "block4/add") in boxes and ("op", "x") in boxes
    assert ("scope", "block4/Conv2D") in boxes  # its ReadVariableOp is on the path
    assert found.closed >= 3


def test_control_edges_are_followed_only_when_asked():
    graph = graph_from_nodes(
        [
            ("init", "NoOp"),
            ("x", "Placeholder"),
            ("scope/y", "Relu", ("x",)),
            ("out", "Identity", ("scope/y", "^init")),
        ]
    )
    h = Hierarchy(graph)
    assert set(paths.trace(h, "out", "in", 3).ops) == {"out", "scope/y", "x"}
    assert set(paths.trace(h, "out", "in", 3, control=True).ops) == {
        "out",
        "scope/y",
        "x",
        "init",
    }


def test_a_huge_fan_in_is_capped_nearest_first(fan_in, monkeypatch):
    h = Hierarchy(fan_in)
    whole = paths.trace(h, "sum", "in", depth=10)
    assert set(whole.ops) == reference(fan_in, "sum", "in", 10)
    assert whole.complete
    monkeypatch.setattr(paths, "MAX_OPS", 20)
    capped = paths.trace(h, "sum", "in", depth=10)
    assert not capped.complete and len(capped.ops) == 20
    # The AddN's thirty direct inputs come before anything two hops away.
    direct = reference(fan_in, "sum", "in", 1)
    assert set(capped.ops) <= direct


def test_a_trace_opens_at_most_max_open_groups_and_says_how_many_stay_closed(fan_in, monkeypatch):
    h = Hierarchy(fan_in)
    monkeypatch.setattr(paths, "MAX_OPEN", 5)
    # Two hops: each branch's Relu and mul (its constant, in scope branchNN/mul, is three).
    found = paths.trace(h, "sum", "in", depth=2)
    assert len(found.ops) == 61
    # The thirty branches fold into a series, opened first; then the first four branches.
    assert found.open == {"branch[0-29]", "branch00", "branch01", "branch02", "branch03"}
    assert found.closed == 26
    closed = {name for kind, name in found.boxes if kind == "scope"}
    assert closed == {f"branch{i:02d}" for i in range(4, 30)}
    # The ops in the opened scopes are boxes of their own.
    shown = {name for kind, name in found.boxes if kind == "op"}
    assert shown == {op for op in found.ops if op.split("/")[0] in found.open} | {"sum"}


def test_a_trace_stops_opening_before_its_view_grows_too_big(fan_in, monkeypatch):
    h = Hierarchy(fan_in)
    monkeypatch.setattr(paths, "MAX_BOXES", 40)
    found = paths.trace(h, "sum", "in", depth=3)
    assert 0 < len(found.open) < 30
    assert h.view(open=found.open).boxes <= 40


def test_bad_questions_are_refused(resnet):
    h = Hierarchy(resnet)
    with pytest.raises(NotFound):
        paths.trace(h, "no/such/op")
    with pytest.raises(InvalidQuery):
        paths.trace(h, "output", "sideways")
    with pytest.raises(InvalidQuery):
        paths.trace(h, "output", "in", depth=paths.MAX_DEPTH + 1)
    with pytest.raises(NotFound):
        paths.trace(h, "output", "in", open=("no such scope",))
