"""Find graphs in a logdir or a file and turn each into a GraphDef, with a profile when one exists.

Logdirs are read through a TensorBoard data provider: the plugin's own one or, for the CLI and
notebook, `local_provider`, which reads event files itself (see `event_files`). Every GraphDef
leaves here in the shape the engine draws: a function library's bodies become scopes of their
own, linked from their call sites, and a PyTorch graph's scopes follow its module tree.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import types
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from google.protobuf import message, text_format, unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import NotFound, SourceError
from tb_scopegraph.model import _nodescan
from tb_scopegraph.reading import event_files

RUN_GRAPH = "run_graph"
"""A run's whole GraphDef, as `FileWriter(graph=...)`, `tf.summary.graph` and PyTorch write it."""
OP_GRAPH = "op_graph"
"""The function graphs of a `tf.summary.trace_export` RunMetadata, merged into one."""
PROFILE = "profile"
"""A RunMetadata's step stats (compute time, memory per node) shown on the graph they ran."""
CONCEPTUAL = "conceptual"
"""A Keras model's layers, from the JSON config Keras' TensorBoard callback writes."""
META_GRAPH = "meta_graph"
"""A run's `meta_graph_def` (read from event files only: TensorBoard's providers drop it)."""
SAVED_MODEL = "saved_model"
"""One meta graph of a SavedModel's `saved_model.pb`, tagged with its tags (`serve`)."""
FILE_GRAPH = "file"
"""The kind of the one graph of a `.pb`/`.pbtxt` file opened with `LocalGraphs`."""

RUN_GRAPH_TAG = event_files.RUN_GRAPH_TAG
META_GRAPH_TAG = event_files.META_GRAPH_TAG
FUNCTION_LIBRARY = "__function_library__"
"""The top scope holding a GraphDef's library functions, as in TensorBoard's graph tab."""

# Plugin names under which TensorBoard stores graphs (tensorboard/plugins/graph/metadata.py).
GRAPHS_PLUGIN = event_files.GRAPHS_PLUGIN
RUN_METADATA_PLUGIN = "graph_run_metadata"
RUN_METADATA_GRAPH_PLUGIN = "graph_run_metadata_graph"
KERAS_MODEL_PLUGIN = "graph_keras_model"
TAGGED_RUN_METADATA_PLUGIN = event_files.TAGGED_RUN_METADATA_PLUGIN
_KNOWN_VERSION = b"1"  # the plugin content TensorBoard's graph plugin understands


class NodeStats(TypedDict):
    """What a profile says about one node: time spent computing it and bytes it allocated."""

    compute_us: float
    memory_bytes: int


@dataclass(frozen=True)
class GraphRef:
    """Which graph: a run, a kind of graph, and the tag it is stored under."""

    run: str
    kind: str
    tag: str


@dataclass(frozen=True)
class GraphInfo:
    """A graph found in a logdir; `op_count` is None when its data could not be read."""

    run: str
    kind: str
    tag: str
    op_count: int | None

    @property
    def ref(self) -> GraphRef:
        """The reference that `read_graph` and `load_graph` take."""
        return GraphRef(self.run, self.kind, self.tag)


@dataclass(frozen=True)
class Graph:
    """A graph ready to draw: the GraphDef, and per-node stats when it is a profile.

    `stats` maps node names of `graph_def` to their NodeStats; it is None for graphs that
    are not profiles and empty for a profile whose step stats name none of its nodes.
    """

    graph_def: graph_pb2.GraphDef
    stats: dict[str, NodeStats] | None = None
    # A plain GraphDef (a stored run graph, a binary graph file) is also read for drawing at
    # once (by the C reader): a Hierarchy built from this skips reading the bytes again.
    scanned: _nodescan.Graph | None = None

    @property
    def drawable(self) -> graph_pb2.GraphDef | _nodescan.Graph:
        """What a Hierarchy is built from: the graph as read for drawing, if it was."""
        return self.scanned if self.scanned is not None else self.graph_def


@dataclass(frozen=True)
class _Kind:
    """How one kind of graph is stored: the plugins holding it, its tags, how to parse it."""

    name: str
    plugin_names: tuple[str, ...]
    has_tag: Callable[[str, str, Any], bool]  # (plugin, tag, BlobSequenceTimeSeries|None)
    parse: Callable[[bytes], graph_pb2.GraphDef]
    local_only: bool = False  # stored only by `event_files`, never by TensorBoard


# --- parsing the stored bytes --------------------------------------------------------------


def _parse_graph_def(data: bytes) -> graph_pb2.GraphDef:
    return _finish(_decode_graph_def(data))


def _decode_graph_def(data: bytes, check_nodes: bool = True) -> graph_pb2.GraphDef:
    try:
        graph = graph_pb2.GraphDef.FromString(data)
    except message.DecodeError as e:
        raise SourceError(f"not a valid GraphDef ({e})") from None
    _check_fields(graph)
    if check_nodes:
        _check_nodes(graph)
    return graph


