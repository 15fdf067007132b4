"""The scope tree and its views: honest counts, series, chunks, edges, details."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
from collections.abc import Sequence

import pytest
from graphs import ffn_graph, graph_from_nodes, series_graph
from tf_graphs import written_by_tensorflow

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.dottext import element_id
from tb_scopegraph.errors import InvalidQuery, InvalidView, NotFound
from tb_scopegraph.model import hierarchy, paths, views
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import folded_into, lone_op


@pytest.fixture(scope="module")
def real_graphs():
    graphs = written_by_tensorflow()
    graphs["ffn"] = ffn_graph(scoped=True)
    graphs["flat"] = ffn_graph(scoped=False)
    graphs["series"] = series_graph(48)
    graphs["nested"] = nested_graph()
    return graphs


def nested_graph():
    """Three levels of scopes with edges across them, and ops beside scopes."""
    nodes = [("input", "Placeholder", (), {"_output_shapes": [[None, 4]]})]
    previous = "input"
    for block in range(3):
        for layer in range(3):
            scope = f"model/block{block}/layer{layer}"
            nodes.append((f"{scope}/w", "Const", (), {"_output_shapes": [[4, 4]]}))
            nodes.append((f"{scope}/mul", "MatMul", (previous, f"{scope}/w")))
            nodes.append((f"{scope}/act", "Relu", (f"{scope}/mul",)))
            previous = f"{scope}/act"
        nodes.append((f"model/block{block}/skip", "AddV2", (previous, "input")))
        previous = f"model/block{block}/skip"
    nodes.append(("output", "Identity", (previous, "^model/block0/layer0/w")))
    return graph_from_nodes(nodes)


def visible_box_of(h: Hierarchy, view, name: str) -> tuple[str, str]:
    """Which box shows op ``name`` in ``view`` ("op" or "group", its name), worked out from
    ancestors() alone; a closed scope beside an op of its name may be drawn in that op's box,
    and a closed scope of one op as that op."""
    for key in h.ancestors(name):
        if key not in view.open:
            if folded_into(h.graph, h.graph.group_id(key)) is not None:
                return "op", key
            if (op := lone_op(h.graph, h.graph.group_id(key))) is not None:
                return "op", h.graph.names[op]
            return "group", key
    return "op", name


def assert_honest(h: Hierarchy, view) -> None:
    layout = h.layout(view)
    boxes = {(b.kind, b.name): b for b in layout.boxes}
    assert len(boxes) == len(layout.boxes) == view.boxes
    assert sum(b.op_count for b in layout.boxes) == h.op_count
    group_boxes = {b.name for b in layout.boxes if b.kind != "op"}
    op_boxes = {b.name for b in layout.boxes if b.kind == "op"}
    for name in h.graph.names[: h.op_count]:
        kind, where = visible_box_of(h, view, name)
        assert where in (op_boxes if kind == "op" else group_boxes), (name, where)
    for cluster in layout.clusters:
        assert cluster.name in view.open


def all_views(h: Hierarchy):
    yield h.default_view()
    for depth in range(4):
        yield h.view(depth=depth)
    keys = [g.key for g in h.graph.groups[1:]]
    for key in keys[:30]:
        yield h.view(open=sorted(h.reveal(key) | {key}))
    rng = random.Random(7)
    for _ in range(10):
        yield h.view(open=rng.sample(keys, min(len(keys), 5)))


@pytest.mark.parametrize("name", ["tf1", "keras", "ffn", "flat", "series", "nested"])
def test_every_op_is_in_exactly_one_visible_box(real_graphs, name):
    h = Hierarchy(real_graphs[name])
    assert h.op_count == len(real_graphs[name].node)
    for view in all_views(h):
        assert_honest(h, view)


def test_series_of_numbered_scopes_fold_into_one_openable_node():
    h = Hierarchy(series_graph(48))
    tree = h.tree()
    series = [c for c in tree["children"] if c["kind"] == "series"]
    assert [s["name"] for s in series] == ["layer_[0-47]"]
    assert series[0]["op_count"] == 96 and series[0]["child_count"] == 48
    closed = h.view(depth=0)
    assert {b.name for b in h.layout(closed).boxes} == {"input", "output", "layer_[0-47]"}
    opened = h.layout(h.view(open=["layer_[0-47]"]))
    assert sum(1 for b in opened.boxes if b.kind == "scope") == 48
    assert {c.name for c in opened.clusters} == {"layer_[0-47]"}


def test_series_needs_five_members_and_folds_numbered_ops():
    assert all(c["kind"] == "scope" for c in Hierarchy(series_graph(4)).tree()["children"])
    flat = Hierarchy(series_graph(12, scoped=False))
    names = [c["name"] for c in flat.tree()["children"]]
    assert names == ["add_[1-11]"]
    assert flat.details("add_[1-11]")["op_types"] == {"AddV2": 11}


def test_data_and_control_edges_bundle_between_visible_boxes():
    graph = graph_from_nodes(
        [
            ("init", "NoOp"),
            ("a/x", "Placeholder", (), {"_output_shapes": [[None, 128]]}),
            ("a/y", "Placeholder", (), {"_output_shapes": [[None, 128]]}),
            ("b/p", "AddV2", ("a/x", "a/y:0", "^init")),
            ("b/q", "Mul", ("a/x", "a/y")),
        ]
    )
    h = Hierarchy(graph)
    layout = h.layout(h.view(depth=0))
    names = [b.name for b in layout.boxes]
    edges = {(names[e.src], names[e.dst], e.control): e for e in layout.edges}
    assert set(edges) == {("a", "b", False), ("init", "b", True)}
    data = edges[("a", "b", False)]
    assert data.count == 4 and data.tensor_count == 2
    assert {t.name for t in data.tensors} == {"a/x:0", "a/y:0"}
    assert {t.shape for t in data.tensors} == {"[?,128]"}
    opened = h.layout(h.view(open=["a", "b"]))
    names = [b.name for b in opened.boxes]
    pairs = {(names[e.src], names[e.dst], e.control) for e in opened.edges}
    assert ("a/x", "b/p", False) in pairs and ("init", "b/p", True) in pairs
    assert all(e.count == 1 for e in opened.edges)


@pytest.mark.parametrize("far", [2, 10**18 - 1])  # an output past int64's reach when multiplied
def test_a_bundle_counts_each_tensor_once_however_far_its_outputs_are_numbered(far):
    graph = graph_from_nodes(
        [
            ("a/x", "Split"),
            ("a/y", "Placeholder"),
            ("b/p", "AddV2", ("a/x", f"a/x:{far}", "a/y")),
            ("b/q", "Mul", (f"a/x:{far}", "a/x:0", "a/x:1")),
            ("c/r", "Identity", ("a/y",)),
        ]
    )
    h = Hierarchy(graph)
    edges = {(e.src, e.dst): e for e in h.layout(h.view(depth=0)).edges}
    into_b, into_c = edges[(0, 1)], edges[(0, 2)]
    assert (into_b.count, into_b.tensor_count) == (6, 4)  # x:0, x:far, x:1, y:0
    assert (into_c.count, into_c.tensor_count) == (1, 1)
    assert [t.name for t in into_b.tensors] == ["a/x:0", f"a/x:{far}", "a/y:0", "a/x:1"]


def test_default_view_opens_a_lone_scope_and_stays_readable(real_graphs):
    keras = Hierarchy(real_graphs["keras"])
    top = [c["name"] for c in keras.tree()["children"]]
    assert len(top) == 1  # Keras puts the whole model under one scope
    assert top[0] in keras.default_view().open
    for graph in real_graphs.values():
        view = Hierarchy(graph).default_view()
        assert view.boxes <= hierarchy.DEFAULT_BOXES or len(view.open) <= 3


def _stack(layers: list[str], ops: int) -> Hierarchy:
    """`input`, then the scopes `layers` of `ops` chained ops each, then a `loss` scope. The
    ops in a layer are named by letters, so that they do not fold into a series."""
    nodes = [("input", "Placeholder")]
    previous = "input"
    for layer in layers:
        for j in range(ops):
            nodes.append((f"{layer}/{chr(ord('a') + j)}", "Relu", (previous,)))
            previous = nodes[-1][0]
    nodes.append(("loss/sum", "Sum", (previous,)))
    return Hierarchy(graph_from_nodes(nodes))


@pytest.mark.parametrize(
    "layers",
    [
        ["layer1", "layer2", "layer3", "layer4"],
        ["dense", "dense_1", "dense_2", "dense_3"],  # as Keras numbers its layers
        ["block[0]", "block[1]", "block[2]", "block[3]"],
    ],
)
def test_default_view_opens_numbered_siblings_together_or_not_at_all(layers):
    assert len(layers) < hierarchy.SERIES_MIN  # four siblings: no series
    top = len(layers) + 2  # input, the layers, loss
    # The most ops per layer for which the four open layers fit the default view's budget.
    fits = (hierarchy.DEFAULT_BOXES - top) // len(layers) + 1
    # The box budget alone (views.default_view without the drawing's size estimate).
    assert views.default_view(_stack(layers, fits).graph).open == set(layers)
    # One op more and the four do not fit, though three would: all four stay closed.
    over = fits + 1
    assert top + 3 * (over - 1) <= hierarchy.DEFAULT_BOXES < top + len(layers) * (over - 1)
    view = views.default_view(_stack(layers, over).graph)
    assert view.open == frozenset() and view.boxes == top


def test_depth_zero_closes_everything_and_depth_opens_levels():
    h = Hierarchy(nested_graph())
    assert h.view(depth=0).open == frozenset()
    assert h.view(depth=1).open == {"model"}
    assert h.view(depth=2).open == {"model", "model/block0", "model/block1", "model/block2"}
    with pytest.raises(InvalidQuery):
        h.view(depth=-1)
    with pytest.raises(NotFound):
        h.view(open=["no/such/scope"])


def test_open_scope_inside_a_closed_one_does_not_show():
    h = Hierarchy(nested_graph())
    view = h.view(open=["model/block1"])
    assert view.open == frozenset()
    assert {b.name for b in h.layout(view).boxes} == {"input", "model", "output"}


def test_big_scope_is_chunked_and_no_view_exceeds_the_box_bound():
    size = hierarchy.MAX_CHILDREN
    parts = hierarchy.MAX_BOXES // size + 1
    n = size * (parts - 1) + 17  # ops, plus one input
    nodes = [("big/in", "Placeholder")]
    nodes += [(f"big/op{i}x", "Relu", ("big/in",)) for i in range(n)]
    h = Hierarchy(graph_from_nodes(nodes))
    big = h.tree()["children"][0]
    assert big["name"] == "big" and big["child_count"] == parts
    assert [c["kind"] for c in big["children"]] == ["chunk"] * parts
    assert [c["op_count"] for c in big["children"]] == [size] * (parts - 1) + [18]
    assert_honest(h, h.view(open=["big", big["children"][1]["name"]]))
    everything = [c["name"] for c in big["children"]] + ["big"]
    with pytest.raises(InvalidView, match="close some scopes"):
        h.view(open=everything)
    deep = h.view(depth=5)  # opening by depth stops at the bound instead of failing
    assert deep.boxes <= hierarchy.MAX_BOXES
    assert_honest(h, deep)


def test_two_hundred_thousand_flat_ops_chunk_twice():
    n = 200_000
    graph = graph_from_nodes([(f"n{i}", "NoOp") for i in range(n)])
    h = Hierarchy(graph)
    top = h.tree()["children"]
    assert len(top) <= hierarchy.MAX_CHILDREN
    assert sum(c["op_count"] for c in top) == n
    view = h.default_view()
    assert view.boxes <= hierarchy.MAX_BOXES
    assert sum(b.op_count for b in h.layout(view).boxes) == n


def test_missing_inputs_show_as_marked_nodes():
    h = Hierarchy(graph_from_nodes([("x", "Placeholder"), ("y", "AddV2", ("x", "ghost:1"))]))
    layout = h.layout(h.view(depth=0))
    kinds = {b.name: b.kind for b in layout.boxes}
    assert kinds == {"x": "op", "y": "op", "ghost": "missing"}
    assert h.op_count == 2
    assert h.details("ghost")["kind"] == "missing"


def test_cycles_self_loops_duplicates_and_deep_paths_do_not_break():
    deep = "/".join(f"s{i}" for i in range(5000))
    graph = graph_from_nodes(
        [
            ("loop/a", "Merge", ("loop/b",)),
            ("loop/b", "NextIteration", ("loop/a",)),
            ("self", "Identity", ("self",)),
            ("dup", "Const"),
            ("dup", "Const"),
            (deep + "/leaf", "Const"),
            ("", "NoOp"),
        ]
    )
    h = Hierarchy(graph)
    assert h.op_count == 7
    assert h.tree()["op_count"] == 7
    view = h.view(open=sorted(h.reveal(deep + "/leaf")))
    assert_honest(h, view)
    assert_honest(h, h.view(depth=10))
    top = h.layout(h.view(depth=0))
    names = [b.name for b in top.boxes]
    assert names.count("dup") == 1 and "dup (2)" in names
    # A visible op's input from itself is drawn as a loop; a closed scope draws none.
    loops = {(top.boxes[e.src].name, top.boxes[e.dst].name) for e in top.edges if e.src == e.dst}
    assert loops == {("self", "self")}
    opened = h.layout(h.view(open=["loop"]))
    loop_names = {b.name for b in opened.boxes}
    pairs = {(opened.boxes[e.src].name, opened.boxes[e.dst].name) for e in opened.edges}
    assert {("loop/a", "loop/b"), ("loop/b", "loop/a")} <= pairs and "loop/a" in loop_names


def test_op_details_give_shapes_types_inputs_and_consumers(real_graphs):
    h = Hierarchy(real_graphs["tf1"])
    matmul = h.details("layer1/MatMul", kind="op")
    assert matmul["op"] == "MatMul"
    assert [i["shape"] for i in matmul["inputs"]] == ["[?,20]", "[20,16]"]
    assert matmul["inputs"][0] == {
        "name": "x",
        "control": False,
        "dtype": "float",
        "shape": "[?,20]",
    }
    assert matmul["outputs"][0]["shape"] == "[?,16]"
    assert matmul["outputs"][0]["consumers"] == ["layer1/add"]
    assert matmul["attrs"]["T"]["value"] == "float"


def test_scope_details_count_op_types_and_parameters(real_graphs):
    h = Hierarchy(real_graphs["tf1"])
    layer = h.details("layer1")
    assert layer["kind"] == "scope"
    assert layer["op_types"]["MatMul"] == 1 and layer["op_types"]["VarHandleOp"] == 2
    assert layer["parameters"] == 20 * 16 + 16
    assert sum(layer["op_types"].values()) == layer["op_count"]
    with pytest.raises(NotFound):
        h.details("layer9")


def test_large_attribute_values_are_clipped_with_their_size():
    from tensorboard.compat.proto import attr_value_pb2, tensor_pb2, types_pb2

    from tb_scopegraph.model.hierarchy import format_attr

    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_content=b"\0" * 5_000_000)
    tensor.tensor_shape.dim.add(size=1_250_000)
    shown = format_attr(attr_value_pb2.AttrValue(tensor=tensor))
    assert shown["size"] == 5_000_000 and not shown["clipped"]
    assert shown["value"] == "float [1250000] <5000000 bytes>"
    long = format_attr(attr_value_pb2.AttrValue(s=b"x" * 10_000 + b"\xff"))
    assert long["clipped"] and long["size"] == 10_004 and len(long["value"]) < 1000


def test_search_finds_by_substring_and_regex_and_says_what_to_open():
    h = Hierarchy(nested_graph())
    hits = h.search("layer1/MUL")
    assert [x["name"] for x in hits] == [f"model/block{b}/layer1/mul" for b in range(3)]
    assert hits[0]["reveal"] == ["model", "model/block0", "model/block0/layer1"]
    assert [x["name"] for x in h.search(r"block2/skip$", regex=True)] == ["model/block2/skip"]
    assert len(h.search("model", limit=5)) == 5
    with pytest.raises(InvalidQuery):
        h.search("(", regex=True)


def test_reveal_opens_series_and_chunks_on_the_way():
    h = Hierarchy(series_graph(30))
    assert h.reveal("layer_17/Relu") == {"layer_[0-29]", "layer_17"}
    view = h.view(open=h.reveal("layer_17/Relu"))
    assert "layer_17/Relu" in {b.name for b in h.layout(view).boxes}


@pytest.mark.parametrize("seed", range(5))
def test_random_graphs_stay_honest(seed):
    rng = random.Random(seed)
    words = ["a", "b", "c", "layer_1", "layer_2", "conv", "x"]
    names = set()
    while len(names) < 150:
        depth = rng.randint(1, 4)
        names.add("/".join(rng.choice(words) for _ in range(depth)) + f"/op{rng.randint(0, 9)}")
    names = sorted(names)
    nodes = [(n, "Op", [rng.choice(names) for _ in range(rng.randint(0, 3))]) for n in names]
    h = Hierarchy(graph_from_nodes(nodes))
    keys = [g.key for g in h.graph.groups[1:]]
    for r in range(0, 4):
        for combo in itertools.islice(itertools.combinations(keys, r), 20):
            assert_honest(h, h.view(open=combo))


def test_pytorch_numbered_modules_fold_into_one_series():
    nodes = [("Net/input", "IO Node")]
    previous = "Net/input"
    for i in range(6):
        nodes.append(
            (f"Net/Sequential[features]/Conv2d[{i}]/aten::conv", "aten::conv", (previous,))
        )
        previous = f"Net/Sequential[features]/Conv2d[{i}]/aten::conv"
    h = Hierarchy(graph_from_nodes(nodes))
    features = h.tree()["children"][0]["children"][0]
    assert [c["name"] for c in features["children"]] == ["Net/Sequential[features]/Conv2d[0-5]"]


def test_the_graph_model_is_consistent_and_read_only():
    nodes = [("input", "Placeholder")]
    nodes += [(f"net/block_{b}/relu", "Relu", ("input", "ghost:1")) for b in range(6)]
    nodes += [(f"flat/op{i}", "Add", ("^input",)) for i in range(1200)]
    h = Hierarchy(graph_from_nodes(nodes))
    model = h.graph
    assert model.op_count == len(nodes) and model.names[model.op_count :] == ("ghost",)
    assert model.is_missing(model.op_id("ghost")) and not model.is_missing(0)
    assert model.op_types[model.op_id("flat/op3")] == "Add" and model.devices[0] == ""
    # Every op sits directly in the one group op_group names, and is listed there.
    for op in range(len(model.names)):
        assert op in model.groups[model.op_group[op]].ops
    assert sorted(op for g in model.groups for op in g.ops) == list(range(len(model.names)))
    # Groups: found by key, parents and children agree, counts add up.
    assert model.order[0] == hierarchy.ROOT and sorted(model.order) == list(
        range(len(model.groups))
    )
    for gid, group in enumerate(model.groups):
        assert model.group_id(group.key) == gid
        assert group.child_count == len(group.children) + len(group.ops)
        for child in group.children:
            assert model.groups[child].parent == gid
            assert model.groups[child].nesting == group.nesting + 1
        own = sum(1 for op in group.ops if not model.is_missing(op))
        assert group.op_count == own + sum(model.groups[c].op_count for c in group.children)
    assert model.groups[hierarchy.ROOT].op_count == model.op_count
    assert {"net/block_[0-5]", "flat/op[0-1199]/[part 1 of 3]"} <= model.group_keys()
    # Edges, one per input, in node order.
    assert model.edge_control.tolist() == [False, False] * 6 + [True] * 1200
    assert model.edge_dst.tolist() == [1 + i // 2 for i in range(12)] + list(range(7, 1207))
    assert model.edge_src.tolist()[:2] == [0, model.op_id("ghost")]
    ghost = model.op_id("ghost")
    assert sorted(set(model.edge_slot[model.edge_src == ghost].tolist())) == [1]
    # Nothing can be changed in place.
    for array in (model.edge_src, model.edge_dst, model.edge_slot, model.edge_control):
        with pytest.raises(ValueError):
            array[0] = 0
    with pytest.raises(ValueError):
        model.op_group[0] = 1
    with pytest.raises(AttributeError):
        model.groups[1].key = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        model.groups[0].children[0] = 1  # type: ignore[index]
    for column in (model.names, model.op_types, model.devices):
        with pytest.raises(TypeError):
            column[0] = "other"  # type: ignore[index]
    for column in (model.groups.parents, model.groups.child_ids, model.order):
        with pytest.raises(TypeError):
            column[0] = 1  # type: ignore[index]
    assert isinstance(model.names, Sequence) and isinstance(model.groups, Sequence)


# --- the first view: forward path first, auxiliary boxes set apart ---------------------------


def test_a_scope_of_one_op_beside_an_op_of_its_name_is_one_box():
    # TF puts W1/read under the variable W1, and TF2 MatMul/ReadVariableOp under MatMul: the
    # scope and the op of one name are one box (the op's), as TensorBoard draws them.
    h = Hierarchy(ffn_graph(scoped=False))
    for view in (h.default_view(), h.view(depth=0)):
        layout = h.layout(view)
        boxes = {(b.kind, b.name): b for b in layout.boxes}
        assert ("scope", "W1") not in boxes and boxes["op", "W1"].op_count == 2
        assert view.boxes == len(layout.boxes)
        # W1/read's edge into MatMul leaves the variable's box; none loops back to it.
        w1 = layout.boxes.index(boxes["op", "W1"])
        assert not [e for e in layout.edges if e.src == e.dst == w1]
    # Opened, the scope shows its op beside the variable.
    opened = h.layout(h.view(open=["W1"]))
    assert {("op", "W1"), ("op", "W1/read")} <= {(b.kind, b.name) for b in opened.boxes}


def test_first_view_opens_the_layers_not_the_training_plumbing(training_graph):
    h = Hierarchy(training_graph)
    view = h.default_view(width=1800, height=1100)
    assert {"layer1", "layer2", "layer3"} <= view.open
    assert not {"train", "cross_entropy", "evaluation", "save"} & view.open
    aux = {b.name: b.aux for b in h.layout(view).boxes if b.aux}
    # Summaries and their merge, the saver, init and the layers' histograms stand apart.
    assert aux["Merge"] == aux["loss"] == aux["layer1/weights"] == "summary"
    assert aux["save"] == "save" and aux["init"] == "sink"
    roles = h.roles
    role = {k: roles.role(h.graph.group_id(k)) for k in ("layer1", "train", "layer1/W")}
    assert role == {"layer1": "forward", "train": "plumbing", "layer1/W": "variable"}


def test_first_view_fits_the_window_it_is_shown_in(training_graph):
    h = Hierarchy(training_graph)
    assert {"layer1", "layer2", "layer3"} <= h.default_view(width=1800, height=1100).open
    # The tab in a 1,400 x 900 window: its layers open would show labels under 10 px.
    assert h.default_view().open == frozenset()
    assert h.default_view(width=500, height=350).open == frozenset()


def test_plumbing_opens_when_nothing_else_is_there():
    ops = ("ReluGrad", "MatMul", "Sum", "Reshape")
    grads = [(f"gradients/{op.lower()}", op, ("x",)) for op in ops]
    # Beside it, a scope too small to open: nothing else is there to open.
    h = Hierarchy(graph_from_nodes([("x", "Placeholder"), ("layer/y", "Relu", ("x",)), *grads]))
    assert h.roles.role(h.graph.group_id("gradients")) == "plumbing"
    assert h.default_view().open == {"gradients"}


def test_a_pytorch_layer_of_weights_and_one_op_stays_closed(torch_cnn):
    h = Hierarchy(torch_cnn)
    view = h.default_view()
    assert view.open == {"Net"}  # input -> Net (its layers closed) -> output
    boxes = h.layout(view).boxes
    assert {b.name for b in boxes if b.cluster == "Net" and not b.aux} >= {
        "Net/Conv2d[conv1]",
        "Net/Conv2d[conv2]",
        "Net/Linear[fc]",
    }
    # Its arguments (prim::Constant, prim::ListConstruct) are auxiliary where they show.
    opened = h.layout(h.view(open=["Net", "Net/Conv2d[conv1]"]))
    args = [b for b in opened.boxes if b.op.startswith(("prim::Constant", "prim::ListConstruct"))]
    assert args and all(b.aux == "constant" for b in args)


def test_a_traced_keras_training_step_opens_on_the_step_not_beside_its_input(keras_traces):
    # trace_export of train_on_batch writes the functions that ran: conversions of the
    # inputs (_Arg, _EagerConst, _Retval), and the training step, which holds the model.
    h = Hierarchy(keras_traces["train_on_batch"])
    top = {g.key: g for g in h.graph.groups[1:] if g.parent == 0}
    (step,) = [k for k in top if h.roles.parameters(h.graph.group_id(k))]
    inputs = set(top) - {step}
    assert inputs and all(top[k].op_count < views.DEFAULT_MIN_OPS for k in inputs)
    view = h.default_view()
    assert step in view.open and not inputs & view.open
    layout = h.layout(view)
    shown = {b.name for b in layout.boxes} | {c.name for c in layout.clusters}
    assert f"{step}/classifier_1" in shown  # the model, beside its loss and optimizer
    assert_honest(h, view)


@pytest.mark.parametrize("run", ["predict_on_batch", "predict"])
def test_a_traced_keras_prediction_opens_down_to_the_model(keras_traces, run):
    # The functions that ran fold into a series (graph_[1-8]); predict's dataset functions
    # are in the function library beside it. Only the last function reads the variables.
    h = Hierarchy(keras_traces[run])
    view = h.default_view()
    (model,) = [k for k in view.open if k.endswith("/classifier_1")]
    function = model.rsplit("/", 1)[0]
    assert h.roles.parameters(h.graph.group_id(function)) == h.roles.parameters(0)
    assert not [k for k in view.open if k.startswith("__function_library__")]
    assert_honest(h, view)


def test_a_traced_keras_fit_opens_on_its_training_step(keras_traces):
    # fit's step counters read a variable or two in the numbered functions; the training
    # step, in the function library, reads the model's and the optimizer's.
    h = Hierarchy(keras_traces["fit"])
    view = h.default_view()
    library = "__function_library__"
    (step,) = [k for k in view.open if k.startswith(library + "/")]
    assert 2 * h.roles.parameters(h.graph.group_id(step)) > h.roles.parameters(0)
    layout = h.layout(view)
    shown = {b.name for b in layout.boxes} | {c.name for c in layout.clusters}
    assert f"{step}/classifier_1" in shown
    assert_honest(h, view)


def test_of_numbered_functions_only_the_one_holding_parameters_opens_as_the_model():
    # A trace's functions, graph_1 and graph_2, each too large to open within the budget;
    # only graph_2 reads variables: it is the model, opened as a lone scope is.
    letters = ["".join(p) for p in itertools.product("abcdef", repeat=2)]

    def function(key: str, reads: bool) -> list:
        nodes = [(f"{key}/w", "VarHandleOp"), (f"{key}/read", "ReadVariableOp", (f"{key}/w",))]
        nodes = nodes if reads else [(f"{key}/arg", "_Arg")]
        first = nodes[-1][0]
        return nodes + [(f"{key}/{op}", "Relu", (first,)) for op in letters]

    h = Hierarchy(graph_from_nodes(function("graph_1", False) + function("graph_2", True)))
    view = h.default_view()
    assert "graph_2" in view.open and "graph_1" not in view.open
    # Both reading variables, neither is the model on its own.
    h = Hierarchy(graph_from_nodes(function("graph_1", True) + function("graph_2", True)))
    assert not {"graph_1", "graph_2"} & h.default_view().open
    # Nor is a group that is no sibling by number of the others.
    h = Hierarchy(graph_from_nodes(function("inputs", False) + function("model", True)))
    assert not {"inputs", "model"} & h.default_view().open


def test_a_closed_scope_of_one_op_of_another_name_is_drawn_as_that_op(keras_traces):
    # Keras puts each layer's kernel read in a scope of its own: hidden_1/Cast holds only
    # Cast/ReadVariableOp. Its box is that op's, named below the layer.
    h = Hierarchy(keras_traces["predict_on_batch"])
    (layer,) = [g.key for g in h.graph.groups if g.key.endswith("classifier_1/hidden_1")]
    view = h.view(open=h.reveal(layer) | {layer})
    boxes = {b.name: b for b in h.layout(view).boxes}
    cast = boxes[f"{layer}/Cast/ReadVariableOp"]
    assert (cast.kind, cast.label, cast.op, cast.op_count) == (
        "op",
        "Cast/ReadVariableOp",
        "ReadVariableOp",
        1,
    )
    assert f"{layer}/Cast" not in boxes
    assert view.boxes == len(boxes)
    text = to_dot(h, view)
    assert element_id("op", cast.name) in text
    assert element_id("scope", f"{layer}/Cast") not in text
    # A trace through it names the box drawn.
    found = paths.trace(h, f"{layer}/MatMul", "in", depth=1, open=view.open)
    assert ("op", cast.name) in found.boxes
    assert_honest(h, view)


def test_a_one_op_scope_holding_its_ops_helpers_is_drawn_as_the_op(real_graphs):
    # tf.function's own writer: Cast/ReadVariableOp/resource is folded into its reader.
    h = Hierarchy(real_graphs["keras"])
    # Keras numbers its models and layers in the order a process makes them.
    name = next(
        n for n in h.graph.names if re.fullmatch(r"sequential\w*/dense\w*/Cast/ReadVariableOp", n)
    )
    model, layer = name.split("/")[:2]
    view = h.view(open=[model, f"{model}/{layer}"])
    box = {b.name: b for b in h.layout(view).boxes}[name]
    assert (box.kind, box.label, box.op_count) == ("op", "Cast/ReadVariableOp", 2)
    assert_honest(h, view)


def test_an_auxiliary_one_op_scope_keeps_its_name(training_graph):
    # Merge holds Merge/MergeSummary: it stands apart as "Merge", which stubs repeat.
    h = Hierarchy(training_graph)
    merge = h.graph.group_id("Merge")
    assert merge is not None and lone_op(h.graph, merge) is None
    boxes = {b.name: b for b in h.layout(h.default_view()).boxes}
    assert boxes["Merge"].aux == "summary"


def test_a_small_pytorch_cnn_reads_input_model_output(torch_cnn):
    # add_graph puts the input and output in one-op scopes: drawn as their IO nodes.
    h = Hierarchy(torch_cnn)
    view = h.default_view()
    layout = h.layout(view)
    main = {b.name: b for b in layout.boxes if not b.aux}
    assert main["input/x.1"].op == main["output/output.1"].op == "IO Node"
    assert {"input", "output"}.isdisjoint(main)
    assert view.open == {"Net"} and len(main) <= 10
    # input -> Net's first layer ... its last -> output, through the drawn boxes.
    edges = {(layout.boxes[e.src].name, layout.boxes[e.dst].name) for e in layout.edges}
    assert ("input/x.1", "Net/Conv2d[conv1]") in edges
    assert ("Net/Linear[fc]", "output/output.1") in edges


def test_every_op_and_missing_input_is_found_by_its_name_and_nothing_else():
    graph = graph_from_nodes(
        [("a/x", "Placeholder"), ("a", "NoOp"), ("a/y", "Relu", ("a/x", "ghost/in:1"))]
    )
    model = Hierarchy(graph).graph
    assert [model.op_id(name) for name in model.names] == list(range(len(model.names)))
    assert model.names[model.op_id("ghost/in")] == "ghost/in"  # a missing input
    assert [model.op_id(name) for name in ("ghost", "", "a/x:0", "A/x")] == [None] * 4
    # Names kept as a scope's path and a label: leading, trailing and doubled slashes too.
    odd = ["/x", "/x/y", "b/", "b//c", "/", "//", "c"]
    for fast in (True, False):
        graph = graph_from_nodes([(name, "Op", ("/lead/in",)) for name in odd])
        model = Hierarchy(graph.SerializeToString(), fast=fast).graph
        assert model.names == (*odd, "/lead/in")
        assert [model.op_id(name) for name in model.names] == list(range(len(odd) + 1))
        assert [model.op_id(name) for name in ("x", "b", "/x/", "c/")] == [None] * 4


# --- memory a server hands back ---------------------------------------------------------------


# A fresh process: glibc serves a big block from its heaps when they hold a free chunk that
# big (as a test process's may, after other tests), whatever the threshold.
_LARGE_BLOCKS = """
import ctypes, sys
from tb_scopegraph.model import hierarchy

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
    ).split()]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "fixed" and not hierarchy.return_large_blocks():
    sys.exit(3)
