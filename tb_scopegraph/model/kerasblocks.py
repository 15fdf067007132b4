"""Keras blocks: sibling layers named ``<stem><N>_<layer>`` gathered into one scope per block.

Keras names the layers of a block after the block, not in a scope of it: ResNet50's
``conv4_block2_1_conv``, ``conv4_block2_1_bn``, ``conv4_block2_out``; MobileNetV2's
``block_7_expand``, ``block_7_project_BN``; VGG's ``block1_conv1``. Sibling layer scopes
named so, with two or more block numbers of one stem, are gathered into a scope per block
(``conv4_block2``), so that a block is one box and blocks can repeat:

- a run of `RUN_MIN` or more blocks in a row whose layers are named alike (the same names
  after the block number) is a series of its own (``conv4_block[2-6]``), which views roll
  when its blocks are wired alike too (`rolls`); the blocks around it stay scopes
  (ResNet's first block of a stage has a shortcut convolution the others lack);
- without such a run, `SERIES_MIN` or more blocks are left for `tree` to fold into a series
  like any numbered siblings: blocks that differ stay a series, never rolled.

Blocks are gathered further into *stages*, so that a first view shows a deep model as a
few boxes (ResNet50's 16 blocks and its stem are a column too tall to read whole):

- stems named after a stage (``conv2_block``, ``conv3_block`` …: two or more under one
  parent) make a scope per stage (``conv2``);
- in a stem without stage names (MobileNetV2's ``block_``), a block followed by a run of two
  or more blocks named alike, but unlike it, starts a stage holding them
  (``block_3-5``: a block that changes the resolution or width, then the residual blocks
  that keep it), as the network's own tables count its stages;
- beside blocks, layers whose names differ only in their last words are one scope (ResNet's
  stem ``conv1_pad``, ``conv1_conv``, ``conv1_bn``: ``conv1``; MobileNetV2's first block
  ``expanded_conv_depthwise``, ``expanded_conv_project`` …: ``expanded_conv``);
- a model scope still showing more than `CHAIN_MAX` boxes gathers the layers before its first
  block into a scope ``stem`` and those after its last into ``head`` (MobileNetV2's
  ``Conv1``, ``bn_Conv1`` …; ``Conv_1`` … ``predictions``), by the order of their ops.

A block's layers keep their keys: a block's key is not a prefix of theirs (``conv4_block2``
holds ``conv4_block2_1_conv``), but their names below the block's key, cut one character
after it, are the same in every block, as `rolls` compares them. So do blocks in a stage.
"""

from __future__ import annotations

import collections
import heapq
import re
from collections import defaultdict

import numpy as np

from tb_scopegraph.model.graph import SCOPE, SERIES
from tb_scopegraph.model.grouptable import Column, GroupTable

#: A layer of a block: the stem (up to ``block`` and an optional ``_``), the block's number,
#: the layer's own name.
BLOCK_LAYER = re.compile(r"(?P<stem>.*?block_?)(?P<n>\d+)_(?P<rest>.+)")
#: Blocks named alike in a row make a series of their own from this many on.
RUN_MIN = 3
#: A stem named after its stage: the stage, then ``block`` (``conv2_block``).
STAGE_STEM = re.compile(r"(?P<stage>.*[^_])_?block_?")
#: A model scope showing more boxes than this, its blocks gathered, gathers the layers before
#: its first block (``stem``) and after its last (``head``): a chain much longer is a column
#: too tall to read whole in a 1,400 x 900 window.
CHAIN_MAX = 12
_DIGITS = re.compile(r"\d+")
#: A scope of this many layers or more, without blocks, is cut into blocks (`_segments`).
SEGMENT_MIN = 40
#: Blocks in a stem without stage names start a stage when a run of this many alike follows.
STAGE_RUN_MIN = 2


