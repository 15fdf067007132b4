"""Every graph writer people use, run here, then read back through the engine, CLI and routes.

One logdir (written once per module) holds a run per writer: a TF1 FileWriter graph with a
FULL_TRACE profile, a run holding only a meta graph, a TF2 `tf.summary.graph` of a
tf.function with a while loop, a cond and a nested tf.function, `trace_export` without and
with the profiler, Keras 3's TensorBoard callback, PyTorch's and tensorboardX's `add_graph`
of a module tree with a ModuleList and a Sequential. Beside it: a SavedModel and a `.meta`.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import tensorflow as tf  # the writers are the point: a missing one fails, never skips
import torch
from harness import PROVIDERS, Api, runs_with_graphs, start, wait_for

from tb_scopegraph import cli
from tb_scopegraph.errors import NotFound
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY
from tb_scopegraph.reading.graph import GraphRef
from tb_scopegraph.reading.keras_model import CONCEPTUAL
from tb_scopegraph.reading.local import LocalGraphs
from tb_scopegraph.reading.meta_graph import META_GRAPH, META_GRAPH_TAG
from tb_scopegraph.reading.run_graph import RUN_GRAPH, RUN_GRAPH_TAG
from tb_scopegraph.reading.run_metadata import OP_GRAPH, PROFILE
from tb_scopegraph.reading.saved_model import SAVED_MODEL
from tb_scopegraph.service.local import hierarchy_of

# The writers' own deprecation notices (torch.jit.trace inside add_graph, Keras' numpy calls).
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.jit._trace"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:keras.src.backend.tensorflow.core"),
]

SVG_NS = "{http://www.w3.org/2000/svg}"
LAYERS = 5  # blocks in the PyTorch ModuleList: enough to fold into a series

# --- the writers ---------------------------------------------------------------------------


def _tf1_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        h = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        for i, n in enumerate((8, 3), start=1):
            with tf.compat.v1.variable_scope(f"layer{i}"):
                w = tf.compat.v1.get_variable("W", [h.shape[1], n])
                b = tf.compat.v1.get_variable(
                    "b", [n], initializer=tf.compat.v1.zeros_initializer()
                )
                h = tf.nn.relu(tf.matmul(h, w) + b)
        tf.identity(h, name="y")
    return graph


def _write_tf1(run_dir: str, meta_only_dir: str, meta_file: str) -> tf.Graph:
    """FileWriter(graph=...) plus a FULL_TRACE RunMetadata, as TF1 profiling writes it."""
    graph = _tf1_graph()
    with graph.as_default(), tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        run_metadata = tf.compat.v1.RunMetadata()
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        session.run("y:0", {"x:0": [[1, 2, 3, 4]]}, options=options, run_metadata=run_metadata)
        writer = tf.compat.v1.summary.FileWriter(run_dir, graph=graph)
        writer.add_run_metadata(run_metadata, "step1")
        writer.close()
        # A run holding only a meta graph: TensorBoard shows no graph for it.
        writer = tf.compat.v1.summary.FileWriter(meta_only_dir)
        writer.add_meta_graph(tf.compat.v1.train.export_meta_graph(graph=graph))
        writer.close()
        tf.compat.v1.train.export_meta_graph(filename=meta_file, graph=graph)
    return graph


@tf.function
def _inner(x):
    with tf.name_scope("inner"):
        return tf.nn.relu(x) * 2.0


@tf.function
def _looped(x):
    i = tf.constant(0)
    _, y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, _inner(y)), [i, x])
    return tf.cond(tf.reduce_sum(y) > 0, lambda: y + 1.0, lambda: y - 1.0)


def _write_tf2_functions(run_dir: str) -> tf.Graph:
    graph = _looped.get_concrete_function(tf.TensorSpec([None, 3], tf.float32)).graph
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(graph)
    writer.close()
    return graph


def _dense(x):
    with tf.name_scope("dense"):
        return tf.nn.relu(x * 2.0 + 1.0)


def _write_traces(run_dir: str, profiler_dir: str) -> None:
    """Two traces; a trace holds the graphs of the functions traced while it was on."""
    writer = tf.summary.create_file_writer(run_dir)
    x = tf.ones([2, 3])
    tf.summary.trace_on(graph=True, profiler=False)
    tf.function(_dense)(x)
    with writer.as_default():
        tf.summary.trace_export(name="plain", step=0)
    tf.summary.trace_on(graph=True, profiler=True, profiler_outdir=profiler_dir)
    tf.function(_dense)(x)
    with writer.as_default():
        tf.summary.trace_export(name="profiled", step=1)
    writer.close()


def _write_keras(log_dir: str) -> None:
    import keras
    import numpy as np

    inputs = keras.Input((4,), name="features")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="logits")(hidden), name="mlp")
    model.compile(optimizer="sgd", loss="mse")
    callback = keras.callbacks.TensorBoard(log_dir=log_dir, write_graph=True)
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=1, verbose=0, callbacks=[callback])


class Block(torch.nn.Module):
    def __init__(self, n: int):
        super().__init__()
        self.fc = torch.nn.Linear(n, n)
        self.norm = torch.nn.LayerNorm(n)

    def forward(self, x):
        return torch.relu(self.norm(self.fc(x))) + x


class Net(torch.nn.Module):
    """Modules in a ModuleList (never called itself) and a Sequential, around a residual."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(4, 8)
        self.blocks = torch.nn.ModuleList([Block(8) for _ in range(LAYERS)])
        self.head = torch.nn.Sequential(
            torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
        )

    def forward(self, x):
        h = self.embed(x)
        for block in self.blocks:
            h = block(h)
        return self.head(h)


