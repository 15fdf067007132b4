"""Keras layers named after their blocks (``conv4_block2_1_dense``, ``block_3_expand``), in a
model built and traced by Keras: gathered into a scope per block; a run of blocks alike is a
series drawn rolled, blocks that differ stay scopes or a series never rolled."""

from __future__ import annotations

import pytest

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.model import rolls
from tb_scopegraph.model.hierarchy import SERIES, Hierarchy

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras_blocks() -> Hierarchy:
    from tf_graphs import keras_blocks_graph

    return Hierarchy(keras_blocks_graph(6))


def top(h: Hierarchy) -> str:
    model = h.graph
    return model.groups[model.groups[0].children[0]].key  # Keras' model scope


def test_layers_are_gathered_into_their_blocks(keras_blocks):
    h = keras_blocks
    model = h.graph
    head = top(h)
    children = model.groups[model.group_id(head)].children
    assert {model.groups[c].label: model.groups[c].kind for c in children} == {
        "conv4_block1": "scope",
        "conv4_block[2-6]": SERIES,
        "block_[1-6]": SERIES,
    }
    first = model.groups[model.group_id(f"{head}/conv4_block1")]
    labels = sorted(model.groups[c].label for c in first.children)
    assert [label.removesuffix("_1") for label in labels] == [
        "conv4_block1_0_dense",
        "conv4_block1_1_dense",
        "conv4_block1_1_relu",
        "conv4_block1_2_dense",
        "conv4_block1_add",
        "conv4_block1_out",
    ]
    # Every op still has its own name, and a layer's ancestors run through its block.
    op = next(n for n in model.names if "conv4_block4_2_dense" in n and n.endswith("MatMul"))
    assert h.ancestors(op)[:3] == [head, f"{head}/conv4_block[2-6]", f"{head}/conv4_block4"]


def test_a_run_of_identical_keras_blocks_rolls(keras_blocks):
    h = keras_blocks
    model = h.graph
    head = top(h)
    run = model.group_id(f"{head}/conv4_block[2-6]")
    assert rolls.of(model).rollable(run)
    view = h.view(open=[head, f"{head}/conv4_block[2-6]", f"{head}/conv4_block4"])
    assert h.rolled(view) == {f"{head}/conv4_block[2-6]": f"{head}/conv4_block4"}
    layout = h.layout(view)
    # Block 4's layers are drawn for all five; no other block of the run shows.
    shown = {b.name.split("/")[1] for b in layout.boxes if "conv4_block" in b.name}
    assert "conv4_block1" in shown and any(s.startswith("conv4_block4_") for s in shown)
    assert not any(s.startswith(("conv4_block2", "conv4_block3", "conv4_block5")) for s in shown)
    assert any(e.loop == 4 for e in layout.edges)
    text = to_dot(h, view)
    assert "conv4_block[2-6] ×5" in text and "drawn for all 5" in text and "×4" not in text


def test_keras_blocks_that_differ_stay_a_series(keras_blocks):
    h = keras_blocks
    model = h.graph
    head = top(h)
    differ = model.group_id(f"{head}/block_[1-6]")
    assert not rolls.of(model).rollable(differ)
    layout = h.layout(h.view(open=[head, f"{head}/block_[1-6]"]))
    assert {f"{head}/block_{n}" for n in range(1, 7)} <= {b.name for b in layout.boxes}
    # The first block of the stage, unlike the rest, is a scope of its own beside the run.
    assert f"{head}/conv4_block1" in {b.name for b in layout.boxes}


def test_search_names_every_keras_block_and_reveals_it(keras_blocks):
    h = keras_blocks
    head = top(h)
    hits = {hit["name"]: hit for hit in h.search("conv4_block5", limit=100)}
    assert hits[f"{head}/conv4_block5"]["reveal"] == [
        head,
        f"{head}/conv4_block[2-6]",
        f"{head}/conv4_block5",
    ]
    card = h.details(f"{head}/conv4_block[2-6]")["rolled"]
    assert card["members"] == [f"{head}/conv4_block{n}" for n in range(2, 7)]


@pytest.fixture(scope="module")
def keras_stages() -> Hierarchy:
    from tf_graphs import keras_stages_graph

    return Hierarchy(keras_stages_graph())


