"""reading/ against logdirs and files written by TensorFlow itself and by hand-built protos."""

import os
import subprocess
import sys
import textwrap

import graphs
import pytest
import tensorflow as tf
from google.protobuf import text_format
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorboard.compat.proto import (
    attr_value_pb2,
    config_pb2,
    event_pb2,
    function_pb2,
    graph_pb2,
    summary_pb2,
)

from tb_scopegraph.errors import NotFound, SourceError
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.reading import repair
from tb_scopegraph.reading.data_provider import latest_blob, list_graphs, load_graph, read_graph
from tb_scopegraph.reading.formats import KIND_PLUGINS, KINDS, PLUGIN_NAMES, parse_graph
from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY, expand_function_library
from tb_scopegraph.reading.graph import GraphInfo, GraphRef
from tb_scopegraph.reading.graph_def import graph_from_object
from tb_scopegraph.reading.graph_file import load_graph_file
from tb_scopegraph.reading.keras_model import CONCEPTUAL
from tb_scopegraph.reading.local import local_provider
from tb_scopegraph.reading.merge import merge_graph_defs
from tb_scopegraph.reading.meta_graph import META_GRAPH
from tb_scopegraph.reading.pytorch import tidy_pytorch_graph
from tb_scopegraph.reading.run_graph import RUN_GRAPH, RUN_GRAPH_TAG
from tb_scopegraph.reading.run_metadata import EAGER_SETUP, OP_GRAPH, PROFILE, parse_stats

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _tf1_add_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        a = tf.compat.v1.placeholder(tf.float32, name="a")
        b = tf.compat.v1.placeholder(tf.float32, name="b")
        tf.add(a, b, name="c")
    return graph


def _tf1_ffn_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        h = x
        for i, n in enumerate((8, 3), start=1):
            with tf.name_scope(f"layer{i}"):
                w = tf.compat.v1.Variable(tf.zeros([h.shape[1], n]), name="W")
                b = tf.compat.v1.Variable(tf.zeros([n]), name="b")
                h = tf.nn.relu(tf.matmul(h, w) + b)
    return graph


def _write_tf1(run_dir: str, graph: tf.Graph) -> None:
    with graph.as_default():
        writer = tf.compat.v1.summary.FileWriter(run_dir, graph=graph)
        writer.close()


@tf.function(autograph=False)
def _scaled_relu(x):
    with tf.name_scope("layer"):
        return tf.nn.relu(x * 2.0)


def _tf2_graph() -> tf.Graph:
    return _scaled_relu.get_concrete_function(tf.TensorSpec([None, 3], tf.float32)).graph


def _write_tf2(run_dir: str, graph: tf.Graph) -> None:
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(graph)
        tf.summary.scalar("loss", 0.5, step=0)
    writer.close()


@tf.function(autograph=False)
def _traced(x):
    with tf.name_scope("dense"):
        return tf.nn.relu(x * 2.0 + 1.0)


def _write_trace(run_dir: str) -> None:
    """What `tf.summary.trace_export` writes: a RunMetadata with the function graphs."""
    writer = tf.summary.create_file_writer(run_dir)
    tf.summary.trace_on(graph=True, profiler=False)
    _traced(tf.ones([2, 3]))
    with writer.as_default():
        tf.summary.trace_export(name="g_trace", step=0)
    writer.close()


def _keras_fork() -> tf.keras.Model:
    inputs = tf.keras.Input((8,), name="inp")
    left = tf.keras.layers.Dense(4, name="left")(inputs)
    right = tf.keras.layers.Dense(4, name="right")(inputs)
    return tf.keras.Model(inputs, tf.keras.layers.Add(name="join")([left, right]), name="fork")


def _write_keras_config(run_dir: str, config: str, version: bytes = b"1") -> None:
    """What Keras' TensorBoard callback writes for its model (tag "keras")."""
    plugin = summary_pb2.SummaryMetadata.PluginData(
        plugin_name="graph_keras_model", content=version
    )
    metadata = summary_pb2.SummaryMetadata(plugin_data=plugin).SerializeToString()
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.write(tag="keras", tensor=tf.constant(config), step=0, metadata=metadata)
    writer.close()


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    """Runs at several depths, written by TF1, TF2 and TensorBoard's own record writer."""
    root = tmp_path_factory.mktemp("logdir")
    _write_tf1(str(root), _tf1_add_graph())
    _write_tf1(str(root / "tf1" / "deep" / "ffn"), _tf1_ffn_graph())
    _write_tf2(str(root / "tf2"), _tf2_graph())
    graphs.write_run_graph(root / "protos" / "series", graphs.series_graph(6))
    _write_trace(str(root / "traced"))
    _write_keras_config(str(root / "keras"), _keras_fork().to_json())
    _write_keras_config(str(root / "keras_v2"), _keras_fork().to_json(), version=b"2")
    # A run with scalars only: it holds no graph.
    writer = tf.summary.create_file_writer(str(root / "scalars_only"))
    with writer.as_default():
        tf.summary.scalar("accuracy", 0.9, step=1)
    writer.close()
    return root


