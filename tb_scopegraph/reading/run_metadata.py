"""The RunMetadata format: a trace's function graphs (`op_graph`) and a profile's step stats.

`tf.summary.trace_export` writes a RunMetadata under `graph_run_metadata_graph` (graph only)
or `graph_run_metadata` (with the profiler's step stats); PyTorch and TF1 write one as a
`tagged_run_metadata` event, which usually holds stats and no graph. Its function graphs are
merged into one (`merge`); a profile is drawn on the graph it ran: the graphs it holds, or
its run's graph (`load_profile` says which).
"""

from __future__ import annotations

import re
from typing import Any

from google.protobuf import unknown_fields
from tensorboard.compat.proto import graph_pb2
from tensorboard.plugins.graph import metadata as graph_metadata

from tb_scopegraph.errors import SourceError
from tb_scopegraph.reading import event_files
from tb_scopegraph.reading.adapter import Format, RunGraph, known_version
from tb_scopegraph.reading.depth import decode_message
from tb_scopegraph.reading.graph import Graph, GraphRef, NodeStats
from tb_scopegraph.reading.graph_def import finish, repair_graph
from tb_scopegraph.reading.merge import merge_graph_defs

OP_GRAPH = "op_graph"
"""The function graphs of a `tf.summary.trace_export` RunMetadata, merged into one."""
PROFILE = "profile"
"""A RunMetadata's step stats (compute time, memory per node) shown on the graph they ran."""

# Plugin names under which TensorBoard stores RunMetadata.
RUN_METADATA_PLUGIN = graph_metadata.PLUGIN_NAME_RUN_METADATA
RUN_METADATA_GRAPH_PLUGIN = graph_metadata.PLUGIN_NAME_RUN_METADATA_WITH_GRAPH
TAGGED_RUN_METADATA_PLUGIN = event_files.TAGGED_RUN_METADATA_PLUGIN


def _decode_run_metadata(data: bytes):
    from tensorboard.compat.proto import config_pb2

    run_metadata = decode_message(config_pb2.RunMetadata, data, "RunMetadata")
    if len(unknown_fields.UnknownFieldSet(run_metadata)):
        raise SourceError("not a valid RunMetadata (unknown fields: another kind of protobuf?)")
    return run_metadata


def _graphs_in(run_metadata) -> list[graph_pb2.GraphDef]:
    """The graphs a RunMetadata holds: its function graphs, else its partition graphs."""
    graphs = [function.pre_optimization_graph for function in run_metadata.function_graphs]
    return graphs or list(run_metadata.partition_graphs)


#: The scope a trace's eager set-up of variables is merged under (`eager_setup`). Named as
#: an initialiser is, a first view sets it apart (`model.roles`): a trace begun before a
#: Keras model's first call (TensorBoard's own guide traces a training step so) records the
#: creation of each variable as a function graph of its own (390 of them beside the one
#: training step, in an EfficientNetB0's trace), and numbered alike, they were one series
#: of 391 with the model a member among the others.
EAGER_SETUP = "variables_initializer"
#: What a function graph holds beside the op it runs.
_ARGS_AND_RESULTS = frozenset({"_Arg", "_DeviceArg", "_Retval", "_DeviceRetval"})
#: A one-op function graph that makes an eager call's input a tensor (Keras's
#: ``train_on_batch`` converting its data): the call's, not the variables' set-up.
_CONVERTS_INPUT = "_EagerConst"
#: Ops that create or set a variable.
_SETS_VARIABLE = frozenset(
    {"VarHandleOp", "VariableV2", "Variable", "AssignVariableOp", "Assign", "VarIsInitializedOp"}
)


