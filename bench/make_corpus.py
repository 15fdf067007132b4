"""Build the bench corpus: model GraphDefs (binary ``.pb``) and one TensorBoard logdir per graph.

Writes ``bench/corpus/<name>.pb`` and ``bench/corpus/logs/<name>/`` (a run graph event file, so
``tensorboard --logdir bench/corpus/logs/<name>`` shows it in its Graphs tab). Graphs that exist
are skipped unless ``--force``. Keras models are built with ``weights=None``: nothing is
downloaded. The demo's small graphs (``common.DEMO_GRAPHS``) get a logdir each: their run of
the demo logdir, copied as its writer wrote it.

    python3 bench/make_corpus.py [--force] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
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


def build(name: str, force: bool = False) -> dict:
    pb = CORPUS / f"{name}.pb"
    logdir = LOGS / name
    if pb.exists() and logdir.is_dir() and any(logdir.iterdir()) and not force:
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


ALL = (*GRAPHS, *DEMO_GRAPHS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild graphs that exist")
    parser.add_argument("--only", nargs="+", choices=ALL, help="build only these")
    args = parser.parse_args(argv)
    names = args.only or ALL
    print(f"{'graph':<16} {'ops':>8} {'bytes':>12} {'build s':>8}  status")

    def show(row: dict) -> None:
        secs = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        print(f"{row['name']:<16} {row['ops']:>8,} {row['bytes']:>12,} {secs:>8}  {row['status']}")
        sys.stdout.flush()

    for name in names:
        if name in GRAPHS:
            show(build(name, force=args.force))
    demo = [n for n in names if n in DEMO_GRAPHS]
    for row in build_demo_graphs(demo, force=args.force) if demo else []:
        show(row)
    print(f"corpus: {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
