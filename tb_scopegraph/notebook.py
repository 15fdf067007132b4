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
from tb_scopegraph.errors import NotFound, ScopeGraphError, SourceError
from tb_scopegraph.model.hierarchy import Hierarchy, View
from tb_scopegraph.reading.graph import GraphInfo
from tb_scopegraph.reading.local import picking
from tb_scopegraph.service.output import draw, format_of, write_atomically
from tb_scopegraph.service.query import ViewQuery
from tb_scopegraph.service.views import scope_key

DEFAULT_TIMEOUT = 30.0
#: Other graphs named under a drawing, at most.
_OTHERS_NAMED = 12
_PROLOGUE = re.compile(rb"^.*?(?=<svg[\s>])", re.DOTALL)


@dataclass(frozen=True)
class GraphView:
    """One view of one graph: which scopes are open, drawn on demand (and drawn once)."""

    hierarchy: Hierarchy = field(repr=False)
    view: View
    title: str = ""
    timeout: float = DEFAULT_TIMEOUT
    colour: str = ""  # "", "op", "device", "compute", "memory" (a profile's figures), "structure"
    #: The other graphs where this one was found, each as the arguments that show it
    #: (``run='b'``), named under the drawing.
    others: tuple[str, ...] = ()

    @cached_property
    def dot(self) -> str:
        """The view as Graphviz DOT text."""
        return to_dot(self.hierarchy, self.view, self.title, colour=self.colour)

    @cached_property
    def svg(self) -> str:
        """The view as inline SVG: Graphviz's drawing without its XML prologue and DOCTYPE."""
        drawing = draw(self.dot, "svg", timeout=self.timeout)
        return _PROLOGUE.sub(b"", drawing, count=1).decode("utf-8")

    def png(self) -> bytes:
        """The view as a PNG image."""
        return draw(self.dot, "png", timeout=self.timeout)

    def _repr_html_(self) -> str | None:
        """Jupyter's hook when other graphs were found beside this one: the drawing, then a
        line naming them; None otherwise (Jupyter then shows `_repr_svg_`)."""
        if not self.others:
            return None
        calls = "".join(
            f"<li><code>show(path, {html.escape(arguments)})</code></li>"
            for arguments in self.others[:_OTHERS_NAMED]
        )
        more = len(self.others) - _OTHERS_NAMED
        if more > 0:
            calls += f"<li>and {more} more (<code>.others</code>)</li>"
        return (
            f"{self._repr_svg_()}<div style='font:12px sans-serif'>"
            f"<p>{len(self.others)} more graphs here; show one with:</p>"
            f"<ul style='margin:0'>{calls}</ul></div>"
        )

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
        opened = (*self.view.open, *scopes)
        return self._with(_view(self._query(open=opened, typed=True), self.hierarchy))

    def close(self, *scopes: str) -> GraphView:
        """This view with `scopes` closed (what is inside them closes with them)."""
        keys = {scope_key(scope) for scope in scopes}
        unknown = [k for k in keys if self.hierarchy.graph.group_id(k) is None]
        if unknown:
            raise NotFound(f"no scope {sorted(unknown)[0]!r} in this graph{_SCOPES_HINT}")
        kept = tuple(sorted(self.view.open - keys))
        return self._with(_view(self._query(open=kept), self.hierarchy))

    def depth(self, depth: int | None, all_scopes: bool = False) -> GraphView:
        """The view with the model's scopes down to `depth` open, as the tab's depth opens
        them: gradients, optimizer, loss, metrics and summaries stay closed unless nothing else
        is there, and a variable's scope stays one box (0: all closed). With `all_scopes`,
        every scope down to `depth` (None: every scope)."""
        query = self._query(depth=_depth(depth))
        if all_scopes:
            query = query.every_scope(self.hierarchy)
        return self._with(_view(query, self.hierarchy))

    def colour_by(self, scheme: str) -> GraphView:
        """The same view with boxes filled by "op" type, "device", "compute" time or
        "memory" (the last two from a profile), or plain ("")."""
        return GraphView(
            self.hierarchy,
            self.view,
            self.title,
            self.timeout,
            _scheme(scheme, self.hierarchy),
            self.others,
        )

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the view as SVG, PNG or DOT (format from the suffix unless given)."""
        fmt = format or format_of(path)
        if fmt == "svg":
            data = self.svg.encode("utf-8")
        elif fmt == "png":
            data = self.png()
        elif fmt == "dot":
            data = self.dot.encode("utf-8")
        else:
            raise ValueError(f"cannot tell the format of {os.fspath(path)!r}; pass format=")
        write_atomically(path, data)

    def _query(self, **view: Any) -> ViewQuery:
        """Another view of this graph, its series rolled as this one's are."""
        return ViewQuery(**view, roll=self.view.roll, unroll=tuple(sorted(self.view.unrolled)))

    def _with(self, view: View) -> GraphView:
        return GraphView(self.hierarchy, view, self.title, self.timeout, self.colour, self.others)

    def __repr__(self) -> str:
        opened = ", ".join(sorted(self.view.open)) or "nothing"
        title = f"{self.title!r}, " if self.title else ""
        others = f", {len(self.others)} other graphs beside it" if self.others else ""
        return (
            f"<GraphView {title}{self.hierarchy.op_count} ops, {self.view.boxes} boxes, "
            f"open: {opened}{others}>"
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
    roll: bool = True,
    unroll: str | Iterable[str] = (),
    all_scopes: bool = False,
) -> GraphView:
    """A drawable view of `x`, shown inline when it is the last value of a notebook cell.

    `x` is a tf.Graph (or anything with `as_graph_def()`, or a ConcreteFunction's `.graph`),
    a GraphDef, a Hierarchy, or a path: a logdir or event file, a SavedModel, or a
    `.pb`/`.pbtxt`/`.meta` file. Where a path holds several graphs, `run`, `kind` and `tag`
    pick one; without them (or when several match) the first is shown, as the tab does, and
    the others are named under it (`others`). Without
    `open` and `depth` the view is a small default one; `depth` opens the model's scopes, as
    the tab's depth does (`GraphView.depth`), and with `all_scopes` every scope down to it
    (without `depth`, every scope). `colour` fills boxes by "op" type,
    "device", or, for a profile (`kind="profile"`), "compute" time or "memory". A series of
    identical blocks is drawn rolled, as one block marked with its count, unless `roll` is
    False (every series) or `unroll` names it (`"layer_[0-11]"`); views made from this one
    keep that.
    """
    scopes = (open,) if isinstance(open, str) else None if open is None else tuple(open)
    unrolled = (unroll,) if isinstance(unroll, str) else tuple(dict.fromkeys(unroll))
    query = ViewQuery(
        run, kind, tag, scopes, _depth(depth), colour, roll=roll, unroll=unrolled, typed=True
    )
    _scheme(colour)
    hierarchy, title, others = _hierarchy(x, query)
    view = _view(query.every_scope(hierarchy) if all_scopes else query, hierarchy)
    return GraphView(hierarchy, view, title, timeout, _scheme(colour, hierarchy), others)


