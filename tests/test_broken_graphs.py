"""Broken graphs through the routes and the command line: missing inputs, while-loop back edges,
self-loops, empty graphs, random bytes where a GraphDef should be; nodes without a name or an
op, repeated names, attributes, names and nodes whose bytes do not parse, a GraphDef cut short.

Whatever can be drawn is drawn (a missing input as a marked node, the rest of a graph around
its bad nodes), and what was skipped or repaired comes back as `warnings` (the routes) or one
line per kind on stderr (the command line). A graph of which nothing can be read gives a clear
error for that graph only, and every other graph of the logdir still works.

Graphs whose nodes are wrong are written by TensorFlow's own writer (`tf.summary.graph` writes
whatever GraphDef it is given); bytes no writer makes (an attribute that does not parse, a name
that is not UTF-8, a GraphDef cut short) are written as raw records.
"""

from __future__ import annotations

import random

import pygraphviz
import pytest
from graphs import (
    bad_nodes_graph,
    ffn_graph,
    field,
    graph_bytes,
    graph_from_nodes,
    write_events,
    write_run_graph,
)
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
from tensorboard.compat.proto import attr_value_pb2, event_pb2, graph_pb2, types_pb2

from tb_scopegraph.drawing.dottext import element_id

GARBAGE = random.Random(5).randbytes(4096)
GRAPH_ROUTES = ("hierarchy", "view", "dot", "svg", "png", "search", "node")
#: The view of a graph with no ops: nothing open, nothing rolled.
EMPTY_VIEW = {
    "open": [],
    "boxes": 0,
    "depth": 0,
    "deepest": 0,
    "rolled": {},
    "unrolled": [],
    "warnings": [],
    "colourings": ["op", "structure"],
}


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
    # Placeholders: a constant feeding one op is drawn folded into it, not as a box.
    return graph_from_nodes(
        [("dup", "Placeholder"), ("dup", "Placeholder"), ("use", "Identity", ("dup",))]
    )


def kinds(warnings: list[dict]) -> dict[str, int]:
    return {w["kind"]: w["count"] for w in warnings}


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
    [warning] = routes.json("view", run="missing", depth="1")["warnings"]
    assert (
        warning["message"]
        == "3 inputs name no node, drawn as missing nodes: ghost, phantom, s/gone"
    )


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
    assert (tree["op_count"], tree["children"], tree["warnings"]) == (0, [], [])
    assert routes.json("view", run="empty") == EMPTY_VIEW
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


def test_a_repeated_name_is_drawn_renamed_and_warned_of(routes):
    svg = routes.ok("svg", run="duplicate", depth="1").data
    assert svg_ids(svg, "node") == {element_id("op", n) for n in ("dup", "dup (2)", "use")}
    view = routes.json("view", run="duplicate")
    assert view["warnings"] == [
        {
            "kind": "duplicate_name",
            "count": 1,
            "message": "1 node repeats an earlier node's name, drawn renamed: dup (2)",
            "examples": ["dup (2)"],
        }
    ]
    assert routes.json("hierarchy", run="duplicate")["warnings"] == view["warnings"]
    # An input naming it means the first.
    assert routes.json("node", run="duplicate", name="dup")["outputs"][0]["consumers"] == ["use"]
    assert routes.json("view", run="good")["warnings"] == []


def test_broken_graphs_through_the_rust_data_server(tmp_path):
    write_broken_logdir(tmp_path)
    with data_server(tmp_path) as provider:
        wait_for(lambda: len(runs_with_graphs(provider)) == 6, "every graph")
        routes = Api(provider)
        assert "not a valid GraphDef" in routes.error(422, "svg", run="garbage")
        assert routes.json("view", run="empty") == EMPTY_VIEW
        missing = svg_ids(routes.ok("svg", run="missing", depth="1").data, "missing")
        assert element_id("missing", "ghost") in missing
        assert kinds(routes.json("view", run="missing")["warnings"]) == {"missing_input": 3}
        assert kinds(routes.json("view", run="duplicate")["warnings"]) == {"duplicate_name": 1}
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


# --- graphs with bad parts: the rest is drawn, what was left out is told --------------------


