"""sources.py against logdirs and files written by TensorFlow itself and by hand-built protos."""

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
from tensorboard.compat.proto import config_pb2, event_pb2, graph_pb2, summary_pb2

from tb_scopegraph import sources
from tb_scopegraph.errors import NotFound, SourceError
from tb_scopegraph.sources import (
    CONCEPTUAL,
    OP_GRAPH,
    RUN_GRAPH,
    RUN_GRAPH_TAG,
    GraphInfo,
    GraphRef,
)

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
    return sources.local_provider(logdir)


def _read_names(provider, run: str) -> list[str]:
    p, ctx, eid = provider
    _, data = sources.read_graph(p, ctx, eid, GraphRef(run, RUN_GRAPH, RUN_GRAPH_TAG))
    return graphs.node_names(sources.parse_graph(RUN_GRAPH, data))


def test_lists_run_graphs_at_every_depth_sorted_by_run(provider):
    listed = sources.list_graphs(*provider)
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
    listed = sources.list_graphs(*provider, op_counts=False)
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
    key, data = sources.read_graph(p, ctx, eid, GraphRef("tf2", RUN_GRAPH, RUN_GRAPH_TAG))
    assert isinstance(key, str) and key
    assert p.read_blob(ctx, blob_key=key) == data


def test_tf1_file_writer_graph_keeps_output_shapes(provider):
    p, ctx, eid = provider
    _, data = sources.read_graph(p, ctx, eid, GraphRef("tf1/deep/ffn", RUN_GRAPH, RUN_GRAPH_TAG))
    graph = sources.parse_graph(RUN_GRAPH, data)
    matmul = next(n for n in graph.node if n.name == "layer1/MatMul")
    dims = [d.size for d in matmul.attr["_output_shapes"].list.shape[0].dim]
    assert dims == [-1, 8]


def test_op_graph_is_the_traced_functions_merged_as_tensorboard_does(provider):
    p, ctx, eid = provider
    _, data = sources.read_graph(p, ctx, eid, GraphRef("traced", OP_GRAPH, "g_trace"))
    graph = sources.parse_graph(OP_GRAPH, data)
    functions = config_pb2.RunMetadata.FromString(data).function_graphs
    assert len(graph.node) == sum(len(f.pre_optimization_graph.node) for f in functions) > 0
    names = graphs.node_names(graph)
    # With several function graphs, each gets a graph_<n>/ prefix (as in TensorBoard).
    if len(functions) > 1:
        assert all(name.startswith("graph_") for name in names)
    assert any(name == "dense/mul" or name.endswith("/dense/mul") for name in names)
    assert any(node.op == "Relu" for node in graph.node)


def test_conceptual_graph_is_the_keras_layers(provider):
    p, ctx, eid = provider
    _, data = sources.read_graph(p, ctx, eid, GraphRef("keras", CONCEPTUAL, "keras"))
    graph = sources.parse_graph(CONCEPTUAL, data)
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
        sources.parse_graph(kind, data)


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
        sources.read_graph(*provider, ref)
    with pytest.raises(NotFound):
        sources.latest_blob(*provider, ref)


def test_parse_graph_unknown_kind_is_not_found():
    with pytest.raises(NotFound, match="unknown graph kind"):
        sources.parse_graph("profile", graphs.add_graph().SerializeToString())


def test_latest_graph_of_a_run_wins(tmp_path):
    run = tmp_path / "run"
    old = event_pb2.Event(step=1, wall_time=3.0, graph_def=graphs.add_graph().SerializeToString())
    new = event_pb2.Event(
        step=5, wall_time=4.0, graph_def=graphs.series_graph(2).SerializeToString()
    )
    graphs.write_events(run, [old, new])
    provider = sources.local_provider(tmp_path)
    assert _read_names(provider, "run") == graphs.node_names(graphs.series_graph(2))
    assert [g.op_count for g in sources.list_graphs(*provider)] == [6]

    ref = GraphRef("run", RUN_GRAPH, RUN_GRAPH_TAG)
    blob = sources.latest_blob(*provider, ref)
    assert (blob.step, blob.wall_time) == (5, 4.0)
    assert blob.blob_key == sources.read_graph(*provider, ref)[0]


def test_every_kind_names_where_it_is_stored():
    assert set(sources.KIND_PLUGINS) == set(sources.KINDS) == {RUN_GRAPH, OP_GRAPH, CONCEPTUAL}
    assert sources.KIND_PLUGINS[RUN_GRAPH] == ("graphs",)
    assert set(sources.PLUGIN_NAMES) == {
        "graphs",
        "graph_run_metadata",
        "graph_run_metadata_graph",
        "graph_keras_model",
    }


def test_corrupt_graph_blob_lists_without_op_count(tmp_path):
    graphs.write_events(tmp_path / "bad", [event_pb2.Event(step=0, graph_def=b"\xff\xff\xff")])
    p, ctx, eid = sources.local_provider(tmp_path)
    assert sources.list_graphs(p, ctx, eid) == [GraphInfo("bad", RUN_GRAPH, RUN_GRAPH_TAG, None)]
    _, data = sources.read_graph(p, ctx, eid, GraphRef("bad", RUN_GRAPH, RUN_GRAPH_TAG))
    with pytest.raises(SourceError, match="not a valid GraphDef"):
        sources.parse_graph(RUN_GRAPH, data)


