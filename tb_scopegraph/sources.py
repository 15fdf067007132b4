"""Find graphs in a logdir or a file and turn each into a GraphDef.

Logdirs are read through a TensorBoard data provider, the plugin's own one or, for the CLI
and notebook, `local_provider`, which is TensorBoard's event multiplexer over a folder.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import message, text_format, unknown_fields
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import NotFound, SourceError

RUN_GRAPH = "run_graph"
"""A run's whole GraphDef, as `FileWriter(graph=...)` or `tf.summary.graph` writes it."""
OP_GRAPH = "op_graph"
"""The function graphs of a `tf.summary.trace_export` RunMetadata, merged into one."""
CONCEPTUAL = "conceptual"
"""A Keras model's layers, from the JSON config Keras' TensorBoard callback writes."""
RUN_GRAPH_TAG = "__run_graph__"

# Plugin names under which TensorBoard stores graphs (tensorboard/plugins/graph/metadata.py).
GRAPHS_PLUGIN = "graphs"
RUN_METADATA_PLUGIN = "graph_run_metadata"
RUN_METADATA_GRAPH_PLUGIN = "graph_run_metadata_graph"
KERAS_MODEL_PLUGIN = "graph_keras_model"
_KNOWN_VERSION = b"1"  # the plugin content TensorBoard's graph plugin understands


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
        """The reference that `read_graph` takes."""
        return GraphRef(self.run, self.kind, self.tag)


@dataclass(frozen=True)
class _Kind:
    """How one kind of graph is stored: the plugins holding it, its tags, how to parse it."""

    name: str
    plugin_names: tuple[str, ...]
    has_tag: Callable[[str, Any], bool]  # (tag, BlobSequenceTimeSeries) -> is this kind
    parse: Callable[[bytes], graph_pb2.GraphDef]


def _parse_graph_def(data: bytes) -> graph_pb2.GraphDef:
    try:
        graph = graph_pb2.GraphDef.FromString(data)
    except message.DecodeError as e:
        raise SourceError(f"not a valid GraphDef ({e})") from None
    _check_graph(graph)
    return graph


def _parse_run_metadata(data: bytes) -> graph_pb2.GraphDef:
    from tensorboard.compat.proto import config_pb2
    from tensorboard.plugins.graph import graph_util

    try:
        run_metadata = config_pb2.RunMetadata.FromString(data)
    except message.DecodeError as e:
        raise SourceError(f"not a valid RunMetadata ({e})") from None
    if len(unknown_fields.UnknownFieldSet(run_metadata)):
        raise SourceError("not a valid RunMetadata (unknown fields: another kind of protobuf?)")
    graphs = [function.pre_optimization_graph for function in run_metadata.function_graphs]
    if not graphs:
        raise SourceError("this RunMetadata holds no function graph (only a profile)")
    try:
        graph = graph_util.merge_graph_defs(graphs)
    except ValueError as e:
        raise SourceError(f"cannot merge the function graphs of this RunMetadata ({e})") from None
    _check_graph(graph)
    return graph


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


def _known_version(_tag: str, series: Any) -> bool:
    """Skip data written in a version TensorBoard itself would not read (as its plugin does)."""
    return series is None or series.plugin_content == _KNOWN_VERSION


_KINDS: dict[str, _Kind] = {
    kind.name: kind
    for kind in (
        _Kind(
            name=RUN_GRAPH,
            plugin_names=(GRAPHS_PLUGIN,),
            has_tag=lambda tag, _series: tag == RUN_GRAPH_TAG,
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
    )
}

KINDS: tuple[str, ...] = tuple(_KINDS)
"""The kinds of graph this module can find and parse."""

KIND_PLUGINS: Mapping[str, tuple[str, ...]] = types.MappingProxyType(
    {k.name: k.plugin_names for k in _KINDS.values()}
)
"""Each kind's TensorBoard plugin names (where its data is stored), in the order read."""

PLUGIN_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(p for k in _KINDS.values() for p in k.plugin_names)
)
"""Every plugin name a graph this module reads can be stored under."""


def _check_graph(graph: graph_pb2.GraphDef) -> None:
    """Refuse bytes that parsed but are not a GraphDef (protobuf accepts a lot)."""
    if len(unknown_fields.UnknownFieldSet(graph)):
        raise SourceError("not a valid GraphDef (unknown fields: another kind of protobuf?)")
    names: set[str] = set()
    for index, node in enumerate(graph.node):
        if not node.name or not node.op:
            raise SourceError(f"not a valid GraphDef (node #{index} has no name or no op)")
        if node.name in names:
            raise SourceError(f"not a valid GraphDef (two nodes are named {node.name!r})")
        names.add(node.name)


