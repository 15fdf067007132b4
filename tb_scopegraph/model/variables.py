"""How many variables each group reads where the graph holds only their handles.

A traced TF2 function takes its variables as resource handles: captured ``_Arg``s of type
``DT_RESOURCE`` beside the function's real inputs (`GraphModel.captured_handles`), or, once the
function is inlined into a graph, resource ``Placeholder``s beside the ops that read them. The
graph keeps neither their shapes nor their values, so a group's card cannot count its
parameters; it can say how many variables the group reads. A handle counts for every group
that holds it or one of the ops reading it, so a Keras block whose variables are captured by
the outer function still counts its own (``block_0_1``: 16 variables), and the function's
scope counts each variable once.
"""

from __future__ import annotations

import numpy as np

from tb_scopegraph.model.attrs import is_resource
from tb_scopegraph.model.graph import GraphModel


def handles(model: GraphModel) -> list[int]:
    """The ops that are variable handles, in graph order: the captured resource ``_Arg``s the
    build found (`GraphModel.captured_handles`) and resource ``Placeholder``s (each parsed: a
    few hundred in a training step)."""
    types = model.op_types
    placeholders = [
        i
        for i, t in enumerate(types[: model.op_count])
        if t == "Placeholder" and is_resource(model.node_def(i))
    ]
    return sorted([*model.captured_handles, *placeholders])


def variables_read(model: GraphModel, found: list[int]) -> dict[int, int]:
    """For each group holding one of the handles ``found`` (`handles`) or an op reading one,
    how many distinct handles that is (groups that read none are left out)."""
    if not found:
        return {}
    src, dst = model.edge_src, model.edge_dst
    reads = np.isin(src, np.asarray(found, dtype=src.dtype))
    readers: dict[int, set[int]] = {h: {h} for h in found}
    for h, reader in zip(src[reads].tolist(), dst[reads].tolist(), strict=True):
        readers[h].add(reader)
    parents = model.groups.parents
    counts: dict[int, int] = {}
    for ops in readers.values():
        holders: set[int] = set()
        for op in ops:
            group = int(model.op_group[op])
            while group >= 0 and group not in holders:
                holders.add(group)
                group = int(parents[group])  # the root's parent is -1
        for group in holders:
            counts[group] = counts.get(group, 0) + 1
    return counts
