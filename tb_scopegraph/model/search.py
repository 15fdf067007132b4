"""Search over a graph's names: which scopes and ops hold a text, or match a regex.

A scope's key is the key of the scope above it, ``/`` and a last segment; an op's name is its
scope's key, ``/`` and its label (`columns.Names`). A million-op transformer (bench/) has
300,000 scopes but 30,000 distinct segments and 214 distinct labels: 380 kB of text where
the names joined are 75 MB. So a plain search (a substring, ignoring case) scans the distinct
segments and labels, then works down the scope tree a depth at a time with numpy:

- a text without ``/`` lies within one segment or label: a scope holds it if its segment or
  the scope above does, an op if its label or its scope does;
- a text with ``/`` may span segments, cut at each of its ``/``: a scope's key ends with the
  text's part before its first ``/`` if its segment does, and with the part before a later
  ``/`` if its segment is the piece between that one and the one before and the key above
  ends with the part before that; a key holds the text if the key above does, or ends with
  the part before the last ``/`` with a segment starting with the rest. An op is hit the same
  way from its scope's key and its label (which may hold ``/``).

A miss on the million-op graph takes about a millisecond, where one `str.find` over every
name joined took 20-84 ms (bench/README.md, "search through segments and labels"). A key with
no scope before its last ``/`` (a series, a chunk, a top-level scope) is a segment whole. A
regex is matched against each whole name (`NameIndex.match`). Names are numbered scopes first
(in breadth-first order), then ops.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from operator import methodcaller

import numpy as np

from tb_scopegraph.model.graph import SCOPE, GraphModel

#: Strings found one by one in a joined text before each is tested (`Lines`).
_FEW = 32
#: Ops whose names are tested at a time: a search stops once it has found enough.
_OPS_AT_ONCE = 1 << 17


class NameIndex:
    """What a search reads of one graph's names (made once per graph, `GraphModel.name_index`).

    On the million-op graph about 15 MB: two small texts (segments and labels), six int32 per
    group, one per op (ops by scope path), the scopes' keys listed, and views of the names'
    own label and path columns."""

    def __init__(self, model: GraphModel) -> None:
        groups = model.groups
        order = np.asarray(model.order)[1:]
        scopes = order[groups.of_kind(SCOPE)[order]].tolist()
        #: The scopes' group ids, breadth first: names ``0 … len(scopes) - 1``.
        self.scopes = np.asarray(scopes, dtype=np.int32)
        #: Every name, scopes' then ops' (the ops' made when asked for, from the model's).
        self.names = IndexNames(list(map(groups.keys.__getitem__, scopes)), model.names)
        del scopes
        keys = list(groups.keys)
        n = len(keys)
        ids = dict(zip(keys, range(n), strict=True))
        cut = [key.rpartition("/") for key in keys]
        above = [ids.get(head, -1) if head else -1 for head, _, _ in cut]
        segments: dict[str, int] = {}
        segment_of = [
            segments.setdefault(tail if up >= 0 else key, len(segments))
            for (_, _, tail), key, up in zip(cut, keys, above, strict=True)
        ]
        del ids, cut
        self.segments = Lines(list(segments))
        self.labels = Lines(model.names.labels)
        #: The group whose key is before each group's last "/", or n: a slot never hit.
        self.above = np.asarray(above, dtype=np.int32)
        self.above[self.above < 0] = n
        self.segment_of = np.asarray(segment_of, dtype=np.int32)
        # Groups by segment, and by the group above: a search reaches the few groups of the
        # few segments it hits, and the groups under those, without a pass over every group.
        self.by_segment, self.segment_start = _runs(self.segment_of, len(segments))
        self.by_above, self.above_start = _runs(self.above, n + 1)
        self.op_path = np.frombuffer(model.names.path, dtype=np.int32)
        self.op_label = np.frombuffer(model.names.label, dtype=np.int32)
        #: The ops of each scope path.
        self.by_path, self.path_start = _runs(self.op_path, n)
        #: Whether the texts can be searched: no segment or label holds their separator.
        self.joined = self.segments.joined and self.labels.joined
        self._text: tuple[str, np.ndarray] | None = None

    @property
    def text(self) -> str:
        """Every name as written, joined with newlines (made when first asked: a server's
        regex search runs elsewhere on `names`, and plain search reads the segments)."""
        return self._joined()[0]

    @property
    def starts(self) -> np.ndarray:
        """Where each name starts in `text`."""
        return self._joined()[1]

    def _joined(self) -> tuple[str, np.ndarray]:
        if self._text is None:
            self._text = join(self.names)
        return self._text

    def find(self, query: str, limit: int) -> list[int]:
        """The first ``limit`` names that hold ``query``, ignoring case."""
        query = query.lower()
        if not self.joined:
            hits = (i for i, name in enumerate(self.names) if query in name.lower())
            return list(itertools.islice(hits, limit))
        if "\n" in query or limit <= 0:
            return []
        if not query:
            return list(range(min(limit, len(self.names))))
        cuts = [at for at, c in enumerate(query) if c == "/"]
        groups, ends = self._groups_holding(query, cuts)
        found = np.flatnonzero(groups[self.scopes])[:limit].tolist() if groups.any() else []
        if len(found) < limit:
            ops = self._ops_holding(query, cuts, groups, ends, limit - len(found))
            found += [len(self.scopes) + op for op in ops]
        return found

    def _groups_holding(self, query: str, cuts: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Whether each group's key holds ``query`` (lowered), and for each of its "/"
        (``cuts``) whether the key ends with the part before it; a last slot is never hit."""
        segments, n = self.segments, len(self.segment_of)

        def per_group(per_segment: np.ndarray) -> np.ndarray:
            mask = np.zeros(n + 1, dtype=bool)
            mask[self._groups_of(per_segment)] = True
            return mask

        # What each group's segment says alone: all of it for a key that is a segment whole.
        hit = per_group(segments.holding(query))
        ends = [per_group(segments.ending(query[:cut])) for cut in cuts]
        # A key ends with the part before a later "/" if its segment is the piece before that
        # "/" and the key above ends with the part before the piece (one step per "/").
        for j in range(1, len(cuts)):
            piece = segments.equal(query[cuts[j - 1] + 1 : cuts[j]])
            if piece.any() and ends[j - 1].any():
                held = self._groups_of(piece)
                ends[j][held] |= ends[j - 1][self.above[held]]
        if cuts:  # a key holds the text across its last "/"
            last = segments.starting(query[cuts[-1] + 1 :])
            if last.any() and ends[-1].any():
                held = self._groups_of(last)
                hit[held] |= ends[-1][self.above[held]]
        # And every key under one that holds it, a depth at a time.
        below = np.flatnonzero(hit)
        while len(below):
            below = _members(self.by_above, self.above_start, below)
            below = below[~hit[below]]
            hit[below] = True
        return hit, ends

    def _ops_holding(
        self, query: str, cuts: list[int], groups: np.ndarray, ends: list[np.ndarray], limit: int
    ) -> list[int]:
        """The first ``limit`` ops whose names hold ``query`` (lowered), given which groups'
        keys hold it and end with its parts before each "/"."""
        labels = self.labels.holding(query)
        spans = []  # an op's scope key ending with the part before a "/", its label the rest
        for cut, ending in zip(cuts, ends, strict=True):
            ending[0] = False  # an op in the root scope is its label alone: no "/" to span
            starting = self.labels.starting(query[cut + 1 :])
            if ending.any() and starting.any():
                spans.append((ending, starting))
        if not groups.any() and not labels.any() and not spans:
            return []
        if not labels.any():  # only the ops of some scopes can be hit: few, most often
            paths = groups[:-1].copy()
            for ending, _ in spans:
                paths |= ending[:-1]
            ops = self._ops_in(np.flatnonzero(paths))
            if ops is not None:
                path, label = self.op_path[ops], self.op_label[ops]
                hit = groups[path]
                for ending, starting in spans:
                    hit |= ending[path] & starting[label]
                return ops[hit][:limit].tolist()
        found: list[int] = []
        for start in range(0, len(self.op_path), _OPS_AT_ONCE):
            path = self.op_path[start : start + _OPS_AT_ONCE]
            label = self.op_label[start : start + _OPS_AT_ONCE]
            hit = groups[path] | labels[label]
            for ending, starting in spans:
                hit |= ending[path] & starting[label]
            found += (np.flatnonzero(hit)[: limit - len(found)] + start).tolist()
            if len(found) >= limit:
                break
        return found

    def _groups_of(self, per_segment: np.ndarray) -> np.ndarray:
        """The groups whose segment is one of those ``per_segment`` marks."""
        marked = np.flatnonzero(per_segment)
        start = self.segment_start
        if int((start[marked + 1] - start[marked]).sum()) * 8 > len(self.segment_of):
            return np.flatnonzero(per_segment[self.segment_of])  # many: one pass is quicker
        return _members(self.by_segment, start, marked)

    def _ops_in(self, paths: np.ndarray) -> np.ndarray | None:
        """The ops directly in scope paths ``paths``, in op order; None if there are more
        than a scan of every op is worth (a full op name with "/" leaves one scope to look
        in, where a scan of the million ops took 35-52 ms at load 12)."""
        sizes = self.path_start[paths + 1] - self.path_start[paths]
        if int(sizes.sum()) > _OPS_AT_ONCE:
            return None
        return np.sort(_members(self.by_path, self.path_start, paths))

    def match(self, pattern: re.Pattern, limit: int) -> list[int]:
        """The first ``limit`` names that ``pattern`` finds something in.

        The joined names are scanned with ``^`` and ``$`` matching at every name's ends; each
        name a match starts in is then tested alone, since a match may run on into the next
        name. Patterns whose meaning depends on being the whole string (``\\A``, ``\\Z``,
        look-behinds and -aheads, flags turned off) are tested name by name.
        """
        if not self.joined or _WHOLE_STRING.search(pattern.pattern):
            hits = (i for i, name in enumerate(self.names) if pattern.search(name))
            return list(itertools.islice(hits, limit))
        if not self.names:
            return []
        scan = re.compile(pattern.pattern, pattern.flags | re.MULTILINE)
        text, starts = self.text, self.starts
        found: list[int] = []
        at = 0
        while len(found) < limit and (hit := scan.search(text, at)) is not None:
            line = line_of(starts, hit.start())
            if pattern.search(self.names[line]):
                found.append(line)
            if line + 1 >= len(starts):
                break
            at = int(starts[line + 1])
        return found