def _write_torch(run_dir: str) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(run_dir)
    writer.add_graph(Net(), torch.zeros(2, 4))
    writer.close()


def _write_tensorboardx(run_dir: str) -> None:
    import tensorboardX

    writer = tensorboardX.SummaryWriter(run_dir)
    writer.add_graph(Net(), torch.zeros(2, 4))
    writer.close()


class _Dense(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.ones([3, 2]), name="w")

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        with tf.name_scope("dense"):
            return tf.nn.relu(tf.matmul(x, self.w))


@dataclass(frozen=True)
class Written:
    logdir: Path
    saved_model: Path
    meta_file: Path
    tf1_graph: tf.Graph
    tf2_graph: tf.Graph


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Written:
    root = tmp_path_factory.mktemp("writers")
    logdir = root / "logs"
    tf1 = _write_tf1(str(logdir / "tf1"), str(logdir / "meta_only"), str(root / "model.meta"))
    tf2 = _write_tf2_functions(str(logdir / "tf2_functions"))
    _write_traces(str(logdir / "trace"), str(root / "profiler"))
    _write_keras(str(logdir / "keras"))
    _write_torch(str(logdir / "torch"))
    _write_tensorboardx(str(logdir / "tbx"))
    tf.saved_model.save(_Dense(), str(root / "saved_model"))
    return Written(logdir, root / "saved_model", root / "model.meta", tf1, tf2)


@pytest.fixture(scope="module")
def local(written) -> LocalGraphs:
    return LocalGraphs(written.logdir)


def _hierarchy(local: LocalGraphs, run: str, kind: str, tag: str) -> Hierarchy:
    return hierarchy_of(local.load_graph(GraphRef(run, kind, tag)))


def _edges(hierarchy: Hierarchy, open_: set[str]) -> set[tuple[str, str, bool]]:
    """(source box, destination box, control) of every edge of a view."""
    layout = hierarchy.layout(hierarchy.view(open=open_))
    boxes = layout.boxes
    return {(boxes[e.src].name, boxes[e.dst].name, e.control) for e in layout.edges}


def _missing(hierarchy: Hierarchy) -> list[str]:
    view = hierarchy.view(depth=100)
    return [box.name for box in hierarchy.layout(view).boxes if box.kind == "missing"]


# --- what each writer's graph looks like ---------------------------------------------------

EXPECTED = {
    ("keras/train", CONCEPTUAL, "keras"),
    ("meta_only", META_GRAPH, META_GRAPH_TAG),
    ("tbx", PROFILE, "profiler"),
    ("tbx", RUN_GRAPH, RUN_GRAPH_TAG),
    ("tf1", PROFILE, "step1"),
    ("tf1", RUN_GRAPH, RUN_GRAPH_TAG),
    ("tf2_functions", RUN_GRAPH, RUN_GRAPH_TAG),
    ("torch", PROFILE, "step1"),
    ("torch", RUN_GRAPH, RUN_GRAPH_TAG),
    ("trace", OP_GRAPH, "plain"),
    ("trace", OP_GRAPH, "profiled"),
    ("trace", PROFILE, "profiled"),
}


