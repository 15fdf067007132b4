"""Pieces: an optimizer's flat per-variable updates gathered into one series, rolled into
one stack drawn for one variable; ops keep their names for search and cards; updates that
differ stay apart."""

from __future__ import annotations

import pytest
from graphs import adam_graph

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.model import rolls, tree
from tb_scopegraph.model.hierarchy import CHUNK, SCOPE, SERIES, Hierarchy

VARIABLES = 10
SERIES_KEY = f"adam/update[1-{VARIABLES}]"


@pytest.fixture(scope="module")
def adam() -> Hierarchy:
    return Hierarchy(adam_graph(VARIABLES))


def boxes_in(layout, cluster: str) -> list:
    return [b for b in layout.boxes if b.cluster == cluster]


def test_per_variable_updates_fold_into_one_rolled_series(adam):
    model = adam.graph
    gid = model.group_id(SERIES_KEY)
    series = model.groups[gid]
    assert series.kind == SERIES and len(series.children) == VARIABLES
    assert rolls.of(model).rollable(gid)
    # Every op of an update is in its piece: 38 each (as Keras writes them), nothing more.
    assert {model.groups[m].op_count for m in series.children} == {38}
    layout = adam.layout(adam.view(open=["adam"]))
    inside = boxes_in(layout, "adam")
    # The learning rate, the step counter, the gradients (Identity, IdentityN and a
    # series of the other Identity ops) once, and one stack for all ten updates.
    assert len(inside) == 6
    (stack,) = [b for b in inside if b.name == SERIES_KEY]
    assert stack.rolled == VARIABLES
    assert f"update[1-{VARIABLES}] ×{VARIABLES}" in to_dot(adam, adam.view(open=["adam"]))


def test_opening_the_stack_draws_one_update_for_all_at_once(adam):
    # One click: open, the series shows its first update open, standing for all.
    view = adam.view(open=["adam", SERIES_KEY])
    shown = adam.rolled(view)[SERIES_KEY]
    assert shown == f"{SERIES_KEY}/update[1]"
    assert shown in view.open
    layout = adam.layout(view)
    ops = {b.op for b in boxes_in(layout, shown)}
    assert {"AssignSubVariableOp", "AssignAddVariableOp", "Pow", "RealDiv"} <= ops
    # The first variable's update: its boxes are its ops and the scopes of its helpers,
    # named as in the graph.
    labels = {b.label for b in boxes_in(layout, shown)}
    assert "Sub_2" in labels and "Cast/ReadVariableOp" in labels
    # What all updates read comes in once, counted for all of them.
    (into,) = [
        e
        for e in layout.edges
        if layout.boxes[e.src].name == "adam/IdentityN" and layout.boxes[e.dst].label == "Sub_2"
    ]
    assert into.count == VARIABLES
    assert f"drawn for all {VARIABLES}" in to_dot(adam, view)
    # The same view as opening the update by name.
    assert view == adam.view(open=["adam", SERIES_KEY, shown])


def test_an_update_asked_for_by_name_opens_alone(adam):
    # Another update asked for is the one shown; the first stays out of the view.
    member = f"{SERIES_KEY}/update[3]"
    view = adam.view(open=["adam", SERIES_KEY, member])
    assert adam.rolled(view)[SERIES_KEY] == member
    assert f"{SERIES_KEY}/update[1]" not in view.open
    # Drawn as a series, the stack shows its updates closed.
    view = adam.view(open=["adam", SERIES_KEY], unroll=[SERIES_KEY])
    assert view.open == {"adam", SERIES_KEY}


def test_a_stack_of_layers_keeps_its_block_closed_when_opened():
    # Only a series of pieces opens its block with it: a first view opens a stack of
    # layers with its block closed, and a later click asks for the stack open again.
    h = Hierarchy(adam_graph(VARIABLES))
    key = f"model/dense_[0-{VARIABLES - 1}]"
    model = h.graph
    gid = model.group_id(key)
    assert rolls.of(model).rollable(gid)
    (first, *_) = model.groups[gid].children
    assert model.groups.child_counts[first] <= rolls.MEMBER_OPENS_WITH
    view = h.view(open=["model", key])
    assert view.open == {"model", key}


def test_ops_keep_their_names_and_are_found(adam):
    model = adam.graph
    graph = adam_graph(VARIABLES)
    assert sorted(model.names[op] for op in range(model.op_count)) == sorted(
        n.name for n in graph.node
    )
    # The sixth variable's first moment: found by name, revealed through its update.
    (hit,) = [h for h in adam.search("adam/Sub_22") if h["name"] == "adam/Sub_22" and h["op"]]
    assert hit["op"] == "Sub"
    assert hit["reveal"] == ["adam", SERIES_KEY, f"{SERIES_KEY}/update[6]"]
    view = adam.view(open=hit["reveal"])
    assert "adam/Sub_22" in {b.name for b in adam.layout(view).boxes}
    assert adam.details("adam/Sub_22")["op"] == "Sub"


