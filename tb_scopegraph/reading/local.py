"""Graphs at a path or URL for the command line and the notebook: a logdir, event file, model file.

A model file is opened by the first format in `formats.FILE_FORMATS` that matches its path;
anything else is a logdir (or an event file standing for its folder), read through
`local_provider`, a data provider over event files (`event_files`), so the same code in
`data_provider` lists and reads graphs here and in TensorBoard. A URL (`s3://`, `gs://`, any
fsspec URL) is read through `storage`.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from typing import Any

from tensorboard.compat.proto import graph_pb2

from tb_scopegraph.errors import NotFound, SourceError
from tb_scopegraph.reading import event_files, storage
from tb_scopegraph.reading.data_provider import blob_at_step, graph_blobs, list_graphs, load_graph
from tb_scopegraph.reading.formats import FILE_FORMATS
from tb_scopegraph.reading.graph import Graph, GraphInfo, GraphRef
from tb_scopegraph.reading.graph_file import FILE_GRAPH
from tb_scopegraph.reading.run_metadata import PROFILE


def local_provider(logdir: str | os.PathLike[str]) -> tuple[Any, Any, str]:
    """A data provider over a logdir (path or URL), read by `event_files`: `(provider, ctx, eid)`.

    Runs are the folders holding event files, at any depth, named by their path relative
    to `logdir` ("." for the logdir itself). An event file's path stands for its folder.
    The provider's `warnings` list the damaged records it skipped. TensorFlow is not needed.
    """
    logdir = os.fspath(logdir)
    if not storage.is_url(logdir):
        logdir = os.path.expanduser(logdir)
    storage.forget_listings(logdir)
    if not storage.exists(logdir):
        raise SourceError(f"no such file or directory: {logdir}")
    if storage.isfile(logdir):
        if not event_files.is_event_file(storage.basename(logdir)):
            raise SourceError(f"not a logdir or an event file: {logdir}")
        logdir = storage.dirname(logdir)
    provider = event_files.EventFileProvider(logdir)
    if not provider.runs:
        raise SourceError(f"no event files under {logdir}")
    from tensorboard.context import RequestContext

    return provider, RequestContext(), ""


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
        for fmt in FILE_FORMATS:
            if fmt.match(self.path):
                self._files = fmt.open(self.path)
                break
        else:
            self._provider = local_provider(self.path)
            self.warnings = self._provider[0].warnings

    def list(self, op_counts: bool = True) -> list[GraphInfo]:
        """Every graph at the path; a graph file holds one, named after the file."""
        if self._files is not None:
            return list(self._files)
        assert self._provider is not None
        return list_graphs(*self._provider, op_counts=op_counts)

    def matching(
        self, run: str | None = None, kind: str | None = None, tag: str | None = None
    ) -> list[GraphInfo]:
        """The graphs matching the given run, kind and tag (None matches any), in listing
        order; none matching raises, naming what there is. Without a kind, a profile gives
        way to the graph it annotates: a PyTorch run holds a run graph and an (empty)
        profile, and its run alone names the run graph."""
        graphs = self.list(op_counts=False)
        if not graphs:
            raise SourceError(f"no graphs in {self.path}")
        if self._files is not None and graphs[0].kind == FILE_GRAPH:
            if run is not None or kind is not None or tag is not None:
                raise SourceError(f"{self.path} holds one graph: --run, --kind, --tag do not apply")
            return graphs[:1]
        return _matching(graphs, self.path, run, kind, tag)

    def select(
        self,
        run: str | None = None,
        kind: str | None = None,
        tag: str | None = None,
        say: Callable[[Mapping[str, str]], str] | None = None,
    ) -> GraphInfo:
        """The one graph `matching` the given run, kind and tag; more than one raises,
        naming them one a line, each by the fewest of its run, kind and tag that pick it
        (`picking`), as ``say`` writes them (by default, the command line's options)."""
        matches = self.matching(run, kind, tag)
        if len(matches) > 1:
            say = say or options
            listed = self.list(op_counts=False)
            choices = "".join(f"\n  {say(picking(g, listed))}" for g in matches)
            raise SourceError(f"{len(matches)} graphs in {self.path}; pick one:{choices}")
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


def _matching(
    graphs: list[GraphInfo],
    path: str,
    run: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
) -> list[GraphInfo]:
    """`LocalGraphs.matching` over the graphs listed at ``path``."""
    matches = graphs
    for field, wanted in (("run", run), ("kind", kind), ("tag", tag)):
        if wanted is None:
            continue
        narrowed = [g for g in matches if getattr(g, field) == wanted]
        if not narrowed:
            known = sorted({getattr(g, field) for g in matches})
            raise NotFound(
                f"no {field} {wanted!r} in {path} ({field}s with graphs: "
                f"{', '.join(map(repr, known))})"
            )
        matches = narrowed
    if kind is None:
        matches = [g for g in matches if g.kind != PROFILE] or matches
    return matches


def picking(graph: GraphInfo, listed: list[GraphInfo], first: bool = False) -> dict[str, str]:
    """The fewest of `graph`'s run, kind and tag that pick it of the graphs ``listed`` (a
    path's, in listing order): its run alone where that is enough, then with its kind, then
    with its tag too. Picked means matched alone, or with ``first`` (the notebook, which
    shows the first graph matching, as the tab does) matched first. A list of choices
    naming ``--kind run_graph --tag __run_graph__`` on every line could not be read for
    what tells its lines apart.

    >>> a, p = GraphInfo("a", "run_graph", "t", None), GraphInfo("a", "profile", "s", None)
    >>> b, b2 = GraphInfo("b", "op_graph", "f", None), GraphInfo("b", "op_graph", "g", None)
    >>> [picking(g, [a, p, b, b2]) for g in (a, p, b, b2)]  # doctest: +NORMALIZE_WHITESPACE
    [{'run': 'a'}, {'run': 'a', 'kind': 'profile'}, {'run': 'b', 'kind': 'op_graph', 'tag': 'f'},
     {'run': 'b', 'kind': 'op_graph', 'tag': 'g'}]
    >>> picking(b, [a, p, b, b2], first=True)
    {'run': 'b'}
    """
    for fields in (("run",), ("run", "kind"), ("run", "kind", "tag")):
        asked = {field: getattr(graph, field) for field in fields}
        found = _matching(listed, "", **asked)
        if (found[:1] if first else found) == [graph]:
            return asked
    return asked


def options(picked: Mapping[str, str], suffix: str = "") -> str:
    """The command line's options for a graph's run, kind and tag (`picking`); ``suffix``
    names a side of a comparison (``-b``: ``--run-b``).

    >>> options({"run": "keras/fit train", "kind": "profile"}, "-b")
    "--run-b 'keras/fit train' --kind-b profile"
    """
    return " ".join(f"--{field}{suffix} {shlex.quote(value)}" for field, value in picked.items())
