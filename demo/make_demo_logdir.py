"""Write a small TensorBoard logdir of example graphs, to try tb-scopegraph on.

    python demo/make_demo_logdir.py [--logdir demo/logs]
    tensorboard --logdir demo/logs        # or: tb-scopegraph list demo/logs

Runs:
  add         c = a + b over two placeholders (a TF1 graph)
  circle      area = pi * r**2 (a TF1 graph)
  ffn_flat    a three-layer feed-forward net, W1..W3 and b1..b3, no name scopes
  ffn_scoped  the same net with one name scope per layer, trained a few steps, with
              histograms of each layer's weights and biases and a scalar accuracy, and a
              profile of its last step (a FULL_TRACE RunMetadata: time and memory per op)
  ffn_scoped_wider  the same, grown: layer3 widened (10 to 32 units) and a layer4 added;
              `tb-scopegraph diff` of the two runs shows exactly that
  ffn_grown   one run whose graph was written twice: the scoped net at step 0, the grown one
              at step 10 (a model that changed during training; diff its two steps)
  functions   a tf.function with a while loop, a cond and a nested tf.function: their
              bodies are the graph's function library
  meta_graph  a run holding only a meta graph (TensorBoard shows nothing; the CLI does)
  keras/op_graph  a small Keras model's op graph (a traced tf.function, tf.summary.graph)
  keras/trace     the same function's op graph as tf.summary.trace_export writes it
  keras/fit/...   what Keras' own TensorBoard callback writes during a short fit: its
                  model config (a conceptual graph), losses and metrics, and (histogram_freq=1)
                  a histogram of each layer's weights every epoch, linked to its layer
  pytorch/torch, pytorch/tensorboardx
              a small PyTorch model (a ModuleList of blocks, a Sequential head) written by
              `SummaryWriter.add_graph` of PyTorch and of tensorboardX, when they are installed,
              with three steps of `add_histogram` of every parameter (`blocks.1.fc.weight`) and
              an `add_scalar("blocks.1/weight_norm")`, each linked to its module's scope

Beside the runs, `saved_model/` holds a SavedModel for `tb-scopegraph list|render` (TensorBoard
does not read SavedModels). The output folder is cleared first, so running it twice gives the
same logdir. Needs TensorFlow; PyTorch and tensorboardX are optional.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LOGDIR = os.path.join(HERE, "logs")
MARKER = ".tb_scopegraph_demo"  # marks a folder this script may clear
SEED = 7
SIZES = (784, 128, 64, 10)  # MNIST-shaped: 784 pixels in, 10 classes out
# The same net grown: layer3 widened from 10 to 32 units, and a layer4 added after it.
WIDER_SIZES = (784, 128, 64, 32, 10)
STEPS = 10


def prepare(logdir: str) -> None:
    """Empty `logdir`, refusing to clear a non-empty folder that this script did not make."""
    if os.path.exists(logdir):
        if os.listdir(logdir) and not os.path.exists(os.path.join(logdir, MARKER)):
            raise SystemExit(f"refusing to clear {logdir}: not made by this script")
        shutil.rmtree(logdir)
    os.makedirs(logdir)
    with open(os.path.join(logdir, MARKER), "w") as f:
        f.write("made by demo/make_demo_logdir.py; cleared on every run\n")


def write_tf1_graph(run_dir: str, graph: tf.Graph) -> None:
    """What TF1 code did: a FileWriter given the graph writes it as the run graph."""
    with graph.as_default():
        tf.compat.v1.summary.FileWriter(run_dir, graph=graph).close()


def add_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        a = tf.compat.v1.placeholder(tf.float32, name="a")
        b = tf.compat.v1.placeholder(tf.float32, name="b")
        tf.add(a, b, name="c")
    return graph


def circle_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        r = tf.compat.v1.placeholder(tf.float32, name="r")
        pi = tf.constant(np.pi, dtype=tf.float32, name="pi")
        tf.multiply(pi, tf.pow(r, 2.0, name="r_squared"), name="area")
    return graph


def ffn_graph(
    scoped: bool, sizes: tuple[int, ...] = SIZES
) -> tuple[tf.Graph, dict[str, tf.Tensor | tf.Operation]]:
    """A feed-forward net (three layers by default); `scoped` puts each layer in its own name
    scope.

    Flat names are TensorFlow's defaults (W1, MatMul, MatMul_1, ...). The scoped net also
    gets a loss, a training step, an accuracy and summaries, as TensorBoard's tutorials do.
    """
    graph = tf.Graph()
    handles: dict[str, tf.Tensor | tf.Operation] = {}
    with graph.as_default():
        tf.compat.v1.set_random_seed(SEED)
        x = tf.compat.v1.placeholder(tf.float32, [None, sizes[0]], name="x")
        h = x
        summaries = []
        for i in range(1, len(sizes)):
            n_in, n_out = sizes[i - 1], sizes[i]
            scope = tf.name_scope(f"layer{i}") if scoped else _no_scope()
            with scope:
                w_name, b_name = ("W", "b") if scoped else (f"W{i}", f"b{i}")
                w = tf.compat.v1.Variable(
                    tf.random.truncated_normal([n_in, n_out], stddev=0.1, seed=SEED + i),
                    name=w_name,
                )
                b = tf.compat.v1.Variable(tf.constant(0.1, shape=[n_out]), name=b_name)
                h = tf.matmul(h, w) + b
                if i < len(sizes) - 1:
                    h = tf.nn.relu(h)
                if scoped:
                    summaries.append(tf.compat.v1.summary.histogram("weights", w))
                    summaries.append(tf.compat.v1.summary.histogram("biases", b))
        handles["x"] = x
        handles["logits"] = h
        if scoped:
            labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
            with tf.name_scope("cross_entropy"):
                loss = tf.reduce_mean(
                    tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h)
                )
            with tf.name_scope("train"):
                handles["train"] = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
            with tf.name_scope("evaluation"):
                correct = tf.equal(tf.argmax(h, 1), labels)
                accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
            summaries.append(tf.compat.v1.summary.scalar("accuracy", accuracy))
            summaries.append(tf.compat.v1.summary.scalar("loss", loss))
            handles["labels"] = labels
            handles["summary"] = tf.compat.v1.summary.merge(summaries)
            handles["init"] = tf.compat.v1.global_variables_initializer()
    return graph, handles


class _no_scope:
    """A do-nothing context, for the flat net's layers."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def train_ffn_scoped(run_dir: str, sizes: tuple[int, ...] = SIZES) -> None:
    """Train the scoped net a few steps on fixed random data, logging its summaries."""
    graph, h = ffn_graph(scoped=True, sizes=sizes)
    rng = np.random.default_rng(SEED)
    images = rng.random((64, SIZES[0]), dtype=np.float32)
    labels = np.argmax(images[:, : SIZES[-1]], axis=1)  # learnable: the brightest of ten
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        writer = tf.compat.v1.summary.FileWriter(run_dir, graph=graph)
        session.run(h["init"])
        for step in range(STEPS):
            feed = {h["x"]: images, h["labels"]: labels}
            last = step == STEPS - 1
            # The last step is traced: per-op compute time and memory, as a profile.
            options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
            run_metadata = tf.compat.v1.RunMetadata()
            summary, _ = session.run(
                [h["summary"], h["train"]],
                feed_dict=feed,
                options=options if last else None,
                run_metadata=run_metadata if last else None,
            )
            writer.add_summary(summary, step)
            if last:
                writer.add_run_metadata(run_metadata, f"step{step}", step)
        writer.close()


