"""A first view too big to read whole shows its top at full size with an overview (the minimap):
labels at least 11 px tall on screen, the window's part outlined on the map, and a press or a
drag on the map moves the view there. Against a real TensorBoard and Chromium (1,400 x 900).
"""

from __future__ import annotations

import pytest
from graphs import graph_from_nodes, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, element_id, rect, tensorboard

# Scope names without numbers, so that no series folds the chain into one box.
STAGES = (
    "embed stem mix gate route merge squeeze expand attend pool norm shift scale blend fold"
    " spread lift drop join split turn press sort trim"
).split()
RUN = "chain"


def chain_of_scopes():
    """input -> 24 scopes in a chain (MatMul of a constant, Relu) -> output: a first view of 26
    boxes in a column about 1,450 pt tall, which fits a 1,400 x 900 window only at about half
    its natural size."""
    nodes = [("input", "Placeholder")]
    before = "input"
    for stage in STAGES:
        nodes += [
            (f"{stage}/kernel", "Const"),
            (f"{stage}/MatMul", "MatMul", [before, f"{stage}/kernel"]),
            (f"{stage}/Relu", "Relu", [f"{stage}/MatMul"]),
        ]
        before = f"{stage}/Relu"
    nodes.append(("output", "Identity", [before]))
    return graph_from_nodes(nodes)


@pytest.fixture(scope="module")
def chain_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("minimap") / "logs"
    write_run_graph(logdir / RUN, chain_of_scopes())
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def chain_tab(browser, chain_url):
    tab = Tab(browser, chain_url)
    tab.open()  # its only run
    tab.wait_still()
    yield tab
    problems = tab.unexpected_problems()
    tab.close()
    assert not problems, "\n".join(problems)


# The box labels whose middle is in the drawing area, as px tall on screen (font size times the
# SVG's scale), and the drawing's height on screen.
LABELS_ON_SCREEN = """() => {
  const area = document.querySelector('.sg-viewport').getBoundingClientRect();
  const svg = document.querySelector('svg.sg-graph');
  const sizes = [];
  for (const t of svg.querySelectorAll('g.node text, g.cluster text')) {
    const r = t.getBoundingClientRect();
    const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
    if (!r.width || x < area.left || x > area.right || y < area.top || y > area.bottom) continue;
    const m = t.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(m.a * m.d)));
  }
  return {sizes, drawing: svg.querySelector('g.graph').getBoundingClientRect().height,
          area: area.height};
}"""

# The map's outline of the window's part: the rows and columns of the canvas (in CSS px of the
# map) painted in the outline's orange, as {top, bottom, left, right, height} of the map.
OUTLINE = """() => {
  const canvas = document.querySelector('.sg-minimap');
  const g = canvas.getContext('2d');
  const {data, width, height} = g.getImageData(0, 0, canvas.width, canvas.height);
  let top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = 4 * (y * width + x);
    // #f57c00 as drawn, give or take antialiasing.
    if (data[i] > 200 && data[i + 1] > 90 && data[i + 1] < 160 && data[i + 2] < 60
        && data[i + 3] > 200) {
      top = Math.min(top, y); bottom = Math.max(bottom, y);
      left = Math.min(left, x); right = Math.max(right, x);
    }
  }
  const css = canvas.width / canvas.getBoundingClientRect().width;
  return {top: top / css, bottom: bottom / css, left: left / css, right: right / css,
          height: height / css, width: width / css};
}"""


def in_view(tab: Tab, kind: str, name: str) -> bool:
    """Whether the box's middle is inside the drawing area."""
    return tab.frame.evaluate(
        """(id) => {
          const area = document.querySelector('.sg-viewport').getBoundingClientRect();
          const r = document.getElementById(id).getBoundingClientRect();
          const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
          return x >= area.left && x <= area.right && y >= area.top && y <= area.bottom;
        }""",
        element_id(kind, name),
    )


def map_point(tab: Tab, fx: float, fy: float) -> tuple[float, float]:
    """The page's point at (fx, fy) of the minimap's width and height."""
    box = tab.frame.locator(".sg-minimap").bounding_box()
    return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def test_the_top_of_a_tall_first_view_is_drawn_at_full_size(chain_tab):
    seen = chain_tab.frame.evaluate(LABELS_ON_SCREEN)
    # Too big to read whole: the drawing runs well past the window, so this is the top view.
    assert seen["drawing"] > 1.5 * seen["area"], seen
    assert len(seen["sizes"]) >= 5, seen
    assert min(seen["sizes"]) >= 11, seen["sizes"]
    assert in_view(chain_tab, "op", "input")
    assert not in_view(chain_tab, "op", "output")


def test_the_minimap_outlines_the_windows_part_of_the_drawing(chain_tab):
    minimap = chain_tab.frame.locator(".sg-minimap")
    expect(minimap).to_be_visible()
    area = chain_tab.frame.locator(".sg-viewport").bounding_box()
    box = minimap.bounding_box()
    assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"]
    assert area["y"] <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"]
    # A tall column's map is not a sliver: it is drawn wider, and shows the part of it around
    # the window.
    assert box["width"] >= 48, box
    outline = chain_tab.frame.evaluate(OUTLINE)
    # The top of the drawing is shown: the outline starts at the map's top, inside the map.
    assert outline["top"] <= 3, outline
    assert outline["bottom"] <= outline["height"] and outline["right"] <= outline["width"]


