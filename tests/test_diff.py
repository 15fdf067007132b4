"""Graph diffs (diff.py, diffdot.diff_to_dot, the diff routes and `tb-scopegraph diff`).

The main case is the demo's: `ffn_scoped` against `ffn_scoped_wider`, two training runs of the
same TF1 network where the second widens layer3 (10 to 32 units) and adds a layer4 after it;
and `ffn_grown`, one run holding both graphs, at steps 0 and 10. The runs are written by the
demo script's own functions, once per session.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import graphs
import pytest
from harness import PROVIDERS, Api, runs_with_graphs, start, wait_for
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph import cli
from tb_scopegraph.drawing import diffdot, dottext, render
from tb_scopegraph.errors import NotFound
from tb_scopegraph.model.diff import ADDED, CHANGED, REMOVED, SAME, Counts, GraphDiff, summary
from tb_scopegraph.reading.local import LocalGraphs

REPO = Path(__file__).resolve().parents[1]
SVG_NS = "{http://www.w3.org/2000/svg}"
BASE, WIDER, GROWN = "ffn_scoped", "ffn_scoped_wider", "ffn_grown"
SHAPE_ATTRS = {"attr:_output_shapes", "attr:shape", "attr:value"}


@pytest.fixture(scope="session")
def ffn_logdir(tmp_path_factory) -> Path:
    """The demo's two feed-forward runs, written by demo/make_demo_logdir.py's functions."""
    spec = importlib.util.spec_from_file_location(
        "make_demo_logdir", REPO / "demo" / "make_demo_logdir.py"
    )
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    logdir = tmp_path_factory.mktemp("ffn_diff")
    demo.train_ffn_scoped(os.fspath(logdir / BASE))
    demo.train_ffn_scoped(os.fspath(logdir / WIDER), demo.WIDER_SIZES)
    demo.write_grown_graph(os.fspath(logdir / GROWN))
    return logdir


@pytest.fixture(scope="module")
def ffn(ffn_logdir):
    """(base GraphDef, wider GraphDef, their diff)."""
    local = LocalGraphs(ffn_logdir)
    base = local.load(local.select(run=BASE, kind="run_graph"))
    wider = local.load(local.select(run=WIDER, kind="run_graph"))
    return base, wider, GraphDiff(base, wider)


def _names(graph, prefix: str = "") -> set[str]:
    return {n.name for n in graph.node if n.name.startswith(prefix)}


def _with(diff: GraphDiff, status: str) -> set[str]:
    return {name for name, s in diff.status.items() if s == status}


def _changes(details: dict) -> list[tuple[str, str, str]]:
    return [(c["what"], c["before"], c["after"]) for c in details["changes"]]


def _op_changes(diff: GraphDiff, name: str) -> list[tuple[str, str, str]]:
    return [(c.what, c.before, c.after) for c in diff.changes(name)]


# --- the engine ----------------------------------------------------------------------------


def test_demo_diff_reports_the_added_layer_and_the_widened_one(ffn):
    base, wider, diff = ffn
    assert not _names(base, "layer4/") and _names(wider, "layer4/")
    # Every op of the new layer is added, and nothing is removed.
    assert _names(wider, "layer4/") <= _with(diff, ADDED)
    assert _with(diff, REMOVED) == set()
    # The untouched layers and the input are the same, op for op.
    for prefix in ("layer1/", "layer2/", "x"):
        assert _names(base, prefix) == _names(wider, prefix)
        assert all(diff.status[n] == SAME for n in _names(base, prefix)), prefix
    # The widened layer: its changed ops differ in shapes only; one op is new (its Relu, as
    # it is no longer the last layer).
    changed3 = _with(diff, CHANGED) & _names(wider, "layer3/")
    assert changed3 and _with(diff, ADDED) & _names(wider, "layer3/") == {"layer3/Relu"}
    for name in changed3:
        whats = {c.what for c in diff.changes(name)}
        assert whats and whats <= SHAPE_ATTRS, (name, whats)
    assert diff.status["layer3/W"] == CHANGED
    (shape,) = [c for c in diff.changes("layer3/W") if c.what == "attr:shape"]
    assert (shape.before, shape.after) == ("[64,10]", "[64,32]")
    # Elsewhere only what follows from those two layers differs: their gradients and
    # updates, and the ops that now take the new layer's outputs (loss, accuracy, init,
    # the summaries' merge).
    elsewhere = (_with(diff, ADDED) | _with(diff, CHANGED)) - _names(wider, "layer3/")
    elsewhere -= _names(wider, "layer4/")
    assert elsewhere
    for name in elsewhere:
        node = next(n for n in wider.node if n.name == name)
        touches = "layer3/" in name or "layer4" in name or any("layer4" in i for i in node.input)
        assert touches, name
    assert diff.totals == Counts(
        added=len(_with(diff, ADDED)),
        removed=0,
        changed=len(_with(diff, CHANGED)),
        same=len(_names(base) & _names(wider)) - len(_with(diff, CHANGED)),
    )


def test_demo_diff_scope_summaries(ffn):
    base, wider, diff = ffn
    n4 = len(_names(wider, "layer4/"))
    assert diff.counts("layer4") == Counts(added=n4)
    assert summary(diff.counts("layer4")) == f"+{n4}"
    assert diff.counts("layer4").status == ADDED
    changed3 = len(_with(diff, CHANGED) & _names(wider, "layer3/"))
    layer3 = diff.counts("layer3")
    assert layer3 == Counts(
        added=1, changed=changed3, same=len(_names(wider, "layer3/")) - 1 - changed3
    )
    assert summary(layer3) == f"+1 ~{changed3}" and layer3.status == CHANGED
    assert diff.counts("layer1") == Counts(same=len(_names(base, "layer1/")))
    assert summary(diff.counts("layer1")) == "" and diff.counts("layer1").status == SAME
    # A scope's counts are those of its ops: the gradients of the new layer sit under train.
    grads4 = len(_names(wider, "train/gradients/layer4/"))
    assert diff.counts("train/gradients/layer4") == Counts(added=grads4)
    assert diff.counts("train").added >= grads4


def test_demo_diff_counts_the_gradients_and_updates_on_the_layers_they_mirror(ffn):
    _, wider, diff = ffn
    grads3 = _names(wider, "train/gradients/layer3/")
    grads4 = _names(wider, "train/gradients/layer4/")
    updates4 = _names(wider, "train/GradientDescent/update_layer4/")
    assert grads4 and updates4
    differs3 = len(grads3 - _with(diff, SAME))
    assert diff.mirrored("layer3") == {"train/gradients": differs3}
    assert diff.mirrored("layer4") == {"train/gradients": len(grads4), "train/GradientDescent": 2}
    assert diff.mirrored("layer4/W") == {"train/GradientDescent": 1}
    # The layers that did not change are mirrored by nothing, though they have gradients.
    assert diff.mirrored("layer1") == {} and _names(wider, "train/gradients/layer1/")
    # The gradient and optimizer scopes say what they mirror; what is left is their own: the
    # training step's NoOp, which now waits on layer4's update too.
    mirrors = differs3 + len(grads4) + len(updates4)
    assert diff.mirroring("train") == (mirrors, ["layer3", "layer4"])
    assert diff.mirroring("train/GradientDescent") == (len(updates4), ["layer4"])
    assert diff.own_changes("train") == diff.counts("train").differs - mirrors == 1
    assert diff.own_changes("train/gradients") == 0
    assert diff.own_changes("layer3") == diff.counts("layer3").differs
    details = diff.details("train", kind="scope")
    assert details["mirroring"] == {"count": mirrors, "groups": ["layer3", "layer4"]}
    assert diff.details("layer3", kind="scope")["mirrored"] == {"train/gradients": differs3}


def test_demo_diff_default_view_shows_the_changed_layers_and_not_their_gradients(ffn):
    _, _, diff = ffn
    view = diff.default_view()
    # The top level, 15 boxes, is what a 1,400 x 900 window shows with readable labels: the
    # widened layer3 and the new layer4 are boxes that say what changed; opening layer3 would
    # double the boxes; the gradients and updates that mirror them stay inside train, closed.
    assert view.open == frozenset() and view.boxes <= 20
    boxes = {box.name for box in diff.hierarchy.layout(view).boxes}
    assert {"layer3", "layer4", "train"} <= boxes
    assert not [name for name in boxes if name.startswith("train/")]


def _training_graph(widths=(8, 8, 8, 8, 8, 8), optimizer="sgd"):
    """A TF1 training graph: dense layers under one ``model`` scope, a loss, and a training
    step under ``train`` (its gradients and the optimizer's updates)."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        h = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        with tf.compat.v1.variable_scope("model"):
            for i, width in enumerate(widths, 1):
                with tf.compat.v1.variable_scope(f"dense{i}"):
                    kernel = tf.compat.v1.get_variable("kernel", [h.shape[1], width])
                    bias = tf.compat.v1.get_variable("bias", [width])
                    h = tf.nn.relu(tf.matmul(h, kernel) + bias)
        with tf.name_scope("loss"):
            loss = tf.reduce_mean(tf.square(h))
        optimizers = {
            "sgd": tf.compat.v1.train.GradientDescentOptimizer,
            "adam": tf.compat.v1.train.AdamOptimizer,
        }
        with tf.name_scope("train"):
            optimizers[optimizer](0.1).minimize(loss)
    return graph_pb2.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())


