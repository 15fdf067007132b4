"""Two graphs compared: their union, each op marked added, removed, changed or the same.

Ops are matched by full name. An op present in both graphs is *changed* when its op type, its
inputs or its attributes differ (``_output_shapes`` and dtype attributes included, so a widened
layer shows as changed); its device is not compared. The union is one GraphDef, drawn with the
same `Hierarchy` as any graph: the newer graph's ops in its order, then the ops only the base
graph has. Scopes sum up what changed inside them, as ``+12 −3 ~4``.

Changes that only echo another (a widened layer's gradients and updates, an optimizer's
slots) are told apart by `tb_scopegraph.model.mirrors`: counted on the group they mirror ("and
9 in train/gradients"), they never open a first view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from tb_scopegraph.errors import NotFound
from tb_scopegraph.model._nodescan import parse_input
from tb_scopegraph.model.attrs import dtype_of, format_attr, shape_of
from tb_scopegraph.model.graph import OP, ROOT
from tb_scopegraph.model.hierarchy import Hierarchy
from tb_scopegraph.model.mirrors import Mirrors
from tb_scopegraph.model.views import DEFAULT_MIN_OPS, MAX_NESTING, View

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
STATUSES = (ADDED, REMOVED, CHANGED, SAME)
#: The default diff view opens scopes that hold changes while it stays at or under this many
#: boxes. Measured in Chromium at 1,400 x 900 (bench/bench_readability.py) on the demo's
#: comparison: its top level (13 boxes, summaries and init set apart) draws labels 12.0 px
#: (the smallest) and 13.3 px (the median) tall, 0.08 edge crossings per box; with layer3
#: opened (30 boxes) the drawing is 1.4 times as tall, labels about 6 and 7.5 px: past about
#: 20 boxes a diff is read only by zooming.
DIFF_BOXES = 20
_SIGNS = {ADDED: "+", REMOVED: "−", CHANGED: "~"}


@dataclass(frozen=True)
class Change:
    """One difference of an op between the base graph (``before``) and the other (``after``).

    ``what`` is ``op`` (the op type), ``inputs``, ``device`` never (not compared), or
    ``attr:<key>``; values are short texts, clipped when long (``size`` gives the full length
    of the longer one). For ``inputs``, ``before`` lists the inputs removed (``− a, − b``) and
    ``after`` those added (``+ c``), or both say ``order changed`` when only the order differs.
    """

    what: str
    before: str
    after: str
    size: int = 0
    clipped: bool = False


@dataclass(frozen=True)
class Counts:
    """How many ops of a group (or of the whole union) have each status."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    same: int = 0

    @property
    def differs(self) -> int:
        """Ops that are not the same."""
        return self.added + self.removed + self.changed

    @property
    def status(self) -> str:
        """One status for the whole group: added or removed when every op is, else changed
        when any op differs, else same."""
        total = self.differs + self.same
        if total and self.added == total:
            return ADDED
        if total and self.removed == total:
            return REMOVED
        return CHANGED if self.differs else SAME

    def as_dict(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in STATUSES}


def summary(counts: Counts) -> str:
    """The short text a scope box shows: ``+12 −3 ~4``, nothing for what is zero.

    >>> summary(Counts(added=12, removed=3, changed=4, same=9))
    '+12 −3 ~4'
    >>> summary(Counts(same=5))
    ''
    """
    shown = [s for s in (ADDED, REMOVED, CHANGED) if getattr(counts, s)]
    return " ".join(f"{_SIGNS[s]}{getattr(counts, s):,}" for s in shown)


