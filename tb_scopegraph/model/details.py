"""Questions about one graph's names: what an op or group is, where it sits, what matches.

`Details` answers the cards of the tab (an op's attributes, inputs and consumers; a group's
op types, devices, parameters and profile) and what colouring sees of a box; it keeps what it
works out (consumers, group figures) while the graph lives. The functions below it answer
from the model alone: the group tree, the groups that hold a name, and search.
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence

import cachetools
import numpy as np

from tb_scopegraph.errors import InvalidQuery, NotFound
from tb_scopegraph.model import rolls, variables
from tb_scopegraph.model._nodescan import parse_input
from tb_scopegraph.model.attrs import (
    const_elements,
    format_attr,
    variable_elements,
)
from tb_scopegraph.model.graph import MISSING, OP, ROOT, SCOPE, GraphModel
from tb_scopegraph.model.groups import Groups
from tb_scopegraph.model.layout import Box, tensor_dtype, tensor_shape

_VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VarHandleOp", "VarHandleOpV2"})
#: What a group card's op types call a variable handle (`variables.handles`).
VARIABLE_HANDLE = "variable handle"
#: Group figures kept per graph (each is a walk over the group's groups and ops), least
#: recently used first out.
_GROUP_STATS_KEPT = 1024

#: ``match(pattern, names, limit)``: the indices of the first ``limit`` names that match.
Matcher = Callable[[str, Sequence[str], int], list[int]]


class Details:
    """What is known of each op and group of one graph, and of its profile."""

    def __init__(
        self, model: GraphModel, stats: Mapping[str, Mapping[str, float]] | None = None
    ) -> None:
        """``stats`` maps node names to a profile's figures (``compute_us``,
        ``memory_bytes``); names not in the graph are left out."""
        self.model = model
        self.node_stats = {
            k: dict(v) for k, v in (stats or {}).items() if model.op_id(k) is not None
        }
        self._consumers: tuple[np.ndarray, np.ndarray] | None = None
        self._consumers_lock = threading.Lock()
        # Read by every card and by colouring each box of a view: kept, within a bound.
        self._group_stats: cachetools.LRUCache = cachetools.LRUCache(_GROUP_STATS_KEPT)
        self._group_stats_lock = threading.Lock()
        # Parameters counted per op (variables, constants).
        self._op_counts: np.ndarray | None = None
        self._op_counts_lock = threading.Lock()
        self._handles: tuple[frozenset[int], dict[int, int]] | None = None
        self._variable_ops: bool | None = None

    def details(self, name: str, kind: str | None = None) -> dict:
        """What is known of one op or group: for a group, op counts and parameters."""
        model = self.model
        op = model.op_id(name)
        if kind in (None, OP, MISSING) and op is not None:
            return self._op_details(op)
        gid = model.group_id(name)
        if kind != OP and gid is not None and name:
            return self.group_details(gid)
        raise NotFound(f"no {'op' if kind == OP else 'node or scope'} {name!r} in this graph")

    def _op_details(self, op: int) -> dict:
        model = self.model
        name = model.names[op]
        consumers = self._consumers_of(op)
        if model.is_missing(op):
            return {
                "kind": MISSING,
                "name": name,
                "op": "",
                "device": "",
                "attrs": {},
                "inputs": [],
                # Every slot its consumers name ("ghost:1"), not only the first.
                "outputs": [
                    {"name": f"{name}:{slot}", "dtype": "", "shape": "", "consumers": names}
                    for slot, names in sorted(consumers.items())
                    if slot >= 0
                ],
                "control_outputs": consumers.get(-1, []),
                "note": "an input names this node, but the graph has no node of that name",
            }
        node = model.node_def(op)
        inputs = []
        for text in node.input:
            control, source, slot = parse_input(text)
            j = model.op_id(source)
            known = not control and j is not None
            inputs.append(
                {
                    "name": text,
                    "control": control,
                    "dtype": tensor_dtype(model, j, slot) if known else "",
                    "shape": tensor_shape(model, j, slot) if known else "",
                }
            )
        slots = set(consumers) - {-1}
        if "_output_shapes" in node.attr:
            slots |= set(range(len(node.attr["_output_shapes"].list.shape)))
        outputs = [
            {
                "name": f"{name}:{slot}",
                "dtype": tensor_dtype(model, op, slot),
                "shape": tensor_shape(model, op, slot),
                "consumers": consumers.get(slot, []),
            }
            for slot in sorted(slots)
        ]
        found = {
            "kind": OP,
            "name": name,
            "op": node.op,
            "device": node.device,
            "attrs": {key: format_attr(node.attr[key]) for key in sorted(node.attr)},
            "inputs": inputs,
            "outputs": outputs,
            "control_outputs": consumers.get(-1, []),
            **({"profile": self.node_stats[name]} if name in self.node_stats else {}),
        }
        if op in model.captured_handles:
            readers = [n for slot, names in consumers.items() if slot >= 0 for n in names]
            found["counted_on"] = counted_on(model, readers)
        return found

    def _consumers_of(self, op: int) -> dict[int, list[str]]:
        """The names of the ops that read ``op``, by output slot (-1: control)."""
        model = self.model
        table = self._consumers
        if table is None:
            with self._consumers_lock:
                table = self._consumers
                if table is None:
                    table = self._consumers = consumer_table(model)
        order, bounds = table
        found: dict[int, list[str]] = {}
        for e in order[bounds[op] : bounds[op + 1]].tolist():
            slot = -1 if model.edge_control[e] else int(model.edge_slot[e])
            found.setdefault(slot, []).append(model.names[int(model.edge_dst[e])])
        return found

    def group_details(self, gid: int) -> dict:
        """A group's card: its kind, size, op types, devices, parameters and profile."""
        with self._group_stats_lock:
            stats = self._group_stats.get(gid)
        if stats is None:
            stats = self._stats(gid)
            with self._group_stats_lock:
                self._group_stats[gid] = stats
        group = self.model.groups[gid]
        return {
            "kind": group.kind,
            "name": group.key,
            "label": group.label,
            "op_count": group.op_count,
            "child_count": group.child_count,
            **stats,
        }

    def ops_under(self, gid: int) -> np.ndarray:
        """The ops (not missing inputs) of group ``gid`` at any depth, group after group as
        a depth-first walk meets them. Read from the group columns, a slice a group: through
        a `Group` made for each group and a Python step for each op, the card of
        synthetic_100k's top scope took 0.7-0.9 s, under fifty clients 2.8 s."""
        groups = self.model.groups
        child_starts, child_ids = groups.child_starts, groups.child_ids
        op_starts, op_ids = groups.op_starts, np.asarray(groups.op_ids)
        parts, stack = [], [gid]
        while stack:
            g = stack.pop()
            stack.extend(child_ids[child_starts[g] : child_starts[g + 1]])
            parts.append(op_ids[op_starts[g] : op_starts[g + 1]])
        ops = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        return ops[ops < self.model.op_count]

    def _stats(self, gid: int) -> dict:
        model = self.model
        handles, read = self.handles()
        # Constants are the parameters only of a graph without variables (a frozen one).
        frozen = not handles and not self._has_variables()
        ops = self.ops_under(gid)
        listed = ops.tolist()
        op_types = model.op_types
        kinds = [op_types[op] for op in listed]
        # A handle's op type (``Placeholder``, ``_Arg``) would read as an input.
        types = Counter(
            [VARIABLE_HANDLE if op in handles else k for op, k in zip(listed, kinds, strict=True)]
            if handles
            else kinds
        )
        device_ids = np.asarray(model.devices.ids)[ops]
        counts = np.bincount(device_ids, minlength=len(model.devices.values))
        # Devices in the order Counter.most_common gives: most ops first, then first met.
        _, first = np.unique(device_ids, return_index=True)
        met = device_ids[np.sort(first)].tolist()
        met.sort(key=lambda d: -counts[d])
        devices = {model.devices.values[d]: int(counts[d]) for d in met}
        variables = self._counted(ops, kinds, _VARIABLE_OPS, variable_elements)
        constants = self._counted(ops, kinds, {"Const"}, const_elements) if frozen else 0
        details = {
            "op_types": dict(types.most_common()),
            "devices": devices,
            "parameters": variables or constants or None,
            # A traced TF2 function takes its variables as resource handles whose sizes the
            # graph does not hold: the card then says how many it reads.
            "variables_read": read.get(gid, 0),
        }
        if self.node_stats:
            compute = memory = 0.0
            profiled = 0
            for op in listed:
                figures = self.node_stats.get(model.names[op])
                if figures:
                    profiled += 1
                    compute += figures.get("compute_us", 0.0)
                    memory += figures.get("memory_bytes", 0)
            if profiled:
                details["profile"] = {
                    "compute_us": compute,
                    "memory_bytes": memory,
                    "ops": profiled,
                }
        return details

    def _counted(self, ops: np.ndarray, kinds: list[str], of: Collection[str], count) -> int:
        """The sum of ``count(node_def)`` over those of ``ops`` (of op types ``kinds``) whose
        type is one ``of``. Each op's count is kept while the graph lives (the groups that
        hold an op share it; NodeDefs parsed are not all kept, see `GraphModel.node_def`):
        an int64 an op, made when a card first counts."""
        chosen = ops[np.fromiter((k in of for k in kinds), bool, len(kinds))]
        if not len(chosen):
            return 0
        with self._op_counts_lock:
            if self._op_counts is None:
                self._op_counts = np.full(self.model.op_count, -1, np.int64)
            counts = self._op_counts
        node_def = self.model.node_def
        for op in chosen[counts[chosen] < 0].tolist():
            counts[op] = int(count(node_def(op)))
        return int(counts[chosen].sum())

    def _has_variables(self) -> bool:
        """Whether the graph holds any variable op (`_VARIABLE_OPS`)."""
        if self._variable_ops is None:
            self._variable_ops = not _VARIABLE_OPS.isdisjoint(self.model.op_types)
        return self._variable_ops

    def handles(self) -> tuple[frozenset[int], dict[int, int]]:
        """The graph's variable handles (`variables.handles`) and how many variables each
        group reads through them or through PyTorch's reads of parameters
        (`variables.variables_read`, `variables.torch_reads`), worked out at the first group
        card."""
        if self._handles is None:
            found = variables.handles(self.model)
            torch = variables.torch_reads(self.model)
            read = variables.variables_read(self.model, found + list(torch), torch)
            self._handles = frozenset(found), read
        return self._handles

    def measure(self, box: Box, scheme: str) -> str | float | None:
        """What colouring by ``scheme`` (op, device, compute, memory) sees of one box."""
        model = self.model
        if box.kind == MISSING:
            return None
        if box.kind == OP:
            op = model.op_id(box.name)
            if scheme == "op":
                return model.op_types[op]
            if scheme == "device":
                return model.devices[op] or None
            figures = self.node_stats.get(box.name, {})
            return figures.get("compute_us" if scheme == "compute" else "memory_bytes")
        details = self.group_details(model.group_id(box.name))
        if scheme == "op":
            # Every op type inside it, counted: colour.group_op_type picks what it shows.
            return details["op_types"]
        if scheme == "device":
            devices = [d for d in details["devices"] if d]
            return devices[0] if devices else None
        profile = details.get("profile")
        if not profile:
            return None
        return profile["compute_us" if scheme == "compute" else "memory_bytes"]


