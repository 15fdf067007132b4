"""A GraphDef's function library turned into scopes: each function's body under its own scope.

TF2 graphs (a SavedModel's, a traced function's) are mostly calls into their library, so the
bodies are where the model is. Each body becomes nodes under `__function_library__/<function>/`,
and every call site gets a control edge into the body it calls (see `expand_function_library`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.reading.repair import NO_OP, report

FUNCTION_LIBRARY = "__function_library__"
"""The top scope holding a GraphDef's library functions, as in TensorBoard's graph tab."""

# Ops whose outputs come in more than one output arg, in order; every other op's outputs
# are numbered within its one output arg. Function bodies name outputs `node:arg:index`.
_OUTPUT_ARGS: dict[str, tuple[str, ...]] = {
    "Switch": ("output_false", "output_true"),
    "RefSwitch": ("output_false", "output_true"),
    "Merge": ("output", "value_index"),
    "RefMerge": ("output", "value_index"),
    "Unique": ("y", "idx"),
    "UniqueV2": ("y", "idx"),
    "UniqueWithCounts": ("y", "idx", "count"),
    "TopKV2": ("values", "indices"),
    "TopK": ("values", "indices"),
    "BroadcastGradientArgs": ("r0", "r1"),
    "FusedBatchNorm": ("y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"),
    "FusedBatchNormV2": (
        "y",
        "batch_mean",
        "batch_variance",
        "reserve_space_1",
        "reserve_space_2",
    ),
    "FusedBatchNormV3": (
        "y",
        "batch_mean",
        "batch_variance",
        "reserve_space_1",
        "reserve_space_2",
        "reserve_space_3",
    ),
    "FusedBatchNormGradV3": (
        "x_backprop",
        "scale_backprop",
        "offset_backprop",
        "reserve_space_4",
        "reserve_space_5",
    ),
    "MaxPoolWithArgmax": ("output", "argmax"),
    "Svd": ("s", "u", "v"),
    "Qr": ("q", "r"),
    "SparseSegmentMeanGradV2": ("output", "sorted_unique_indices"),
    "CTCLoss": ("loss", "gradient"),
    "SoftmaxCrossEntropyWithLogits": ("loss", "backprop"),
    "SparseSoftmaxCrossEntropyWithLogits": ("loss", "backprop"),
    "QuantizeV2": ("output", "output_min", "output_max"),
}


@dataclass
class _Body:
    """A library function laid out as nodes under its scope (full names throughout)."""

    scope: str
    args: list[tuple[str, Any, int, Any]]  # (node name, OpDef.ArgDef, index, attrs)
    nodes: list[tuple[str, Any, list[str]]]  # (node name, NodeDef, inputs)
    returns: list[tuple[str, Any, int, str | None]]  # (node name, ArgDef, index, input)


def expand_function_library(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """Each library function's body as nodes under `__function_library__/<function>/`.

    A function's arguments become `_Arg` nodes and its results `_Retval` nodes, each
    named after its argument or result; body inputs (`node:out_arg:index`, bare argument
    names) become ordinary inputs. Every call site (an op named after the function, or a `func` attr
    such as PartitionedCall's `f`, While's `body`, If's branches) gets a control edge to
    the arguments of the functions it calls (to its first op when it takes none). The
    library itself is dropped; the graph is changed in place and returned.
    """
    functions = graph.library.function
    if not functions:
        return graph
    names = {node.name for node in graph.node}
    root = FUNCTION_LIBRARY
    while root in names or any(name.startswith(f"{root}/") for name in names):
        root += "_"
    signatures: dict[str, Any] = {}
    bodies: dict[str, _Body] = {}
    for index, function in enumerate(functions):
        name = function.signature.name
        if not name or name in bodies:
            report("bad_function", name or f"#{index}")  # no call can tell it apart
            continue
        signatures[name] = function.signature
        bodies[name] = _lay_out(function, f"{root}/{name}", signatures)
    links: dict[str, list[str]] = {}
    callers = [(node.name, node) for node in graph.node]
    callers += [(name, node) for body in bodies.values() for name, node, _ in body.nodes]
    for caller, node in callers:
        for callee in _callees(node, bodies):
            body = bodies[callee]
            entries = [a[0] for a in body.args] or [n[0] for n in body.nodes[:1]]
            for entry in entries:
                links.setdefault(entry, []).append(f"^{caller}")
    for body in bodies.values():
        _emit(graph, body, links)
    graph.ClearField("library")
    return graph


def _lay_out(function, scope: str, signatures: Mapping[str, Any]) -> _Body:
    used: set[str] = set()

    def claim(local: str) -> str:
        name = f"{scope}/{local}"
        n = 2
        while name in used:
            name = f"{scope}/{local} ({n})"
            n += 1
        used.add(name)
        return name

    signature = function.signature
    args = [
        (claim(arg.name), arg, i, function.arg_attr[i].attr if i in function.arg_attr else {})
        for i, arg in enumerate(signature.input_arg)
    ]
    arg_names = {arg.name: name for name, arg, _, _ in args}
    # As in a graph (`repair`): a nameless node is left out, one without an op drawn as such.
    body = []
    for index, node in enumerate(function.node_def):
        if not node.name:
            report("no_name", f"{signature.name}: #{index}")
        else:
            body.append(node)
    claimed = [claim(node.name) for node in body]
    node_names: dict[str, str] = {}
    producers: dict[str, Any] = {}
    for node, name in zip(body, claimed, strict=True):
        # Two nodes of one name (no valid function has them): inputs mean the first.
        if node_names.setdefault(node.name, name) != name:
            report("duplicate_name", name)
        producers.setdefault(node.name, node)
        if not node.op:
            report("no_op", name)

    def resolve(text: str) -> str:
        control = text.startswith("^")
        parts = (text[1:] if control else text).split(":")
        local = parts[0]
        # A bare name is an argument; `node:out:i` and `^node` name nodes.
        named_node = control or len(parts) > 1
        full = node_names.get(local) if named_node else arg_names.get(local)
        full = full or node_names.get(local) or arg_names.get(local) or f"{scope}/{local}"
        if control:
            return f"^{full}"
        slot = 0
        if len(parts) == 2 and parts[1].isdigit():
            slot = int(parts[1])
        elif len(parts) >= 3 and parts[-1].isdigit():
            slot = _flat_slot(producers.get(local), parts[1], int(parts[-1]), signatures)
        return f"{full}:{slot}" if slot else full

    nodes = [
        (name, node, [resolve(text) for text in node.input])
        for node, name in zip(body, claimed, strict=True)
    ]
    returns = []
    for i, arg in enumerate(signature.output_arg):
        source = function.ret.get(arg.name)
        returns.append((claim(arg.name), arg, i, None if source is None else resolve(source)))
    return _Body(scope, args, nodes, returns)


def _flat_slot(producer, out_arg: str, index: int, signatures: Mapping[str, Any]) -> int:
    """The output number of `producer:out_arg:index` (exact where the op's args are known)."""
    if producer is None:
        return index
    if producer.op in signatures:
        names = tuple(arg.name for arg in signatures[producer.op].output_arg)
    else:
        names = _OUTPUT_ARGS.get(producer.op, ())
    return names.index(out_arg) + index if out_arg in names else index


def _callees(node, bodies: Mapping[str, _Body]) -> list[str]:
    """The library functions a node calls: by op type, or through `func` attrs."""
    called = [node.op] if node.op in bodies else []
    for key in sorted(node.attr):
        value = node.attr[key]
        if value.HasField("func") and value.func.name in bodies:
            called.append(value.func.name)
        called.extend(func.name for func in value.list.func if func.name in bodies)
    return list(dict.fromkeys(called))


def _emit(graph: graph_pb2.GraphDef, body: _Body, links: Mapping[str, list[str]]) -> None:
    for name, arg, index, attrs in body.args:
        node = graph.node.add(name=name, op="_Arg", input=links.get(name, []))
        for key, value in attrs.items():  # `_output_shapes`, `_user_specified_name`
            node.attr[key].CopyFrom(value)
        _set_arg_attrs(node, arg, index)
    for name, source, inputs in body.nodes:
        node = graph.node.add()
        node.CopyFrom(source)
        node.name = name
        node.op = node.op or NO_OP
        node.input[:] = inputs + links.get(name, [])
    for name, arg, index, source in body.returns:
        node = graph.node.add(name=name, op="_Retval", input=[] if source is None else [source])
        _set_arg_attrs(node, arg, index)


def _set_arg_attrs(node, arg, index: int) -> None:
    if arg.type:
        node.attr["T"].type = arg.type
    elif arg.type_attr:
        node.attr["T"].placeholder = arg.type_attr
    node.attr["index"].i = index
