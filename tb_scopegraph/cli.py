"""The `tb-scopegraph` command: list the graphs at a path, print a scope tree, draw one view.

    tb-scopegraph list PATH
    tb-scopegraph scopes PATH [--run R] [--kind K] [--tag T]
    tb-scopegraph render PATH [--run R] [--kind K] [--tag T] [--open SCOPE ...] [--depth N]
                              [--all-scopes]
                              [--colour op|device|compute|memory|structure]
                              [--format svg|dot|png] [-o FILE] [--timeout SECONDS]
    tb-scopegraph diff PATH_A [PATH_B] [--run R] [--run-a R] [--run-b R] (and --kind, --tag
                              likewise) [--step-a N] [--step-b N] [--open SCOPE ...] [--depth N]
                              [--all-scopes]
                              [--format svg|dot|png] [-o FILE] [--timeout SECONDS]

PATH is a logdir (runs at any depth), an event file (its folder is read), a SavedModel
(its folder or `saved_model.pb`), a GraphDef file (`.pb` binary, `.pbtxt` text) or a
MetaGraphDef file (`.meta`). Every failure is one `tb-scopegraph: error: ...` line on stderr
(where it asks for a choice, the options follow, one an indented line): exit status 2 for a
misused command line, 1 for anything else. Damaged records skipped in
event files are reported as `tb-scopegraph: warning: ...` lines on stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, NoReturn

from tb_scopegraph.errors import InvalidQuery, NotFound, ScopeGraphError, SourceError
from tb_scopegraph.service.output import SUFFIX_FORMATS, draw, write_atomically

if TYPE_CHECKING:
    from tb_scopegraph.model.diff import GraphDiff
    from tb_scopegraph.model.hierarchy import Hierarchy
    from tb_scopegraph.reading.local import LocalGraphs
    from tb_scopegraph.service.local import LocalGraph
    from tb_scopegraph.service.query import ViewQuery

__all__ = ["build_parser", "main", "write_atomically"]

PROG = "tb-scopegraph"
FORMATS = ("svg", "dot", "png")
COLOURS = ("op", "device", "compute", "memory", "structure")  # colour.SCHEMES, less plain
#: The colourings drawn from a profile's figures.
PROFILED = ("compute", "memory")
_PATH_HELP = "logdir, event file, SavedModel, or .pb/.pbtxt/.meta file"
DEFAULT_TIMEOUT = 60.0


class UsageError(Exception):
    """The command line asks for something it cannot: exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error here."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _side(text: str) -> int:
    from tb_scopegraph.service.views import MAX_SIDE, MIN_SIDE

    value = _non_negative(text)
    if not MIN_SIDE <= value <= MAX_SIDE:
        raise argparse.ArgumentTypeError(f"must be {MIN_SIDE} to {MAX_SIDE} px, not {value}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, with one subcommand per job."""
    parser = _Parser(
        prog=PROG,
        description="Draw TensorFlow/TensorBoard graphs with Graphviz, name scopes as groups.",
    )
    from tb_scopegraph import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = commands.add_parser(
        "list", help="list the graphs at PATH (run, kind, tag, op count)", description=None
    )
    listing.add_argument("path", metavar="PATH", help=_PATH_HELP)

    scopes = commands.add_parser(
        "scopes", help="print the scope tree of one graph (the names --open takes)"
    )
    scopes.add_argument("path", metavar="PATH", help=_PATH_HELP)
    _add_selection(scopes)

    render = commands.add_parser("render", help="draw one view of one graph as SVG, DOT or PNG")
    render.add_argument("path", metavar="PATH", help=_PATH_HELP)
    _add_selection(render)
    _add_view(render, "a small default view")
    render.add_argument(
        "--colour",
        "--color",
        dest="colour",
        choices=COLOURS,
        default="",
        help="fill boxes by op type, device, (for a profile) compute time or memory, or "
        "structure (identical blocks share a colour)",
    )
    render.add_argument(
        "--no-roll",
        dest="roll",
        action="store_false",
        help="draw every series of identical blocks as a series, none rolled into one block "
        "marked with its count (×96)",
    )
    render.add_argument(
        "--unroll",
        metavar="SERIES",
        nargs="+",
        action="extend",
        default=[],
        help="draw these series of identical blocks as series, not rolled (their keys as "
        "`scopes` prints them, such as 'layer_[0-11]')",
    )
    for side, default in (("width", "1128"), ("height", "818")):
        render.add_argument(
            f"--{side}",
            type=_side,
            metavar="PX",
            help=f"the {side} of the area the drawing is shown in (CSS px, default {default}: "
            "the tab's in a 1,400 x 900 window); it chooses the default view and whether the "
            "drawing runs top-down or left to right",
        )
    _add_output(render)

    diff = commands.add_parser(
        "diff",
        help="draw what changed from one graph (A) to another (B): added, removed, changed ops",
        description="Ops are matched by full name; an op is changed when its op type, inputs "
        "or attributes (shapes and dtypes included) differ. --run, --kind and --tag pick the "
        "graph on both sides; --run-a, --run-b and the like on one side; --step-a and "
        "--step-b a graph written again during training (the latest by default).",
    )
    diff.add_argument("path_a", metavar="PATH_A", help=f"the base graph's {_PATH_HELP}")
    diff.add_argument(
        "path_b", metavar="PATH_B", nargs="?", help="the other graph's path (default: PATH_A)"
    )
    _add_selection(diff)
    for side in ("a", "b"):
        diff.add_argument(f"--run-{side}", help=f"the run of graph {side.upper()}")
        diff.add_argument(f"--kind-{side}", help=f"the kind of graph {side.upper()}")
        diff.add_argument(f"--tag-{side}", help=f"the tag of graph {side.upper()}")
        diff.add_argument(
            f"--step-{side}",
            type=_non_negative,
            help=f"graph {side.upper()} as written at this step (default: the latest)",
        )
    _add_view(diff, "the scopes holding changes are opened")
    _add_output(diff)
    for sub in (listing, scopes, render, diff):
        sub.prog = f"{PROG} {sub.prog.split()[-1]}"
    return parser


def _add_view(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--open",
        metavar="SCOPE",
        nargs="+",
        action="extend",
        default=[],
        help=f"open these scopes (as `scopes` prints them); without --open or --depth, {default}",
    )
    parser.add_argument(
        "--depth",
        type=_non_negative,
        metavar="N",
        help="open the model's scopes this deep, as the tab's depth does: gradients, optimizer, "
        "loss, metrics and summaries stay closed unless nothing else is there, and a variable's "
        "scope stays one box (0: all closed; with --all-scopes, every scope this deep)",
    )
    parser.add_argument(
        "--all-scopes",
        action="store_true",
        help="open every scope down to --depth (without --depth, every scope): gradients, "
        "optimizer, loss, metrics, summaries and variables too",
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: from -o's suffix, else svg)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        help=f"give up the layout after this many seconds (default {DEFAULT_TIMEOUT:g})",
    )


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", help="the run holding the graph (needed if there are several)")
    parser.add_argument("--kind", help="the kind of graph (see `list`)")
    parser.add_argument("--tag", help="the tag of the graph (see `list`)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status instead of exiting."""
    try:
        args = build_parser().parse_args(argv)
        _quiet_tensorboard()
        if args.command == "list":
            return _list(args)
        if args.command == "scopes":
            return _scopes(args)
        if args.command == "diff":
            return _diff(args)
        return _render(args)
    except SystemExit as e:  # --help and --version exit through argparse
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        return _fail(str(e), 2)
    except ScopeGraphError as e:
        return _fail(str(e), 1)
    except BrokenPipeError:
        # The reader (`| head`) went away; say nothing more on a closed pipe.
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except OSError as e:
        where = f": {e.filename}" if e.filename else ""
        return _fail(f"{e.strerror or e}{where}", 1)
    except Exception as e:  # a bug must still end in one line, not a traceback
        return _fail(f"internal error: {type(e).__name__}: {e}", 1)


def _fail(message: str, status: int) -> int:
    """Report ``message`` as one error line, and the choices it lists (its lines that start
    indented, `LocalGraphs.select`) each on a line of its own."""
    first, *choices = message.split("\n  ")
    print(f"{PROG}: error: {' '.join(first.split())}", file=sys.stderr)
    for choice in choices:
        print(f"  {' '.join(choice.split())}", file=sys.stderr)
    return status


def _quiet_tensorboard() -> None:
    """TensorBoard logs its reading of event files; the CLI reports problems itself."""
    logging.getLogger("tensorboard").setLevel(logging.ERROR)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {_printable(message)}", file=sys.stderr)


def _open(path: str) -> LocalGraphs:
    """The graphs at `path`, after reporting the damage reading them skipped."""
    from tb_scopegraph.service.local import open_path

    graphs = open_path(path)
    for message in graphs.warnings:
        _warn(message)
    return graphs


def _list(args: argparse.Namespace) -> int:
    graphs = _open(args.path).list()
    if not graphs:
        raise SourceError(f"no graphs in {args.path}")
    rows = [("RUN", "KIND", "TAG", "OPS")]
    rows += [
        (g.run, g.kind, g.tag or "-", "?" if g.op_count is None else str(g.op_count))
        for g in graphs
    ]
    print(_table(rows))
    return 0


def _table(rows: list[tuple[str, ...]]) -> str:
    """Rows as aligned columns; the last column (numbers) is right-aligned."""
    rows = [tuple(_printable(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        cells.append(row[-1].rjust(widths[-1]))
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _printable(text: str) -> str:
    """Names may hold any character; keep a table row on one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _view_query(args: argparse.Namespace) -> ViewQuery:
    """The graph and view the command line names (scopes as typed: their parents open too),
    the area taken as given (no cache to keep small here; the routes round it, see
    `views.area`)."""
    from tb_scopegraph.service.query import ViewQuery
    from tb_scopegraph.service.views import DEFAULT_AREA, Area

    opened = getattr(args, "open", None)
    width, height = getattr(args, "width", None), getattr(args, "height", None)
    return ViewQuery(
        args.run,
        args.kind,
        args.tag,
        tuple(opened) if opened else None,
        getattr(args, "depth", None),
        getattr(args, "colour", ""),
        Area(width or DEFAULT_AREA.width, height or DEFAULT_AREA.height),
        roll=getattr(args, "roll", True),
        unroll=tuple(dict.fromkeys(getattr(args, "unroll", ()))),
        typed=True,
    )


def _load(path: str, query: ViewQuery) -> LocalGraph:
    from tb_scopegraph.service.local import load

    graph = load(_open(path), **query.graph)
    for warning in graph.hierarchy.warnings:  # one line per kind of thing skipped or repaired
        _warn(warning.message)
    return graph


def _scopes(args: argparse.Namespace) -> int:
    hierarchy = _load(args.path, _view_query(args)).hierarchy
    lines: list[str] = []
    # Depth first without recursion: a scope path may be thousands of levels deep.
    stack = [(child, 0) for child in reversed(hierarchy.tree()["children"])]
    while stack:
        group, depth = stack.pop()
        ops = f"{group['op_count']} op" + ("" if group["op_count"] == 1 else "s")
        kind = "" if group["kind"] == "scope" else f" ({group['kind']})"
        lines.append(f"{'  ' * depth}{_printable(group['name'])}{kind}  {ops}")
        stack.extend((child, depth + 1) for child in reversed(group["children"]))
    print("\n".join(lines) if lines else "(no scopes)")
    return 0


def _render(args: argparse.Namespace) -> int:
    fmt = _checked_format(args)
    query = _view_query(args)
    graph = _load(args.path, query)
    from tb_scopegraph.drawing.dot import to_dot

    if query.colour in PROFILED and not graph.hierarchy.has_profile:
        raise InvalidQuery(
            f"--colour {query.colour} needs figures from a profile, and this graph has none "
            f"(`{PROG} list` shows a profiled run's profile as a graph of kind profile)"
        )
    if args.all_scopes:
        query = query.every_scope(graph.hierarchy)
    view = _asked_view(graph.hierarchy, query)
    area = query.shown_in._asdict()
    _emit(to_dot(graph.hierarchy, view, graph.title, colour=query.colour, **area), fmt, args)
    return 0


def _checked_format(args: argparse.Namespace) -> str:
    fmt = _output_format(args.format, args.output)
    if fmt == "png" and args.output is None and sys.stdout.isatty():
        raise UsageError("will not write PNG to a terminal; use -o FILE or a pipe")
    return fmt


def _asked_view(graph: Hierarchy | GraphDiff, query: ViewQuery):
    """The view of a graph or diff that `query` asks for; without --open or --depth, its
    default view (a graph's for the area `query` names)."""
    from tb_scopegraph.model.diff import GraphDiff
    from tb_scopegraph.service.views import diff_view

    try:
        if isinstance(graph, GraphDiff):
            return diff_view(graph, query.open, query.depth, typed=query.typed)
        return query.view_of(graph)
    except NotFound as e:
        raise NotFound(f"{e} (`{PROG} scopes` lists the scopes)") from None


def _diff(args: argparse.Namespace) -> int:
    fmt = _checked_format(args)
    from tb_scopegraph.reading.local import options

    graphs_a = _open(args.path_a)
    same_path = args.path_b is None or os.path.abspath(args.path_b) == os.path.abspath(args.path_a)
    graphs_b = graphs_a if same_path else _open(args.path_b)
    picks = []
    for side, graphs in (("a", graphs_a), ("b", graphs_b)):
        picked = {
            field: getattr(args, f"{field}_{side}") or getattr(args, field)
            for field in ("run", "kind", "tag")
        }

        def say(fields, side=side):
            return options(fields, f"-{side}")

        try:
            picks.append((graphs.select(**picked, say=say), getattr(args, f"step_{side}")))
        except ScopeGraphError as e:
            flags = f"--run-{side}, --kind-{side}, --tag-{side}"
            # The choices `select` lists, if any, stay under the error line, naming this
            # side's options already.
            first, *choices = str(e).split("\n  ")
            hint = "" if choices else f" (for this side only: {flags})"
            message = "\n  ".join([f"graph {side.upper()}: {first}{hint}", *choices])
            raise type(e)(message) from None
    from tb_scopegraph.service.views import diff_title, title

    (info_a, step_a), (info_b, step_b) = picks
    if same_path and info_a == info_b and step_a == step_b:
        which = title(info_a.run, info_a.kind, info_a.tag, step_a, args.path_a)
        raise InvalidQuery(
            f"graph A and graph B are the same graph ({which}); pick graph B with --run-b, "
            "--kind-b, --tag-b or --step-b, or give a second path"
        )
    loaded = []
    for side, graphs, (info, step) in zip("ab", (graphs_a, graphs_b), picks, strict=True):
        path = args.path_a if side == "a" else args.path_b or args.path_a
        try:
            named = title(info.run, info.kind, info.tag, step, path)
            loaded.append((named, graphs.load(info, step)))
        except ScopeGraphError as e:
            flags = f"--run-{side}, --kind-{side}, --tag-{side}"
            raise type(e)(f"graph {side.upper()}: {e} (for this side only: {flags})") from None

    from tb_scopegraph.drawing.diffdot import diff_to_dot
    from tb_scopegraph.model.diff import GraphDiff

    (title_a, base), (title_b, graph) = loaded
    diff = GraphDiff(base, graph)
    del base, graph
    query = _view_query(args)
    if args.all_scopes:
        query = query.every_scope(diff.hierarchy)
    dot = diff_to_dot(diff, _asked_view(diff, query), diff_title(title_a, title_b))
    _emit(dot, fmt, args)
    return 0


def _emit(dot: str, fmt: str, args: argparse.Namespace) -> None:
    """DOT text drawn as `fmt` (or kept as DOT), to -o's file or to stdout."""
    data = draw(dot, fmt, args.timeout, own_worker=True)
    if args.output is None:
        _write_stream(sys.stdout.buffer, data)
    else:
        write_atomically(args.output, data)


def _output_format(fmt: str | None, output: str | None) -> str:
    if fmt is not None:
        return fmt
    if output is None:
        return "svg"
    suffix = os.path.splitext(output)[1].lower()
    if suffix not in SUFFIX_FORMATS:
        raise UsageError(f"cannot tell the format from {output!r}; add --format svg|dot|png")
    return SUFFIX_FORMATS[suffix]


def _write_stream(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data`: a pipe whose reader goes away can take part of it silently."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        view = view[written if written is not None else len(view) :]
    stream.flush()
