"""One graph ready to be viewed: its model, its views and layouts, and questions about it.

A `Hierarchy` is built once per GraphDef (or once per read of one, `_nodescan.Graph`): it
builds the graph's `GraphModel` (`tb_scopegraph.model.tree`) and answers, through the modules
that do each job, which groups a view opens (`views`), what a view shows (`layout`) and what
is known of an op or group (`details`). Ops sit in *groups*: name scopes (split on ``/``),
*series* of five or more numbered siblings (``layer_0`` … ``layer_47``), and *chunks* that
split a group with too many direct children.

The names callers use from here (kinds, bounds, `View`, `Box` …) are those modules' own,
named again here so that one import serves a front door.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterable, Mapping

from tensorboard.compat.proto import node_def_pb2

from tb_scopegraph.errors import NotFound
from tb_scopegraph.model import details as _details
from tb_scopegraph.model import layout as _layout
from tb_scopegraph.model import rolls, tree, views
from tb_scopegraph.model._nodescan import parse_input
from tb_scopegraph.model.attrs import dtype_of, format_attr, format_shape, shape_of
from tb_scopegraph.model.details import Details, Matcher
from tb_scopegraph.model.graph import (
    CHUNK,
    MISSING,
    OP,
    ROOT,
    SCOPE,
    SERIES,
    GraphModel,
    Group,
)
from tb_scopegraph.model.layout import Box, Cluster, Edge, Layout, Tensor
from tb_scopegraph.model.roles import Roles
from tb_scopegraph.model.tree import MAX_CHILDREN, SERIES_MIN
from tb_scopegraph.model.views import (
    DEFAULT_BOXES,
    DEFAULT_MIN_OPS,
    MAX_BOXES,
    MAX_NESTING,
    View,
)

__all__ = [
    "CHUNK",
    "DEFAULT_BOXES",
    "DEFAULT_MIN_OPS",
    "MAX_BOXES",
    "MAX_CHILDREN",
    "MAX_NESTING",
    "MISSING",
    "OP",
    "ROOT",
    "SCOPE",
    "SERIES",
    "SERIES_MIN",
    "Box",
    "Cluster",
    "Edge",
    "GraphModel",
    "Group",
    "Hierarchy",
    "Layout",
    "Matcher",
    "Tensor",
    "View",
    "dtype_of",
    "format_attr",
    "format_shape",
    "parse_input",
    "release_memory",
    "return_large_blocks",
    "shape_of",
]


#: NodeDefs' bytes from which a graph's are compressed before its first view (`Hierarchy.
#: _ready_to_draw`): about 150k ops of a transformer; a server compresses (`prepare`) from
#: 50k ops on, a smaller graph's bytes beside a view are no peak.
COMPRESS_BEFORE_DRAWING = 32 << 20


class Hierarchy:
    """The scope tree of one GraphDef, answering what any view of it shows."""

    def __init__(
        self, graph_def, stats: Mapping[str, Mapping[str, float]] | None = None, fast: bool = True
    ) -> None:
        """Build the tree of ``graph_def`` (a GraphDef, its serialized bytes when the caller
        has them: that saves serializing it again, or what `_nodescan` read of them);
        ``stats`` maps node names to a profile's figures (``compute_us``, ``memory_bytes``)
        for node details and colouring. ``fast`` False reads the graph in Python even where
        the C reader is built (for tests)."""
        # Names, types, devices, inputs and scopes are read in one pass over the wire format
        # (in C where it is built): through protobuf's objects every per-node step costs tens
        # of ms on a 100k-op graph. Nodes are kept as bytes (one buffer) and parsed again
        # when asked about: a parsed 100k-op GraphDef holds about 90 MB, its bytes 16 MB.
        #: The graph's ops, edges and groups (read-only).
        self.graph: GraphModel = tree.build(tree.read(graph_def, fast))
        self.op_count = self.graph.op_count
        self._details = Details(self.graph, stats)
        #: What reading skipped or repaired (`reading.repair.GraphWarning`), set by the reader.
        self.warnings: tuple = ()

    def prepare(self) -> None:
        """Ready the graph for a server, off the request path (`GraphModel.prepare`: the name
        index made, the NodeDefs' bytes compressed), then hand what reading and preparing
        freed back to the system (`release_memory`).

        The trim stalls every thread's allocations while it runs, and is still worth it once
        per graph read: in a server that had read and drawn transformer_1m, 200 MB freed by
        Python stayed with the process (its heaps, fragmented by the reading's temporaries)
        until a trim of 36 ms gave them back (598 MB to 396 MB over the process before)."""
        self.graph.prepare()
        release_memory()

    def _ready_to_draw(self) -> None:
        """Compress a big graph's NodeDefs' bytes (`Nodes.compress`) before its first view
        is worked out, or wait while `prepare` does.

        A view of a million ops makes tens of MB of temporaries (arrays over every op and
        edge) and the roles' counts; beside the GraphDef's bytes they made the peak of a
        TensorBoard reading transformer_1m (+482 MB, 2.2x its 215 MB: the first view drawn
        while `prepare` compressed the bytes in its own thread). The first view waits for the
        compression instead (0.7 s of CPU on that graph), which a server does once per graph
        read anyway."""
        nodes = self.graph.nodes
        if nodes.blocks is None and len(nodes.data) >= COMPRESS_BEFORE_DRAWING:
            nodes.compress()

    # -- views ----------------------------------------------------------------------------

    def view(
        self,
        open: Iterable[str] = (),
        depth: int | None = None,
        unroll: Iterable[str] = (),
        roll: bool = True,
    ) -> View:
        """The view with these groups open (and, with ``depth``, every group that deep); the
        series in ``unroll`` (``roll`` False: every series) drawn as series, not rolled."""
        self._ready_to_draw()
        return views.view(self.graph, open, depth, unroll, roll, self.roles)

    def default_view(
        self,
        width: int = views.WINDOW_WIDTH,
        height: int = views.WINDOW_HEIGHT,
        roll: bool = True,
    ) -> View:
        """A small view that shows the model in a drawing area of ``width`` x ``height`` px:
        lone scopes opened, then the forward path while it is small and its drawing, as
        estimated, shows labels of `views.READABLE_PX` or more (see `views`); series of identical
        blocks rolled (unless ``roll`` is False)."""
        # The estimate is the drawing's (box sizes, direction); imported here so that the
        # model's modules do not import the drawing's.
        from tb_scopegraph.drawing.proportions import layout_scale

        def label_px(view: View) -> float:
            return layout_scale(self.layout(view), width, height) * views.LABEL_PT

        self._ready_to_draw()
        return views.default_view(self.graph, width, height, self.roles, label_px, roll)

    @functools.cached_property
    def roles(self) -> Roles:
        """What each group is for: forward path, plumbing or auxiliary (`model.roles`)."""
        return Roles(self.graph)

    def rolled(self, view: View) -> dict[str, str]:
        """The open series ``view`` draws rolled, each with the member it shows (by key)."""
        groups = self.graph.groups
        _, rolled = views.opened(self.graph, view)
        return {groups[s].key: groups[m].key for s, m in rolled.items()}

    def depth(self, view: View) -> int:
        """The depth ``view`` opens scopes to: its deepest open group's scope level (0 when
        nothing is open), as a depth asked for counts it."""
        return views.depth(self.graph, view)

    def nesting(self, view: View) -> int:
        """How many open groups deep ``view`` nests (0 when nothing is open)."""
        return views.nesting(self.graph, view)

    def layout(self, view: View) -> Layout:
        """The clusters, boxes and bundled edges that ``view`` shows."""
        self._ready_to_draw()
        return _layout.layout(self.graph, view, self.roles)

    # -- questions about names ------------------------------------------------------------

    def tree(self) -> dict:
        """The group tree as JSON-ready data (groups only, not ops)."""
        return _details.tree(self.graph)

    def reveal(self, name: str) -> frozenset[str]:
        """The groups to open so that ``name`` (an op or a group) is a visible box."""
        return frozenset(self.ancestors(name))

    def ancestors(self, name: str, kind: str | None = None) -> list[str]:
        """The keys of the groups that hold ``name``, outermost first; ``kind="group"`` takes
        ``name`` as a group's key when an op has the same name."""
        return _details.ancestors(self.graph, name, kind)

    def search(
        self, query: str, regex: bool = False, limit: int = 50, match: Matcher | None = None
    ) -> list[dict]:
        """Ops and scopes whose full name holds ``query`` (or matches it as a regex); see
        `tb_scopegraph.model.details.search`."""
        return _details.search(self.graph, query, regex, limit, match)

    def node_def(self, name: str) -> node_def_pb2.NodeDef:
        """The NodeDef of op ``name``; NotFound for anything else (a group, a missing input)."""
        op = self.graph.op_id(name)
        if op is None or self.graph.is_missing(op):
            raise NotFound(f"no op {name!r} in this graph")
        return self.graph.node_def(op)

    def details(self, name: str, kind: str | None = None) -> dict:
        """What is known of one op or group: for a group, op counts and parameters, and for
        a series of identical blocks (or one of its blocks) what rolling it draws
        (``rolled``, see `rolls.card`)."""
        found = self._details.details(name, kind)
        if found["kind"] not in (OP, MISSING):
            rolled = rolls.card(self.graph, self.graph.group_id(name))
            if rolled is not None:
                found["rolled"] = rolled
        return found

    def measure(self, box: Box, scheme: str) -> str | float | None:
        """What colouring by ``scheme`` (op, device, compute, memory) sees of one box."""
        return self._details.measure(box, scheme)

    def op_type(self, name: str) -> str | None:
        """The op type of the op called ``name``; None when no op has that name."""
        op = self.graph.op_id(name)
        return None if op is None or self.graph.is_missing(op) else self.graph.op_types[op]

    def op_inputs(self, name: str) -> list[str]:
        """The names of the ops that feed ``name``'s data inputs, in input order."""
        op = self.graph.op_id(name)
        if op is None or self.graph.is_missing(op):
            return []
        found = []
        for text in self.graph.node_def(op).input:
            control, source, _ = parse_input(text)
            if not control:
                found.append(source)
        return found

    def is_group(self, key: str) -> bool:
        """Whether ``key`` names a scope, series or part of this graph."""
        return bool(key) and self.graph.group_id(key) is not None

    def scope_keys(self) -> Iterable[str]:
        """The keys of every name scope (not series or parts), outermost first."""
        groups = self.graph.groups
        scope = groups.of_kind(SCOPE)
        return (groups.keys[g] for g in self.graph.order[1:] if scope[g])

    @property
    def has_profile(self) -> bool:
        """Whether a profile gave figures for any node of this graph."""
        return bool(self._details.node_stats)


def release_memory() -> None:
    """Hand memory that Python and protobuf freed back to the system.

    glibc keeps freed heap pages: after a 100k-op GraphDef (about 90 MB parsed) is built into
    a Hierarchy and dropped, the process would stay about 90 MB larger for good. Elsewhere
    than on glibc this does nothing.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None

#: glibc's `mallopt` parameter for the size from which a block is mapped on its own.
_M_MMAP_THRESHOLD = -3
#: Blocks this big or bigger are mapped on their own (see `return_large_blocks`).
LARGE_BLOCK = 1 << 20


def return_large_blocks() -> bool:
    """Have glibc map every block of `LARGE_BLOCK` or more on its own, so that freeing it
    hands it back to the system at once; whether it could (glibc only).

    For a server that reads big graphs: a view of a million-op graph makes hundreds of MB of
    numpy temporaries (an array over every op or edge is 4-12 MB). glibc maps such blocks on
    their own at first, but each one freed raises that threshold (up to 32 MB), so the next
    ones come from its heaps, which keep their pages once freed. In a plain process reading
    and drawing transformer_1m in request threads, the first view left the process 204 MB
    bigger than the prepared graph (160 MB of it freed memory a `malloc_trim` gave back) and
    one step 12 MB more; with the threshold fixed at 1 MiB, 46 and 6 MB, for the same CPU
    time within the noise. Process-wide, so only a server's front door calls it.
    """
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK))
    except (OSError, AttributeError):
        return False
