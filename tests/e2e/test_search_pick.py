"""Picking a search result keeps the reader's place and shows what was found, readable: the
groups that hold it open where their boxes were (the view eases from there), the found box ends
in the middle of the window, clear of the overview map, the status line and the zoom buttons,
its labels at least 10 px tall, the titles of the frames around it that are out of sight named
in one line at the top; a name with no box of its own marks the box it is drawn as or counted
on, and the status line says so; a box already in sight at a readable size is marked where it
is. Against a real TensorBoard on the demo logdir (see conftest.py), and on a graph of nested
scopes written here."""

from __future__ import annotations

import re

import pytest
from graphs import graph_from_nodes, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, element_id, inside, rect, tensorboard

# Box labels are 10 pt: at the scale a found box is shown at (found.js, FOCUS_SCALE) or more.
MIN_LABEL_PX = 10
# How far (px) the opened group's title may land from where its box's middle was.
ANCHOR_PX = 4
# What floats over the drawing, px from each side of the window (frontend/viewport.js CLEAR):
# a found box goes in the middle of the rest.
CLEAR = {"top": 16, "left": 16, "right": 60, "bottom": 40}

# Once the next drawing is put on screen (the root's data-shown changes), before it moves:
# where the middle of the title of frame `id` is (client px), into window.firstPlace ({} if
# it has none).
_WATCH_FIRST_PLACE = """(id) => {
  const app = document.querySelector('.sg-app');
  const before = app.dataset.shown;
  window.firstPlace = null;
  const watch = new MutationObserver(() => {
    if (app.dataset.shown === before) return;
    watch.disconnect();
    const frame = document.querySelector('svg.sg-graph').getElementById(id);
    const lines = frame ? [...frame.querySelectorAll(':scope > text, :scope > a > text')] : [];
    if (!lines.length) { window.firstPlace = {}; return; }
    const rs = lines.map((t) => t.getBoundingClientRect());
    const x0 = Math.min(...rs.map((r) => r.left)), x1 = Math.max(...rs.map((r) => r.right));
    const y0 = Math.min(...rs.map((r) => r.top)), y1 = Math.max(...rs.map((r) => r.bottom));
    window.firstPlace = {x: (x0 + x1) / 2, y: (y0 + y1) / 2};
  });
  watch.observe(app, {attributes: true, attributeFilter: ['data-shown']});
}"""

# The label heights on screen (CSS px) of the box marked found: font size times scale.
_LABEL_PX = """() => [...document.querySelectorAll('svg.sg-graph .sg-hit text')].map(
  (t) => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)"""


def _middle(r: dict) -> tuple[float, float]:
    return r["x"] + r["w"] / 2, r["y"] + r["h"] / 2


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _overlays(tab) -> dict:
    """What floats over the drawing and is on screen: {name: rect}."""
    found = {}
    for name, selector in (
        ("minimap", ".sg-minimap"),
        ("status", ".sg-status"),
        ("zoom", ".sg-zoom"),
    ):
        locator = tab.frame.locator(selector)
        if locator.count() and locator.is_visible():
            found[name] = rect(locator)
    return found


def _search(tab, query: str, name: str):
    tab.frame.fill(".sg-search-input", query)
    result = tab.frame.locator(f'.sg-result[title="{name}"]')
    expect(result).to_be_visible()
    return result


def _pick_opening(tab, query: str, name: str, opened: str) -> None:
    """Picks result `name` (found by `query`), which opens scope `opened`, whose box's middle
    is where the opened frame's title is on the new drawing's first frame; waits until the
    view rests."""
    was = _middle(rect(tab.box("scope", opened)))
    result = _search(tab, query, name)
    tab.frame.evaluate(_WATCH_FIRST_PLACE, "cluster-" + element_id("scope", opened))
    tab.run_and_wait(result.click)
    first = tab.frame.evaluate("window.firstPlace")
    assert first, first
    assert abs(first["x"] - was[0]) <= ANCHOR_PX and abs(first["y"] - was[1]) <= ANCHOR_PX, (
        first,
        was,
    )


def _pick_in_place(tab, query: str, name: str) -> None:
    """Picks result `name`, whose groups are open already (no new drawing), and waits for the
    glide to end."""
    result = _search(tab, query, name)
    result.click()
    tab.frame.wait_for_selector("svg.sg-graph .sg-hit")
    tab.wait_still()


def _assert_found_readable_and_clear(tab, found) -> dict:
    expect(found).to_have_class(re.compile(r"\bsg-hit\b"))
    box = rect(found)
    viewport = rect(tab.frame.locator(".sg-viewport"))
    assert inside(box, viewport), (box, viewport)
    for name, over in _overlays(tab).items():
        assert not _overlap(box, over), (name, box, over)
    heights = tab.frame.evaluate(_LABEL_PX)
    assert heights and min(heights) >= MIN_LABEL_PX - 0.01, heights
    return box