def parse_graph(kind: str, data: bytes) -> graph_pb2.GraphDef:
    """Parse the bytes stored for a graph of `kind`; SourceError if they are not one."""
    return _kind(kind).parse(data)


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(KINDS)
        raise NotFound(f"unknown graph kind {kind!r} (known: {known})") from None


def list_graphs(
    provider: Any, ctx: Any, experiment_id: str, *, op_counts: bool = True
) -> list[GraphInfo]:
    """Every graph the provider holds, sorted by run, kind and tag.

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
                    if (run, tag) in seen or not kind.has_tag(tag, series):
                        continue
                    seen.add((run, tag))
                    ref = GraphRef(run, kind.name, tag)
                    count = _op_count(provider, ctx, experiment_id, ref) if op_counts else None
                    found.append(GraphInfo(run, kind.name, tag, count))
    return sorted(found, key=lambda info: (info.run, info.kind, info.tag))


def _op_count(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> int | None:
    try:
        _, data = read_graph(provider, ctx, experiment_id, ref)
        return len(parse_graph(ref.kind, data).node)
    except (SourceError, NotFound):
        return None


@dataclass(frozen=True)
class Blob:
    """Where the latest graph at a GraphRef is stored; a new key means a new graph."""

    blob_key: str
    step: int
    wall_time: float


def latest_blob(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> Blob:
    """The blob holding the latest graph at `ref`, found without reading it; NotFound if none."""
    from tensorboard.data.provider import RunTagFilter

    kind = _kind(ref.kind)
    if not kind.has_tag(ref.tag, None):
        raise NotFound(f"no {ref.kind} with tag {ref.tag!r}")
    only = RunTagFilter(runs=[ref.run], tags=[ref.tag])
    for plugin_name in kind.plugin_names:
        listed = provider.list_blob_sequences(
            ctx, experiment_id=experiment_id, plugin_name=plugin_name, run_tag_filter=only
        )
        series = listed.get(ref.run, {}).get(ref.tag)
        if series is None or not kind.has_tag(ref.tag, series):
            continue  # not here, or in a form TensorBoard would not read either
        sequences = provider.read_blob_sequences(
            ctx,
            experiment_id=experiment_id,
            plugin_name=plugin_name,
            downsample=1,
            run_tag_filter=only,
        )
        data = sequences.get(ref.run, {}).get(ref.tag, ())
        if data and data[-1].values:
            latest = data[-1]
            return Blob(latest.values[0].blob_key, latest.step, latest.wall_time)
    raise NotFound(f"no {ref.kind} in run {ref.run!r} with tag {ref.tag!r}")


def read_graph(provider: Any, ctx: Any, experiment_id: str, ref: GraphRef) -> tuple[str, bytes]:
    """The blob key and serialized bytes of the latest graph at `ref`; NotFound if none."""
    from tensorboard import errors as tb_errors

    blob = latest_blob(provider, ctx, experiment_id, ref)
    try:
        return blob.blob_key, provider.read_blob(ctx, blob_key=blob.blob_key)
    except tb_errors.NotFoundError:
        raise NotFound(f"the {ref.kind} of run {ref.run!r} is gone (tag {ref.tag!r})") from None


def load_graph_file(path: str | os.PathLike[str]) -> graph_pb2.GraphDef:
    """Read a GraphDef from a binary `.pb` or a text `.pbtxt` file (any other name: try both)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except OSError as e:
        raise SourceError(f"cannot read {path}: {e.strerror or e}") from None
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".pbtxt", ".txt", ".pbtext"):
        return _parse_text(path, data)
    try:
        return _parse_graph_def(data)
    except SourceError as binary_error:
        if suffix == ".pb":
            raise SourceError(f"{path}: {binary_error}") from None
        try:
            return _parse_text(path, data)
        except SourceError:
            raise SourceError(f"{path}: {binary_error}") from None