def test_truncated_event_file_keeps_the_events_before_the_damage(tmp_path):
    path = graphs.write_run_graph(tmp_path / "run", graphs.add_graph())
    graphs.write_events(tmp_path / "cut", [event_pb2.Event(step=0, graph_def=b"x" * 100)])
    cut = graphs.write_events(tmp_path / "cut", [], name="second")
    with open(cut, "ab") as f:
        f.write(open(path, "rb").read()[:-7])  # a record that ends too early
    listed = sources.list_graphs(*sources.local_provider(tmp_path))
    assert [(g.run, g.op_count) for g in listed] == [("cut", None), ("run", 3)]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02garbage\xff",
        b"\x0a\x05\x0a\x03abc",  # one node with a name and no op
        b"\xff" * 32,
        event_pb2.Event(step=3, wall_time=1.0).SerializeToString(),  # another protobuf
        summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="t")]).SerializeToString(),
        graphs.graph_from_nodes([("a", "Const"), ("a", "Const")]).SerializeToString(),
    ],
)
def test_parse_graph_rejects_bytes_that_are_no_graph(data):
    with pytest.raises(SourceError, match="not a valid GraphDef"):
        sources.parse_graph(RUN_GRAPH, data)


def test_parse_graph_accepts_an_empty_graph():
    assert len(sources.parse_graph(RUN_GRAPH, b"").node) == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_graph_of_any_bytes_is_a_named_graph_or_a_source_error(data):
    try:
        graph = sources.parse_graph(RUN_GRAPH, data)
    except SourceError as e:
        assert str(e).startswith("not a valid GraphDef")
    else:
        assert all(node.name and node.op for node in graph.node)


def test_load_graph_file_binary_and_text_written_by_tensorflow(tmp_path):
    graph_def = _tf1_ffn_graph().as_graph_def()
    tf.io.write_graph(graph_def, str(tmp_path), "g.pb", as_text=False)
    tf.io.write_graph(graph_def, str(tmp_path), "g.pbtxt", as_text=True)
    assert sources.load_graph_file(tmp_path / "g.pb") == graph_pb2.GraphDef.FromString(
        graph_def.SerializeToString()
    )
    loaded = sources.load_graph_file(str(tmp_path / "g.pbtxt"))
    assert graphs.node_names(loaded) == graphs.node_names(graph_def)


def test_load_graph_file_with_another_suffix_tries_binary_then_text(tmp_path):
    graph = graphs.ffn_graph(scoped=False)
    (tmp_path / "graph.bin").write_bytes(graph.SerializeToString())
    (tmp_path / "graph.txt").write_text(text_format.MessageToString(graph))
    (tmp_path / "graph").write_text(text_format.MessageToString(graph))
    for name in ("graph.bin", "graph.txt", "graph"):
        assert sources.load_graph_file(tmp_path / name) == graph


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.pb", b"\xff\xfe not a graph", "bad.pb: not a valid GraphDef"),
        ("bad.pbtxt", b'node { name: "a" op: ', "bad.pbtxt: not a valid text GraphDef"),
        ("bad.pbtxt", b'nodes { name: "a" }', "bad.pbtxt: not a valid text GraphDef"),
        ("bad.pbtxt", b"\xff\xfe", "bad.pbtxt: not a valid text GraphDef"),
        ("noop.pbtxt", b'node { name: "a" }', "node #0 has no name or no op"),
        ("bad", b"\xff\xfe", "bad: not a valid GraphDef"),
    ],
)
def test_load_graph_file_corrupt_files_are_source_errors(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SourceError, match=message):
        sources.load_graph_file(tmp_path / name)


def test_load_graph_file_missing_or_directory(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        sources.load_graph_file(tmp_path / "missing.pb")
    with pytest.raises(SourceError, match="cannot read"):
        sources.load_graph_file(tmp_path)


def test_local_provider_missing_path(tmp_path):
    with pytest.raises(SourceError, match="no such file or directory"):
        sources.local_provider(tmp_path / "missing")


def test_local_provider_logdir_without_event_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.txt").write_text("no events here")
    with pytest.raises(SourceError, match="no event files under"):
        sources.local_provider(tmp_path)


def test_local_provider_event_file_stands_for_its_folder(tmp_path):
    path = graphs.write_run_graph(tmp_path / "run", graphs.add_graph())
    listed = sources.list_graphs(*sources.local_provider(path))
    assert listed == [GraphInfo(".", RUN_GRAPH, RUN_GRAPH_TAG, 3)]
    (tmp_path / "graph.pb").write_bytes(b"")
    with pytest.raises(SourceError, match="not a logdir or an event file"):
        sources.local_provider(tmp_path / "graph.pb")


def test_local_provider_does_not_import_tensorflow(logdir, tmp_path):
    """Reading a logdir works with TensorFlow absent, and does not load it when present."""
    script = textwrap.dedent(
        f"""
        import sys
        block = sys.argv[1] == "block"
        if block:
            sys.modules["tensorflow"] = None
        from tb_scopegraph import sources
        listed = sources.list_graphs(*sources.local_provider({str(logdir)!r}))
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
        assert graphs.node_names(sources.graph_from_object(obj)) == ["a", "b", "c"]
    with pytest.raises(SourceError, match="not a graph: str"):
        sources.graph_from_object("a/b")
