"""Summaries linked to the right scopes for TF1, TF2 and PyTorch writers, through the engine
(`summaries.link` on a real graph) and through the routes (badges in DOT, the `summaries` route),
with both of TensorBoard's data providers.

Each writer logs histograms of its layers' weights and biases and a scalar over a few steps, as
the TensorBoard tutorials do; expected values are read back from the event files directly.
"""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf  # the writers are the point: a missing one fails, never skips
import torch
from graphs import HOSTILE, hostile_graph, node_names, write_events, write_run_graph
from harness import PROVIDERS, Api, Multiplexer, start, svg_ids, svg_problems, wait_for
from tensorboard import context as tb_context
from tensorboard import data_compat
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.util import tensor_util
from torch.utils.tensorboard import SummaryWriter

from tb_scopegraph.drawing import dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.model import summaries
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import lone_op
from tb_scopegraph.reading.data_provider import latest_blob, list_graphs, load_graph
from tb_scopegraph.reading.graph import GraphRef
from tb_scopegraph.service import graphs as service_graphs

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.jit._trace"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:keras.src.backend.tensorflow.core"),
]

STEPS = 3
BLOCKS = 5  # enough Linear modules in the ModuleList to fold into a series


# --- the writers -----------------------------------------------------------------------------


def _write_tf1(run_dir: str) -> None:
    """TF1 graph mode: variable scopes, `tf.compat.v1.summary.histogram/scalar` ops merged and
    written with `FileWriter.add_summary` each step."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(1)
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
        h = x
        for i, n in enumerate((6, 3), start=1):
            with tf.compat.v1.variable_scope(f"layer{i}"):
                w = tf.compat.v1.get_variable("weights", [h.shape[1], n])
                b = tf.compat.v1.get_variable("biases", [n])
                h = tf.nn.relu(tf.matmul(h, w) + b)
                # Their names collide with the variables': the ops become weights_1, biases_1.
                tf.compat.v1.summary.histogram("weights", w)
                tf.compat.v1.summary.histogram("biases", b)
        with tf.name_scope("evaluation"):
            correct = tf.cast(tf.equal(tf.argmax(h, 1), labels), tf.float32)
            tf.compat.v1.summary.scalar("accuracy", tf.reduce_mean(correct))
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, h))
        train = tf.compat.v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        merged = tf.compat.v1.summary.merge_all()
        rng = np.random.default_rng(1)
        feed = {x: rng.random((16, 4), dtype=np.float32), labels: rng.integers(0, 3, 16)}
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            writer = tf.compat.v1.summary.FileWriter(run_dir, graph=graph)
            for step in range(STEPS):
                written, _ = session.run([merged, train], feed)
                writer.add_summary(written, step)
            writer.close()


def _write_tf2(run_dir: str) -> None:
    """TF2: a traced function whose layers sit under one `model` scope, eager
    `tf.summary.histogram/scalar` named after the layers (one the Keras way, `kernel_0`)."""

    class Dense(tf.Module):
        def __init__(self, n_in: int, n_out: int, name: str):
            super().__init__(name=name)
            self.w = tf.Variable(tf.random.stateless_normal([n_in, n_out], seed=[1, 2]))
            self.b = tf.Variable(tf.zeros([n_out]))

        def __call__(self, x):
            with tf.name_scope(self.name):
                return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    layer1, layer2 = Dense(4, 6, "layer1"), Dense(6, 3, "layer2")

    @tf.function
    def model(x):
        with tf.name_scope("model"):
            return layer2(layer1(x))

    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(model.get_concrete_function(tf.TensorSpec([None, 4])).graph)
        for step in range(STEPS):
            layer1.w.assign_add(tf.fill(layer1.w.shape, 0.1))
            with tf.name_scope("layer1"):
                tf.summary.histogram("weights", layer1.w, step=step)
            tf.summary.histogram("model/layer1/biases", layer1.b, step=step)
            tf.summary.histogram("layer2/kernel_0", layer2.w, step=step)
            tf.summary.scalar("accuracy", 0.25 * (step + 1), step=step)
    writer.close()


class _Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 8)

    def forward(self, x):
        return torch.relu(self.fc(x))


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.blocks = torch.nn.ModuleList([_Block() for _ in range(BLOCKS)])
        self.head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(8, 3))

    def forward(self, x):
        x = self.fc1(x)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def _write_torch(run_dir: str) -> None:
    """PyTorch's SummaryWriter: `add_graph`, then `add_histogram` of every named parameter
    (dotted module paths) and `add_scalar`, each step."""
    torch.manual_seed(1)
    net = _Net()
    writer = SummaryWriter(run_dir)
    writer.add_graph(net, torch.zeros(1, 4))
    for step in range(STEPS):
        with torch.no_grad():
            net.fc1.weight.add_(0.1)
        for name, parameter in net.named_parameters():
            writer.add_histogram(name, parameter, step)
        writer.add_histogram("weights/fc1.weight", net.fc1.weight, step)  # a prefix, as some do
        writer.add_scalar("loss", 1.0 / (step + 1), step)
        # "module path/metric": the module's part of the tag names it, not only its prefix.
        writer.add_scalar("blocks.1/grad_norm", 0.5 * step, step)
    writer.close()


def _write_keras(log_dir: str) -> None:
    """Keras 3's TensorBoard callback with `histogram_freq=1`: a conceptual graph (the model's
    layers) and `<model>/<layer>/<weight>/histogram` tags, in `log_dir/train`."""
    import keras

    keras.utils.set_random_seed(1)
    layers = [keras.layers.Dense(3, name="hidden"), keras.layers.Dense(2, name="out")]
    model = keras.Sequential([keras.Input((4,)), *layers], name="mlp")
    model.compile("sgd", "mse")
    callback = keras.callbacks.TensorBoard(log_dir, write_graph=True, histogram_freq=1)
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=2, verbose=0, callbacks=[callback])


@pytest.fixture(scope="module")
def logdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("summaries")
    _write_tf1(str(root / "tf1"))
    _write_tf2(str(root / "tf2"))
    _write_torch(str(root / "torch"))
    _write_keras(str(root / "keras"))
    return root


def _logged(run_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, list[tuple[int, float]]]]:
    """From the event files: each histogram's last [k, 3] buckets as TensorBoard stores them
    (legacy protos converted by TensorBoard's own data_compat) and each scalar's (step, value)."""
    histograms: dict[str, tuple[int, np.ndarray]] = {}
    scalars: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(run_dir.glob("events.out.tfevents.*")):
        for event in event_file_loader.LegacyEventFileLoader(str(path)).Load():
            for value in event.summary.value:
                value = data_compat.migrate_value(value)
                plugin_name = value.metadata.plugin_data.plugin_name
                array = tensor_util.make_ndarray(value.tensor) if value.HasField("tensor") else None
                if plugin_name == "histograms":
                    if value.tag not in histograms or event.step >= histograms[value.tag][0]:
                        histograms[value.tag] = (event.step, array)
                elif plugin_name == "scalars":
                    scalars.setdefault(value.tag, []).append((event.step, float(array)))
    return {t: a for t, (_, a) in histograms.items()}, scalars


# --- what each writer's tags link to ---------------------------------------------------------

EXPECTED = {
    "tf1": {
        "layer1/weights_1": [("op", "layer1/weights_1"), ("op", "layer1/weights")],
        "layer1/biases_1": [("op", "layer1/biases_1"), ("op", "layer1/biases")],
        "layer2/weights_1": [("op", "layer2/weights_1"), ("op", "layer2/weights")],
        "layer2/biases_1": [("op", "layer2/biases_1"), ("op", "layer2/biases")],
        "evaluation/accuracy": [("op", "evaluation/accuracy"), ("op", "evaluation/Mean")],
    },
    "tf2": {
        "layer1/weights": [("group", "model/layer1")],
        "model/layer1/biases": [("group", "model/layer1")],
        "layer2/kernel_0": [("group", "model/layer2")],
    },
    "torch": {
        "fc1.weight": [("group", "_Net/Linear[fc1]/weight")],
        "fc1.bias": [("group", "_Net/Linear[fc1]/bias")],
        "weights/fc1.weight": [("group", "_Net/Linear[fc1]/weight")],
        **{
            f"blocks.{i}.fc.{p}": [("group", f"_Net/ModuleList[blocks]/_Block[{i}]/Linear[fc]/{p}")]
            for i in range(BLOCKS)
            for p in ("weight", "bias")
        },
        "head.1.weight": [("group", "_Net/Sequential[head]/Linear[1]/weight")],
        "head.1.bias": [("group", "_Net/Sequential[head]/Linear[1]/bias")],
        "blocks.1/grad_norm": [("group", "_Net/ModuleList[blocks]/_Block[1]")],
    },
    "keras/train": {
        f"mlp/{layer}/{weight}/histogram": [("op", f"mlp/{layer}")]
        for layer in ("hidden", "out")
        for weight in ("kernel", "bias")
    },
}
UNLINKED = {
    "tf1": [],
    "tf2": ["accuracy"],
    "torch": ["loss"],
    "keras/train": ["epoch_learning_rate", "epoch_loss"],
}
KINDS = {"tf1": "run_graph", "tf2": "run_graph", "torch": "run_graph", "keras/train": "conceptual"}
# Scopes that hold summaries, with how many, and one that holds none.
BADGES = {
    "tf1": {"layer1": 2, "layer2": 2, "evaluation": 1},
    "tf2": {"model": 3, "model/layer1": 2, "model/layer2": 1},
    "torch": {
        "_Net": 16,
        "_Net/Linear[fc1]": 3,
        "_Net/ModuleList[blocks]": 11,
        "_Net/ModuleList[blocks]/_Block[1]": 3,
    },
    "keras/train": {"mlp": 4},
}
# What the badges of the top-level scopes say: how many summaries of each kind they hold.
BADGE_TEXTS = {
    "tf1": {"layer1": "2 histograms", "layer2": "2 histograms", "evaluation": "1 scalar"},
    "tf2": {"model": "3 histograms"},
    "torch": {"_Net": "15 histograms, 1 scalar"},
}
NOT_BADGED = {
    "tf1": "gradients",
    "tf2": None,
    "torch": "_Net/Sequential[head]/ReLU[0]",
    "keras/train": None,
}


def _hierarchy(provider, run: str) -> Hierarchy:
    ctx = tb_context.RequestContext()
    graphs = [g for g in list_graphs(provider, ctx, "") if g.run == run]
    ref = next(GraphRef(run, g.kind, g.tag) for g in graphs if g.kind == KINDS[run])
    graph = load_graph(provider, ctx, "", ref, latest_blob(provider, ctx, "", ref))
    return Hierarchy(graph.graph_def)


@pytest.fixture(scope="module")
def multiplexer(logdir):
    return Multiplexer(str(logdir)).provider


@pytest.mark.parametrize("run", ["tf1", "tf2", "torch", "keras/train"])
def test_engine_links_each_writers_summaries_to_its_scopes(multiplexer, run):
    hierarchy = _hierarchy(multiplexer, run)
    tags = summaries.list_tags(multiplexer, tb_context.RequestContext(), "", run)
    links = summaries.link(hierarchy, tags)
    assert {t: list(v) for t, v in links.linked.items()} == EXPECTED[run]
    assert list(links.unlinked) == UNLINKED[run]
    badges, held = links.badges(), links.held()
    for scope, count in BADGES[run].items():
        assert badges[("group", scope)] == count, scope
        assert sum(held[("group", scope)].values()) == count, scope
    if NOT_BADGED[run]:
        assert hierarchy.is_group(NOT_BADGED[run])
        assert ("group", NOT_BADGED[run]) not in badges


def test_torch_series_holds_the_summaries_of_its_members(multiplexer):
    hierarchy = _hierarchy(multiplexer, "torch")
    ctx = tb_context.RequestContext()
    links = summaries.link(hierarchy, summaries.list_tags(multiplexer, ctx, "", "torch"))
    series = [name for kind, name in links.badges() if kind == "group" and "[0-4]" in name]
    assert series == ["_Net/ModuleList[blocks]/_Block[0-4]"]
    assert links.tags_of(series[0], "series") == tuple(
        sorted(
            [f"blocks.{i}.fc.{p}" for i in range(BLOCKS) for p in ("weight", "bias")]
            + ["blocks.1/grad_norm"]
        )
    )


# --- the routes, with both data providers ----------------------------------------------------


@pytest.fixture(scope="module", params=PROVIDERS)
def api(request, logdir):
    source = start(request.param, str(logdir))

    def ready():
        ctx = tb_context.RequestContext()
        listed = source.provider.list_tensors(ctx, experiment_id="", plugin_name="histograms")
        return sum(len(tags) for tags in listed.values()) == sum(
            len([t for t in EXPECTED[r] if not t.endswith(("accuracy", "grad_norm"))])
            for r in EXPECTED
        )

    wait_for(ready, "every histogram")
    yield Api(source.provider)
    source.close()


def _badged_boxes(dot_text: str) -> dict[str, str]:
    """element id -> its badge line, for each box or frame the DOT marks as summarized."""
    found = {}
    for line in dot_text.splitlines():
        if 'summarized"' not in line:
            continue
        eid = re.search(r'id="([^"]+)"', line).group(1)
        # A label breaks lines with \n, a frame's HTML-like title (`title_label`) with <br/>.
        badge = re.search(rf"(?:\\n|<br/>){dot.BADGE} ([^\\\\<\"]+)", line)
        found[eid] = badge.group(1)
    return found


@pytest.mark.parametrize("run", ["tf1", "tf2", "torch"])
def test_dot_badges_the_scopes_that_hold_summaries(api, run):
    closed = api.get("dot", run=run, kind="run_graph", depth="0").get_data(as_text=True)
    badged = _badged_boxes(closed)
    assert {k for k in BADGES[run] if "/" not in k} == set(BADGE_TEXTS[run])
    for scope, text in BADGE_TEXTS[run].items():
        assert badged.pop(f"scope-{scope}") == text, scope
    # The rest are top-level ops linked by name (TF1's summary ops at the top: none here).
    assert badged == {}


def test_a_badge_is_not_said_again_by_a_stub_to_the_summaries_merge(api, multiplexer):
    closed = api.get("dot", run="tf1", kind="run_graph", depth="0").get_data(as_text=True)
    labels = {
        m.group(1): m.group(2) for m in re.finditer(r'id="([^"]+)"[^\n]*? label="([^"]*)"', closed)
    }
    # layer1 sends its histograms to Merge: its badge says so, "→ Merge" would again; a
    # stub to an auxiliary box of another kind stays.
    layer1 = labels["scope-layer1"].split("\\n")
    assert layer1[-1] == f"{dot.BADGE} 2 histograms" and "\u2192 init" in layer1, layer1
    assert not any("Merge" in line for line in layer1), layer1
    assert "scope-Merge" in labels  # the merge itself still stands apart
    # Where no badges are known (the command line) neither: a stub to the merge of the
    # summaries names plumbing (the boxes feeding it hold the summaries), others stay.
    hierarchy = _hierarchy(multiplexer, "tf1")
    plain = dot.to_dot(hierarchy, hierarchy.view(depth=0))
    assert "\u2192 Merge" not in plain and "\u2192 init" in plain


def test_nested_frames_count_their_summaries_once_innermost(api):
    scopes = ["_Net", "_Net/ModuleList[blocks]", "_Net/ModuleList[blocks]/_Block[0-4]"]
    opened = api.get("dot", run="torch", kind="run_graph", open=scopes).get_data(as_text=True)
    badged = _badged_boxes(opened)
    # The rolled series counts its five blocks' summaries, which the one block it draws
    # does not; the frames around it count nothing their boxes and frames do not.
    series = re.search(r'id="cluster-series-[^"]*_Block.5B0-4.5D" class="[^"]*".*', opened)
    assert f"{dot.BADGE} 10 histograms, 1 scalar" in series.group(0)
    assert badged["scope-_Net.2FModuleList.5Bblocks.5D.2F_Block.5B0.5D"] == "2 histograms"
    for frame in ("_Net", "_Net.2FModuleList.5Bblocks.5D"):
        assert f"cluster-scope-{frame}" not in badged
        assert f'id="cluster-scope-{frame}" class="scope"' in opened


def test_an_open_scope_badges_its_frame_and_the_ops_inside(api):
    opened = api.get("dot", run="tf1", kind="run_graph", open="layer1").get_data(as_text=True)
    badged = _badged_boxes(opened)
    # The variables count their histograms; the summary ops (weights_1, biases_1), in the
    # frame of what they summarise, are folded into them, and the frame says nothing its
    # boxes do not.
    for op in ("layer1/weights", "layer1/biases"):
        assert badged[f"op-{op.replace('/', '.2F')}"] == "1 histogram"
    for op in ("layer1/weights_1", "layer1/biases_1"):
        assert f'"op-{op.replace("/", ".2F")}"' not in opened
    assert "cluster-scope-layer1" not in badged
    assert "op-layer1.2FMatMul" not in badged
    svg = api.get("svg", run="tf1", kind="run_graph", open="layer1").get_data(as_text=True)
    assert re.search(r'<g id="op&#45;layer1\.2Fweights" class="node op summarized">', svg)


@pytest.mark.parametrize(
    ("run", "name", "kind_of"),
    [
        ("tf1", "layer1", "scope"),
        ("tf1", "evaluation", "scope"),
        ("tf2", "model/layer1", "scope"),
        ("torch", "_Net/Linear[fc1]", "scope"),
        ("keras/train", "mlp/hidden", "op"),
    ],
)
def test_summaries_route_answers_the_latest_values(api, logdir, run, name, kind_of):
    histograms, scalars = _logged(logdir / run)
    body = api.json("summaries", run=run, kind=KINDS[run], name=name, kind_of=kind_of)
    expected_tags = sorted(
        t for t, targets in EXPECTED[run].items() if any(_inside(n, name) for _, n in targets)
    )
    got = sorted([h["tag"] for h in body["histograms"]] + [s["tag"] for s in body["scalars"]])
    assert got == expected_tags
    assert body["more"] == 0
    for hist in body["histograms"]:
        assert hist["step"] == (1 if run == "keras/train" else STEPS - 1)  # two epochs
        _assert_same_histogram(np.asarray(hist["buckets"]), histograms[hist["tag"]])
    for scalar in body["scalars"]:
        steps, values = zip(*sorted(scalars[scalar["tag"]]), strict=True)
        assert scalar["steps"] == list(steps)
        assert scalar["values"] == pytest.approx(list(values))
        assert scalar["value"] == pytest.approx(values[-1])
        assert scalar["step"] == steps[-1]


def _inside(linked: str, name: str) -> bool:
    return linked == name or linked.startswith(name + "/")


def _assert_same_histogram(drawn: np.ndarray, stored: np.ndarray) -> None:
    """Drawn as stored when it has few buckets, else rebinned: same range, same total count.
    Empty buckets at either end are not drawn (TensorBoard's data_compat drops them too)."""
    filled = np.flatnonzero(stored[:, 2] > 0)
    stored = stored[filled[0] : filled[-1] + 1]
    if len(stored) <= summaries.HISTOGRAM_BINS:
        np.testing.assert_allclose(drawn, stored, rtol=1e-6)
        return
    assert len(drawn) == summaries.HISTOGRAM_BINS
    assert drawn[0, 0] == pytest.approx(stored[:, 0].min())
    assert drawn[-1, 1] == pytest.approx(stored[:, 1].max())
    widths = drawn[:, 1] - drawn[:, 0]
    assert widths == pytest.approx(np.full(len(drawn), widths[0]))
    assert drawn[:, 2].sum() == pytest.approx(stored[:, 2].sum())


def test_summaries_route_lists_links_and_refuses_bad_names(api):
    body = api.json("summaries", run="torch", kind="run_graph")
    assert {item["tag"]: item["linked"] for item in body["linked"]} == {
        tag: [n for _, n in targets] for tag, targets in EXPECTED["torch"].items()
    }
    assert body["unlinked"] == [{"tag": "loss", "kind": "scalar"}]
    torch_graph = {"run": "torch", "kind": "run_graph"}
    assert "no node or scope" in api.error(404, "summaries", **torch_graph, name="_Net/nothing")
    assert "kind_of" in api.error(400, "summaries", **torch_graph, name="_Net", kind_of="bogus")
    assert "run" in api.error(400, "summaries", name="_Net")
    # An op with no summary, and a scope without any: nothing to show, no error.
    empty = api.json("summaries", run="tf1", kind="run_graph", name="x", kind_of="op")
    assert empty == {"name": "x", "scalars": [], "histograms": [], "more": 0}
    # A scope asked for as an op is not there, as the node route says.
    assert "no op" in api.error(404, "summaries", **torch_graph, name="_Net", kind_of="op")
    assert "no op" in api.error(404, "node", **torch_graph, name="_Net", kind_of="op")
    tf1_scope = {"run": "tf1", "kind": "run_graph", "name": "layer1"}
    assert "no op" in api.error(404, "summaries", **tf1_scope, kind_of="op")
    assert api.json("summaries", **tf1_scope, kind_of="scope")["histograms"]


# --- freshness: a new tag or step shows once the short-lived caches let go -----------------


def test_a_new_tag_and_a_new_step_show_after_a_few_seconds(tmp_path):
    run_dir = tmp_path / "live"
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("layer1"):
            tf.constant(1.0, name="w")
        with tf.name_scope("layer2"):
            tf.constant(2.0, name="w")
    with graph.as_default():
        tf.compat.v1.summary.FileWriter(str(run_dir), graph=graph).close()
    writer = tf.summary.create_file_writer(str(run_dir))
    with writer.as_default():
        tf.summary.scalar("layer1/loss", 1.0, step=0)
        writer.flush()
    source = Multiplexer(str(tmp_path))
    api = Api(source.provider)
    now = [0.0]
    api.clock_lookups(now)

    def badged():
        return _badged_boxes(api.get("dot", run="live", depth="0").get_data(as_text=True))

    def latest():
        body = api.json("summaries", run="live", name="layer1", kind_of="scope")
        return [(s["step"], s["value"]) for s in body["scalars"]]

    assert badged() == {"scope-layer1": "1 scalar"}
    assert latest() == [(0, 1.0)]
    with writer.as_default():
        tf.summary.scalar("layer1/loss", 0.5, step=1)
        tf.summary.histogram("layer2/w", [1.0, 2.0, 3.0], step=1)
    writer.close()
    source.reload()
    assert badged() == {"scope-layer1": "1 scalar"}  # trusted for a few seconds
    now[0] += service_graphs.LOOKUP_TTL_SECONDS + 0.1
    # Answered at once from what was looked up, while it is looked up again.
    assert badged() == {"scope-layer1": "1 scalar"}
    api.settle_lookups()
    assert badged() == {"scope-layer1": "1 scalar", "scope-layer2": "1 histogram"}
    assert latest() == [(1, 0.5)]


def test_rebin_keeps_counts_and_range():
    assert doctest.testmod(summaries).failed == 0
    rng = np.random.default_rng(0)
    edges = np.sort(rng.normal(size=201))
    counts = rng.integers(0, 50, size=200).astype(float)
    stored = np.stack([edges[:-1], edges[1:], counts], axis=1)
    _assert_same_histogram(np.asarray(summaries.rebin(stored)), stored)
    # A constant tensor (TF2 writes 30 buckets of the same edges, the last holding all).
    flat = np.array([[0.5, 0.5, 0.0]] * 29 + [[0.5, 0.5, 7.0]])
    assert summaries.rebin(flat) == [[0.5, 0.5, 7.0]]
    assert summaries.rebin(np.zeros((0, 3))) == []
    assert summaries.rebin(np.zeros((4, 3))) == []
    wide = np.array([[0.5, 0.5, 7.0]] * 40)
    assert summaries.rebin(wide) == [[0.5, 0.5, 280.0]]
    twice = summaries.rebin(np.tile(stored, (2, 1)))
    assert math.isclose(sum(b[2] for b in twice), 2 * counts.sum())


# --- hostile names: tags and scopes stay text ------------------------------------------------


def test_hostile_tags_and_scope_names_are_linked_and_stay_text(tmp_path):
    names = HOSTILE[:-2]  # the two giant ones are drawn elsewhere; here they only cost time
    write_run_graph(tmp_path / "hostile", hostile_graph())
    values = [
        summary_pb2.Summary.Value(tag=f"{name}/inner/value", simple_value=float(i))
        for i, name in enumerate(names)
    ]
    event = event_pb2.Event(wall_time=3.0, step=1, summary=summary_pb2.Summary(value=values))
    write_events(tmp_path / "hostile", [event], name="scalars")
    routes = Api(Multiplexer(str(tmp_path)).provider)

    listed = routes.json("summaries", run="hostile")
    assert {item["tag"]: item["linked"] for item in listed["linked"]} == {
        f"{name}/inner/value": [f"{name}/inner"] for name in names
    }
    svg = routes.ok("svg", run="hostile", depth="0").data
    assert svg_problems(svg) == []
    # The scope around each `<name>/inner` holds a summary; where an op beside it has the same
    # name, the scope is drawn in that op's box, and a scope of one op as that op's box,
    # which says so.
    tops = {name.split("/")[0] for name in names}
    ops = set(node_names(hostile_graph()))
    model = Hierarchy(hostile_graph()).graph

    def box(top: str) -> str:
        if top in ops:
            return element_id("op", top)
        lone = lone_op(model, model.group_id(top))
        return element_id("scope", top) if lone is None else element_id("op", model.names[lone])

    assert svg_ids(svg, "summarized") == {box(top) for top in tops}
    for i, name in enumerate(names):
        body = routes.json("summaries", run="hostile", name=name, kind_of="scope")
        assert [(s["tag"], s["value"]) for s in body["scalars"]] == [
            (f"{name}/inner/value", float(i))
        ]