@pytest.fixture(scope="module")
def provider(logdir):
    return local_provider(logdir)


def _read_names(provider, run: str) -> list[str]:
    p, ctx, eid = provider
    _, data = read_graph(p, ctx, eid, GraphRef(run, RUN_GRAPH, RUN_GRAPH_TAG))
    return graphs.node_names(parse_graph(RUN_GRAPH, data))


def test_lists_run_graphs_at_every_depth_sorted_by_run(provider):
    listed = list_graphs(*provider)
    assert listed == [
        GraphInfo(".", RUN_GRAPH, RUN_GRAPH_TAG, 3),
        GraphInfo("keras", CONCEPTUAL, "keras", 4),
        GraphInfo("protos/series", RUN_GRAPH, RUN_GRAPH_TAG, 14),
        GraphInfo(
            "tf1/deep/ffn", RUN_GRAPH, RUN_GRAPH_TAG, len(_tf1_ffn_graph().as_graph_def().node)
        ),
        GraphInfo("tf2", RUN_GRAPH, RUN_GRAPH_TAG, len(_tf2_graph().as_graph_def().node)),
        GraphInfo("traced", OP_GRAPH, "g_trace", listed[-1].op_count),
    ]
    assert listed[-1].op_count > 5
    assert listed[0].ref == GraphRef(".", RUN_GRAPH, RUN_GRAPH_TAG)


def test_list_without_op_counts_reads_no_graph(provider):
    listed = list_graphs(*provider, op_counts=False)
    assert [g.run for g in listed] == [
        ".",
        "keras",
        "protos/series",
        "tf1/deep/ffn",
        "tf2",
        "traced",
    ]
    assert {g.op_count for g in listed} == {None}


def test_read_and_parse_give_back_the_written_graphs(provider):
    assert _read_names(provider, ".") == ["a", "b", "c"]
    assert _read_names(provider, "tf1/deep/ffn") == graphs.node_names(
        _tf1_ffn_graph().as_graph_def()
    )
    tf2_names = _read_names(provider, "tf2")
    assert tf2_names == graphs.node_names(_tf2_graph().as_graph_def())
    assert {"layer/mul", "layer/Relu"} <= set(tf2_names)
    assert _read_names(provider, "protos/series") == graphs.node_names(graphs.series_graph(6))


def test_read_graph_returns_a_blob_key_the_provider_resolves(provider):
    p, ctx, eid = provider
    key, data = read_graph(p, ctx, eid, GraphRef("tf2", RUN_GRAPH, RUN_GRAPH_TAG))
    assert isinstance(key, str) and key
    assert p.read_blob(ctx, blob_key=key) == data


def test_tf1_file_writer_graph_keeps_output_shapes(provider):
    p, ctx, eid = provider
    _, data = read_graph(p, ctx, eid, GraphRef("tf1/deep/ffn", RUN_GRAPH, RUN_GRAPH_TAG))
    graph = parse_graph(RUN_GRAPH, data)
    matmul = next(n for n in graph.node if n.name == "layer1/MatMul")
    dims = [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim]
    assert dims == [-1, 8]


def test_op_graph_is_the_traced_functions_merged_as_tensorboard_does(provider):
    p, ctx, eid = provider
    _, data = read_graph(p, ctx, eid, GraphRef("traced", OP_GRAPH, "g_trace"))
    graph = parse_graph(OP_GRAPH, data)
    functions = config_pb2.RunMetadata.FromString(data).function_graphs
    names = graphs.node_names(graph)
    library = f"{FUNCTION_LIBRARY}/"
    outside = [name for name in names if not name.startswith(library)]
    assert len(outside) == sum(len(f.pre_optimization_graph.node) for f in functions) > 0
    # Library functions the traced graphs carry are scopes of their own, one per function.
    bodies = {name.split("/")[1] for name in names if name.startswith(library)}
    assert len(bodies) == sum(len(f.pre_optimization_graph.library.function) for f in functions)
    # With several function graphs (a Keras fit earlier in the process leaves graph collection
    # on, so the trace may hold its functions too), each gets a graph_<n>/ prefix, as in
    # TensorBoard, and its library functions a graph_<n>_ prefix.
    if len(functions) > 1:
        # (Eager variable set-up is gathered under one scope, its graph_<n> kept.)
        assert all(name.startswith(("graph_", f"{EAGER_SETUP}/graph_")) for name in outside)
        assert all(body.startswith("graph_") for body in bodies)
    assert any(name == "dense/mul" or name.endswith("/dense/mul") for name in names)
    assert any(node.op == "Relu" for node in graph.node)