def test_a_pick_opens_its_group_where_its_box_was_then_shows_the_hit(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    # The view asked for before the pick: layer2 open, zoomed in (the overview map shows).
    tab.run_and_wait(tab.box("scope", "layer2").click)
    for _ in range(2):
        tab.frame.click(".sg-zoom button >> nth=0")
    tab.wait_still()
    name = "cross_entropy/SparseSoftmaxCrossEntropyWithLogits"
    _pick_opening(tab, "SparseSoftmax", name, "cross_entropy")
    # Only what holds the hit opened: layer2 is still open.
    expect(tab.frame_of("scope", "layer2")).to_have_count(1)
    box = _assert_found_readable_and_clear(tab, tab.box("scope", name))
    # The title of the group holding it shows too (its own, or named at the top), not under
    # anything floating over it.
    title = _frame_title_shown(tab, "cross_entropy")
    assert inside(title, rect(tab.frame.locator(".sg-viewport"))), title
    for over_name, over in _overlays(tab).items():
        assert not _overlap(title, over), (over_name, title, over)
    assert box["y"] > title["y"]


def test_a_deep_hit_is_shown_clear_of_the_map_and_readable(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    name = "train/gradients/layer1/MatMul_grad/MatMul_1"
    _pick_opening(tab, "MatMul_grad/MatMul_1", name, "train")
    _assert_found_readable_and_clear(tab, tab.box("op", name))
    # Four groups deep, the view is larger than the window: the map shows, away from the hit.
    expect(tab.frame.locator(".sg-minimap")).to_be_visible()


def test_a_scope_drawn_as_its_one_op_marks_that_op_and_says_so(tab):
    tab.open("keras/trace")
    _pick_in_place(tab, "hidden_1/Cast", "classifier_1/hidden_1/Cast")
    drawn_as = tab.box("op", "classifier_1/hidden_1/Cast/ReadVariableOp")
    _assert_found_readable_and_clear(tab, drawn_as)
    note = tab.frame.locator(".sg-status").get_attribute("data-note")
    assert note and "Cast" in note and "drawn as" in note, note


def test_a_variable_handle_not_drawn_marks_the_box_it_is_counted_on(tab):
    tab.open("keras/trace")
    handle = "classifier_1_hidden_1_cast_readvariableop_resource"
    expect(tab.box("op", handle)).to_have_count(0)
    _pick_in_place(tab, "hidden_1_cast_readvariableop", handle)
    counted_on = tab.frame.locator("svg.sg-graph .sg-hit")
    expect(counted_on).to_have_count(1)
    # The box that counts it: "← 1 variable" (or more) on its label.
    assert re.search(r"← \d+ variables?", counted_on.text_content()), counted_on.text_content()
    _assert_found_readable_and_clear(tab, counted_on)
    note = tab.frame.locator(".sg-status").get_attribute("data-note")
    assert note and handle in note and "not drawn" in note, note


def test_a_pick_already_in_sight_keeps_the_view(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(tab.box("scope", "cross_entropy").click)
    before = tab.frame.eval_on_selector("svg.sg-graph", "(s) => s.getAttribute('viewBox')")
    name = "cross_entropy/SparseSoftmaxCrossEntropyWithLogits"
    _pick_in_place(tab, "SparseSoftmax", name)
    _assert_found_readable_and_clear(tab, tab.box("scope", name))
    after = tab.frame.eval_on_selector("svg.sg-graph", "(s) => s.getAttribute('viewBox')")
    assert after == before


def _frame_title_shown(tab, scope: str):
    """The title of open scope `scope`'s frame on screen: its own first line, or, when that is
    out of the window, the line at the top naming the frames around the found box
    (.sg-frame-tag); its rect."""
    viewport = rect(tab.frame.locator(".sg-viewport"))
    frame = tab.frame_of("scope", scope)
    own = rect(frame.locator(":scope > text, :scope > a > text").first)
    if inside(own, viewport):
        return own
    tag = tab.frame.locator("svg.sg-graph .sg-frame-tag")
    expect(tag).to_have_count(1)
    expect(tag).to_contain_text(scope.rpartition("/")[2])
    return rect(tag)


def test_a_pick_from_a_depth_keeps_the_field_and_shows_the_frame_title(tab):
    tab.open("ffn_scoped")
    tab.frame.fill(".sg-depth-input >> nth=0", "2")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    name = "cross_entropy/SparseSoftmaxCrossEntropyWithLogits"
    result = _search(tab, "SparseSoftmax", name)
    tab.run_and_wait(result.click)
    box = _assert_found_readable_and_clear(tab, tab.box("scope", name))
    # The depth field keeps what the reader asked for; the status says what the pick added.
    expect(tab.frame.locator(".sg-depth-input").first).to_have_value("2")
    expect(tab.frame.locator(".sg-depth-status")).to_contain_text(
        "depth 2, and opened to show the search result"
    )
    # cross_entropy's title is in view, or named at the top, above the found box, clear of
    # what floats over the drawing.
    title = _frame_title_shown(tab, "cross_entropy")
    assert inside(title, rect(tab.frame.locator(".sg-viewport"))), title
    assert title["y"] + title["h"] <= box["y"], (title, box)
    for over_name, over in _overlays(tab).items():
        assert not _overlap(title, over), (over_name, title, over)


def test_the_status_line_is_a_band_the_drawing_does_not_show_through(tab):
    tab.open("ffn_scoped")
    status = tab.frame.locator(".sg-status")
    expect(status).to_contain_text("ops in graph")
    colour = status.evaluate("(e) => getComputedStyle(e).backgroundColor")
    # rgb(...) is opaque; rgba(..., a) is not unless a is 1.
    assert colour.startswith("rgb(") or colour.endswith(", 1)"), colour
    band, viewport = rect(status), rect(tab.frame.locator(".sg-viewport"))
    assert abs(band["y"] + band["h"] - (viewport["y"] + viewport["h"])) <= 1, (band, viewport)
    assert abs(band["x"] - viewport["x"]) <= 1, (band, viewport)


# A stage of 140 ops in three nested scopes, too big to draw whole at FOCUS_SCALE (found.js):
# its last op found from a view zoomed in elsewhere, the three titles are far above it.
STAGE = "model/encoder/stage"
STAGE_OPS = [a + b + c for c in "lr" for a in "cdfghjklmnpqrstvwxz" for b in "aeiou"][:139] + [
    "sum"
]


def _nested_graph():
    out = {"_output_shapes": [[None, 8]]}
    nodes = [("input", "Placeholder", (), {"dtype": "float32", **out})]
    previous = "input"
    for i, op in enumerate(STAGE_OPS):
        inputs = (previous,) if i % 3 else (previous, "input")
        nodes.append((f"{STAGE}/{op}", "AddV2" if i % 3 == 0 else "Relu", inputs, out))
        previous = f"{STAGE}/{op}"
    nodes.append(("model/head", "Relu", (previous,), out))
    nodes.append(("output", "Identity", ("model/head",), out))
    return graph_from_nodes(nodes)


@pytest.fixture(scope="module")
def nested_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("nested_pick") / "logs"
    write_run_graph(logdir / "nested", _nested_graph())
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def nested_tab(browser, nested_url):
    t = Tab(browser, nested_url)
    yield t
    problems = t.unexpected_problems()
    t.close()
    assert not problems, "\n".join(problems)


def test_a_found_box_is_centred_and_the_titles_out_of_sight_are_named_at_the_top(nested_tab):
    tab = nested_tab
    tab.open()  # the only run: its three scopes open
    # Zoomed in on the stage's first op; its last, found, is out of sight.
    tab.wheel_on(tab.box("op", f"{STAGE}/{STAGE_OPS[0]}"), -600)
    name = f"{STAGE}/sum"
    _pick_in_place(tab, "stage/sum", name)
    box = _assert_found_readable_and_clear(tab, tab.box("op", name))
    # In the middle of the part of the window nothing floats over.
    viewport = rect(tab.frame.locator(".sg-viewport"))
    x, y = _middle(box)
    middle_x = viewport["x"] + (CLEAR["left"] + viewport["w"] - CLEAR["right"]) / 2
    middle_y = viewport["y"] + (CLEAR["top"] + viewport["h"] - CLEAR["bottom"]) / 2
    assert abs(x - middle_x) <= 2 and abs(y - middle_y) <= 2, (x, y, middle_x, middle_y)
    # The three frames' titles are out of the window: named in one line at its top, outermost
    # first, above the found box, clear of what floats over the drawing.
    for scope in ("model", "model/encoder", STAGE):
        title = rect(tab.frame_of("scope", scope).locator(":scope > text").first)
        assert not inside(title, viewport), (scope, title)
    tag = tab.frame.locator("svg.sg-graph .sg-frame-tag")
    expect(tag).to_have_text("model › encoder › stage")
    line = rect(tag)
    assert inside(line, viewport) and line["y"] - viewport["y"] <= 40, (line, viewport)
    assert line["y"] + line["h"] <= box["y"], (line, box)
    for over_name, over in _overlays(tab).items():
        assert not _overlap(line, over), (over_name, line, over)
    # Its words are as large as the frames' titles at this scale.
    heights = tab.frame.evaluate(
        "() => [...document.querySelectorAll('svg.sg-graph .sg-frame-tag text')].map("
        "(t) => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)"
    )
    assert heights and min(heights) >= MIN_LABEL_PX, heights
