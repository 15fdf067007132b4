"""Shared pytest setup: the environment, and the fixtures several test modules use.

What the tests share besides fixtures is in harness.py (TensorBoard's data providers, the plugin
in TensorBoard's WSGI app, waiting on a condition, checks of drawings); graphs are built by
graphs.py (protos) and tf_graphs.py (TensorFlow). No test module imports from another.
"""

import os

import pytest

# TensorFlow's start-up chatter hides test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# No drawing is kept on disk between tests (or from an earlier run): a test of a slow or
# failing layout must lay it out. tests/test_stored.py gives its stores folders of their own.
os.environ["TB_SCOPEGRAPH_CACHE_DIR"] = "off"


@pytest.fixture(scope="module")
def written_graphs():
    """Graphs written by TensorFlow (tf1, keras) and built as protos (ffn, series, hostile)."""
    from graphs import ffn_graph, hostile_graph, series_graph
    from tf_graphs import written_by_tensorflow

    graphs = written_by_tensorflow()
    graphs.update(ffn=ffn_graph(), series=series_graph(30), hostile=hostile_graph())
    return graphs


@pytest.fixture(scope="session")
def training_graph():
    """A TF1 training graph written by TensorFlow: layers, loss, optimizer, summaries, saver."""
    from tf_graphs import training_graph

    return training_graph()


@pytest.fixture(scope="session")
def keras_training_step():
    """A Keras model of ResNet50's stages in its training step (loss, GradientTape, Adam)."""
    from tf_graphs import keras_training_step_graph

    return keras_training_step_graph()


@pytest.fixture(scope="session")
def keras_swish_step():
    """A Keras training step whose layers use ``swish``: its gradient beside the tape."""
    from tf_graphs import keras_swish_training_step_graph

    return keras_swish_training_step_graph()


@pytest.fixture(scope="session")
def torch_cnn():
    """A small CNN's graph as PyTorch's add_graph writes it."""
    from tf_graphs import torch_cnn_graph

    return torch_cnn_graph()


@pytest.fixture(scope="session")
def torch_shapes():
    """A small PyTorch model reading its input's shape, as add_graph writes it."""
    pytest.importorskip("torch")
    from tf_graphs import torch_shapes_graph

    return torch_shapes_graph()


@pytest.fixture(scope="session")
def keras_traces(tmp_path_factory):
    """A Keras model's train_on_batch and predict_on_batch as trace_export writes them."""
    from tf_graphs import keras_traces

    return keras_traces(str(tmp_path_factory.mktemp("keras_traces")))


@pytest.fixture(scope="session")
def keras_train_step(tmp_path_factory):
    """A Keras training step in a tf.function (model, loss, gradient_tape, adam) as
    trace_export writes it: 600 captured variable handles beside the model."""
    from tf_graphs import keras_train_step

    return keras_train_step(str(tmp_path_factory.mktemp("keras_train_step")))


@pytest.fixture
def parsed_nodes(monkeypatch):
    """How many times each op's NodeDef is parsed (`GraphModel.node_def`), by op id, from the
    fixture on (clear it to count from later)."""
    from collections import Counter

    from tb_scopegraph.model.graph import GraphModel

    parsed = Counter()
    node_def = GraphModel.node_def

    def counting(self, op):
        parsed[op] += 1
        return node_def(self, op)

    monkeypatch.setattr(GraphModel, "node_def", counting)
    return parsed