def _read_run_graph(data: bytes) -> Graph:
    """A stored GraphDef, checked, finished and, when it is plain (no function library, not
    PyTorch's: nothing to finish), also read for drawing in the same go.

    Checking every node's name through protobuf's objects costs twice the parse on a
    100k-op graph; the C reader gives the names and op types at once, and refuses (returns
    None for) a graph with two nodes of one name, which the full check then explains.
    """
    graph = _decode_graph_def(data, check_nodes=False)
    if not graph.library.function:
        scanned = _nodescan.scan_fast(data)
        if (
            scanned is not None
            and "" not in scanned.types
            and "" not in scanned.names
            and not any(_PYTORCH_OP.match(op) for op in scanned.types)
        ):
            return Graph(graph, scanned=scanned)
    _check_nodes(graph)
    return Graph(_finish(graph))


def _decode_run_metadata(data: bytes):
    from tensorboard.compat.proto import config_pb2

    try:
        run_metadata = config_pb2.RunMetadata.FromString(data)
    except message.DecodeError as e:
        raise SourceError(f"not a valid RunMetadata ({e})") from None
    if len(unknown_fields.UnknownFieldSet(run_metadata)):
        raise SourceError("not a valid RunMetadata (unknown fields: another kind of protobuf?)")
    return run_metadata


def _graphs_in(run_metadata) -> list[graph_pb2.GraphDef]:
    """The graphs a RunMetadata holds: its function graphs, else its partition graphs."""
    graphs = [function.pre_optimization_graph for function in run_metadata.function_graphs]
    return graphs or list(run_metadata.partition_graphs)


def _parse_run_metadata(data: bytes) -> graph_pb2.GraphDef:
    graphs = _graphs_in(_decode_run_metadata(data))
    if not graphs:
        raise SourceError("this RunMetadata holds no function graph (only a profile)")
    return _merge_checked(graphs)


def _merge_checked(graphs: list[graph_pb2.GraphDef]) -> graph_pb2.GraphDef:
    for graph in graphs:
        _check_graph(graph)
    return _finish(merge_graph_defs(graphs))


def _parse_keras_config(data: bytes) -> graph_pb2.GraphDef:
    from tensorboard.plugins.graph import keras_util

    try:
        config = json.loads(data)
        graph = keras_util.keras_model_to_graph_def(config)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        raise SourceError(f"not a Keras model config TensorBoard can read ({e!r})") from None
    for node in graph.node:
        # Layers have no op; their Keras class says what they are.
        node.op = node.op or node.attr["keras_class"].s.decode("utf-8", "replace") or "Layer"
    _check_graph(graph)
    return graph


def _parse_meta_graph(data: bytes) -> graph_pb2.GraphDef:
    from tensorboard.compat.proto import meta_graph_pb2

    try:
        meta_graph = meta_graph_pb2.MetaGraphDef.FromString(data)
    except message.DecodeError as e:
        raise SourceError(f"not a valid MetaGraphDef ({e})") from None
    if len(unknown_fields.UnknownFieldSet(meta_graph)):
        raise SourceError("not a valid MetaGraphDef (unknown fields: another kind of protobuf?)")
    _check_graph(meta_graph.graph_def)
    return _finish(meta_graph.graph_def)


def _known_version(plugin: str, _tag: str, series: Any) -> bool:
    """Skip data written in a version TensorBoard itself would not read (as its plugin does)."""
    return series is None or series.plugin_content == _KNOWN_VERSION


def _profile_tag(plugin: str, tag: str, series: Any) -> bool:
    # `tagged_run_metadata` events carry no version; RunMetadata summaries carry "1".
    return plugin == TAGGED_RUN_METADATA_PLUGIN or _known_version(plugin, tag, series)


def _parse_profile(data: bytes) -> graph_pb2.GraphDef:
    graphs = _graphs_in(_decode_run_metadata(data))
    if not graphs:
        raise SourceError("this profile holds no graph; its stats belong on its run's graph")
    return _merge_checked(graphs)


_KINDS: dict[str, _Kind] = {
    kind.name: kind
    for kind in (
        _Kind(
            name=RUN_GRAPH,
            plugin_names=(GRAPHS_PLUGIN,),
            has_tag=lambda _plugin, tag, _series: tag == RUN_GRAPH_TAG,
            parse=_parse_graph_def,
        ),
        _Kind(
            name=OP_GRAPH,
            # The order TensorBoard's graph plugin reads them in.
            plugin_names=(RUN_METADATA_PLUGIN, RUN_METADATA_GRAPH_PLUGIN),
            has_tag=_known_version,
            parse=_parse_run_metadata,
        ),
        _Kind(
            name=CONCEPTUAL,
            plugin_names=(KERAS_MODEL_PLUGIN,),
            has_tag=_known_version,
            parse=_parse_keras_config,
        ),
        _Kind(
            name=META_GRAPH,
            plugin_names=(event_files.META_GRAPH_PLUGIN,),
            has_tag=lambda _plugin, tag, _series: tag == META_GRAPH_TAG,
            parse=_parse_meta_graph,
            local_only=True,
        ),
        _Kind(
            name=PROFILE,
            # TensorBoard's order for profiles: PyTorch's and TF1's tagged RunMetadata first.
            plugin_names=(TAGGED_RUN_METADATA_PLUGIN, RUN_METADATA_PLUGIN),
            has_tag=_profile_tag,
            parse=_parse_profile,
        ),
    )
}

