"""What a front door asks for: one view of one graph, as one frozen, hashable value.

A `ViewQuery` names the graph (run, kind, tag: any of them None to take the one that matches),
the view (the groups open and a depth; neither: the default view), how it is drawn (colouring,
which series of identical blocks are rolled) and the area it is shown in. Each front door
builds it once, from what it was given (the plugin from a request's query string in
`plugin.query`, the command line from its arguments, the notebook from `show`'s keywords), and
hands it on whole: the service resolves it to a graph, a view and a drawing, and keeps views by
it (`view_key`) within a graph.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tb_scopegraph.service.views import DEFAULT_AREA, Area, asked_view

if TYPE_CHECKING:
    from tb_scopegraph.model.hierarchy import Hierarchy, View


@dataclass(frozen=True)
class ViewQuery:
    """One view of one graph, as asked for (see the module's docstring)."""

    run: str | None = None
    kind: str | None = None
    tag: str | None = None
    #: The groups to open, in the order asked (an error names the first unknown one); None:
    #: none named, which with no `depth` either is the graph's default view.
    open: tuple[str, ...] | None = None
    #: Open every group this deep too (0: none).
    depth: int | None = None
    #: Fill boxes by "op", "device", "compute", "memory" or "structure"; "": plain.
    colour: str = ""
    #: The area (CSS px) the drawing is shown in: it chooses the default view and the
    #: drawing's direction.
    shown_in: Area = DEFAULT_AREA
    #: False: every series of identical blocks drawn as a series, none rolled.
    roll: bool = True
    #: Series drawn as series all the same (by key).
    unroll: tuple[str, ...] = ()
    #: Names as a person types them (`layer1/`; opening a scope opens those around it), not
    #: as the tab sends them (`views.asked_view`).
    typed: bool = False

    @property
    def graph(self) -> dict[str, str | None]:
        """The run, kind and tag, as keywords."""
        return {"run": self.run, "kind": self.kind, "tag": self.tag}

    def of_graph(self, run: str | None, kind: str | None, tag: str | None) -> ViewQuery:
        """The same view of another graph."""
        return dataclasses.replace(self, run=run, kind=kind, tag=tag)

    def view_key(self) -> ViewQuery:
        """What chooses the view within one graph: this query without the graph's names
        (resolved by then) and the colouring (which changes no group open)."""
        return dataclasses.replace(self, run=None, kind=None, tag=None, colour="")

    def every_scope(self, hierarchy: Hierarchy) -> ViewQuery:
        """This query opening every scope of `hierarchy` down to its depth (every scope, with
        no depth) beside those it names: a depth alone opens the model's scopes first (the
        command line's ``--all-scopes``, the notebook's ``all_scopes=True``)."""
        scopes = hierarchy.graph.groups.to_level(self.depth)
        return dataclasses.replace(self, open=(*(self.open or ()), *scopes), depth=None)

    def view_of(self, hierarchy: Hierarchy) -> View:
        """The view of `hierarchy` this query asks for (`views.asked_view`)."""
        return asked_view(
            hierarchy,
            self.open,
            self.depth,
            typed=self.typed,
            shown_in=self.shown_in,
            roll=self.roll,
            unroll=self.unroll,
        )
