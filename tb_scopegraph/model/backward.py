"""Which ops beside a gradient scope compute gradients all the same (`backward_ops`).

TF writes most of a training step's backward pass under its gradient scope (``gradients``,
TF2's ``gradient_tape``), but not all of it: the gradient of a function with its own
(``tf.custom_gradient``, as Keras's ``swish`` has) is written where the function was called,
beside the scope. A traced EfficientNetB0 training step holds, beside ``gradient_tape``,
seven series of such ops (``mul_[1-391]``, ``Sigmoid_[1-48]``, ``Square_[1-48]``,
``Sum_[1-48]``, ``sub_[1-97]``, ``add_[1-48]``, ``AddN_[1-122]``) and their first members:
fourteen boxes of the main flow, which spent the first view's box budget before the model
could open.

They are told by the flow, not by names (their names are the ops' own): among the ops
beside a gradient scope (its siblings' and its parent's own, of no scope that holds
parameters or is named as plumbing), an op is backward when

- it reads a gradient (an op of the gradient scope, or one found backward), or
- all it feeds is backward, and some of that was found so, not the gradient scope itself
  (the recomputed ``Sigmoid`` of a swish feeds only its gradient; a loss feeds the
  gradient scope alone, and stays the flow's).

Nothing of the forward path reads a gradient, and every forward op but the loss feeds the
next forward op, so neither rule reaches it. An op joined to the gradient scope alone stays
beside it (see `backward_ops`).
"""

from __future__ import annotations

import re

import numpy as np

from tb_scopegraph.model.graph import SCOPE, GraphModel
from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY

#: Names of the scopes TF writes a backward pass under.
GRADIENT_NAME = re.compile(r"(?i)^(gradients?|gradient_tape)(_\d+)?$")
#: At most this many steps from a gradient (the longest chain of a custom gradient's ops
#: is a few).
BACKWARD_STEPS = 64


def backward_ops(
    model: GraphModel,
    plain: np.ndarray,
    held: np.ndarray,
    plumbing_name: re.Pattern[str],
) -> np.ndarray:
    """The ids of the ops beside a gradient scope that compute gradients (see the module
    docstring). ``plain``: per op, whether it is of the main flow and no parameter;
    ``held``: per group, whether it or a group inside it holds parameters;
    ``plumbing_name``: what names a group of plumbing (it stays what its name says)."""
    groups = model.groups
    labels, kinds, parents = groups.labels, groups.kinds, groups.parents
    table = {label: bool(GRADIENT_NAME.match(label)) for label in set(labels)}
    if not any(table.values()):
        return np.zeros(0, dtype=np.int64)
    # The function library's bodies are drawn closed, each a box its calls lead to: the
    # ones beside a gradient there (a loop body's pushes of what its gradient reads, the
    # gradient body's outputs) are the function's.
    library = np.zeros(len(groups), dtype=np.int8)
    library[[g for g, label in enumerate(labels) if label == FUNCTION_LIBRARY]] = 1
    _inherit(groups, library)
    scopes = [
        g for g, label in enumerate(labels) if table[label] and kinds[g] == SCOPE and not library[g]
    ]
    if not scopes:
        return np.zeros(0, dtype=np.int64)
    beside = {parents[g] for g in scopes}
    # Groups inside a gradient scope (1), then the candidates' groups (2): the siblings of a
    # gradient scope outside any, of no parameters, no plumbing name, not the function
    # library, and all they hold.
    mark = np.zeros(len(groups), dtype=np.int8)
    mark[scopes] = 1
    _inherit(groups, mark)
    beside = {p for p in beside if mark[p] != 1}  # a gradient scope inside another's
    for p in beside:
        for c in groups.children(p):
            if (
                not mark[c]
                and not held[c]
                and not plumbing_name.match(labels[c])
                and not library[c]
            ):
                mark[c] = 2
    _inherit(groups, mark)
    n = len(plain)
    real = model.op_count
    where = np.asarray(model.op_group[:real], dtype=np.int64)
    seed = np.zeros(n, dtype=bool)
    seed[:real] = mark[where] == 1
    candidate = np.zeros(n, dtype=bool)
    own = np.isin(where, np.fromiter(beside, dtype=np.int64, count=len(beside)))
    candidate[:real] = (mark[where] == 2) | own
    candidate &= plain & ~seed
    if not candidate.any() or not seed.any():
        return np.zeros(0, dtype=np.int64)
    data = ~np.asarray(model.edge_control, dtype=bool)
    src, dst = np.asarray(model.edge_src)[data], np.asarray(model.edge_dst)[data]
    feeds = np.bincount(src, minlength=n)
    back = seed.copy()
    for _ in range(BACKWARD_STEPS):
        reads = np.bincount(dst, weights=back[src], minlength=n) > 0
        fed_back = np.bincount(src, weights=back[dst], minlength=n)
        fed_found = np.bincount(src, weights=(back & ~seed)[dst], minlength=n) > 0
        only = (feeds > 0) & (fed_back == feeds) & fed_found
        found = back | (candidate & (reads | only))
        if (found == back).all():
            break
        back = found
    # An op joined to the gradient scope alone (the ``AddN`` of a tensor's two gradients,
    # read from and back into it) stays where it is drawn, beside the scope: set apart,
    # resnet50_train's ``AddN_[1-121]`` and ``AddN`` left a stub naming them both ways on
    # ``gradient_tape`` and moved the model's stages from a column into crossing rows.
    others_in = np.bincount(dst, weights=~seed[src], minlength=n)
    others_out = np.bincount(src, weights=~seed[dst], minlength=n)
    beside_scope = (others_in == 0) & (others_out == 0)
    return np.flatnonzero(back & ~seed & ~beside_scope)


def _inherit(groups, mark: np.ndarray) -> None:
    """Give every unmarked group its parent's mark, one nesting level at a time."""
    nesting = np.asarray(groups.nestings)
    parent = np.asarray(groups.parents)
    by_depth = np.argsort(nesting, kind="stable")
    starts = np.searchsorted(nesting[by_depth], np.arange(int(nesting.max()) + 2)).tolist()
    for depth in range(1, len(starts) - 1):
        at = by_depth[starts[depth] : starts[depth + 1]]
        inherit = (mark[at] == 0) & (mark[parent[at]] > 0)
        mark[at[inherit]] = mark[parent[at[inherit]]]
