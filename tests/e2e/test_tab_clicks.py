"""The tab keeps the user's place and says what it shows: a clicked group stays in view as it
opens and closes, every colouring's legend is in the sidebar, a colouring with nothing to show
is disabled with its reason, search results show whole names and kinds, new hops trace again.
Against a real TensorBoard on the demo logdir (see conftest.py)."""

from __future__ import annotations

from playwright.sync_api import expect
from tbharness import element_id, inside, rect

# Records, once the next drawing is put on screen and before the view glides anywhere, where
# the element of id `id` is on screen (a MutationObserver runs right after the tab's code that
# put the drawing in and placed it, before the next frame).
WATCH_FIRST_PLACE = """(id) => {
  window.sgFirstPlace = null;
  const app = document.querySelector('.sg-app');
  const watch = new MutationObserver(() => {
    watch.disconnect();
    const element = document.querySelector('svg.sg-graph #' + CSS.escape(id));
    const texts = [...element.querySelectorAll(':scope > text')]
      .map((t) => t.getBoundingClientRect());
    const box = element.getBoundingClientRect();
    const top = Math.min(...texts.map((r) => r.top));
    const bottom = Math.max(...texts.map((r) => r.bottom));
    window.sgFirstPlace = {
      box: {x: box.x + box.width / 2, y: box.y + box.height / 2},
      title: {
        x: (Math.min(...texts.map((r) => r.left)) + Math.max(...texts.map((r) => r.right))) / 2,
        y: (top + bottom) / 2,
      },
      label: {
        x: texts.reduce((sum, r) => sum + r.x + r.width / 2, 0) / texts.length,
        y: (top + bottom) / 2,
      },
    };
  });
  watch.observe(app, {attributes: true, attributeFilter: ['data-shown']});
}"""


def _label_size(tab, locator) -> float:
    """The height on screen of the first line of a box's or frame's label."""
    return locator.locator(":scope > text").first.evaluate(
        "(t) => t.getBoundingClientRect().height"
    )


