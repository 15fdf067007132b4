"""Opening to a depth follows the first view's forward-first rule: depth N opens the model's
layers (and what they hold but variables and summaries) down to scope level N, and leaves
gradients, optimizer, loss, metrics, summaries, init and save closed unless nothing else is
there. A view's depth counts scope levels (a series or a part has its members' level);
the routes send it with the view."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from graphs import write_run_graph
from harness import Api, runs_with_graphs, start, wait_for
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.model.graph import CHUNK, ROOT
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import AUXILIARY, PLUMBING, VARIABLE

LAYERS = {"layer1", "layer2", "layer3"}


def closed_within(h: Hierarchy, view, depth: int) -> dict[str, str]:
    """The groups as deep as `depth` left closed though their parent is open, by role."""
    groups = h.graph.groups
    opened = {h.graph.group_id(k) for k in view.open} | {ROOT}
    return {
        g.key: h.roles.role(h.graph.group_id(g.key))
        for g in groups[1:]
        if g.level <= depth and g.parent in opened and h.graph.group_id(g.key) not in opened
    }


@pytest.mark.parametrize("depth", [2, 3])
def test_a_depth_opens_the_layers_of_a_training_graph_not_its_plumbing(training_graph, depth):
    h = Hierarchy(training_graph)
    view = h.view(depth=depth)
    # The layers' own scopes are their variables and summaries: nothing more opens.
    assert set(view.open) == LAYERS
    closed = closed_within(h, view, depth)
    for key in ("cross_entropy", "evaluation", "train", "loss", "accuracy", "Merge", "save"):
        assert key in closed, key
    assert set(closed.values()) <= {PLUMBING, AUXILIARY, VARIABLE}, closed
    assert h.depth(view) == 1


def test_a_depth_opens_a_pytorch_models_layers_and_stops_there(torch_cnn):
    h = Hierarchy(torch_cnn)
    assert set(h.view(depth=1).open) == {"Net"}
    layers = {"Net/Conv2d[conv1]", "Net/Conv2d[conv2]", "Net/Linear[fc]"}
    view = h.view(depth=2)
    # The input and output scopes hold no parameters: they are not the model's to open.
    assert set(view.open) == {"Net"} | layers
    assert h.depth(view) == 2
    assert h.view(depth=3).open == view.open


def only(graph: graph_pb2.GraphDef, prefixes: tuple[str, ...]) -> graph_pb2.GraphDef:
    """The nodes of `graph` under scopes `prefixes`, without their other inputs."""
    kept = graph_pb2.GraphDef()
    kept.node.extend(n for n in graph.node if n.name.startswith(prefixes))
    for node in kept.node:
        inputs = [i for i in node.input if i.lstrip("^").split(":")[0].startswith(prefixes)]
        del node.input[:]
        node.input.extend(inputs)
    return kept


def test_plumbing_opens_when_nothing_else_is_there(training_graph):
    h = Hierarchy(only(training_graph, ("train/", "cross_entropy/")))
    view = h.view(depth=1)
    assert {"train", "cross_entropy"} <= set(view.open)


def test_inside_a_group_asked_for_its_plumbing_opens(training_graph):
    h = Hierarchy(training_graph)
    view = h.view(open=["train"], depth=2)
    assert set(view.open) >= LAYERS | {"train", "train/gradients"}
    for key in ("cross_entropy", "Merge", "save", "train/GradientDescent"):
        assert key not in view.open, key


def test_a_series_split_into_parts_adds_no_level():
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    for i in range(1200):  # a series of more blocks than a group shows: split into parts
        graph.node.add(name=f"AddN_{i}", op="AddN", input=["x"])
    h = Hierarchy(graph)
    (part, *_) = [g.key for g in h.graph.groups if g.kind == CHUNK]
    series = part.rpartition("/")[0]
    view = h.view(open=[series, part])
    # Its key has a segment more than the series' (as the tab would once count it).
    assert part in view.open and part.count("/") == 1
    assert h.depth(view) == 1
    assert h.depth(h.view(depth=1)) == 1
    assert h.depth(h.view()) == 0


@pytest.fixture(scope="module")
def api(tmp_path_factory, training_graph):
    logdir = tmp_path_factory.mktemp("depth")
    write_run_graph(logdir / "training", training_graph)
    source = start("multiplexer", str(logdir))
    wait_for(lambda: runs_with_graphs(source.provider) == {"training"}, "the training run")
    yield Api(source.provider)
    source.close()


def svg_root(api, route: str = "svg", **params) -> dict[str, str]:
    return ET.fromstring(api.ok(route, run="training", **params).data).attrib


def test_the_routes_send_the_depth_asked_and_the_deepest_level_open(api):
    asked = api.json("view", run="training", depth=3)
    assert (asked["depth"], asked["deepest"]) == (3, 1)
    assert set(asked["open"]) == LAYERS
    root = svg_root(api, depth=3)
    assert (root["data-depth"], root["data-deepest"]) == ("3", "1")
    # A view of open groups, or the default view: the depth is its deepest level.
    opened = api.json("view", run="training", open=["train", "train/gradients"])
    assert (opened["depth"], opened["deepest"]) == (2, 2)
    root = svg_root(api, open=["train", "train/gradients"])
    assert (root["data-depth"], root["data-deepest"]) == ("2", "2")
    first = api.json("view", run="training")
    assert first["depth"] == first["deepest"]
    assert svg_root(api)["data-depth"] == str(first["depth"])
    closed = svg_root(api, depth=0)
    assert (closed["data-depth"], closed["data-deepest"]) == ("0", "0")


def test_a_series_without_parameters_stays_closed_inside_an_opened_scope():
    # A traced training step: the model's scope, and gradient sums numbered at the step's top
    # level (AddN_1 ... AddN_6), which group as a series that holds no parameters.
    graph = graph_pb2.GraphDef()
    graph.node.add(name="step/x", op="Placeholder")
    graph.node.add(name="step/model/dense/kernel", op="VarHandleOp")
    graph.node.add(
        name="step/model/dense/kernel/read",
        op="ReadVariableOp",
        input=["step/model/dense/kernel"],
    )
    graph.node.add(
        name="step/model/dense/MatMul",
        op="MatMul",
        input=["step/x", "step/model/dense/kernel/read"],
    )
    for n in range(1, 7):
        graph.node.add(name=f"step/AddN_{n}", op="AddN", input=["step/model/dense/MatMul"])
    h = Hierarchy(graph)
    series = [g.key for g in h.graph.groups if g.kind == "series"]
    assert series == ["step/AddN_[1-6]"]
    view = h.view(depth=2)
    assert "step/model" in view.open
    assert "step/AddN_[1-6]" not in view.open
