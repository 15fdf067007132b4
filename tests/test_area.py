"""Views and drawings made for the area they are shown in: the routes' `width` and `height`.

The tab sends its drawing sheet's size; the service rounds it to a step (`views.area`) and
chooses the default view and the drawing's direction for it.
"""

from __future__ import annotations

import functools
import itertools
import re
from types import SimpleNamespace

import pytest
from graphs import graph_from_nodes, write_run_graph
from harness import Api, multiplexer, run_cli

from tb_scopegraph.drawing import proportions
from tb_scopegraph.model import views as model_views
from tb_scopegraph.service import views

NARROW_TALL = {"width": 400, "height": 2400}
WIDE_SHORT = {"width": 2400, "height": 400}


def _chain() -> list:
    """A long chain of ops in three scopes: a column one way, a row the other."""
    nodes = [("input", "Placeholder", (), {"_output_shapes": [[8, 16]]})]
    for scope in ("encode", "middle", "decode"):
        for letter in "abcdef":  # named apart: numbered siblings would fold into a series
            nodes.append((f"{scope}/relu_{letter}", "Relu", (nodes[-1][0],)))
    return nodes


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("area")
    write_run_graph(logdir / "chain", graph_from_nodes(_chain()))
    provider = multiplexer(str(logdir))
    return Api(provider)


def _rankdir(text: str) -> str:
    return re.search(r"rankdir=(\w+)", text).group(1)


def _svg_size(svg: str) -> tuple[float, float]:
    found = re.search(r'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    return float(found.group(1)), float(found.group(2))


def test_the_default_area_is_a_step_and_steps_round_down():
    assert views.area() == views.DEFAULT_AREA
    assert views.DEFAULT_AREA == (model_views.WINDOW_WIDTH, model_views.WINDOW_HEIGHT)
    # A scroll bar's or a border's worth under the window's sheet is still its step.
    assert views.area(model_views.WINDOW_WIDTH - 8, model_views.WINDOW_HEIGHT - 6) == (
        views.DEFAULT_AREA
    )
    previous = None
    for side in range(views.MIN_SIDE, views.MAX_SIDE + 1):
        step = views.area(side, side)
        assert views.area(*step) == step  # a step is its own step
        # Rounded down: up (by less than a pixel or the slack) only to a step just above.
        above = side * 2 ** (views.AREA_SLACK / views.AREA_STEPS_PER_OCTAVE) + 1
        below = side / 2 ** (1 / views.AREA_STEPS_PER_OCTAVE) - 1
        assert below <= step.width <= above and below <= step.height <= above
        if previous is not None:
            assert step >= previous
        previous = step
    widths = {views.area(side, 500).width for side in range(600, 2400)}
    assert len(widths) <= 17  # two octaves: a few steps, not a cache entry per pixel


def test_a_narrow_tall_area_and_a_wide_short_one_draw_the_chain_differently(api):
    tall = api.ok("dot", run="chain", **NARROW_TALL).get_data(as_text=True)
    wide = api.ok("dot", run="chain", **WIDE_SHORT).get_data(as_text=True)
    assert (_rankdir(tall), _rankdir(wide)) == ("TB", "LR")
    # Laid out, each drawing takes the shape of its area.
    w, h = _svg_size(api.ok("svg", run="chain", **NARROW_TALL).get_data(as_text=True))
    assert h > 2 * w
    w, h = _svg_size(api.ok("svg", run="chain", **WIDE_SHORT).get_data(as_text=True))
    assert w > 2 * h


def test_the_default_view_is_chosen_for_the_area(api):
    # The same chain opens its scopes in a large area and leaves them closed in a small one.
    small = api.json("view", run="chain", width=160, height=120)
    large = api.json("view", run="chain", width=3000, height=2000)
    assert small["open"] == [] and large["open"] == ["decode", "encode", "middle"]
    assert small["boxes"] < large["boxes"]
    # Without an area, and with the 1,400 x 900 window's sheet, it is the same view.
    plain = api.json("view", run="chain")
    assert api.json("view", run="chain", width=1128, height=818) == plain


def test_first_draws_for_the_area_and_says_which(api):
    first = api.json("first", **WIDE_SHORT)
    view = first["view"]
    assert (view["width"], view["height"]) == views.area(**WIDE_SHORT)
    assert view["svg"] == api.ok("svg", run="chain", **WIDE_SHORT).get_data(as_text=True)
    plain = api.json("first")["view"]
    assert (plain["width"], plain["height"]) == views.DEFAULT_AREA
    assert plain["svg"] != view["svg"]


@pytest.mark.parametrize("route", ["svg", "dot", "png", "view", "first"])
@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"width": "wide"}, '"width" must be an integer'),
        ({"height": "1.5"}, '"height" must be an integer'),
        ({"width": "99"}, '"width" must be between 100 and 10000'),
        ({"height": "10001"}, '"height" must be between 100 and 10000'),
        ({"width": "-800", "height": "600"}, '"width" must be between 100 and 10000'),
    ],
)
def test_a_bad_area_answers_400_saying_why(api, route, params, says):
    assert says in api.error(400, route, run="chain", **params)


