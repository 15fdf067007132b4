"""What a click or a fit leaves on screen is readable and clear of the controls floating over
the drawing: a group opened where the new drawing would fit only at small text shows its top
at full size with the overview map, and a fitted drawing leaves the zoom buttons' corner and
the status line free. Against a real TensorBoard on the demo logdir (see conftest.py); the
window is made small so the demo's small graphs stand for big ones."""

from __future__ import annotations

from tbharness import rect

# The heights (CSS px) of the box and frame labels at least partly on screen.
LABELS_ON_SCREEN = """() => {
  const vp = document.querySelector('.sg-viewport').getBoundingClientRect();
  const on = (r) => r.width > 0 && r.right > vp.left && r.left < vp.right &&
    r.bottom > vp.top && r.top < vp.bottom;
  return [...document.querySelectorAll(
      'svg.sg-graph g.node > text, svg.sg-graph g.cluster > text')]
    .map((t) => t.getBoundingClientRect()).filter(on).map((r) => r.height);
}"""

# The ids of the boxes and frames whose rects meet the rect of `selector` (CSS px).
UNDER = """(selector) => {
  const over = document.querySelector(selector).getBoundingClientRect();
  const meets = (r) => r.right > over.left && r.left < over.right &&
    r.bottom > over.top && r.top < over.bottom;
  return [...document.querySelectorAll('svg.sg-graph g.node, svg.sg-graph g.cluster')]
    .filter((e) => meets(e.getBoundingClientRect())).map((e) => e.id);
}"""


def _label_heights(tab) -> list[float]:
    return tab.frame.evaluate(LABELS_ON_SCREEN)


def test_opening_a_big_group_shows_its_top_readable_with_the_map(tab):
    # At 1,000x440 the demo's ffn_scoped with `train` open fits only with labels under 9 px.
    tab.page.set_viewport_size({"width": 1000, "height": 440})
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "train").click())
    heights = _label_heights(tab)
    assert heights and min(heights) >= 10, sorted(heights)[:5]
    assert tab.frame.locator(".sg-minimap").is_visible()
    # The opened group's title is on screen.
    title = tab.frame_of("scope", "train").locator(":scope > text").first
    viewport = rect(tab.frame.locator(".sg-viewport"))
    at = rect(title)
    assert viewport["y"] <= at["y"] and at["y"] + at["h"] <= viewport["y"] + viewport["h"]
    # F still fits the whole drawing, small as it is.
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    assert min(_label_heights(tab)) < 10
    assert not tab.frame.locator(".sg-minimap").is_visible()


def test_a_fitted_drawing_leaves_the_zoom_buttons_and_status_line_clear(tab):
    # At 1,000x600 ffn_flat fits by its width, with a box in the bottom right corner.
    tab.page.set_viewport_size({"width": 1000, "height": 600})
    tab.open("ffn_flat")
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    assert tab.frame.locator("svg.sg-graph g.node").count() > 10
    assert tab.frame.evaluate(UNDER, ".sg-zoom") == []
    assert tab.frame.evaluate(UNDER, ".sg-status") == []
