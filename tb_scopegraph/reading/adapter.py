"""The two interfaces a format adapter fills in: a kind of graph stored in a logdir, a model file.

Each format has its own module (`run_graph`, `run_metadata`, `keras_model`, `meta_graph`,
`graph_file`, `saved_model`) exposing one of these objects, and `formats` lists them in one
table; `provider` and `local` read through the table and know no format. A new format (ONNX,
torch.export, TFLite, HLO) is one more module and one more row there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.reading import repair
from tb_scopegraph.reading.graph import Graph, GraphInfo, GraphRef

KNOWN_VERSION = b"1"
"""The plugin content TensorBoard's graph plugin understands."""

RunGraph = Callable[[], graph_pb2.GraphDef | None]
"""Gives the run graph of the run a stored graph belongs to (None if it has none)."""


def known_version(plugin: str, tag: str, series: Any) -> bool:
    """Skip data written in a version TensorBoard itself would not read (as its plugin does)."""
    return series is None or series.plugin_content == KNOWN_VERSION


@dataclass(frozen=True)
class Format:
    """How one kind of graph is stored in a logdir, and how its stored bytes become a graph.

    `has_tag(plugin, tag, series)` says whether a tag under one of `plugin_names` holds this
    kind (`series` is the BlobSequenceTimeSeries listed for it, or None before listing).
    `parse(data)` gives the GraphDef, or raises SourceError. `load(data, ref, plugin,
    run_graph)`, when given, gives the graph ready to draw instead of `Graph(parse(data))`:
    for a kind drawn on its run's graph (a profile), or read for drawing at once (a run graph).
    """

    kind: str
    plugin_names: tuple[str, ...]
    has_tag: Callable[[str, str, Any], bool]
    parse: Callable[[bytes], graph_pb2.GraphDef]
    load: Callable[[bytes, GraphRef, str, RunGraph], Graph] | None = None
    local_only: bool = False  # stored only by `event_files`, never by TensorBoard

    def graph(self, data: bytes, ref: GraphRef, plugin_name: str, run_graph: RunGraph) -> Graph:
        """The bytes stored at `ref` (under `plugin_name`) as a graph ready to draw, with what
        was skipped or repaired to read it (the run graph's too, for a profile) as warnings."""
        with repair.collecting() as found:
            if self.load is None:
                graph = Graph(self.parse(data))
            else:
                graph = self.load(data, ref, plugin_name, run_graph)
        return with_warnings(graph, found)


@dataclass(frozen=True)
class FileFormat:
    """A kind of model file: `match(path)` says whether a path is one, `open(path)` reads it.

    `open` gives every graph the file holds, each with the GraphInfo that lists it.
    """

    kind: str
    match: Callable[[str], bool]
    open: Callable[[str], dict[GraphInfo, Graph]]


def with_warnings(graph: Graph, found: repair.Found) -> Graph:
    """`graph` with what a `repair.collecting()` block around its reading was told."""
    warnings = found.warnings()
    return dataclasses.replace(graph, warnings=graph.warnings + warnings) if warnings else graph
