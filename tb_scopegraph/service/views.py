"""The one rule for which view of a graph a front door shows, and for the title it bears.

Every front door (the plugin's routes, the command line, the notebook) asks for a view the same
way: open scopes and a depth, or neither for the graph's default view. Names come in two forms:
as the tab sends them (the set of open groups, exactly, where a group under a closed one stays
remembered but hidden) or as a person types them (`layer1/` is the scope `layer1`, and opening
a scope opens the scopes around it, so that it shows).

A default view, and the direction of any drawing, are chosen for the area the drawing is shown
in (`Area`): the tab's sheet, which it sends as `width` and `height`.
"""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from tb_scopegraph.errors import InvalidView
from tb_scopegraph.model import views
from tb_scopegraph.model.hierarchy import MAX_NESTING, Hierarchy, View
from tb_scopegraph.reading.graph_file import FILE_GRAPH
from tb_scopegraph.reading.meta_graph import META_GRAPH
from tb_scopegraph.reading.run_graph import RUN_GRAPH

if TYPE_CHECKING:
    from tb_scopegraph.model.diff import GraphDiff

#: Kinds whose graph is the run's (or the file's) one graph: their title is the run alone.
PLAIN_KINDS = (RUN_GRAPH, META_GRAPH, FILE_GRAPH)
#: The drawing areas a front door may name (CSS px, each side): from a phone's narrow iframe
#: to a wall of monitors.
MIN_SIDE, MAX_SIDE = 100, 10000
#: Areas are rounded down to steps of an eighth of an octave (9 %) from the 1,400 x 900
#: window's sheet, which is a step itself. Every area drawn for is a cache key (of the view,
#: its DOT and its drawing): a tab resized pixel by pixel would otherwise lay out a drawing per
#: pixel and fill the caches with copies. Rounded down, a view chosen for the step still shows
#: its labels as large in the real area; its estimate is off by 9 % at most, inside the tenth
#: `views.READABLE_PX` keeps for what the estimate leaves out. Sizes up to a tenth of a step
#: under one count as that step (a scroll bar, a border): the tab's 1,400 x 900 sheet and the
#: drawing drawn ahead for it stay one.
AREA_STEPS_PER_OCTAVE = 8
AREA_SLACK = 0.1


class Area(NamedTuple):
    """The size (CSS px) of the area a drawing is shown in, as rounded by `area`."""

    width: int
    height: int


def _step(size: int, anchor: int) -> int:
    steps = math.floor(AREA_STEPS_PER_OCTAVE * math.log2(size / anchor) + AREA_SLACK)
    return round(anchor * 2 ** (steps / AREA_STEPS_PER_OCTAVE))


def area(width: int | None = None, height: int | None = None) -> Area:
    """The area a drawing is made for: ``width`` x ``height`` rounded down to a step (see
    AREA_STEPS_PER_OCTAVE); a side not given is the 1,400 x 900 window's sheet's."""
    return Area(
        _step(width or views.WINDOW_WIDTH, views.WINDOW_WIDTH),
        _step(height or views.WINDOW_HEIGHT, views.WINDOW_HEIGHT),
    )


#: The area of the tab's sheet in a 1,400 x 900 window, which the first view is drawn ahead for.
DEFAULT_AREA = area()


def scope_key(name: str) -> str:
    """A scope's name as a person types it: "layer1/" means the scope "layer1"."""
    return name.rstrip("/") or name


def asked_view(
    hierarchy: Hierarchy,
    open: Iterable[str] | None = None,
    depth: int | None = None,
    *,
    typed: bool = False,
    shown_in: Area = DEFAULT_AREA,
    roll: bool = True,
    unroll: Iterable[str] = (),
) -> View:
    """The view a front door asks for: no `open` and no `depth` is the default view for a
    drawing shown in `shown_in`; else the view with those groups open (and, with `depth`, every
    group that deep). `typed`: names as a person types them (see the module's docstring).
    Series of identical blocks are drawn rolled but those in `unroll` (`roll` False: all). A
    view that nests groups deeper than a drawing can take is refused (InvalidView)."""
    if open is None and depth is None:
        view = hierarchy.default_view(*shown_in, roll=roll)
        if not unroll:
            return view
        # The default view's groups, the series named drawn unrolled.
        return hierarchy.view(open=view.open, unroll=unroll, roll=roll)
    keys = list(open or ())
    if typed:
        wanted = {scope_key(name) for name in keys}
        for key in list(wanted):
            wanted |= hierarchy.reveal(key)  # a scope shows when its parents are open
        keys = list(wanted)
    view = hierarchy.view(open=keys, depth=depth, unroll=unroll, roll=roll)
    nesting = hierarchy.nesting(view)
    if nesting > MAX_NESTING:
        raise InvalidView(
            f"this view opens groups {nesting} deep, more than the {MAX_NESTING} a drawing "
            "can take; close the innermost ones"
        )
    return view


