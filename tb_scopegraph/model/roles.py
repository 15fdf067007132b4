"""What each op and group is for: the model's forward path, training plumbing, or auxiliary.

The first view shows the model, as TensorBoard's Graphs tab does on TF1 graphs, by telling
three kinds of nodes apart:

- **auxiliary** nodes, set apart from the main flow and drawn with short stubs instead of
  long edges: constants (any op type holding ``Const``, as TensorBoard matches it: TF's
  ``Const``, PyTorch's ``prim::Constant`` and ``prim::ListConstruct`` arguments), summaries
  and their merge (``ScalarSummary``, ``MergeSummary`` …), sinks that only wait on others
  (``NoOp``: ``init``, a training step's last op), a training step's counter
  (`step_counters`), the ops of a gradient TF writes beside the gradient scope (a custom
  gradient's: `model.backward`), save/restore scopes, and the handles of
  the variables a traced function captures (arguments of type ``DT_RESOURCE``, hundreds in
  a training step), counted on the boxes that read them instead of drawn. A group is
  auxiliary when the op named like it is (``accuracy``, a ``ScalarSummary``, with its tag
  inside), when its name says save or init, or when every op in it is auxiliary;
- **plumbing** groups: gradients, optimizers, losses and metrics, told by their name
  (``gradients``, ``gradient_tape``, ``adam``, ``train``, ``loss``, ``accuracy`` …) or by
  their ops (half or more are gradient or update ops: ``ReluGrad``, ``ApplyAdam``);
- **forward** groups: the others that hold parameters (variables, their reads, PyTorch's
  ``prim::GetAttr``), the layers of the model. The rest is *neutral*.

The first view opens forward groups first and plumbing only when nothing else is there to
open; auxiliary groups are never opened on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from tensorboard.compat.proto import types_pb2
from tensorboard.compat.proto.node_def_pb2 import NodeDef

from tb_scopegraph.model.backward import backward_ops
from tb_scopegraph.model.graph import ROOT, SCOPE, GraphModel

#: Auxiliary kinds of ops and groups ("" for a node of the main flow).
CONSTANT, SUMMARY, SINK, SAVE, HANDLE = "constant", "summary", "sink", "save", "handle"
COUNTER = "counter"
GRADIENT = "gradient"
#: Group roles, in the order the first view opens them; a variable's scope (its handle,
#: initial value and reads) is never opened on its own, nor an auxiliary group.
FORWARD, NEUTRAL, PLUMBING = "forward", "neutral", "plumbing"
VARIABLE, AUXILIARY = "variable", "auxiliary"

# Op categories, as small ints in per-op arrays.
_PLAIN, _CONSTANT, _SUMMARY, _SINK, _PARAM, _TRAIN, _HANDLE, _COUNTER, _GRADIENT = range(9)
_AUX_OF = {
    _CONSTANT: CONSTANT,
    _SUMMARY: SUMMARY,
    _SINK: SINK,
    _HANDLE: HANDLE,
    _COUNTER: COUNTER,
    _GRADIENT: GRADIENT,
}
_AUX_CATEGORIES = tuple(_AUX_OF)

# TensorBoard embeds every op type matching /Const/ (unanchored, so PyTorch's
# prim::Constant and prim::ListConstruct too) and /^[a-zA-Z]+Summary$/ (and V2 writers).
_CONST_TYPE = re.compile(r"Const")
_SUMMARY_TYPE = re.compile(r"^[A-Za-z]+Summary(V\d+)?$")
#: The op types of a traced function's arguments (``_DeviceArg`` once placed on a device).
ARG_TYPES = frozenset({"_Arg", "_DeviceArg"})
# A captured variable's handle is told by its type, ``T: DT_RESOURCE``, which TF writes on
# every argument; its name is only a fallback for an argument without ``T`` (a graph built by
# hand or by another writer), where TF's naming, after the op reading it
# (``dense_1_matmul_readvariableop_resource``), is all there is to go by.
_HANDLE_NAME = re.compile(r"(?i)(^|_)resource(_\d+)?$")
# The ops of resources that are not variables: datasets' iterators, summary writers, tables,
# queues.
_OTHER_RESOURCE = re.compile(r"Iterator|Dataset|Summary|Table|Queue|TensorArray|Stack|Mutex")
#: PyTorch's ops that read a tensor's shape, not its values (``x.size(1)``): what they
#: give, and what is worked out from it and from constants alone (``NumToTensor``, ``Int``,
#: ``floor_divide``, the ``ListConstruct`` of a new shape, a position ``arange``), is shape
#: plumbing, constant for a given input's shape, and a constant as the first view draws it
#: (`pytorch_constants`).
_SHAPE_READS = frozenset({"aten::size", "aten::dim", "aten::numel", "prim::shape", "aten::len"})
#: Ops that draw values at random are no constants, whatever they read.
_RANDOM_TYPE = re.compile(r"(?i)rand|normal|bernoulli|dropout|multinomial|poisson")
_PYTORCH_TYPE = re.compile(r"^(aten|prim|onnx)::")
#: A step counter's working out is at most this many ops (``Cast``, ``Add``) between its
#: constants and reads and its assignment.
COUNTER_STEPS = 6
_PARAM_TYPES = frozenset(
    {"VariableV2", "Variable", "VarHandleOp", "ReadVariableOp", "prim::GetAttr"}
)
_TRAIN_TYPE = re.compile(
    r"Grad|Backprop|^(Resource)?(Sparse)?Apply|^Assign(Add|Sub)?(VariableOp)?$|BroadcastGradientArgs"
)
# Names of save, restore and init scopes (TF1's Saver writes save, save_1, ...), and of the
# initialisers TF and Keras put beside each variable.
_SAVE_NAME = re.compile(
    r"(?i)^(save|restore|init|init_all_tables|report_uninitialized_\w+|initializer|IsInitialized"
    r"|truncated_normal|random_normal|random_uniform|\w+_initializer|zeros|ones)(_\d+)?$"
)
# Names of gradient, optimizer, loss and metric scopes as TF, Keras and common code write them.
_PLUMBING_NAME = re.compile(
    r"(?i)^(gradients?|gradient_tape|train|training|optimizer|\w*(sgd|adam|adagrad|adadelta"
    r"|rmsprop|momentum|ftrl|lamb|nadam|adamax|gradientdescent)|\w*loss(es)?|\w*cross_?entropy"
    r"|metrics?|evaluation|eval|accuracy|\w*_accuracy|precision|recall|auc|mean_\w*_error)(_\d+)*$"
)


def is_variable_handle(
    op_type: str, name: str, node: NodeDef | None = None, consumers: Sequence[str] = ()
) -> bool:
    """Whether an op is a traced function's captured variable handle: an argument
    (`ARG_TYPES`) whose ``T`` attribute, in ``node`` (its NodeDef), is ``DT_RESOURCE``; the
    function's real inputs are arguments too. A resource that only other resources' ops
    read (``consumers``, their op types: a dataset's ``IteratorGetNext``, a summary
    writer's ``WriteSummary``) is an input of its own, not a variable. Without ``T``, told
    by its name.

    >>> from tensorboard.compat.proto.node_def_pb2 import NodeDef
    >>> arg = NodeDef(name="f/kernel", op="_Arg")
    >>> arg.attr["T"].type = types_pb2.DT_RESOURCE
    >>> is_variable_handle("_Arg", arg.name, arg), is_variable_handle("_Arg", "f/w_resource")
    (True, True)
    >>> is_variable_handle("_Arg", "f/iterator", arg, ["IteratorGetNext"])
    False
    >>> arg.attr["T"].type = types_pb2.DT_FLOAT
    >>> is_variable_handle("_Arg", "f/x_resource", arg)
    False
    """
    if op_type not in ARG_TYPES:
        return False
    if node is not None and "T" in node.attr:
        if node.attr["T"].type != types_pb2.DT_RESOURCE:
            return False
        return not consumers or not all(_OTHER_RESOURCE.search(t) for t in consumers)
    return bool(_HANDLE_NAME.search(name))


def variable_handles(
    args: Sequence[int],
    names: Sequence[str],
    types: Sequence[str],
    node_def: Callable[[int], NodeDef],
    edges: tuple[np.ndarray, np.ndarray],
) -> list[int]:
    """Of ``args`` (ids of ops of `ARG_TYPES`), the variable handles (`is_variable_handle`),
    each NodeDef read by ``node_def``, their consumers found through ``edges`` (sources,
    destinations): a few hundred in a training step, microseconds each."""
    src, dst = edges
    reads = np.isin(src, np.asarray(args, dtype=np.int64))
    consumers: dict[int, list[str]] = {}
    for a, b in zip(src[reads].tolist(), dst[reads].tolist(), strict=True):
        consumers.setdefault(a, []).append(types[b])
    return [
        i for i in args if is_variable_handle("_Arg", names[i], node_def(i), consumers.get(i, ()))
    ]


def op_category(op_type: str, name: str = "") -> int:
    """The category of an op of this type and name (see the module docstring), an argument's
    told by its name alone (`Roles` reads its type)."""
    if op_type in ARG_TYPES:
        return _HANDLE if is_variable_handle(op_type, name) else _PLAIN
    if _SUMMARY_TYPE.match(op_type) or op_type in ("WriteSummary", "MergeSummary"):
        return _SUMMARY
    if _CONST_TYPE.search(op_type):
        return _CONSTANT
    if op_type == "NoOp":
        return _SINK
    if op_type in _PARAM_TYPES:
        return _PARAM
    if _TRAIN_TYPE.search(op_type):
        return _TRAIN
    return _PLAIN


def pytorch_constants(
    types: Sequence[str], edges: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> np.ndarray | None:
    """Which ops of a PyTorch graph are constants as a first view draws them (a bool per op),
    or None for a graph of no PyTorch ops.

    TorchScript spells every argument out as an op: an ``aten::linear`` reads a
    ``prim::Constant``, an ``aten::view`` the ``prim::ListConstruct`` of its new shape, made
    of ``aten::size`` of its input, ``aten::Int`` and more constants. A constant here is a
    ``prim::Constant``, a read of a shape (`_SHAPE_READS`), or an op whose data inputs are
    all constants (but for a parameter, an input and an op drawing at random): a
    ``ListConstruct`` of tensors (``torch.cat([a, b])``) is the flow's, not a constant.
    ``edges`` are the graph's (sources, destinations, control flags)."""
    if not any(_PYTORCH_TYPE.match(t) for t in set(types)):
        return None
    n = len(types)
    src, dst, control = edges
    data = ~np.asarray(control, dtype=bool)
    src, dst = np.asarray(src)[data], np.asarray(dst)[data]
    seed = np.fromiter(
        (t == "prim::Constant" or t in _SHAPE_READS for t in types), dtype=bool, count=n
    )
    # An op that is never a constant, whatever it reads.
    never = np.fromiter(
        (
            not _PYTORCH_TYPE.match(t) or t in _PARAM_TYPES or bool(_RANDOM_TYPE.search(t))
            for t in types
        ),
        dtype=bool,
        count=n,
    )
    inputs = np.bincount(dst, minlength=n)
    # An empty list (``prim::ListConstruct`` of nothing) is a constant too.
    seed |= (inputs == 0) & np.fromiter(map(_CONST_TYPE.search, types), dtype=bool, count=n)
    constant = seed.copy()
    # One pass per step of the longest chain of shape arithmetic (a few in a transformer's
    # attention): each pass asks every op whether all it reads is constant.
    while True:
        read = np.bincount(dst, weights=constant[src], minlength=n)
        found = seed | (~never & (inputs > 0) & (read == inputs))
        if (found == constant).all():
            return constant
        constant = found


#: Assignments to a variable (TF's, and resource variables').
_ASSIGN_TYPE = re.compile(r"^Assign(Add|Sub)?(VariableOp)?$")


def step_counters(model: GraphModel, categories: np.ndarray) -> list[int]:
    """The ops of a graph's step counters: an assignment of a variable with what is worked out
    from constants and reads of that same variable alone (a training step's ``iterations
    := iterations + 1``: ``Const → Cast → Add(ReadVariableOp) → AssignVariableOp``, or an
    ``AssignAddVariableOp`` of a constant), and that working out; never the reads. Set
    apart, they stood in a quarter of resnet50_train's first view as four boxes of the main
    flow. ``categories`` are the ops' so far (`_CONSTANT`, `_PARAM` …).

    Worked out for every op at once (one pass per step of the longest working out, a few),
    then checked one candidate assignment at a time: a model's updates read gradients, so
    only counters are left to check (0.1 s of CPU on transformer_1m's million ops)."""
    types = model.op_types
    n = len(types)
    src, dst, control = model.edge_src, model.edge_dst, model.edge_control
    if not len(dst) or not (dst[1:] >= dst[:-1]).all():
        return []  # edges not in node order: no input positions to read
    table = {t: bool(_ASSIGN_TYPE.match(t)) for t in set(types)}
    if not any(table.values()):
        return []
    assigns = np.fromiter(map(table.__getitem__, types), dtype=bool, count=n)
    data = ~np.asarray(control, dtype=bool)
    s, d = np.asarray(src)[data], np.asarray(dst)[data]
    # What is worked out from constants and variable reads alone, and what reads some.
    seed = (categories == _CONSTANT) | (categories == _PARAM)
    free = (categories == _PLAIN) | (categories == _TRAIN)
    free &= ~assigns
    inputs = np.bincount(d, minlength=n)
    derived = seed.copy()
    for _ in range(COUNTER_STEPS):
        read = np.bincount(d, weights=derived[s], minlength=n)
        found = seed | (free & (inputs > 0) & (read == inputs))
        if (found == derived).all():
            break
        derived = found
    firsts = np.searchsorted(d, np.arange(n + 1))
    counters: list[int] = []
    for a in np.flatnonzero(assigns[: model.op_count]).tolist():
        ins = s[firsts[a] : firsts[a + 1]].tolist()
        if len(ins) < 2 or not all(derived[i] for i in ins[1:]):
            continue
        handle, work, reads = ins[0], [], []
        todo = ins[1:]
        while todo and len(work) <= COUNTER_STEPS:
            op = todo.pop()
            if categories[op] == _PARAM:
                reads.append(op)
            elif categories[op] != _CONSTANT and op not in work:
                work.append(op)
                todo.extend(s[firsts[op] : firsts[op + 1]].tolist())
        own = [r for r in reads if s[firsts[r] : firsts[r + 1]].tolist() == [handle]]
        adds = types[a].startswith(("AssignAdd", "AssignSub"))
        if todo or (reads != own) or not (own or (adds and not work)):
            continue
        counters.append(a)
        counters.extend(work)
    return counters


def op_aux(op_type: str, name: str = "") -> str:
    """The auxiliary kind of an op of this type and name, or "" for an op of the main flow.

    >>> [op_aux(t) for t in ("Const", "prim::ListConstruct", "MergeSummary", "NoOp", "MatMul")]
    ['constant', 'constant', 'summary', 'sink', '']
    >>> [op_aux("_Arg", n) for n in ("f/dense_1_matmul_readvariableop_resource", "f/features")]
    ['handle', '']
    """
    return _AUX_OF.get(op_category(op_type, name), "")


def folded_into(model: GraphModel, gid: int) -> int | None:
    """The op whose box a closed scope is drawn in, or None. A scope beside an op of its own
    name is that op's helpers: TF2's ``MatMul/ReadVariableOp`` beside ``MatMul``, a summary's
    tag beside the summary, TF1's ``W/read`` and ``W/Initializer`` beside the variable ``W``,
    the inner ops of ``truncated_normal`` beside its last op. TensorBoard draws each pair as
    one box; so does this, as the op's box (its card is the op's; opening the scope by name,
    search or depth shows what it holds)."""
    groups = model.groups  # one column each: asked of every child of every open group
    if groups.kinds[gid] != SCOPE:
        return None
    op = model.op_id(groups.keys[gid])
    if op is None or model.is_missing(op) or int(model.op_group[op]) != groups.parents[gid]:
        return None
    return op


def lone_op(model: GraphModel, gid: int) -> int | None:
    """The op a closed scope is drawn as, or None: a scope that holds one op and nothing else
    (but that op's helpers), not of its own name (Keras's ``hidden_1/Cast`` holding
    ``Cast/ReadVariableOp``, PyTorch's ``input`` holding ``input/x.1``). A box saying "Cast,
    1 op" hides what the op is; the op's own box (its name below the scope's parent, its
    type) says it, as one box all the same.
    The same-name case is `folded_into`. An auxiliary scope (a summary's ``Merge``, an
    initialiser's) keeps its own box: it stands apart under its name, which the stubs on the
    boxes it joins repeat."""
    group = model.groups[gid]
    if group.kind != SCOPE or len(group.ops) != 1:
        return None
    (op,) = group.ops
    if model.is_missing(op) or folded_into(model, gid) is not None:
        return None
    # Its subgroups, if any, are the op's own helpers drawn in its box (TF2's
    # ``Cast/ReadVariableOp/resource`` beside ``Cast/ReadVariableOp``).
    if any(folded_into(model, c) != op for c in group.children):
        return None
    if op_aux(model.op_types[op], model.names[op]) or _SAVE_NAME.match(group.label):
        return None
    return int(op)


def _counts(model: GraphModel, categories: np.ndarray) -> np.ndarray:
    """Per group, how many ops of each category it holds, its subgroups' counted in."""
    groups = model.groups
    real = model.op_count
    where = np.asarray(model.op_group[:real], dtype=np.int64)
    # int32: a count of ops (8 MB on the million-op graph's 309k groups, not 16).
    counts = np.zeros((len(groups), _GRADIENT + 1), dtype=np.int32)
    np.add.at(counts, (where, categories[:real].astype(np.int64)), 1)
    # Into the parents, deepest groups first, one nesting level at a time.
    nesting = np.asarray(groups.nestings)
    parent = np.asarray(groups.parents)
    by_depth = np.argsort(nesting, kind="stable")
    starts = np.searchsorted(nesting[by_depth], np.arange(int(nesting.max()) + 2)).tolist()
    for depth in range(len(starts) - 2, 0, -1):
        at = by_depth[starts[depth] : starts[depth + 1]]
        np.add.at(counts, parent[at], counts[at])
    return counts


class Roles:
    """Per-group counts of each op category, and what they make of a group."""

    def __init__(self, model: GraphModel) -> None:
        self.model = model
        types = model.op_types
        # One look-up per op through a table of the distinct types (a regex per op would
        # cost 100 ms on the 100k-op graph).
        table = {t: op_category(t) for t in set(types)}
        real = model.op_count
        self.op_categories = np.fromiter(map(table.__getitem__, types), np.int8, len(types))
        if ARG_TYPES & table.keys():  # only a traced function's arguments need a closer look
            args = [i for i, t in enumerate(types[:real]) if t in ARG_TYPES]
            self.op_categories[args] = _PLAIN
            # Which of them are captured variable handles the build found (`tree`).
            self.op_categories[sorted(model.captured_handles)] = _HANDLE
        edges = (model.edge_src, model.edge_dst, model.edge_control)
        constants = pytorch_constants(types, edges)
        if constants is not None:  # a ListConstruct of tensors is the flow's
            self.op_categories[(self.op_categories == _CONSTANT) & ~constants] = _PLAIN
            self.op_categories[constants] = _CONSTANT
        self.op_categories[step_counters(model, self.op_categories)] = _COUNTER
        self.counts = _counts(model, self.op_categories)
        # A custom gradient's ops written beside the gradient scope are set apart as it is.
        plain = self.op_categories == _PLAIN
        held = self.counts[:, _PARAM] > 0
        backward = backward_ops(model, plain, held, _PLUMBING_NAME)
        if len(backward):
            self.op_categories[backward] = _GRADIENT
            self.counts = _counts(model, self.op_categories)
        # Asked of a few groups per view, each more than once: kept once worked out (a dict
        # written by several threads at once at worst works one out twice).
        self._aux: dict[int, str] = {}
        self._roles: dict[int, str] = {}

    def aux(self, gid: int) -> str:
        """The auxiliary kind of a group, or "" (see the module docstring)."""
        found = self._aux.get(gid)
        if found is None:
            found = self._aux[gid] = self._aux_of(gid)
        return found

    def _aux_of(self, gid: int) -> str:
        model = self.model
        group = model.groups[gid]
        if gid == ROOT:
            return ""
        op = model.op_id(group.key)
        if op is not None and int(model.op_group[op]) in (gid, group.parent):
            # The op of its name, inside it or beside it (``accuracy`` and ``accuracy/tags``).
            kind = _AUX_OF.get(int(self.op_categories[op]), "")
            if kind:
                return kind
        if group.kind == SCOPE and _SAVE_NAME.match(group.label):
            return SAVE
        row = self.counts[gid]
        total = int(row.sum())
        if total and int(row[list(_AUX_CATEGORIES)].sum()) == total:
            return max((int(row[c]), _AUX_OF[c]) for c in _AUX_CATEGORIES)[1]
        return ""

    def own_aux(self, op: int) -> str:
        """The auxiliary kind of an op by its type (an argument's by its ``T``), or ""."""
        return _AUX_OF.get(int(self.op_categories[op]), "")

    def op_aux(self, op: int) -> str:
        """The auxiliary kind of an op's box: its own, or `SAVE` when the scope drawn in it is
        named as an initialiser's or a saver's, or none for a sink drawn with a scope that
        computes."""
        kind = self.own_aux(op)
        if kind not in ("", SINK):
            return kind
        model = self.model
        gid = model.group_id(model.names[op])
        if gid is None or folded_into(model, gid) != op:
            return kind
        if kind == SINK:
            # A sink drawn with a scope of ops that compute is that scope: TF1's
            # ``GradientDescent``, the NoOp grouping the update ops beside it, applies the
            # training step's update, and takes the gradients' edges as the flow's end.
            row = self.counts[gid]
            return "" if int(row[[_PLAIN, _PARAM, _TRAIN]].sum()) else kind
        # The scope drawn in it holds the op's helpers (a While's constants and control
        # sinks): only its name (an initialiser's: truncated_normal) makes the op apart.
        return SAVE if _SAVE_NAME.match(model.groups[gid].label) else kind

    def parameters(self, gid: int) -> int:
        """How many ops inside a group are parameters (variables, their reads, PyTorch's
        ``prim::GetAttr``)."""
        return int(self.counts[gid, _PARAM])

    def main_children(self, gid: int) -> int:
        """How many of a group's direct children (subgroups and ops) are of the main flow:
        the boxes it shows when open that are not set apart."""
        model = self.model
        group = model.groups[gid]
        ops = sum(1 for op in group.ops if not self.op_aux(op))
        subgroups = (g for g in group.children if folded_into(model, g) is None)
        return ops + sum(1 for g in subgroups if not self.aux(g))

    def computing_children(self, gid: int) -> int:
        """How many of a group's direct children compute: neither auxiliary nor parameters.
        A layer that holds its weights and one op (PyTorch's ``Linear``: ``weight``,
        ``bias``, ``aten::linear``) shows nothing more open than closed."""
        model = self.model
        group = model.groups[gid]
        cats = self.op_categories
        ops = sum(1 for op in group.ops if not self.op_aux(op) and cats[op] != _PARAM)
        subgroups = (g for g in group.children if folded_into(model, g) is None)
        return ops + sum(1 for g in subgroups if self.role(g) not in (VARIABLE, AUXILIARY))

    def role(self, gid: int) -> str:
        """What the first view makes of a group: `FORWARD`, `NEUTRAL`, `PLUMBING`,
        `VARIABLE` or `AUXILIARY`."""
        found = self._roles.get(gid)
        if found is None:
            found = self._roles[gid] = self._role_of(gid)
        return found

    def _role_of(self, gid: int) -> str:
        if self.aux(gid):
            return AUXILIARY
        model = self.model
        group = model.groups[gid]
        op = model.op_id(group.key)
        if (
            op is not None
            and int(model.op_group[op]) in (gid, group.parent)
            and self.op_categories[op] == _PARAM
        ):
            return VARIABLE
        row = self.counts[gid]
        if row[_PARAM] and int(row[_PARAM] + row[list(_AUX_CATEGORIES)].sum()) == int(row.sum()):
            return VARIABLE
        if _PLUMBING_NAME.match(group.label) or 2 * int(row[_TRAIN]) >= max(int(row.sum()), 1):
            return PLUMBING
        return FORWARD if row[_PARAM] else NEUTRAL