def write_with_tensorflow(run_dir, graph: graph_pb2.GraphDef) -> None:
    """`graph` as a run graph, written by TensorFlow's own writer (which checks no node)."""
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(run_dir))
    with writer.as_default():
        tf.summary.graph(tf.compat.v1.GraphDef.FromString(graph.SerializeToString()))
    writer.close()


def node_bytes(name: bytes, op: bytes, inputs=(), attrs=()) -> bytes:
    """A NodeDef on the wire: `attrs` are (key, AttrValue bytes), which may be any bytes."""
    out = field(1, name) + field(2, op) + b"".join(field(3, i) for i in inputs)
    return out + b"".join(field(5, field(1, key) + field(2, value)) for key, value in attrs)


def bad_bytes_nodes() -> bytes:
    """Nodes no writer makes: an attribute whose bytes do not parse beside one that does, and
    a name that is not UTF-8."""
    good_t = attr_value_pb2.AttrValue(type=types_pb2.DT_FLOAT).SerializeToString()
    nodes = [
        node_bytes(b"x", b"Placeholder"),
        node_bytes(b"y", b"Identity", [b"x"], [(b"T", good_t), (b"_output_shapes", b"\x0a\xff")]),
        node_bytes(b"bad\xffname", b"Identity", [b"x"]),
        node_bytes(b"z", b"Identity", [b"y"]),
    ]
    return graph_bytes(nodes)


# Then a node cut short: its length runs past the end of the GraphDef.
CUT_NODE = field(1, node_bytes(b"w", b"Identity", [b"z"]))[:-3]
BAD_BYTES = bad_bytes_nodes() + CUT_NODE


def nameless_graph() -> graph_pb2.GraphDef:
    graph = graph_from_nodes([("x", "Placeholder"), ("y", "Identity", ("x",))])
    graph.node[0].name = graph.node[1].name = ""
    return graph


@pytest.fixture(scope="module")
def bad_parts_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("bad_parts")
    write_with_tensorflow(logdir / "bad_nodes", bad_nodes_graph())
    write_with_tensorflow(logdir / "nothing", nameless_graph())
    write_events(logdir / "bad_bytes", [event_pb2.Event(step=0, graph_def=BAD_BYTES)])
    write_run_graph(logdir / "good", ffn_graph())
    return logdir


BAD_NODES_WARNINGS = [
    "1 node has no name, skipped: #3 (Relu)",
    "1 node has no op, drawn with op type (no op): dense/w",
    "1 node repeats an earlier node's name, drawn renamed: out (2)",
    "1 input names no node, drawn as missing nodes: dense/Relu",
]
BAD_BYTES_WARNINGS = [
    f"1 byte range does not parse, left out: bytes {len(bad_bytes_nodes())}-{len(BAD_BYTES)} "
    f"of {len(BAD_BYTES)}",
    "1 node field does not parse, left out: #2: name",
    "1 attribute does not parse, left out: y: '_output_shapes'",
    "1 node has no name, skipped: #2 (Identity)",
]


def check_bad_parts(routes: Api) -> None:
    svg = routes.ok("svg", run="bad_nodes", depth="2").data
    ops = {element_id("op", n) for n in ("x", "dense/w", "dense/MatMul", "out", "out (2)")}
    assert svg_ids(svg, "node") == ops | {element_id("missing", "dense/Relu")}
    view = routes.json("view", run="bad_nodes", depth="2")
    assert [w["message"] for w in view["warnings"]] == BAD_NODES_WARNINGS
    assert routes.json("node", run="bad_nodes", name="dense/w")["op"] == "(no op)"
    assert routes.json("node", run="bad_nodes", name="out")["op"] == "Identity"  # the first
    assert routes.json("node", run="bad_nodes", name="out (2)")["op"] == "Const"

    svg = routes.ok("svg", run="bad_bytes", depth="1").data
    assert svg_ids(svg, "node") == {element_id("op", n) for n in ("x", "y", "z")}
    hierarchy = routes.json("hierarchy", run="bad_bytes")
    assert [w["message"] for w in hierarchy["warnings"]] == BAD_BYTES_WARNINGS
    assert set(routes.json("node", run="bad_bytes", name="y")["attrs"]) == {"T"}

    message = routes.error(422, "svg", run="nothing")
    assert message == "not a valid GraphDef (no node has both a name and an op)"
    assert routes.json("view", run="good")["warnings"] == []