def test_every_writer_is_listed_with_its_op_count(local, written):
    listed = local.list()
    assert {(g.run, g.kind, g.tag) for g in listed} == EXPECTED
    counts = {(g.run, g.kind): g.op_count for g in listed}
    tf1_ops = len(written.tf1_graph.as_graph_def().node)
    assert counts["tf1", RUN_GRAPH] == counts["tf1", PROFILE] == tf1_ops
    assert counts["meta_only", META_GRAPH] == tf1_ops
    assert counts["torch", RUN_GRAPH] == counts["tbx", RUN_GRAPH] == counts["torch", PROFILE]
    assert counts["keras/train", CONCEPTUAL] == 3
    assert all(count and count > 0 for count in counts.values()), counts
    assert local.warnings == []


def test_tf1_file_writer_graph_has_its_variable_scopes(local, written):
    hierarchy = _hierarchy(local, "tf1", RUN_GRAPH, RUN_GRAPH_TAG)
    names = {n.name for n in written.tf1_graph.as_graph_def().node}
    assert hierarchy.op_count == len(names)
    top = {child["name"] for child in hierarchy.tree()["children"]}
    assert {"layer1", "layer2"} <= top
    edges = _edges(hierarchy, set())
    assert ("x", "layer1", False) in edges
    assert ("layer1", "layer2", False) in edges
    assert ("layer2", "y", False) in edges
    assert _missing(hierarchy) == []


def test_tf1_profile_gives_compute_time_and_memory_per_node(local):
    graph = local.load_graph(GraphRef("tf1", PROFILE, "step1"))
    names = {node.name for node in graph.graph_def.node}
    assert graph.stats, "a FULL_TRACE RunMetadata names the nodes it ran"
    assert set(graph.stats) <= names  # `_SOURCE`, `_arg_x_0_0` and the like are left out
    assert all(set(s) == {"compute_us", "memory_bytes"} for s in graph.stats.values())
    assert any(s["compute_us"] > 0 for s in graph.stats.values())
    assert graph.stats["layer1/Relu"]["memory_bytes"] > 0  # a [1, 8] float32 output
    # The run graph itself carries no stats; the profile is the same graph with them.
    plain = local.load_graph(GraphRef("tf1", RUN_GRAPH, RUN_GRAPH_TAG))
    assert plain.stats is None
    assert [n.name for n in plain.graph_def.node] == [n.name for n in graph.graph_def.node]


def test_meta_graph_only_run_is_read_from_the_event_file(local, written):
    graph = local.load(GraphRef("meta_only", META_GRAPH, META_GRAPH_TAG))
    assert [n.name for n in graph.node] == [n.name for n in written.tf1_graph.as_graph_def().node]


