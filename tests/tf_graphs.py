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