class GraphDiff:
    """The union of a base graph and a newer one, with a status per op and per group."""

    def __init__(self, base: graph_pb2.GraphDef, graph: graph_pb2.GraphDef) -> None:
        """Compare ``graph`` against ``base`` (``base`` is "before")."""
        before = _by_name(base.node)
        after = _by_name(graph.node)
        union = graph_pb2.GraphDef()
        status: dict[str, str] = {}
        self._before: dict[str, bytes] = {}  # base NodeDefs of changed ops
        for name, node in after.items():
            old = before.get(name)
            if old is None:
                status[name] = ADDED
                continue
            # Equal bytes are the common case and cheap to tell; unequal bytes may still be
            # the same node (attributes serialized in another order, another device).
            old_bytes = old.SerializeToString()
            if old_bytes != node.SerializeToString() and _differs(old, node):
                status[name] = CHANGED
                self._before[name] = old_bytes
            else:
                status[name] = SAME
        union.node.extend(after.values())
        removed = [node for name, node in before.items() if name not in after]
        for node in removed:
            status[node.name] = REMOVED
        union.node.extend(removed)
        self.status = status
        self.hierarchy = Hierarchy(union)
        self.totals = _count(status.values())
        self._op_counts = {g.key: g.op_count for g in self.hierarchy.graph.groups}
        self._groups: dict[str, dict[str, int]] = {}
        for name, what in status.items():
            if what == SAME:
                continue
            for key in self.hierarchy.ancestors(name):
                counts = self._groups.setdefault(key, dict.fromkeys(STATUSES, 0))
                counts[what] += 1
        differs = {key: sum(counts.values()) for key, counts in self._groups.items()}
        self.mirrors = Mirrors(self.hierarchy, (n for n, w in status.items() if w != SAME), differs)

    def counts(self, key: str) -> Counts:
        """The statuses of the ops inside group ``key`` (its own op count gives the same)."""
        if not key:
            return self.totals
        if key not in self._op_counts:
            raise NotFound(f"no scope {key!r} in either graph")
        differs = self._groups.get(key, {})
        same = self._op_counts[key] - sum(differs.values())
        return Counts(**{s: differs.get(s, 0) for s in (ADDED, REMOVED, CHANGED)}, same=same)

    def own_changes(self, key: str) -> int:
        """The ops inside group ``key`` that differ, leaving out those that mirror a forward
        group's changes."""
        return self._differs(key) - self.mirrors.mirroring(key)

    def where(self, key: str) -> str:
        """Where inside group ``key`` its changes all lie, when one subgroup (or a subgroup
        of one) holds every one of them: its path below ``key`` (``conv4_block3_2_conv_1``),
        so that the closed box of a group too big to open in a first view (more than
        `DIFF_BOXES` boxes inside) can say which part changed. Empty for a smaller group,
        when the changes are spread, or when some mirror changes elsewhere."""
        groups = self.hierarchy.graph.groups
        gid = self.hierarchy.graph.group_id(key)
        total = self._differs(key)
        if gid is None or not total or self.mirrors.mirroring(key):
            return ""
        if groups[gid].child_count <= DIFF_BOXES:
            return ""
        path = []
        while True:
            holding = [c for c in groups[gid].children if self._differs(groups[c].key)]
            if len(holding) != 1 or self._differs(groups[holding[0]].key) != total:
                break
            gid = holding[0]
            path.append(groups[gid].label)
        return "/".join(path)

    def mirrored(self, key: str) -> dict[str, int]:
        """The changes elsewhere that mirror group ``key``'s, by the gradient or optimizer
        scope that holds them (``{"train/gradients": 9}``), largest first."""
        return self.mirrors.mirrored(key)

    def mirroring(self, key: str) -> tuple[int, list[str]]:
        """How many of group ``key``'s changes mirror other groups' changes, and which groups
        (`Mirrors.mirrored_groups`)."""
        return self.mirrors.mirroring(key), self.mirrors.mirrored_groups(key)

    def box_status(self, kind: str, name: str) -> tuple[str, Counts | None]:
        """The status of one visible box and, for a group, its counts."""
        if kind == OP:
            return self.status[name], None
        if kind == "missing":
            return SAME, None
        counts = self.counts(name)
        return counts.status, counts

    def changes(self, name: str) -> list[Change]:
        """What differs for a changed op, field by field; empty for any other op."""
        old = self._before.get(name)
        if old is None:
            return []
        before = node_def_pb2.NodeDef.FromString(old)
        after = self.hierarchy.node_def(name)
        found = []
        if before.op != after.op:
            found.append(Change("op", before.op, after.op))
        if list(before.input) != list(after.input):
            found.append(_inputs_change(list(before.input), list(after.input)))
        for key in sorted(set(before.attr) | set(after.attr)):
            if key in before.attr and key in after.attr and before.attr[key] == after.attr[key]:
                continue
            old, new = _attr(before.attr, key), _attr(after.attr, key)
            found.append(
                Change(
                    f"attr:{key}",
                    old["value"],
                    new["value"],
                    size=max(old["size"], new["size"]),
                    clipped=old["clipped"] or new["clipped"],
                )
            )
        return found

    def details(self, name: str, kind: str | None = None) -> dict:
        """A node's details in the union, with its status and, when changed, before/after;
        a group's with its counts and its mirrored changes (`mirrored`, `mirroring`)."""
        found = self.hierarchy.details(name, kind=kind)
        if found["kind"] == OP:
            found["status"] = self.status[name]
            found["changes"] = [
                {
                    "what": c.what,
                    "before": c.before,
                    "after": c.after,
                    "size": c.size,
                    "clipped": c.clipped,
                }
                for c in self.changes(name)
            ]
            if self.status[name] == REMOVED:
                self._describe_base_inputs(found)
        elif found["kind"] != "missing":
            counts = self.counts(name)
            found["status"] = counts.status
            found["diff"] = counts.as_dict()
            count, forward = self.mirroring(name)
            found["mirrored"] = self.mirrored(name)
            found["mirroring"] = {"count": count, "groups": forward}
        return found

    def _describe_base_inputs(self, found: dict) -> None:
        """A removed op's inputs as the base graph has them: the union holds the newer
        version of the ops both graphs have, so a changed (or newly added) input's dtype and
        shape are taken from the base's NodeDef instead."""
        for entry in found["inputs"]:
            if entry["control"]:
                continue
            _, source, slot = parse_input(entry["name"])
            what = self.status.get(source)
            if what == CHANGED:
                node = node_def_pb2.NodeDef.FromString(self._before[source])
                entry["dtype"], entry["shape"] = dtype_of(node, slot), shape_of(node, slot)
            elif what == ADDED:  # the base has no op of that name
                entry["dtype"], entry["shape"] = "", ""

    def default_view(self) -> View:
        """The first view of a diff: opened only down to the changes that matter.

        The shown group with the most changes of its own (mirrors left out) opens, then the
        next, while the view stays at or under `DIFF_BOXES` boxes; the first that does not
        fit ends it, so that a smaller change never opens while a larger one stays closed.
        A group without changes of its own, one of fewer than `DEFAULT_MIN_OPS` ops, or one
        whose ops were all added (or all removed) stays closed: its box says what changed
        (and a group too big to open, where: `where`). A lone scope that holds the whole
        model opens by the same rule: a diff's first view is one a person reads, never one
        of hundreds of boxes. Without any change, the union's own first view.
        """
        if not self.totals.differs:
            return self.hierarchy.default_view(roll=False)
        groups = self.hierarchy.graph.groups
        opened, boxes = {ROOT}, groups[ROOT].child_count
        frontier = [c for g in opened for c in groups[g].children if c not in opened]
        while frontier:
            gid = max(frontier, key=lambda g: (self.own_changes(groups[g].key), -g))
            frontier.remove(gid)
            group = groups[gid]
            if not self.own_changes(group.key):
                break
            if self.counts(group.key).status != CHANGED or group.op_count < DEFAULT_MIN_OPS:
                continue
            grown = boxes + group.child_count - 1
            if grown > DIFF_BOXES or group.nesting > MAX_NESTING:
                break
            opened.add(gid)
            boxes = grown
            frontier.extend(group.children)
        return self.hierarchy.view(open=[groups[g].key for g in opened if g != ROOT], roll=False)

    def _differs(self, key: str) -> int:
        return sum(self._groups.get(key, {}).values())

    def view(self, open: Iterable[str] = (), depth: int | None = None) -> View:
        """A view of the union, as `Hierarchy.view`, series never rolled: the blocks of one
        series may differ in ways their structure does not tell (attributes, shapes)."""
        return self.hierarchy.view(open=open, depth=depth, roll=False)


