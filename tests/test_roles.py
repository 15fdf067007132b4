"""What `model.roles` sets apart, on graphs from the real writers."""

from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.roles import HANDLE


def test_a_traced_functions_variable_handles_are_auxiliary_and_its_inputs_are_not(
    keras_traces,
):
    graph = keras_traces["train_on_batch"]
    h = Hierarchy(graph)
    model, roles = h.graph, h.roles
    args = [n.name for n in graph.node if n.op == "_Arg"]
    handles = [a for a in args if a.endswith("_resource")]
    inputs = [a for a in args if not a.endswith("_resource")]
    assert handles and inputs
    assert {roles.op_aux(model.op_id(a)) for a in handles} == {HANDLE}
    assert {roles.op_aux(model.op_id(a)) for a in inputs} == {""}
    # Drawn apart: no box of the main flow, the type left to the tooltip.
    layout = h.layout(h.view(depth=1))
    kinds = {box.name: box.aux for box in layout.boxes}
    assert {kinds[a] for a in handles if a in kinds} == {HANDLE}
    assert {kinds[a] for a in inputs if a in kinds} == {""}