def consumer_table(model: GraphModel) -> tuple[np.ndarray, np.ndarray]:
    """Every op's out-edges: ``order[bounds[op]:bounds[op + 1]]`` are the edges that read
    ``op``, in edge order. Two arrays: on a million ops a dict of lists took 220 MB and
    seconds to make, these take 20 MB and a tenth of a second."""
    src = model.edge_src
    order = np.argsort(src, kind="stable").astype(np.int32 if len(src) < 2**31 else np.int64)
    bounds = np.searchsorted(src[order], np.arange(len(model.names) + 1))
    return order, bounds.astype(order.dtype)


def tree(model: GraphModel) -> dict:
    """The group tree as JSON-ready data (groups only, not ops)."""
    groups = model.groups
    # Read by column, in bulk, not through ``groups[g]`` (a `Group` made for each group), and
    # the collector paused: on the million-op graph's 300,000 groups its passes over the
    # 600,000 dicts and lists being made took most of the time (1.2-1.5 s with a `Group` made
    # for each and the collector on, 0.35 s by column with it paused).
    with _collector_paused():
        return _tree(groups)


def _tree(groups: Groups) -> dict:
    made = [
        {
            "name": key,
            "label": label,
            "kind": kind,
            "op_count": op_count,
            "child_count": child_count,
            "children": None,
        }
        for key, label, kind, op_count, child_count in zip(
            groups.keys,
            groups.labels,
            groups.kinds,
            groups.op_counts.tolist(),
            groups.child_counts.tolist(),
            strict=True,
        )
    ]
    starts, ids = groups.child_starts.tolist(), groups.child_ids.tolist()
    for node, a, b in zip(made, starts[:-1], starts[1:], strict=True):
        node["children"] = [made[c] for c in ids[a:b]]
    return made[ROOT]


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic collector off while many containers are made, none of them garbage.
    Only the call that turned it off turns it back on: overlapping calls in other threads
    leave it on at the end, as it was."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def counted_on(model: GraphModel, readers: list[str]) -> list[dict]:
    """Where a variable handle is drawn: nowhere itself, but counted ("← 12 variables") on
    the box of each op that reads it, in a view the box of its outermost closed group
    (``groups``, outermost first), or the op's own when all are open."""
    return [
        {"name": n, "groups": _keys_above(model, int(model.op_group[model.op_id(n)]))}
        for n in dict.fromkeys(readers)
    ]


