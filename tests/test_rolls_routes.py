"""Rolled series through the plugin's routes: `roll=0` draws every series unrolled,
`unroll=KEY` one series, `open=` of a member's key shows that member in the rolled frame;
what is not a series, or not a flag, answers a clear 400."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from graphs import blocks_graph, write_run_graph
from harness import SVG, Api, json_error, runs_with_graphs, start, svg_ids, wait_for

SERIES = "block_[0-11]"
MEMBER = "block_5"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("rolls")
    write_run_graph(logdir / "blocks", blocks_graph(12))
    source = start("multiplexer", str(logdir))
    wait_for(lambda: runs_with_graphs(source.provider) == {"blocks"}, "the blocks run")
    yield Api(source.provider)
    source.close()


def boxes(api, route="svg", **params) -> set[str]:
    """The ids of the op boxes the drawing shows."""
    return svg_ids(api.ok(route, run="blocks", **params).data, "node")


def texts(api, route="svg", **params) -> list[str]:
    """The text lines of a drawing."""
    svg = api.ok(route, run="blocks", **params).data
    return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def block_boxes(ids: set[str]) -> set[str]:
    return {i for i in ids if "block_" in i}


def test_default_view_rolls_and_roll_0_unrolls(api):
    rolled = api.json("view", run="blocks")
    assert rolled["rolled"] == {SERIES: "block_0"} and rolled["unrolled"] == []
    assert f"{SERIES} ×12" in texts(api)
    assert b"to the next, 11 times" in api.ok("svg", run="blocks").data  # the loop's tooltip
    flat = api.json("view", run="blocks", roll="0")
    assert flat["rolled"] == {}
    assert not any("×" in t for t in texts(api, roll="0"))
    # Unrolled, every block is a box of its own; rolled, only block_0's ops show.
    assert len(block_boxes(boxes(api, roll="0", open=SERIES))) == 12
    assert all("block_0" in i for i in block_boxes(boxes(api, open=[SERIES, "block_0"])))
    assert api.ok("dot", run="blocks", roll="false").get_data(as_text=True).count("×") == 0


def test_unroll_one_series_by_key(api):
    answer = api.json("view", run="blocks", open=SERIES, unroll=SERIES)
    assert answer["rolled"] == {} and answer["unrolled"] == [SERIES]
    assert len(block_boxes(boxes(api, open=SERIES, unroll=SERIES))) == 12
    # With the default view too: its groups, the series drawn unrolled.
    answer = api.json("view", run="blocks", unroll=SERIES)
    assert answer["rolled"] == {} and SERIES in answer["open"]
    text = api.ok("dot", run="blocks", unroll=SERIES).get_data(as_text=True)
    assert "×" not in text
    assert "×" not in api.json("first", unroll=SERIES)["view"]["svg"]
    assert "×12" in api.json("first")["view"]["svg"]


def test_opening_a_member_shows_it_while_the_rest_stays_rolled(api):
    answer = api.json("view", run="blocks", open=[SERIES, MEMBER])
    assert answer["rolled"] == {SERIES: MEMBER}
    assert {f"{SERIES} ×12", MEMBER} <= set(texts(api, open=[SERIES, MEMBER]))
    assert b"to the next, 11 times" in api.ok("svg", run="blocks", open=[SERIES, MEMBER]).data
    shown = block_boxes(boxes(api, open=[SERIES, MEMBER]))
    assert shown and all(MEMBER in i for i in shown)
    # Two members open: the series is drawn unrolled, both in place.
    answer = api.json("view", run="blocks", open=[SERIES, MEMBER, "block_7"])
    assert answer["rolled"] == {}


@pytest.mark.parametrize(
    ("code", "route", "params", "says"),
    [
        (400, "svg", {"roll": "maybe"}, '"roll"'),
        (400, "view", {"roll": "2"}, '"roll"'),
        (400, "svg", {"unroll": ""}, '"unroll"'),
        (400, "dot", {"unroll": "block_3"}, "unroll names a series"),
        (400, "view", {"unroll": "block_3", "open": SERIES}, "'block_3' is a scope"),
        (400, "first", {"roll": "x"}, '"roll"'),
        (404, "svg", {"unroll": "no_such_[0-3]"}, "no_such_[0-3]"),
        (404, "view", {"unroll": "no_such_[0-3]", "open": SERIES}, "no_such_[0-3]"),
    ],
)
def test_bad_roll_arguments_answer_clearly(api, code, route, params, says):
    params = params if route == "first" else {"run": "blocks", **params}
    assert says in api.error(code, route, **params)


def test_png_takes_roll_arguments_too(api):
    assert api.ok("png", run="blocks", roll="0").data.startswith(b"\x89PNG")
    response = api.get("png", run="blocks", unroll="block_1")
    assert response.status_code == 400 and "unroll" in json_error(response)