def gather(graph, table: GroupTable) -> None:
    """Gather Keras block layers into block scopes (and runs of them into series), added to
    ``table`` (a numbered block with its prefix, added to ``graph``'s ``prefixes``, and
    number: what `tree` folds series from)."""
    keys, labels, kinds, by_key = table.keys, table.labels, table.kinds, table.by_key
    # A substring test first: a million-op graph has hundreds of thousands of labels.
    found: dict[tuple[int, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for gid in [i for i, label in enumerate(labels) if "block" in label]:
        match = BLOCK_LAYER.fullmatch(labels[gid])
        if match is None or kinds[gid] != SCOPE:
            continue
        found[table.parents[gid], match["stem"]][int(match["n"])].append(gid)
    flat = _flat_models(graph, labels, kinds, table.parents.array(), {p for p, _ in found})
    if not found and not flat:
        return
    parents = table.parents
    prefix_ids = {p: i for i, p in enumerate(graph.prefixes)}
    add = table.new

    known = len(keys)  # the groups read; those added here are blocks, stages and runs
    layers_as_blocks: set[int] = set()  # layers that are blocks themselves (``called``)
    staged = {(p, stem) for p, stem in found if _stage_of(stem)}
    by_parent: dict[int, list[str]] = defaultdict(list)
    for p, stem in staged:
        by_parent[p].append(stem)
    staged = {(p, stem) for p, stems in by_parent.items() if len(stems) >= 2 for stem in stems}
    for (parent, stem), blocks in found.items():
        head = f"{keys[parent]}/" if parent else ""
        if len(blocks) < 2 or any(f"{head}{stem}{n}" in by_key for n in blocks):
            continue
        numbers = sorted(blocks)
        runs = _runs(numbers, blocks, labels, len(stem))
        stages: list[list[list[int]]] = [runs]
        stage_of: dict[int, str]
        if (parent, stem) in staged and f"{head}{_stage_of(stem)}" not in by_key:
            stage_of = {id(runs): _stage_of(stem)}
        elif not _stage_of(stem):
            stages = _stages(runs)
            stage_of = {id(s): f"{stem}{s[0][0]}-{s[-1][-1]}" for s in stages if len(s) > 1}
            # One stage of every block says nothing the stem does not.
            if len(stages) == 1 or any(f"{head}{k}" in by_key for k in stage_of.values()):
                stages, stage_of = [runs], {}
        else:
            stage_of = {}
        code = -1
        if not stage_of and not any(len(run) >= RUN_MIN for run in runs):
            if stem not in prefix_ids:
                prefix_ids[stem] = len(graph.prefixes)
                graph.prefixes.append(stem)
            code = 2 * prefix_ids[stem]  # tree folds them into a series, if enough
        # Keras 3 numbers a layer's calls (``block_0_1``: block_0 called once): each "block"
        # is one layer, the block itself, and a scope around it would be a frame holding one.
        called = all(
            len(blocks[n]) == 1 and labels[blocks[n][0]][len(f"{stem}{n}_") :].isdigit()
            for n in numbers
        )
        for stage in stages:
            stage_owner = parent
            if id(stage) in stage_of:
                label = stage_of[id(stage)]
                stage_owner = add(f"{head}{label}", label, SCOPE, parent)
            for run in stage:
                owner = stage_owner
                if len(run) >= RUN_MIN:
                    label = f"{stem}[{run[0]}-{run[-1]}]"
                    owner = add(f"{head}{label}", label, SERIES, stage_owner)
                for n in run:
                    if called:
                        (layer,) = blocks[n]
                        parents[layer] = owner
                        table.prefix[layer], table.number[layer] = code, n
                        layers_as_blocks.add(layer)
                        continue
                    block = add(f"{head}{stem}{n}", f"{stem}{n}", SCOPE, owner, code, n)
                    for layer in blocks[n]:
                        parents[layer] = block
    # The blocks, their stages and runs.
    blockish = set(range(known, len(keys))) | layers_as_blocks
    # Layers named alike but for their last words, beside the blocks: one scope.
    for parent in {p for p, _ in found}:
        head = f"{keys[parent]}/" if parent else ""
        by_word: dict[str, list[int]] = defaultdict(list)
        for gid in (np.flatnonzero(parents.array()[1:known] == parent) + 1).tolist():
            if kinds[gid] == SCOPE and gid not in layers_as_blocks:
                by_word[labels[gid].split("_", 1)[0]].append(gid)
        for members in by_word.values():
            label = _common_words([labels[g] for g in members])
            if len(members) >= 2 and label and f"{head}{label}" not in by_key:
                owner = add(f"{head}{label}", label, SCOPE, parent)
                for layer in members:
                    parents[layer] = owner
    # Still a long chain: the layers before the first block and those after the last.
    for parent in {p for p, _ in found}:
        members = (np.flatnonzero(parents.array()[1:] == parent) + 1).tolist()
        if len(members) <= CHAIN_MAX or not blockish & set(members):
            continue
        first, last = _op_spans(graph.op_path, parents, parent)
        inside = [g for g in members if g in blockish and g in first]
        begin = min(first[g] for g in inside)
        end = max(last[g] for g in inside)
        head = f"{keys[parent]}/" if parent else ""
        for label, part in (
            ("stem", [g for g in members if g not in blockish and last.get(g, end) < begin]),
            ("head", [g for g in members if g not in blockish and first.get(g, begin) > end]),
        ):
            if len(part) >= 2 and f"{head}{label}" not in by_key:
                owner = add(f"{head}{label}", label, SCOPE, parent)
                for layer in part:
                    parents[layer] = owner
    # Layers without blocks (InceptionV3's 312): a block ends at each layer that every path
    # through the model runs through (its ``mixed0`` … ``mixed10`` concatenations).
    held = _held_by(graph.op_path, parents, flat) if flat else {}
    for parent in flat:
        head = f"{keys[parent]}/" if parent else ""
        segments, stem, tail = _segments(graph, parents, *held[parent])
        if len(segments) < 2:
            continue
        named = []
        for segment in segments:
            end = labels[segment[-1]]
            label = re.sub(r"_\d+$", "", end) or end  # Keras' call count: mixed0_1 is mixed0
            if f"{head}{label}" in by_key:
                label = f"{end} block"
            named.append((label, segment))
        # Blocks in a row made of the same layers (by kind: ``conv2d``, ``activation`` …) are
        # a series, as a run of blocks named alike is.
        kinds_of = [sorted(re.sub(r"[\d_]+", "", labels[g]) for g in seg) for _, seg in named]
        run: list[int] = []
        for i in range(len(named) + 1):
            if i < len(named) and (not run or kinds_of[i] == kinds_of[run[0]]):
                run.append(i)
                continue
            owner = parent
            first, last = named[run[0]][0], named[run[-1]][0]
            pattern = _DIGITS.sub("#", first)
            if len(run) >= RUN_MIN and _DIGITS.sub("#", last) == pattern:
                numbers = [_DIGITS.findall(named[k][0]) for k in run]
                label = f"{first.rsplit(numbers[0][-1], 1)[0]}[{numbers[0][-1]}-{numbers[-1][-1]}]"
                if f"{head}{label}" not in by_key:
                    owner = add(f"{head}{label}", label, SERIES, parent)
            for k in run:
                label, segment = named[k]
                if f"{head}{label}" in by_key:
                    continue
                block = add(f"{head}{label}", label, SCOPE, owner)
                for layer in segment:
                    parents[layer] = block
            run = [i]
        for label, part in (("stem", stem), ("head", tail)):
            if len(part) >= 2 and f"{head}{label}" not in by_key:
                owner = add(f"{head}{label}", label, SCOPE, parent)
                for layer in part:
                    parents[layer] = owner


def _runs(
    numbers: list[int], blocks: dict[int, list[int]], labels: list[str], cut: int
) -> list[list[int]]:
    """``numbers`` in runs of blocks in a row whose layers are named alike."""
    names = {n: sorted(labels[g][cut + len(str(n)) :] for g in blocks[n]) for n in numbers}
    runs = [[numbers[0]]]
    for n in numbers[1:]:
        last = runs[-1][-1]
        if n == last + 1 and names[n] == names[last]:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _stage_of(stem: str) -> str:
    """The stage a stem names (``conv2`` of ``conv2_block``), or ""."""
    match = STAGE_STEM.fullmatch(stem)
    return match["stage"] if match else ""


def _stages(runs: list[list[int]]) -> list[list[list[int]]]:
    """Runs of blocks in stages: a lone block, then a run of `STAGE_RUN_MIN` or more blocks
    alike, are one stage; any other run is a stage of its own."""
    stages: list[list[list[int]]] = []
    for run in runs:
        if (
            stages
            and len(stages[-1]) == 1
            and len(stages[-1][0]) == 1
            and len(run) >= STAGE_RUN_MIN
        ):
            stages[-1].append(run)
        else:
            stages.append([run])
    return stages


def _common_words(labels: list[str]) -> str:
    """The words (``_``-separated) ``labels`` all begin with, when what follows them in each
    names a layer (holds a letter: ``conv1`` of ``conv1_pad``, ``conv1_bn``), else ""
    (Keras' numbering: ``batch_normalization_1``, ``batch_normalization_2``)."""
    words = [label.split("_") for label in labels]
    n = 0
    while all(len(w) > n + 1 and w[n] == words[0][n] for w in words):
        n += 1
    if not n or not all(any(c.isalpha() for c in "".join(w[n:])) for w in words):
        return ""
    return "_".join(words[0][:n])


def _tops(op_path: np.ndarray, parents: Column, parent: int) -> np.ndarray:
    """Each op's child group of ``parent`` it is in (at any depth), or -1."""
    up = parents.array()
    top = np.asarray(op_path, dtype=np.int64).copy()
    # Climbed a level at a time, numpy over all ops.
    while True:
        climb = (top != 0) & (top != parent) & (up[top] != parent)
        if not climb.any():
            break
        top[climb] = up[top[climb]]
    top[(top == parent) | (top == 0)] = -1
    return top


def _op_spans(op_path: np.ndarray, parents: Column, parent: int) -> tuple[dict, dict]:
    """The first and last op (by its place in the graph) of each child group of ``parent``
    that holds ops, ops of its subgroups included."""
    top = _tops(op_path, parents, parent)
    ops = np.flatnonzero(top >= 0)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for op, g in zip(ops.tolist(), top[ops].tolist(), strict=True):
        first.setdefault(g, op)
        last[g] = op
    return first, last


def _flat_models(
    graph, labels: list[str], kinds: list[str], g_parent: np.ndarray, staged: set[int]
) -> list[int]:
    """Scopes that hold `SEGMENT_MIN` or more scopes, no op of their own and no blocks: a
    model of layers without blocks, which `_segments` may cut into blocks. Not a scope most
    of whose children are numbered alike (``layer_0`` … ``layer_95``, ``expert_0`` …): those
    are blocks already, which `tree` folds into a series; and cutting each of a million-op
    transformer's 96 mixtures of experts cost seconds."""
    n = len(kinds)
    is_scope = np.fromiter(map(SCOPE.__eq__, kinds), bool, n)
    scopes = np.bincount(g_parent[1:][is_scope[1:]], minlength=n)
    ops = np.bincount(np.asarray(graph.op_path, dtype=np.int64), minlength=n)[:n]
    found = np.flatnonzero((scopes >= SEGMENT_MIN) & (ops == 0) & is_scope).tolist()
    if not found:
        return []
    children: dict[int, list[str]] = defaultdict(list)
    wanted = set(found) - staged
    for gid in np.flatnonzero(np.isin(g_parent, list(wanted))).tolist():
        children[int(g_parent[gid])].append(_DIGITS.sub("#", labels[gid]))
    flat = []
    for gid in sorted(wanted):
        names = children[gid]
        if 2 * max(collections.Counter(names).values()) <= len(names):
            flat.append(gid)
    return flat


def _held_by(op_path: np.ndarray, parents: Column, scopes: list[int]) -> dict:
    """Per scope of ``scopes``: the ops under it (at any depth, in order) and the child of
    it each is in. One climb of every op through its ancestors serves them all: a
    million-op graph may have a hundred such scopes, and a climb each took 34 s."""
    up = parents.array()
    wanted = np.zeros(len(parents), dtype=bool)
    wanted[scopes] = True
    cur = np.asarray(op_path, dtype=np.int64).copy()
    ops = np.arange(len(cur))
    found: dict[int, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    while len(cur):
        above = up[cur]
        hit = wanted[above] & (cur != 0)
        if hit.any():
            at = np.flatnonzero(hit)
            at = at[np.argsort(above[at], kind="stable")]
            keys, starts = np.unique(above[at], return_index=True)
            for scope, part in zip(keys.tolist(), np.split(at, starts[1:]), strict=True):
                found[scope].append((ops[part], cur[part]))
        going = (cur != 0) & (above >= 0)
        cur, ops = above[going], ops[going]
    out = {}
    for scope in scopes:
        parts = found.get(scope, [])
        op_ids = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        child = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        order = np.argsort(op_ids, kind="stable")
        out[scope] = (op_ids[order], child[order])
    return out


def _segments(
    graph, parents: Column, op_ids: np.ndarray, child: np.ndarray
) -> tuple[list[list[int]], list, list]:
    """A scope's child layers cut into blocks, in the order of their ops: a layer that no data
    edge between two others passes over ends a block (the layers since the last one and
    itself); layers in a row that end none stay single. ``op_ids`` are the ops under the
    scope, ``child`` the layer each is in. The blocks, and the single layers before the
    first (the stem) and after the last (the head)."""
    top = np.full(len(graph.op_path), -1, dtype=np.int64)
    top[op_ids] = child
    layers = list(dict.fromkeys(child.tolist()))  # by first op
    data = ~np.asarray(graph.e_ctrl, dtype=bool)
    src = top[np.asarray(graph.e_src)[data]]
    dst = top[np.asarray(graph.e_dst)[data]]
    keep = (src >= 0) & (dst >= 0) & (src != dst)
    pairs = set(zip(src[keep].tolist(), dst[keep].tolist(), strict=True))
    order = _topological(layers, pairs)
    pos = np.full(len(parents), -1, dtype=np.int64)
    pos[order] = np.arange(len(order))
    a = pos[[u for u, _ in pairs]] if pairs else np.zeros(0, np.int64)
    b = pos[[v for _, v in pairs]] if pairs else np.zeros(0, np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    # How many edges pass over each place: +1 just after an edge's start, -1 at its end.
    over = np.zeros(len(order) + 1, dtype=np.int64)
    np.add.at(over, lo + 1, 1)
    np.add.at(over, hi, -1)
    passed = np.cumsum(over)[: len(order)] > 0
    segments: list[list[int]] = []
    singles: list[tuple[int, int]] = []
    pending: list[int] = []
    for g, covered in zip(order, passed.tolist(), strict=True):
        if covered:
            pending.append(g)
        elif pending:
            segments.append([*pending, g])
            pending = []
        else:
            singles.append((len(segments), g))
    stem = [g for k, g in singles if k == 0]
    tail = [g for k, g in singles if k == len(segments)] if not pending else []
    return segments, stem, tail


def _topological(layers: list[int], pairs: set[tuple[int, int]]) -> list[int]:
    """``layers`` in an order that puts each before those it feeds (``pairs``), the one
    whose ops come first (its place in ``layers``) first among those ready; a layer left in
    a cycle is taken in its place."""
    place = {g: i for i, g in enumerate(layers)}
    feeds: dict[int, list[int]] = defaultdict(list)
    waits = dict.fromkeys(layers, 0)
    for u, v in pairs:
        feeds[u].append(v)
        waits[v] += 1
    ready = [place[g] for g in layers if not waits[g]]
    heapq.heapify(ready)
    order: list[int] = []
    done: set[int] = set()
    while len(order) < len(layers):
        if not ready:  # a cycle: the first layer left
            heapq.heappush(ready, min(place[g] for g in layers if g not in done))
        g = layers[heapq.heappop(ready)]
        if g in done:
            continue
        done.add(g)
        order.append(g)
        for v in feeds[g]:
            waits[v] -= 1
            if not waits[v] and v not in done:
                heapq.heappush(ready, place[v])
    return order
