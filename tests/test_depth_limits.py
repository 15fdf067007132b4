"""Nesting bombs in every parser that reads a log: a clear refusal past each stated limit.

A Keras config of deeply nested JSON, binary and text protobuf whose messages nest past
protobuf's limit (a GraphDef's attrs nest: func → attr → func), a RunMetadata and a
MetaGraphDef holding such a graph, a SavedModel in text: the routes answer 422 naming the
limit, the command line one line and status 1, never a 500 or a RecursionError. Nesting that
is not a parser's (function libraries calling each other in long chains and cycles, 10,000
nested name scopes) is drawn.

`Routes`, `multiplexer` and `run_cli` here are small copies of the helpers of
tests/test_hostile.py, kept local while the shared ones move into a harness module.
"""

from __future__ import annotations

import pytest
from graphs import func_attr, function_def, graph_from_nodes, write_events, write_run_graph
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider as mux_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.compat.proto import (
    event_pb2,
    graph_pb2,
    summary_pb2,
    tensor_pb2,
    types_pb2,
)
from tensorboard.plugins import base_plugin
from werkzeug.test import Client

from tb_scopegraph import cli, plugin
from tb_scopegraph.reading.depth import MAX_JSON_DEPTH, MAX_MESSAGE_DEPTH, json_depth

PREFIX = "/data/plugin/scopegraph"


class Routes:
    """The plugin inside TensorBoard's WSGI app over a `--load_fast=false` provider."""

    def __init__(self, logdir):
        mux = plugin_event_multiplexer.EventMultiplexer()
        mux.AddRunsFromDirectory(str(logdir))
        mux.Reload()
        provider = mux_provider.MultiplexerDataProvider(mux, str(logdir))
        context = base_plugin.TBContext(data_provider=provider, logdir="")
        app = application.TensorBoardWSGI(
            [plugin.ScopeGraphPlugin(context)], data_provider=provider
        )
        self.client = Client(app)

    def get(self, route: str, **params):
        return self.client.get(f"{PREFIX}/{route}", query_string=params)

    def error(self, code: int, route: str, **params) -> str:
        response = self.get(route, **params)
        assert response.status_code == code, response.get_data(as_text=True)[:2000]
        body = response.get_json()
        assert "Traceback" not in body["error"]
        return body["error"]


def run_cli(argv, capsys) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def cli_error(argv, capsys) -> str:
    """The one line the command line prints when it refuses `argv` with status 1."""
    status, out, err = run_cli(argv, capsys)
    assert status == 1 and out == "", err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err


# --- bombs ---------------------------------------------------------------------------------


def nested_attr_graph(levels: int) -> graph_pb2.GraphDef:
    """A GraphDef whose one attr nests `levels` functions deep (3 messages per level)."""
    graph = graph_from_nodes([("x", "Placeholder"), ("y", "Identity", ("x",))])
    value = graph.node[1].attr["f"]
    for _ in range(levels):
        value.func.name = "g"
        value = value.func.attr["inner"]
    return graph


DEEP_GRAPH = nested_attr_graph(MAX_MESSAGE_DEPTH)  # 300 messages deep
SHALLOW_GRAPH = nested_attr_graph(10)


def keras_config(models: int) -> str:
    """A Sequential model holding a model holding a model... `models` deep, one layer each.

    Written as text: `json.dumps` itself recurses per level.
    """
    config = ""
    for i in range(models):
        layers = f'{{"class_name": "Dense", "config": {{"name": "dense{i}"}}}}'
        layers += f", {config}" if config else ""
        inner = f'{{"name": "m{i}", "layers": [{layers}]}}'
        config = f'{{"class_name": "Sequential", "config": {inner}}}'
    return config


def summary_event(plugin_name: str, tag: str, data: bytes) -> event_pb2.Event:
    """A graph summary as TensorBoard's graph plugin stores it (a string tensor, version 1)."""
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name, content=b"1")
    )
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[data])
    value = summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)
    return event_pb2.Event(step=0, wall_time=2.0, summary=summary_pb2.Summary(value=[value]))


def field(number: int, data: bytes) -> bytes:
    """`data` as a message field `number` in protobuf's wire format (protobuf itself will not
    build a message holding one nested past its limit)."""
    size, length = len(data), b""
    while size >= 0x80:
        length += bytes([size & 0x7F | 0x80])
        size >>= 7
    return bytes([number << 3 | 2]) + length + bytes([size]) + data


