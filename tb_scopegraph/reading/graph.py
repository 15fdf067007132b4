"""What reading a graph gives: which graph (GraphRef), what a listing says of it, the graph to draw.

Every format adapter (`formats` lists them) and both ways of reading (`provider`, `local`)
speak in these types; the front doors receive them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.model import _nodescan
from tb_scopegraph.reading.repair import GraphWarning


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

    A plain stored GraphDef read by the C reader (`scanned`) is not parsed by protobuf at all
    (`parsed` None, `data` its bytes): parsing a million-op GraphDef takes 1 GB beside its 215
    MB of bytes and as long as building its tree. `graph_def` parses it when asked, each time
    (a diff, a listing's op count where the C reader is not built).
    """

    parsed: graph_pb2.GraphDef | None
    stats: dict[str, NodeStats] | None = None
    # A plain GraphDef (a stored run graph, a binary graph file) is also read for drawing at
    # once (by the C reader): a Hierarchy built from this skips reading the bytes again.
    scanned: _nodescan.Graph | None = None
    # What reading skipped or repaired to give this graph (`repair`), one per kind.
    warnings: tuple[GraphWarning, ...] = ()
    #: The serialized GraphDef, when `parsed` is None.
    data: bytes | None = field(default=None, repr=False)

    @property
    def graph_def(self) -> graph_pb2.GraphDef:
        """The GraphDef (parsed from `data` on each call when it was read by the C reader)."""
        if self.parsed is not None:
            return self.parsed
        return graph_pb2.GraphDef.FromString(self.data)

    @property
    def op_count(self) -> int:
        """How many nodes the graph has (without parsing it when the C reader read it)."""
        if self.scanned is not None:
            return len(self.scanned.names)
        return len(self.graph_def.node)

    @property
    def drawable(self) -> graph_pb2.GraphDef | _nodescan.Graph:
        """What a Hierarchy is built from: the graph as read for drawing, if it was."""
        return self.scanned if self.scanned is not None else self.graph_def