def _tape_graph(widths=(8, 8, 8)):
    """A TF2 training step traced by tf.function: a Keras model, GradientTape, SGD."""
    import tensorflow as tf

    layers = [tf.keras.layers.Dense(w, name=f"dense{i}") for i, w in enumerate(widths, 1)]
    model = tf.keras.Sequential(layers, name="model")
    model.build((None, 4))
    optimizer = tf.keras.optimizers.SGD(0.1)

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x)))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    traced = step.get_concrete_function(tf.TensorSpec([None, 4], tf.float32)).graph
    return graph_pb2.GraphDef.FromString(traced.as_graph_def(add_shapes=True).SerializeToString())


@pytest.fixture(scope="module")
def trained():
    """The TF1 training graph, and the same with dense3 widened, and with Adam for SGD."""
    return {
        "base": _training_graph(),
        "wider": _training_graph((8, 8, 16, 8, 8, 8)),
        "adam": _training_graph(optimizer="adam"),
    }


def _shown(diff: GraphDiff, view) -> set[str]:
    layout = diff.hierarchy.layout(view)
    return {box.name for box in layout.boxes} | {c.name for c in layout.clusters}


def test_first_view_opens_down_to_a_widened_layer_and_not_its_gradients(trained):
    diff = GraphDiff(trained["base"], trained["wider"])
    view = diff.default_view()
    # Down the model scope to the widened layer; its neighbours closed; training closed.
    assert {"model", "model/dense3"} <= view.open and view.boxes <= 20
    assert not {"model/dense1", "model/dense2", "model/dense5", "model/dense6"} & view.open
    assert not [key for key in view.open if key.startswith("train")]
    assert "train" in _shown(diff, view)
    # Widening dense3 changes dense4's kernel too; the gradients of both mirror them.
    assert diff.own_changes("train") == 0 < diff.counts("train").differs
    count, groups = diff.mirroring("train")
    assert count == diff.counts("train").differs and groups == ["model/dense3", "model/dense4"]
    assert set(diff.mirrored("model/dense3")) == {"train/gradients"}
    text = diffdot.diff_to_dot(diff, view, "base → wider")
    assert f"{count} mirror changes in dense3, dense4" in text
    assert f"and {sum(diff.mirrored('model/dense3').values())} in train/gradients" in text