KINDS: tuple[str, ...] = tuple(_KINDS)
"""The kinds of graph this module can find in a logdir and parse."""

KIND_PLUGINS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {k.name: k.plugin_names for k in _KINDS.values() if not k.local_only}
)
"""Each kind TensorBoard serves, with its plugin names (where its data is stored), in order."""

PLUGIN_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p for k in KIND_PLUGINS.values() for p in k))
"""Every TensorBoard plugin name a graph this module reads can be stored under."""


def _check_graph(graph: graph_pb2.GraphDef) -> None:
    """Refuse bytes that parsed but are not a GraphDef (protobuf accepts a lot)."""
    _check_fields(graph)
    _check_nodes(graph)


def _check_fields(graph: graph_pb2.GraphDef) -> None:
    if len(unknown_fields.UnknownFieldSet(graph)):
        raise SourceError("not a valid GraphDef (unknown fields: another kind of protobuf?)")


def _check_nodes(graph: graph_pb2.GraphDef) -> None:
    names: set[str] = set()
    for index, node in enumerate(graph.node):
        if not node.name or not node.op:
            raise SourceError(f"not a valid GraphDef (node #{index} has no name or no op)")
        if node.name in names:
            raise SourceError(f"not a valid GraphDef (two nodes are named {node.name!r})")
        names.add(node.name)