def test_conceptual_graph_is_the_keras_layers(provider):
    p, ctx, eid = provider
    _, data = read_graph(p, ctx, eid, GraphRef("keras", CONCEPTUAL, "keras"))
    graph = parse_graph(CONCEPTUAL, data)
    layers = [(node.name, node.op, list(node.input)) for node in graph.node]
    assert layers == [
        ("fork/inp", "InputLayer", []),
        ("fork/left", "Dense", ["fork/inp"]),
        ("fork/right", "Dense", ["fork/inp"]),
        ("fork/join", "Add", ["fork/left", "fork/right"]),
    ]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (OP_GRAPH, b"\xff\xff\xff", "not a valid RunMetadata"),
        (OP_GRAPH, b"", "holds no function graph"),
        (CONCEPTUAL, b"{not json", "not a Keras model config"),
        (CONCEPTUAL, b'{"class_name": 3}', "not a Keras model config"),
    ],
)
def test_other_kinds_reject_bad_data(kind, data, message):
    with pytest.raises(SourceError, match=message):
        parse_graph(kind, data)


@pytest.mark.parametrize(
    "ref",
    [
        GraphRef("no_such_run", RUN_GRAPH, RUN_GRAPH_TAG),
        GraphRef("scalars_only", RUN_GRAPH, RUN_GRAPH_TAG),
        GraphRef("tf2", RUN_GRAPH, "loss"),
        GraphRef("tf2", RUN_GRAPH, "no_such_tag"),
        GraphRef("tf2", "no_such_kind", RUN_GRAPH_TAG),
        GraphRef("keras_v2", CONCEPTUAL, "keras"),
        GraphRef("traced", OP_GRAPH, "no_such_trace"),
    ],
)
def test_read_graph_unknown_run_tag_or_kind_is_not_found(provider, ref):
    with pytest.raises(NotFound):
        read_graph(*provider, ref)
    with pytest.raises(NotFound):
        latest_blob(*provider, ref)


def test_parse_graph_unknown_kind_is_not_found():
    with pytest.raises(NotFound, match="unknown graph kind"):
        parse_graph("no_such_kind", graphs.add_graph().SerializeToString())


def test_latest_graph_of_a_run_wins(tmp_path):
    run = tmp_path / "run"
    old = event_pb2.Event(step=1, wall_time=3.0, graph_def=graphs.add_graph().SerializeToString())
    new = event_pb2.Event(
        step=5, wall_time=4.0, graph_def=graphs.series_graph(2).SerializeToString()
    )
    graphs.write_events(run, [old, new])
    provider = local_provider(tmp_path)
    assert _read_names(provider, "run") == graphs.node_names(graphs.series_graph(2))
    assert [g.op_count for g in list_graphs(*provider)] == [6]

    ref = GraphRef("run", RUN_GRAPH, RUN_GRAPH_TAG)
    blob = latest_blob(*provider, ref)
    assert (blob.step, blob.wall_time) == (5, 4.0)
    assert blob.blob_key == read_graph(*provider, ref)[0]


def test_every_kind_names_where_it_is_stored():
    served = {RUN_GRAPH, OP_GRAPH, PROFILE, CONCEPTUAL}
    assert set(KIND_PLUGINS) == served
    assert set(KINDS) == served | {META_GRAPH}  # read from event files only
    assert KIND_PLUGINS[RUN_GRAPH] == ("graphs",)
    assert KIND_PLUGINS[PROFILE] == ("graph_tagged_run_metadata", "graph_run_metadata")
    assert set(PLUGIN_NAMES) == {
        "graphs",
        "graph_run_metadata",
        "graph_run_metadata_graph",
        "graph_keras_model",
        "graph_tagged_run_metadata",
    }


def test_corrupt_graph_blob_lists_without_op_count(tmp_path):
    graphs.write_events(tmp_path / "bad", [event_pb2.Event(step=0, graph_def=b"\xff\xff\xff")])
    p, ctx, eid = local_provider(tmp_path)
    assert list_graphs(p, ctx, eid) == [GraphInfo("bad", RUN_GRAPH, RUN_GRAPH_TAG, None)]
    _, data = read_graph(p, ctx, eid, GraphRef("bad", RUN_GRAPH, RUN_GRAPH_TAG))
    with pytest.raises(SourceError, match="not a valid GraphDef"):
        parse_graph(RUN_GRAPH, data)