def test_an_opened_group_stays_under_the_pointer_then_shows_whole(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    viewport = tab.frame.locator(".sg-viewport")
    # Zoomed in on layer1: its frame is far too big for the window at this scale.
    box = tab.box("scope", "layer1")
    tab.wheel_on(box, -600)
    assert _label_size(tab, box) > 20
    expect(box).to_be_visible()
    clicked = rect(box)
    pointer = {"x": clicked["x"] + clicked["w"] / 2, "y": clicked["y"] + clicked["h"] / 2}
    frame_id = "cluster-" + element_id("scope", "layer1")
    tab.frame.evaluate(WATCH_FIRST_PLACE, frame_id)
    tab.run_and_wait(lambda: box.click())
    first = tab.frame.evaluate("window.sgFirstPlace")
    # Its title came where its box's label was, under the pointer...
    assert abs(first["label"]["x"] - pointer["x"]) < 8, (first, pointer)
    assert abs(first["label"]["y"] - pointer["y"]) < 8, (first, pointer)
    # ... then the view zoomed out to show the whole frame, still readable.
    frame = tab.frame_of("scope", "layer1")
    assert inside(rect(frame), rect(viewport))
    assert _label_size(tab, frame) >= 8


def test_an_opened_group_with_room_beside_its_title_stays_under_the_pointer(tab):
    # PyTorch's demo run is drawn top-down with room beside its frames' titles: they are
    # HTML-like labels, their lines flush left and empty space to their right.
    tab.open("pytorch/torch")
    tab.close_all()
    box = tab.box("scope", "Net")
    tab.wheel_on(box, -400)
    expect(box).to_be_visible()
    clicked = rect(box)
    pointer = {"x": clicked["x"] + clicked["w"] / 2, "y": clicked["y"] + clicked["h"] / 2}
    frame_id = "cluster-" + element_id("scope", "Net")
    tab.frame.evaluate(WATCH_FIRST_PLACE, frame_id)
    tab.run_and_wait(lambda: box.click())
    frame = tab.frame_of("scope", "Net")
    titles = frame.locator(":scope > text")
    assert titles.first.get_attribute("text-anchor") == "start"
    title_width = max(rect(titles.nth(i))["w"] for i in range(titles.count()))
    assert rect(frame)["w"] > title_width * 1.5  # the room beside the title
    first = tab.frame.evaluate("window.sgFirstPlace")
    # The middle of its title's text came where its box's label was, under the pointer.
    assert abs(first["title"]["x"] - pointer["x"]) < 8, (first, pointer)
    assert abs(first["title"]["y"] - pointer["y"]) < 8, (first, pointer)


def test_a_closed_group_stays_under_the_pointer_and_the_drawing_comes_into_view(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    frame = tab.frame_of("scope", "layer2")
    viewport = tab.frame.locator(".sg-viewport")
    # Panned so the drawing runs off the window's right edge.
    outer = rect(viewport)
    iframe = tab.page.locator("iframe").bounding_box()
    start = (iframe["x"] + outer["x"] + 300, iframe["y"] + outer["y"] + 400)
    tab.page.mouse.move(*start)
    tab.page.mouse.down()
    tab.page.mouse.move(start[0] + 300, start[1], steps=6)
    tab.page.mouse.up()
    tab.wait_still()
    assert not inside(rect(tab.frame.locator("svg.sg-graph g.graph")), outer)
    where = rect(frame)
    x, y = where["x"] + 6, where["y"] + 6
    tab.frame.evaluate(WATCH_FIRST_PLACE, element_id("scope", "layer2"))
    tab.run_and_wait(lambda: tab.page.mouse.click(iframe["x"] + x, iframe["y"] + y))
    first = tab.frame.evaluate("window.sgFirstPlace")
    # The box came under the pointer ...
    assert abs(first["box"]["x"] - x) < 2 and abs(first["box"]["y"] - y) < 2, (first, x, y)
    # ... then the view glided to bring in the drawing, which now fits the window.
    expect(tab.box("scope", "layer2")).to_be_visible()
    assert inside(rect(tab.frame.locator("svg.sg-graph g.graph")), rect(viewport))


def test_search_results_show_whole_names_and_kinds(tab):
    tab.open("ffn_scoped")
    tab.frame.fill(".sg-search-input", "softmax")
    results = tab.frame.locator(".sg-result")
    expect(results.first).to_be_visible()
    assert results.count() >= 3
    for i in range(results.count()):
        result = results.nth(i)
        name = result.get_attribute("title")
        path = result.locator(".sg-result-path")
        # The whole name is shown, wrapped within the sidebar, nothing cut.
        assert path.inner_text().replace("\n", "") == name
        for part in (path, result.locator(".sg-result-short"), result.locator(".sg-chip")):
            assert part.evaluate("(e) => e.scrollWidth <= e.clientWidth"), (name, part)
        assert inside(rect(result.locator(".sg-chip")), rect(result))
    kinds = set(results.locator(".sg-chip").all_inner_texts())
    assert "scope" in kinds, kinds


def test_changing_hops_traces_again(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    marked = tab.frame.locator("svg.sg-graph g.node.sg-trace")
    status = tab.frame.locator(".sg-trace-status")
    tab.frame.fill(".sg-trace-depth", "1")
    tab.box("op", "layer3/add").click()
    tab.frame.locator(".sg-card [data-action=trace][data-direction=in]").click()
    expect(status).to_contain_text("of 1 hops")
    expect(marked).not_to_have_count(0)
    one = marked.count()
    # More hops: traced again, the groups the longer paths run through opened.
    tab.run_and_wait(lambda: tab.frame.fill(".sg-trace-depth", "20"))
    expect(status).to_contain_text("of 20 hops")
    expect(tab.frame_of("scope", "layer1")).to_be_visible()
    expect(marked).not_to_have_count(0)
    many = marked.count()
    assert many > one
    # Fewer again: the trace follows.
    tab.frame.fill(".sg-trace-depth", "1")
    expect(status).to_contain_text("of 1 hops")
    expect(marked).not_to_have_count(many)
    assert 0 < marked.count() < many


def _colour_option(tab, value: str):
    return tab.frame.locator(f"#sg-colour option[value='{value}']")


def test_a_colouring_without_data_is_disabled_with_its_reason(tab):
    tab.open("ffn_scoped")  # its op graph: no profile, no devices
    compute = _colour_option(tab, "compute")
    expect(compute).to_be_disabled()
    expect(_colour_option(tab, "memory")).to_be_disabled()
    expect(_colour_option(tab, "device")).to_be_disabled()
    expect(_colour_option(tab, "op")).to_be_enabled()
    why = tab.frame.locator(".sg-colour-why")
    expect(why.filter(has_text="no profile")).to_be_visible()
    # It says where a profile is: the run's profile graph, where the colouring is on offer.
    expect(why.filter(has_text="no profile")).to_contain_text("Profile: step9")
    expect(why.filter(has_text="names a device")).to_be_visible()
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-graph", index=1))
    expect(compute).to_be_enabled()
    expect(why.filter(has_text="no profile")).to_have_count(0)


def test_every_colouring_has_its_legend_in_the_sidebar(tab):
    tab.open("ffn_scoped")
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-graph", index=1))
    sidebar = tab.frame.locator(".sg-sidebar")
    legend = tab.frame.locator(".sg-colour-legend")
    expect(_colour_option(tab, "compute")).to_be_enabled()
    offered = tab.frame.eval_on_selector_all(
        "#sg-colour option:not([disabled])", "os => os.map(o => o.value).filter(Boolean)"
    )
    assert {"op", "compute", "memory", "structure"} <= set(offered)
    for colouring in offered:
        tab.run_and_wait(lambda c=colouring: tab.frame.select_option("#sg-colour", c))
        rows = legend.locator(".sg-colour-class")
        expect(rows.first).to_be_visible()
        # Each row: a swatch in a colour the drawing uses, and its whole text.
        fills = set(
            tab.frame.eval_on_selector_all(
                "svg.sg-graph g.node > :is(polygon, ellipse, path)",
                "ss => ss.map(s => s.getAttribute('fill'))",
            )
        )
        swatches = rows.locator(".sg-swatch").evaluate_all(
            "ss => ss.map(s => s.style.background && getComputedStyle(s).backgroundColor)"
        )
        assert all(swatches), (colouring, swatches)
        assert len(fills) > 2, colouring
        for i in range(rows.count()):
            text = rows.nth(i).locator("span").last
            assert text.evaluate("(e) => e.scrollWidth <= e.clientWidth"), colouring
            assert inside(rect(rows.nth(i)), rect(sidebar)), colouring
        # In the sidebar, not in the drawing, whose bounds leave it out.
        hidden = tab.frame.eval_on_selector_all(
            "svg.sg-graph .sg-legend-drawn", "es => es.every(e => !e.getBoundingClientRect().width)"
        )
        assert hidden, colouring
        tab.frame.click(".sg-zoom [aria-label^='Fit']")
        tab.wait_still()
        drawn = rect(tab.frame.locator("svg.sg-graph g.graph"))
        assert inside(drawn, rect(tab.frame.locator(".sg-viewport"))), colouring
    # No colours: no legend.
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-colour", ""))
    expect(legend).to_be_hidden()


def _rgb(hex_colour: str) -> str:
    value = int(hex_colour.lstrip("#"), 16)
    return f"rgb({value >> 16}, {value >> 8 & 0xFF}, {value & 0xFF})"


def test_colouring_by_op_type_fills_scopes_by_their_work_with_the_legend_in_view(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-colour", "op"))
    rows = tab.frame.locator(".sg-colour-legend .sg-colour-class")
    expect(rows.first).to_be_visible()
    swatch = {
        rows.nth(i).locator("span").last.text_content(): rows.nth(i)
        .locator(".sg-swatch")
        .evaluate("(s) => getComputedStyle(s).backgroundColor")
        for i in range(rows.count())
    }
    assert "MatMul" in swatch and "mixed op types" in swatch, swatch

    def fill(name):
        shape = tab.box("scope", name).locator(":scope > :is(path, polygon)").first
        return _rgb(shape.get_attribute("fill"))

    # The layers hold more Const and ReadVariableOp than MatMul: coloured by their MatMul.
    for layer in ("layer1", "layer2", "layer3"):
        assert fill(layer) == swatch["MatMul"], layer
    # evaluation computes a few things, none most: mixed.
    assert fill("evaluation") == swatch["mixed op types"]
    # Every row of the legend is in the window, under the picker, not below the fold.
    height = tab.frame.evaluate("innerHeight")
    picker = rect(tab.frame.locator("#sg-colour"))
    for i in range(rows.count()):
        row = rect(rows.nth(i))
        assert picker["y"] < row["y"] and row["y"] + row["h"] <= height, (i, row, height)
