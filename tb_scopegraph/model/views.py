"""Which groups a view opens: the view asked for, the default first view, opening to a depth.

A `View` is the set of open groups (by key) and how many boxes it shows. An open group shows
only when all its ancestors are open too; every op of the graph is then inside exactly one
visible box, or is a box itself. No view may show more than `MAX_BOXES` boxes. A series of
identical blocks is drawn rolled unless the view says otherwise (`rolls`): open, it shows one
member, and counts as one box.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tb_scopegraph.errors import InvalidQuery, InvalidView, NotFound
from tb_scopegraph.model import rolls
from tb_scopegraph.model.graph import ROOT, SCOPE, SERIES, GraphModel
from tb_scopegraph.model.roles import (
    AUXILIARY,
    FORWARD,
    NEUTRAL,
    PLUMBING,
    VARIABLE,
    Roles,
    folded_into,
)
from tb_scopegraph.model.summaries import folded_in
from tb_scopegraph.reading.function_library import FUNCTION_LIBRARY

#: The default view opens groups while it stays at or under this many boxes in a 1,400 x 900
#: window (in proportion to the area in others, never under `MIN_BOXES`): few enough that
#: the demo's graphs are shown whole with labels of 10 px or more; more boxes draw their
#: labels too small to read and lay out slower.
DEFAULT_BOXES = 20
MIN_BOXES = 8
#: ... and opens a family only while its drawing (labels of `LABEL_PT` points) would show
#: them at least this tall on screen (CSS px), by `Hierarchy.default_view`'s estimate: 10 px,
#: and a tenth more for what the estimate leaves out (a summary badge is a line more per box).
READABLE_PX = 11
LABEL_PT = 10
#: The drawing area of the tab in a 1,400 x 900 Chromium window (CSS px), which views and
#: drawings are made for unless told the size of the area they are shown in.
WINDOW_WIDTH = 1128
WINDOW_HEIGHT = 818
#: A view of fewer boxes than `FEW_BOXES` (input -> model -> output) tells nothing: it opens
#: further while the estimate shows labels `FEW_BOXES_PX` tall, the target itself.
FEW_BOXES = 4
FEW_BOXES_PX = 10
#: ... and leaves groups of fewer ops than this closed.
DEFAULT_MIN_OPS = 4
#: What tells numbered siblings apart (see `default_view`).
_DIGITS = re.compile(r"\d+")
#: No view may show more boxes than this; Graphviz's practical ceiling is a few hundred.
MAX_BOXES = 1500
#: Views that open groups on their own (the default view, ``depth``) nest open groups at most
#: this deep: every frame's id holds its full name, so a deep path grows DOT quadratically.
MAX_NESTING = 100


@dataclass(frozen=True)
class View:
    """Which groups are open: the part of a view that changes what is laid out."""

    open: frozenset[str]
    boxes: int
    #: Series of identical blocks drawn as a series all the same (see `rolls`).
    unrolled: frozenset[str] = frozenset()
    #: False: no series is drawn rolled.
    roll: bool = True


def view(
    model: GraphModel,
    open: Iterable[str] = (),
    depth: int | None = None,
    unroll: Iterable[str] = (),
    roll: bool = True,
    roles: Roles | None = None,
) -> View:
    """The view with these groups open (and, with ``depth``, the groups that deep that a depth
    opens: see `depth_opens`); the series in ``unroll`` (or, ``roll`` False, all) are drawn
    as series, never rolled. ``roles`` (made once per graph) tells forward groups from
    plumbing and auxiliary ones."""
    unrolled = frozenset(unroll)
    for key in unrolled:
        gid = model.group_id(key)
        if gid is None:
            raise NotFound(f"no scope {key!r} in this graph")
        if model.groups[gid].kind != SERIES:
            raise InvalidQuery(
                f"unroll names a series of blocks (such as 'layer_[0-11]'); {key!r} is a "
                f"{model.groups[gid].kind}"
            )
    rolling = rolls.Rolling(model, unrolled, roll)
    wanted = set()
    for key in open:
        gid = model.group_id(key)
        if gid is None:
            raise NotFound(f"no scope {key!r} in this graph")
        wanted.add(gid)
    wanted |= rolling.opened_with(wanted)
    if depth is not None:
        if depth < 0:
            raise InvalidQuery(f"depth must be 0 or more, not {depth}")
        wanted |= depth_opens(model, roles or Roles(model), depth, wanted, rolling)
    opened = shown_open(model, wanted, rolling)
    boxes = _box_count(model, opened, rolling.rolled(opened, wanted))
    groups = model.groups
    if boxes > MAX_BOXES:
        biggest = sorted(opened - {ROOT}, key=lambda g: -groups[g].child_count)[:3]
        names = ", ".join(repr(groups[g].key) for g in biggest)
        raise InvalidView(
            f"this view would show {boxes} boxes, more than the {MAX_BOXES} a layout can "
            f"take; close some scopes (the largest open ones: {names})"
        )
    return View(frozenset(groups[g].key for g in opened if g != ROOT), boxes, unrolled, roll)


def default_view(
    model: GraphModel,
    width: int = WINDOW_WIDTH,
    height: int = WINDOW_HEIGHT,
    roles: Roles | None = None,
    label_px: Callable[[View], float] | None = None,
    roll: bool = True,
) -> View:
    """A small view that shows the model: lone scopes opened, then its forward path; series
    of identical blocks rolled (unless ``roll`` is False).

    ``width`` x ``height`` (CSS px) is the area the drawing is shown in: the view stays at
    about `DEFAULT_BOXES` boxes for 1,400 x 900, more or fewer in proportion to the area,
    and, with ``label_px`` (how tall a view's labels show on screen, as estimated), opens a
    family only while labels stay at `READABLE_PX`, or `FEW_BOXES_PX` while the view shows
    fewer than `FEW_BOXES` boxes. ``roles`` (made once per graph) tells forward groups from
    plumbing and auxiliary ones.
    """
    roles = roles or Roles(model)
    rolling = rolls.Rolling(model, frozenset(), roll)

    def reads(px: float) -> Callable[[View], bool] | None:
        return None if label_px is None else (lambda v: label_px(v) >= px)

    passed: set[int] = set()
    opened = _open_lone(model, roles, rolling, reads(READABLE_PX), passed)
    # Then a level at a time, forward groups first and biggest first, while the view stays
    # readable; plumbing (gradients, optimizer, loss, metrics) only when nothing else opens.
    # The functions of a trace beside the model's (a training step's 4-op ``Fill``) stay
    # closed: the view is the model's.
    lone = set(opened)
    budget = box_budget(width, height)
    for px in (READABLE_PX, FEW_BOXES_PX):
        for allowed in ((FORWARD, NEUTRAL), (FORWARD, NEUTRAL, PLUMBING)):
            opened, boxes, candidates = _open_levels(
                model,
                roles,
                rolling,
                set(lone),
                budget,
                allowed,
                reads(px),
                passed,
                reads(FEW_BOXES_PX),
            )
            if candidates:
                break
        if label_px is None or boxes >= FEW_BOXES:
            break
    return _as_view(model, opened, rolling)


def _open_lone(
    model: GraphModel,
    roles: Roles,
    rolling: rolls.Rolling,
    fits: Callable[[View], bool] | None,
    passed: set[int],
) -> set[int]:
    """The groups a first view opens whatever they hold: a scope that is the only group at
    its level (beside auxiliary ones: save, init, summaries; of a trace's functions, the only
    one holding parameters, the others added to ``passed``). A series drawn as a series, or
    a part of a scope too big to draw whole, is opened so only when it reads (``fits``):
    closed, it is one box that says what it holds (``block_[0-49]``), where open it is a
    column of fifty, or a part's hundreds of function arguments; but a series of a trace's
    functions is opened on the way to the one that is the model."""
    groups = model.groups
    opened = {ROOT}
    boxes = groups[ROOT].child_count
    frontier = [ROOT]
    while frontier:
        gid = frontier.pop()
        subgroups = [g for g in rolling.children(gid) if roles.role(g) != AUXILIARY]
        if len(subgroups) > 1:
            model_of = _the_model(model, roles, subgroups)
            if len(model_of) == 1:
                passed.update(g for g in subgroups if g not in model_of)
            subgroups = model_of
        if len(subgroups) != 1 or groups[subgroups[0]].nesting > MAX_NESTING:
            continue
        only = subgroups[0]
        grown = boxes + rolling.shows(only) - 1
        whole = groups[only].kind == SCOPE or rolling.shown_member(only, set()) is not None
        if not whole and fits is not None and not _leads_on(model, roles, only):
            if not fits(_as_view(model, opened | {only}, rolling)):
                continue
        if grown <= MAX_BOXES:
            opened.add(only)
            boxes = grown
            frontier.append(only)
    return opened


def _leads_on(model: GraphModel, roles: Roles, series: int) -> bool:
    """Whether a series is a trace's functions, of which one is the model (`_the_model`):
    opened, it leads on to that one."""
    if model.groups[series].kind != SERIES:
        return False
    members = [g for g in model.groups[series].children if roles.role(g) != AUXILIARY]
    return len(members) > 1 and len(_the_model(model, roles, members)) == 1


def _the_model(model: GraphModel, roles: Roles, siblings: list[int]) -> list[int]:
    """Of a trace's functions (numbered siblings: ``graph_1`` … ``graph_8``, the bodies of
    its function library, or both side by side), the one that holds most of their parameters
    (more than all the others together), the model; else all of them. A trace of Keras's
    ``train_on_batch``, ``predict_on_batch``, ``predict`` or ``fit`` holds, beside the
    model's function, functions that convert its inputs, build its dataset or count steps
    (``_Arg``, ``_EagerConst``, ``_Retval``; ``RangeDataset`` …)."""
    groups = model.groups
    library = {g for g in siblings if groups[g].key == FUNCTION_LIBRARY}
    in_library = groups[groups[siblings[0]].parent].key == FUNCTION_LIBRARY
    if not in_library and len(_families(model, [g for g in siblings if g not in library])) != 1:
        return siblings
    held = {g: roles.parameters(g) for g in siblings}
    most = max(siblings, key=held.__getitem__)
    return [most] if 2 * held[most] > sum(held.values()) else siblings


def _as_view(model: GraphModel, opened: set[int], rolling: rolls.Rolling) -> View:
    groups = model.groups
    boxes = _box_count(model, opened, rolling.rolled(opened, opened))
    return View(frozenset(groups[g].key for g in opened if g != ROOT), boxes, roll=rolling.roll)


def box_budget(width: int, height: int) -> int:
    """How many boxes a first view shows in a drawing area of ``width`` x ``height`` px."""
    area = max(width, 1) * max(height, 1)
    return max(MIN_BOXES, round(DEFAULT_BOXES * area / (WINDOW_WIDTH * WINDOW_HEIGHT)))


def _open_levels(
    model: GraphModel,
    roles: Roles,
    rolling: rolls.Rolling,
    opened: set[int],
    budget: int,
    allowed: tuple[str, ...],
    fits: Callable[[View], bool] | None = None,
    passed: set[int] | frozenset[int] = frozenset(),
    fits_together: Callable[[View], bool] | None = None,
) -> tuple[set[int], int, bool]:
    """Open groups of the ``allowed`` roles a level at a time while the view stays within
    ``budget`` boxes of the main flow (auxiliary boxes are drawn apart, and not counted);
    the groups opened, the boxes shown, and whether any group was there to open (whether it
    fitted or not).

    Groups of a few ops read well as boxes; a level that does not fit whole is the last one
    opened. Numbered siblings (layer1..layer3, the blocks of a series) open together or stay
    closed together, so that a repeat looks like the others, and so do the layers of one
    scope (`_layers_together`): opened together, they need only read as ``fits_together``
    says (the target itself, where ``fits`` keeps a margin), as closed they would leave a
    small model a column in a tenth of the window. A rolled series shows one
    block, and counts as one box."""
    groups = model.groups

    def main_children(g: int) -> int:
        return 1 if rolling.shown_member(g, set()) is not None else roles.main_children(g)

    boxes = _box_count(model, opened, rolling.rolled(opened, opened))
    main = sum(main_children(g) for g in opened) - (len(opened) - 1)
    order = {role: n for n, role in enumerate(allowed)}
    level = _visible_groups(model, opened, rolling)
    candidates = False
    while level:
        nxt = []
        whole = True
        families = []
        for family in _families(model, level):
            family = [
                g
                for g in family
                if groups[g].op_count >= DEFAULT_MIN_OPS
                and g not in passed
                and groups[g].nesting <= MAX_NESTING
                and roles.role(g) in order
                and (roles.computing_children(g) >= 2 or _wrapper(model, g))
                and not _library_function(model, g)
                and not _library_beside_model(model, roles, g)
                # A scope drawn in its op's box holds that op's helpers (a While's
                # outputs, ``maximum_iterations``): the op's box says what it does.
                and folded_into(model, g) is None
            ]
            if family:
                families.append(family)
        joined = _layers_together(model, roles, families)
        joined.sort(key=lambda f: min(order[roles.role(g)] for g in f[0]))
        candidates = candidates or bool(joined)
        for family, together in joined:
            check = fits_together if together and fits_together is not None else fits
            grown = main + sum(main_children(g) - 1 for g in family)
            total = boxes + sum(rolling.shows(g) - 1 for g in family)
            if (
                grown <= budget
                and total <= MAX_BOXES
                and (check is None or check(_as_view(model, opened | set(family), rolling)))
            ):
                opened.update(family)
                main, boxes = grown, total
                for g in family:
                    nxt.extend(rolling.children(g))
            else:
                whole = False
        level = nxt if whole else []
    return opened, boxes, candidates


def nesting(model: GraphModel, view: View) -> int:
    """How many open groups deep ``view`` nests (0 when nothing is open)."""
    groups = model.groups
    ids = (model.group_id(k) for k in view.open)
    return max((groups[g].nesting for g in ids if g is not None), default=0)


def shown_open(
    model: GraphModel, wanted: Iterable[int], rolling: rolls.Rolling | None = None
) -> set[int]:
    """The open groups that show (the root among them): those of ``wanted`` whose ancestors
    are all open too (and, with ``rolling``, that no rolled series leaves out)."""
    wanted = set(wanted)
    parents, kinds = model.groups.parents, model.groups.kinds
    opened = {ROOT}
    shown: dict[int, int | None] = {}
    for gid in model.order[1:]:
        if gid not in wanted:
            continue
        parent = parents[gid]
        if parent in opened:
            if rolling is not None and kinds[parent] == SERIES:
                if parent not in shown:
                    shown[parent] = rolling.shown_member(parent, wanted)
                if shown[parent] not in (None, gid):
                    continue
            opened.add(gid)
    return opened


def opened(model: GraphModel, view: View) -> tuple[set[int], dict[int, int]]:
    """The open groups that ``view`` shows, and its open series drawn rolled, each with the
    member it shows."""
    ids = (model.group_id(k) for k in view.open)
    wanted = {g for g in ids if g is not None}
    rolling = rolls.Rolling(model, view.unrolled, view.roll)
    shown = shown_open(model, wanted, rolling)
    return shown, rolling.rolled(shown, wanted)


def _families(model: GraphModel, level: list[int]) -> list[list[int]]:
    """`level`'s groups by family, biggest first: groups whose keys differ only in their
    numbers (``layer1``, ``layer2``; ``Block[0]``, ``Block[1]``; and as Keras numbers its
    layers, ``dense``, ``dense_1``; ``layer1/MatMul`` and ``layer2/MatMul``) are one
    family."""
    groups = model.groups
    families: dict[str, list[int]] = {}
    for gid in level:
        pattern = _DIGITS.sub("#", groups[gid].key).replace("_#/", "/").removesuffix("_#")
        families.setdefault(pattern, []).append(gid)
    return sorted(families.values(), key=lambda f: (-max(groups[g].op_count for g in f), min(f)))


def _layers_together(
    model: GraphModel, roles: Roles, families: list[list[int]]
) -> list[tuple[list[int], bool]]:
    """``families`` with the forward scopes of one parent made one, each with whether it
    joins more than one: the layers of a model (scopes that hold parameters) open together
    or stay closed together (a series is opened for its own blocks, which stand for
    themselves). Opened one by one while they fit, a Keras classifier's ``hidden_1``
    showed its ops beside ``classes_1`` closed, and two layers alike looked different."""
    groups = model.groups
    layers: dict[int, int] = {}  # parent -> its entry in ``out``
    out: list[tuple[list[int], bool]] = []
    for family in families:
        parent = groups[family[0]].parent
        if not all(
            roles.role(g) == FORWARD and groups[g].kind == SCOPE and groups[g].parent == parent
            for g in family
        ):
            out.append((family, False))
        elif parent in layers:
            at = layers[parent]
            out[at] = (out[at][0] + family, True)
        else:
            layers[parent] = len(out)
            out.append((family, False))
    return out


def _library_function(model: GraphModel, gid: int) -> bool:
    """Whether a group is a function of the graph's function library: a first view shows
    the graph that runs, each function it calls a box (``while_body``, ``cond_true``) its
    calls lead to; opened, the functions' arguments and return values took two thirds of
    the window, the running graph a column beside them. (`_open_lone` still opens the one
    function that holds the model.)"""
    groups = model.groups
    parent = groups[gid].parent
    return parent != ROOT and groups[parent].key == FUNCTION_LIBRARY


def _library_beside_model(model: GraphModel, roles: Roles, gid: int) -> bool:
    """Whether a group is the function library of a graph whose own scopes hold the model:
    a TF1 graph's ``__function_library__`` holds the bodies of its loops and conditions and
    their gradients (``rnn_while_body_40_grad_151``), which TensorBoard draws apart; opened
    beside ``rnn`` and ``head``, they took a third of the window and left the gradients a
    box at its edge. A graph that is mostly calls into its library opens it still."""
    groups = model.groups
    if groups[gid].key != FUNCTION_LIBRARY or groups[gid].parent != ROOT:
        return False
    return any(roles.role(g) == FORWARD for g in groups[ROOT].children if g != gid)


def _wrapper(model: GraphModel, gid: int) -> bool:
    """Whether a group only wraps another (PyTorch's ``ModuleList[blocks]`` around its
    blocks): opening it shows what it holds."""
    group = model.groups[gid]
    return not group.ops and len(group.children) == 1


def _visible_groups(model: GraphModel, opened: set[int], rolling: rolls.Rolling) -> list[int]:
    groups = model.groups
    return [
        c
        for g in opened
        for c in rolling.children(g)
        if c not in opened and groups[c].parent in opened
    ]


#: What a depth opens (`depth_opens`), by the roles of the groups it opens anywhere, tried in
#: turn until some group is there to open: the forward path; else every group of the main
#: flow; else plumbing (gradients, optimizer, loss, metrics) too; else anything.
_DEPTH_PASSES = (
    frozenset({FORWARD}),
    frozenset({FORWARD, NEUTRAL}),
    frozenset({FORWARD, NEUTRAL, PLUMBING}),
    frozenset({FORWARD, NEUTRAL, PLUMBING, VARIABLE, AUXILIARY}),
)
#: ... and the roles that open inside an open group: inside any, a layer's inner scopes (which
#: hold no parameters of their own); inside one asked for, its plumbing too.
_INSIDE = frozenset({FORWARD, NEUTRAL})
_INSIDE_ASKED = frozenset({FORWARD, NEUTRAL, PLUMBING})


def depth_opens(
    model: GraphModel, roles: Roles, depth: int, already: set[int], rolling: rolls.Rolling
) -> set[int]:
    """The groups a view opens to ``depth`` (scope levels: a series or a part has the level of
    what it holds) beside those ``already`` asked for, as the first view chooses them: the
    forward path (groups holding parameters, and inside them all but plumbing); gradients,
    optimizer, loss and metrics only when nothing else is there; auxiliary groups
    (summaries, init, save) and variables only when they are all there is. Inside a group
    asked for, its plumbing opens too: what was asked for is what the reader looks at. No
    more than `MAX_BOXES` boxes: past that, groups later in the graph's order stay
    closed."""
    for top in _DEPTH_PASSES:
        opened, found = _open_roles_to_depth(model, roles, depth, already, rolling, top)
        if found:
            break
    return opened


def _open_roles_to_depth(
    model: GraphModel,
    roles: Roles,
    depth: int,
    already: set[int],
    rolling: rolls.Rolling,
    top: frozenset[str],
) -> tuple[set[int], bool]:
    """The groups a pass of `depth_opens` opens (groups of roles ``top`` anywhere, and inside
    open groups what `_INSIDE` says), and whether any group of roles ``top`` was there to
    open, or open already."""
    groups = model.groups
    levels, parents, nestings = groups.levels, groups.parents, groups.nestings
    opened = shown_open(model, already, rolling)
    rolled = rolling.rolled(opened, already)
    boxes = _box_count(model, opened, rolled)
    inside = {g: _INSIDE_ASKED for g in opened if g != ROOT}
    found = any(roles.role(g) in top for g in inside)
    series = groups.of_kind(SERIES)
    for gid in model.order[1:]:  # 300k groups on a million ops: one column at a time
        parent = parents[gid]
        if levels[gid] > depth or gid in opened or parent not in opened:
            continue
        role = roles.role(gid)
        if role in top:
            found = True
        elif series[gid] or role not in inside.get(parent, ()):
            # A series opens for its role alone, not for what holds it: inside a traced
            # training step, ``AddN_[1-83]`` (gradient sums, no parameters) opened was a
            # column of 83 boxes, five windows tall, beside the model.
            continue
        if nestings[gid] > MAX_NESTING or rolled.get(parent, gid) != gid:
            continue
        member = rolling.shown_member(gid, already)
        grown = boxes + (groups.child_counts[gid] if member is None else 1) - 1
        if grown <= MAX_BOXES:
            opened.add(gid)
            inside[gid] = inside.get(parent, _INSIDE) | _INSIDE
            boxes = grown
            if member is not None:
                rolled[gid] = member
    return opened, found


def depth(model: GraphModel, view: View) -> int:
    """The depth ``view`` opens scopes to: the scope level of its deepest open group (a series
    or a part of a scope has the level of what it holds, not one more); 0 when nothing is
    open."""
    groups = model.groups
    shown, _ = opened(model, view)
    return max((groups[g].level for g in shown if g != ROOT), default=0)


def _box_count(model: GraphModel, opened: set[int], rolled: dict[int, int]) -> int:
    """Boxes shown: an open group's children (one for a rolled series) in place of itself,
    but for the summaries drawn in the box they summarise (`summaries.folded_in`)."""
    groups = model.groups
    shown = sum(1 if g in rolled else groups[g].child_count for g in opened)
    summarised = folded_in(model)
    return (
        shown
        - (len(opened) - 1)
        - sum(folds(model, g, opened) + summarised.get(g, 0) for g in opened if g not in rolled)
    )


def folds(model: GraphModel, gid: int, opened: set[int]) -> int:
    """How many of open group ``gid``'s closed children are drawn in an op's box."""
    groups = model.groups
    return sum(
        1 for c in groups[gid].children if c not in opened and folded_into(model, c) is not None
    )