def test_truncated_event_file_keeps_the_events_before_the_damage(tmp_path):
    path = graphs.write_run_graph(tmp_path / "run", graphs.add_graph())
    graphs.write_events(tmp_path / "cut", [event_pb2.Event(step=0, graph_def=b"x" * 100)])
    cut = graphs.write_events(tmp_path / "cut", [], name="second")
    with open(cut, "ab") as f:
        f.write(open(path, "rb").read()[:-7])  # a record that ends too early
    listed = list_graphs(*local_provider(tmp_path))
    assert [(g.run, g.op_count) for g in listed] == [("cut", None), ("run", 3)]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02garbage\xff",
        b"\x0a\x05\x0a\x03abc",  # one node with a name and no op
        b"\xff" * 32,
        event_pb2.Event(step=3, wall_time=1.0).SerializeToString(),  # another protobuf
        summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="t")]).SerializeToString(),
        graphs.graph_bytes([graphs.field(1, b"a")], tail=b"\xff" * 8),  # no op, then junk
    ],
)
def test_parse_graph_rejects_bytes_that_are_no_graph(data):
    with pytest.raises(SourceError, match="not a valid GraphDef"):
        parse_graph(RUN_GRAPH, data)


def test_parse_graph_repairs_what_it_can_and_reports_it():
    graph = graphs.graph_from_nodes([("a", "Const"), ("a", "Const"), ("b", "Identity", ("a",))])
    with repair.collecting() as found:
        parsed = parse_graph(RUN_GRAPH, graph.SerializeToString())
    assert graphs.node_names(parsed) == ["a", "a (2)", "b"]
    assert [(w.kind, w.count, w.examples) for w in found.warnings()] == [
        ("duplicate_name", 1, ("a (2)",))
    ]
    # Outside a collecting block nothing is kept, and the graph is the same.
    assert parse_graph(RUN_GRAPH, graph.SerializeToString()) == parsed


def test_salvage_keeps_the_nodes_before_junk_and_reports_the_rest():
    good = graphs.ffn_graph()
    data = good.SerializeToString() + b"\x0a\x80"  # a node whose length is cut
    with repair.collecting() as found:
        parsed = parse_graph(RUN_GRAPH, data)
    assert graphs.node_names(parsed) == graphs.node_names(good)
    [warning] = found.warnings()
    assert warning.kind == "unreadable_bytes"
    assert warning.examples == (f"bytes {len(data) - 2}-{len(data)} of {len(data)}",)


def test_parse_graph_accepts_an_empty_graph():
    assert len(parse_graph(RUN_GRAPH, b"").node) == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_graph_of_any_bytes_is_a_named_graph_or_a_source_error(data):
    try:
        graph = parse_graph(RUN_GRAPH, data)
    except SourceError as e:
        assert str(e).startswith("not a valid GraphDef")
    else:
        assert all(node.name and node.op for node in graph.node)


def test_load_graph_file_binary_and_text_written_by_tensorflow(tmp_path):
    graph_def = _tf1_ffn_graph().as_graph_def()
    tf.io.write_graph(graph_def, str(tmp_path), "g.pb", as_text=False)
    tf.io.write_graph(graph_def, str(tmp_path), "g.pbtxt", as_text=True)
    assert load_graph_file(tmp_path / "g.pb") == graph_pb2.GraphDef.FromString(
        graph_def.SerializeToString()
    )
    loaded = load_graph_file(str(tmp_path / "g.pbtxt"))
    assert graphs.node_names(loaded) == graphs.node_names(graph_def)


def test_load_graph_file_with_another_suffix_tries_binary_then_text(tmp_path):
    graph = graphs.ffn_graph(scoped=False)
    (tmp_path / "graph.bin").write_bytes(graph.SerializeToString())
    (tmp_path / "graph.txt").write_text(text_format.MessageToString(graph))
    (tmp_path / "graph").write_text(text_format.MessageToString(graph))
    for name in ("graph.bin", "graph.txt", "graph"):
        assert load_graph_file(tmp_path / name) == graph


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.pb", b"\xff\xfe not a graph", "bad.pb: not a valid GraphDef"),
        ("bad.pbtxt", b'node { name: "a" op: ', "bad.pbtxt: not a valid text GraphDef"),
        ("bad.pbtxt", b'nodes { name: "a" }', "bad.pbtxt: not a valid text GraphDef"),
        ("bad.pbtxt", b"\xff\xfe", "bad.pbtxt: not a valid text GraphDef"),
        ("noop.pbtxt", b'node { name: "a" }', "no node has both a name and an op"),
        ("bad", b"\xff\xfe", "bad: not a valid GraphDef"),
    ],
)
def test_load_graph_file_corrupt_files_are_source_errors(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SourceError, match=message):
        load_graph_file(tmp_path / name)