DEEP_BYTES = DEEP_GRAPH.SerializeToString()
# RunMetadata.function_graphs(4).pre_optimization_graph(3); MetaGraphDef.graph_def(2).
DEEP_TRACE = field(4, field(3, DEEP_BYTES))
DEEP_META = field(2, DEEP_BYTES)


def function_chain(n: int, cycle: bool) -> graph_pb2.GraphDef:
    """A graph calling f0, which calls f1, ... f{n-1}; which calls f0 again if `cycle`."""
    graph = graph_from_nodes([("x", "Placeholder")])
    graph.node.add(name="call", op="PartitionedCall", input=["x"]).attr["f"].CopyFrom(
        func_attr("f0")
    )
    for i in range(n):
        callee = f"f{(i + 1) % n}" if cycle or i + 1 < n else None
        nodes = [("call", "PartitionedCall", ("a",))] if callee else [("call", "Identity", ("a",))]
        function = function_def(f"f{i}", ["a"], nodes, {"out": "call:output:0"})
        if callee:
            function.node_def[0].attr["f"].CopyFrom(func_attr(callee))
        graph.library.function.append(function)
    return graph


def deep_scopes(levels: int) -> graph_pb2.GraphDef:
    """Ops at 10, 100, 1,000... `levels` nested scopes `a/a/a/...`."""
    nodes = [("x", "Placeholder")]
    depth = 10
    while depth <= levels:
        nodes.append(("/".join(["a"] * depth) + "/op", "Identity", ("x",)))
        depth = depth * 10 if depth < levels else levels + 1
    return graph_from_nodes(nodes)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("depth")
    write_run_graph(root / "good", SHALLOW_GRAPH)
    write_run_graph(root / "deep_graph", DEEP_GRAPH)
    bomb = b"[" * 100_000 + b"]" * 100_000
    write_events(root / "json_bomb", [summary_event("graph_keras_model", "keras", bomb)])
    nested = keras_config(400).encode()
    write_events(root / "nested_models", [summary_event("graph_keras_model", "keras", nested)])
    fine = keras_config(60).encode()
    write_events(root / "sixty_models", [summary_event("graph_keras_model", "keras", fine)])
    deep_trace = summary_event("graph_run_metadata_graph", "trace", DEEP_TRACE)
    write_events(root / "deep_trace", [deep_trace])
    write_run_graph(root / "chain", function_chain(3_000, cycle=False))
    write_run_graph(root / "cycle", function_chain(3_000, cycle=True))
    write_run_graph(root / "scopes", deep_scopes(10_000))
    return root


@pytest.fixture(scope="module")
def routes(logdir) -> Routes:
    return Routes(logdir)


# --- the limits themselves ----------------------------------------------------------------


def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth('{"a": [1, {"b": "[[[{{"}], "c\\"[": []}') == 3
    assert json_depth("7") == 0
    assert json_depth("[" * 5000 + "]" * 5000) == 5000


def test_a_limit_leaves_room_for_real_nesting():
    # What a nested Keras model and a GraphDef with nested attrs need, well inside each limit.
    assert json_depth(keras_config(60)) < MAX_JSON_DEPTH
    assert graph_pb2.GraphDef.FromString(SHALLOW_GRAPH.SerializeToString()) == SHALLOW_GRAPH


# --- through the routes --------------------------------------------------------------------


@pytest.mark.parametrize("route", ["svg", "view", "hierarchy"])
def test_a_json_bomb_in_a_keras_config_is_a_422_naming_the_limit(routes, route):
    message = routes.error(422, route, run="json_bomb")
    assert "nests 100000 levels deep" in message and f"limit of {MAX_JSON_DEPTH}" in message


def test_keras_models_nested_past_the_limit_are_refused_and_sixty_are_drawn(routes):
    message = routes.error(422, "svg", run="nested_models")
    assert "Keras model config" in message and f"limit of {MAX_JSON_DEPTH}" in message
    response = routes.get("svg", run="sixty_models", depth=100)
    assert response.status_code == 200 and b"dense0" in response.data


@pytest.mark.parametrize("run", ["deep_graph", "deep_trace"])
def test_protobuf_nested_past_its_limit_is_a_422_naming_the_limit(routes, run):
    message = routes.error(422, "svg", run=run)
    assert f"protobuf's limit of {MAX_MESSAGE_DEPTH}" in message
    assert routes.get("svg", run="good").status_code == 200


