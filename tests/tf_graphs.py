"""Graphs written by TensorFlow and PyTorch themselves, for tests that need real wiring."""

from __future__ import annotations

import os

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


def functions_graph() -> graph_pb2.GraphDef:
    """A traced tf.function whose while loop, cond and nested function live in its
    function library, as ``tf.summary.graph`` writes it (the demo's ``functions`` run)."""
    import tensorflow as tf

    @tf.function
    def scale(x):
        with tf.name_scope("scale"):
            return tf.nn.relu(x) * 0.5 + 1.0

    @tf.function
    def iterate(x):
        step = tf.constant(0)
        _, y = tf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, scale(y)), [step, x])
        return tf.cond(tf.reduce_mean(y) > 1.0, lambda: y / 2.0, lambda: y * 2.0)

    concrete = iterate.get_concrete_function(tf.TensorSpec([None, 8], tf.float32))
    return graph_pb2.GraphDef.FromString(
        concrete.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def training_graph() -> graph_pb2.GraphDef:
    """A TF1 training graph as TensorBoard's users wrote them: three dense layers under
    name scopes, a loss, an accuracy, gradient descent, histogram and scalar summaries merged,
    an initialiser and a saver."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 20], name="x")
        labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
        h = x
        for i, (a, b) in enumerate([(20, 16), (16, 8), (8, 4)], 1):
            with tf.compat.v1.variable_scope(f"layer{i}"):
                w = tf.compat.v1.get_variable("W", [a, b])
                bias = tf.compat.v1.get_variable("b", [b], initializer=tf.zeros_initializer())
                tf.compat.v1.summary.histogram("weights", w)
                h = tf.matmul(h, w) + bias
                if i < 3:
                    h = tf.nn.relu(h)
        with tf.name_scope("cross_entropy"):
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h)
            )
        with tf.name_scope("evaluation"):
            correct = tf.equal(tf.argmax(h, 1), labels)
            accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        tf.compat.v1.summary.scalar("loss", loss)
        tf.compat.v1.summary.scalar("accuracy", accuracy)
        with tf.name_scope("train"):
            tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.compat.v1.summary.merge_all()
        tf.compat.v1.global_variables_initializer()
        tf.compat.v1.train.Saver()
    return graph_pb2.GraphDef.FromString(graph.as_graph_def(add_shapes=True).SerializeToString())


def torch_cnn_graph() -> graph_pb2.GraphDef:
    """A small CNN as PyTorch's ``SummaryWriter.add_graph`` writes it: its convolutions'
    arguments are ``prim::Constant`` and ``prim::ListConstruct`` nodes."""
    import torch
    from torch.utils.tensorboard._pytorch_graph import graph

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 4, 3)
            self.conv2 = torch.nn.Conv2d(4, 8, 3)
            self.fc = torch.nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            x = torch.relu(self.conv1(x))
            x = torch.relu(self.conv2(x))
            return self.fc(torch.flatten(x, 1))

    graph_def, _ = graph(Net(), (torch.zeros(1, 1, 8, 8),))
    return graph_pb2.GraphDef.FromString(graph_def.SerializeToString())


def torch_shapes_graph() -> graph_pb2.GraphDef:
    """A small PyTorch model, as ``SummaryWriter.add_graph`` writes it, whose ops read shapes:
    positions from the input's length (``arange(x.size(1))``), a reshape to sizes worked out
    from the input's (``view(x.size(0), x.size(1) // 2, -1)``), and a ``torch.cat`` of two
    tensors, whose ``prim::ListConstruct`` lists tensors of the flow, not constants."""
    import torch
    from torch.utils.tensorboard._pytorch_graph import graph

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pos = torch.nn.Embedding(8, 4)
            self.fc = torch.nn.Linear(4, 4)

        def forward(self, x):
            positions = self.pos(torch.arange(x.size(1)))
            h = torch.cat([self.fc(x), positions.expand_as(x)], 2)
            return h.view(x.size(0), x.size(1) // 2, -1)

    graph_def, _ = graph(Net(), (torch.zeros(1, 8, 4),))
    return graph_pb2.GraphDef.FromString(graph_def.SerializeToString())


KERAS_TRACE_RUNS = ("train_on_batch", "predict_on_batch", "predict", "fit")


def keras_traces(logdir: str) -> dict[str, graph_pb2.GraphDef]:
    """A small Keras model's calls traced by ``tf.summary.trace_on``/``trace_export`` into
    ``logdir`` (one run per call), read back as the tab reads them: ``train_on_batch`` (two
    functions, the first a 3-op input conversion), ``predict_on_batch`` (a series of
    functions, the model's the last), ``predict`` (the same, and dataset functions) and
    ``fit`` (its training step in the function library).

    Written by a fresh Python: a trace holds every function the process runs while tracing,
    so in a process where Keras has trained before (the demo's logdir, other fixtures) it
    would hold theirs too."""
    local = _written_by_fresh_python("write_keras_traces", logdir)
    return {run: local.load(local.select(run=run, kind="op_graph")) for run in KERAS_TRACE_RUNS}


def _written_by_fresh_python(writer: str, logdir: str):
    """The logdir `writer` (a function of this module, given the logdir) writes when run by a
    fresh Python, as the tab would list it (`LocalGraphs`)."""
    import subprocess
    import sys

    from tb_scopegraph.reading.local import LocalGraphs

    here = os.path.dirname(os.path.abspath(__file__))
    code = f"import sys, tf_graphs; tf_graphs.{writer}(sys.argv[1])"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])),
    }
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    subprocess.run([sys.executable, "-c", code, logdir], check=True, env=env)
    return LocalGraphs(logdir)


def write_keras_traces(logdir: str) -> None:
    """The traces of `keras_traces`, written into ``logdir`` by this process."""
    import numpy as np
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.Input((16,)),
            tf.keras.layers.Dense(32, activation="relu", name="hidden"),
            tf.keras.layers.Dense(3, activation="softmax", name="classes"),
        ],
        name="classifier",
    )
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((8, 16), np.float32), np.zeros(8)
    calls = {
        "train_on_batch": lambda: model.train_on_batch(x, y),
        "predict_on_batch": lambda: model.predict_on_batch(x),
        "predict": lambda: model.predict(x, verbose=0),
        "fit": lambda: model.fit(x, y, epochs=1, verbose=0),
    }
    assert tuple(calls) == KERAS_TRACE_RUNS
    for run, call in calls.items():
        writer = tf.summary.create_file_writer(os.path.join(logdir, run))
        tf.summary.trace_on(graph=True, profiler=False)
        call()
        with writer.as_default():
            tf.summary.trace_export(name=run, step=0)
        writer.close()


def keras_predict_both_ways(logdir: str) -> dict[str, graph_pb2.GraphDef]:
    """One Keras classifier's ``tf.function`` (the demo's: ``hidden``, ``dropout``,
    ``classes``) written two ways into ``logdir`` and read back as the tab reads them:
    ``op_graph``, its concrete function's graph by ``tf.summary.graph``; ``trace``, the
    function as ``tf.summary.trace_export`` writes it once it has run. Written by a fresh
    Python, as `keras_traces` is."""
    local = _written_by_fresh_python("write_keras_predict_both_ways", logdir)
    return {
        "op_graph": local.load(local.select(run="op_graph", kind="run_graph")),
        "trace": local.load(local.select(run="trace", kind="op_graph")),
    }


def write_keras_predict_both_ways(logdir: str) -> None:
    """The graphs of `keras_predict_both_ways`, written into ``logdir`` by this process."""
    import numpy as np
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(16,), name="features"),
            tf.keras.layers.Dense(32, activation="relu", name="hidden"),
            tf.keras.layers.Dropout(0.1, name="dropout"),
            tf.keras.layers.Dense(3, activation="softmax", name="classes"),
        ],
        name="classifier",
    )

    @tf.function(autograph=False)
    def predict(features):
        return model(features, training=False)

    concrete = predict.get_concrete_function(tf.TensorSpec([None, 16], tf.float32))
    writer = tf.summary.create_file_writer(os.path.join(logdir, "op_graph"))
    with writer.as_default():
        tf.summary.graph(concrete.graph)
    writer.close()
    writer = tf.summary.create_file_writer(os.path.join(logdir, "trace"))
    tf.summary.trace_on(graph=True, profiler=False)
    predict(tf.constant(np.zeros((4, 16), np.float32)))
    with writer.as_default():
        tf.summary.trace_export(name="predict", step=0)
    writer.close()


def keras_train_step(logdir: str) -> graph_pb2.GraphDef:
    """A Keras training step in a ``tf.function`` (the model ``stack_1``, its loss,
    ``gradient_tape`` and ``adam``), traced by ``tf.summary.trace_on``/``trace_export`` as
    TensorBoard's graph guide shows and read back as the tab reads it: one function, whose
    body takes each of the model's 202 variables and Adam's two slots of each as a captured
    variable handle (``_Arg``, ``T: DT_RESOURCE``), more arguments than a scope shows whole.
    10k ops. Written by a fresh Python, as `keras_traces` is."""
    local = _written_by_fresh_python("write_keras_train_step", logdir)
    return local.load(local.select(kind="op_graph"))


def write_keras_train_step(logdir: str, layers: int = 4, weights: int = 50) -> None:
    """The trace of `keras_train_step`, written into ``logdir`` by this process: ``layers``
    layers of ``weights`` scalar weights each (few ops per variable, so a small graph)."""
    import keras
    import tensorflow as tf

    class Scales(keras.layers.Layer):
        def build(self, shape):
            self.scales = [self.add_weight(shape=(), name=f"s{i}") for i in range(weights)]

        def call(self, x):
            for scale in self.scales:
                x = x * scale
            return x

    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,), name="x")
    x = inputs
    for i in range(layers):
        x = Scales(name=f"scales_{i}")(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x), name="stack")
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.MeanSquaredError()

    train_step = _train_step(tf, model, optimizer, loss_fn)
    writer = tf.summary.create_file_writer(logdir)
    tf.summary.trace_on(graph=True)
    train_step(tf.zeros([8, 4]), tf.zeros([8, 2]))
    with writer.as_default():
        tf.summary.trace_export("train_step", step=0)
    writer.close()


def keras_blocks_graph(blocks: int = 6) -> graph_pb2.GraphDef:
    """A traced Keras model whose layers are named after their blocks, as Keras' own
    applications name them: a ResNet-like stage ``conv4_block{n}_*`` whose first block has a
    shortcut layer the others lack, then a MobileNet-like stage ``block_{n}_*`` whose even
    blocks add a residual the odd ones do not."""
    import tensorflow as tf

    layers = tf.keras.layers
    inputs = tf.keras.Input((16,))
    h = inputs
    for n in range(1, blocks + 1):
        p = f"conv4_block{n}_"
        shortcut = layers.Dense(16, name=f"{p}0_dense")(h) if n == 1 else h
        x = layers.ReLU(name=f"{p}1_relu")(layers.Dense(16, name=f"{p}1_dense")(h))
        x = layers.Dense(16, name=f"{p}2_dense")(x)
        h = layers.ReLU(name=f"{p}out")(layers.Add(name=f"{p}add")([shortcut, x]))
    for n in range(1, blocks + 1):
        p = f"block_{n}_"
        x = layers.ReLU(name=f"{p}expand_relu")(layers.Dense(16, name=f"{p}expand")(h))
        x = layers.Dense(16, name=f"{p}project")(x)
        h = layers.Add(name=f"{p}add")([h, x]) if n % 2 == 0 else x
    model = tf.keras.Model(inputs, h)
    traced = tf.function(model).get_concrete_function(tf.TensorSpec([1, 16]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def torch_gpt_graph(blocks: int = 12) -> graph_pb2.GraphDef:
    """A small GPT as PyTorch's ``SummaryWriter.add_graph`` writes it: token and position
    embeddings (positions from the input's size), a ``ModuleList`` of identical transformer
    blocks, a final ``LayerNorm`` and a head, under one module between input and output."""
    import torch
    from torch.utils.tensorboard._pytorch_graph import graph

    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, d: int):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            q, k, v = self.attn(self.ln_1(x)).chunk(3, dim=-1)
            x = x + self.proj(torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v)
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self, d: int = 16):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(50, d), nn.Embedding(8, d)
            self.h = nn.ModuleList([Block(d) for _ in range(blocks)])
            self.ln_f = nn.LayerNorm(d)
            self.lm_head = nn.Linear(d, 50, bias=False)

        def forward(self, ids):
            x = self.wte(ids) + self.wpe(torch.arange(ids.size(1)))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    graph_def, _ = graph(GPT().eval(), (torch.zeros(1, 8, dtype=torch.long),))
    return graph_pb2.GraphDef.FromString(graph_def.SerializeToString())


def keras_stages_graph() -> graph_pb2.GraphDef:
    """A traced Keras model named as Keras' applications name theirs, in stages: a stem
    ``conv1_*``, ResNet-like stages ``conv2_block{n}_*`` (3 blocks) and ``conv3_block{n}_*``
    (4), each first block with a shortcut layer the others lack, then MobileNet-like blocks
    ``block_{n}_*`` where blocks 1 and 4 change the width and the blocks after them add a
    residual (stages 1-3 and 4-7), and a last block 8 alone."""
    import tensorflow as tf

    layers = tf.keras.layers
    inputs = tf.keras.Input((16,))
    h = layers.ReLU(name="conv1_relu")(layers.Dense(16, name="conv1_dense")(inputs))
    for stage, blocks in (("conv2", 3), ("conv3", 4)):
        for n in range(1, blocks + 1):
            p = f"{stage}_block{n}_"
            shortcut = layers.Dense(16, name=f"{p}0_dense")(h) if n == 1 else h
            x = layers.ReLU(name=f"{p}1_relu")(layers.Dense(16, name=f"{p}1_dense")(h))
            h = layers.ReLU(name=f"{p}out")(layers.Add(name=f"{p}add")([shortcut, x]))
    for n in range(1, 9):
        p = f"block_{n}_"
        x = layers.ReLU(name=f"{p}expand_relu")(layers.Dense(16, name=f"{p}expand")(h))
        x = layers.Dense(16, name=f"{p}project")(x)
        h = x if n in (1, 4, 8) else layers.Add(name=f"{p}add")([h, x])
    outputs = layers.Dense(4, name="predictions")(h)
    model = tf.keras.Model(inputs, outputs)
    traced = tf.function(model).get_concrete_function(tf.TensorSpec([1, 16]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def keras_mobilenet_like_graph() -> graph_pb2.GraphDef:
    """A traced Keras model named as MobileNetV2 is: a stem (``Conv1``, ``bn_Conv1``,
    ``Conv1_relu``), blocks ``block_{n}_*`` of which 1, 3, 6, 9 change the width (no
    residual) and the others add one, and a head (``Conv_1``, ``Conv_1_bn``, ``out_relu``,
    ``predictions``): more layers and blocks than a column shows whole."""
    import tensorflow as tf

    layers = tf.keras.layers
    inputs = tf.keras.Input((16,))
    h = layers.Dense(16, name="Conv1")(inputs)
    h = layers.ReLU(name="Conv1_relu")(layers.BatchNormalization(name="bn_Conv1")(h))
    for n in range(1, 11):
        p = f"block_{n}_"
        x = layers.ReLU(name=f"{p}expand_relu")(layers.Dense(16, name=f"{p}expand")(h))
        x = layers.Dense(16, name=f"{p}project")(x)
        h = x if n in (1, 3, 6, 9) else layers.Add(name=f"{p}add")([h, x])
    h = layers.BatchNormalization(name="Conv_1_bn")(layers.Dense(16, name="Conv_1")(h))
    outputs = layers.Dense(4, name="predictions")(layers.ReLU(name="out_relu")(h))
    model = tf.keras.Model(inputs, outputs)
    traced = tf.function(model).get_concrete_function(tf.TensorSpec([1, 16]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def keras_inception_like_graph() -> graph_pb2.GraphDef:
    """A traced Keras model of layers without blocks in their names, as InceptionV3's are
    (``dense_N``, ``batch_normalization_N``, ``re_lu_N``): a stem of two such triples,
    eight blocks of branches joined by a concatenation each (``mixed0`` … ``mixed7``; the
    branches of 0-2 and of 4-7 alike, 3 with a branch more), and a head of two layers:
    110 layers side by side in the model's scope."""
    import tensorflow as tf

    layers = tf.keras.layers

    def conv(x):  # InceptionV3's conv2d_bn: three layers named by Keras' counters
        return layers.ReLU()(layers.BatchNormalization()(layers.Dense(8)(x)))

    inputs = tf.keras.Input((16,))
    h = conv(conv(inputs))
    for k in range(8):
        branches = [conv(h), conv(conv(h)), conv(h)]
        if k == 3:
            branches.append(conv(h))
        h = layers.Concatenate(name=f"mixed{k}")(branches)
    outputs = layers.Dense(4, name="predictions")(layers.Dense(8, name="avg_pool")(h))
    model = tf.keras.Model(inputs, outputs)
    traced = tf.function(model).get_concrete_function(tf.TensorSpec([1, 16]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def keras_training_step_graph() -> graph_pb2.GraphDef:
    """A Keras training step traced as ResNet50's is in the benchmark's ``resnet50_train``: a
    model named as Keras' ResNet50 names its layers (a stem ``conv1_*``, ``pool1_pool``,
    stages ``conv2``-``conv5`` of 3, 4, 6 and 3 blocks, ``avg_pool``, ``predictions``), its
    loss, ``GradientTape`` and ``Adam``: opened, the model is a column of stages from whose
    every stage the optimizer reads."""
    import tensorflow as tf

    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((16,))
    h = layers.ReLU(name="conv1_relu")(layers.Dense(16, name="conv1_dense")(inputs))
    h = layers.ReLU(name="pool1_pool")(h)
    for stage, blocks in (("conv2", 3), ("conv3", 4), ("conv4", 6), ("conv5", 3)):
        for n in range(1, blocks + 1):
            p = f"{stage}_block{n}_"
            shortcut = layers.Dense(16, name=f"{p}0_dense")(h) if n == 1 else h
            x = layers.ReLU(name=f"{p}1_relu")(layers.Dense(16, name=f"{p}1_dense")(h))
            h = layers.ReLU(name=f"{p}out")(layers.Add(name=f"{p}add")([shortcut, x]))
    h = layers.Dense(8, name="avg_pool")(h)
    outputs = layers.Dense(4, activation="softmax", name="predictions")(h)
    model = tf.keras.Model(inputs, outputs, name="resnet")
    optimizer = tf.keras.optimizers.Adam()
    loss_of = tf.keras.losses.CategoricalCrossentropy()

    train_step = _train_step(tf, model, optimizer, loss_of)
    traced = train_step.get_concrete_function(tf.TensorSpec([2, 16]), tf.TensorSpec([2, 4]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def keras_swish_training_step_graph() -> graph_pb2.GraphDef:
    """A Keras training step of a model whose layers use ``swish`` (as EfficientNet's do):
    swish's own gradient (``tf.custom_gradient``) is written beside ``gradient_tape``, not
    in it: series ``mul_[1-N]``, ``Sigmoid_[1-N]``, ``Square_[1-N]`` … at the step's top
    level."""
    import tensorflow as tf

    layers = tf.keras.layers
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((16,))
    h = inputs
    for n in range(1, 7):
        h = layers.Dense(16, activation="swish", name=f"block{n}_dense")(h)
    outputs = layers.Dense(4, activation="softmax", name="predictions")(h)
    model = tf.keras.Model(inputs, outputs, name="net")
    optimizer = tf.keras.optimizers.SGD(0.01)
    train_step = _train_step(tf, model, optimizer, tf.keras.losses.CategoricalCrossentropy())
    traced = train_step.get_concrete_function(tf.TensorSpec([2, 16]), tf.TensorSpec([2, 4]))
    return graph_pb2.GraphDef.FromString(
        traced.graph.as_graph_def(add_shapes=True).SerializeToString()
    )


def _train_step(tf, model, optimizer, loss_fn):
    """One training step as a ``tf.function``: forward, gradients through a tape, the
    optimizer's update, as TensorBoard's graph guide writes one."""

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    return train_step
