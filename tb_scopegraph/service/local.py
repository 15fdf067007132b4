"""Local graphs for the command line and the notebook: a path or an object, parsed and named.

`LocalGraphs` (reading/) turns a path and an optional run, kind and tag into exactly one graph,
or into an error that says why; this module makes that graph a `Hierarchy` and gives it its
title by the service's one rule (`views.title`). A graph held in memory (a tf.Graph, a
GraphDef) has no title.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.reading.graph import Graph, GraphInfo
from tb_scopegraph.reading.local import LocalGraphs
from tb_scopegraph.service.views import title


@dataclass(frozen=True)
class LocalGraph:
    """One graph read from a local path: its scope tree, where it was found, and its title."""

    hierarchy: Hierarchy
    info: GraphInfo
    title: str


def hierarchy_of(graph: Graph) -> Hierarchy:
    """The scope tree of a loaded graph, with its profile's per-node stats when it is one,
    and what was skipped or repaired reading it (`warnings`)."""
    from tb_scopegraph.reading.repair import warnings_of

    hierarchy = Hierarchy(graph.drawable, stats=graph.stats)
    hierarchy.warnings = warnings_of(graph.warnings, hierarchy.graph)
    return hierarchy


def hierarchy_of_object(x: Any) -> Hierarchy | None:
    """The scope tree of a graph held in memory: a tf.Graph (or anything with
    `as_graph_def()`), a ConcreteFunction (its `.graph`) or a GraphDef; None for anything
    else."""
    graph = getattr(x, "graph", None)
    if not hasattr(x, "as_graph_def") and hasattr(graph, "as_graph_def"):
        x = graph  # a ConcreteFunction
    if not hasattr(x, "as_graph_def") and type(x).__name__ != "GraphDef":
        return None
    from tb_scopegraph.reading.graph_def import graph_from_object

    return Hierarchy(graph_from_object(x))


def open_path(path: str | os.PathLike[str]) -> LocalGraphs:
    """The graphs at `path` (a logdir, an event file, a SavedModel, a graph file); its
    `warnings` list the damaged records skipped in event files."""
    return LocalGraphs(path)


def load(
    graphs: LocalGraphs,
    run: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
) -> LocalGraph:
    """The one graph at `graphs` that `run`, `kind` and `tag` pick (None matches any)."""
    return load_info(graphs, graphs.select(run=run, kind=kind, tag=tag))


def load_info(graphs: LocalGraphs, info: GraphInfo) -> LocalGraph:
    """The graph `info` (one of `graphs.list()`), read and named."""
    hierarchy = hierarchy_of(graphs.load_graph(info))
    return LocalGraph(hierarchy, info, title(info.run, info.kind, info.tag, path=graphs.path))


def pick(
    graphs: LocalGraphs,
    run: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
) -> tuple[GraphInfo, list[GraphInfo]]:
    """The graph at `graphs` a notebook shows for `run`, `kind` and `tag` (None matches any),
    and the other graphs there: as the tab does, the first listed of those that match (a
    profile only when asked for by kind), where the command line asks which one."""
    first = graphs.matching(run=run, kind=kind, tag=tag)[0]
    listed = graphs.list(op_counts=False)
    return first, [g for g in listed if g != first]