def eager_setup(graphs: list[graph_pb2.GraphDef]) -> list[int]:
    """Of a trace's function graphs, those (their places in ``graphs``) that set up variables
    eagerly: each runs one op (``VarHandleOp``, ``AssignVariableOp`` of an initial value, the
    ``Fill`` or random draw that makes one; not the conversion of an input), beside graphs
    that run more. None when none of the one-op graphs creates or sets a variable (a trace's
    lone eager ``Fill`` stays where TensorBoard shows it), or when every graph is of one op
    (there is nothing else to show).
    """
    single: list[tuple[int, str]] = []
    for index, graph in enumerate(graphs):
        ops = [node.op for node in graph.node if node.op not in _ARGS_AND_RESULTS]
        if len(ops) == 1 and ops[0] != _CONVERTS_INPUT and not graph.library.function:
            single.append((index, ops[0]))
    if len(single) == len(graphs) or not any(op in _SETS_VARIABLE for _, op in single):
        return []
    return [index for index, _ in single]


def _parse_run_metadata(data: bytes) -> graph_pb2.GraphDef:
    graphs = _graphs_in(_decode_run_metadata(data))
    if not graphs:
        raise SourceError("this RunMetadata holds no function graph (only a profile)")
    return _merge_checked(graphs)


def _merge_checked(graphs: list[graph_pb2.GraphDef]) -> graph_pb2.GraphDef:
    for graph in graphs:
        repair_graph(graph)
    outer = dict.fromkeys(eager_setup(graphs), EAGER_SETUP)
    return finish(merge_graph_defs(graphs, outer))


def _profile_tag(plugin: str, tag: str, series: Any) -> bool:
    # `tagged_run_metadata` events carry no version; RunMetadata summaries carry "1".
    return plugin == TAGGED_RUN_METADATA_PLUGIN or known_version(plugin, tag, series)


def _parse_profile(data: bytes) -> graph_pb2.GraphDef:
    graphs = _graphs_in(_decode_run_metadata(data))
    if not graphs:
        raise SourceError("this profile holds no graph; its stats belong on its run's graph")
    return _merge_checked(graphs)


#: A merged trace's prefix of a node's name: its graph's scope (`merge_graph_defs`).
_MERGED_PREFIX = re.compile(rf"^(?:{EAGER_SETUP}/)?graph_\d+/")
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
    """Stats keyed by the graph's node names; a merged trace prefixes them with `graph_<n>/`
    (`<scope>/graph_<n>/` for its eager set-up)."""
    names = {node.name for node in graph.node}
    by_suffix: dict[str, list[str]] = {}
    for name in names:
        prefix = _MERGED_PREFIX.match(name)
        if prefix:
            by_suffix.setdefault(name[prefix.end() :], []).append(name)
    matched: dict[str, NodeStats] = {}
    for name, entry in stats.items():
        if name in names:
            matched[name] = entry
        elif len(by_suffix.get(name, ())) == 1:
            matched[by_suffix[name][0]] = entry
    return matched


def load_profile(data: bytes, ref: GraphRef, plugin_name: str, run_graph: RunGraph) -> Graph:
    """The graph a profile ran, with its stats.

    For PyTorch's and TF1's `tagged_run_metadata`, the run graph of the same run (the graphs
    the RunMetadata holds if the run has none); for a `trace_export` RunMetadata, its
    function graphs (the run graph if it holds none).
    """
    run_metadata = _decode_run_metadata(data)
    inside = _graphs_in(run_metadata)
    graph = None
    if plugin_name == TAGGED_RUN_METADATA_PLUGIN or not inside:
        graph = run_graph()
    if graph is None:
        if not inside:
            raise SourceError(
                f"profile {ref.tag!r} of run {ref.run!r} holds no graph, and its run has no "
                "run graph to show its stats on"
            )
        graph = _merge_checked(inside)
    return Graph(graph, _match_stats(_stats_of(run_metadata), graph))


OP_GRAPH_FORMAT = Format(
    kind=OP_GRAPH,
    # The order TensorBoard's graph plugin reads them in.
    plugin_names=(RUN_METADATA_PLUGIN, RUN_METADATA_GRAPH_PLUGIN),
    has_tag=known_version,
    parse=_parse_run_metadata,
)

PROFILE_FORMAT = Format(
    kind=PROFILE,
    # TensorBoard's order for profiles: PyTorch's and TF1's tagged RunMetadata first.
    plugin_names=(TAGGED_RUN_METADATA_PLUGIN, RUN_METADATA_PLUGIN),
    has_tag=_profile_tag,
    parse=_parse_profile,
    load=load_profile,
)