def write_grown_graph(run_dir: str) -> None:
    """One run, two graphs: the net at step 0 and, grown, at step 10 (TensorBoard draws the
    latest; a diff of the two steps shows what changed)."""
    first, _ = ffn_graph(scoped=True)
    with first.as_default():  # a FileWriter needs graph mode
        writer = tf.compat.v1.summary.FileWriter(run_dir)
        writer.add_graph(first, global_step=0)
        writer.add_graph(ffn_graph(scoped=True, sizes=WIDER_SIZES)[0], global_step=10)
        writer.close()


def write_meta_graph_only(run_dir: str) -> None:
    """A run with a meta graph and no graph event: TensorBoard's providers drop meta graphs."""
    graph = circle_graph()
    with graph.as_default():
        writer = tf.compat.v1.summary.FileWriter(run_dir)
        writer.add_meta_graph(tf.compat.v1.train.export_meta_graph(graph=graph))
        writer.close()


def write_functions_run(run_dir: str) -> None:
    """A traced tf.function whose while loop, cond and nested function live in its library."""

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
    writer = tf.summary.create_file_writer(run_dir)
    with writer.as_default():
        tf.summary.graph(concrete.graph)
    writer.close()


class _Scaler(tf.Module):
    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.ones([4, 2]), name="kernel")

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def __call__(self, x):
        with tf.name_scope("dense"):
            return tf.nn.relu(tf.matmul(x, self.kernel))


def write_saved_model(folder: str) -> None:
    tf.saved_model.save(_Scaler(), folder)


