"""The run graph format: a run's whole GraphDef (`FileWriter`, `tf.summary.graph`, PyTorch).

TensorBoard stores it under the `graphs` plugin with the tag `__run_graph__`. A plain one (no
function library, not PyTorch's) is also read for drawing while it is read (`read_run_graph`).
"""

from __future__ import annotations

from tb_scopegraph.model import _nodescan
from tb_scopegraph.reading import event_files
from tb_scopegraph.reading.adapter import Format, RunGraph
from tb_scopegraph.reading.graph import Graph, GraphRef
from tb_scopegraph.reading.graph_def import decode_or_salvage, finish, parse_graph_def
from tb_scopegraph.reading.pytorch import is_pytorch_op
from tb_scopegraph.reading.repair import repair_nodes

RUN_GRAPH = "run_graph"
"""A run's whole GraphDef, as `FileWriter(graph=...)`, `tf.summary.graph` and PyTorch write it."""
RUN_GRAPH_TAG = event_files.RUN_GRAPH_TAG
GRAPHS_PLUGIN = event_files.GRAPHS_PLUGIN
"""The TensorBoard plugin name run graphs are stored under."""


def read_run_graph(data: bytes) -> Graph:
    """A stored GraphDef, checked, repaired, finished and, when it is plain (no function
    library, not PyTorch's, nothing to repair: nothing to finish), also read for drawing in
    the same go.

    Checking every node's name through protobuf's objects costs twice the parse on a
    100k-op graph; the C reader gives the names and op types at once, and refuses (returns
    None for) a graph with two nodes of one name, which the repair then handles.
    """
    graph, salvaged = decode_or_salvage(data)
    if not graph.library.function and not salvaged:
        scanned = _nodescan.scan_fast(data)
        if (
            scanned is not None
            and "" not in scanned.types
            and "" not in scanned.names
            and not any(is_pytorch_op(op) for op in scanned.types)
        ):
            return Graph(graph, scanned=scanned)
    repair_nodes(graph)
    return Graph(finish(graph))


def _load(data: bytes, _ref: GraphRef, _plugin_name: str, _run_graph: RunGraph) -> Graph:
    return read_run_graph(data)


FORMAT = Format(
    kind=RUN_GRAPH,
    plugin_names=(GRAPHS_PLUGIN,),
    has_tag=lambda _plugin, tag, _series: tag == RUN_GRAPH_TAG,
    parse=parse_graph_def,
    load=_load,
)
