"""Drawings made for the tab's sheet, in a real TensorBoard and Chromium: the tab sends the size
of its drawing sheet, rounded as the server rounds it, and the view it gets fits that sheet.
"""

from __future__ import annotations

import json
import statistics
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tb_scopegraph.service import views

AREA_JS = Path(__file__).resolve().parents[2] / "frontend" / "area.js"

# Every label in the sheet: its font size times the drawing's scale on screen (as
# bench/bench_readability.py measures); and every box the sheet's edge cuts.
_MEASURE_JS = """() => {
  const area = document.querySelector('.sg-viewport').getBoundingClientRect();
  const inside = (r) => r.left >= area.left - 0.5 && r.right <= area.right + 0.5 &&
    r.top >= area.top - 0.5 && r.bottom <= area.bottom + 0.5;
  const labels = [];
  for (const text of document.querySelectorAll('svg.sg-graph text')) {
    const r = text.getBoundingClientRect();
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    if (x < area.left || x > area.right || y < area.top || y > area.bottom) continue;
    const m = text.getScreenCTM();
    labels.push(parseFloat(text.getAttribute('font-size')) * Math.hypot(m.a, m.b));
  }
  const boxes = [...document.querySelectorAll('svg.sg-graph g.node')];
  const cut = boxes.filter((g) => !inside(g.getBoundingClientRect())).map((g) => g.id);
  return {sheet: [area.width, area.height], labels, boxes: boxes.length, cut};
}"""


def test_the_tab_rounds_a_sheet_as_the_server_does(browser):
    page = browser.new_page()
    try:
        sizes = [(w, h) for w in range(100, 4000, 37) for h in (100, 555, 818, 1200, 3999)]
        stepped = page.evaluate(
            """async ([source, sizes]) => {
              const url = 'data:text/javascript,' + encodeURIComponent(source);
              const {areaStep} = await import(url);
              return sizes.map(([width, height]) => {
                const s = areaStep({width, height});
                return [s.width, s.height];
              });
            }""",
            [AREA_JS.read_text(encoding="utf-8"), sizes],
        )
    finally:
        page.close()
    assert [tuple(s) for s in stepped] == [tuple(views.area(w, h)) for w, h in sizes]


def wait_listed(url: str, run: str, timeout: float = 60) -> None:
    """Waits until the plugin lists `run`: TensorBoard reads a logdir's runs one by one after
    it starts, and the tab lists what the plugin listed last."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(f"{url}/data/plugin/scopegraph/graphs", timeout=10) as r:
            if run in {g["run"] for g in json.loads(r.read())}:
                return
        assert time.monotonic() < deadline, f"{run} is not listed"
        time.sleep(0.25)


@pytest.mark.parametrize("window", [(1400, 900), (900, 1200)], ids=["1400x900", "900x1200"])
@pytest.mark.parametrize("run", ["ffn_scoped", "pytorch/torch"])
def test_the_first_view_is_drawn_for_the_sheet_and_fits_it(tab, tb_url, window, run):
    wait_listed(tb_url, run)
    width, height = window
    tab.page.set_viewport_size({"width": width, "height": height})
    asked = []

    def note(request):
        path = urlparse(request.url).path
        if path.endswith(("/scopegraph/svg", "/scopegraph/first")):
            asked.append(parse_qs(urlparse(request.url).query))

    tab.page.on("request", note)
    tab.open(run)
    tab.wait_still()
    found = tab.frame.evaluate(_MEASURE_JS)
    step = views.area(*(round(side) for side in found["sheet"]))
    # Every drawing was asked for that sheet (the first graph's, and the run's).
    assert asked
    for query in asked:
        assert (int(query["width"][0]), int(query["height"][0])) == step, query
    # Whole in the sheet, read without zooming.
    assert found["boxes"] >= 3 and not found["cut"], found["cut"]
    assert min(found["labels"]) >= 8 and statistics.median(found["labels"]) >= 10
