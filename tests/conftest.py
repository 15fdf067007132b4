"""Shared pytest setup."""

import os

import pytest

# TensorFlow's start-up chatter hides test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="module")
def written_graphs():
    """Graphs written by TensorFlow (tf1, keras) and built as protos (ffn, series, hostile)."""
    from graphs import ffn_graph, series_graph
    from test_hierarchy import tf_graphs
    from test_hostile import hostile_graph

    graphs = tf_graphs()
    graphs.update(ffn=ffn_graph(), series=series_graph(30), hostile=hostile_graph())
    return graphs
