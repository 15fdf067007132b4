"""How many variables each group reads where the graph holds only their handles.

A traced TF2 function takes its variables as resource handles: captured ``_Arg``s of type
``DT_RESOURCE`` beside the function's real inputs (`GraphModel.captured_handles`), or, once the
function is inlined into a graph, resource ``Placeholder``s beside the ops that read them. The
graph keeps neither their shapes nor their values, so a group's card cannot count its
parameters; it can say how many variables the group reads. A handle counts for every group
that holds it or one of the ops reading it, so a Keras block whose variables are captured by
the outer function still counts its own (``block_0_1``: 16 variables), and the function's
scope counts each variable once.

PyTorch's graphs read a module's parameters and buffers by name (`torch_reads`: a
``prim::GetAttr`` of ``weight`` under ``Linear[fc]``), without their shapes either: they are
counted as variables read the same way, each parameter once however often it is read (GPT-2's
``Embedding[wte]/weight`` twice, for the input and the tied output).
"""

from __future__ import annotations

import re

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


#: PyTorch's read of a module's attribute.
TORCH_READ = "prim::GetAttr"
# A read's name is the attribute's path and a count TorchScript adds (``weight/weight.55``).
_READ_COUNT = re.compile(r"\.\d+$")


def torch_reads(model: GraphModel) -> dict[int, str]:
    """PyTorch's reads of parameters and buffers (`TORCH_READ` ops that an op other than
    another such read takes: a read of a submodule feeds only reads of its attributes), each
    with the parameter it reads: its name less TorchScript's count."""
    types = model.op_types
    reads = [i for i, t in enumerate(types[: model.op_count]) if t == TORCH_READ]
    if not reads:
        return {}
    src, dst = model.edge_src, model.edge_dst
    at = np.flatnonzero(np.isin(src, np.asarray(reads, dtype=src.dtype)))
    tensors = {
        h for h, r in zip(src[at].tolist(), dst[at].tolist(), strict=True) if types[r] != TORCH_READ
    }
    return {i: _READ_COUNT.sub("", model.names[i]) for i in reads if i in tensors}


def variables_read(
    model: GraphModel, found: list[int], same: dict[int, str] | None = None
) -> dict[int, int]:
    """For each group holding one of the handles ``found`` (`handles`) or an op reading one,
    how many distinct variables that is (groups that read none are left out): each handle
    is one, but those ``same`` maps to one name (`torch_reads`) are one between them."""
    if not found:
        return {}
    same = same or {}
    src, dst = model.edge_src, model.edge_dst
    reads = np.isin(src, np.asarray(found, dtype=src.dtype))
    readers: dict[int | str, set[int]] = {}
    for h in found:
        readers.setdefault(same.get(h, h), set()).add(h)
    for h, reader in zip(src[reads].tolist(), dst[reads].tolist(), strict=True):
        readers[same.get(h, h)].add(reader)
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