def test_keras_blocks_are_gathered_into_stages(keras_stages):
    h = keras_stages
    model = h.graph
    head = top(h)

    def children(key: str) -> dict[str, str]:
        group = model.groups[model.group_id(key)]
        return {model.groups[c].label: model.groups[c].kind for c in group.children}

    assert children(head) == {
        "conv1": "scope",  # conv1_dense, conv1_relu: a stem named after its stage
        "conv2": "scope",
        "conv3": "scope",
        "block_1-3": "scope",  # a block that changes the width, the residual ones after it
        "block_4-7": "scope",
        "block_8": "scope",  # alone: no run follows it
        "predictions_1": "scope",
    }
    assert children(f"{head}/conv3") == {"conv3_block1": "scope", "conv3_block[2-4]": SERIES}
    assert children(f"{head}/block_4-7") == {"block_4": "scope", "block_[5-7]": SERIES}
    assert rolls.of(model).rollable(model.group_id(f"{head}/block_[5-7]"))
    assert sorted(label.removesuffix("_1") for label in children(f"{head}/conv1")) == [
        "conv1_dense",
        "conv1_relu",
    ]
    # Every op keeps its name; its ancestors run through its stage and block.
    op = next(n for n in model.names if "conv3_block3_1_dense" in n and n.endswith("MatMul"))
    assert h.ancestors(op)[:4] == [
        head,
        f"{head}/conv3",
        f"{head}/conv3_block[2-4]",
        f"{head}/conv3_block3",
    ]
    hit = next(x for x in h.search("conv3_block3", limit=100) if x["name"].endswith("block3"))
    assert hit["reveal"][:2] == [head, f"{head}/conv3"]


def test_the_first_view_of_keras_stages_shows_them_closed(keras_stages):
    h = keras_stages
    head = top(h)
    view = h.default_view()
    assert head in view.open
    names = {box.name for box in h.layout(view).boxes}
    stages = {"conv1", "conv2", "conv3", "block_1-3", "block_4-7", "block_8"}
    assert {f"{head}/{stage}" for stage in stages} <= names
    assert view.boxes <= 12  # not the 28 layers and blocks it holds


def test_a_long_keras_chain_gathers_its_stem_and_head():
    from tf_graphs import keras_mobilenet_like_graph

    h = Hierarchy(keras_mobilenet_like_graph())
    model = h.graph
    head = top(h)

    def labels(key: str, suffix: str = "") -> set[str]:
        group = model.groups[model.group_id(key)]
        return {model.groups[c].label.removesuffix(suffix) for c in group.children}

    assert labels(head) == {
        "stem",
        "block_1",
        "block_2",
        "block_3-5",
        "block_6-8",
        "block_9",
        "block_10",
        "head",
    }
    # Keras' layer scopes in a trace end in "_1".
    assert labels(f"{head}/stem", "_1") == {"Conv1", "bn_Conv1", "Conv1_relu"}
    assert labels(f"{head}/head", "_1") == {"Conv_1", "Conv_1_bn", "out_relu", "predictions"}
    view = h.default_view()
    assert head in view.open and view.boxes <= 12


def test_keras_layers_without_blocks_are_cut_into_blocks():
    from tf_graphs import keras_inception_like_graph

    h = Hierarchy(keras_inception_like_graph())
    model = h.graph
    head = top(h)

    def children(key: str) -> dict[str, str]:
        group = model.groups[model.group_id(key)]
        return {model.groups[c].label: model.groups[c].kind for c in group.children}

    # Each block ends at the layer every path runs through: its concatenation.
    assert children(head) == {
        "stem": "scope",
        "mixed[0-2]": SERIES,
        "mixed3": "scope",
        "mixed[4-7]": SERIES,
        "head": "scope",
    }
    assert set(children(f"{head}/mixed[0-2]")) == {"mixed0", "mixed1", "mixed2"}
    assert len(children(f"{head}/mixed3")) == 16  # 5 triples (dense, norm, relu), the concat
    assert sorted(label.removesuffix("_1") for label in children(f"{head}/head")) == [
        "avg_pool",
        "predictions",
    ]
    assert rolls.of(model).rollable(model.group_id(f"{head}/mixed[4-7]"))
    op = next(n for n in model.names if "/mixed5" in n)
    assert h.ancestors(op)[:3] == [head, f"{head}/mixed[4-7]", f"{head}/mixed5"]
    view = h.default_view()
    assert head in view.open and view.boxes <= 10
