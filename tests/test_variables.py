"""What a group's card counts of its variables (`model.variables`, `Details`), on graphs from
the real writers and built as protos."""

import numpy as np
from graphs import graph_from_nodes
from tensorboard.compat.proto import attr_value_pb2, types_pb2
from tensorboard.util import tensor_util

from tb_scopegraph.model.details import VARIABLE_HANDLE
from tb_scopegraph.model.hierarchy import Hierarchy


def _tensor(values) -> attr_value_pb2.AttrValue:
    """A Const's ``value``, as TensorFlow stores it."""
    proto = tensor_util.make_tensor_proto(np.asarray(values, dtype=np.float32))
    return attr_value_pb2.AttrValue(tensor=proto)


def _handles_read(graph, key: str) -> set[str]:
    """The resource ``_Arg``s held in scope ``key`` or read by an op in it, from the
    GraphDef alone."""
    resource = types_pb2.DT_RESOURCE
    handles = {n.name for n in graph.node if n.op == "_Arg" and n.attr["T"].type == resource}
    inside = {n.name for n in graph.node if n.name.startswith(key + "/")}
    read = {
        i.lstrip("^").partition(":")[0] for n in graph.node if n.name in inside for i in n.input
    }
    return handles & (read | inside)


def test_a_training_steps_cards_count_the_variables_each_scope_reads(keras_train_step):
    # The handles are the step function's arguments, outside the model's scope (``stack_1``)
    # and the optimizer's: each scope still counts the variables its ops read, and no
    # constant is taken for a parameter.
    h = Hierarchy(keras_train_step)
    scopes = [k for k in h.graph.group_keys() if k and "/" not in k]
    counted = {}
    for key in scopes:
        details = h.details(key, kind="scope")
        assert details["variables_read"] == len(_handles_read(keras_train_step, key)), key
        assert details["parameters"] is None, key
        counted[key] = details["variables_read"]
    # Adam reads each variable and its two moments.
    assert counted["adam"] > 2 * counted["stack_1"] > 0


def test_an_inlined_functions_resource_placeholders_count_as_its_variables():
    # A traced Keras model inlined into a graph holds its handles as resource Placeholders.
    kernel, bias = "model/dense/MatMul/ReadVariableOp", "model/dense/BiasAdd/ReadVariableOp"
    graph = graph_from_nodes(
        [
            ("images", "Placeholder", (), {"dtype": "float32"}),
            (f"{kernel}/resource", "Placeholder", (), {"dtype": "resource"}),
            (kernel, "ReadVariableOp", (f"{kernel}/resource",)),
            ("model/dense/MatMul", "MatMul", ("images", kernel)),
            (f"{bias}/resource", "Placeholder", (), {"dtype": "resource"}),
            (bias, "ReadVariableOp", (f"{bias}/resource",)),
            ("model/dense/Const", "Const", (), {"value": _tensor([1.0, 2.0, 3.0])}),
            ("model/dense/BiasAdd", "BiasAdd", ("model/dense/MatMul", bias)),
        ]
    )
    details = Hierarchy(graph).details("model/dense", kind="scope")
    assert (details["variables_read"], details["parameters"]) == (2, None)
    assert details["op_types"][VARIABLE_HANDLE] == 2 and "Placeholder" not in details["op_types"]


def test_a_frozen_graphs_constants_are_its_parameters():
    graph = graph_from_nodes(
        [
            ("x", "Placeholder", (), {"dtype": "float32"}),
            ("dense/kernel", "Const", (), {"value": _tensor([[1.0, 2.0], [3.0, 4.0]])}),
            ("dense/MatMul", "MatMul", ("x", "dense/kernel")),
        ]
    )
    details = Hierarchy(graph).details("dense", kind="scope")
    assert (details["parameters"], details["variables_read"]) == (4, 0)


def test_the_model_carries_the_captured_handles_its_build_found(keras_train_step):
    # Found once while the tree is built (its parts leave them uncut); the cards read them
    # from the model.
    model = Hierarchy(keras_train_step).graph
    resource = types_pb2.DT_RESOURCE
    args = {n.name for n in keras_train_step.node if n.op == "_Arg"}
    handles = {
        n.name for n in keras_train_step.node if n.name in args and n.attr["T"].type == resource
    }
    assert handles and args - handles  # the step's real inputs are arguments too
    assert {model.names[op] for op in model.captured_handles} == handles


def test_a_pytorch_modules_card_counts_the_parameters_it_reads(torch_cnn):
    # PyTorch reads each parameter by name (``prim::GetAttr``), its size not in the graph.
    h = Hierarchy(torch_cnn)
    assert h.details("Net", kind="scope")["variables_read"] == 6
    for module in ("Net/Conv2d[conv1]", "Net/Conv2d[conv2]", "Net/Linear[fc]"):
        details = h.details(module, kind="scope")
        assert (details["variables_read"], details["parameters"]) == (2, None), module


def test_a_parameter_read_twice_counts_once_and_a_submodules_read_not_at_all():
    # GPT-2 reads its token embedding twice (input and tied output); a read of a submodule
    # only feeds the reads of its attributes.
    wte = "GPT2/Embedding[wte]"
    graph = graph_from_nodes(
        [
            ("input/ids", "IO Node"),
            (f"{wte}/wte", "prim::GetAttr"),
            (f"{wte}/weight/weight.55", "prim::GetAttr", (f"{wte}/wte",)),
            (f"{wte}/weight/weight.57", "prim::GetAttr", (f"{wte}/wte",)),
            (f"{wte}/input.1", "aten::embedding", (f"{wte}/weight/weight.55", "input/ids")),
            (
                "GPT2/Linear[lm_head]/out",
                "aten::linear",
                (f"{wte}/input.1", f"{wte}/weight/weight.57"),
            ),
        ]
    )
    h = Hierarchy(graph)
    assert h.details(wte, kind="scope")["variables_read"] == 1
    assert h.details("GPT2", kind="scope")["variables_read"] == 1
    assert h.details("GPT2/Linear[lm_head]", kind="scope")["variables_read"] == 1