def test_tf2_function_library_bodies_are_scopes_linked_from_their_call_sites(local):
    hierarchy = _hierarchy(local, "tf2_functions", RUN_GRAPH, RUN_GRAPH_TAG)
    graph = local.load(GraphRef("tf2_functions", RUN_GRAPH, RUN_GRAPH_TAG))
    nodes = {node.name: node for node in graph.node}
    functions = {
        child["name"].split("/")[1]
        for top in hierarchy.tree()["children"]
        if top["name"] == FUNCTION_LIBRARY
        for child in top["children"]
    }
    body = next(f for f in functions if f.startswith("while_body_"))
    cond = next(f for f in functions if f.startswith("while_cond_"))
    inner = next(f for f in functions if f.startswith("__inference__inner_"))
    assert {f.split("_")[0] for f in functions} >= {"while", "cond"}
    # The While op links to the arguments of its body and its condition.
    while_op = next(n for n in graph.node if n.op in ("While", "StatelessWhile"))
    for function in (body, cond):
        args = [n for n in graph.node if n.name.startswith(f"{FUNCTION_LIBRARY}/{function}/")]
        args = [n for n in args if n.op == "_Arg"]
        assert len(args) == len(while_op.input)
        assert all(f"^{while_op.name}" in n.input for n in args)
    # Inside the body, the call to `_inner` links to `_inner`'s argument, and `_inner`'s
    # ops read that argument by its node name.
    call = next(
        n
        for n in graph.node
        if n.name.startswith(f"{FUNCTION_LIBRARY}/{body}/") and n.op.endswith("PartitionedCall")
    )
    (inner_arg,) = [
        n
        for n in graph.node
        if n.name.startswith(f"{FUNCTION_LIBRARY}/{inner}/") and n.op == "_Arg"
    ]
    assert f"^{call.name}" in inner_arg.input
    relu = nodes[f"{FUNCTION_LIBRARY}/{inner}/inner/Relu"]
    assert list(relu.input) == [inner_arg.name]
    assert _missing(hierarchy) == []
    # Drawn: the closed library box takes dashed edges from the call sites outside it.
    edges = _edges(hierarchy, set())
    assert (while_op.name, FUNCTION_LIBRARY, True) in edges
    opened = _edges(hierarchy, {FUNCTION_LIBRARY})
    assert (while_op.name, f"{FUNCTION_LIBRARY}/{body}", True) in opened
    assert (f"{FUNCTION_LIBRARY}/{body}", f"{FUNCTION_LIBRARY}/{inner}", True) in opened


def test_trace_export_op_graphs_with_and_without_the_profiler(local):
    for tag in ("plain", "profiled"):
        graph = local.load(GraphRef("trace", OP_GRAPH, tag))
        ops = {node.op for node in graph.node}
        assert {"Mul", "AddV2", "Relu"} <= ops
        assert any(n.name.endswith("dense/mul") for n in graph.node)
    # TensorFlow 2.21's eager runtime records no step stats: the profile is empty.
    profile = local.load_graph(GraphRef("trace", PROFILE, "profiled"))
    assert profile.stats == {}
    assert [n.name for n in profile.graph_def.node] == [
        n.name for n in local.load(GraphRef("trace", OP_GRAPH, "profiled")).node
    ]


def test_keras_callback_writes_a_conceptual_graph_of_layers(local):
    graph = local.load(GraphRef("keras/train", CONCEPTUAL, "keras"))
    layers = [(node.name, node.op, list(node.input)) for node in graph.node]
    assert layers == [
        ("mlp/features", "InputLayer", []),
        ("mlp/hidden", "Dense", ["mlp/features"]),
        ("mlp/logits", "Dense", ["mlp/hidden"]),
    ]


@pytest.mark.parametrize("run", ["torch", "tbx"])
def test_pytorch_scopes_follow_the_module_tree(local, run):
    graph = local.load(GraphRef(run, RUN_GRAPH, RUN_GRAPH_TAG))
    hierarchy = Hierarchy(graph)
    nodes = {node.name: node for node in graph.node}
    # Each module's ops and parameters share one scope, ModuleList included.
    fc = "Net/ModuleList[blocks]/Block[0]/Linear[fc]"
    inside = [n for n in nodes.values() if n.name.startswith(f"{fc}/")]
    assert {n.op for n in inside} >= {"aten::linear", "prim::GetAttr"}
    assert not any(name.startswith("Net/Block[") for name in nodes)
    assert _missing(hierarchy) == []  # parameters no longer read a module that is no node
    # The model's inputs and outputs are IO Nodes under `input/` and `output/`.
    io = sorted(n.name for n in nodes.values() if n.op == "IO Node")
    assert [name.split("/")[0] for name in io] == ["input", "output"]
    tree = hierarchy.tree()["children"]
    assert [child["name"] for child in tree] == ["input", "output", "Net"]
    net = next(c for c in tree if c["name"] == "Net")
    net_children = {c["name"]: c for c in net["children"]}
    assert set(net_children) == {
        "Net/Linear[embed]",
        "Net/ModuleList[blocks]",
        "Net/Sequential[head]",
    }
    (series,) = net_children["Net/ModuleList[blocks]"]["children"]
    assert series["kind"] == "series"
    assert [c["name"] for c in series["children"]] == [
        f"Net/ModuleList[blocks]/Block[{i}]" for i in range(LAYERS)
    ]
    # Closed, a one-op scope is drawn as its op: the IO Nodes themselves.
    edges = _edges(hierarchy, {"Net", "Net/Sequential[head]"})
    assert (io[0], "Net/Linear[embed]", False) in edges
    assert ("Net/Linear[embed]", "Net/ModuleList[blocks]", False) in edges
    assert ("Net/Sequential[head]/Linear[2]", io[1], False) in edges


