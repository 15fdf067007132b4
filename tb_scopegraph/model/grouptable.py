"""The groups of a tree while it is built, and the one way every step adds a group.

`tree` numbers the groups as the reader numbered the scope paths, then steps add groups in
turn: Keras blocks, stages and runs (`kerasblocks`), series of pieces (`pieces`), series of
numbered siblings, and parts of groups with too many children (`tree`). Each reads and moves
groups by id and adds groups through `GroupTable.new`, which keeps keys unique (a key taken
already gets a ``~`` more: ``layer_[0-4]~`` beside a scope of that name) and grows every
column together.

The per-group integers (parent, and the prefix and number series fold by) are `Column`s: the
groups read as an array, the few a step adds in a list beside it (a Python int per group
took 8 MB on a million ops).
"""

from __future__ import annotations

import numpy as np


class Column:
    """An integer per group: the groups read as an array, those added after in a list."""

    def __init__(self, base: np.ndarray) -> None:
        self.base, self.more = base, []

    def __len__(self) -> int:
        return len(self.base) + len(self.more)

    def __getitem__(self, gid: int) -> int:
        n = len(self.base)
        return int(self.base[gid]) if gid < n else self.more[gid - n]

    def __setitem__(self, gid: int, value: int) -> None:
        n = len(self.base)
        if gid < n:
            self.base[gid] = value
        else:
            self.more[gid - n] = value

    def append(self, value: int) -> None:
        self.more.append(value)

    def array(self) -> np.ndarray:
        """Every group's value, as one array (of the base's dtype), kept as the base from now."""
        if self.more:
            self.base = np.concatenate((self.base, np.asarray(self.more, dtype=self.base.dtype)))
            self.more = []
        return self.base

    def set_array(self, values: np.ndarray) -> None:
        """Every group's value at once (as many as there are groups, or more: groups added)."""
        self.base, self.more = values, []


class GroupTable:
    """The groups of a tree being built: ``keys`` (the root's ``""`` first), ``labels``,
    ``kinds`` (lists), ``parents``, and ``prefix`` and ``number`` (`Column`s: the series
    prefix and number of a numbered group, -1 and -1 for one that is not), and ``by_key``,
    each key's group id."""

    def __init__(
        self,
        keys: list[str],
        labels: list[str],
        kinds: list[str],
        parents: np.ndarray,
        prefix: np.ndarray,
        number: np.ndarray,
    ) -> None:
        self.keys, self.labels, self.kinds = keys, labels, kinds
        self.by_key = dict(zip(keys, range(len(keys)), strict=True))
        self.parents = Column(parents)
        # Copies: a step may number a group read (`kerasblocks`), and what was read is kept to
        # be built again.
        self.prefix = Column(prefix.copy())
        self.number = Column(number.copy())

    def __len__(self) -> int:
        return len(self.keys)

    def new(
        self, key: str, label: str, kind: str, parent: int, prefix: int = -1, number: int = -1
    ) -> int:
        """Add a group (its key made unique with ``~``s); its id."""
        while key in self.by_key:
            key += "~"
        gid = len(self.keys)
        self.by_key[key] = gid
        self.keys.append(key)
        self.labels.append(label)
        self.kinds.append(kind)
        self.parents.append(parent)
        self.prefix.append(prefix)
        self.number.append(number)
        return gid
