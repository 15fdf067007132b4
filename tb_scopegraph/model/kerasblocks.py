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

A block's layers keep their keys: a block's key is not a prefix of theirs (``conv4_block2``
holds ``conv4_block2_1_conv``), but their names below the block's key, cut one character
after it, are the same in every block, as `rolls` compares them.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from tb_scopegraph.model.graph import SCOPE, SERIES

#: A layer of a block: the stem (up to ``block`` and an optional ``_``), the block's number,
#: the layer's own name.
BLOCK_LAYER = re.compile(r"(?P<stem>.*?block_?)(?P<n>\d+)_(?P<rest>.+)")
#: Blocks named alike in a row make a series of their own from this many on.
RUN_MIN = 3


def gather(graph, keys: list[str], labels: list[str], kinds: list[str], by_key: dict, g_parent):
    """Gather Keras block layers into block scopes (and runs of them into series), appending
    the new groups to ``keys``, ``labels``, ``kinds``, ``by_key`` and to ``graph``'s
    ``path_prefix``, ``path_number`` and ``prefixes`` (what `tree` folds series from);
    the groups' parents afterwards."""
    # A substring test first: a million-op graph has hundreds of thousands of labels.
    found: dict[tuple[int, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for gid in [i for i, label in enumerate(labels) if "block" in label]:
        match = BLOCK_LAYER.fullmatch(labels[gid])
        if match is None or kinds[gid] != SCOPE:
            continue
        found[int(g_parent[gid]), match["stem"]][int(match["n"])].append(gid)
    if not found:
        return g_parent
    parents = g_parent.tolist()
    prefix = graph.path_prefix.tolist()
    number = graph.path_number.tolist()
    prefix_ids = {p: i for i, p in enumerate(graph.prefixes)}

    def add(key: str, label: str, kind: str, parent: int, code: int = -1, n: int = 0) -> int:
        gid = len(keys)
        keys.append(key)
        labels.append(label)
        kinds.append(kind)
        by_key[key] = gid
        parents.append(parent)
        prefix.append(code)
        number.append(n)
        return gid

    for (parent, stem), blocks in found.items():
        head = f"{keys[parent]}/" if parent else ""
        if len(blocks) < 2 or any(f"{head}{stem}{n}" in by_key for n in blocks):
            continue
        numbers = sorted(blocks)
        runs = _runs(numbers, blocks, labels, len(stem))
        code = -1
        if not any(len(run) >= RUN_MIN for run in runs):
            if stem not in prefix_ids:
                prefix_ids[stem] = len(graph.prefixes)
                graph.prefixes.append(stem)
            code = 2 * prefix_ids[stem]  # tree folds them into a series, if enough
        for run in runs:
            owner = parent
            if len(run) >= RUN_MIN:
                label = f"{stem}[{run[0]}-{run[-1]}]"
                owner = add(f"{head}{label}", label, SERIES, parent)
            for n in run:
                block = add(f"{head}{stem}{n}", f"{stem}{n}", SCOPE, owner, code, n)
                for layer in blocks[n]:
                    parents[layer] = block
    graph.path_prefix = np.asarray(prefix, dtype=np.int64)
    graph.path_number = np.asarray(number, dtype=graph.path_number.dtype)
    return np.asarray(parents, dtype=np.int64)


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
