"""What `model.roles` sets apart, on graphs from the real writers."""

from graphs import graph_from_nodes
from tensorboard.compat.proto import types_pb2

from tb_scopegraph.drawing import auxiliary
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import CONSTANT, COUNTER, FORWARD, GRADIENT, HANDLE, PLUMBING


def test_a_traced_functions_variable_handles_are_auxiliary_and_its_inputs_are_not(
    keras_traces,
):
    graph = keras_traces["train_on_batch"]
    h = Hierarchy(graph)
    model, roles = h.graph, h.roles
    args = [n for n in graph.node if n.op == "_Arg"]
    # Told by type: ``graph_1/resource`` (the variable an eager assignment writes, merged
    # under the trace's set-up of variables) is not named like Keras's
    # ``..._readvariableop_resource``.
    handles = [a.name for a in args if a.attr["T"].type == types_pb2.DT_RESOURCE]
    inputs = [a.name for a in args if a.name not in handles]
    assert handles and inputs and "variables_initializer/graph_1/resource" in handles
    assert {roles.op_aux(model.op_id(a)) for a in handles} == {HANDLE}
    assert {roles.op_aux(model.op_id(a)) for a in inputs} == {""}
    # Drawn apart: no box of the main flow, the type left to the tooltip.
    layout = h.layout(h.view(depth=1))
    kinds = {box.name: box.aux for box in layout.boxes}
    assert {kinds[a] for a in handles if a in kinds} == {HANDLE}
    assert {kinds[a] for a in inputs if a in kinds} == {""}


def test_a_training_steps_handles_are_told_by_type_and_its_inputs_are_not(keras_train_step):
    h = Hierarchy(keras_train_step)
    args = [n for n in keras_train_step.node if n.op == "_Arg"]
    kinds = {a.name: h.roles.op_aux(h.graph.op_id(a.name)) for a in args}
    assert {kinds[a.name] for a in args if a.attr["T"].type == types_pb2.DT_RESOURCE} == {HANDLE}
    assert {n for n, kind in kinds.items() if not kind} == {"x", "y"}


def test_an_argument_is_told_by_its_name_only_where_it_has_no_type():
    graph = graph_from_nodes(
        [
            ("f/x_resource", "_Arg"),  # a float argument, whatever its name says
            ("f/unknown", "_Arg", (), {"T": "resource"}),
            ("f/w_resource", "_DeviceArg"),
            ("f/v", "_Arg"),
            ("f/y", "Mul", ("f/x_resource", "f/unknown")),
        ]
    )
    for node in graph.node[2:4]:
        del node.attr["T"]
    h = Hierarchy(graph)
    kinds = {n.name: h.roles.op_aux(h.graph.op_id(n.name)) for n in graph.node}
    assert kinds == {
        "f/x_resource": "",
        "f/unknown": HANDLE,
        "f/w_resource": HANDLE,
        "f/v": "",
        "f/y": "",
    }


def test_a_resource_only_an_iterator_or_a_writer_reads_is_an_input_not_a_variable(keras_traces):
    # predict's dataset iterator and predict_on_batch's summary writer are resources too.
    for run, names in (
        ("predict", ["graph_13/iterator", "graph_14/iterator"]),
        ("predict_on_batch", ["graph_4/writer", "graph_5/writer", "graph_6/writer"]),
    ):
        h = Hierarchy(keras_traces[run])
        assert [h.roles.op_aux(h.graph.op_id(n)) for n in names] == [""] * len(names)
        read = "graph_8/classifier_1_hidden_1_cast_readvariableop_resource"
        if run == "predict_on_batch":
            assert h.roles.op_aux(h.graph.op_id(read)) == HANDLE


def test_a_handles_details_say_which_boxes_it_is_counted_on(keras_traces):
    # Not drawn itself, a handle's card says which ops read it and the groups holding each:
    # in any view, the outermost closed one is the box that counts it.
    graph = keras_traces["train_on_batch"]
    h = Hierarchy(graph)
    view = h.view(open=["graph_3", "graph_3/classifier_1"])
    shown = {box.name for box in h.layout(view).boxes}
    handle = "graph_3/classifier_1_hidden_1_cast_readvariableop_resource"
    counted = h.details(handle)["counted_on"]
    assert {c["name"] for c in counted} == {
        n.name for n in graph.node if any(i.partition(":")[0] == handle for i in n.input)
    }
    boxes = {next((g for g in c["groups"] if g not in view.open), c["name"]) for c in counted}
    assert boxes and boxes <= shown
    assert "graph_3/classifier_1/hidden_1" in boxes
    assert "counted_on" not in h.details("graph_3/data")


