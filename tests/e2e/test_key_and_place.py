"""The sidebar's key lists the marks the drawing on screen holds (and no other), the drawing
takes the keyboard once the tab is shown, and the overview of a drawing larger than the window.
Against a real TensorBoard on the demo logdir (see conftest.py)."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect
from tbharness import rect

# The demo's runs these tests show.
USED = {"ffn_scoped", "ffn_scoped_wider", "pytorch/torch"}


def _open(tab, run: str) -> None:
    """Opens the tab on `run` once TensorBoard lists it (it reads a logdir's runs one by one:
    the first test of a session can come before the demo's later runs are read)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{tab.url}/data/plugin/scopegraph/graphs") as response:
            if USED | {run} <= {g["run"] for g in json.loads(response.read())}:
                break
        time.sleep(0.5)
    tab.open(run)


def _marks(tab) -> set[str]:
    rows = tab.frame.locator(".sg-key-section:not([hidden]) .sg-key-row")
    expect(rows.first).to_be_attached()
    return set(rows.evaluate_all("rs => rs.map((r) => r.dataset.mark)"))


def test_the_key_lists_the_marks_of_the_drawing_and_only_those(tab):
    _open(tab, "ffn_scoped")
    marks = _marks(tab)
    assert {"auxiliary", "summaries", "scope", "edge-label"} <= marks, marks
    # Nothing rolled, no comparison, no stub (the summaries' merge has none): not in the key.
    assert not marks & {"rolled", "loop", "diff-added", "diff-counts", "missing", "stub"}, marks
    # Each row: a drawn sample and a line of text.
    row = tab.frame.locator('.sg-key-row[data-mark="auxiliary"]')
    assert row.locator("svg.sg-key-sample ellipse").count() == 1
    expect(row).to_contain_text("Set apart")
    # It folds away.
    tab.frame.click(".sg-key > summary")
    expect(row).to_be_hidden()

    tab.select_run("pytorch/torch")
    tab.wait_ready()
    marks = _marks(tab)
    assert {"rolled", "loop", "open"} <= marks, marks

    tab.select_run("ffn_scoped_wider")
    tab.compare_with("ffn_scoped · Op graph")
    marks = _marks(tab)
    assert {"diff-added", "diff-changed", "diff-counts", "diff-mirrored", "diff-mirror"} <= marks
    assert "diff-removed" not in marks and "rolled" not in marks, marks


def test_f_typed_in_the_search_field_stays_there(tab):
    _open(tab, "ffn_scoped")
    tab.frame.click(".sg-search input")
    tab.page.keyboard.type("ff")
    assert tab.frame.locator(".sg-search input").input_value() == "ff"


def _cut(tab, selector: str) -> list[str]:
    """The ids of the elements matching `selector` in the drawing that the window's edge cuts."""
    return tab.frame.evaluate(
        """(selector) => {
          const v = document.querySelector('.sg-viewport').getBoundingClientRect();
          return [...document.querySelectorAll(selector)].filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < v.left - 0.5 || r.top < v.top - 0.5 ||
              r.right > v.right + 0.5 || r.bottom > v.bottom + 0.5;
          }).map((e) => e.id);
        }""",
        selector,
    )


def _view_box(tab) -> list[float]:
    return [float(v) for v in tab.frame.get_attribute("svg.sg-graph", "viewBox").split()]


def test_opening_a_group_then_closing_it_eases_to_show_the_new_drawing(tab):
    _open(tab, "ffn_scoped")
    tab.close_all()
    # Zoomed in on layer2, as a reader looking closer before opening it.
    box = tab.box("scope", "layer2")
    tab.wheel_on(box, -500)
    tab.run_and_wait(lambda: box.click())
    # The opened group and all of its boxes are in the window: none cut by its edge.
    expect(tab.frame_of("scope", "layer2")).to_be_visible()
    inside = tab.frame.locator("svg.sg-graph g.node[id*='layer2']")
    assert inside.count() >= 5
    assert _cut(tab, "svg.sg-graph g.node[id*='layer2'], svg.sg-graph g.cluster") == []
    # This drawing reads whole (box labels 8 px or more): it is shown whole.
    assert _cut(tab, "svg.sg-graph g.node") == []
    label = tab.box("scope", "layer1").locator(":scope > text").first
    assert label.evaluate("(t) => t.getBoundingClientRect().height") >= 8

    # Zoomed in again about the group's title, then closed by a click on it: the drawing eases
    # to the fitted view, as F gives.
    iframe = tab.page.locator("iframe").bounding_box()
    title = rect(tab.frame_of("scope", "layer2").locator(":scope > text").first)
    x, y = iframe["x"] + title["x"] + title["w"] / 2, iframe["y"] + title["y"] + title["h"] / 2
    tab.page.mouse.move(x, y)
    tab.page.mouse.wheel(0, -500)
    tab.wait_still()
    tab.run_and_wait(lambda: tab.page.mouse.click(x, y))
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0
    closed = _view_box(tab)
    tab.page.keyboard.press("f")
    tab.wait_still()
    assert closed == pytest.approx(_view_box(tab), rel=1e-3, abs=0.5)