def test_the_listing_shows_every_graph_and_counts_none_of_the_bombs(routes):
    response = routes.get("graphs")
    assert response.status_code == 200
    counts = {g["run"]: g["op_count"] for g in response.get_json()}
    assert counts["json_bomb"] is None and counts["deep_graph"] is None
    assert counts["good"] == 2 and counts["sixty_models"] == 60


@pytest.mark.parametrize("run", ["chain", "cycle"])
def test_functions_calling_each_other_in_long_chains_and_cycles_are_drawn(routes, run):
    view = routes.get("view", run=run)
    assert view.status_code == 200, view.get_data(as_text=True)
    response = routes.get("svg", run=run, open="__function_library__")
    assert response.status_code == 200 and b"<svg" in response.data


def test_ten_thousand_nested_scopes_are_drawn_all_open(routes):
    response = routes.get("svg", run="scopes", depth=10_000)
    assert response.status_code == 200 and b"<svg" in response.data


# --- through the command line --------------------------------------------------------------


def test_cli_refuses_a_json_bomb_in_one_line(logdir, capsys):
    err = cli_error(["render", logdir, "--run", "json_bomb"], capsys)
    assert f"limit of {MAX_JSON_DEPTH}" in err


def test_cli_refuses_a_meta_graph_event_nested_too_deep_in_one_line(tmp_path, capsys):
    # Not in the shared logdir: TensorBoard's own multiplexer fails reading it (its
    # accumulator parses every meta graph, unguarded), and only the command line shows one.
    meta_event = event_pb2.Event(step=0, wall_time=2, meta_graph_def=DEEP_META)
    write_events(tmp_path / "deep_meta", [meta_event])
    err = cli_error(["render", tmp_path, "--run", "deep_meta"], capsys)
    assert f"protobuf's limit of {MAX_MESSAGE_DEPTH}" in err


def nested_attr_text(levels: int) -> str:
    """`nested_attr_graph(levels)` in text format, written out by hand (protobuf's own
    printer copies map entries through the binary decoder, which refuses the deep ones)."""
    return (
        'node { name: "x" op: "Placeholder" } node { name: "y" op: "Identity" input: "x" '
        + 'attr { key: "f" value { func { name: "g" ' * levels
        + "} } } " * levels
        + "}"
    )


@pytest.mark.parametrize("name", ["deep.pbtxt", "deep.txt"])
def test_cli_refuses_a_text_graph_nested_too_deep_in_one_line(tmp_path, capsys, name):
    (tmp_path / name).write_text(nested_attr_text(MAX_MESSAGE_DEPTH))
    err = cli_error(["render", tmp_path / name], capsys)
    assert name in err and f"limit of {MAX_MESSAGE_DEPTH}" in err


def test_cli_draws_a_text_graph_nested_within_the_limit(tmp_path, capsys):
    (tmp_path / "fine.pbtxt").write_text(nested_attr_text(10))
    status, out, err = run_cli(["render", tmp_path / "fine.pbtxt", "--format", "dot"], capsys)
    assert status == 0 and "digraph" in out


def test_cli_refuses_a_text_saved_model_nested_too_deep_in_one_line(tmp_path, capsys):
    folder = tmp_path / "model"
    folder.mkdir()
    text = f"meta_graphs {{ graph_def {{ {nested_attr_text(MAX_MESSAGE_DEPTH)} }} }}"
    (folder / "saved_model.pbtxt").write_text(text)
    err = cli_error(["render", folder], capsys)
    assert "saved_model.pbtxt" in err and f"limit of {MAX_MESSAGE_DEPTH}" in err


@pytest.mark.parametrize("name", ["deep.pb", "deep.meta", "deep.bin"])
def test_cli_refuses_a_binary_file_nested_too_deep_in_one_line(tmp_path, capsys, name):
    (tmp_path / name).write_bytes(DEEP_META if name.endswith(".meta") else DEEP_BYTES)
    err = cli_error(["render", tmp_path / name], capsys)
    assert name in err and f"protobuf's limit of {MAX_MESSAGE_DEPTH}" in err


def test_cli_draws_ten_thousand_nested_scopes(logdir, capsys):
    status, out, err = run_cli(
        ["render", logdir, "--run", "scopes", "--depth", "10000", "--format", "dot"], capsys
    )
    assert status == 0 and "digraph" in out, err