def _parse_text(path: str, data: bytes) -> graph_pb2.GraphDef:
    graph = graph_pb2.GraphDef()
    try:
        text_format.Parse(data.decode("utf-8"), graph)
    except (text_format.ParseError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: not a valid text GraphDef ({e})") from None
    try:
        _check_graph(graph)
    except SourceError as e:
        raise SourceError(f"{path}: {e}") from None
    return graph


def local_provider(logdir: str | os.PathLike[str]) -> tuple[Any, Any, str]:
    """TensorBoard's own data provider over a local logdir: `(provider, ctx, experiment_id)`.

    Runs are the folders holding event files, at any depth, named by their path relative
    to `logdir` ("." for the logdir itself). An event file's path stands for its folder.
    """
    logdir = os.path.expanduser(os.fspath(logdir))
    if not os.path.exists(logdir):
        raise SourceError(f"no such file or directory: {logdir}")
    if os.path.isfile(logdir):
        if "tfevents" not in os.path.basename(logdir):
            raise SourceError(f"not a logdir or an event file: {logdir}")
        logdir = os.path.dirname(logdir) or "."
    _prefer_tensorboard_stub()
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.backend.event_processing.data_ingester import (
        DEFAULT_SIZE_GUIDANCE,
        DEFAULT_TENSOR_SIZE_GUIDANCE,
    )
    from tensorboard.context import RequestContext

    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance=DEFAULT_SIZE_GUIDANCE,
        tensor_size_guidance=DEFAULT_TENSOR_SIZE_GUIDANCE,
    )
    multiplexer.AddRunsFromDirectory(logdir)
    if not multiplexer.Runs():
        raise SourceError(f"no event files under {logdir}")
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    return provider, RequestContext(), ""


def _prefer_tensorboard_stub() -> None:
    """Make TensorBoard read event files with its stub rather than by importing TensorFlow.

    Importing TensorFlow takes seconds and prints to stderr; TensorBoard's stub reads
    local files (checksums included) without it. TensorFlow is still used when the
    process has already imported it.
    """
    if "tensorflow" in sys.modules:
        return
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))


def graph_from_object(obj: Any) -> graph_pb2.GraphDef:
    """A GraphDef from a GraphDef of any protobuf runtime or an object with `as_graph_def()`.

    Accepts TensorFlow's own GraphDef class (or a tf.Graph) without importing TensorFlow,
    by round-tripping through the wire format.
    """
    if isinstance(obj, graph_pb2.GraphDef):
        return obj
    if hasattr(obj, "as_graph_def"):
        obj = obj.as_graph_def()
    serialize = getattr(obj, "SerializeToString", None)
    if serialize is None or type(obj).__name__ != "GraphDef":
        raise SourceError(f"not a graph: {type(obj).__name__}")
    return _parse_graph_def(serialize())


FILE_GRAPH = "file"
"""The kind of the one graph of a `.pb`/`.pbtxt` file opened with `LocalGraphs`."""


class LocalGraphs:
    """The graphs at a local path: a logdir, an event file (its folder), or a graph file.

    The front door of the CLI and the notebook: one place that turns a user's path and
    optional run, kind and tag into exactly one GraphDef, or into an error that says why.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._file: graph_pb2.GraphDef | None = None
        self._provider: tuple[Any, Any, str] | None = None
        if os.path.isfile(self.path) and "tfevents" not in os.path.basename(self.path):
            self._file = load_graph_file(self.path)
        else:
            self._provider = local_provider(self.path)

    def list(self, op_counts: bool = True) -> list[GraphInfo]:
        """Every graph at the path; a graph file holds one, named after the file."""
        if self._file is not None:
            name = os.path.basename(self.path)
            return [GraphInfo(name, FILE_GRAPH, "", len(self._file.node))]
        assert self._provider is not None
        return list_graphs(*self._provider, op_counts=op_counts)

    def select(
        self, run: str | None = None, kind: str | None = None, tag: str | None = None
    ) -> GraphInfo:
        """The one graph matching the given run, kind and tag (None matches any)."""
        graphs = self.list(op_counts=False)
        if not graphs:
            raise SourceError(f"no graphs in {self.path}")
        if self._file is not None:
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
        if len(matches) > 1:
            full = len({g.kind for g in matches}) > 1 or len({g.run for g in matches}) < len(
                matches
            )
            choices = ", ".join(_describe(g, full) for g in matches)
            raise SourceError(f"{len(matches)} graphs in {self.path}; pick one: {choices}")
        return matches[0]

    def load(self, ref: GraphRef | GraphInfo) -> graph_pb2.GraphDef:
        """The GraphDef of a graph this path holds."""
        if self._file is not None:
            return self._file
        assert self._provider is not None
        ref = ref.ref if isinstance(ref, GraphInfo) else ref
        _, data = read_graph(*self._provider, ref)
        try:
            return parse_graph(ref.kind, data)
        except SourceError as e:
            raise SourceError(f"run {ref.run!r}: {e}") from None


def _describe(graph: GraphInfo, full: bool) -> str:
    """The options that pick `graph`; the run alone when that is enough."""
    if not full:
        return f"--run {shlex.quote(graph.run)}"
    return f"--run {shlex.quote(graph.run)} --kind {graph.kind} --tag {shlex.quote(graph.tag)}"
