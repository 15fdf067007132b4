"""GraphDefs for tests and benchmarks, built as protos so that none needs TensorFlow for a graph:
small models, event files, hostile strings as names, graphs too big, wide or deep to draw whole,
and GraphDef bytes written by hand for the wire readers.

Test modules and bench/limits.py import these; keep the signatures stable.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from typing import Any

from tensorboard.compat.proto import (
    attr_value_pb2,
    event_pb2,
    function_pb2,
    graph_pb2,
    tensor_shape_pb2,
    types_pb2,
)
from tensorboard.summary.writer.record_writer import RecordWriter

Shape = Sequence[int | None] | None
"""A tensor shape: dims with None for unknown, or None for unknown rank."""

NodeSpec = tuple  # (name, op) + optional (inputs, attrs)

_DTYPES = {
    "float32": types_pb2.DT_FLOAT,
    "float64": types_pb2.DT_DOUBLE,
    "int32": types_pb2.DT_INT32,
    "int64": types_pb2.DT_INT64,
    "bool": types_pb2.DT_BOOL,
    "string": types_pb2.DT_STRING,
    "resource": types_pb2.DT_RESOURCE,
}


def shape_proto(shape: Shape) -> tensor_shape_pb2.TensorShapeProto:
    """A TensorShapeProto: None is unknown rank, a None dim is unknown size (-1)."""
    if shape is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    dims = [tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d) for d in shape]
    return tensor_shape_pb2.TensorShapeProto(dim=dims)


def attr_value(value: Any) -> attr_value_pb2.AttrValue:
    """Turn a plain Python value into an AttrValue, the way TensorFlow would store it.

    Strings naming a dtype ("float32") become a `type`; other strings become bytes `s`.
    """
    if isinstance(value, attr_value_pb2.AttrValue):
        return value
    if isinstance(value, bool):
        return attr_value_pb2.AttrValue(b=value)
    if isinstance(value, int):
        return attr_value_pb2.AttrValue(i=value)
    if isinstance(value, float):
        return attr_value_pb2.AttrValue(f=value)
    if isinstance(value, str) and value in _DTYPES:
        return attr_value_pb2.AttrValue(type=_DTYPES[value])
    if isinstance(value, str | bytes):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return attr_value_pb2.AttrValue(s=raw)
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=list(value)))
    raise TypeError(f"no AttrValue for {value!r}")


def shape_attr(shape: Shape) -> attr_value_pb2.AttrValue:
    """An AttrValue holding a shape, as the `shape` attr of a variable or placeholder."""
    return attr_value_pb2.AttrValue(shape=shape_proto(shape))


def graph_from_nodes(nodes: Iterable[NodeSpec]) -> graph_pb2.GraphDef:
    """Build a GraphDef from `(name, op[, inputs[, attrs]])` tuples.

    `inputs` are TensorFlow input strings ("x", "x:1", "^ctrl"). `attrs` maps names to
    plain values (see `attr_value`), except `_output_shapes`, a list of shapes. A node
    without `_output_shapes` gets one output of unknown shape; a node without `T` or
    `dtype` gets `T=float32`.
    """
    graph = graph_pb2.GraphDef()
    graph.versions.producer = 1
    for spec in nodes:
        name, op, inputs, attrs = (tuple(spec) + ((), {}))[:4]
        node = graph.node.add(name=name, op=op, input=list(inputs))
        attrs = dict(attrs or {})
        shapes = attrs.pop("_output_shapes", [None])
        node.attr["_output_shapes"].list.shape.extend(shape_proto(s) for s in shapes)
        if "T" not in attrs and "dtype" not in attrs:
            attrs["T"] = "float32"
        for key, value in attrs.items():
            node.attr[key].CopyFrom(attr_value(value))
    return graph


def add_graph() -> graph_pb2.GraphDef:
    """c = a + b over two scalar placeholders: the smallest useful graph."""
    return graph_from_nodes(
        [
            ("a", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[]]}),
            ("b", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[]]}),
            ("c", "AddV2", ("a", "b"), {"_output_shapes": [[]]}),
        ]
    )


FFN_SIZES = (784, 128, 64, 10)


def ffn_graph(scoped: bool = True, sizes: Sequence[int] = FFN_SIZES) -> graph_pb2.GraphDef:
    """A TF1-style feed-forward net, named as TensorFlow names it.

    Scoped: `layer1/W`, `layer1/b`, `layer1/MatMul`, ... one name scope per layer.
    Flat: `W1`, `b1`, `MatMul`, `MatMul_1`, ... no scopes (TF still puts `W1/read` under W1).
    Every op has `_output_shapes`; the batch dimension is unknown.
    """
    nodes: list[NodeSpec] = [
        ("x", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[None, sizes[0]]]})
    ]
    previous = "x"
    layers = len(sizes) - 1
    for i in range(layers):
        n_in, n_out = sizes[i], sizes[i + 1]
        if scoped:
            scope = f"layer{i + 1}/"
            w, b = f"{scope}W", f"{scope}b"
            matmul, add, relu = f"{scope}MatMul", f"{scope}add", f"{scope}Relu"
        else:
            suffix = "" if i == 0 else f"_{i}"
            w, b = f"W{i + 1}", f"b{i + 1}"
            matmul, add, relu = f"MatMul{suffix}", f"add{suffix}", f"Relu{suffix}"
        for var, shape in ((w, [n_in, n_out]), (b, [n_out])):
            nodes.append(
                (
                    var,
                    "VariableV2",
                    (),
                    {"dtype": "float32", "shape": shape_attr(shape), "_output_shapes": [shape]},
                )
            )
            nodes.append((f"{var}/read", "Identity", (var,), {"_output_shapes": [shape]}))
        nodes.append(
            (matmul, "MatMul", (previous, f"{w}/read"), {"_output_shapes": [[None, n_out]]})
        )
        nodes.append((add, "AddV2", (matmul, f"{b}/read"), {"_output_shapes": [[None, n_out]]}))
        previous = add
        if i < layers - 1:
            nodes.append((relu, "Relu", (add,), {"_output_shapes": [[None, n_out]]}))
            previous = relu
    return graph_from_nodes(nodes)


def series_graph(n: int, scoped: bool = True) -> graph_pb2.GraphDef:
    """A chain through `n` numbered siblings, the shape that series folding is for.

    Scoped: `input -> layer_0/{MatMul,Relu} -> ... -> layer_{n-1}/... -> output`.
    Flat: `input -> add -> add_1 -> ... -> add_{n-1} -> output` (TensorFlow's numbering).
    """
    shape = [None, 8]
    nodes: list[NodeSpec] = [
        ("input", "Placeholder", (), {"dtype": "float32", "_output_shapes": [shape]})
    ]
    previous = "input"
    for i in range(n):
        if scoped:
            matmul, relu = f"layer_{i}/MatMul", f"layer_{i}/Relu"
            nodes.append((matmul, "MatMul", (previous, "input"), {"_output_shapes": [shape]}))
            nodes.append((relu, "Relu", (matmul,), {"_output_shapes": [shape]}))
            previous = relu
        else:
            name = "add" if i == 0 else f"add_{i}"
            nodes.append((name, "AddV2", (previous, "input"), {"_output_shapes": [shape]}))
            previous = name
    nodes.append(("output", "Identity", (previous,), {"_output_shapes": [shape]}))
    return graph_from_nodes(nodes)


def tangled_graph(n: int = 400, fan_in: int = 4, seed: int = 0) -> graph_pb2.GraphDef:
    """`n` flat ops, each fed by `fan_in` random earlier ones: Graphviz needs seconds for it.

    For tests of layout timeouts: opened whole (depth >= 1), every preset takes about a
    second or more on this machine, so a budget of a fraction of a second runs out.
    """
    rng = random.Random(seed)
    nodes: list[NodeSpec] = [
        (f"op{i}x", "AddN", [f"op{rng.randrange(i)}x" for _ in range(fan_in)] if i else [])
        for i in range(n)
    ]
    return graph_from_nodes(nodes)


def function_def(
    name: str,
    args: Sequence[str],
    nodes: Iterable[NodeSpec],
    returns: dict[str, str],
    arg_shapes: Sequence[Shape] | None = None,
) -> function_pb2.FunctionDef:
    """A FunctionDef with float arguments and results, as tf.function writes one.

    `nodes` are as in `graph_from_nodes`, with inputs in function syntax (`arg`,
    `node:out_arg:index`, `^node`); `returns` maps each result name to its source.
    `arg_shapes` sets each argument's `_output_shapes` attr.
    """
    function = function_pb2.FunctionDef()
    function.signature.name = name
    for arg in args:
        function.signature.input_arg.add(name=arg, type=types_pb2.DT_FLOAT)
    for result in returns:
        function.signature.output_arg.add(name=result, type=types_pb2.DT_FLOAT)
    body = graph_from_nodes(nodes)
    for node in body.node:
        del node.attr["_output_shapes"]  # function bodies carry none
    function.node_def.extend(body.node)
    for result, source in returns.items():
        function.ret[result] = source
    for index, shape in enumerate(arg_shapes or ()):
        shapes = function.arg_attr[index].attr["_output_shapes"].list.shape
        shapes.add().CopyFrom(shape_proto(shape))
    return function


def func_attr(name: str) -> attr_value_pb2.AttrValue:
    """An AttrValue naming a function, as PartitionedCall's `f` or While's `body`."""
    return attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=name))


def node_names(graph: graph_pb2.GraphDef) -> list[str]:
    """The node names of a GraphDef, in order."""
    return [node.name for node in graph.node]


def write_events(
    run_dir: str | os.PathLike[str], events: Iterable[event_pb2.Event], name: str = "local"
) -> str:
    """Write `events` into a new event file in `run_dir` (made if missing); return its path.

    Uses TensorBoard's record writer over a plain file: no TensorFlow, and the file name
    is deterministic (`events.out.tfevents.0000000001.<name>`), unique per `name`.
    """
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(os.fspath(run_dir), f"events.out.tfevents.0000000001.{name}")
    writer = RecordWriter(open(path, "wb"))  # RecordWriter closes it
    writer.write(event_pb2.Event(wall_time=1.0, file_version="brain.Event:2").SerializeToString())
    for event in events:
        writer.write(event.SerializeToString())
    writer.close()
    return path


def record(data: bytes) -> bytes:
    """`data` framed as one TFRecord: length, its checksum, data, its checksum."""
    import struct

    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


def write_run_graph(
    run_dir: str | os.PathLike[str], graph: graph_pb2.GraphDef, step: int = 0, name: str = "local"
) -> str:
    """Write `graph` as a run graph event, as `FileWriter(logdir, graph=...)` does."""
    event = event_pb2.Event(wall_time=2.0, step=step, graph_def=graph.SerializeToString())
    return write_events(run_dir, [event], name=name)


# --- hostile strings --------------------------------------------------------------------

# What an injected name would set if it ever ran (the browser test looks for it too).
PWNED = "__sg_pwned"
HOSTILE = [
    f"<script>window.{PWNED}=1</script>",
    f'"><img src=x onerror="window.{PWNED}=1">',
    f"<svg onload=window.{PWNED}=1>",
    "it's \"quoted\" and 'single'",
    "back\\slash\\N\\G\\L",
    "trailing\\",
    "new\nline\r\nand\ttab",
    "brace{ } -> -- ; [label=x]",
    "graph",
    "subgraph",
    "strict",
    "edge",
    "node",
    "&amp;&lt;b&gt;&#60;&#x3C;",
    "^caret",
    "colon:0",
    "colon:name:7",
    "sep\u2028\u2029\x85",
    "nul\x00bell\x07esc\x1b[31m",
    "rtl\u202egnp.exe",
    "emoji😀/名前",
    f"javascript:window.{PWNED}=1",
    "%3Cscript%3E/..%2F..",
    "]]><!-- -->",
    "${7*7}`{{7*7}}`",
    "L" * 20_000,  # longer than Graphviz takes in one quoted string (16,384 bytes)
    "<" * 6_000,  # its element id (.3C per byte) is three times longer still
]
# Bytes that are not UTF-8, as a string attribute may hold them (attrs are bytes, names not).
RAW = b"\xff\xfe<script>\x80\\"
RAW_SHOWN = "\\xff\\xfe<script>\\x80\\"
# A run name a logdir may hold (a folder name), hostile too.
HOSTILE_RUN = "run \"<b>&amp;'\\"


def bad_nodes_graph() -> graph_pb2.GraphDef:
    """A layer with a nameless node (its consumer's input then names nothing), a node without
    an op, and a second node named `out`."""
    graph = graph_from_nodes(
        [
            ("x", "Placeholder"),
            ("dense/w", "VariableV2"),
            ("dense/MatMul", "MatMul", ("x", "dense/w")),
            ("dense/Relu", "Relu", ("dense/MatMul",)),
            ("out", "Identity", ("dense/Relu",)),
            ("out", "Const"),
        ]
    )
    graph.node[3].name = ""
    graph.node[1].op = ""
    return graph


def hostile_graph() -> graph_pb2.GraphDef:
    """Every hostile string as a node name, an op type, a device, an attr and a scope.

    Node ``i`` is named ``HOSTILE[i]`` and has the next string as its op type and device;
    ``HOSTILE[i]/inner`` puts the string in a scope; ``use_i`` consumes the node by name.
    """
    n = len(HOSTILE)
    nodes = [("input", "Placeholder", (), {"dtype": "float32", "_output_shapes": [[None, 3]]})]
    for i, name in enumerate(HOSTILE):
        other = HOSTILE[(i + 1) % n]
        attrs = {
            "note": name,
            "raw": RAW,
            "_output_shapes": [[None, 3]],
            "listed": attr_value_pb2.AttrValue(
                list=attr_value_pb2.AttrValue.ListValue(s=[name.encode(), RAW])
            ),
        }
        nodes.append((name, "Op" + other[:300], ("input",), attrs))
        nodes.append((f"{name}/inner", "Identity", (name,)))
        nodes.append((f"use_{i}", "Identity", (name,)))
    graph = graph_from_nodes(nodes)
    for node in graph.node:
        if node.name in HOSTILE:
            node.device = HOSTILE[(HOSTILE.index(node.name) + 1) % n]
    return graph


# --- GraphDef bytes written by hand (for the wire readers) --------------------------------


def varint(n: int) -> bytes:
    """`n` as a protobuf varint."""
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, payload: bytes | int, wire: int = 2) -> bytes:
    """One protobuf field: its tag, then `payload` as wire type `wire` says."""
    tag = varint(number << 3 | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    if wire == 0:
        return tag + varint(payload)
    return tag + payload  # fixed64 / fixed32: payload is the raw bytes


def graph_bytes(nodes: list[bytes], tail: bytes = b"") -> bytes:
    """A GraphDef of these serialized NodeDefs, then ``tail`` (more GraphDef fields)."""
    return b"".join(field(1, node) for node in nodes) + tail


# --- graphs too big, too wide or too deep to draw whole ----------------------------------

FLAT = 200_000
DEPTH = 5_000
SIBLINGS = 10_000
BIG_BYTES = 50 << 20  # the constant
BIG_STRING = 8 << 20  # a string attr of bytes that are not all UTF-8
DEEP_PATH = "/".join(f"s{i}" for i in range(DEPTH))


def const_graph() -> graph_pb2.GraphDef:
    """A 50 MB float constant feeding one op, and an 8 MB string attr."""
    graph = graph_pb2.GraphDef()
    big = graph.node.add(name="weights/big", op="Const")
    big.attr["dtype"].type = types_pb2.DT_FLOAT
    tensor = big.attr["value"].tensor
    tensor.dtype = types_pb2.DT_FLOAT
    tensor.tensor_shape.dim.add(size=BIG_BYTES // 4)
    tensor.tensor_content = b"\x01" * BIG_BYTES
    use = graph.node.add(name="use", op="Identity", input=["weights/big"])
    use.attr["label"].s = (b"\xff<b>" * (BIG_STRING // 4))[:BIG_STRING]
    return graph


def flat_graph(n: int = FLAT) -> graph_pb2.GraphDef:
    """`n` ops and no scope at all; each reads one or two of the 50 ops before it."""
    rng = random.Random(0)
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    for i in range(1, n):
        inputs = [f"n{max(1, i - rng.randint(1, 50))}" if i > 1 else "x"]
        if i % 3 == 0:
            inputs.append(f"n{max(1, i - rng.randint(1, 50))}")
        graph.node.add(name=f"n{i}", op="AddV2" if len(inputs) == 2 else "Relu", input=inputs)
    return graph


def deep_graph() -> graph_pb2.GraphDef:
    """A scope path 5,000 levels deep, with an op at the bottom and a few on the way."""
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    previous = "x"
    for level in (10, 150, DEPTH):
        name = "/".join(DEEP_PATH.split("/")[:level]) + "/op"
        graph.node.add(name=name, op="Identity", input=[previous])
        previous = name
    return graph


def siblings_graph() -> graph_pb2.GraphDef:
    """10,000 sibling scopes of two ops each (named so that they fold into no series)."""
    graph = graph_pb2.GraphDef()
    graph.node.add(name="x", op="Placeholder")
    for i in range(SIBLINGS):
        graph.node.add(name=f"s{i}x/a", op="Relu", input=["x"])
        graph.node.add(name=f"s{i}x/b", op="Relu", input=[f"s{i}x/a"])
    return graph


def wide_graph(n: int = 1400) -> graph_pb2.GraphDef:
    """A flat tangle whose opened view takes Graphviz far more than a few seconds (even the
    cheapest preset: 19 s measured), though its closed view draws at once."""
    rng = random.Random(0)
    graph = graph_pb2.GraphDef()
    for i in range(n):
        graph.node.add(
            name=f"w{i}", op="AddN", input=[f"w{rng.randrange(i)}" for _ in range(min(i, 6))]
        )
    return graph


def blocks_graph(
    n: int, rewired: Iterable[int] = (), heads: int = 0, width: int = 16
) -> graph_pb2.GraphDef:
    """A stack of `n` residual dense blocks, `stem -> block_0 -> ... -> block_{n-1} -> output`,
    each `block_i/{w,b,MatMul,BiasAdd,Relu,add}` with `add` reading the block's input.

    The blocks in `rewired` add their BiasAdd instead (same op types, other wiring). With
    `heads`, each block also holds `heads` identical `head_j/{w,MatMul}` scopes read
    side by side and joined by `block_i/concat` before its MatMul.
    """
    rewired = set(rewired)
    shape = [None, width]
    out = {"_output_shapes": [shape]}
    nodes: list[NodeSpec] = [
        ("input", "Placeholder", (), {"dtype": "float32", **out}),
        ("stem", "Relu", ("input",), out),
    ]
    previous = "stem"
    for i in range(n):
        p = f"block_{i}"
        x = previous
        if heads:
            for j in range(heads):
                h = f"{p}/head_{j}"
                nodes.append(
                    (
                        f"{h}/w",
                        "Const",
                        (),
                        {"dtype": "float32", "_output_shapes": [[width, width]]},
                    )
                )
                nodes.append((f"{h}/MatMul", "MatMul", (x, f"{h}/w"), out))
            joined = [f"{p}/head_{j}/MatMul" for j in range(heads)]
            nodes.append((f"{p}/concat", "ConcatV2", tuple(joined), out))
            x = f"{p}/concat"
        nodes += [
            (f"{p}/w", "Const", (), {"dtype": "float32", "_output_shapes": [[width, width]]}),
            (f"{p}/b", "Const", (), {"dtype": "float32", "_output_shapes": [[width]]}),
            (f"{p}/MatMul", "MatMul", (x, f"{p}/w"), out),
            (f"{p}/BiasAdd", "BiasAdd", (f"{p}/MatMul", f"{p}/b"), out),
            (f"{p}/Relu", "Relu", (f"{p}/BiasAdd",), out),
            (f"{p}/add", "AddV2", (f"{p}/Relu", f"{p}/BiasAdd" if i in rewired else previous), out),
        ]
        previous = f"{p}/add"
    nodes.append(("output", "Identity", (previous,), out))
    return graph_from_nodes(nodes)


def adam_graph(n: int = 10, extra: Sequence[int] = ()) -> graph_pb2.GraphDef:
    """A Keras 3 training step's Adam update of ``n`` variables, as `tf.function` traces it:
    flat ops of one scope ``adam`` named as TensorFlow names them (``adam/Sub_2``,
    ``adam/Mul_1`` …, made unique case-insensitively), one small graph per variable reading
    the shared learning rate, iteration counter and the gradients' ``IdentityN``, writing
    the variable with ``AssignSubVariableOp``. Variable ``i`` in ``extra`` gets that many
    more ``Sqrt`` ops in its update (an update unlike the others)."""
    taken: set[str] = set()

    def unique(base: str) -> str:
        name, k = base, 0
        while name.lower() in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name.lower())
        return name

    extra = dict(enumerate(extra))
    nodes: list[NodeSpec] = [("model/x", "Placeholder", (), {"dtype": "float32"})]
    grads = []
    for i in range(n):
        v = f"model/dense_{i}/MatMul/ReadVariableOp"
        nodes += [
            (f"{v}/resource", "Placeholder", (), {"dtype": "resource"}),
            (v, "ReadVariableOp", (f"{v}/resource",)),
            (f"model/dense_{i}/MatMul", "MatMul", ("model/x", v)),
            (f"gradient_tape/dense_{i}/MatMul", "MatMul", ("model/x", f"model/dense_{i}/MatMul")),
        ]
    for i in range(n):
        grads.append(unique("adam/Identity"))
        nodes.append((grads[-1], "Identity", (f"gradient_tape/dense_{i}/MatMul",)))
    nodes.append((unique("adam/IdentityN"), "IdentityN", tuple(grads)))
    lr, steps = "adam/Cast/ReadVariableOp/resource", "adam/Add/ReadVariableOp/resource"
    for i in range(n):
        grad = f"adam/IdentityN:{i}" if i else "adam/IdentityN"
        var = f"model/dense_{i}/MatMul/ReadVariableOp"
        r = unique("adam/Cast")
        if i == 0:
            nodes.append((lr, "Placeholder", (), {"dtype": "resource"}))
        nodes.append((f"{r}/ReadVariableOp", "ReadVariableOp", (lr,)))
        c = unique("adam/Const")
        c1 = unique("adam/Cast")
        add = unique("adam/Add")
        if i == 0:
            nodes.append((steps, "Placeholder", (), {"dtype": "resource"}))
        nodes += [
            (c, "Const", ()),
            (c1, "Cast", (c,)),
            (f"{add}/ReadVariableOp", "ReadVariableOp", (steps,)),
            (add, "AddV2", (f"{add}/ReadVariableOp", c1)),
        ]
        c2 = unique("adam/Cast")
        nodes.append((c2, "Cast", (add,)))
        powers = []
        for _ in range(2):
            base = unique("adam/Cast")
            powers.append(unique("adam/Pow"))
            nodes += [(f"{base}/x", "Const", ()), (powers[-1], "Pow", (f"{base}/x", c2))]
        s = unique("adam/sub")
        nodes += [(f"{s}/x", "Const", ()), (s, "Sub", (f"{s}/x", powers[1]))]
        sq = unique("adam/Sqrt")
        mul = unique("adam/mul")
        s1 = unique("adam/sub")
        td = unique("adam/truediv")
        nodes += [
            (sq, "Sqrt", (s,)),
            (mul, "Mul", (f"{r}/ReadVariableOp", sq)),
            (f"{s1}/x", "Const", ()),
            (s1, "Sub", (f"{s1}/x", powers[0])),
            (td, "RealDiv", (mul, s1)),
        ]
        moments, adds = [], []
        for source in (grad, None):
            if source is None:
                source = unique("adam/Square")
                nodes.append((source, "Square", (grad,)))
            m = unique("adam/Sub")
            k = unique("adam/Const")
            mm = unique("adam/Mul")
            aa = unique("adam/AssignAddVariableOp")
            res = f"{m}/ReadVariableOp/resource"
            nodes += [
                (res, "Placeholder", (), {"dtype": "resource"}),
                (f"{m}/ReadVariableOp", "ReadVariableOp", (res,)),
                (m, "Sub", (source, f"{m}/ReadVariableOp")),
                (k, "Const", ()),
                (mm, "Mul", (m, k)),
                (aa, "AssignAddVariableOp", (res, mm, f"^{m}/ReadVariableOp")),
            ]
            moments.append(res)
            adds.append(aa)
        m3 = unique("adam/Mul")
        c5 = unique("adam/Cast")
        root = unique("adam/Sqrt")
        nodes += [
            (f"{m3}/ReadVariableOp", "ReadVariableOp", (moments[0], f"^{adds[0]}")),
            (m3, "Mul", (f"{m3}/ReadVariableOp", td)),
            (f"{c5}/ReadVariableOp", "ReadVariableOp", (moments[1], f"^{adds[1]}")),
            (root, "Sqrt", (f"{c5}/ReadVariableOp",)),
        ]
        for _ in range(extra.get(i, 0)):
            again = unique("adam/Sqrt")
            nodes.append((again, "Sqrt", (root,)))
            root = again
        k3 = unique("adam/Const")
        a1 = unique("adam/Add")
        td1 = unique("adam/truediv")
        nodes += [
            (k3, "Const", ()),
            (a1, "AddV2", (root, k3)),
            (td1, "RealDiv", (m3, a1)),
            (
                unique("adam/AssignSubVariableOp"),
                "AssignSubVariableOp",
                (f"{var}/resource", td1, f"^{var}"),
            ),
        ]
    return graph_from_nodes(nodes)