def _by_name(nodes) -> dict[str, node_def_pb2.NodeDef]:
    """Nodes by name; of a repeated name (a broken graph) the first is kept."""
    listed = list(nodes)
    found = dict(zip([node.name for node in listed], listed, strict=True))
    if len(found) == len(listed):
        return found
    found = {}
    for node in listed:
        found.setdefault(node.name, node)
    return found


def _differs(before: node_def_pb2.NodeDef, after: node_def_pb2.NodeDef) -> bool:
    if before.op != after.op or list(before.input) != list(after.input):
        return True
    if len(before.attr) != len(after.attr):
        return True
    for key, value in after.attr.items():
        if key not in before.attr or before.attr[key] != value:
            return True
    return False


def _attr(attrs: Mapping, key: str) -> dict:
    if key not in attrs:
        return {"value": "(none)", "size": 6, "clipped": False}
    return format_attr(attrs[key])


#: How many added (or removed) inputs a change lists before it says how many more there are.
INPUTS_SHOWN = 20


def _inputs_change(before: list[str], after: list[str]) -> Change:
    """What happened to an op's inputs: the ones removed, the ones added, or only the order."""
    olds, news = set(before), set(after)
    removed = [name for name in dict.fromkeys(before) if name not in news]
    added = [name for name in dict.fromkeys(after) if name not in olds]
    if not removed and not added:
        if len(before) == len(after):
            return Change("inputs", "order changed", "order changed")
        # Same names, repeated another number of times.
        return Change("inputs", f"{len(before):,} inputs", f"{len(after):,} inputs")
    return Change(
        "inputs",
        _listed("−", removed),
        _listed("+", added),
        size=max(len(removed), len(added)),
        clipped=max(len(removed), len(added)) > INPUTS_SHOWN,
    )


def _listed(sign: str, names: list[str]) -> str:
    if not names:
        return "(none)"
    shown = [f"{sign} {_clip(name)}" for name in names[:INPUTS_SHOWN]]
    more = len(names) - INPUTS_SHOWN
    if more > 0:
        shown.append(f"… {more:,} more")
    return ", ".join(shown)


def _clip(name: str, size: int = 200) -> str:
    return name if len(name) <= size else name[:size] + "…"


def _count(statuses: Iterable[str]) -> Counts:
    totals = dict.fromkeys(STATUSES, 0)
    for what in statuses:
        totals[what] += 1
    return Counts(**totals)