def test_pytorch_and_tensorboardx_write_the_same_graph_and_an_empty_profile(local):
    torch_graph = local.load(GraphRef("torch", RUN_GRAPH, RUN_GRAPH_TAG))
    tbx_graph = local.load(GraphRef("tbx", RUN_GRAPH, RUN_GRAPH_TAG))
    assert [n.name for n in torch_graph.node] == [n.name for n in tbx_graph.node]
    for run, tag in (("torch", "step1"), ("tbx", "profiler")):
        assert local.load_graph(GraphRef(run, PROFILE, tag)).stats == {}
        # Asked by run alone, the run graph is meant, not the profile on it.
        assert local.select(run=run).kind == RUN_GRAPH


def test_saved_model_graphs_come_from_its_function_library(written):
    saved = LocalGraphs(written.saved_model)
    (info,) = saved.list()
    assert (info.run, info.kind, info.tag) == ("saved_model", SAVED_MODEL, "serve")
    graph = saved.load(info)
    names = [node.name for node in graph.node]
    assert info.op_count == len(names)
    call = next(n for n in names if n.startswith(f"{FUNCTION_LIBRARY}/__inference___call___"))
    function = call.split("/")[1]
    assert f"{FUNCTION_LIBRARY}/{function}/dense/MatMul" in names
    hierarchy = Hierarchy(graph)
    assert _missing(hierarchy) == []
    opened = _edges(hierarchy, {FUNCTION_LIBRARY})
    wrapper = next(n for n in names if "__inference_signature_wrapper_" in n).split("/")[1]
    assert (f"{FUNCTION_LIBRARY}/{wrapper}", f"{FUNCTION_LIBRARY}/{function}", True) in opened
    assert LocalGraphs(written.saved_model / "saved_model.pb").list() == [info]
    assert saved.select(tag="serve") == saved.select() == info
    with pytest.raises(NotFound, match="no tag 'gpu'"):
        saved.select(tag="gpu")


def test_meta_file_written_by_export_meta_graph(written):
    graphs = LocalGraphs(written.meta_file)
    (info,) = graphs.list()
    assert info.op_count == len(written.tf1_graph.as_graph_def().node)


# --- the command line ----------------------------------------------------------------------


