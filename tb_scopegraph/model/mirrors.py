"""Which changes of a diff mirror another change: a training graph's echoes of a forward one.

Widen ``layer3`` of a training graph and much more than ``layer3`` changes: its gradients
(``train/gradients/layer3/MatMul_grad/...``) and its variables' updates
(``train/GradientDescent/update_layer3/W``) change with it. Swap the optimizer and its slot
variables inside the forward scopes (``layer3/W/Adam``) change with the optimizer. A diff that
opens all of these is unreadable, and tells nothing the first change did not. A changed op
*mirrors* a change elsewhere when:

- it sits under a gradient scope (``gradients``, ``gradients_1``: TF1's ``tf.gradients``;
  ``gradient_tape``: TF2's ``GradientTape``) and its name past that scope, with ``_grad``
  suffixes dropped, leads to a forward group (the deepest group or op of that name), or it
  sits under an optimizer's ``update_<variable>`` scope and ``<variable>`` leads to one, and
  that forward group has changes of its own;
- or it is an optimizer's slot (a path part named as the optimizer scope, ``Adam`` or
  ``Adam_1``, outside that scope: TF1 optimizers put ``<variable>/Adam`` beside each variable)
  and the optimizer scope has changes of its own.

"Of its own" leaves out the candidates above (slots first, so that an optimizer's slots do not
make the variables they sit beside look changed). A change whose forward group is the same (a
new learning rate, another optimizer for the same model) mirrors nothing: it is the change.
Ops at the top level and updates named by number (Keras 3's ``update_5``) lead to no group and
are never mirrors. Names are all this reads: a graph that names its scopes otherwise has no
mirrors, and its diff opens as any other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from tb_scopegraph.model.graph import ROOT
from tb_scopegraph.model.hierarchy import Hierarchy

#: A gradient scope, under which lies the forward op's path (``gradients/layer3/MatMul_grad``).
GRADIENTS = re.compile(r"gradients(?:_\d+)?|gradient_tape")
#: An optimizer's update of one variable, named after it (``GradientDescent/update_layer3/W``).
UPDATE = re.compile(r"update_(.+)")
_NUMBERED = r"(?:_\d+)?"


class Mirrors:
    """The mirrored changes of one diff's union, counted on the groups they mirror and on
    the groups that hold them."""

    def __init__(
        self, hierarchy: Hierarchy, changed: Iterable[str], differs: Mapping[str, int]
    ) -> None:
        """``changed``: the ops of the union that differ (added, removed or changed);
        ``differs``: how many of them each group holds."""
        self._hierarchy = hierarchy
        self._lone = _lone_scopes(hierarchy)
        optimizers = _optimizer_scopes(hierarchy)
        slot = None
        if optimizers:
            labels = "|".join(map(re.escape, sorted(optimizers)))
            slot = re.compile(f"(?:{labels}){_NUMBERED}")
            # Most names hold no gradient, update or slot part: told in one search each.
            candidate = re.compile(f"gradient|update_|(?:^|/)(?:{labels})")
        else:
            candidate = re.compile("gradient|update_")
        forward: dict[str, tuple[str, str]] = {}  # op -> (the scope holding it, forward group)
        slots: dict[str, tuple[str, str]] = {}  # op -> (its top scope, the optimizer scope)
        for name in changed:
            if not candidate.search(name):
                continue
            if (found := self._forward_of(name)) is not None:
                forward[name] = found
            elif slot is not None and (found := _slot_of(name, slot, optimizers)) is not None:
                slots[name] = found
        own = Counter(differs)  # changes per group, leaving the candidates out
        for name in (*forward, *slots):
            own.subtract(hierarchy.ancestors(name))
        #: per group, how many of its changes mirror others, and which groups they mirror
        self._mirroring: Counter[str] = Counter()
        self._mirrors_of: dict[str, set[str]] = {}
        #: per mirrored group, its mirrors by the scope that holds them
        self._mirrored: dict[str, Counter[str]] = {}
        for candidates in (forward, slots):
            for name, (where, mirrored) in candidates.items():
                if own[mirrored]:
                    self._count(name, where, mirrored)
                else:  # what it would mirror is the same: a change of its own
                    own.update(hierarchy.ancestors(name))
        # How deep every mirrored group's scopes agree (see mirrored_groups).
        chains = [self._chain(g) for g in {g for gs in self._mirrors_of.values() for g in gs}]
        self._depth = 0
        while (
            all(len(c) > self._depth + 1 for c in chains)
            and len({c[self._depth] for c in chains}) == 1
        ):
            self._depth += 1

    def _count(self, name: str, where: str, mirrored: str) -> None:
        for key in self._hierarchy.ancestors(name):
            self._mirroring[key] += 1
            self._mirrors_of.setdefault(key, set()).add(mirrored)
        for key in [*self._hierarchy.ancestors(mirrored, kind="group"), mirrored]:
            self._mirrored.setdefault(key, Counter())[where] += 1

    def _forward_of(self, name: str) -> tuple[str, str] | None:
        """(gradient or optimizer scope, forward group) of an op under such a scope whose name
        past it leads to a group of the graph; None for any other op."""
        parts = name.split("/")
        for i, part in enumerate(parts[:-1]):
            if GRADIENTS.fullmatch(part):
                root, path = parts[: i + 1], [p.removesuffix("_grad") for p in parts[i + 1 :]]
            elif i and (update := UPDATE.fullmatch(part)):
                root, path = parts[:i], [update.group(1), *parts[i + 1 :]]
            else:
                continue
            model = self._hierarchy.graph
            for end in range(len(path), 0, -1):
                prefix = "/".join(path[:end])
                if (gid := model.group_id(prefix)) is None:
                    if (op := model.op_id(prefix)) is None:
                        continue
                    gid = int(model.op_group[op])
                if gid == ROOT:
                    return None
                return "/".join(root), model.groups[gid].key
            return None
        return None

    def mirroring(self, key: str) -> int:
        """How many of the changes inside group ``key`` mirror changes elsewhere."""
        return self._mirroring[key]

    def mirrored(self, key: str) -> dict[str, int]:
        """The changes elsewhere that mirror group ``key``'s, by the gradient or optimizer
        scope that holds them (``{"train/gradients": 9}``), largest first."""
        return dict(self._mirrored.get(key, Counter()).most_common())

    def mirrored_groups(self, key: str) -> list[str]:
        """The groups that the changes inside ``key`` mirror, in name order, each named one
        level below what every mirrored group of the diff has in common (and below the lone
        scopes that hold the whole graph): ``layer3`` and ``layer4`` rather than
        ``layer4/W``, ``model/dense3`` rather than ``model``."""
        named = set()
        for group in self._mirrors_of.get(key, ()):
            chain = self._chain(group)
            named.add(chain[min(self._depth, len(chain) - 1)])
        return sorted(named)

    def _chain(self, group: str) -> list[str]:
        chain = [*self._hierarchy.ancestors(group, kind="group"), group]
        return [k for k in chain if k not in self._lone] or [group]


def _lone_scopes(hierarchy: Hierarchy) -> set[str]:
    """The scopes that hold the whole graph, one inside the other (Keras's model scope)."""
    groups = hierarchy.graph.groups
    lone, gid = set(), ROOT
    while len(groups[gid].children) == 1:
        gid = groups[gid].children[0]
        lone.add(groups[gid].key)
    return lone


def _optimizer_scopes(hierarchy: Hierarchy) -> dict[str, str]:
    """The optimizer scopes (those holding ``update_<variable>`` scopes), by their label."""
    groups = hierarchy.graph.groups
    found = {}
    for group in groups[1:]:
        if group.parent != ROOT and UPDATE.fullmatch(group.label):
            parent = groups[group.parent]
            found[parent.label] = parent.key
    return found


def _slot_of(name: str, slot: re.Pattern, optimizers: dict[str, str]) -> tuple[str, str] | None:
    """(top scope, optimizer scope) of an optimizer's slot outside that scope; else None."""
    parts = name.split("/")
    for part in parts[1:]:
        if slot.fullmatch(part):
            label = part.rsplit("_", 1)[0] if part not in optimizers else part
            optimizer = optimizers.get(label)
            if optimizer is None or name == optimizer or name.startswith(optimizer + "/"):
                return None
            return parts[0], optimizer
    return None
