"""The groups as columns (`model.groups.Groups`): the same groups as a walk of the tree finds.

Each graph's groups are checked against what a plain Python walk works out from the parents
and the ops' groups alone (names, parents, children, op counts, levels, nesting, the
breadth-first order), on graphs written by TensorFlow and built as protos with series, chunks,
missing inputs and Keras blocks; each group made one by one, in bulk and from the columns
says the same; and the tree answered from the columns is the one a walk of the groups makes.
"""

from __future__ import annotations

import gc
import json
from collections import deque

import numpy as np
import pytest
from graphs import graph_from_nodes

from tb_scopegraph.model import details
from tb_scopegraph.model.graph import CHUNK, ROOT, SCOPE, SERIES
from tb_scopegraph.model.groups import Group
from tb_scopegraph.model.hierarchy import MAX_CHILDREN, Hierarchy


def mixed_graph():
    """Series of scopes and ops, a flat scope chunked twice over, inputs naming no node,
    Keras block layers, names at the edges."""
    nodes = [("input", "Placeholder")]
    for b in range(7):
        nodes += [(f"net/block_{b}/relu_{i}", "Relu", (f"net/block_{b}/w",)) for i in range(6)]
        nodes.append((f"net/block_{b}/w", "Const", ("^input",)))
    nodes += [(f"flat/op{i}", "Add", ("input", f"ghost/in_{i % 6}:1")) for i in range(1300)]
    nodes += [
        (f"model/conv{s}_block{b}_{layer}/op", "Conv2D", ("input",))
        for s in (2, 3)
        for b in (1, 2, 3)
        for layer in ("1_conv", "2_bn")
    ]
    nodes += [(f"pt/Conv2d[{i}]/inner", "aten::relu") for i in range(6)]
    nodes += [("a//b", "Op"), ("/lead/x", "Op"), ("trailing/", "Op")]
    return graph_from_nodes(nodes)


@pytest.fixture(scope="module")
def models(written_graphs):
    graphs = dict(written_graphs, mixed=mixed_graph())
    return {name: Hierarchy(g.SerializeToString()).graph for name, g in graphs.items()}


NAMES = ["tf1", "keras", "ffn", "series", "hostile", "mixed"]


@pytest.mark.parametrize("name", NAMES)
def test_the_groups_are_those_a_walk_of_the_tree_finds(models, name):
    model = models[name]
    groups = model.groups
    n = len(groups)
    made = [groups[g] for g in range(n)]
    parents = [g.parent for g in made]
    assert parents[ROOT] == -1 and made[ROOT].key == "" and made[ROOT].kind == "root"
    # Children: every group whose parent it is, once; in id order unless chunking sorted
    # them (a part holds its members in the order of their first op).
    for gid, group in enumerate(made):
        below = [c for c in range(n) if parents[c] == gid]
        assert sorted(group.children) == below
        if group.kind != CHUNK:
            assert list(group.children) == below
        own = np.flatnonzero(np.asarray(model.op_group) == gid).tolist()
        assert sorted(group.ops) == own
        if group.kind != CHUNK:
            assert list(group.ops) == own
        assert group.child_count == len(below) + len(own)
        assert len(group.children) + len(group.ops) <= MAX_CHILDREN
    # Names: unique, each found again, each ending in its label; a group is named under
    # the scope that holds it (series and parts stand between them, unnamed), or beside it
    # for a scope Keras' layers were gathered into (``conv2_block1`` holds
    # ``conv2_block1_1_conv``).
    assert len({g.key for g in made}) == n
    for gid, group in enumerate(made):
        assert model.group_id(group.key) == gid
        if gid == ROOT:
            continue
        key = group.key.rstrip("~")  # a name taken already gets a "~"
        assert key == group.label or key.endswith(f"/{group.label}")
        above = group.parent
        while made[above].kind in (SERIES, CHUNK):
            above = made[above].parent
        holder = made[above].key
        gathered = holder.rpartition("/")[0]
        assert above == ROOT or key.startswith((f"{holder}/", f"{gathered}/"))
    # Op counts: the graph's own ops (not missing inputs) under a group at any depth.
    count = [0] * n
    for op in range(model.op_count):
        gid = int(model.op_group[op])
        while gid != -1:
            count[gid] += 1
            gid = parents[gid]
    assert [g.op_count for g in made] == count
    # Nesting (groups up to the root) and level (a series' or chunk's members share its own).
    for gid, group in enumerate(made):
        if gid == ROOT:
            assert (group.nesting, group.level) == (0, 0)
            continue
        parent = made[group.parent]
        assert group.nesting == parent.nesting + 1
        step = 0 if parent.kind in (SERIES, CHUNK) else 1
        assert group.level == parent.level + step
    # The order: breadth first from the root, children in order.
    walk, todo = [], deque([ROOT])
    while todo:
        gid = todo.popleft()
        walk.append(gid)
        todo.extend(made[gid].children)
    assert list(model.order) == walk