def _finish(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """A checked GraphDef in the shape the engine draws (see the module docstring)."""
    return tidy_pytorch_graph(expand_function_library(graph))


def parse_graph(kind: str, data: bytes) -> graph_pb2.GraphDef:
    """Parse the bytes stored for a graph of `kind`; SourceError if they are not one.

    A profile's bytes are a RunMetadata: this gives the graphs it holds, if any (a profile
    written with `tagged_run_metadata` usually holds none; `load_graph` then uses its run's
    graph).
    """
    return _kind(kind).parse(data)


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(KINDS)
        raise NotFound(f"unknown graph kind {kind!r} (known: {known})") from None


# --- merging the function graphs of a trace ------------------------------------------------


def merge_graph_defs(graphs: list[graph_pb2.GraphDef]) -> graph_pb2.GraphDef:
    """Several GraphDefs as one, each under a `graph_<n>` scope, as TensorBoard merges them.

    Like TensorBoard's `graph_util.merge_graph_defs` (one graph comes back as it is; library
    functions become `graph_<n>_<name>`), but control inputs keep their `^` in front of the
    prefix, and every reference to a renamed function follows it, not only PartitionedCall's.
    Graphs of different producer versions are merged too.
    """
    if len(graphs) == 1:
        return graphs[0]
    merged = graph_pb2.GraphDef()
    if graphs and graphs[0].versions.producer:
        merged.versions.CopyFrom(graphs[0].versions)
    for index, graph in enumerate(graphs, start=1):
        prefix = f"graph_{index}"
        renamed = {f.signature.name: f"{prefix}_{f.signature.name}" for f in graph.library.function}
        for node in graph.node:
            new = merged.node.add()
            new.CopyFrom(node)
            new.name = f"{prefix}/{node.name}"
            new.input[:] = [_prefixed_input(prefix, text) for text in node.input]
            _rename_functions(new, renamed)
        for function in graph.library.function:
            new_function = merged.library.function.add()
            new_function.CopyFrom(function)
            new_function.signature.name = renamed[function.signature.name]
            for node in new_function.node_def:
                _rename_functions(node, renamed)
        for gradient in graph.library.gradient:
            new_gradient = merged.library.gradient.add()
            new_gradient.CopyFrom(gradient)
            new_gradient.function_name = renamed.get(gradient.function_name, gradient.function_name)
            new_gradient.gradient_func = renamed.get(gradient.gradient_func, gradient.gradient_func)
    return merged


def _prefixed_input(prefix: str, text: str) -> str:
    if text.startswith("^"):
        return f"^{prefix}/{text[1:]}"
    return f"{prefix}/{text}"


def _rename_functions(node, renamed: Mapping[str, str]) -> None:
    """Point a node's function references (its op, func attrs) at renamed functions."""
    if not renamed:
        return
    if node.op in renamed:
        node.op = renamed[node.op]
    for value in node.attr.values():
        if value.HasField("func") and value.func.name in renamed:
            value.func.name = renamed[value.func.name]
        for func in value.list.func:
            if func.name in renamed:
                func.name = renamed[func.name]


# --- function libraries as scopes ----------------------------------------------------------

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
    for function in functions:
        name = function.signature.name
        if not name or name in bodies:
            continue  # a nameless or repeated function: no call can tell it apart
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
    claimed = [claim(node.name) for node in function.node_def]
    node_names: dict[str, str] = {}
    producers: dict[str, Any] = {}
    for node, name in zip(function.node_def, claimed, strict=True):
        # Two nodes of one name (no valid function has them): inputs mean the first.
        node_names.setdefault(node.name, name)
        producers.setdefault(node.name, node)

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
        for node, name in zip(function.node_def, claimed, strict=True)
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


# --- PyTorch graphs ------------------------------------------------------------------------

_PYTORCH_OP = re.compile(r"^(aten|prim|onnx)::|^IO Node$")


def tidy_pytorch_graph(graph: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """Make a PyTorch graph's scopes follow its module tree; other graphs pass unchanged.

    PyTorch (`SummaryWriter.add_graph`, tensorboardX) names an op after the modules whose
    `forward` ran it (`Net/Block[0]/Linear[fc]/input.3`) but a parameter after the attribute
    path that reaches it (`Net/ModuleList[blocks]/Block[0]/Linear[fc]/weight/weight.15`):
    containers that are never called (ModuleList, ModuleDict) appear only in the second.
    Ops move to the full path their parameters show, so each module is one scope. A
    parameter's input names the module object, which is no node: that input is dropped
    rather than drawn as a missing node. Changed in place and returned.
    """
    if not any(_PYTORCH_OP.match(node.op) for node in graph.node):
        return graph
    names = {node.name for node in graph.node}
    get_attrs = {node.name for node in graph.node if node.op == "prim::GetAttr"}
    for node in graph.node:
        if node.name in get_attrs:
            node.input[:] = [text for text in node.input if _input_node(text) in names]
    renames = _module_paths(graph, get_attrs)
    if not renames:
        return graph
    renamed: dict[str, str] = {}
    for name in names - get_attrs:
        scope, _, leaf = name.rpartition("/")
        new_scope = _longest_prefix(scope, renames)
        if new_scope is not None and new_scope != scope:
            new = f"{new_scope}/{leaf}"
            if new not in names:
                renamed[name] = new
    if len(set(renamed.values())) != len(renamed):
        return graph  # two ops would share a name: keep PyTorch's names
    for node in graph.node:
        node.name = renamed.get(node.name, node.name)
        node.input[:] = [_renamed_input(text, renamed) for text in node.input]
    return graph


def _input_node(text: str) -> str:
    """The node an input names: `^a`, `a:1` and `a` all name `a`."""
    name = text[1:] if text.startswith("^") else text
    base, colon, slot = name.rpartition(":")
    return base if colon and slot.isdigit() else name


def _module_paths(graph: graph_pb2.GraphDef, get_attrs: set[str]) -> dict[str, str]:
    """Op scope -> full module path, learnt from the ops that read each module's parameters."""
    votes: dict[str, Counter[str]] = {}
    for node in graph.node:
        if node.name in get_attrs:
            continue
        used = node.name.rpartition("/")[0].split("/")
        for text in node.input:
            source = text.lstrip("^")
            if source not in get_attrs or source.count("/") < 2:
                continue
            module = source.split("/")[:-2]  # drop `<attribute>/<value>`
            j = 0
            for i, part in enumerate(module):
                if j < len(used) and used[j] == part:
                    key = "/".join(used[: j + 1])
                    votes.setdefault(key, Counter())["/".join(module[: i + 1])] += 1
                    j += 1
    paths = {}
    for key, counter in votes.items():
        ranked = counter.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            paths[key] = ranked[0][0]
    return paths


def _longest_prefix(scope: str, renames: Mapping[str, str]) -> str | None:
    parts = scope.split("/")
    for end in range(len(parts), 0, -1):
        key = "/".join(parts[:end])
        if key in renames:
            return "/".join([renames[key], *parts[end:]])
    return None


def _renamed_input(text: str, renamed: Mapping[str, str]) -> str:
    control = text.startswith("^")
    name = text[1:] if control else text
    slot = ""
    if name not in renamed:
        base, colon, number = name.rpartition(":")
        if colon and number.isdigit() and base in renamed:
            name, slot = base, f":{number}"
    if name not in renamed:
        return text
    return ("^" if control else "") + renamed[name] + slot


# --- profiles ------------------------------------------------------------------------------

_STREAM = re.compile(r"^(.*)/stream:(\d+|all)$")


def parse_stats(data: bytes) -> dict[str, NodeStats]:
    """Per-node compute time and memory from a serialized RunMetadata's step stats.

    As TensorBoard's graph tab counts them: compute time is the sum over a node's records
    of `all_end_rel` time, memory the sum of the positive `total_bytes` it allocated. GPU
    traces list a kernel once per stream and again under `stream:all`; only `stream:all`
    is counted then.
    """
    return _stats_of(_decode_run_metadata(data))


def _stats_of(run_metadata) -> dict[str, NodeStats]:
    devices = [dev.device for dev in run_metadata.step_stats.dev_stats]
    summed = {m.group(1) for d in devices if (m := _STREAM.match(d)) and m.group(2) == "all"}
    stats: dict[str, NodeStats] = {}
    for dev in run_metadata.step_stats.dev_stats:
        stream = _STREAM.match(dev.device)
        if stream and stream.group(2) != "all" and stream.group(1) in summed:
            continue
        for node in dev.node_stats:
            # GPU records name a node `name:kernel`; node names hold no colon.
            name = node.node_name.partition(":")[0]
            if not name:
                continue
            micros = node.all_end_rel_nanos / 1000 if node.all_end_rel_nanos else 0.0
            micros = micros or float(max(node.all_end_rel_micros, 0))
            memory = sum(m.total_bytes for m in node.memory if m.total_bytes > 0)
            entry = stats.setdefault(name, {"compute_us": 0.0, "memory_bytes": 0})
            entry["compute_us"] += micros
            entry["memory_bytes"] += memory
    return stats


def _match_stats(stats: dict[str, NodeStats], graph: graph_pb2.GraphDef) -> dict[str, NodeStats]:
    """Stats keyed by the graph's node names; a merged trace prefixes them with `graph_<n>/`."""
    names = {node.name for node in graph.node}
    by_suffix: dict[str, list[str]] = {}
    for name in names:
        head, slash, rest = name.partition("/")
        if slash and head.startswith("graph_") and head[6:].isdigit():
            by_suffix.setdefault(rest, []).append(name)
    matched: dict[str, NodeStats] = {}
    for name, entry in stats.items():
        if name in names:
            matched[name] = entry
        elif len(by_suffix.get(name, ())) == 1:
            matched[by_suffix[name][0]] = entry
    return matched


# --- reading through a data provider -------------------------------------------------------


def list_graphs(
    provider: Any, ctx: Any, experiment_id: str, *, op_counts: bool = True
) -> list[GraphInfo]:
    """Every graph the provider holds, sorted by run, kind (graphs, then profiles) and tag.

    Counting ops reads and parses every graph; pass `op_counts=False` to skip that
    (then every `op_count` is None).
    """
    found: list[GraphInfo] = []
    for kind in _KINDS.values():
        seen: set[tuple[str, str]] = set()
        for plugin_name in kind.plugin_names:
            mapping = provider.list_blob_sequences(
                ctx, experiment_id=experiment_id, plugin_name=plugin_name
            )
            for run, tags in mapping.items():
                for tag, series in tags.items():
                    if (run, tag) in seen or not kind.has_tag(plugin_name, tag, series):
                        continue
                    seen.add((run, tag))
                    ref = GraphRef(run, kind.name, tag)
                    count = _op_count(provider, ctx, experiment_id, ref) if op_counts else None
                    found.append(GraphInfo(run, kind.name, tag, count))
    # Within a run, graphs come before the profiles drawn on them (the order of _KINDS).
    order = {name: index for index, name in enumerate(_KINDS)}
    return sorted(found, key=lambda info: (info.run, order[info.kind], info.tag))


def _op_count(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> int | None:
    try:
        return len(load_graph(provider, ctx, experiment_id, ref).graph_def.node)
    except (SourceError, NotFound):
        return None


@dataclass(frozen=True)
class Blob:
    """Where the latest graph at a GraphRef is stored; a new key means a new graph."""

    blob_key: str
    step: int
    wall_time: float
    plugin_name: str = ""


def latest_blob(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> Blob:
    """The blob holding the latest graph at `ref`, found without reading it; NotFound if none.

    For a profile, the blob of its RunMetadata.
    """
    return _stored_blobs(provider, ctx, experiment_id, ref, downsample=1)[-1]


#: At most this many graphs of one tag are looked at by step; TensorBoard's data providers keep
#: 10 by default (`--samples_per_plugin=graphs=N` keeps more).
MAX_STEPS = 1000


def graph_blobs(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> list[Blob]:
    """Every graph the provider keeps at `ref`, oldest first: a graph written again during
    training (at another step) is one more; NotFound if none."""
    return _stored_blobs(provider, ctx, experiment_id, ref, downsample=MAX_STEPS)


def blob_at_step(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, step: int) -> Blob:
    """The blob of the graph at `ref` written at `step` (the last one, if two share it)."""
    blobs = graph_blobs(provider, ctx, experiment_id, ref)
    at_step = [b for b in blobs if b.step == step]
    if not at_step:
        steps = ", ".join(str(b.step) for b in blobs)
        raise NotFound(
            f"no {ref.kind} at step {step} in run {ref.run!r} with tag {ref.tag!r} "
            f"(steps with one: {steps})"
        )
    return at_step[-1]


def _stored_blobs(
    provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, downsample: int
) -> list[Blob]:
    from tensorboard.data.provider import RunTagFilter

    kind = _kind(ref.kind)
    only = RunTagFilter(runs=[ref.run], tags=[ref.tag])
    for plugin_name in kind.plugin_names:
        if not kind.has_tag(plugin_name, ref.tag, None):
            continue
        listed = provider.list_blob_sequences(
            ctx, experiment_id=experiment_id, plugin_name=plugin_name, run_tag_filter=only
        )
        series = listed.get(ref.run, {}).get(ref.tag)
        if series is None or not kind.has_tag(plugin_name, ref.tag, series):
            continue  # not here, or in a form TensorBoard would not read either
        sequences = provider.read_blob_sequences(
            ctx,
            experiment_id=experiment_id,
            plugin_name=plugin_name,
            downsample=downsample,
            run_tag_filter=only,
        )
        data = sequences.get(ref.run, {}).get(ref.tag, ())
        blobs = [
            Blob(datum.values[0].blob_key, datum.step, datum.wall_time, plugin_name)
            for datum in data
            if datum.values
        ]
        if blobs and data[-1].values:
            return blobs
    raise NotFound(f"no {ref.kind} in run {ref.run!r} with tag {ref.tag!r}")


def read_graph(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> tuple[str, bytes]:
    """The blob key and serialized bytes of the latest graph at `ref`; NotFound if none."""
    blob = latest_blob(provider, ctx, experiment_id, ref)
    return blob.blob_key, _read_blob(provider, ctx, blob, ref)


def _read_blob(provider: Any, ctx: Any, blob: Blob, ref: GraphRef) -> bytes:
    from tensorboard import errors as tb_errors

    try:
        return provider.read_blob(ctx, blob_key=blob.blob_key)
    except tb_errors.NotFoundError:
        raise NotFound(f"the {ref.kind} of run {ref.run!r} is gone (tag {ref.tag!r})") from None


def load_graph(
    provider: Any, ctx: Any, experiment_id: str, ref: GraphRef, blob: Blob | None = None
) -> Graph:
    """The graph at `ref` ready to draw, with its stats when it is a profile.

    `blob` is where `latest_blob` found it (looked up when not given). A profile shows
    the graph it ran: for PyTorch's and TF1's `tagged_run_metadata`, the run graph of
    the same run (the graphs the RunMetadata holds if the run has none); for a
    `trace_export` RunMetadata, its function graphs (the run graph if it holds none).
    """
    if blob is None:
        blob = latest_blob(provider, ctx, experiment_id, ref)
    data = _read_blob(provider, ctx, blob, ref)
    if ref.kind == RUN_GRAPH:
        return _read_run_graph(data)
    if ref.kind != PROFILE:
        return Graph(parse_graph(ref.kind, data))
    run_metadata = _decode_run_metadata(data)
    inside = _graphs_in(run_metadata)
    graph = None
    if blob.plugin_name == TAGGED_RUN_METADATA_PLUGIN or not inside:
        graph = _run_graph(provider, ctx, experiment_id, ref.run)
    if graph is None:
        if not inside:
            raise SourceError(
                f"profile {ref.tag!r} of run {ref.run!r} holds no graph, and its run has no "
                "run graph to show its stats on"
            )
        graph = _merge_checked(inside)
    return Graph(graph, _match_stats(_stats_of(run_metadata), graph))


def _run_graph(provider: Any, ctx: Any, experiment_id: str, run: str):
    ref = GraphRef(run, RUN_GRAPH, RUN_GRAPH_TAG)
    try:
        blob = latest_blob(provider, ctx, experiment_id, ref)
    except NotFound:
        return None
    return parse_graph(RUN_GRAPH, _read_blob(provider, ctx, blob, ref))


# --- files ---------------------------------------------------------------------------------

SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
_TEXT_SUFFIXES = (".pbtxt", ".txt", ".pbtext")


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except OSError as e:
        raise SourceError(f"cannot read {path}: {e.strerror or e}") from None


def load_graph_file(path: str | os.PathLike[str]) -> graph_pb2.GraphDef:
    """Read a GraphDef from a binary `.pb` or a text `.pbtxt` file (any other name: try both).

    A `.meta` file (a MetaGraphDef, as `tf.compat.v1.train.Saver` writes) gives its graph.
    """
    return _load_graph_file(path).graph_def


def _load_graph_file(path: str | os.PathLike[str]) -> Graph:
    """`load_graph_file`'s graph; a plain binary one also read for drawing (as a run graph)."""
    path = os.fspath(path)
    data = _read_file(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".meta":
        try:
            return Graph(_parse_meta_graph(data))
        except SourceError as e:
            raise SourceError(f"{path}: {e}") from None
    if suffix in _TEXT_SUFFIXES:
        return Graph(_finish(_parse_text(path, data)))
    try:
        return _read_run_graph(data)
    except SourceError as binary_error:
        if suffix == ".pb":
            raise SourceError(f"{path}: {binary_error}") from None
        try:
            return Graph(_finish(_parse_text(path, data)))
        except SourceError:
            raise SourceError(f"{path}: {binary_error}") from None


def _parse_text(path: str, data: bytes, proto: Any = None) -> Any:
    graph = graph_pb2.GraphDef() if proto is None else proto
    what = "GraphDef" if proto is None else type(proto).__name__
    try:
        text_format.Parse(data.decode("utf-8"), graph)
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not a valid text {what} ({e})") from None
    if proto is None:
        try:
            _check_graph(graph)
        except SourceError as e:
            raise SourceError(f"{path}: {e}") from None
    return graph


def _saved_model_class() -> Any:
    """TensorFlow's SavedModel message, built on TensorBoard's MetaGraphDef (no TensorFlow)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from tensorboard.compat.proto import meta_graph_pb2

    pool = descriptor_pool.Default()
    full_name = "tb_scopegraph.SavedModel"
    try:
        descriptor = pool.FindMessageTypeByName(full_name)
    except KeyError:
        proto = descriptor_pb2.FileDescriptorProto(
            name="tb_scopegraph/saved_model.proto",
            package="tb_scopegraph",
            syntax="proto3",
            dependency=[meta_graph_pb2.DESCRIPTOR.name],
        )
        saved_model = proto.message_type.add(name="SavedModel")
        field = descriptor_pb2.FieldDescriptorProto
        saved_model.field.add(
            name="saved_model_schema_version",
            number=1,
            type=field.TYPE_INT64,
            label=field.LABEL_OPTIONAL,
        )
        saved_model.field.add(
            name="meta_graphs",
            number=2,
            type=field.TYPE_MESSAGE,
            label=field.LABEL_REPEATED,
            type_name=".tensorboard.MetaGraphDef",
        )
        pool.Add(proto)
        descriptor = pool.FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


def load_saved_model(path: str | os.PathLike[str]) -> list[tuple[str, graph_pb2.GraphDef]]:
    """The meta graphs of a SavedModel (its folder, or its `saved_model.pb`/`.pbtxt`).

    Each comes as (tags, GraphDef): tags joined with commas (`serve`), or `#<n>` for a meta
    graph without tags. A TF2 SavedModel's graph is mostly calls into its function library,
    which `expand_function_library` turns into scopes.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        files = [os.path.join(path, name) for name in SAVED_MODEL_FILES]
        found = [f for f in files if os.path.isfile(f)]
        if not found:
            raise SourceError(f"no saved_model.pb in {path}")
        path = found[0]
    data = _read_file(path)
    saved_model = _saved_model_class()()
    if path.endswith(".pbtxt"):
        _parse_text(path, data, saved_model)
    else:
        try:
            saved_model.ParseFromString(data)
        except message.DecodeError as e:
            raise SourceError(f"{path}: not a valid SavedModel ({e})") from None
    if len(unknown_fields.UnknownFieldSet(saved_model)) or not saved_model.meta_graphs:
        raise SourceError(f"{path}: not a valid SavedModel (no meta graph)")
    found_graphs: list[tuple[str, graph_pb2.GraphDef]] = []
    for index, meta_graph in enumerate(saved_model.meta_graphs):
        tags = ",".join(meta_graph.meta_info_def.tags) or f"#{index}"
        if tags in (t for t, _ in found_graphs):
            tags = f"{tags}#{index}"
        try:
            _check_graph(meta_graph.graph_def)
        except SourceError as e:
            raise SourceError(f"{path}: meta graph {tags}: {e}") from None
        found_graphs.append((tags, _finish(meta_graph.graph_def)))
    return found_graphs


def is_saved_model(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a SavedModel folder or its `saved_model.pb`/`.pbtxt` file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return any(os.path.isfile(os.path.join(path, name)) for name in SAVED_MODEL_FILES)
    return os.path.basename(path) in SAVED_MODEL_FILES


# --- local logdirs -------------------------------------------------------------------------


def local_provider(logdir: str | os.PathLike[str]) -> tuple[Any, Any, str]:
    """A data provider over a local logdir, read with `event_files`: `(provider, ctx, eid)`.

    Runs are the folders holding event files, at any depth, named by their path relative
    to `logdir` ("." for the logdir itself). An event file's path stands for its folder.
    The provider's `warnings` list the damaged records it skipped. TensorFlow is not needed.
    """
    logdir = os.path.expanduser(os.fspath(logdir))
    if not os.path.exists(logdir):
        raise SourceError(f"no such file or directory: {logdir}")
    if os.path.isfile(logdir):
        if not event_files.is_event_file(os.path.basename(logdir)):
            raise SourceError(f"not a logdir or an event file: {logdir}")
        logdir = os.path.dirname(logdir) or "."
    provider = event_files.EventFileProvider(logdir)
    if not provider.runs:
        raise SourceError(f"no event files under {logdir}")
    from tensorboard.context import RequestContext

    return provider, RequestContext(), ""


def graph_from_object(obj: Any) -> graph_pb2.GraphDef:
    """A GraphDef from a GraphDef of any protobuf runtime or an object with `as_graph_def()`.

    Accepts TensorFlow's own GraphDef class (or a tf.Graph) without importing TensorFlow,
    by round-tripping through the wire format. Library functions become scopes; a GraphDef
    passed in is not changed.
    """
    if isinstance(obj, graph_pb2.GraphDef):
        _check_graph(obj)
        if not obj.library.function and not any(_PYTORCH_OP.match(n.op) for n in obj.node):
            return obj
        copy = graph_pb2.GraphDef()
        copy.CopyFrom(obj)
        return _finish(copy)
    if hasattr(obj, "as_graph_def"):
        obj = obj.as_graph_def()
    serialize = getattr(obj, "SerializeToString", None)
    if serialize is None or type(obj).__name__ != "GraphDef":
        raise SourceError(f"not a graph: {type(obj).__name__}")
    return _parse_graph_def(serialize())


class LocalGraphs:
    """The graphs at a local path: a logdir, an event file (its folder), a SavedModel, a file.

    The front door of the CLI and the notebook: one place that turns a user's path and
    optional run, kind and tag into exactly one graph, or into an error that says why.
    `warnings` lists damaged records skipped while reading event files.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.warnings: list[str] = []
        self._files: dict[GraphInfo, Graph] | None = None
        self._provider: tuple[Any, Any, str] | None = None
        if is_saved_model(self.path):
            name = os.path.basename(os.path.normpath(self.path))
            if not os.path.isdir(self.path):
                name = os.path.basename(os.path.dirname(os.path.abspath(self.path)))
            self._files = {
                GraphInfo(name, SAVED_MODEL, tags, len(graph.node)): Graph(graph)
                for tags, graph in load_saved_model(self.path)
            }
        elif os.path.isfile(self.path) and not event_files.is_event_file(
            os.path.basename(self.path)
        ):
            graph = _load_graph_file(self.path)
            info = GraphInfo(os.path.basename(self.path), FILE_GRAPH, "", len(graph.graph_def.node))
            self._files = {info: graph}
        else:
            self._provider = local_provider(self.path)
            self.warnings = self._provider[0].warnings

    def list(self, op_counts: bool = True) -> list[GraphInfo]:
        """Every graph at the path; a graph file holds one, named after the file."""
        if self._files is not None:
            return list(self._files)
        assert self._provider is not None
        return list_graphs(*self._provider, op_counts=op_counts)

    def select(
        self, run: str | None = None, kind: str | None = None, tag: str | None = None
    ) -> GraphInfo:
        """The one graph matching the given run, kind and tag (None matches any).

        Without a kind, a profile gives way to the graph it annotates: a PyTorch run holds
        a run graph and an (empty) profile, and `--run` alone picks the run graph.
        """
        graphs = self.list(op_counts=False)
        if not graphs:
            raise SourceError(f"no graphs in {self.path}")
        if self._files is not None and graphs[0].kind == FILE_GRAPH:
            if run is not None or kind is not None or tag is not None:
                raise SourceError(f"{self.path} holds one graph: --run, --kind, --tag do not apply")
            return graphs[0]
        matches = graphs
        for field, wanted in (("run", run), ("kind", kind), ("tag", tag)):
            if wanted is None:
                continue
            narrowed = [g for g in matches if getattr(g, field) == wanted]
            if not narrowed:
                known = sorted({getattr(g, field) for g in matches})
                raise NotFound(
                    f"no {field} {wanted!r} in {self.path} ({field}s with graphs: "
                    f"{', '.join(map(repr, known))})"
                )
            matches = narrowed
        if len(matches) > 1 and kind is None:
            graphs_only = [g for g in matches if g.kind != PROFILE]
            if len(graphs_only) == 1:
                return graphs_only[0]
        if len(matches) > 1:
            full = len({g.kind for g in matches}) > 1 or len({g.run for g in matches}) < len(
                matches
            )
            choices = ", ".join(_describe(g, full) for g in matches)
            raise SourceError(f"{len(matches)} graphs in {self.path}; pick one: {choices}")
        return matches[0]

    def load_graph(self, ref: GraphRef | GraphInfo, step: int | None = None) -> Graph:
        """The graph at `ref` ready to draw, with its stats when it is a profile; with `step`,
        the one written at that step instead of the latest."""
        ref = ref.ref if isinstance(ref, GraphInfo) else ref
        if self._files is not None:
            if step is not None:
                raise SourceError(f"{self.path} holds no graphs by step")
            for info, graph in self._files.items():
                if info.ref == ref:
                    return graph
            raise NotFound(f"no {ref.kind} {ref.tag!r} in {self.path}")
        assert self._provider is not None
        try:
            blob = None if step is None else blob_at_step(*self._provider, ref, step)
            return load_graph(*self._provider, ref, blob)
        except SourceError as e:
            raise SourceError(f"run {ref.run!r}: {e}") from None

    def load(self, ref: GraphRef | GraphInfo, step: int | None = None) -> graph_pb2.GraphDef:
        """The GraphDef of a graph this path holds (the latest, or the one at `step`)."""
        return self.load_graph(ref, step).graph_def

    def steps(self, ref: GraphRef | GraphInfo) -> list[int]:
        """The steps at which the graph at `ref` was written, oldest first."""
        ref = ref.ref if isinstance(ref, GraphInfo) else ref
        if self._files is not None:
            return []
        assert self._provider is not None
        return [b.step for b in graph_blobs(*self._provider, ref)]


def _describe(graph: GraphInfo, full: bool) -> str:
    """The options that pick `graph`; the run alone when that is enough."""
    if not full:
        return f"--run {shlex.quote(graph.run)}"
    return f"--run {shlex.quote(graph.run)} --kind {graph.kind} --tag {shlex.quote(graph.tag)}"