#: What makes a pattern's meaning depend on the string being one name alone.
_WHOLE_STRING = re.compile(r"\\[AZG]|\(\?<|\(\?[=!]|\(\?[a-zA-Z]*-")


def _runs(keys: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The indices of ``keys`` by key (each key's in order) and where each key's run starts:
    key k's are ``order[start[k]:start[k + 1]]``, for keys below ``count``."""
    order = np.argsort(keys, kind="stable").astype(np.int32)
    start = np.searchsorted(keys[order], np.arange(count + 1)).astype(np.int32)
    return order, start


def _members(order: np.ndarray, start: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The runs of ``keys`` (see `_runs`) one after another."""
    first = start[keys]
    sizes = start[keys + 1] - first
    # Each item's place in `order`: its run's first, plus its place in the run.
    before = np.cumsum(sizes) - sizes
    return order[np.repeat(first - before, sizes) + np.arange(int(sizes.sum()))]


class Lines:
    """A few distinct strings lowered: which of them hold, end with, start with or equal a
    (lowered) text, as a bool per string.

    They are joined too, each after a newline and the last before one, so that the strings
    with a text are found by `str.find` while they are few: a text no string has in 0.1 ms
    over the million-op graph's 32,000 segments. Past `_FEW` of them each string is tested
    (about 3 ms on a quiet machine), which took a third of the time of finding each of
    many strings in the joined text with a regex."""

    def __init__(self, strings: Sequence[str]) -> None:
        self.strings = [low if (low := s.lower()) != s else s for s in strings]
        self.text = "\n" + "".join(f"{s}\n" for s in self.strings)
        #: Where each string starts in `text`, and where one after the last would.
        self.starts = [1, *itertools.accumulate(len(s) + 1 for s in self.strings)]
        self.starts[1:] = [at + 1 for at in self.starts[1:]]
        #: Whether no string holds the separator.
        self.joined = not any("\n" in s for s in self.strings)

    def _find(self, needle: str, lead: int, test) -> np.ndarray:
        """The strings that pass ``test``: those where `text` holds ``needle``, which starts
        ``lead`` characters before its string."""
        text, starts = self.text, self.starts
        found = np.zeros(len(self.strings), dtype=bool)
        at = text.find(needle)
        for _ in range(_FEW):
            if at < 0:
                return found
            line = bisect.bisect_right(starts, at + lead) - 1
            found[line] = True
            at = text.find(needle, starts[line + 1] - 1)
        return np.fromiter(map(test, self.strings), dtype=bool, count=len(self.strings))

    def holding(self, text: str) -> np.ndarray:
        return self._find(text, 0, lambda s: text in s)

    def ending(self, text: str) -> np.ndarray:
        if not text:
            return np.ones(len(self.strings), dtype=bool)
        return self._find(text + "\n", 0, methodcaller("endswith", text))

    def starting(self, text: str) -> np.ndarray:
        if not text:
            return np.ones(len(self.strings), dtype=bool)
        return self._find("\n" + text, 1, methodcaller("startswith", text))

    def equal(self, text: str) -> np.ndarray:
        return self._find(f"\n{text}\n", 1, text.__eq__)


class IndexNames(Sequence):
    """A name index's names: its scopes' keys, then the model's op names (made on access)."""

    __slots__ = ("scope_keys", "op_names")

    def __init__(self, scope_keys: list[str], op_names: Sequence[str]) -> None:
        self.scope_keys, self.op_names = scope_keys, op_names

    def __len__(self) -> int:
        return len(self.scope_keys) + len(self.op_names)

    def __getitem__(self, i: int) -> str:
        if isinstance(i, slice):
            return tuple(itertools.islice(self, *i.indices(len(self))))
        if i < 0:
            i += len(self)
        scopes = len(self.scope_keys)
        return self.scope_keys[i] if i < scopes else self.op_names[i - scopes]

    def __iter__(self):
        return itertools.chain(self.scope_keys, self.op_names)


def join(names: Sequence[str]) -> tuple[str, np.ndarray]:
    """``"\\n".join(names)`` and where each name starts in it, a chunk of names at a time:
    `str.join` lists what it joins first, and a million op names as strings at once took
    170 MB."""
    it = iter(names)
    parts, lengths = [], []
    while chunk := list(itertools.islice(it, 1 << 16)):
        parts.append("\n".join(chunk))
        lengths.extend(map(len, chunk))
    return "\n".join(parts), _offsets(np.asarray(lengths, dtype=np.int64))


def line_of(starts: np.ndarray, at: int) -> int:
    """The name that offset ``at`` of the joined names falls in.

    ``at`` is cast to ``starts``' own type first: numpy would otherwise convert the whole
    array to int64 for each look-up (0.4-2.4 ms on a million names, against 3 µs), and a
    search finding 50 names looks up 50 times.
    """
    return int(np.searchsorted(starts, starts.dtype.type(at), side="right")) - 1


def _offsets(lengths: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    # Kept with the index: int32 while the joined names are under 2**31 characters.
    return starts.astype(np.int32) if len(starts) and starts[-1] < 2**31 else starts