def test_another_optimizer_is_the_change_and_its_slots_mirror_it(trained):
    diff = GraphDiff(trained["base"], trained["adam"])
    # Adam's slot variables sit beside the model's (model/dense1/kernel/Adam): they mirror the
    # optimizer's change, and the model, otherwise the same, stays closed.
    slots = {n for n, s in diff.status.items() if n.startswith("model/") and s != SAME}
    assert slots and all("/Adam" in name for name in slots)
    assert diff.mirroring("model") == (len(slots), ["train/Adam"])
    assert diff.own_changes("model") == 0
    assert diff.mirrored("train/Adam") == {"model": len(slots)}
    # The updates of unchanged variables are the optimizer's own change, not mirrors.
    assert diff.mirroring("train") == (0, [])
    view = diff.default_view()
    assert "train" in view.open and "model" not in view.open
    text = diffdot.diff_to_dot(diff, view, "sgd → adam")
    assert f"{len(slots)} mirror changes in Adam" in text


def test_gradient_tape_ops_mirror_the_layers_they_differentiate():
    diff = GraphDiff(_tape_graph(), _tape_graph((8, 16, 8)))
    tape = [n for n, s in diff.status.items() if n.startswith("gradient_tape/") and s != SAME]
    assert tape and diff.own_changes("gradient_tape") == 0
    count, groups = diff.mirroring("gradient_tape")
    assert count == len(tape)
    # dense2 widened, and dense3 reads it: Keras names them as called (dense2_1 …).
    assert [g.rsplit("/", 1)[-1].split("_")[0] for g in groups] == ["dense2", "dense3"]
    assert "gradient_tape" not in diff.default_view().open