def test_cards_name_the_variable_each_update_writes(adam):
    # Updates follow the variables' order in the graph: update[6] is the sixth variable's
    # (the one ``adam/Sub_22`` is in), named as the model reads it (its handle is
    # ``model/dense_5/MatMul/ReadVariableOp/resource``), its moments left out.
    card = adam.details(f"{SERIES_KEY}/update[6]")["rolled"]
    assert card["variables"] == ["model/dense_5/MatMul"]
    card = adam.details(SERIES_KEY)["rolled"]
    assert len(card["members"]) == VARIABLES
    assert card["variables"] == [[f"model/dense_{i}/MatMul"] for i in range(VARIABLES)]


def test_updates_that_all_differ_stay_flat():
    h = Hierarchy(adam_graph(VARIABLES, extra=range(1, VARIABLES + 1)))
    groups = h.graph.groups
    adam = groups[h.graph.group_id("adam")]
    assert not [c for c in adam.children if groups[c].key.startswith("adam/update")]
    assert not [c for c in adam.children if "other" in groups[c].key]
    # The numbered series of op names, as before.
    assert f"adam/Sub_[2-{4 * VARIABLES - 1}]" in {groups[c].key for c in adam.children}


def test_updates_unlike_the_rest_are_one_box_each():
    h = Hierarchy(adam_graph(VARIABLES, extra=[0, 0, 0, 0, 0, 2]))
    model = h.graph
    groups = model.groups
    adam = groups[model.group_id("adam")]
    keys = {groups[c].key: groups[c] for c in adam.children}
    assert len(groups[model.group_id("adam/update[1-9]")].children) == 9
    # Named after the layer whose variable it trains (``model/dense_5/MatMul`` reads it).
    other = keys["adam/update of dense_5"]
    assert other.kind == SCOPE and other.op_count == 40
    assert rolls.card(model, model.group_id("adam/update of dense_5")) is None


def test_too_few_alike_updates_stay_flat():
    h = Hierarchy(adam_graph(2))
    groups = h.graph.groups
    adam = groups[h.graph.group_id("adam")]
    assert not [c for c in adam.children if groups[c].kind == SERIES and "update" in groups[c].key]


def test_many_updates_stay_one_series_and_line_up_without_signatures(monkeypatch):
    """More updates than a group shows children: the series is not cut into parts (parts
    do not roll), and its updates line up op by op, in the order they were made, so that
    no signature (bounded in ops) is needed to tell them alike."""
    monkeypatch.setattr(tree, "MAX_CHILDREN", VARIABLES - 2)
    h = Hierarchy(adam_graph(VARIABLES))
    model = h.graph
    gid = model.group_id(SERIES_KEY)
    assert {model.groups[m].kind for m in model.groups[gid].children} == {SCOPE}
    assert rolls.of(model).rollable(gid)
    assert rolls.of(model).aligned(gid) is not None
    # A series of as many numbered layers (`model/dense_0` …) is cut into parts.
    layers = model.groups[model.group_id(f"model/dense_[0-{VARIABLES - 1}]")]
    assert {model.groups[c].kind for c in layers.children} == {CHUNK}


def test_a_keras_training_step_opens_its_optimizer_to_one_stack(keras_training_step):
    """Keras's own Adam, traced with the model it trains (46 variables)."""
    h = Hierarchy(keras_training_step)
    model = h.graph
    adam = model.groups[model.group_id("adam")]
    (series,) = [
        c
        for c in adam.children
        if model.groups[c].kind == SERIES and "update" in model.groups[c].key
    ]
    assert model.groups[series].key == "adam/update[1-46]"
    assert rolls.of(model).rollable(series)
    assert model.groups[series].op_count > 0.95 * adam.op_count
    layout = h.layout(h.view(open=["adam"]))
    assert len(boxes_in(layout, "adam")) <= 8


def test_the_first_variables_update_draws_its_ops_by_their_names(adam):
    """The first variable's update reads the learning rate in ``adam/Cast``, a scope that
    stays with what all read: the update holds a scope ``Cast`` of its own for that op,
    whose box is named as the op is below ``adam``."""
    member = f"{SERIES_KEY}/update[1]"
    view = adam.view(open=["adam", SERIES_KEY, member], unroll=[SERIES_KEY])
    labels = {b.label for b in boxes_in(adam.layout(view), member)}
    assert {"Cast/ReadVariableOp", "Add/ReadVariableOp", "Sub_2", "AssignSubVariableOp"} <= labels