class Depth(NamedTuple):
    """How deep a view opens scopes, as a front door shows it: `depth`, the depth asked for
    (else the view's own); `deepest`, its deepest open group's scope level."""

    depth: int
    deepest: int


def view_depth(hierarchy: Hierarchy, view: View, asked: int | None = None) -> Depth:
    """The depth of `view`, asked for as `asked` (None: a view of open groups, or the default
    view): a depth counts scope levels, where a series or a part has the level of what it
    holds (its key may have a segment more)."""
    deepest = hierarchy.depth(view)
    return Depth(deepest if asked is None else asked, deepest)


class Reading(NamedTuple):
    """How a view's drawing would read, said before it is drawn (a depth's preview): the
    boxes it draws (the variable handles and constants a drawing counts on the boxes they
    feed are not drawn), and how tall its labels show on screen (CSS px) in the area it is
    shown in, by the estimate the first view is chosen by (`Hierarchy.default_view`). Its
    fields join the `view` route's answer beside `boxes` (`View.boxes`)."""

    drawn: int
    label_px: float


def reading(hierarchy: Hierarchy, view: View, shown_in: Area = DEFAULT_AREA) -> Reading:
    """How `view` would read drawn in `shown_in` (see `Reading`); it lays nothing out. Counted
    from the view's layout as the drawing sets it apart, where `View.boxes` counts every box
    of the layout: "Depth 2 shows 31 boxes" on a PyTorch GPT-2, whose drawing had 12."""
    # The drawing's modules, imported here as `Hierarchy.default_view` does.
    from tb_scopegraph.drawing import auxiliary
    from tb_scopegraph.drawing.proportions import layout_scale

    layout = hierarchy.layout(view)
    drawn, _ = auxiliary.set_aside(layout)
    hidden = auxiliary.arrange(layout, drawn).hidden
    label_px = layout_scale(layout, *shown_in) * views.LABEL_PT
    return Reading(len(layout.boxes) - len(hidden), round(label_px, 1))


def diff_view(
    diff: GraphDiff,
    open: Iterable[str] | None = None,
    depth: int | None = None,
    *,
    typed: bool = False,
) -> View:
    """The view of a diff a front door asks for: as `asked_view`, but with neither `open` nor
    `depth`, the scopes holding changes opened (`GraphDiff.default_view`)."""
    if not open and depth is None:
        return diff.default_view()
    return asked_view(diff.hierarchy, open, depth, typed=typed)


def title(
    run: str,
    kind: str | None,
    tag: str | None,
    step: int | None = None,
    path: str | os.PathLike[str] | None = None,
) -> str:
    """What a drawing is called: the run; with its tag (or, for a tag of ours such as
    ``__run_graph__``, its kind) unless the graph is a run's or a file's plain graph; and the
    step when given. Run "." (a logdir's own folder, or a file) is named after `path`."""
    if run == "." and path is not None:
        run = os.path.basename(os.path.normpath(path)) or os.fspath(path)
    if kind in PLAIN_KINDS:
        named = run
    elif tag and not tag.startswith("__"):
        named = f"{run} · {tag}"
    elif kind:
        named = f"{run} · {kind}"
    else:
        named = run
    return named if step is None else f"{named} @ step {step}"


def diff_title(base: str, graph: str) -> str:
    """What the drawing of a diff is called: the base's title, an arrow, the graph's."""
    return f"{base} → {graph}"


def what_to_close(hierarchy: Hierarchy, view: View) -> str:
    """Advice for a view too slow to draw: the open groups that show the most boxes."""
    if not view.open:
        return f"none is open: the top level alone shows {view.boxes} boxes"
    inside = collections.Counter(box.cluster for box in hierarchy.layout(view).boxes)
    inside.pop(None, None)
    largest = ", ".join(f"{_clip(key)!r} shows {n}" for key, n in inside.most_common(3))
    return f"of {view.boxes} boxes, {largest}"


def _clip(name: str, size: int = 80) -> str:
    return name if len(name) <= size else name[: size - 1] + "…"