def _wide_model(activations: dict[str, str]):
    """A TF1 graph of 22 layers under one ``model`` scope, named by letter (no series): too
    many to open in a diff's first view. Each layer ends in an Identity, so that another
    activation inside one layer changes nothing outside it."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        h = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        with tf.name_scope("model"):
            for letter in "abcdefghijklmnopqrstuv":
                with tf.name_scope(f"layer_{letter}"):
                    act = getattr(tf.nn, activations.get(letter, "relu"))
                    h = tf.identity(act(tf.matmul(h, tf.ones([4, 4]))), name="out")
    return graph_pb2.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())


def test_a_scope_too_big_to_open_says_where_its_changes_lie():
    diff = GraphDiff(_wide_model({}), _wide_model({"k": "tanh"}))
    assert diff.counts("model").differs == diff.counts("model/layer_k").differs > 0
    view = diff.default_view()
    assert "model" not in view.open
    assert diff.where("model") == "layer_k"
    text = diffdot.diff_to_dot(diff, view, "relu → tanh")
    assert summary(diff.counts("model")) == "+1 −1 ~1"
    assert "1 added, 1 removed, 1 changed in layer_k" in text
    # A scope small enough to open says nothing more: opening it shows where.
    assert diff.where("model/layer_k") == ""


def test_mirrors_need_a_changed_forward_group_of_that_name():
    def ops(width: int, extra=()):
        shape = {"_output_shapes": [[None, width]]}
        return [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("layer1/MatMul", "MatMul", ["x"], shape),
            ("layer2/MatMul", "MatMul", ["layer1/MatMul"]),
            ("MatMul", "MatMul", ["x"], shape),  # at the top level, in no scope
            ("gradients/layer1/MatMul_grad/MatMul", "MatMul", ["layer1/MatMul"], shape),
            ("gradients/layer2/MatMul_grad/MatMul", "MatMul", ["layer2/MatMul"], shape),
            ("gradients/MatMul_grad/MatMul", "MatMul", ["MatMul"], shape),
            ("Adam/update_layer1/MatMul", "Identity", ["x"], shape),
            ("Adam/update_5/Apply", "Identity", ["x"], shape),  # named by number
            *extra,
        ]

    diff = GraphDiff(graphs.graph_from_nodes(ops(4)), graphs.graph_from_nodes(ops(8)))
    # layer1 changed: its gradient and its update mirror it.
    assert diff.mirrored("layer1") == {"gradients": 1, "Adam": 1}
    # layer2 is the same: its changed gradient is a change of its own.
    assert diff.status["gradients/layer2/MatMul_grad/MatMul"] == CHANGED
    assert diff.mirrored("layer2") == {}
    # A top-level op's gradient, and an update named by number, lead to no group.
    assert diff.own_changes("gradients") == 2 and diff.own_changes("Adam") == 1
    assert diff.mirroring("gradients") == (1, ["layer1"])


def test_diff_of_a_graph_with_itself_is_all_same(ffn):
    base, _, _ = ffn
    diff = GraphDiff(base, base)
    assert diff.totals == Counts(same=len(base.node))
    assert diff.default_view() == diff.hierarchy.default_view(roll=False)
    assert all(not diff.changes(n.name) for n in base.node)


def test_diff_of_built_graphs_types_inputs_attrs_device():
    base = graphs.graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[None, 4]]}),
            ("scope/a", "Relu", ["x"]),
            ("scope/b", "Relu", ["x"]),
            ("scope/c", "Relu", ["x"]),
            ("scope/gone", "Identity", ["scope/a"]),
            ("scope/d", "Cast", ["x"], {"DstT": "int32"}),
        ]
    )
    after = graphs.graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[None, 4]]}),
            ("scope/a", "Tanh", ["x"]),  # op type
            ("scope/b", "Relu", ["scope/a"]),  # inputs
            ("scope/c", "Relu", ["x"]),
            ("scope/d", "Cast", ["x"], {"DstT": "int64"}),  # dtype attribute
            ("scope/new", "Identity", ["scope/c"]),
        ]
    )
    after.node[3].device = "/device:GPU:0"  # devices are not compared
    diff = GraphDiff(base, after)
    assert diff.status == {
        "x": SAME,
        "scope/a": CHANGED,
        "scope/b": CHANGED,
        "scope/c": SAME,
        "scope/d": CHANGED,
        "scope/new": ADDED,
        "scope/gone": REMOVED,
    }
    assert _op_changes(diff, "scope/a") == [("op", "Relu", "Tanh")]
    assert _op_changes(diff, "scope/b") == [("inputs", "− x", "+ scope/a")]
    assert _op_changes(diff, "scope/d") == [("attr:DstT", "int32", "int64")]
    assert diff.counts("scope") == Counts(added=1, removed=1, changed=3, same=1)
    assert summary(diff.counts("scope")) == "+1 −1 ~3"
    # A removed op keeps its base NodeDef in the union; details say what each op is.
    assert diff.details("scope/gone")["op"] == "Identity"
    assert diff.details("scope/gone")["status"] == REMOVED
    details = diff.details("scope/a")
    assert details["status"] == CHANGED and details["op"] == "Tanh"
    assert details["changes"] == [
        {"what": "op", "before": "Relu", "after": "Tanh", "size": 0, "clipped": False}
    ]
    assert diff.details("scope")["diff"] == {"added": 1, "removed": 1, "changed": 3, "same": 1}


def test_changed_inputs_say_what_was_added_and_removed_and_stay_short():
    many = [f"^scope/init_{i}" for i in range(3000)]
    long_value = "v" * 5000
    base = graphs.graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("y", "Placeholder", (), {"dtype": "float32"}),
            ("scope/swap", "Add", ["x", "y"]),
            ("scope/more", "Add", ["x", "y"]),
            ("scope/init", "NoOp", many),
            ("scope/const", "Const", (), {"note": long_value}),
        ]
        + [(name[1:], "NoOp", ()) for name in many]
    )
    after = graphs.graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("y", "Placeholder", (), {"dtype": "float32"}),
            ("scope/swap", "Add", ["y", "x"]),  # only the order
            ("scope/more", "Add", ["x", "y", "^x"]),  # one added
            ("scope/init", "NoOp", many[1:] + ["^x"]),  # one of 3,000 replaced
            ("scope/const", "Const", (), {"note": long_value + "w"}),
        ]
        + [(name[1:], "NoOp", ()) for name in many]
    )
    diff = GraphDiff(base, after)
    assert _op_changes(diff, "scope/swap") == [("inputs", "order changed", "order changed")]
    assert _op_changes(diff, "scope/more") == [("inputs", "(none)", "+ ^x")]
    assert _op_changes(diff, "scope/init") == [("inputs", "− ^scope/init_0", "+ ^x")]
    # Thousands of inputs added: the first few and how many more.
    grown = graphs.graph_from_nodes([(n[1:], "NoOp", ()) for n in many] + [("op", "NoOp", ())])
    (change,) = GraphDiff(
        graphs.graph_from_nodes([(n[1:], "NoOp", ()) for n in many] + [("op", "NoOp", many)]),
        grown,
    ).changes("op")
    assert change.after == "(none)" and change.before.endswith("… 2,980 more")
    assert change.clipped and change.size == 3000 and len(change.before) < 1000
    # A long attribute is clipped as the op's own attributes are, with its size.
    (note,) = diff.changes("scope/const")
    assert note.what == "attr:note" and note.clipped and note.size == 5001
    assert len(note.before) < 1000 and note.after.endswith("…")
    # What changed stays small however many inputs the op has (it used to list them all,
    # before and after).
    assert len(json.dumps(diff.details("scope/init")["changes"])) < 500


def test_removed_op_inputs_are_described_from_the_base_graph(ffn):
    base, wider, _ = ffn
    # Going back from the wider graph: its layer3/Relu is removed, and its input layer3/add
    # is in both graphs, 32 wide in the base (the wider graph), 10 in the newer.
    diff = GraphDiff(wider, base)
    assert diff.status["layer3/Relu"] == REMOVED and diff.status["layer3/add"] == CHANGED
    details = diff.details("layer3/Relu")
    (add,) = [i for i in details["inputs"] if i["name"] == "layer3/add"]
    assert (add["dtype"], add["shape"]) == ("float", "[?,32]")
    assert details["outputs"][0]["shape"] == "[?,32]"
    # The newer graph's own ops still read as the newer graph has them.
    assert diff.details("layer3/add")["outputs"][0]["shape"] == "[?,10]"


# --- drawing -------------------------------------------------------------------------------


def _classes(svg: bytes) -> dict[str, set[str]]:
    root = ET.fromstring(svg)
    return {
        g.get("id"): set(g.get("class", "").split()) for g in root.iter(f"{SVG_NS}g") if g.get("id")
    }


def _outside_boxes(drawing: ET.Element, text: ET.Element) -> bool:
    """Whether an SVG text is the drawing's own (its caption), not a box's, frame's or edge's."""
    parents = {child: parent for parent in drawing.iter() for child in parent}
    node = parents[text]
    while node is not drawing:
        if node.get("class", "").split()[:1] in (["node"], ["cluster"], ["edge"]):
            return False
        node = parents[node]
    return True


def test_diff_drawing_colours_summaries_tooltips_and_legend(ffn):
    _, _, diff = ffn
    text = diffdot.diff_to_dot(diff, diff.view(open=["layer3"]), "ffn_scoped → ffn_scoped_wider")
    n4 = len(_names(ffn[1], "layer4/"))
    assert f'"{dottext.element_id("scope", "layer4")}"' in text
    assert (
        f"added: {diff.totals.added} ops" in text and f"changed: {diff.totals.changed} ops" in text
    )
    svg = render.render(text, fmt="svg")
    classes = _classes(svg)
    assert {"node", "scope", "diff-added"} <= classes[dottext.element_id("scope", "layer4")]
    assert "diff-same" in classes[dottext.element_id("scope", "layer1")]
    assert "diff-changed" in classes["cluster-" + dottext.element_id("scope", "layer3")]
    assert "diff-added" in classes[dottext.element_id("op", "layer3/Relu")]
    assert "diff-changed" in classes[dottext.element_id("op", "layer3/MatMul")]
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    # Counts in words, not signs: what a newcomer reads without the key.
    assert f"{n4} added" in texts  # the closed layer4 box's summary
    assert f"1 added, {diff.counts('layer3').changed} changed" in texts  # the open layer3's
    assert not [t for t in texts if t and re.match(r"[+~−]\d", t)]
    # ... and what mirrors them in the training step, on the layers and on the closed train.
    assert "and 9 in train/gradients" in texts and "and 15 in train" in texts
    assert f"{diff.mirroring('train')[0]} mirror changes in layer3, layer4" in texts
    # A caption under the drawing names both graphs, for a saved SVG or PNG.
    (drawing,) = [g for g in root.iter(f"{SVG_NS}g") if g.get("id") == "scopegraph"]
    caption = [t.text.strip() for t in drawing.iter(f"{SVG_NS}text") if _outside_boxes(drawing, t)]
    assert caption == [
        "ffn_scoped → ffn_scoped_wider",
        f"added: {diff.totals.added} ops",
        "removed: 0 ops",
        f"changed: {diff.totals.changed} ops",
        f"same: {diff.totals.same} ops",
    ]
    # Hovering a changed op: its tooltip says what changed, before and after.
    (matmul,) = [
        g
        for g in root.iter(f"{SVG_NS}g")
        if g.get("id") == dottext.element_id("op", "layer3/MatMul")
    ]
    tips = [a.get("{http://www.w3.org/1999/xlink}title") for a in matmul.iter(f"{SVG_NS}a")]
    assert any("attr:_output_shapes: [[?,10]] → [[?,32]]" in (t or "") for t in tips), tips


def test_diff_drawing_escapes_names():
    hostile = 'evil"]; x -> y [label="<b>\\'
    base = graphs.graph_from_nodes([("a", "Placeholder", (), {"note": "plain"})])
    after = graphs.graph_from_nodes(
        [("a", "Placeholder", (), {"note": hostile}), (f"s/{hostile}", "Identity", ["a"])]
    )
    diff = GraphDiff(base, after)
    text = diffdot.diff_to_dot(diff, diff.view(depth=1), hostile)
    svg = render.render(text, fmt="svg")  # parses: nothing broke out of its string
    # The caption shows the title as text.
    assert hostile in [t.text for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]
    assert dottext.element_id("op", f"s/{hostile}") in _classes(svg)
    # The changed attribute's new value is in the tooltip, as text.
    root = ET.fromstring(svg)
    (op,) = [g for g in root.iter(f"{SVG_NS}g") if g.get("id") == dottext.element_id("op", "a")]
    tips = [x.get("{http://www.w3.org/1999/xlink}title") or "" for x in op.iter(f"{SVG_NS}a")]
    assert any(f"attr:note: plain → {hostile}" in tip for tip in tips), tips


# --- routes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(ffn_logdir):
    source = start("multiplexer", os.fspath(ffn_logdir))
    yield Api(source.provider)
    source.close()


def test_diff_routes(api, ffn):
    _, wider, diff = ffn
    query = {"run": WIDER, "kind": "run_graph", "base_run": BASE, "base_kind": "run_graph"}
    view = api.json("diff_view", **query)
    assert view["counts"] == diff.totals.as_dict()
    assert view["open"] == sorted(diff.default_view().open) and view["boxes"] <= 20
    svg = api.get("diff", **query)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "diff-added" in _classes(svg.data)[dottext.element_id("scope", "layer4")]
    text = api.get("diff", format="dot", **query)
    assert text.mimetype == "text/vnd.graphviz"
    assert f"added: {diff.totals.added} ops" in text.get_data(as_text=True)
    opened = api.get("diff", format="dot", open="layer4", **query).get_data(as_text=True)
    assert f'"{dottext.element_id("op", "layer4/MatMul")}"' in opened
    assert api.get("diff", format="png", depth=0, **query).data[:8] == b"\x89PNG\r\n\x1a\n"
    node = api.json("diff_node", name="layer3/W", **query)
    assert node["status"] == CHANGED
    assert ("attr:shape", "[64,10]", "[64,32]") in _changes(node)
    scope = api.json("diff_node", name="layer4", kind_of="scope", **query)
    assert scope["diff"]["added"] == len(_names(wider, "layer4/")) and scope["status"] == ADDED
    # The drawing's title names the runs, not the tag TensorBoard stores their graphs under.
    assert f"{BASE} → {WIDER}" in text.get_data(as_text=True)
    assert "__run_graph__" not in text.get_data(as_text=True)
    # The base run defaults to the run: a graph against itself is refused.
    for route in ("diff", "diff_view", "diff_node"):
        error = api.error(400, route, run=BASE, kind="run_graph", name="layer1")
        assert "same graph" in error


def test_diff_route_errors(api):
    query = {"run": WIDER, "kind": "run_graph", "base_run": BASE, "base_kind": "run_graph"}
    assert "format" in api.error(400, "diff", format="gif", **query)
    assert api.error(404, "diff", **{**query, "base_run": "nope"}).startswith("base graph: ")
    assert "nope" in api.error(404, "diff", **{**query, "base_run": "nope"})
    assert not api.error(404, "diff", **{**query, "run": "nope"}).startswith("base graph")
    assert "run" in api.error(400, "diff")
    assert "no scope" in api.error(404, "diff", open="no/such", **query)
    assert "name" in api.error(400, "diff_node", **query)
    assert api.error(404, "diff_node", name="no/such/op", **query)
    # Two graphs in the run and no kind: say which to pick.
    assert "kind" in api.error(400, "diff_view", run=WIDER, base_run=BASE, base_kind="run_graph")


# --- command line --------------------------------------------------------------------------


def test_cli_diff_writes_the_diff(ffn_logdir, ffn, tmp_path, capsys):
    _, wider, diff = ffn
    out = tmp_path / "diff.dot"
    status = cli.main(
        [
            "diff",
            os.fspath(ffn_logdir),
            "--kind",
            "run_graph",
            "--run-a",
            BASE,
            "--run-b",
            WIDER,
            "-o",
            os.fspath(out),
        ]
    )
    assert status == 0, capsys.readouterr().err
    text = out.read_text()
    assert text == diffdot.diff_to_dot(diff, diff.default_view(), f"{BASE} → {WIDER}")
    # Two paths, --open and --depth, SVG.
    svg = tmp_path / "diff.svg"
    argv = ["diff", ffn_logdir / BASE, ffn_logdir / WIDER, "--kind", "run_graph", "--depth", "0"]
    status = cli.main([os.fspath(a) for a in argv + ["--open", "layer4", "-o", svg]])
    assert status == 0, capsys.readouterr().err
    classes = _classes(svg.read_bytes())
    assert all(
        "diff-added" in classes[dottext.element_id("op", n)]
        for n in _names(wider, "layer4/")
        if "/" not in n[7:]
    )
    assert "diff-same" in classes[dottext.element_id("scope", "layer1")]
    # Two run folders given as paths: the title names them (their run is ".").
    named = tmp_path / "named.dot"
    argv = ["diff", ffn_logdir / BASE, ffn_logdir / WIDER, "--kind", "run_graph", "-o", named]
    assert cli.main([os.fspath(a) for a in argv]) == 0, capsys.readouterr().err
    assert f"{BASE} → {WIDER}" in named.read_text() and ". → ." not in named.read_text()


def test_cli_diff_errors_are_one_line(ffn_logdir, tmp_path, capsys):
    def fails(argv, status, *parts):
        assert cli.main([os.fspath(a) for a in argv]) == status
        out, err = capsys.readouterr()
        assert err.startswith("tb-scopegraph: error: ") and err.count("\n") == 1, err
        for part in parts:
            assert part in err

    fails(["diff", ffn_logdir, "--run-a", BASE, "--run-b", "nope"], 1, "graph B", "nope")
    # Graph A not picked: the one error line, then the options that pick each, for side A.
    argv = ["diff", ffn_logdir, "--run-b", WIDER, "--kind", "run_graph"]
    assert cli.main([os.fspath(a) for a in argv]) == 1
    first, *choices = capsys.readouterr().err.splitlines()
    assert first.startswith("tb-scopegraph: error: graph A: 3 graphs in ") and "pick one" in first
    assert choices == [f"  --run-a {run}" for run in (GROWN, BASE, WIDER)], choices
    fails(["diff", tmp_path / "missing"], 1, "no such file")
    fails(
        [
            "diff",
            ffn_logdir,
            "--kind",
            "run_graph",
            "--run-a",
            BASE,
            "--run-b",
            WIDER,
            "--open",
            "no/such",
        ],
        1,
        "'no/such'",
    )
    fails(["diff", ffn_logdir, "--format", "gif"], 2, "--format")
    # The same graph on both sides: forgotten --run-b, the same file twice, the same step.
    fails(["diff", ffn_logdir, "--run", BASE], 1, "graph A and graph B are the same graph")
    fails(["diff", ffn_logdir / BASE, ffn_logdir / BASE], 1, f"are the same graph ({BASE})")
    same_step = ["diff", ffn_logdir, "--run", GROWN, "--step-a", "0", "--step-b", "0"]
    fails(same_step, 1, f"same graph ({GROWN} @ step 0)")
    # An output folder that does not exist is named, not the temporary file's name.
    argv = ["diff", ffn_logdir, "--run", GROWN, "--step-a", "0", "-o", tmp_path / "no/x.svg"]
    assert cli.main([os.fspath(a) for a in argv]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith(os.fspath(tmp_path / "no")), err
    assert ".tmp" not in err
    target = tmp_path / "kept.svg"
    target.write_text("old")
    fails(["diff", ffn_logdir, "--run-a", "nope", "-o", target], 1, "graph A")
    assert target.read_text() == "old"


# --- two steps of one run's graph ----------------------------------------------------------


def test_two_steps_of_one_graph_diff_as_the_two_runs(ffn_logdir, ffn):
    _, _, runs = ffn
    local = LocalGraphs(ffn_logdir)
    grown = local.select(run=GROWN)
    assert local.steps(grown) == [0, 10]
    steps = GraphDiff(local.load(grown, step=0), local.load(grown))
    assert steps.status == runs.status
    assert local.load(grown, step=10) == local.load(grown)
    with pytest.raises(NotFound, match="steps with one: 0, 10"):
        local.load(grown, step=3)


@pytest.mark.parametrize("kind", PROVIDERS)
def test_steps_and_step_diff_routes(ffn_logdir, ffn, kind):
    """Both of TensorBoard's data providers keep the two graphs of the grown run."""
    _, _, runs = ffn
    source = start(kind, os.fspath(ffn_logdir))
    try:
        wait_for(lambda: GROWN in runs_with_graphs(source.provider), "the grown run")
        api = Api(source.provider)
        assert [s["step"] for s in api.json("steps", run=GROWN)] == [0, 10]
        view = api.json("diff_view", run=GROWN, base_step=0)
        assert view["counts"] == runs.totals.as_dict()
        at_ten = api.json("diff_view", run=GROWN, step=10, base_step=0)
        assert at_ten == view
        node = api.json("diff_node", run=GROWN, base_step=0, name="layer3/W")
        assert ("attr:shape", "[64,10]", "[64,32]") in _changes(node)
        svg = api.get("diff", run=GROWN, base_step=0)
        assert "diff-added" in _classes(svg.data)[dottext.element_id("scope", "layer4")]
        assert "0, 10" in api.error(404, "diff", run=GROWN, base_step=3)
        assert "base_step" in api.error(400, "diff", run=GROWN, base_step=-1)
        # Without a step, the latest graph on both sides, or the latest step named: the
        # same graph twice is refused.
        assert "same graph" in api.error(400, "diff_view", run=GROWN)
        assert "same graph" in api.error(400, "diff_view", run=GROWN, base_step=10)
        # A base step the provider no longer keeps is said to be the base's.
        assert api.error(404, "diff", run=GROWN, base_step=5).startswith("base graph: ")
        # The title names the steps, not the tag the graph is stored under.
        text = api.get("diff", format="dot", run=GROWN, base_step=0).get_data(as_text=True)
        assert f"{GROWN} @ step 0 → {GROWN}" in text and "__run_graph__" not in text
    finally:
        source.close()


def test_cli_diff_of_two_steps(ffn_logdir, tmp_path, capsys):
    steps, runs = tmp_path / "steps.dot", tmp_path / "runs.dot"
    argv = ["diff", ffn_logdir, "--run", GROWN, "--step-a", "0", "-o", steps]
    assert cli.main([os.fspath(a) for a in argv]) == 0, capsys.readouterr().err
    argv = [
        "diff",
        ffn_logdir,
        "--kind",
        "run_graph",
        "--run-a",
        BASE,
        "--run-b",
        WIDER,
        "-o",
        runs,
    ]
    assert cli.main([os.fspath(a) for a in argv]) == 0, capsys.readouterr().err
    # The same drawing but for its title.
    titled = steps.read_text().replace(f"{GROWN} @ step 0 → {GROWN}", f"{BASE} → {WIDER}")
    assert titled == runs.read_text()
    assert cli.main([os.fspath(a) for a in [*argv[:2], "--run", GROWN, "--step-b", "4"]]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("tb-scopegraph: error: graph B: no run_graph at step 4")
        and err.count("\n") == 1
    )