def test_cli_lists_and_renders_every_graph(written, tmp_path, capsys):
    assert cli.main(["list", str(written.logdir)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    rows = [line.split() for line in out.splitlines()[1:]]
    assert {(r[0], r[1], r[2]) for r in rows} == {(run, kind, tag) for run, kind, tag in EXPECTED}
    for index, (run, kind, tag) in enumerate(sorted(EXPECTED)):
        target = tmp_path / f"{index}.svg"
        argv = ["render", str(written.logdir), "--run", run, "--kind", kind, "--tag", tag]
        assert cli.main([*argv, "-o", str(target)]) == 0, capsys.readouterr().err
        svg = ET.parse(target).getroot()
        assert svg.tag == f"{SVG_NS}svg"
        assert any("node" in g.get("class", "").split() for g in svg.iter(f"{SVG_NS}g"))
    for path in (written.saved_model, written.meta_file):
        assert cli.main(["render", str(path), "-o", str(tmp_path / "file.svg")]) == 0


def test_cli_colours_a_profile_by_compute_time_and_memory(written, capsys):
    argv = ["render", str(written.logdir), "--run", "tf1", "--kind", PROFILE, "--depth", "1"]
    assert cli.main([*argv, "--format", "dot"]) == 0
    plain = capsys.readouterr().out
    for scheme, title in (("compute", "compute time"), ("memory", "memory")):
        assert cli.main([*argv, "--format", "dot", "--colour", scheme]) == 0
        coloured = capsys.readouterr().out
        assert title in coloured and title not in plain
        assert coloured.count("fillcolor") > plain.count("fillcolor")
    assert cli.main([*argv, "--colour", "rainbow"]) == 2
    assert "invalid choice: 'rainbow'" in capsys.readouterr().err
    # The same run's graph without the profile: said, not drawn plain without a word.
    unprofiled = [*argv[:4], "--kind", RUN_GRAPH, "--colour", "compute", "--format", "dot"]
    assert cli.main(unprofiled) == 1
    out, err = capsys.readouterr()
    assert out == "" and "--colour compute needs figures from a profile" in err


def test_notebook_colours_only_a_graph_with_a_profile(written):
    import tb_scopegraph

    shown = tb_scopegraph.show(written.logdir, run="tf1", kind=PROFILE, colour="memory")
    assert "memory" in shown.dot
    plain = tb_scopegraph.show(written.logdir, run="tf1", kind=RUN_GRAPH)
    for colour in ("compute", "memory"):
        with pytest.raises(ValueError, match=f"colour='{colour}' needs figures from a profile"):
            tb_scopegraph.show(written.logdir, run="tf1", kind=RUN_GRAPH, colour=colour)
        with pytest.raises(ValueError, match="kind='profile'"):
            plain.colour_by(colour)
    assert plain.colour_by("op").colour == "op"


def test_cli_scopes_of_a_saved_model_show_its_functions(written, capsys):
    assert cli.main(["scopes", str(written.saved_model)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("w ") or FUNCTION_LIBRARY in out
    assert f"  {FUNCTION_LIBRARY}/__inference___call___" in out


# --- the routes, over both of TensorBoard's data providers ---------------------------------


SERVED = {row for row in EXPECTED if row[1] != META_GRAPH}  # both providers drop meta graphs


@pytest.fixture(scope="module", params=PROVIDERS)
def api(request, written):
    source = start(request.param, written.logdir)
    try:
        wanted = {"tf1", "torch", "tbx", "tf2_functions"}
        wait_for(lambda: wanted <= runs_with_graphs(source.provider), "the graph runs")
        yield Api(source.provider)
    finally:
        source.close()


def test_routes_list_every_graph_tensorboard_keeps(api):
    listed = api.json("graphs")
    assert {(g["run"], g["kind"], g["tag"]) for g in listed} == SERVED


@pytest.mark.parametrize(("run", "kind", "tag"), sorted(SERVED))
def test_routes_draw_every_graph(api, run, kind, tag):
    tree = api.json("hierarchy", run=run, kind=kind, tag=tag)
    assert tree["children"]
    response = api.get("svg", run=run, kind=kind, tag=tag)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert ET.fromstring(response.data).tag == f"{SVG_NS}svg"


def test_routes_show_pytorch_modules_and_function_scopes(api):
    fc = "Net/ModuleList[blocks]/Block[0]/Linear[fc]"
    details = api.json("node", run="torch", kind=RUN_GRAPH, name=fc)
    assert details["op_count"] == 3
    tree = api.json("hierarchy", run="tf2_functions", kind=RUN_GRAPH)
    assert FUNCTION_LIBRARY in {child["name"] for child in tree["children"]}
    dot = api.get("dot", run="tf2_functions", kind=RUN_GRAPH, open=FUNCTION_LIBRARY)
    assert dot.status_code == 200
    assert "while_body_" in dot.get_data(as_text=True)


def test_profile_route_draws_the_run_graph_it_profiles(api):
    tree = api.json("hierarchy", run="tf1", kind=PROFILE, tag="step1")
    assert {"layer1", "layer2"} <= {child["name"] for child in tree["children"]}
    details = api.json("node", run="tf1", kind=PROFILE, tag="step1", name="layer1/Relu")
    assert details["profile"]["memory_bytes"] > 0
    plain = api.json("node", run="tf1", kind=RUN_GRAPH, name="layer1/Relu")
    assert "profile" not in plain
    coloured = api.get("dot", run="tf1", kind=PROFILE, tag="step1", colour="compute", depth=1)
    assert coloured.status_code == 200 and "compute time" in coloured.get_data(as_text=True)


def test_writers_leave_no_warnings_and_no_stray_files(written):
    names = {p.name for p in Path(written.logdir).iterdir()}
    assert names == {"tf1", "meta_only", "tf2_functions", "trace", "keras", "torch", "tbx"}
    assert os.path.isfile(written.saved_model / "saved_model.pb")