#: What a NotFound for a scope adds in a notebook, where the command line names its
#: `scopes` command.
_SCOPES_HINT = " (a view's .scopes lists them)"


def _view(query: ViewQuery, hierarchy: Hierarchy) -> View:
    """`query`'s view of `hierarchy`; an unknown scope's error says where to find the names."""
    try:
        return query.view_of(hierarchy)
    except NotFound as e:
        raise NotFound(f"{e}{_SCOPES_HINT}") from None


def _depth(depth: Any) -> int | None:
    """`depth` as given, refused in Python's words unless a whole number (or None)."""
    if depth is None or (isinstance(depth, int) and not isinstance(depth, bool)):
        return depth
    raise TypeError(f"depth must be a whole number or None, not {depth!r}")


def _hierarchy(x: Any, query: ViewQuery) -> tuple[Hierarchy, str, tuple[str, ...]]:
    from tb_scopegraph.service import local

    if isinstance(x, Hierarchy):
        return x, "", ()
    if isinstance(x, str | os.PathLike):
        graphs = local.open_path(x)
        try:
            info, others = local.pick(graphs, **query.graph)
        except SourceError as e:  # said for the command line: say it for Python
            raise type(e)(str(e).replace("--run, --kind, --tag", "run=, kind=, tag=")) from None
        graph = local.load_info(graphs, info)
        listed = graphs.list(op_counts=False)
        return graph.hierarchy, graph.title, tuple(_arguments(g, listed) for g in others)
    hierarchy = local.hierarchy_of_object(x)
    if hierarchy is None:
        raise TypeError(
            f"show() takes a tf.Graph, a GraphDef, a Hierarchy or a path, not {type(x).__name__}"
        )
    return hierarchy, "", ()


def _arguments(graph: GraphInfo, listed: list[GraphInfo]) -> str:
    """The fewest arguments of `show` that pick `graph` of those `listed` (`picking`: its run
    alone when that picks it, a profile giving way to the graph it annotates, else its run
    and kind, else its run, kind and tag), as Python writes them."""
    picked = picking(graph, listed, first=True)
    return ", ".join(f"{field}={value!r}" for field, value in picked.items())


def _scheme(colour: str, hierarchy: Hierarchy | None = None) -> str:
    """`colour`, checked: one of `colour.SCHEMES`, and a profile's figures only for a graph
    that has them (else the drawing would come out plain, saying nothing of why)."""
    from tb_scopegraph.drawing.colour import SCHEMES

    if colour not in SCHEMES:
        raise ValueError(f"colour must be one of {', '.join(map(repr, SCHEMES))}, not {colour!r}")
    if colour in _PROFILED and hierarchy is not None and not hierarchy.has_profile:
        raise ValueError(
            f"colour={colour!r} needs figures from a profile, and this graph has none (a "
            "profiled run holds its profile as a graph of kind='profile')"
        )
    return colour


_PROFILED = ("compute", "memory")


def _message_svg(text: str) -> str:
    """A one-line SVG saying `text`, shown in place of a drawing that could not be made."""
    width = 7 * len(text) + 20
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="30">'
        f'<text x="10" y="20" font-family="sans-serif" font-size="12" fill="#b00020">'
        f"{html.escape(text)}</text></svg>"
    )
