"""A trace's function graphs as the first view shows them: eager set-up of variables apart."""

from __future__ import annotations

import graphs
import pytest
from tensorboard.compat.proto import config_pb2, graph_pb2

from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import AUXILIARY
from tb_scopegraph.reading.formats import parse_graph
from tb_scopegraph.reading.run_metadata import (
    EAGER_SETUP,
    OP_GRAPH,
    eager_setup,
    load_profile,
)

_RESOURCE = {"T": "resource"}


def _one_op(op: str, args: int = 0) -> graph_pb2.GraphDef:
    """A function graph of one eager op, as a trace records it: arguments, the op, a result."""
    names = [f"arg_{i}" for i in range(args)]
    return graphs.graph_from_nodes(
        [
            *((name, "_Arg") for name in names),
            (op, op, names),
            ("output_RetVal", "_Retval", (op,)),
        ]
    )


def _training_step() -> graph_pb2.GraphDef:
    """A traced training step: the model's layers read captured variables, then an update."""
    nodes = [("x", "_Arg")]
    flow = "x"
    for layer in ("dense", "dense_1"):
        handle = f"model_{layer}_matmul_readvariableop_resource"
        nodes += [
            (handle, "_Arg", (), _RESOURCE),
            (f"model/{layer}/MatMul/ReadVariableOp", "ReadVariableOp", (handle,)),
            (f"model/{layer}/MatMul", "MatMul", (flow, f"model/{layer}/MatMul/ReadVariableOp")),
            (f"model/{layer}/Relu", "Relu", (f"model/{layer}/MatMul",)),
        ]
        flow = f"model/{layer}/Relu"
    nodes += [
        ("Mean", "Mean", (flow,)),
        ("gradient_tape/model/dense_1/ReluGrad", "ReluGrad", ("Mean", flow)),
        (
            "gradient_tape/model/dense/ReluGrad",
            "ReluGrad",
            ("gradient_tape/model/dense_1/ReluGrad",),
        ),
        ("sgd/update", "ResourceApplyGradientDescent", ("gradient_tape/model/dense/ReluGrad",)),
        ("identity_RetVal", "_Retval", ("Mean",)),
    ]
    return graphs.graph_from_nodes(nodes)


def _set_up(variables: int) -> list[graph_pb2.GraphDef]:
    """What a trace begun before a model's first call records beside it: each variable
    created, its initial value made and assigned, each a function graph of one op."""
    return [_one_op("VarHandleOp") for _ in range(variables)] + [
        _one_op("Fill", 2),
        _one_op("AssignVariableOp", 2),
    ]


def _trace(functions: list[graph_pb2.GraphDef], stats=()) -> bytes:
    run_metadata = config_pb2.RunMetadata()
    for graph in functions:
        run_metadata.function_graphs.add().pre_optimization_graph.CopyFrom(graph)
    device = run_metadata.step_stats.dev_stats.add(device="/cpu:0")
    for name, micros in stats:
        device.node_stats.add(node_name=name, all_end_rel_micros=micros)
    return run_metadata.SerializeToString()


def test_eager_set_up_of_variables_is_told_from_the_functions_that_run_more():
    step = _training_step()
    assert eager_setup([*_set_up(3), step]) == [0, 1, 2, 3, 4]
    assert eager_setup([step, *_set_up(1), step]) == [1, 2, 3]
    # The conversion of an eager call's input is the call's.
    assert eager_setup([_one_op("_EagerConst", 1), *_set_up(1), step]) == [1, 2, 3]
    # A lone eager Fill beside the step sets up no variable: it stays where TensorBoard has it.
    assert eager_setup([_one_op("Fill", 2), step]) == []
    # A trace of nothing but eager ops has nothing else to show.
    assert eager_setup(_set_up(3)) == []
    assert eager_setup([step]) == []


def test_a_trace_merges_its_eager_set_up_under_one_scope_numbered_as_tensorboard_does():
    merged = parse_graph(OP_GRAPH, _trace([*_set_up(2), _training_step()]))
    names = graphs.node_names(merged)
    assert f"{EAGER_SETUP}/graph_1/VarHandleOp" in names
    assert f"{EAGER_SETUP}/graph_4/AssignVariableOp" in names
    assert "graph_5/model/dense/MatMul" in names
    assert not [n for n in names if n.startswith("graph_") and n.split("/")[0] != "graph_5"]
    # Searching a name as TensorBoard shows it finds it.
    hierarchy = Hierarchy(merged)
    found = [hit["name"] for hit in hierarchy.search("graph_2/VarHandleOp")]
    assert found == [f"{EAGER_SETUP}/graph_2/VarHandleOp"]


def test_the_first_view_of_a_traced_step_opens_the_step_with_its_variables_set_apart():
    hierarchy = Hierarchy(parse_graph(OP_GRAPH, _trace([*_set_up(40), _training_step()])))
    view = hierarchy.default_view()
    assert {"graph_43", "graph_43/model"} <= view.open
    assert not any(key.startswith(EAGER_SETUP) for key in view.open)
    model = hierarchy.graph
    assert hierarchy.roles.role(model.group_id(EAGER_SETUP)) == AUXILIARY
    # One box stands for the 42 set-up functions, not a series of 42 beside the step.
    assert view.boxes < 20


def test_a_profile_of_a_trace_finds_its_eager_set_up_by_the_names_it_ran_under():
    data = _trace([*_set_up(1), _training_step()], [("VarHandleOp", 3), ("MatMul", 2)])
    graph = load_profile(data, None, "graph_run_metadata", lambda: None)
    assert graph.stats == {
        f"{EAGER_SETUP}/graph_1/VarHandleOp": {"compute_us": 3.0, "memory_bytes": 0},
    }


@pytest.mark.filterwarnings("ignore")
def test_a_real_trace_of_a_keras_training_step_sets_its_optimizer_set_up_apart(tmp_path):
    """TensorBoard's guide traces a step so: `trace_on` before its first call, which creates
    the optimizer's variables eagerly inside the trace."""
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    from tb_scopegraph.service import local

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, name="hidden"), keras.layers.Dense(2)]
    )
    optimizer = keras.optimizers.SGD(0.1, momentum=0.9)

    @tf.function(autograph=False)
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    writer = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True)
    step(tf.ones([2, 4]))
    with writer.as_default():
        tf.summary.trace_export("step", step=0)
    writer.close()
    graph_set = local.open_path(tmp_path)
    info, _ = local.pick(graph_set)
    hierarchy = local.load_info(graph_set, info).hierarchy
    model_ = hierarchy.graph
    tops = [model_.groups[g].key for g in model_.groups[0].children]
    assert EAGER_SETUP in tops
    setup = model_.groups[model_.group_id(EAGER_SETUP)]
    created = [o for o in range(model_.op_count) if model_.op_types[o] == "VarHandleOp"]
    assert created and all(model_.names[o].startswith(f"{EAGER_SETUP}/") for o in created)
    assert setup.op_count >= len(created)
    view = hierarchy.default_view()
    steps = [key for key in view.open if "/" not in key]
    # The step opens. (After a Keras fit earlier in the process, which leaves graph collection
    # on, the trace also holds that fit's functions, numbered like the step: then the step
    # opens inside their series, and its model may stay closed.)
    assert steps and all(key.startswith("graph_") for key in steps)
