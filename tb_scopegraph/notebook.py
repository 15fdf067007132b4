"""Show a graph inline in Jupyter: `tb_scopegraph.show(graph)` draws one view as SVG.

The drawing is self-contained SVG made on this machine by Graphviz: nothing is fetched, no
script runs. Views are values: `open`, `close` and `depth` return a new view of the same graph.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.drawing.render import render
from tb_scopegraph.errors import ScopeGraphError
from tb_scopegraph.model.hierarchy import Hierarchy, View

DEFAULT_TIMEOUT = 30.0
_PROLOGUE = re.compile(rb"^.*?(?=<svg[\s>])", re.DOTALL)
_SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


@dataclass(frozen=True)
class GraphView:
    """One view of one graph: which scopes are open, drawn on demand (and drawn once)."""

    hierarchy: Hierarchy = field(repr=False)
    view: View
    title: str = ""
    timeout: float = DEFAULT_TIMEOUT
    colour: str = ""  # "", "op", "device", "compute", "memory" (a profile's figures), "structure"

    @cached_property
    def dot(self) -> str:
        """The view as Graphviz DOT text."""
        return to_dot(self.hierarchy, self.view, self.title, colour=self.colour)

    @cached_property
    def svg(self) -> str:
        """The view as inline SVG: Graphviz's drawing without its XML prologue and DOCTYPE."""
        drawing = render(self.dot, "svg", timeout=self.timeout)
        return _PROLOGUE.sub(b"", drawing, count=1).decode("utf-8")

    def png(self) -> bytes:
        """The view as a PNG image."""
        return render(self.dot, "png", timeout=self.timeout)

    def _repr_svg_(self) -> str:
        """Jupyter's hook: the drawing, or a one-line note saying why there is none."""
        try:
            return self.svg
        except ScopeGraphError as e:
            return _message_svg(f"tb-scopegraph: {e}")

    @property
    def scopes(self) -> list[str]:
        """Every group key of the graph (what `open` takes), outermost first."""
        keys: list[str] = []
        stack = list(reversed(self.hierarchy.tree()["children"]))
        while stack:
            group = stack.pop()
            keys.append(group["name"])
            stack.extend(reversed(group["children"]))
        return keys

    def open(self, *scopes: str) -> GraphView:
        """This view with `scopes` opened too (with their enclosing scopes)."""
        wanted = set(self.view.open)
        for scope in scopes:
            key = _key(scope)
            wanted.add(key)
            wanted.update(self.hierarchy.reveal(key))
        return self._with(self.hierarchy.view(open=wanted))

    def close(self, *scopes: str) -> GraphView:
        """This view with `scopes` closed (what is inside them closes with them)."""
        keys = {_key(scope) for scope in scopes}
        return self._with(self.hierarchy.view(open=set(self.view.open) - keys))

    def depth(self, depth: int) -> GraphView:
        """The view with every scope down to `depth` open and none deeper (0: all closed)."""
        return self._with(self.hierarchy.view(depth=depth))

    def colour_by(self, scheme: str) -> GraphView:
        """The same view with boxes filled by "op" type, "device", "compute" time or
        "memory" (the last two from a profile), or plain ("")."""
        return GraphView(self.hierarchy, self.view, self.title, self.timeout, _scheme(scheme))

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the view as SVG, PNG or DOT (format from the suffix unless given)."""
        from tb_scopegraph.cli import write_atomically

        fmt = format or _SUFFIX_FORMATS.get(os.path.splitext(os.fspath(path))[1].lower())
        if fmt == "svg":
            data = self.svg.encode("utf-8")
        elif fmt == "png":
            data = self.png()
        elif fmt == "dot":
            data = self.dot.encode("utf-8")
        else:
            raise ValueError(f"cannot tell the format of {os.fspath(path)!r}; pass format=")
        write_atomically(path, data)

    def _with(self, view: View) -> GraphView:
        return GraphView(self.hierarchy, view, self.title, self.timeout, self.colour)

    def __repr__(self) -> str:
        opened = ", ".join(sorted(self.view.open)) or "nothing"
        title = f"{self.title!r}, " if self.title else ""
        return (
            f"<GraphView {title}{self.hierarchy.op_count} ops, {self.view.boxes} boxes, "
            f"open: {opened}>"
        )


def show(
    x: Any,
    open: Iterable[str] | None = None,
    depth: int | None = None,
    *,
    run: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    colour: str = "",
) -> GraphView:
    """A drawable view of `x`, shown inline when it is the last value of a notebook cell.

    `x` is a tf.Graph (or anything with `as_graph_def()`, or a ConcreteFunction's `.graph`),
    a GraphDef, a Hierarchy, or a path: a logdir or event file (give `run`, `kind`, `tag`
    when it holds several graphs), a SavedModel, or a `.pb`/`.pbtxt`/`.meta` file. Without
    `open` and `depth` the view is a small default one. `colour` fills boxes by "op" type,
    "device", or, for a profile (`kind="profile"`), "compute" time or "memory".
    """
    hierarchy, title = _hierarchy(x, run=run, kind=kind, tag=tag)
    if open is None and depth is None:
        view = hierarchy.default_view()
    else:
        keys = {_key(scope) for scope in ([open] if isinstance(open, str) else open or ())}
        for key in list(keys):
            keys.update(hierarchy.reveal(key))
        view = hierarchy.view(open=keys, depth=depth)
    return GraphView(hierarchy, view, title, timeout, _scheme(colour))


def _hierarchy(x: Any, run: str | None, kind: str | None, tag: str | None) -> tuple[Hierarchy, str]:
    from tb_scopegraph.reading.graph_def import graph_from_object
    from tb_scopegraph.reading.graph_file import FILE_GRAPH
    from tb_scopegraph.reading.local import LocalGraphs
    from tb_scopegraph.reading.meta_graph import META_GRAPH
    from tb_scopegraph.reading.run_graph import RUN_GRAPH

    if isinstance(x, Hierarchy):
        return x, ""
    if isinstance(x, str | os.PathLike):
        from tb_scopegraph.cli import hierarchy_of

        graphs = LocalGraphs(x)
        info = graphs.select(run=run, kind=kind, tag=tag)
        plain = (RUN_GRAPH, FILE_GRAPH, META_GRAPH)
        title = info.run if info.kind in plain else f"{info.run} · {info.tag}"
        return hierarchy_of(graphs.load_graph(info)), title
    graph = getattr(x, "graph", None)
    if not hasattr(x, "as_graph_def") and hasattr(graph, "as_graph_def"):
        x = graph  # a ConcreteFunction
    if hasattr(x, "as_graph_def") or type(x).__name__ == "GraphDef":
        return Hierarchy(graph_from_object(x)), ""
    raise TypeError(
        f"show() takes a tf.Graph, a GraphDef, a Hierarchy or a path, not {type(x).__name__}"
    )


def _scheme(colour: str) -> str:
    from tb_scopegraph.drawing.colour import SCHEMES

    if colour not in SCHEMES:
        raise ValueError(f"colour must be one of {', '.join(map(repr, SCHEMES))}, not {colour!r}")
    return colour


def _key(scope: str) -> str:
    """Scope names as users type them: "layer1/" means the scope "layer1"."""
    return scope.rstrip("/") or scope


def _message_svg(text: str) -> str:
    """A one-line SVG saying `text`, shown in place of a drawing that could not be made."""
    width = 7 * len(text) + 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="30">'
        f'<text x="10" y="20" font-family="sans-serif" font-size="12" fill="#b00020">'
        f"{html.escape(text)}</text></svg>"
    )
