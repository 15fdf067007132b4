"""First views of graphs as other writers make them: a TF1 loop, PyTorch's module trees."""

from __future__ import annotations

import pytest

from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY
from tb_scopegraph.service.local import hierarchy_of_object


@pytest.fixture(scope="module")
def tf1_rnn():
    """A TF1 graph of a recurrent net: its loop's body and condition (and their gradients)
    are functions of the graph's library, beside the model's own scopes."""
    tf = pytest.importorskip("tensorflow")
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 6, 4], name="x")
        y = v1.placeholder(tf.int32, [None], name="y")
        with v1.variable_scope("rnn"):
            wx = v1.get_variable("wx", [4, 8])
            wh = v1.get_variable("wh", [8, 8])
            steps = tf.transpose(x, [1, 0, 2])

            def body(t, h):
                return t + 1, tf.tanh(tf.matmul(steps[t], wx) + tf.matmul(h, wh))

            start = [tf.constant(0), tf.zeros([tf.shape(x)[0], 8])]
            _, state = tf.while_loop(lambda t, h: t < 6, body, start)
        with v1.variable_scope("head"):
            logits = tf.matmul(state, v1.get_variable("w", [8, 3]))
        with v1.name_scope("loss"):
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            )
        v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    return hierarchy_of_object(graph)


def test_a_tf1_loops_function_library_stays_closed_beside_the_model(tf1_rnn):
    model = tf1_rnn.graph
    library = model.groups[model.group_id(FUNCTION_LIBRARY)]
    assert any("_grad_" in model.groups[g].key for g in library.children)
    view = tf1_rnn.default_view()
    assert "rnn" in view.open
    assert not any(key.startswith(FUNCTION_LIBRARY) for key in view.open)


def test_a_scope_drawn_in_its_ops_box_stays_closed_in_the_first_view(tf1_rnn):
    # ``rnn/while`` is the While op and the scope of its outputs' Identity ops, drawn as
    # one box: opened, its plumbing stood in the middle of the model.
    model = tf1_rnn.graph
    assert model.group_id("rnn/while") is not None and model.op_id("rnn/while") is not None
    assert "rnn/while" not in tf1_rnn.default_view().open