def test_the_command_line_draws_for_the_area_it_is_given(tmp_path, capsys):
    write_run_graph(tmp_path / "chain", graph_from_nodes(_chain()))
    drawn = {}
    for name, area in (("tall", NARROW_TALL), ("wide", WIDE_SHORT)):
        sides = [f"--{side}={px}" for side, px in area.items()]
        code, out, _ = run_cli(["render", str(tmp_path), "--format=dot", *sides], capsys)
        assert code == 0
        drawn[name] = _rankdir(out)
    assert drawn == {"tall": "TB", "wide": "LR"}
    code, _, err = run_cli(["render", str(tmp_path), "--width=20"], capsys)
    assert code == 2 and "--width: must be 100 to 10000 px, not 20" in err


def test_the_estimate_leaves_loop_back_edges_out_of_ranking_as_dot_does():
    """A rolled series' loop-back edge (its last block back to the first) is drawn with
    constraint=false: counted, it closes a cycle, and the box taken to break it may be the
    graph's output, estimated at the top (a 811 pt drawing taken for 540 pt)."""
    box = functools.partial(
        SimpleNamespace, aux="", op="Relu", op_count=1, kind="op", rolled=0, cluster=None
    )
    order = [0, 2, 3, 4, 5, 6, 7, 1]  # the output (box 1) is listed second, as layouts do
    boxes = [box(label=f"box {n}") for n in range(len(order))]
    edge = functools.partial(SimpleNamespace, control=False, loop=0)
    chain = [edge(src=a, dst=b) for a, b in itertools.pairwise(order)]
    looped = [*chain, edge(src=6, dst=3, loop=5)]
    plain = proportions.layout_scale(
        SimpleNamespace(boxes=boxes, edges=chain, clusters=[]), 400, 300
    )
    scale = proportions.layout_scale(
        SimpleNamespace(boxes=boxes, edges=looped, clusters=[]), 400, 300
    )
    assert scale == plain < proportions.NATURAL_SCALE


def test_the_estimate_counts_the_lines_the_drawing_adds_to_labels():
    """A box joined to an auxiliary one (the saver reading its variables) gets a stub, a line
    more in its label (``→ save``): a column of such boxes is a third taller, and the estimate
    that chooses first views must see it (a MobileNetV2 estimated at 11.9 px drew 10.1)."""
    box = functools.partial(
        SimpleNamespace, aux="", op="", op_count=60, kind="scope", rolled=0, cluster=None
    )
    edge = functools.partial(SimpleNamespace, control=False, loop=0)
    boxes = [box(label=f"block_{n}", name=f"block_{n}") for n in range(12)]
    chain = [edge(src=a, dst=a + 1) for a in range(11)]
    plain = SimpleNamespace(boxes=boxes, edges=chain, clusters=[])
    sink = box(label="save", name="save", aux="save", op="SaveV2", op_count=1, kind="op")
    waits = [edge(src=n, dst=12) for n in range(12)]
    stubbed = SimpleNamespace(boxes=[*boxes, sink], edges=[*chain, *waits], clusters=[])
    tall = 818
    assert proportions.layout_scale(stubbed, 1128, tall) < proportions.layout_scale(
        plain, 1128, tall
    )
    # The sink itself stands apart, in a column: not a rank of the chain.
    no_stubs = SimpleNamespace(boxes=[*boxes, sink], edges=chain, clusters=[])
    assert proportions.layout_scale(no_stubs, 1128, tall) == pytest.approx(
        proportions.layout_scale(plain, 1128, tall), rel=0.05
    )
