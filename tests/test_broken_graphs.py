"""Broken graphs through the routes and the command line: missing inputs, while-loop back edges,
self-loops, empty graphs, random bytes where a GraphDef should be, duplicated names.

Whatever can be drawn is drawn (a missing input as a marked node); what cannot gives a clear
error for that graph only, and every other graph of the logdir still works.
"""

from __future__ import annotations

import random

import pygraphviz
import pytest
from graphs import ffn_graph, graph_from_nodes, write_events, write_run_graph
from harness import (
    Api,
    data_server,
    dot_node_ids,
    multiplexer,
    run_cli,
    runs_with_graphs,
    svg_ids,
    svg_problems,
    wait_for,
)
from tensorboard.compat.proto import event_pb2, graph_pb2

from tb_scopegraph.drawing.dot import element_id

GARBAGE = random.Random(5).randbytes(4096)
GRAPH_ROUTES = ("hierarchy", "view", "dot", "svg", "png", "search", "node")


def write_while_loop(run_dir) -> None:
    """A TF1 while loop (control flow v1), whose NextIteration feeds its Merge: a cycle."""
    import tensorflow as tf
    from tensorflow.python.ops import control_flow_util

    enabled = control_flow_util.ENABLE_CONTROL_FLOW_V2
    tf.compat.v1.disable_control_flow_v2()
    try:
        graph = tf.Graph()
        with graph.as_default():
            start = tf.constant(0, name="start")
            tf.compat.v1.while_loop(lambda i: i < 10, lambda i: i + 1, [start], name="loop")
            tf.compat.v1.summary.FileWriter(str(run_dir), graph=graph).close()
    finally:
        control_flow_util.ENABLE_CONTROL_FLOW_V2 = enabled


def missing_graph() -> graph_pb2.GraphDef:
    return graph_from_nodes(
        [
            ("x", "Placeholder"),
            ("y", "AddV2", ("x", "ghost:1")),
            ("z", "Identity", ("x", "^phantom")),
            ("s/w", "Identity", ("s/gone",)),
            ("s/v", "Identity", ("s/w",)),
        ]
    )


def self_loop_graph() -> graph_pb2.GraphDef:
    return graph_from_nodes(
        [("x", "Placeholder"), ("a", "AddV2", ("x", "a")), ("b", "NoOp", ("^b", "^a"))]
    )


def empty_graph() -> graph_pb2.GraphDef:
    graph = graph_pb2.GraphDef()
    graph.versions.producer = 27  # what TensorFlow writes for an empty tf.Graph()
    return graph


def duplicate_graph() -> graph_pb2.GraphDef:
    return graph_from_nodes([("dup", "Const"), ("dup", "Const"), ("use", "Identity", ("dup",))])


def write_broken_logdir(logdir) -> None:
    write_run_graph(logdir / "good", ffn_graph())
    write_run_graph(logdir / "missing", missing_graph())
    write_run_graph(logdir / "self_loop", self_loop_graph())
    write_run_graph(logdir / "empty", empty_graph())
    write_events(logdir / "garbage", [event_pb2.Event(step=0, wall_time=2, graph_def=GARBAGE)])
    write_run_graph(logdir / "duplicate", duplicate_graph())


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("broken_graphs")
    write_broken_logdir(logdir)
    write_while_loop(logdir / "while_loop")
    return logdir


@pytest.fixture(scope="module")
def routes(logdir) -> Api:
    return Api(multiplexer(logdir))


def params_for(route: str) -> dict:
    return {"node": {"name": "x"}, "search": {"q": "x"}}.get(route, {})


def test_every_broken_graph_is_listed(routes):
    runs = {g["run"] for g in routes.json("graphs")}
    assert runs == {"good", "missing", "self_loop", "empty", "garbage", "duplicate", "while_loop"}


def test_inputs_naming_no_node_are_drawn_as_marked_missing_nodes(routes):
    svg = routes.ok("svg", run="missing", depth="1").data
    assert svg_problems(svg) == []
    missing = svg_ids(svg, "missing")
    assert missing == {element_id("missing", n) for n in ("ghost", "phantom", "s/gone")}
    dot = pygraphviz.AGraph(
        string=routes.ok("dot", run="missing", depth="1").get_data(as_text=True)
    )
    assert dot.has_edge(element_id("missing", "ghost"), element_id("op", "y"))
    control = dot.get_edge(element_id("missing", "phantom"), element_id("op", "z"))
    assert control.attr["style"] == "dashed"
    ghost = routes.json("node", run="missing", name="ghost")
    assert ghost["kind"] == "missing" and "no node" in ghost["note"]
    assert [(o["name"], o["consumers"]) for o in ghost["outputs"]] == [("ghost:1", ["y"])]
    phantom = routes.json("node", run="missing", name="phantom")
    assert (phantom["outputs"], phantom["control_outputs"]) == ([], ["z"])
    found = routes.json("search", run="missing", q="gone")
    assert [(f["name"], f["kind"], f["reveal"]) for f in found] == [("s/gone", "missing", ["s"])]
    # Closed, the scope holds the missing node and the view still counts it as a box.
    closed = routes.ok("svg", run="missing", depth="0").data
    assert element_id("scope", "s") in svg_ids(closed, "node")