def test_load_graph_file_missing_or_directory(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        load_graph_file(tmp_path / "missing.pb")
    with pytest.raises(SourceError, match="cannot read"):
        load_graph_file(tmp_path)


def test_local_provider_missing_path(tmp_path):
    with pytest.raises(SourceError, match="no such file or directory"):
        local_provider(tmp_path / "missing")


def test_local_provider_logdir_without_event_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("no events here")
    with pytest.raises(SourceError, match="no event files under"):
        local_provider(tmp_path)


def test_local_provider_event_file_stands_for_its_folder(tmp_path):
    path = graphs.write_run_graph(tmp_path / "run", graphs.add_graph())
    listed = list_graphs(*local_provider(path))
    assert listed == [GraphInfo(".", RUN_GRAPH, RUN_GRAPH_TAG, 3)]
    (tmp_path / "graph.pb").write_bytes(b"")
    with pytest.raises(SourceError, match="not a logdir or an event file"):
        local_provider(tmp_path / "graph.pb")


def test_local_provider_does_not_import_tensorflow(logdir, tmp_path):
    """Reading a logdir works with TensorFlow absent, and does not load it when present."""
    script = textwrap.dedent(
        f"""
        import sys
        block = sys.argv[1] == "block"
        if block:
            sys.modules["tensorflow"] = None
        from tb_scopegraph.reading.data_provider import list_graphs
        from tb_scopegraph.reading.local import local_provider
        listed = list_graphs(*local_provider({str(logdir)!r}))
        print([(g.run, g.op_count) for g in listed])
        print("tensorflow" in sys.modules and sys.modules["tensorflow"] is not None)
        """
    )
    for mode in ("block", "allow"):
        result = subprocess.run(
            [sys.executable, "-c", script, mode],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=True,
        )
        lines = result.stdout.splitlines()
        assert lines[0].startswith(
            "[('.', 3), ('keras', 4), ('protos/series', 14), ('tf1/deep/ffn',"
        )
        assert lines[1] == "False"


def test_graph_from_object_accepts_tensorflow_graphs_and_graph_defs():
    tf_graph = _tf1_add_graph()
    for obj in (tf_graph, tf_graph.as_graph_def(), graphs.add_graph()):
        assert graphs.node_names(graph_from_object(obj)) == ["a", "b", "c"]
    with pytest.raises(SourceError, match="not a graph: str"):
        graph_from_object("a/b")


# --- function libraries --------------------------------------------------------------------

LIB = FUNCTION_LIBRARY


def _with_library(nodes, *functions) -> graph_pb2.GraphDef:
    graph = graphs.graph_from_nodes(nodes)
    graph.library.function.extend(functions)
    return graph


def _double() -> function_pb2.FunctionDef:
    return graphs.function_def(
        "double",
        ["a"],
        [("mul", "Mul", ("a", "a"))],
        {"y": "mul:z:0"},
        arg_shapes=[[None, 3]],
    )


def _nodes(graph) -> dict:
    return {node.name: node for node in graph.node}


def test_function_bodies_become_scopes_their_call_sites_link_to():
    graph = _with_library(
        [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("call", "PartitionedCall", ("x",), {"f": graphs.func_attr("double")}),
            ("direct", "double", ("call",)),
        ],
        _double(),
    )
    expanded = parse_graph(RUN_GRAPH, graph.SerializeToString())
    nodes = _nodes(expanded)
    assert graphs.node_names(expanded) == [
        "x",
        "call",
        "direct",
        f"{LIB}/double/a",
        f"{LIB}/double/mul",
        f"{LIB}/double/y",
    ]
    arg = nodes[f"{LIB}/double/a"]
    assert (arg.op, list(arg.input)) == ("_Arg", ["^call", "^direct"])
    assert arg.attr["T"].type == 1 and arg.attr["index"].i == 0
    assert [d.size for d in arg.attr["_output_shapes"].list.shape[0].dim] == [-1, 3]
    assert list(nodes[f"{LIB}/double/mul"].input) == [f"{LIB}/double/a"] * 2
    result = nodes[f"{LIB}/double/y"]
    assert (result.op, list(result.input)) == ("_Retval", [f"{LIB}/double/mul"])
    assert not expanded.HasField("library")
    # The view draws the call sites' links to the library, and the argument's shape.
    hierarchy = Hierarchy(expanded)
    layout = hierarchy.layout(hierarchy.view(open=[LIB, f"{LIB}/double"]))
    boxes = layout.boxes
    edges = {(boxes[e.src].name, boxes[e.dst].name, e.control): e for e in layout.edges}
    assert ("call", f"{LIB}/double/a", True) in edges
    assert edges[(f"{LIB}/double/a", f"{LIB}/double/mul", False)].tensors[0].shape == "[?,3]"


def test_control_flow_and_case_branches_link_to_every_function_they_name():
    cond = graphs.function_def("cond", ["i"], [("less", "Less", ("i", "i"))], {"r": "less:z:0"})
    body = graphs.function_def("body", ["i"], [("inc", "AddV2", ("i", "i"))], {"r": "inc:z:0"})
    case = attr_value_pb2.AttrValue(
        list=attr_value_pb2.AttrValue.ListValue(
            func=[
                attr_value_pb2.NameAttrList(name="cond"),
                attr_value_pb2.NameAttrList(name="body"),
            ]
        )
    )
    graph = _with_library(
        [
            ("i", "Const"),
            (
                "loop",
                "While",
                ("i",),
                {"cond": graphs.func_attr("cond"), "body": graphs.func_attr("body")},
            ),
            ("pick", "Case", ("i", "loop"), {"branches": case}),
        ],
        cond,
        body,
    )
    nodes = _nodes(expand_function_library(graph))
    assert list(nodes[f"{LIB}/cond/i"].input) == ["^loop", "^pick"]
    assert list(nodes[f"{LIB}/body/i"].input) == ["^loop", "^pick"]


def test_function_outputs_are_numbered_across_output_args():
    two = graphs.function_def(
        "two", ["a"], [("n", "Neg", ("a",))], {"first": "n:y:0", "second": "n:y:0"}
    )
    user = graphs.function_def(
        "user",
        ["p", "flag"],
        [
            ("sw", "Switch", ("p", "flag")),
            ("call", "two", ("sw:output_true:0",)),
            ("split", "Split", ("flag", "p")),
            ("out", "AddN", ("call:second:0", "split:output:2", "^sw")),
        ],
        {"r": "out:sum:0"},
    )
    nodes = _nodes(expand_function_library(_with_library([("g", "Const")], two, user)))
    scope = f"{LIB}/user"
    assert list(nodes[f"{scope}/call"].input) == [f"{scope}/sw:1"]
    assert list(nodes[f"{scope}/out"].input) == [
        f"{scope}/call:1",
        f"{scope}/split:2",
        f"^{scope}/sw",
    ]
    assert list(nodes[f"{LIB}/two/a"].input) == [f"^{scope}/call"]


def test_function_library_names_stay_unique_and_inputs_to_nothing_show_as_missing():
    odd = graphs.function_def(
        'f "x"\n',
        ["a"],
        [("a", "Identity", ("a",)), ("b", "Neg", ("gone:y:0", "^a"))],
        {"a": "a:output:0"},
    )
    empty = graphs.function_def("noargs", [], [("k", "Const"), ("j", "Const")], {"r": "k:output:0"})
    recursive = graphs.function_def("again", ["a"], [("call", "again", ("a",))], {"r": "call:r:0"})
    graph = _with_library(
        [(f"{LIB}/taken", "Const"), ("c", "noargs"), ("d", "again")], odd, empty, recursive
    )
    expanded = parse_graph(RUN_GRAPH, graph.SerializeToString())
    names = graphs.node_names(expanded)
    assert len(names) == len(set(names))
    lib = f"{LIB}_"
    scope = f'{lib}/f "x"\n'
    # Argument `a`, node `a` and result `a` share a name in the function: all kept.
    assert [n for n in names if n.startswith(f"{scope}/a")] == [
        f"{scope}/a",
        f"{scope}/a (2)",
        f"{scope}/a (3)",
    ]
    nodes = _nodes(expanded)
    assert list(nodes[f"{scope}/a (2)"].input) == [f"{scope}/a"]
    assert list(nodes[f"{scope}/a (3)"].input) == [f"{scope}/a (2)"]
    assert list(nodes[f"{scope}/b"].input) == [f"{scope}/gone", f"^{scope}/a (2)"]
    assert list(nodes[f"{lib}/noargs/k"].input) == ["^c"]  # no argument: its first op
    assert list(nodes[f"{lib}/again/a"].input) == ["^d", f"^{lib}/again/call"]
    hierarchy = Hierarchy(expanded)
    view = hierarchy.view(depth=10)
    missing = [b.name for b in hierarchy.layout(view).boxes if b.kind == "missing"]
    assert missing == [f"{scope}/gone"]


def test_function_bodies_with_bad_nodes_are_repaired_as_graphs_are():
    body = [
        ("m", "Mul", ("a", "a")),
        ("m", "Add", ("a",)),
        ("", "Relu", ("m:z:0",)),
        ("q", "", ("m:z:0",)),
    ]
    broken = graphs.function_def("f", ["a"], body, {"out": "m:z:0"})
    nameless = graphs.function_def("", ["a"], [("k", "Identity", ("a",))], {})
    again = graphs.function_def("f", ["a"], [("k", "Identity", ("a",))], {})
    graph = _with_library([("x", "Placeholder"), ("call", "f", ("x",))], broken, nameless, again)
    with repair.collecting() as found:
        expanded = parse_graph(RUN_GRAPH, graph.SerializeToString())
    scope = f"{LIB}/f"
    assert [(n.name, n.op) for n in expanded.node] == [
        ("x", "Placeholder"),
        ("call", "f"),
        (f"{scope}/a", "_Arg"),
        (f"{scope}/m", "Mul"),
        (f"{scope}/m (2)", "Add"),
        (f"{scope}/q", repair.NO_OP),
        (f"{scope}/out", "_Retval"),
    ]
    assert [w.message for w in found.warnings()] == [
        "1 node has no name, skipped: f: #2",
        f"1 node has no op, drawn with op type (no op): {scope}/q",
        f"1 node repeats an earlier node's name, drawn renamed: {scope}/m (2)",
        "2 functions are nameless or named twice, left out: #1, f",
    ]


def test_graph_from_object_expands_a_copy_and_leaves_the_graph_passed_in():
    graph = _with_library([("call", "double")], _double())
    expanded = graph_from_object(graph)
    assert len(expanded.node) == 4 and len(graph.node) == 1
    assert graph.library.function[0].signature.name == "double"


def test_merge_keeps_control_inputs_and_follows_renamed_functions():
    first = _with_library(
        [("x", "Const"), ("w", "While", ("x", "^x"), {"body": graphs.func_attr("double")})],
        _double(),
    )
    second = graphs.graph_from_nodes([("x", "Const")])
    merged = merge_graph_defs([first, second])
    nodes = _nodes(merged)
    assert list(nodes["graph_1/w"].input) == ["graph_1/x", "^graph_1/x"]
    assert nodes["graph_1/w"].attr["body"].func.name == "graph_1_double"
    assert [f.signature.name for f in merged.library.function] == ["graph_1_double"]
    assert merge_graph_defs([second]) is second


# --- PyTorch graphs ------------------------------------------------------------------------


def _torch_graph(extra=()) -> graph_pb2.GraphDef:
    """What PyTorch writes for `Net(blocks=ModuleList([Block(fc=Linear)]))`: ops under the
    modules that ran them, parameters under the attribute path (ModuleList included)."""
    fc = "Net/ModuleList[blocks]/Block[0]/Linear[fc]"
    return graphs.graph_from_nodes(
        [
            ("input/x", "IO Node"),
            ("output/output.1", "IO Node", ("Net/Block[0]/input.3",)),
            (f"{fc}/weight/weight.1", "prim::GetAttr", (f"{fc}/weight/fc.1",)),
            (f"{fc}/bias/bias.1", "prim::GetAttr", (f"{fc}/weight/fc.1",)),
            (
                "Net/Block[0]/Linear[fc]/input.1",
                "aten::linear",
                ("input/x", f"{fc}/weight/weight.1", f"{fc}/bias/bias.1"),
            ),
            ("Net/Block[0]/input.3", "aten::relu", ("Net/Block[0]/Linear[fc]/input.1",)),
            *extra,
        ]
    )


def test_pytorch_ops_move_under_the_module_path_their_parameters_show():
    expanded = parse_graph(RUN_GRAPH, _torch_graph().SerializeToString())
    fc = "Net/ModuleList[blocks]/Block[0]/Linear[fc]"
    assert graphs.node_names(expanded) == [
        "input/x",
        "output/output.1",
        f"{fc}/weight/weight.1",
        f"{fc}/bias/bias.1",
        f"{fc}/input.1",
        "Net/ModuleList[blocks]/Block[0]/input.3",
    ]
    nodes = _nodes(expanded)
    assert list(nodes[f"{fc}/weight/weight.1"].input) == []  # the module object is no node
    assert list(nodes["Net/ModuleList[blocks]/Block[0]/input.3"].input) == [f"{fc}/input.1"]
    assert list(nodes["output/output.1"].input) == ["Net/ModuleList[blocks]/Block[0]/input.3"]
    assert Hierarchy(expanded).tree()["children"][2]["name"] == "Net"


def test_pytorch_renames_that_would_collide_are_not_made():
    clash = (("Net/ModuleList[blocks]/Block[0]/input.3", "aten::add"),)
    graph = tidy_pytorch_graph(_torch_graph(clash))
    names = graphs.node_names(graph)
    assert "Net/Block[0]/input.3" in names  # kept: its new name is taken
    assert "Net/ModuleList[blocks]/Block[0]/Linear[fc]/input.1" in names


def test_graphs_that_are_not_pytorch_keep_their_names():
    graph = graphs.ffn_graph()
    assert tidy_pytorch_graph(graphs.ffn_graph()) == graph


# --- profiles ------------------------------------------------------------------------------


def _run_metadata(*devices, graphs_inside=()) -> bytes:
    run_metadata = config_pb2.RunMetadata()
    for device, records in devices:
        dev = run_metadata.step_stats.dev_stats.add(device=device)
        for name, micros, nanos, memory in records:
            node = dev.node_stats.add(
                node_name=name, all_end_rel_micros=micros, all_end_rel_nanos=nanos
            )
            for total in memory:
                node.memory.add(total_bytes=total)
    for graph in graphs_inside:
        run_metadata.function_graphs.add().pre_optimization_graph.CopyFrom(graph)
    return run_metadata.SerializeToString()


def test_stats_sum_time_and_memory_per_node_as_tensorboard_does():
    data = _run_metadata(
        (
            "/job:localhost/replica:0/task:0/device:CPU:0",
            [
                ("a", 3, 0, [16, -4]),
                ("a", 2, 0, [8]),
                ("c", 0, 2500, []),
                ("", 9, 0, []),
            ],
        ),
        ("/device:GPU:0/stream:all", [("c:AddKernel", 4, 0, [])]),
        ("/device:GPU:0/stream:7", [("c:AddKernel", 4, 0, [])]),
    )
    assert parse_stats(data) == {
        "a": {"compute_us": 5.0, "memory_bytes": 24},
        "c": {"compute_us": 6.5, "memory_bytes": 0},
    }
    with pytest.raises(SourceError, match="not a valid RunMetadata"):
        parse_stats(b"\xff\xff")


def _profile_logdir(tmp_path, run_graph=None, graphs_inside=(), tagged=True) -> tuple:
    data = _run_metadata(
        ("/cpu:0", [("a", 7, 0, [4]), ("zz", 1, 0, [])]), graphs_inside=graphs_inside
    )
    if tagged:
        event = event_pb2.Event(
            step=1, tagged_run_metadata=event_pb2.TaggedRunMetadata(tag="step1", run_metadata=data)
        )
    else:
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name="graph_run_metadata", content=b"1"
            )
        )
        value = summary_pb2.Summary.Value(
            tag="step1", metadata=metadata, tensor={"dtype": 7, "string_val": [data]}
        )
        event = event_pb2.Event(step=1, summary=summary_pb2.Summary(value=[value]))
    events = [event]
    if run_graph is not None:
        events.append(event_pb2.Event(step=0, graph_def=run_graph.SerializeToString()))
    graphs.write_events(tmp_path / "run", events)
    return local_provider(tmp_path)