@pytest.mark.parametrize("name", NAMES)
def test_one_group_made_alone_in_bulk_or_from_columns_is_the_same(models, name):
    groups = models[name].groups
    n = len(groups)
    made = [groups[g] for g in range(n)]
    assert list(groups) == made and groups[1:] == tuple(made[1:]) and groups[-1] == made[-1]
    assert groups == made
    assert all(type(g) is Group for g in made)
    columns = {
        "parent": groups.parents,
        "op_count": groups.op_counts,
        "level": groups.levels,
        "nesting": groups.nestings,
        "child_count": groups.child_counts,
    }
    for field, column in columns.items():
        assert np.asarray(column).tolist() == [getattr(g, field) for g in made], field
    assert list(groups.keys) == [g.key for g in made]
    assert list(groups.labels) == [g.label for g in made]
    assert list(groups.kinds) == [g.kind for g in made]
    for gid, group in enumerate(made):
        assert tuple(groups.children(gid)) == group.children
        assert tuple(groups.ops(gid)) == group.ops
    for kind in ("root", SCOPE, SERIES, CHUNK, "none"):
        assert groups.of_kind(kind).tolist() == [g.kind == kind for g in made]


def test_the_mixed_graph_has_every_kind_of_group(models):
    model = models["mixed"]
    kinds = {g.kind for g in model.groups}
    assert kinds == {"root", SCOPE, SERIES, CHUNK}
    keys = model.group_keys()
    assert {"net/block_[0-6]", "pt/Conv2d[0-5]", "ghost/in_[0-5]", "model/conv2_block1"} <= keys
    assert any(g.key.startswith("flat/op[0-1299]/[part") for g in model.groups)
    assert model.op_count < len(model.names)  # inputs naming no node


def test_groups_compare_by_value_and_cannot_be_changed(models):
    one = models["mixed"].groups
    again = Hierarchy(mixed_graph()).graph.groups
    assert one == again and one == tuple(again) and one != models["ffn"].groups
    assert one != list(one)[:-1]
    with pytest.raises(AttributeError):
        one[1].key = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        one.parents[1] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        one.children(ROOT)[0] = 0  # type: ignore[index]


@pytest.mark.parametrize("name", NAMES)
def test_the_tree_answer_is_that_of_a_walk_of_the_groups(models, name):
    model = models[name]
    made = [model.groups[g] for g in range(len(model.groups))]

    def walked(gid):
        group = made[gid]
        return {
            "name": group.key,
            "label": group.label,
            "kind": group.kind,
            "op_count": group.op_count,
            "child_count": group.child_count,
            "children": [walked(c) for c in group.children],
        }

    gc.disable()  # the tree pauses the collector only when it was on
    try:
        paused_before = details.tree(model)
        assert not gc.isenabled()
    finally:
        gc.enable()
    answer = details.tree(model)
    assert gc.isenabled()
    assert answer == walked(ROOT) == paused_before
    # The same keys in the same order: the route's JSON is the same text.
    assert json.dumps(answer) == json.dumps(walked(ROOT))


def _called_blocks(calls: int) -> Hierarchy:
    """Four blocks of a Keras 3 model as its trace names them: each block a layer of its own,
    its scope named after the layer and the call (``block_0_1``), called ``calls`` times."""
    nodes, last = [("x", "Placeholder")], "x"
    for n in range(4):
        for call in range(1, calls + 1):
            scope = f"model/block_{n}_{call}"
            nodes += [
                (f"{scope}/dense_1/kernel", "Const"),
                (f"{scope}/dense_1/MatMul", "MatMul", (last, f"{scope}/dense_1/kernel")),
                (f"{scope}/relu_1/Relu", "Relu", (f"{scope}/dense_1/MatMul",)),
            ]
            last = f"{scope}/relu_1/Relu"
    return Hierarchy(graph_from_nodes(nodes))


def test_a_keras_block_that_is_one_layer_is_no_frame_around_it():
    # A scope ``block_0`` around ``block_0_1`` alone was a frame holding one frame.
    h = _called_blocks(1)
    model = h.graph
    series = model.groups[model.group_id("model/block_[0-3]")]
    assert series.kind == SERIES
    assert [model.groups[c].key for c in series.children] == [
        f"model/block_{n}_1" for n in range(4)
    ]
    assert model.group_id("model/block_0") is None
    # A block of two calls is a block of two layers: a scope holds them.
    h = _called_blocks(2)
    block = h.graph.groups[h.graph.group_id("model/block_0")]
    assert sorted(h.graph.groups[c].label for c in block.children) == ["block_0_1", "block_0_2"]