def test_while_loop_back_edges_are_drawn(routes):
    tree = routes.json("hierarchy", run="while_loop")
    assert "loop" in [c["name"] for c in tree["children"]]
    text = routes.ok("dot", run="while_loop", open="loop").get_data(as_text=True)
    dot = pygraphviz.AGraph(string=text)
    assert dot.has_edge(element_id("op", "loop/NextIteration"), element_id("op", "loop/Merge"))
    assert dot.has_edge(element_id("op", "loop/Merge"), element_id("op", "loop/Switch"))
    svg = routes.ok("svg", run="while_loop", open="loop").data
    assert element_id("op", "loop/NextIteration") in svg_ids(svg, "node")
    merge = routes.json("node", run="while_loop", name="loop/Merge")
    assert [i["name"] for i in merge["inputs"]] == ["loop/Enter", "loop/NextIteration"]


def test_self_loops_draw_and_show_in_details(routes):
    svg = routes.ok("svg", run="self_loop", depth="0").data
    assert svg_problems(svg) == []
    assert {element_id("op", n) for n in ("x", "a", "b")} == svg_ids(svg, "node")
    dot = pygraphviz.AGraph(
        string=routes.ok("dot", run="self_loop", depth="0").get_data(as_text=True)
    )
    a_id, b_id = element_id("op", "a"), element_id("op", "b")
    assert dot.has_edge(a_id, a_id) and dot.get_edge(a_id, a_id).attr["style"] != "dashed"
    assert dot.get_edge(b_id, b_id).attr["style"] == "dashed"
    a = routes.json("node", run="self_loop", name="a")
    assert [i["name"] for i in a["inputs"]] == ["x", "a"]
    assert a["outputs"][0]["consumers"] == ["a"]
    b = routes.json("node", run="self_loop", name="b")
    assert [(i["name"], i["control"]) for i in b["inputs"]] == [("^b", True), ("^a", True)]
    assert b["control_outputs"] == ["b"]


def test_an_empty_graph_draws_an_empty_view(routes):
    tree = routes.json("hierarchy", run="empty")
    assert (tree["op_count"], tree["children"]) == (0, [])
    assert routes.json("view", run="empty") == {"open": [], "boxes": 0}
    svg = routes.ok("svg", run="empty").data
    assert svg_problems(svg) == [] and svg_ids(svg, "node") == set()
    assert dot_node_ids(routes.ok("dot", run="empty").get_data(as_text=True)) == set()
    assert routes.ok("png", run="empty").data.startswith(b"\x89PNG")
    assert routes.json("search", run="empty", q="") == []
    routes.error(404, "node", run="empty", name="x")
    assert {"run": "empty", "op_count": 0} in [
        {k: g[k] for k in ("run", "op_count")} for g in routes.json("graphs")
    ]


@pytest.mark.parametrize("route", GRAPH_ROUTES)
def test_random_bytes_are_not_a_valid_graph_def_and_the_rest_still_work(routes, route):
    message = routes.error(422, route, run="garbage", **params_for(route))
    assert "not a valid GraphDef" in message
    assert routes.ok(route, run="good", **params_for(route)).data
    # Asked again, it is still a clear error (a failure is not cached as something else).
    assert "not a valid GraphDef" in routes.error(422, route, run="garbage", **params_for(route))


def test_duplicated_names_are_a_clear_error_naming_the_node(routes):
    message = routes.error(422, "svg", run="duplicate")
    assert "not a valid GraphDef" in message and "'dup'" in message
    assert routes.ok("svg", run="good").data


def test_broken_graphs_through_the_rust_data_server(tmp_path):
    write_broken_logdir(tmp_path)
    with data_server(tmp_path) as provider:
        wait_for(lambda: len(runs_with_graphs(provider)) == 6, "every graph")
        routes = Api(provider)
        assert "not a valid GraphDef" in routes.error(422, "svg", run="garbage")
        assert routes.json("view", run="empty") == {"open": [], "boxes": 0}
        missing = svg_ids(routes.ok("svg", run="missing", depth="1").data, "missing")
        assert element_id("missing", "ghost") in missing
        assert svg_ids(routes.ok("svg", run="good").data, "node")


# --- the command line ----------------------------------------------------------------------


def test_cli_lists_an_unreadable_graph_and_draws_the_others(logdir, capsys):
    status, out, err = run_cli(["list", logdir], capsys)
    assert status == 0 and err == ""
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert rows["garbage"] == "?" and rows["empty"] == "0" and rows["missing"] == "5"
    status, out, err = run_cli(["render", logdir, "--run", "garbage"], capsys)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "not a valid GraphDef" in err
    status, out, err = run_cli(["render", logdir, "--run", "missing", "--format", "dot"], capsys)
    assert status == 0 and element_id("missing", "ghost") in dot_node_ids(out)
    status, out, err = run_cli(["render", logdir, "--run", "empty", "--format", "dot"], capsys)
    assert status == 0 and dot_node_ids(out) == set()