def test_a_tagged_profile_shows_its_run_graph_with_stats_by_node_name(tmp_path):
    provider = _profile_logdir(tmp_path, run_graph=graphs.add_graph())
    listed = [(g.run, g.kind, g.tag, g.op_count) for g in list_graphs(*provider)]
    # A run's graphs are listed before the profiles drawn on them.
    assert listed == [("run", RUN_GRAPH, RUN_GRAPH_TAG, 3), ("run", PROFILE, "step1", 3)]
    loaded = load_graph(*provider, GraphRef("run", PROFILE, "step1"))
    assert graphs.node_names(loaded.graph_def) == ["a", "b", "c"]
    assert loaded.stats == {"a": {"compute_us": 7.0, "memory_bytes": 4}}
    assert load_graph(*provider, GraphRef("run", RUN_GRAPH, RUN_GRAPH_TAG)).stats is None


def test_a_profile_without_any_graph_to_show_it_on_is_a_source_error(tmp_path):
    provider = _profile_logdir(tmp_path)
    (info,) = list_graphs(*provider)
    assert (info.kind, info.op_count) == (PROFILE, None)
    with pytest.raises(SourceError, match="holds no graph, and its run has no run graph"):
        load_graph(*provider, info.ref)


def test_a_trace_profile_shows_its_own_function_graphs_with_prefixed_names(tmp_path):
    inside = [graphs.add_graph(), graphs.graph_from_nodes([("zz", "Const")])]
    provider = _profile_logdir(tmp_path, graphs.ffn_graph(), graphs_inside=inside, tagged=False)
    kinds = {(g.kind, g.tag) for g in list_graphs(*provider)}
    assert kinds == {(OP_GRAPH, "step1"), (PROFILE, "step1"), (RUN_GRAPH, RUN_GRAPH_TAG)}
    loaded = load_graph(*provider, GraphRef("run", PROFILE, "step1"))
    assert graphs.node_names(loaded.graph_def) == [
        "graph_1/a",
        "graph_1/b",
        "graph_1/c",
        "graph_2/zz",
    ]
    assert loaded.stats == {
        "graph_1/a": {"compute_us": 7.0, "memory_bytes": 4},
        "graph_2/zz": {"compute_us": 1.0, "memory_bytes": 0},
    }


_TEXT_PIECES = st.sampled_from(
    [
        "node {",
        "}",
        "{",
        "<",
        ">",
        'name: "a"',
        'name: "b"',
        'op: "Op"',
        "op:",
        'input: "a"',
        'attr { key: "k" value { i: 3 } }',
        "value { i: x }",
        '"',
        "'",
        "# c\n",
        "\n",
        " ",
        ":",
        "[",
        "]",
        "versions { producer: 1 }",
        "library {",
        "node",
        "size: -1",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=40).map(" ".join))
def test_a_text_graph_file_of_any_pieces_is_a_named_graph_or_a_source_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("text") / "graph.pbtxt"
    path.write_text(text)
    try:
        graph = load_graph_file(path)
    except SourceError as e:
        assert str(e).startswith(f"{path}: ")
    else:
        assert all(node.name and node.op for node in graph.node)
