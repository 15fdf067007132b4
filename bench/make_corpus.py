"""Build the bench corpus: model GraphDefs (binary ``.pb``) and one TensorBoard logdir per graph.

Writes ``bench/corpus/<name>.pb`` and ``bench/corpus/logs/<name>/`` (a run graph event file, so
``tensorboard --logdir bench/corpus/logs/<name>`` shows it in its Graphs tab). Graphs that exist
are skipped unless ``--force``. Keras models are built with ``weights=None``: nothing is
downloaded. The demo's small graphs (``common.DEMO_GRAPHS``) get a logdir each: their run of
the demo logdir, copied as its writer wrote it.

Three more (``OWN``) are written each into a logdir of its own, ``bench/corpus/<name>/``, by the
writer that writes such a graph for its users: a million-op transformer training step built as
protos (a TF1 run graph; only with ``--big`` or ``--only``), GPT-2 through PyTorch's
``add_graph``, a Keras transformer's training step through ``tf.summary.trace_export``.

    python3 bench/make_corpus.py [--force] [--big] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
LOGS = CORPUS / "logs"
sys.path.insert(0, str(HERE))
from common import DEMO_GRAPHS  # noqa: E402 (beside this script)
from proto_transformer import transformer_train  # noqa: E402


def _quiet_tf():
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf


def _inference(app: str, size: int) -> Callable[[], bytes]:
    def build() -> bytes:
        tf = _quiet_tf()
        import keras

        model = getattr(keras.applications, app)(weights=None)
        concrete = tf.function(model).get_concrete_function(
            tf.TensorSpec([1, size, size, 3], tf.float32)
        )
        return concrete.graph.as_graph_def().SerializeToString()

    return build


def _resnet50_train() -> bytes:
    """One training step: forward, gradients through a tape, Adam apply."""
    tf = _quiet_tf()
    import keras

    model = keras.applications.ResNet50(weights=None)
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.CategoricalCrossentropy()

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    concrete = train_step.get_concrete_function(
        tf.TensorSpec([1, 224, 224, 3], tf.float32), tf.TensorSpec([1, 1000], tf.float32)
    )
    return concrete.graph.as_graph_def().SerializeToString()


# Op types of one synthetic layer, repeated in order: (type, inputs from the chain, has weights).
_LAYER_OPS = (
    ("Conv2D", 1, True),
    ("BiasAdd", 1, True),
    ("FusedBatchNormV3", 1, True),
    ("Relu", 1, False),
    ("AddV2", 2, False),
    ("Mul", 2, False),
    ("Identity", 1, False),
    ("MatMul", 1, True),
    ("Sigmoid", 1, False),
    ("ConcatV2", 2, False),
)


def synthetic(blocks: int = 50, layers: int = 20, ops: int = 100, seed: int = 7) -> bytes:
    """A GraphDef of ``blocks * layers * ops`` ops in nested scopes ``model/block_B/layer_L/``.

    Inside a layer the ops form a chain with a few skip connections; weights (``VarHandleOp`` +
    ``ReadVariableOp``) count among the layer's ops. Each layer takes the previous layer's output,
    each block also takes the output of the block before it (a residual), and every op carries
    ``T`` and ``_output_shapes`` like a traced graph.
    """
    from tensorboard.compat.proto import graph_pb2, tensor_shape_pb2, types_pb2

    rng = random.Random(seed)
    graph = graph_pb2.GraphDef()
    graph.versions.producer = 1882

    def shape_of(dims):
        shape = tensor_shape_pb2.TensorShapeProto()
        for d in dims:
            shape.dim.add(size=d)
        return shape

    def add(name, op, inputs, dims, dtype=types_pb2.DT_FLOAT):
        node = graph.node.add(name=name, op=op)
        node.input.extend(inputs)
        if op in ("VarHandleOp",):
            node.attr["dtype"].type = dtype
            node.attr["shape"].shape.CopyFrom(shape_of(dims))
            node.attr["shared_name"].s = name.encode()
            node.attr["_output_shapes"].list.shape.add().CopyFrom(shape_of([]))
        else:
            node.attr["T"].type = dtype
            node.attr["_output_shapes"].list.shape.add().CopyFrom(shape_of(dims))
        return name

    act = [1, 32, 32, 64]
    prev = add("input", "Placeholder", [], act)
    graph.node[-1].attr.pop("T")
    graph.node[-1].attr["dtype"].type = types_pb2.DT_FLOAT
    block_in = prev
    for b in range(blocks):
        for layer in range(layers):
            scope = f"model/block_{b}/layer_{layer}/"
            chain = [prev]
            seen: dict[str, int] = {}
            count = 0
            k = 0
            while count < ops:
                op, arity, weighted = _LAYER_OPS[k % len(_LAYER_OPS)]
                k += 1
                n = seen.get(op, 0)
                seen[op] = n + 1
                suffix = f"_{n}" if n else ""
                inputs = [chain[-1]]
                if weighted and count + 3 <= ops:
                    weights = f"{scope}{op.lower()}{suffix}/"
                    var = add(f"{weights}kernel", "VarHandleOp", [], [3, 3, 64, 64])
                    read = add(f"{weights}ReadVariableOp", "ReadVariableOp", [var], [])
                    graph.node[-1].attr.pop("T")
                    graph.node[-1].attr["dtype"].type = types_pb2.DT_FLOAT
                    inputs.append(read)
                    count += 2
                if arity == 2:
                    inputs.append(chain[max(0, len(chain) - 1 - rng.randint(2, 6))])
                if layer == 0 and b > 0 and count == 0:
                    inputs.append(block_in)
                chain.append(add(f"{scope}{op}{suffix}", op, inputs, act))
                count += 1
            prev = chain[-1]
        block_in = prev
    add("Identity", "Identity", [prev], act)
    return graph.SerializeToString()


GRAPHS: dict[str, Callable[[], bytes]] = {
    "mobilenetv2": _inference("MobileNetV2", 224),
    "resnet50": _inference("ResNet50", 224),
    "inceptionv3": _inference("InceptionV3", 299),
    "resnet50_train": _resnet50_train,
    "synthetic_100k": synthetic,
}


def write_logdir(name: str, data: bytes) -> Path:
    """Write ``data`` (a serialized GraphDef) as the run graph of ``logs/<name>``."""
    tf = _quiet_tf()
    logdir = LOGS / name
    shutil.rmtree(logdir, ignore_errors=True)
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        tf.summary.graph(tf.compat.v1.GraphDef.FromString(data))
    writer.close()
    return logdir


def _written(pb: Path) -> bool:
    """Whether ``pb`` holds a graph (0 bytes: its writing was cut short)."""
    return pb.is_file() and pb.stat().st_size > 0


def build(name: str, force: bool = False) -> dict:
    pb = CORPUS / f"{name}.pb"
    logdir = LOGS / name
    if _written(pb) and logdir.is_dir() and any(logdir.iterdir()) and not force:
        data = pb.read_bytes()
        seconds, status = None, "exists"
    else:
        start = time.perf_counter()
        data = GRAPHS[name]()
        seconds = time.perf_counter() - start
        CORPUS.mkdir(parents=True, exist_ok=True)
        tmp = pb.with_suffix(".pb.tmp")
        tmp.write_bytes(data)
        tmp.replace(pb)
        write_logdir(name, data)
        status = "built"
    from tensorboard.compat.proto import graph_pb2

    ops = len(graph_pb2.GraphDef.FromString(data).node)
    return {"name": name, "ops": ops, "bytes": len(data), "seconds": seconds, "status": status}


# --- graphs in logdirs of their own ---------------------------------------------------------
# Each is written by the writer its kind of user writes it with, into bench/corpus/<name>/ (not
# under logs/: bench_load.py serves every logdir there at once), and kept as <name>.pb as this
# package reads it back (LocalGraphs: an op graph's function graphs become graph_1/, graph_2/),
# for the engine benchmarks.


def _transformer_1m(logdir: Path) -> bytes:
    """``transformer_train()`` as a TF1 run graph: ``Event(graph_def=...)`` after the file
    version, as TF1's ``FileWriter.add_graph`` writes it, through TF's record writer
    (TensorBoard's own computes the CRC in Python). Returns the GraphDef's bytes: what
    TensorBoard reads back, byte for byte."""
    from tensorboard.compat.proto import event_pb2

    data = transformer_train()
    tf = _quiet_tf()
    logdir.mkdir(parents=True)
    path = logdir / f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}"
    with tf.io.TFRecordWriter(str(path)) as out:
        out.write(
            event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString()
        )
        event = event_pb2.Event(wall_time=time.time(), step=0, graph_def=data)
        out.write(event.SerializeToString())
    return data


def _gpt2_torch(logdir: Path) -> None:
    """GPT-2 small (12 layers, 768 wide, 12 heads, 50257 tokens, 1024 positions; random weights)
    in plain torch, through ``SummaryWriter.add_graph`` on one sequence of 16 tokens."""
    import torch
    from torch import nn
    from torch.utils.tensorboard import SummaryWriter

    width, heads, positions = 768, 12, 1024

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn, self.c_proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
            causal = torch.tril(torch.ones(positions, positions, dtype=torch.bool))
            self.register_buffer("bias", causal.view(1, 1, positions, positions), persistent=False)

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = (
                y.view(b, t, heads, c // heads).transpose(1, 2)
                for y in self.c_attn(x).split(c, dim=2)
            )
            att = (q @ k.transpose(-2, -1)) * (1.0 / (c // heads) ** 0.5)
            att = att.masked_fill(~self.bias[:, :, :t, :t], float("-inf")).softmax(dim=-1)
            return self.c_proj((att @ v).transpose(1, 2).reshape(b, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(width), Attention(), nn.LayerNorm(width)
            self.mlp = nn.Sequential(
                nn.Linear(width, 4 * width), nn.GELU("tanh"), nn.Linear(4 * width, width)
            )

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT2(nn.Module):
        def __init__(self, vocab=50257, layers=12):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(positions, width)
            self.h = nn.ModuleList(Block() for _ in range(layers))
            self.ln_f, self.lm_head = nn.LayerNorm(width), nn.Linear(width, vocab, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, input_ids):
            x = self.wte(input_ids) + self.wpe(torch.arange(input_ids.shape[1]))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    torch.manual_seed(0)
    writer = SummaryWriter(str(logdir))
    writer.add_graph(GPT2().eval(), torch.randint(0, 50257, (1, 16)))
    writer.close()


def _keras_transformer_train(logdir: Path) -> None:
    """A Keras 3 decoder of 12 blocks, each a layer of its own (``block_N``: causal
    MultiHeadAttention, LayerNormalization and a GELU feed-forward, as keras_hub writes its
    ``TransformerDecoder``), 128 wide so that its weights are small, and one training step
    with Adam in a ``tf.function``, traced with ``tf.summary.trace_on(graph=True)`` and
    written by ``tf.summary.trace_export``, as TensorBoard's graph guide shows."""
    tf = _quiet_tf()
    import keras

    vocab, seq, width, heads, blocks = 8000, 64, 128, 4, 12

    class PositionEmbedding(keras.layers.Layer):
        def build(self, shape):
            self.table = self.add_weight(shape=shape[1:], name="table")

        def call(self, x):
            return x + self.table

    class Block(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.attention = keras.layers.MultiHeadAttention(
                heads, width // heads, name="attention"
            )
            self.norm_1 = keras.layers.LayerNormalization(name="norm_1")
            self.ffn_in = keras.layers.Dense(4 * width, activation="gelu", name="ffn_in")
            self.ffn_out = keras.layers.Dense(width, name="ffn_out")
            self.norm_2 = keras.layers.LayerNormalization(name="norm_2")

        def call(self, x):
            x = self.norm_1(x + self.attention(x, x, use_causal_mask=True))
            return self.norm_2(x + self.ffn_out(self.ffn_in(x)))

    ids = keras.Input((seq,), dtype="int32", name="input_ids")
    x = PositionEmbedding(name="positions")(
        keras.layers.Embedding(vocab, width, name="tokens")(ids)
    )
    for i in range(blocks):
        x = Block(name=f"block_{i}")(x)
    model = keras.Model(ids, keras.layers.Dense(vocab, name="logits")(x), name="transformer")
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(ids, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(ids, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    writer = tf.summary.create_file_writer(str(logdir))
    tf.summary.trace_on(graph=True)
    train_step(tf.zeros([8, seq], tf.int32), tf.zeros([8, seq], tf.int32))
    with writer.as_default():
        tf.summary.trace_export("train_step", step=0)
    writer.close()


# Each writes its logdir; one that holds the GraphDef's bytes returns them (else None).
OWN: dict[str, Callable[[Path], bytes | None]] = {
    "transformer_1m": _transformer_1m,
    "gpt2_torch": _gpt2_torch,
    "keras_transformer_train": _keras_transformer_train,
}
# Built only with --big or when named: a minute or two, 2.3 GB of memory, 0.45 GB of disk.
BIG = ("transformer_1m",)


def build_own(name: str, force: bool = False) -> dict:
    """Write ``<name>/`` with its writer (unless it is there) and ``<name>.pb`` as read back."""
    from tb_scopegraph.reading.local import LocalGraphs

    logdir, pb = CORPUS / name, CORPUS / f"{name}.pb"
    tmp = pb.with_suffix(".pb.tmp")
    seconds, status = None, "exists"
    if force or not _written(pb) or not logdir.is_dir() or not any(logdir.iterdir()):
        shutil.rmtree(logdir, ignore_errors=True)
        pb.unlink(missing_ok=True)
        start = time.perf_counter()
        data = OWN[name](logdir)
        seconds, status = time.perf_counter() - start, "built"
        if data is not None:
            tmp.write_bytes(data)
            tmp.replace(pb)
        del data  # before the read back: the million-op graph's bytes are 215 MiB
    graphs = LocalGraphs(logdir)
    start = time.perf_counter()
    graph = graphs.load(graphs.select())
    read = time.perf_counter() - start
    if not pb.exists():
        tmp.write_bytes(graph.SerializeToString())
        tmp.replace(pb)
    size = sum(f.stat().st_size for f in logdir.rglob("*") if f.is_file())
    return {
        "name": name,
        "ops": len(graph.node),
        "bytes": pb.stat().st_size,
        "seconds": seconds,
        "status": f"{status}; read back in {read:.1f} s; logdir {size:,} bytes",
    }


def build_demo_graphs(names, force: bool = False) -> list[dict]:
    """The demo runs named by ``names`` (keys of DEMO_GRAPHS), each copied from one demo logdir
    written for the purpose into ``logs/<name>/``; those already there are kept unless ``force``."""
    from tb_scopegraph.reading.local import LocalGraphs
    from tb_scopegraph.reading.run_graph import RUN_GRAPH

    wanted = [n for n in names if force or not (LOGS / n).is_dir() or not any((LOGS / n).iterdir())]
    seconds = None
    skipped = set()
    if wanted:
        sys.path.insert(0, str(HERE.parent / "demo"))
        import tempfile

        from make_demo_logdir import make_demo_logdir

        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as scratch:
            demo = os.path.join(scratch, "logs")
            make_demo_logdir(demo)
            for name in wanted:
                run = DEMO_GRAPHS[name]
                if not os.path.isdir(os.path.join(demo, run)):  # PyTorch's, without PyTorch
                    print(f"{name}: the demo wrote no {run} run; skipped", file=sys.stderr)
                    skipped.add(name)
                    continue
                target = LOGS / name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(os.path.join(demo, run), target / os.path.basename(run))
        seconds = time.perf_counter() - start
    rows = []
    for name in names:
        if name in skipped or not (LOGS / name).is_dir():
            continue
        graphs = LocalGraphs(LOGS / name)
        ops = len(graphs.load(graphs.select(kind=RUN_GRAPH)).node)
        size = sum(f.stat().st_size for f in (LOGS / name).rglob("*") if f.is_file())
        status = "built" if name in wanted else "exists"
        rows.append({"name": name, "ops": ops, "bytes": size, "seconds": seconds, "status": status})
    return rows


ALL = (*GRAPHS, *OWN, *DEMO_GRAPHS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=f"Graphs: {', '.join(ALL)}. Without --only: all but {', '.join(BIG)}.",
    )
    parser.add_argument("--force", action="store_true", help="rebuild graphs that exist")
    parser.add_argument("--only", nargs="+", choices=ALL, metavar="NAME", help="build only these")
    parser.add_argument(
        "--big",
        action="store_true",
        help=f"also build the big graphs ({', '.join(BIG)}: a minute or two, 2.3 GB of memory "
        "at the peak and 0.45 GB of disk); --only builds them when it names them",
    )
    args = parser.parse_args(argv)
    names = args.only or [n for n in ALL if args.big or n not in BIG]
    print(f"{'graph':<24} {'ops':>9} {'bytes':>12} {'build s':>8}  status")

    def show(row: dict) -> None:
        secs = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        print(f"{row['name']:<24} {row['ops']:>9,} {row['bytes']:>12,} {secs:>8}  {row['status']}")
        sys.stdout.flush()

    for name in names:
        if name in GRAPHS:
            show(build(name, force=args.force))
        elif name in OWN:
            show(build_own(name, force=args.force))
    demo = [n for n in names if n in DEMO_GRAPHS]
    for row in build_demo_graphs(demo, force=args.force) if demo else []:
        show(row)
    print(f"corpus: {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
