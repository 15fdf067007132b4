"""A route's query string read into plain arguments (a view's into one `ViewQuery`), or
`tensorboard.errors` saying why not."""

from __future__ import annotations

from tensorboard import errors as tb_errors

from tb_scopegraph.drawing.colour import SCHEMES
from tb_scopegraph.model import paths
from tb_scopegraph.service import views
from tb_scopegraph.service.query import ViewQuery

NODE_KINDS = frozenset({"op", "missing", "scope", "series", "chunk"})
DIFF_FORMATS = ("svg", "dot", "png")
TRACE_DEPTH = 3
SEARCH_LIMIT = 50
SEARCH_LIMIT_MAX = 1000
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def graph_args(request) -> tuple[str | None, str | None, str | None]:
    """(run, kind, tag) from the query; kind and tag may be left out when the run has one graph."""
    return (
        request.args.get("run"),
        request.args.get("kind") or None,
        request.args.get("tag") or None,
    )


def view_query(request, *, coloured: bool = True) -> ViewQuery:
    """The view a view route asks for: its graph (`graph_args`), `open` and `depth`
    (`view_args`; neither: the default view), `colour` (when the route draws: `coloured`),
    the area (`area_arg`), `roll` and `unroll` (`roll_args`)."""
    run, kind, tag = graph_args(request)
    open_, depth = view_args(request)
    colour = colour_arg(request) if coloured else ""
    shown_in = area_arg(request)
    return ViewQuery(run, kind, tag, open_ or None, depth, colour, shown_in, **roll_args(request))


def first_query(request) -> ViewQuery:
    """The `first` route's view: the first graph's default view (the graph is the listing's
    first), for the area and with the rolling asked for."""
    return ViewQuery(shown_in=area_arg(request), **roll_args(request))


def open_arg(request) -> tuple[str, ...]:
    """The groups `open` names (repeated), each once, in order."""
    return tuple(dict.fromkeys(request.args.getlist("open")))


def view_args(request) -> tuple[tuple[str, ...], int | None]:
    """(open, depth) from the query: `open` repeated, `depth` an int >= 0."""
    return open_arg(request), int_arg(request, "depth", minimum=0)


def area_arg(request) -> views.Area:
    """`width` and `height`: the area (CSS px) a drawing is shown in, each side optional (the
    1,400 x 900 window's sheet's), rounded to a step (`views.area`)."""
    bounds = {"minimum": views.MIN_SIDE, "maximum": views.MAX_SIDE}
    return views.area(*(int_arg(request, side, **bounds) for side in ("width", "height")))


def roll_args(request) -> dict:
    """roll and unroll of a view, as keywords: `roll=0` draws every series of identical
    blocks as a series; `unroll` (repeated) names one series to draw so."""
    roll = flag(request, "roll") if "roll" in request.args else True
    unroll = tuple(dict.fromkeys(request.args.getlist("unroll")))
    if "" in unroll:
        raise tb_errors.InvalidArgumentError('query parameter "unroll" must name a series')
    return {"roll": roll, "unroll": unroll}


def side_args(request) -> tuple[str | None, str | None, str | None, int | None]:
    """(run, kind, tag, step) of the newer side of a diff; no `step` is the latest graph."""
    return (*graph_args(request), int_arg(request, "step", minimum=0))


def base_args(request) -> tuple[str | None, str | None, str | None, int | None]:
    """(base_run, base_kind, base_tag, base_step): the graph a diff compares against. The
    first three default to `run`, `kind`, `tag` (`base_run` alone compares the same graph of
    two runs, `base_tag` alone two tags of one run, `base_step` alone two steps of one graph);
    no `base_step` is the latest graph."""
    named = tuple(
        request.args.get(f"base_{field}") or request.args.get(field) or None
        for field in ("run", "kind", "tag")
    )
    return (*named, int_arg(request, "base_step", minimum=0))


def format_arg(request) -> str:
    value = request.args.get("format", "svg")
    if value not in DIFF_FORMATS:
        raise tb_errors.InvalidArgumentError(
            f"format must be one of {', '.join(DIFF_FORMATS)}, not {value!r}"
        )
    return value


def colour_arg(request) -> str:
    """`colour` (or `color`): op, device, compute, memory, or nothing for plain boxes."""
    value = request.args.get("colour", request.args.get("color", ""))
    if value not in SCHEMES:
        choices = ", ".join(s for s in SCHEMES if s)
        raise tb_errors.InvalidArgumentError(f"colour must be one of {choices}, not {value!r}")
    return value


def int_arg(request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise tb_errors.InvalidArgumentError(
            f'query parameter "{name}" must be an integer, not {raw!r}'
        ) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise tb_errors.InvalidArgumentError(f'query parameter "{name}" must be {bounds}')
    return value


def flag(request, name: str) -> bool:
    raw = request.args.get(name, "").lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise tb_errors.InvalidArgumentError(f'query parameter "{name}" must be 1 or 0, not {raw!r}')


def required(request, name: str) -> str:
    value = request.args.get(name)
    if value is None:
        raise tb_errors.InvalidArgumentError(f'query parameter "{name}" is required')
    return value


def node_args(request) -> tuple[str, str | None]:
    """(name, kind_of) of a node query."""
    return required(request, "name"), kind_of_arg(request)


def kind_of_arg(request) -> str | None:
    """The optional `kind_of` of a node query: which kind of node `name` is."""
    kind_of = request.args.get("kind_of") or None
    if kind_of is not None and kind_of not in NODE_KINDS:
        raise tb_errors.InvalidArgumentError(
            f'query parameter "kind_of" must be one of {", ".join(sorted(NODE_KINDS))}'
        )
    return kind_of


def search_args(request) -> tuple[str, bool, int]:
    """(q, regex, limit) of a search."""
    q = required(request, "q")
    limit = int_arg(request, "limit", minimum=1, maximum=SEARCH_LIMIT_MAX)
    return q, flag(request, "regex"), limit or SEARCH_LIMIT


def trace_args(request) -> dict:
    """name, direction, depth, open, control and expand of a trace, as keywords."""
    name = required(request, "name")
    direction = request.args.get("direction", "in")
    if direction not in paths.DIRECTIONS:
        raise tb_errors.InvalidArgumentError(
            f'query parameter "direction" must be one of {", ".join(paths.DIRECTIONS)}'
        )
    depth = int_arg(request, "depth", minimum=0, maximum=paths.MAX_DEPTH)
    expand = flag(request, "expand") if "expand" in request.args else True
    return {
        "name": name,
        "direction": direction,
        "depth": TRACE_DEPTH if depth is None else depth,
        "open_": open_arg(request),
        "control": flag(request, "control"),
        "expand": expand,
    }
