"""The run graph format: a run's whole GraphDef (`FileWriter`, `tf.summary.graph`, PyTorch).

TensorBoard stores it under the `graphs` plugin with the tag `__run_graph__`. A plain one (no
function library, not PyTorch's) is also read for drawing while it is read (`read_run_graph`).
"""

from __future__ import annotations

import numpy as np
from google.protobuf import message
from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import SourceError
from tb_scopegraph.model import _nodescan
from tb_scopegraph.reading import event_files
from tb_scopegraph.reading.adapter import Format, RunGraph
from tb_scopegraph.reading.graph import Graph, GraphRef
from tb_scopegraph.reading.graph_def import (
    check_fields,
    decode_or_salvage,
    finish,
    parse_graph_def,
)
from tb_scopegraph.reading.pytorch import is_pytorch_op
from tb_scopegraph.reading.repair import repair_nodes

RUN_GRAPH = "run_graph"
"""A run's whole GraphDef, as `FileWriter(graph=...)`, `tf.summary.graph` and PyTorch write it."""
RUN_GRAPH_TAG = event_files.RUN_GRAPH_TAG
GRAPHS_PLUGIN = event_files.GRAPHS_PLUGIN
"""The TensorBoard plugin name run graphs are stored under."""


def read_run_graph(data: bytes) -> Graph:
    """A stored GraphDef, checked, repaired, finished and, when it is plain (no function
    library, not PyTorch's, nothing to repair: nothing to finish), read for drawing only.

    A plain graph is read once, by the C reader, and not parsed by protobuf: on a million-op
    graph the parse alone took 4.6x the GraphDef's size in memory and as long as building the
    tree. Protobuf still checks what the C reader skips at the top (versions, a library: the
    fields other than the nodes, few bytes), and the C reader refuses (returns None for)
    anything in the nodes' own fields it is not sure of, two nodes of one name among them,
    which the repair then handles. A node's attributes are parsed when it is shown
    (`GraphModel.node_def`).
    """
    scanned = _nodescan.scan_fast(data)
    if (
        scanned is not None
        and "" not in scanned.types
        and not _has_empty_name(scanned.names)
        and not any(is_pytorch_op(op) for op in scanned.types)
    ):
        head = _head(scanned.head)
        if head is not None and not head.library.function:
            return Graph(None, scanned=scanned, data=data)
    graph, _ = decode_or_salvage(data)
    repair_nodes(graph)
    return Graph(finish(graph))


def _has_empty_name(names: _nodescan.Names) -> bool:
    """Whether a node is called ``""`` (an empty label in the root scope)."""
    if "" not in names.labels:
        return False
    empty = list(names.labels).index("")
    label = np.frombuffer(names.label, dtype=np.int32)
    return bool(((label == empty) & (np.frombuffer(names.path, dtype=np.int32) == 0)).any())


def _head(records: bytes) -> graph_pb2.GraphDef | None:
    """The GraphDef of the fields but the nodes, checked; None if protobuf refuses them (the
    whole bytes then go the slow way, which says why)."""
    try:
        head = graph_pb2.GraphDef.FromString(records)
        check_fields(head)
    except (message.DecodeError, SourceError, RecursionError):
        return None
    return head


def _load(data: bytes, _ref: GraphRef, _plugin_name: str, _run_graph: RunGraph) -> Graph:
    return read_run_graph(data)


FORMAT = Format(
    kind=RUN_GRAPH,
    plugin_names=(GRAPHS_PLUGIN,),
    has_tag=lambda _plugin, tag, _series: tag == RUN_GRAPH_TAG,
    parse=parse_graph_def,
    load=_load,
)
