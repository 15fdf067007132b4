"""Graphs written by TensorFlow itself, for tests that need a real model's wiring."""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2

# (mid channels, skip taken from inside the block): block3 has the same op types as the
# others but its add reads the block's first Relu instead of the block's input.
BLOCKS = ((8, False), (16, False), (4, True), (32, False))


def resnet_graph(blocks=BLOCKS) -> graph_pb2.GraphDef:
    """A TF1 graph of residual blocks under scopes block1..blockN, of different widths."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 4], name="x")
        h = x
        for i, (mid, skip_inside) in enumerate(blocks, 1):
            with tf.compat.v1.variable_scope(f"block{i}"):
                w1 = tf.compat.v1.get_variable("w1", [3, 3, 4, mid])
                w2 = tf.compat.v1.get_variable("w2", [3, 3, mid, 4])
                a = tf.nn.relu(tf.nn.conv2d(h, w1, 1, "SAME"))
                b = tf.nn.conv2d(a, w2, 1, "SAME")
                h = tf.nn.relu(b + (a if skip_inside else h))
        tf.identity(h, name="output")
    return graph_pb2.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())


def written_by_tensorflow() -> dict[str, graph_pb2.GraphDef]:
    """Graphs written by TensorFlow itself: a TF1 scoped net and a traced Keras model."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 20], name="x")
        h = x
        for i, (a, b) in enumerate([(20, 16), (16, 8), (8, 2)], 1):
            with tf.name_scope(f"layer{i}"):
                w = tf.Variable(tf.zeros([a, b]), name="W")
                bias = tf.Variable(tf.zeros([b]), name="b")
                h = tf.nn.relu(tf.matmul(h, w) + bias)
        tf.identity(h, name="output")
    model = tf.keras.Sequential(
        [tf.keras.Input((12,)), tf.keras.layers.Dense(8), tf.keras.layers.Dense(3)]
    )
    traced = tf.function(model).get_concrete_function(tf.TensorSpec([1, 12]))
    return {
        "tf1": graph.as_graph_def(add_shapes=True),
        "keras": traced.graph.as_graph_def(add_shapes=True),
    }
