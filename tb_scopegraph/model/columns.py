"""Per-op strings kept as columns: names as scope path and label, devices interned.

A million-op graph's names as Python strings took 172 MB (made by the reader, kept by the
model); as columns they take two int32 per op, over the scope paths the model keeps anyway
and the few distinct labels. Each string is made when asked for, so these are for strings
read one by one or a chunk at a time, not per op in a hot loop (op types stay a tuple).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence

import numpy as np


def ints(values) -> memoryview:
    """Ids as a read-only memoryview of int32: indexing one gives a Python int in a few tens
    of ns, where a numpy array takes about 100 ns and makes a scalar object; ``np.asarray``
    of it is an array over the same bytes, for work in bulk.

    Always a copy of ``values`` (nothing the caller changes later shows through), and one
    copy only: a column of a million ops made through ``tobytes`` held two copies at once,
    at the peak of a graph's reading."""
    array = np.array(values, dtype=np.int32)
    array.flags.writeable = False
    return memoryview(array.reshape(-1))


def handed_over(array: np.ndarray) -> memoryview:
    """An int32 array the caller hands over (and no longer writes to), as `ints` gives a
    column, without a copy: the column of a million ops read made while the read's own
    array is held would hold both (at the peak of a graph's reading)."""
    if array.dtype != np.int32 or not array.flags.c_contiguous:
        return ints(array)
    array.flags.writeable = False
    return memoryview(array.reshape(-1))


def _joined(ids: memoryview, more) -> memoryview:
    return ints(np.concatenate((np.frombuffer(ids, dtype=np.int32), np.asarray(more, np.int32))))


class _Column(Sequence):
    """A read-only sequence of strings made on access; equal to any sequence of the same
    strings (a tuple, a list); a slice is a tuple."""

    __slots__ = ()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self._many(range(*i.indices(len(self)))))
        return self._one(i)

    def __iter__(self) -> Iterator[str]:
        n = len(self)
        for start in range(0, n, 1 << 16):
            yield from self._many(range(start, min(start + (1 << 16), n)))

    def __eq__(self, other) -> bool:
        if not isinstance(other, (Sequence)) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(map(repr, self[:5]))
        return f"{type(self).__name__}([{shown}{', ...' if len(self) > 5 else ''}], n={len(self)})"


class Names(_Column):
    """Op names kept as their scope's path and their label: op i is called
    ``paths[path[i]] + "/" + labels[label[i]]``, or its label alone in the root scope (path 0).

    A million names as Python strings took 172 MB on the million-op graph (made by the reader,
    kept by the model); the scope paths are kept anyway (they are the scopes' keys), so the
    names cost two int32 per op and the distinct labels. A name is made on each access (about
    0.2 us); `__iter__` makes them 65,536 at a time.
    """

    __slots__ = ("paths", "path", "labels", "label")

    def __init__(self, paths: Sequence[str], path, labels: Sequence[str], label) -> None:
        self.paths = paths
        self.path = path if isinstance(path, memoryview) else ints(path)
        self.labels = labels
        self.label = label if isinstance(label, memoryview) else ints(label)

    @classmethod
    def of(cls, names: Sequence[str], paths: Sequence[str], path) -> Names:
        """The column of ``names``, each in scope ``paths[path[i]]``."""
        path = ints(path)
        labels: dict[str, int] = {}
        ids = [
            labels.setdefault(name[len(paths[p]) + 1 :] if p else name, len(labels))
            for name, p in zip(names, path, strict=True)
        ]
        return cls(paths, path, list(labels), ids)

    def __len__(self) -> int:
        return len(self.path)

    def __getitem__(self, i):
        if type(i) is int:  # the common case first: ops' names are read one by one
            p = self.path[i]
            return (
                self.paths[p] + "/" + self.labels[self.label[i]]
                if p
                else self.labels[self.label[i]]
            )
        return super().__getitem__(i)

    def _one(self, i: int) -> str:
        i = operator.index(i)
        p = self.path[i]
        label = self.labels[self.label[i]]
        return f"{self.paths[p]}/{label}" if p else label

    def _many(self, ids: range) -> list[str]:
        paths, labels = self.paths, self.labels
        span = slice(ids.start, ids.stop, ids.step)
        return [
            f"{paths[p]}/{labels[x]}" if p else labels[x]
            for p, x in zip(self.path[span], self.label[span], strict=True)
        ]

    def extended(self, paths: Sequence[str], names: Sequence[str], path) -> Names:
        """These names and ``names`` (in scopes ``path``) after them; ``paths`` holds these
        names' paths and theirs."""
        labels = list(self.labels)
        known = {label: i for i, label in enumerate(labels)}
        more = []
        for name, p in zip(names, path, strict=True):
            label = name[len(paths[p]) + 1 :] if p else name
            more.append(known.setdefault(label, len(labels)))
            if more[-1] == len(labels):
                labels.append(label)
        return Names(paths, _joined(self.path, path), labels, _joined(self.label, more))


class Interned(_Column):
    """A string per op from a few distinct ones: ``values[ids[i]]`` (op types, devices)."""

    __slots__ = ("values", "ids")

    def __init__(self, values: Sequence[str], ids) -> None:
        self.values = tuple(values)
        self.ids = ids if isinstance(ids, memoryview) else ints(ids)

    @classmethod
    def of(cls, strings: Sequence[str]) -> Interned:
        index: dict[str, int] = {}
        ids = [index.setdefault(s, len(index)) for s in strings]
        return cls(list(index), ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        if type(i) is int:
            return self.values[self.ids[i]]
        return super().__getitem__(i)

    def _one(self, i: int) -> str:
        return self.values[self.ids[operator.index(i)]]

    def _many(self, ids: range) -> list[str]:
        return list(map(self.values.__getitem__, self.ids[ids.start : ids.stop : ids.step]))

    def __iter__(self) -> Iterator[str]:
        return map(self.values.__getitem__, self.ids)

    def __contains__(self, value) -> bool:
        return value in self.values  # each value is some op's

    def extended(self, strings: Sequence[str]) -> Interned:
        """These strings and ``strings`` after them."""
        values = list(self.values)
        index = {v: i for i, v in enumerate(values)}
        more = []
        for s in strings:
            more.append(index.setdefault(s, len(values)))
            if more[-1] == len(values):
                values.append(s)
        return Interned(values, _joined(self.ids, more))
