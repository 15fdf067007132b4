"""Columns of ints and strings (`model.columns`): copies where the caller keeps writing,
the caller's own array where it hands it over."""

from __future__ import annotations

import numpy as np
import pytest
from graphs import graph_from_nodes

from tb_scopegraph.model.columns import Interned, Names, handed_over, ints
from tb_scopegraph.model.hierarchy import Hierarchy


def test_ints_is_a_read_only_copy():
    source = np.arange(5, dtype=np.int64)
    column = ints(source)
    source[0] = 99
    assert column.tolist() == [0, 1, 2, 3, 4]
    assert column.format == "i" and column.readonly
    assert not np.shares_memory(np.asarray(column), source)
    with pytest.raises(TypeError):
        column[0] = 1
    assert ints([]).tolist() == [] and ints(range(3))[2] == 2


def test_an_array_handed_over_is_the_column_itself():
    given = np.arange(4, dtype=np.int32)
    column = handed_over(given)
    assert np.shares_memory(np.asarray(column), given) and column.readonly
    with pytest.raises(ValueError):
        given[0] = 5  # the caller gave it up: it cannot change the column under the model
    wide = np.arange(4, dtype=np.int64)  # not a column's type: copied as `ints` does
    assert handed_over(wide).format == "i" and not np.shares_memory(
        np.asarray(handed_over(wide)), wide
    )
    assert Names(["", "a"], handed_over(np.array([0, 1], np.int32)), ["x", "y"], [0, 1]) == [
        "x",
        "a/y",
    ]
    assert list(Interned(["Add", "Relu"], handed_over(np.array([1, 0], np.int32)))) == [
        "Relu",
        "Add",
    ]


def test_a_built_graph_reads_the_same_through_its_columns():
    nodes = [("x", "Placeholder")] + [(f"s/t/op_{i}", "Relu", ("x",)) for i in range(7)]
    h = Hierarchy(graph_from_nodes(nodes).SerializeToString())
    names = h.graph.names
    assert list(names) == [name for name, *_ in nodes]
    assert names[3] == "s/t/op_2" and names[1:3] == ("s/t/op_0", "s/t/op_1")
    assert h.graph.op_types[1:3] == ("Relu", "Relu")
    assert h.graph.op_id("s/t/op_6") == 7