# Freeing a 24 MB block raises glibc's own threshold past the next 2 MB one, which then comes
# from a heap that keeps its pages once it is freed.
freed = bytearray(24 << 20)
del freed
before = libc.mallinfo2().hblkhd
block = bytearray(2 * hierarchy.LARGE_BLOCK)
print(libc.mallinfo2().hblkhd - before >= len(block))
"""


def test_large_blocks_are_mapped_on_their_own_after_a_bigger_one_was_freed():
    def mapped(mode: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", _LARGE_BLOCKS, mode], capture_output=True, text=True
        )
        if run.returncode == 3:
            pytest.skip("not glibc")
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert mapped("fixed") == "True"
    assert mapped("glibc's own") == "False"  # what the threshold fixed changes


def test_a_big_graphs_bytes_are_compressed_before_its_first_view(monkeypatch):
    # The NodeDefs' bytes beside a view's temporaries made the peak of reading a big graph:
    # from COMPRESS_BEFORE_DRAWING on, they are compressed before a view is worked out.
    data = ffn_graph().SerializeToString()
    small = Hierarchy(data)
    first = small.default_view()
    assert small.graph.nodes.blocks is None and small.graph.nodes.data
    monkeypatch.setattr(hierarchy, "COMPRESS_BEFORE_DRAWING", len(data) // 2)
    for draw in (
        lambda h: h.default_view(),
        lambda h: h.view(depth=1),
        lambda h: h.layout(first),
    ):
        big = Hierarchy(data)
        assert big.graph.nodes.blocks is None
        draw(big)
        assert big.graph.nodes.blocks is not None and big.graph.nodes.data == b""
        name = big.graph.names[3]
        assert big.node_def(name) == small.node_def(name)
    assert to_dot(big, big.default_view()) == to_dot(small, small.default_view())