def test_pytorch_constants_and_shape_plumbing_fold_into_the_ops_they_feed(torch_shapes):
    h = Hierarchy(torch_shapes)
    model, roles = h.graph, h.roles
    by_type: dict[str, set[str]] = {}
    for node in torch_shapes.node:
        by_type.setdefault(node.op, set()).add(roles.op_aux(model.op_id(node.name)))
    # The arguments, and what is worked out from the input's size alone: constants.
    for op in ("prim::Constant", "aten::size", "prim::NumToTensor", "aten::Int"):
        assert by_type[op] == {CONSTANT}, op
    assert by_type["aten::floor_divide"] == by_type["aten::arange"] == {CONSTANT}
    # The list a torch.cat reads holds tensors of the flow; the other is a new shape.
    lists = {n.name: roles.op_aux(model.op_id(n.name)) for n in torch_shapes.node}
    lists = {k: v for k, v in lists.items() if "ListConstruct" in model.op_types[model.op_id(k)]}
    cat_list = next(n.input[0] for n in torch_shapes.node if n.op == "aten::cat")
    assert lists.pop(cat_list) == "" and set(lists.values()) == {CONSTANT}
    for op in ("aten::linear", "aten::embedding", "aten::cat", "aten::view", "prim::GetAttr"):
        assert by_type[op] == {""}, op
    # Drawn: none of them, and the flow from the input through the cat to the view.
    layout = h.layout(h.view(open=["Net"]))
    drawn, _ = auxiliary.set_aside(layout)
    hidden = auxiliary.arrange(layout, drawn).hidden
    shown = {b.op for i, b in enumerate(layout.boxes) if i not in hidden}
    assert not shown & {"prim::Constant", "aten::size", "prim::NumToTensor", "aten::Int"}
    assert {"aten::cat", "aten::view", "prim::ListConstruct"} <= shown
    ends = {
        (layout.boxes[e.src].op, layout.boxes[e.dst].op)
        for e in map(layout.edges.__getitem__, drawn)
    }
    assert ("aten::cat", "aten::view") in ends and ("prim::ListConstruct", "aten::cat") in ends


def test_a_training_steps_counter_is_set_apart_and_nothing_else(keras_training_step):
    h = Hierarchy(keras_training_step)
    model, roles = h.graph, h.roles
    counted = {model.names[op] for op in range(model.op_count) if roles.own_aux(op) == COUNTER}
    # iterations := iterations + 1, the optimizer's step: its working out and its assignment.
    assert {model.op_types[model.op_id(n)] for n in counted} == {
        "Cast",
        "AddV2",
        "AssignVariableOp",
    }
    # Not the variable's read (of a variable's role), nor the updates of the model's weights
    # (they read gradients).
    updates = [n for n in keras_training_step.node if n.op.startswith("Assign")]
    assert len(updates) > 10 and len(counted & {n.name for n in updates}) == 1
    # Drawn apart: in the column, no stub naming it on the boxes around it.
    layout = h.layout(h.default_view())
    drawn, _ = auxiliary.set_aside(layout)
    apart = auxiliary.arrange(layout, drawn)
    column = {layout.boxes[b].name for boxes in apart.columns.values() for b in boxes}
    assert {n for n in counted if model.op_group[model.op_id(n)] == 0} <= column
    stubs = [" ".join(o + i) for o, i in apart.stubs.values()]
    assert not [s for s in stubs if "AssignVariableOp" in s]


def test_ops_beside_the_gradient_scope_that_compute_gradients_are_set_apart():
    # Read a gradient (``mul``), or feed only what does (``Sigmoid``, recomputed for it):
    # backward. The loss feeds the gradient scope alone and stays the flow's.
    graph = graph_from_nodes(
        [
            ("x", "Placeholder"),
            ("model/w", "VarHandleOp"),
            ("model/read", "ReadVariableOp", ["model/w"]),
            ("model/MatMul", "MatMul", ["x", "model/read"]),
            ("loss", "Mean", ["model/MatMul"]),
            ("gradients/seed", "Fill", ["loss"]),
            ("Sigmoid", "Sigmoid", ["model/MatMul"]),
            ("mul", "Mul", ["gradients/seed", "Sigmoid"]),
            ("gradients/MatMul_grad", "MatMul", ["mul", "model/read"]),
            ("output", "Identity", ["model/MatMul"]),
            # A function body's output beside its gradient: the function's, drawn closed.
            ("__function_library__/body_grad/gradients/g", "Mul", ["x", "x"]),
            (
                "__function_library__/body_grad/out",
                "Identity",
                ["__function_library__/body_grad/gradients/g"],
            ),
        ]
    )
    h = Hierarchy(graph)
    model, roles = h.graph, h.roles
    kinds = {name: roles.op_aux(model.op_id(name)) for name in model.names}
    assert {n for n, kind in kinds.items() if kind == GRADIENT} == {"Sigmoid", "mul"}
    assert kinds["loss"] == kinds["x"] == kinds["output"] == ""
    assert kinds["__function_library__/body_grad/out"] == ""


def test_a_custom_gradient_written_beside_the_tape_is_set_apart_as_gradients(
    keras_swish_step,
):
    # Keras's swish: its gradient's ops (``mul_[1-N]``, ``Sigmoid_[1-N]`` …) stood as a dozen
    # boxes of the main flow at the training step's top level.
    h = Hierarchy(keras_swish_step)
    roles, groups = h.roles, h.graph.groups
    top = {groups[g].label: g for g in groups[0].children}
    assert roles.role(top["net_1"]) == FORWARD
    # Keras numbers its optimizers in the process: `sgd_1` alone, another after other tests.
    (sgd,) = [label for label in top if label.startswith("sgd")]
    assert roles.role(top["gradient_tape"]) == roles.role(top[sgd]) == PLUMBING
    backward = [label for label in top if label.startswith(("mul_", "Sigmoid_", "Square_"))]
    assert len(backward) == 3
    assert {roles.aux(top[label]) for label in backward} == {GRADIENT}
    main = [box for box in h.layout(h.view()).boxes if not box.aux]
    assert {box.label for box in main} >= {"net_1", "gradient_tape", sgd, "x", "y"}
    assert not {box.op for box in main} & {"Mul", "Sigmoid", "Square", "Sum", "Sub"}
