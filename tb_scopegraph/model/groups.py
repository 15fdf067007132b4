"""A graph's groups kept as columns, each `Group` made when asked for.

A million-op graph has about 300,000 groups. As a tuple of `Group` tuples, each with its own
tuples of children and ops and its ints as Python objects, they took about 130 MB
(transformer_1m); as columns they take a few bytes a group and four bytes a member:

- one int32 column per number (``parents``, ``op_counts``, ``levels``, ``nestings``,
  ``child_counts``), read one at a time as Python ints (a memoryview: a few tens of ns) or
  in bulk as numpy arrays (``np.asarray``, no copy);
- ``kinds`` and ``labels`` as tuples of their few distinct strings (a pointer a group: they
  are read one by one in loops), ``keys`` a sequence of strings (the scope paths the op
  names are made of, then series and chunks);
- children and ops as one flat column each, a group's members between two offsets.

``groups[g]`` makes the `Group` tuple of group ``g`` (about a microsecond: its children and
ops made into tuples); code that reads one field of many groups reads the column instead.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from tb_scopegraph.model.columns import ints

#: The root group's id (its key is ``""``).
ROOT = 0
SCOPE, SERIES, CHUNK = "scope", "series", "chunk"


class Group(NamedTuple):
    """One group of ops: a name scope, a series or a chunk (or the root)."""

    key: str  #: full name, unique in the graph; ``""`` for the root
    label: str  #: the last part of the key, as drawn
    kind: str  #: ``"root"``, `SCOPE`, `SERIES` or `CHUNK`
    parent: int  #: parent group id; -1 for the root
    children: tuple[int, ...]  #: subgroup ids, in order
    ops: tuple[int, ...]  #: op ids directly inside, in order
    op_count: int  #: ops inside at any depth (missing inputs not counted)
    level: int  #: scope depth: 1 at the top; a series' or chunk's members share its level
    nesting: int  #: groups between it and the root, counting itself; the root 0
    child_count: int  #: direct subgroups plus direct ops: the boxes it shows when open


# Made without a Python call each (`Group._make` is one).
_make = functools.partial(tuple.__new__, Group)
#: Group kinds, in the order of the ids kept for them. The root group (id 0, key ``""``) has
#: kind ``"root"``.
KINDS = ("root", SCOPE, SERIES, CHUNK)


class Groups(Sequence):
    """Every group of one graph, numbered from the root (0); ``groups[g]`` is a `Group` made
    on access, a slice a tuple of them. Read-only."""

    __slots__ = (
        "keys",
        "labels",
        "kinds",
        "_kind_ids",
        "parents",
        "op_counts",
        "levels",
        "nestings",
        "child_counts",
        "child_starts",
        "child_ids",
        "op_starts",
        "op_ids",
    )

    def __init__(
        self,
        *,
        keys: Sequence[str],
        labels: Sequence[str],
        kinds: tuple[Sequence[str], np.ndarray],
        parents,
        children: tuple[np.ndarray, np.ndarray],
        ops: tuple[np.ndarray, np.ndarray],
        op_counts,
        levels,
        nestings,
    ) -> None:
        """``kinds``: each group's kind, and its index in `KINDS`; ``children`` and ``ops``:
        (offsets, members), group g's members being ``members[offsets[g]:offsets[g + 1]]``."""
        self.keys = keys
        # Tuples of the few distinct strings (8 bytes a group): read one by one in loops.
        self.labels = tuple(labels)
        self.kinds = tuple(kinds[0])
        self._kind_ids = np.array(kinds[1], dtype=np.int8)  # for `of_kind`, in bulk
        self._kind_ids.flags.writeable = False
        self.parents = ints(parents)
        self.op_counts = ints(op_counts)
        self.levels = ints(levels)
        self.nestings = ints(nestings)
        self.child_starts, self.child_ids = _offsets(children[0]), ints(children[1])
        self.op_starts, self.op_ids = _offsets(ops[0]), ints(ops[1])
        # From the columns made above, not the offsets given (int64 at a million ops).
        child_starts, op_starts = np.asarray(self.child_starts), np.asarray(self.op_starts)
        self.child_counts = ints(np.diff(child_starts) + np.diff(op_starts))

    def __len__(self) -> int:
        return len(self.parents)

    def __getitem__(self, g):
        if type(g) is not int:
            if isinstance(g, slice):
                return tuple(map(self.__getitem__, range(*g.indices(len(self)))))
            g = g.__index__()
        if g < 0:
            g += len(self)
        # Most groups hold no subgroups, or no ops of their own: () without a slice.
        a, b = self.child_starts[g], self.child_starts[g + 1]
        children = tuple(self.child_ids[a:b]) if b > a else ()
        a, b = self.op_starts[g], self.op_starts[g + 1]
        ops = tuple(self.op_ids[a:b]) if b > a else ()
        return _make(
            (
                self.keys[g],
                self.labels[g],
                self.kinds[g],
                self.parents[g],
                children,
                ops,
                self.op_counts[g],
                self.levels[g],
                self.nestings[g],
                self.child_counts[g],
            )
        )

    def __iter__(self) -> Iterator[Group]:
        # A chunk of groups at a time, each column read in bulk: a third of the time of
        # making them one by one (a pass over every group reads one field of each).
        n = len(self)
        for a in range(0, n, _CHUNK):
            b = min(a + _CHUNK, n)
            yield from map(
                _make,
                zip(
                    self.keys[a:b],
                    self.labels[a:b],
                    self.kinds[a:b],
                    self.parents[a:b].tolist(),
                    _slices(self.child_starts[a : b + 1], self.child_ids),
                    _slices(self.op_starts[a : b + 1], self.op_ids),
                    self.op_counts[a:b].tolist(),
                    self.levels[a:b].tolist(),
                    self.nestings[a:b].tolist(),
                    self.child_counts[a:b].tolist(),
                    strict=True,
                ),
            )

    def children(self, g: int) -> memoryview:
        """Group ``g``'s subgroup ids, in order (a read-only int column: no tuple made)."""
        return self.child_ids[self.child_starts[g] : self.child_starts[g + 1]]

    def ops(self, g: int) -> memoryview:
        """The ids of the ops directly in group ``g``, in order (a read-only int column)."""
        return self.op_ids[self.op_starts[g] : self.op_starts[g + 1]]

    def of_kind(self, kind: str) -> np.ndarray:
        """Per group, whether it is of ``kind`` (a bool array)."""
        if kind not in KINDS:
            return np.zeros(len(self), dtype=bool)
        return self._kind_ids == KINDS.index(kind)

    def to_level(self, level: int | None = None) -> list[str]:
        """The keys of every group down to ``level`` (None: every group), the root left out:
        what a front door opens to show every scope that deep, plumbing and all."""
        levels = np.asarray(self.levels)
        deep = range(len(self)) if level is None else np.flatnonzero(levels <= level).tolist()
        return [self.keys[g] for g in deep if g != ROOT]

    def __eq__(self, other) -> bool:
        if not isinstance(other, Groups):
            if not isinstance(other, Sequence) or isinstance(other, str):
                return NotImplemented
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return (
            list(self.keys) == list(other.keys)
            and list(self.labels) == list(other.labels)
            and list(self.kinds) == list(other.kinds)
            and all(
                getattr(self, name) == getattr(other, name)
                for name in _INT_COLUMNS  # memoryviews compare by value
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Groups(n={len(self)})"


_INT_COLUMNS = Groups.__slots__[4:]
#: Groups made at a time when iterating.
_CHUNK = 1 << 14


def _slices(starts: memoryview, members: memoryview) -> list[tuple[int, ...]]:
    """The members between each pair of ``starts``, as tuples."""
    bounds = starts.tolist()
    first = bounds[0]
    flat = tuple(members[first : bounds[-1]])
    return [flat[x - first : y - first] for x, y in itertools.pairwise(bounds)]


def _offsets(offsets) -> memoryview:
    """Offsets into a flat column: int32 while they fit."""
    offsets = np.asarray(offsets)
    if len(offsets) and offsets[-1] >= 2**31:
        return memoryview(offsets.astype(np.int64).tobytes()).cast("q")
    return ints(offsets)