def write_pytorch_runs(logdir: str) -> list[str]:
    """PyTorch's and tensorboardX's `add_graph` of one model; skipped when not installed."""
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: no pytorch/ runs", file=sys.stderr)
        return []

    class Block(torch.nn.Module):
        def __init__(self, n: int):
            super().__init__()
            self.fc = torch.nn.Linear(n, n)
            self.norm = torch.nn.LayerNorm(n)

        def forward(self, x):
            return torch.relu(self.norm(self.fc(x))) + x

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Linear(16, 32)
            self.blocks = torch.nn.ModuleList([Block(32) for _ in range(6)])
            self.head = torch.nn.Sequential(
                torch.nn.Linear(32, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3)
            )

        def forward(self, x):
            h = self.embed(x)
            for block in self.blocks:
                h = block(h)
            return self.head(h)

    torch.manual_seed(SEED)
    model, example = Net(), torch.zeros(2, 16)
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(os.path.join(logdir, "pytorch", "torch")) as writer:
        write_pytorch_summaries(writer, model, example)
    written = ["pytorch/torch"]
    try:
        import tensorboardX
    except ImportError:
        print("tensorboardX is not installed: no pytorch/tensorboardx run", file=sys.stderr)
        return written
    with tensorboardX.SummaryWriter(os.path.join(logdir, "pytorch", "tensorboardx")) as writer:
        write_pytorch_summaries(writer, model, example)
    return written + ["pytorch/tensorboardx"]


def write_pytorch_summaries(writer, model, example, steps: int = 3) -> None:
    """`add_graph`, then a few steps of `add_histogram` of every parameter (dotted module
    paths: `blocks.1.fc.weight`) and one `add_scalar` named by its module (`blocks.1/...`), as
    training code logs them; the weights move a little each step."""
    import torch

    writer.add_graph(model, example)
    for step in range(steps):
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.mul_(1.05)
        for name, parameter in model.named_parameters():
            writer.add_histogram(name, parameter.detach(), step)
        norm = float(model.blocks[1].fc.weight.detach().norm())
        writer.add_scalar("blocks.1/weight_norm", norm, step)


def keras_model() -> tf.keras.Model:
    tf.keras.utils.set_random_seed(SEED)
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(16,), name="features"),
            tf.keras.layers.Dense(32, activation="relu", name="hidden"),
            tf.keras.layers.Dropout(0.1, name="dropout"),
            tf.keras.layers.Dense(3, activation="softmax", name="classes"),
        ],
        name="classifier",
    )


def write_keras_runs(logdir: str) -> None:
    """A Keras model's op graph, written two ways, and a short fit with Keras' callback."""
    model = keras_model()

    @tf.function(autograph=False)
    def predict(features):
        return model(features, training=False)

    concrete = predict.get_concrete_function(tf.TensorSpec([None, 16], tf.float32))
    writer = tf.summary.create_file_writer(os.path.join(logdir, "keras", "op_graph"))
    with writer.as_default():
        tf.summary.graph(concrete.graph)
    writer.close()

    rng = np.random.default_rng(SEED)
    features = rng.random((32, 16), dtype=np.float32)

    # What tf.summary.trace_export writes: the op graphs of the functions that ran.
    writer = tf.summary.create_file_writer(os.path.join(logdir, "keras", "trace"))
    tf.summary.trace_on(graph=True, profiler=False)
    predict(tf.constant(features))
    with writer.as_default():
        tf.summary.trace_export(name="predict", step=0)
    writer.close()

    labels = rng.integers(0, 3, size=32)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callback = tf.keras.callbacks.TensorBoard(
        log_dir=os.path.join(logdir, "keras", "fit"), write_graph=True, histogram_freq=1
    )
    model.fit(features, labels, epochs=2, batch_size=16, callbacks=[callback], verbose=0)


def make_demo_logdir(logdir: str = DEFAULT_LOGDIR) -> list[str]:
    """Write every demo run under `logdir` (cleared first); return the run folders written."""
    prepare(logdir)
    write_tf1_graph(os.path.join(logdir, "add"), add_graph())
    write_tf1_graph(os.path.join(logdir, "circle"), circle_graph())
    write_tf1_graph(os.path.join(logdir, "ffn_flat"), ffn_graph(scoped=False)[0])
    train_ffn_scoped(os.path.join(logdir, "ffn_scoped"))
    train_ffn_scoped(os.path.join(logdir, "ffn_scoped_wider"), WIDER_SIZES)
    write_grown_graph(os.path.join(logdir, "ffn_grown"))
    write_functions_run(os.path.join(logdir, "functions"))
    write_meta_graph_only(os.path.join(logdir, "meta_graph"))
    write_keras_runs(logdir)
    write_pytorch_runs(logdir)
    write_saved_model(os.path.join(logdir, "saved_model"))
    return sorted(
        os.path.relpath(folder, logdir)
        for folder, _, files in os.walk(logdir)
        if any("tfevents" in f for f in files)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logdir", default=DEFAULT_LOGDIR, help="output folder (cleared first)")
    args = parser.parse_args(argv)
    for run in make_demo_logdir(args.logdir):
        print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