def ancestors(model: GraphModel, name: str, kind: str | None = None) -> list[str]:
    """The keys of the groups that hold ``name``, outermost first; ``kind="group"`` takes
    ``name`` as a group's key when an op has the same name."""
    groups = model.groups
    op = model.op_id(name)
    if op is not None and kind != "group":
        gid = int(model.op_group[op])
    elif (held := model.group_id(name)) is not None:
        gid = groups[held].parent
    else:
        raise NotFound(f"no node or scope {name!r} in this graph")
    return _keys_above(model, gid)


def _keys_above(model: GraphModel, gid: int) -> list[str]:
    """The keys of group ``gid`` and the groups that hold it, outermost first."""
    groups = model.groups
    keys = []
    while gid > ROOT:
        keys.append(groups[gid].key)
        gid = groups[gid].parent
    return keys[::-1]


def search(
    model: GraphModel,
    query: str,
    regex: bool = False,
    limit: int = 50,
    match: Matcher | None = None,
) -> list[dict]:
    """Ops and scopes whose full name holds ``query`` (or matches it as a regex).

    ``match``, when given, does the regex matching instead of this process: a runaway
    pattern (``(a+)+$``) holds the interpreter for hours, so a server runs it elsewhere.
    """
    index = model.name_index()
    if regex:
        try:
            pattern = re.compile(query)
        except (re.error, OverflowError, RecursionError) as error:
            raise InvalidQuery(f"not a valid regular expression: {error}") from None
        if match is not None:
            hits = match(query, index.names, limit)
        else:
            hits = index.match(pattern, limit)
    else:
        hits = index.find(query, limit)
    found = []
    scopes = len(index.scopes)
    for i in hits[:limit]:
        name = index.names[i]
        # What to open to reveal the hit, from its index: by name, an op named like a scope
        # would be taken for it, and a million ops' name table would be made to look it up.
        if i < scopes:
            gid = int(index.scopes[i])
            item = {"name": name, "kind": SCOPE, "op": ""}
            item["reveal"] = _keys_above(model, model.groups[gid].parent)
            if rolls.member_of_rolled(model, gid):
                # A block of a rolled series shows only open: it is then drawn for all.
                item["reveal"].append(name)
        else:
            op = i - scopes
            kind = MISSING if model.is_missing(op) else OP
            item = {"name": name, "kind": kind, "op": model.op_types[op]}
            item["reveal"] = _keys_above(model, int(model.op_group[op]))
        found.append(item)
    return found