def test_a_press_on_the_minimap_moves_the_view_there(chain_tab):
    # Each press near the map's bottom moves the view down to where it points, and the map
    # follows: presses enough reach the chain's end.
    for _ in range(20):
        if in_view(chain_tab, "op", "output"):
            break
        chain_tab.page.mouse.click(*map_point(chain_tab, 0.5, 0.97))
        chain_tab.wait_still()
    assert in_view(chain_tab, "op", "output")
    assert not in_view(chain_tab, "op", "input")
    after = chain_tab.frame.evaluate(OUTLINE)
    assert after["bottom"] >= after["height"] - 3, after


def test_a_drag_on_the_minimap_carries_the_view_along(chain_tab):
    page = chain_tab.page
    assert in_view(chain_tab, "op", "input")
    page.mouse.move(*map_point(chain_tab, 0.5, 0.1))
    page.mouse.down()
    for fy in (0.3, 0.5, 0.7, 0.9, 0.98):
        page.mouse.move(*map_point(chain_tab, 0.5, fy), steps=3)
    # While the button is held the view follows the pointer down the chain.
    assert not in_view(chain_tab, "op", "input")
    page.mouse.up()
    chain_tab.wait_still()
    assert not in_view(chain_tab, "op", "input")
    # Dragged back up, the top is in view again.
    page.mouse.move(*map_point(chain_tab, 0.5, 0.9))
    page.mouse.down()
    for fy in (0.7, 0.5, 0.3, 0.1, 0.0):
        page.mouse.move(*map_point(chain_tab, 0.5, fy), steps=3)
    page.mouse.up()
    chain_tab.wait_still()
    assert in_view(chain_tab, "op", "input")


def test_f_fits_the_drawing_as_soon_as_the_tab_is_shown(chain_tab):
    tab = chain_tab
    tab.wait_still()
    before = tab.frame.get_attribute("svg.sg-graph", "viewBox")
    # No click first: the keys go to the tab once it is on screen.
    tab.page.keyboard.press("f")
    tab.wait_still()
    after = tab.frame.get_attribute("svg.sg-graph", "viewBox")
    assert after != before
    graph = tab.frame.locator("svg.sg-graph g.graph").bounding_box()
    viewport = tab.frame.locator(".sg-viewport").bounding_box()
    assert graph["height"] <= viewport["height"] + 1 and graph["width"] <= viewport["width"] + 1


def test_a_tall_first_view_has_a_minimap_wide_enough_to_see_the_window_on(chain_tab):
    tab = chain_tab
    tab.wait_still()
    minimap = tab.frame.locator("canvas.sg-minimap")
    expect(minimap).to_be_visible()
    drawn = rect(minimap)
    # The drawing is several times taller than wide; its map is still a usable width.
    assert drawn["w"] >= 48, drawn
    # The window's outline (the accent orange) is painted on it: on at least two sides.
    orange = minimap.evaluate(
        """(c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const rows = new Set(), cols = new Set();
          for (let i = 0; i < d.length; i += 4) {
            if (d[i] > 200 && d[i + 1] > 90 && d[i + 1] < 160 && d[i + 2] < 60 && d[i + 3] > 200) {
              const p = i / 4;
              rows.add(Math.floor(p / c.width));
              cols.add(p % c.width);
            }
          }
          return {rows: rows.size, cols: cols.size, w: c.width, h: c.height};
        }"""
    )
    assert orange["cols"] >= orange["w"] * 0.8 and orange["rows"] >= 20, orange
    # Once the whole drawing is in the window, the map goes.
    tab.page.keyboard.press("f")
    tab.wait_still()
    expect(minimap).to_be_hidden()


def test_the_minimap_moves_to_a_corner_where_it_covers_no_box(chain_tab):
    tab = chain_tab
    tab.wait_still()
    minimap = tab.frame.locator("canvas.sg-minimap")
    expect(minimap).to_be_visible()
    # The tall column of boxes dragged to the window's left edge, under the map's first corner.
    column = rect(tab.frame.locator("svg.sg-graph g.graph"))
    outer = rect(tab.frame.locator(".sg-viewport"))
    iframe = tab.page.locator("iframe").bounding_box()
    x, y = iframe["x"] + column["x"] + column["w"] / 2, iframe["y"] + outer["y"] + 300
    tab.page.mouse.move(x, y)
    tab.page.mouse.down()
    tab.page.mouse.move(x - (column["x"] - outer["x"]) - 20, y, steps=8)
    tab.page.mouse.up()
    tab.wait_still()
    expect(minimap).to_be_visible()
    # It left its first corner (it stays put unless it covers a box there) for one where it
    # covers none.
    assert minimap.get_attribute("data-corner") != "bottom-left"
    under = tab.frame.evaluate(
        """() => {
          const m = document.querySelector('canvas.sg-minimap').getBoundingClientRect();
          return [...document.querySelectorAll('svg.sg-graph g.node')].filter((n) => {
            const r = n.getBoundingClientRect();
            return r.left < m.right && r.right > m.left && r.top < m.bottom && r.bottom > m.top;
          }).map((n) => n.id);
        }"""
    )
    assert under == []