def test_the_rest_of_a_graph_with_bad_parts_is_drawn_with_warnings(bad_parts_logdir):
    check_bad_parts(Api(multiplexer(bad_parts_logdir)))


def test_the_rest_of_a_graph_with_bad_parts_through_the_rust_data_server(bad_parts_logdir):
    with data_server(bad_parts_logdir) as provider:
        wait_for(lambda: len(runs_with_graphs(provider)) == 4, "every graph")
        check_bad_parts(Api(provider))


def test_the_first_view_carries_its_warnings(tmp_path):
    from tensorboard.context import RequestContext

    write_with_tensorflow(tmp_path / "bad_nodes", bad_nodes_graph())
    routes = Api(multiplexer(tmp_path))
    first = routes.plugin.warmup.first(RequestContext(), "", wait=120)
    assert "<svg" in first["view"]["svg"]
    assert kinds(first["view"]["warnings"]) == {
        "no_name": 1,
        "no_op": 1,
        "duplicate_name": 1,
        "missing_input": 1,
    }


def test_cli_draws_the_rest_and_prints_one_line_per_kind(bad_parts_logdir, capsys):
    for run, expected in (("bad_nodes", BAD_NODES_WARNINGS), ("bad_bytes", BAD_BYTES_WARNINGS)):
        status, out, err = run_cli(
            ["render", bad_parts_logdir, "--run", run, "--format", "dot"], capsys
        )
        assert status == 0 and element_id("op", "x") in dot_node_ids(out)
        assert err.splitlines() == [f"tb-scopegraph: warning: {line}" for line in expected]
    status, out, err = run_cli(["render", bad_parts_logdir, "--run", "nothing"], capsys)
    assert status == 1 and out == ""
    assert err == (
        "tb-scopegraph: error: run 'nothing': "
        "not a valid GraphDef (no node has both a name and an op)\n"
    )
    status, out, err = run_cli(["list", bad_parts_logdir], capsys)
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]}
    assert rows == {
        "bad_bytes": "3",
        "bad_nodes": "5",
        "good": str(len(ffn_graph().node)),
        "nothing": "?",
    }


def test_a_text_graph_file_written_by_tensorflow_is_repaired_too(tmp_path, capsys):
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef.FromString(bad_nodes_graph().SerializeToString())
    tf.io.write_graph(graph, str(tmp_path), "model.pbtxt", as_text=True)
    status, out, err = run_cli(["render", tmp_path / "model.pbtxt", "--format", "dot"], capsys)
    assert status == 0 and element_id("op", "dense/MatMul") in dot_node_ids(out)
    assert err.splitlines() == [f"tb-scopegraph: warning: {line}" for line in BAD_NODES_WARNINGS]


def test_a_text_graph_file_edited_wrong_keeps_the_nodes_that_parse(tmp_path, capsys):
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef.FromString(ffn_graph().SerializeToString())
    tf.io.write_graph(graph, str(tmp_path), "model.pbtxt", as_text=True)
    path = tmp_path / "model.pbtxt"
    text = path.read_text()
    # A size no parser takes in one node's shapes, a misspelt field in another, a cut.
    first = text.index("size: ", text.index('name: "layer1/MatMul"'))
    text = text[:first] + "size: many" + text[text.index("\n", first) :]
    text = text.replace('op: "Relu"', 'op: "Relu"\n  colour: "red"', 1)
    cut = text.rindex("node {")
    path.write_text(text[: cut + 20])
    names = [n.name for n in ffn_graph().node]
    # Every scope of the nodes that parse open (a depth leaves the variables' closed).
    scopes = sorted({n.rpartition("/")[0] for n in names[:-1]} - {""})
    argv = ["render", path, "--open", *scopes, "--format", "dot"]
    status, out, err = run_cli(argv, capsys)
    assert status == 0
    drawn = dot_node_ids(out)
    assert {element_id("op", n) for n in names[:-1]} <= drawn
    assert element_id("op", names[-1]) not in drawn
    lines = err.splitlines()
    assert len(lines) == 3 and all(line.startswith("tb-scopegraph: warning: 1 ") for line in lines)
    assert "byte range does not parse, left out: text from line" in lines[0]
    assert "node field does not parse, left out: line " in lines[1] and "colour" in lines[1]
    assert "attribute does not parse, left out: line " in lines[2]
    assert '"_output_shapes"' in lines[2]
