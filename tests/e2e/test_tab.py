"""The Scope Graph tab in a real TensorBoard, on the demo logdir (see conftest.py)."""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from xml.etree import ElementTree

import pytest
import tab_module
from playwright.sync_api import expect
from tbharness import Tab, element_id, poll, tab_frame, tensorboard

# A point on an open group's frame: its top edge, clear of the rounded corner (whose radius
# grows with the drawing's scale: at full size, 6 px in from the corner is outside it).
FRAME_TOP = {"x": 24, "y": 3}

LAYERS = ("layer1", "layer2", "layer3")


def test_tab_is_listed_and_opens(tab):
    page = tab.page
    page.goto(tab.url + "/")
    scope_graph = page.get_by_role("tab", name=re.compile("scope graph", re.I))
    expect(scope_graph).to_be_visible(timeout=20_000)
    scope_graph.click()
    tab.frame = tab_frame(page)
    tab.wait_ready()
    # TensorBoard may still be reading the logdir: the runs it reads later are listed too.
    tab.frame.wait_for_function(
        """(names) => {
          const runs = [...document.querySelectorAll('#sg-run option')].map((o) => o.textContent);
          return names.every((name) => runs.includes(name));
        }""",
        arg=["add", "circle", "ffn_flat", "ffn_scoped"],
        timeout=30_000,
    )


def test_scoped_net_shows_its_layer_scopes(tab):
    tab.open("ffn_scoped")
    for layer in LAYERS:
        shown = tab.box("scope", layer).count() + tab.frame_of("scope", layer).count()
        assert shown == 1, f"{layer} is neither a box nor an open frame"
    tab.close_all()
    for layer in LAYERS:
        expect(tab.box("scope", layer)).to_be_visible()
    # The listing leaves the op count out until the graph is read; the tab asks again.
    expect(tab.frame.locator(".sg-status")).to_contain_text("ops in graph")
    expect(tab.frame.locator("#sg-graph option:checked")).to_contain_text(" ops)")


def test_hovering_an_op_shows_its_type_and_output_shape(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer1").click())
    tab.box("op", "layer1/MatMul").hover()
    card = tab.frame.locator(".sg-card")
    expect(card).to_be_visible()
    expect(card.locator(".sg-chip-op")).to_have_text("MatMul")
    expect(card).to_contain_text("layer1/MatMul:0")
    expect(card).to_contain_text("[?,128]")
    expect(card).to_contain_text("[?,784]")  # the input x

    # A click pins the card (it stays, and takes the pointer); Escape lets it go.
    tab.box("op", "layer1/MatMul").click()
    expect(card).to_have_class(re.compile("sg-pinned"))
    tab.page.mouse.move(5, 5)
    expect(card).to_be_visible()
    expect(card.locator("[data-action=unpin]")).to_be_visible()
    tab.page.keyboard.press("Escape")
    expect(card).to_be_hidden()


def test_hovering_a_scope_shows_op_counts_and_parameters(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.box("scope", "layer1").hover()
    card = tab.frame.locator(".sg-card")
    expect(card).to_contain_text("Parameters")
    expect(card).to_contain_text("100,480")  # 784 * 128 + 128
    expect(card).to_contain_text("MatMul")


def test_a_traced_layers_card_counts_the_variables_it_reads(tab):
    # keras/trace's variables are the traced function's handles: their sizes are not in the
    # graph, so the card counts them instead of taking constants for parameters.
    tab.open("keras/trace")
    tab.close_all()
    tab.box("scope", "classifier_1").hover()
    card = tab.frame.locator(".sg-card")
    expect(card).to_contain_text("reads 4; sizes not in this graph")
    expect(card).not_to_contain_text("Parameters")


def test_hovering_an_edge_shows_its_tensors(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer1").click())
    # No native tooltips double up with ours.
    assert tab.frame.locator("svg.sg-graph title").count() == 0
    assert tab.frame.evaluate(
        "[...document.querySelectorAll('svg.sg-graph *')]"
        ".every(e => !e.hasAttributeNS('http://www.w3.org/1999/xlink', 'title'))"
    )
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    # The middle of an edge out of layer1/MatMul that nothing covers, in the frame's pixels.
    point = tab.frame.evaluate(
        """() => {
          for (const edge of document.querySelectorAll('svg.sg-graph g.edge')) {
            if (!(edge.dataset.sgTip || '').includes('layer1/MatMul:0')) continue;
            const path = edge.querySelector('path');
            const p = path.getPointAtLength(path.getTotalLength() / 2);
            const s = new DOMPoint(p.x, p.y).matrixTransform(path.getScreenCTM());
            const hit = document.elementFromPoint(s.x, s.y);
            if (hit && hit.closest('g.edge') === edge) return {x: s.x, y: s.y};
          }
          return null;
        }"""
    )
    assert point, "no edge out of layer1/MatMul to hover"
    box = tab.page.locator("iframe").bounding_box()
    tab.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tip = tab.frame.locator(".sg-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("layer1/MatMul:0")
    expect(tip).to_contain_text("[?,128]")


def test_clicking_a_scope_opens_it_and_its_frame_closes_it(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    before = tab.op_ids()
    assert element_id("op", "layer2/MatMul") not in before
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    after = tab.op_ids()
    assert element_id("op", "layer2/MatMul") in after
    assert len(after) > len(before)
    expect(tab.frame_of("scope", "layer2")).to_be_visible()
    assert "open=layer2" in tab.frame.evaluate("location.hash")

    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    # A click inside the open group, away from its frame and its boxes, keeps it open.
    inside = tab.frame.evaluate(
        """(id) => {
          const frame = document.querySelector(`svg.sg-graph [id="${id}"]`);
          const r = frame.getBoundingClientRect();
          for (let y = r.top + r.height * 0.3; y < r.bottom - 20; y += 7) {
            for (let x = r.left + 20; x < r.right - 20; x += 7) {
              const hit = document.elementFromPoint(x, y);
              if (hit && hit.closest('g.node, g.edge, g.cluster') === frame) return {x, y};
            }
          }
          return null;
        }""",
        "cluster-" + element_id("scope", "layer2"),
    )
    assert inside, "no empty spot inside layer2's frame"
    before = tab.showings()
    tab.frame.locator(".sg-viewport").click(position=_in_viewport(tab, inside))
    # A fixed pause: what is checked is that no drawing comes (a redraw shows within it).
    tab.page.wait_for_timeout(400)
    assert tab.showings() == before  # nothing redrawn

    # A click on the open group's frame (not on a box inside it) closes it again.
    tab.run_and_wait(lambda: tab.frame_of("scope", "layer2").click(position=FRAME_TOP))
    expect(tab.box("scope", "layer2")).to_be_visible()
    assert tab.frame_of("scope", "layer2").count() == 0
    assert element_id("op", "layer2/MatMul") not in tab.op_ids()


def test_a_view_drawn_before_comes_back_without_asking_the_server(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    asked = []
    tab.page.on("request", lambda r: asked.append(r.url) if "/scopegraph/svg?" in r.url else None)

    # Closing layer2 goes back to the view before; opening it again, to the one after.
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    tab.run_and_wait(lambda: tab.frame_of("scope", "layer2").click(position=FRAME_TOP))
    expect(tab.box("scope", "layer2")).to_be_visible()
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    expect(tab.frame_of("scope", "layer2")).to_be_visible()
    assert element_id("op", "layer2/MatMul") in tab.op_ids()
    assert "open=layer2" in tab.frame.evaluate("location.hash")
    assert asked == []
    # One drawing on screen; on one shown again, hovers and highlights start afresh.
    expect(tab.frame.locator("svg.sg-graph")).to_have_count(1)
    assert tab.frame.locator("svg.sg-graph .sg-hover, svg.sg-graph .sg-hit").count() == 0


def _serve_module(tab, body: bytes) -> None:
    """Serves `body` as the tab's module (the plugin's `tab.js`)."""
    tab.page.route(
        "**/data/plugin/scopegraph/tab.js",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=body),
    )


def _static(tab, name: str) -> bytes:
    with urllib.request.urlopen(f"{tab.url}/data/plugin/scopegraph/static/{name}") as r:
        return r.read()


def _module_without_inline(tab):
    """Serves the tab's module as `bundle.js` alone, without what the plugin puts before it
    (its stylesheet and the listing): the tab then asks for both, as it does when the listing
    could not be made with the module."""
    _serve_module(tab, _static(tab, "bundle.js"))


def _plugin_requests(tab) -> list[str]:
    """The tab's requests to the plugin from now on (route names, static files left out)."""
    asked = []
    tab.page.on(
        "request",
        lambda r: (
            asked.append(r.url.split("/scopegraph/")[1].split("?")[0])
            if "/data/plugin/scopegraph/" in r.url and "/static/" not in r.url
            else None
        ),
    )
    return asked


def _fit(tab):
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()


def _open(tab, scope):
    """Opens group `scope` by a click on its box (the whole drawing fitted first)."""
    _fit(tab)
    tab.run_and_wait(lambda: tab.box("scope", scope).click())


def _close(tab, scope):
    """Closes open group `scope` by a click on its frame (the whole drawing fitted first)."""
    _fit(tab)
    tab.run_and_wait(lambda: tab.frame_of("scope", scope).click(position=FRAME_TOP))


def test_drawings_shown_before_wait_laid_out_and_hidden_and_are_bounded(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.frame.evaluate("window.closedView = document.querySelector('svg.sg-graph')")
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    tab.frame.evaluate("window.openView = document.querySelector('svg.sg-graph')")

    # The view before stays in the document, hidden but laid out, and not in the pointer's way.
    assert tab.frame.evaluate(
        """() => {
          const sheet = window.closedView.parentElement;
          return sheet.matches('.sg-stage > .sg-sheet.sg-parked') &&
            getComputedStyle(sheet).contentVisibility === 'hidden' &&
            !window.closedView.matches('.sg-graph');
        }"""
    )
    expect(tab.frame.locator("svg.sg-graph")).to_have_count(1)
    parked = tab.frame.locator(".sg-sheet.sg-parked")

    # Closing layer2 shows that very drawing again, and opening it the other one: the boxes
    # of each answer the pointer.
    tab.frame.evaluate(
        """() => {
          window.viewBoxSets = [];
          const app = document.querySelector('.sg-app');
          new MutationObserver((records) => window.viewBoxSets.push(app.dataset.state)).observe(
            window.closedView, {attributes: true, attributeFilter: ['viewBox']});
        }"""
    )
    _close(tab, "layer2")
    assert tab.frame.evaluate("document.querySelector('svg.sg-graph') === window.closedView")
    # It keeps the viewBox it was laid out with until it is on screen (a new one would lay out
    # every element again): the view is a transform until it rests, then committed.
    sets = tab.frame.evaluate("window.viewBoxSets")
    assert sets and sets[0] == "ready", sets
    tab.run_and_wait(lambda: tab.box("scope", "layer2").click())
    assert tab.frame.evaluate("document.querySelector('svg.sg-graph') === window.openView")

    # The parked drawing has the same ids, and comes first in the document: a search hit is
    # marked in the drawing on screen only.
    tab.frame.fill(".sg-search-input", "layer1")
    tab.frame.locator('.sg-result[title="layer1"]').first.click()
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer1"]')).to_have_class(
        re.compile(r"\bsg-hit\b")
    )
    assert tab.frame.locator(".sg-parked .sg-hit").count() == 0
    tab.frame.press(".sg-search-input", "Escape")

    # Six views drawn: the one on screen and the four last ones are kept, the oldest is gone.
    _open(tab, "layer1")
    _open(tab, "layer3")
    _close(tab, "layer1")
    _close(tab, "layer2")
    expect(tab.frame.locator(".sg-sheet")).to_have_count(5)
    expect(parked).to_have_count(4)
    # ... and emptied: nothing holds on to its drawing.
    assert tab.frame.evaluate("!window.closedView.isConnected && !window.closedView.parentNode")
    # Shown again from its kept copy, without asking the server.
    asked = []
    tab.page.on("request", lambda r: asked.append(r.url) if "/scopegraph/svg?" in r.url else None)
    tab.close_all()
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0
    expect(tab.frame.locator(".sg-sheet")).to_have_count(5)
    assert asked == []


def test_the_remembered_view_is_asked_for_at_once(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())

    # The module brings the listing: the remembered view is the one request the tab makes.
    asked = _plugin_requests(tab)
    views = []
    tab.page.on("request", lambda r: views.append(r.url) if "/scopegraph/svg?" in r.url else None)
    tab.page.reload()
    tab.frame = tab_frame(tab.page)
    tab.wait_ready()
    expect(tab.frame_of("scope", "layer3")).to_be_visible()
    assert asked[:2] == ["tab.js", "svg"] and not {"graphs", "first"} & set(asked), asked
    assert len(views) == 1 and "run=ffn_scoped" in views[0] and "open=layer3" in views[0]


def test_the_remembered_view_is_asked_for_while_the_listing_is_on_its_way(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())

    _module_without_inline(tab)
    held, asked = [], []
    tab.page.route("**/data/plugin/scopegraph/graphs", lambda route: held.append(route))
    tab.page.on("request", lambda r: asked.append(r.url) if "/scopegraph/svg?" in r.url else None)
    tab.page.reload()
    poll(tab.page, lambda: held, "the graph listing's request", timeout=10)

    def drawing_asked():
        return any("run=ffn_scoped" in url and "open=layer3" in url for url in asked)

    poll(tab.page, drawing_asked, "the request for the view's drawing", timeout=10)
    for route in held:
        route.continue_()
    tab.page.unroute("**/data/plugin/scopegraph/graphs")
    tab.frame = tab_frame(tab.page)
    tab.wait_ready()
    expect(tab.frame_of("scope", "layer3")).to_be_visible()
    assert sum("open=layer3" in url for url in asked) == 1  # the early answer was used


def _in_viewport(tab, point):
    """A point in the frame's pixels as a position relative to the graph's viewport."""
    box = tab.frame.locator(".sg-viewport").evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top}; }"
    )
    return {"x": point["x"] - box["x"], "y": point["y"] - box["y"]}


def test_open_to_depth_and_close_all(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0
    tab.frame.fill(".sg-depth-input", "1")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    for layer in LAYERS:
        expect(tab.frame_of("scope", layer)).to_be_visible()
    tab.close_all()
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0


def test_search_reveals_and_highlights_a_node_in_a_closed_scope(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    target = tab.box("op", "layer2/MatMul")
    assert target.count() == 0
    tab.frame.fill(".sg-search-input", "layer2/MatMul")
    result = tab.frame.locator('.sg-result[title="layer2/MatMul"]:has(.sg-chip-op)')
    expect(result).to_be_visible()
    tab.run_and_wait(result.click)
    expect(target).to_have_class(re.compile(r"\bsg-hit\b"))
    # On screen: the whole drawing when it reads whole, else the node in the middle of the
    # graph's viewport; either way inside it (tests/e2e/test_search_pick.py: and clear of what
    # floats over it).
    node = target.bounding_box()
    view = tab.frame.locator(".sg-viewport").bounding_box()
    assert view["x"] <= node["x"] and node["x"] + node["width"] <= view["x"] + view["width"]
    assert view["y"] <= node["y"] and node["y"] + node["height"] <= view["y"] + view["height"]

    # Escape clears the search and the highlight.
    tab.frame.press(".sg-search-input", "Escape")
    expect(tab.frame.locator(".sg-search-input")).to_have_value("")
    expect(tab.frame.locator("svg.sg-graph .sg-hit")).to_have_count(0)


def test_a_bad_regular_expression_is_explained(tab):
    tab.allow_console_error(r"status of 400")
    tab.open("ffn_scoped")
    tab.frame.click(".sg-regex-toggle")
    tab.frame.fill(".sg-search-input", "layer(")
    status = tab.frame.locator(".sg-results-status")
    expect(status).to_contain_text("regular expression")
    expect(status).to_have_class(re.compile("sg-error-text"))


def test_downloads_hold_the_graph(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer1").click())
    files = {}
    for fmt in ("svg", "dot", "png"):
        with tab.page.expect_download() as download:
            tab.frame.click(f".sg-downloads [data-format={fmt}]")
        assert download.value.suggested_filename == f"ffn_scoped-run_graph.{fmt}"
        files[fmt] = open(download.value.path(), "rb").read()
    ids = {e.get("id") for e in ElementTree.fromstring(files["svg"]).iter()}
    assert element_id("op", "layer1/MatMul") in ids
    assert element_id("scope", "layer2") in ids
    dot = files["dot"].decode("utf-8")
    assert dot.lstrip().startswith("digraph") and element_id("op", "layer1/MatMul") in dot
    assert files["png"].startswith(b"\x89PNG\r\n\x1a\n")


def test_reload_and_a_shared_link_keep_the_view(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    url = tab.page.url
    assert "scopegraph=" in url  # the view rides in TensorBoard's own URL fragment

    tab.page.reload()
    tab.frame = tab_frame(tab.page)
    tab.wait_ready()
    expect(tab.frame.locator("#sg-run option:checked")).to_have_text("ffn_scoped")
    expect(tab.frame_of("scope", "layer3")).to_be_visible()
    expect(tab.box("scope", "layer1")).to_be_visible()

    # Another browser (no localStorage) given the link sees the same view.
    other = tab.new_page()
    tab.open(page=other, path=url.removeprefix(tab.url))
    expect(tab.frame.locator("#sg-run option:checked")).to_have_text("ffn_scoped")
    expect(tab.frame_of("scope", "layer3")).to_be_visible()
    expect(tab.box("scope", "layer2")).to_be_visible()


def test_pan_zoom_and_fit(tab):
    tab.open("ffn_scoped")
    # Too big to read whole, it opens at its top: fitted first.
    tab.frame.click(".sg-zoom [aria-label^='Fit']")
    tab.wait_still()

    def view_box():
        return [float(v) for v in tab.frame.get_attribute("svg.sg-graph", "viewBox").split()]

    fitted = view_box()
    viewport = tab.frame.locator(".sg-viewport").bounding_box()
    cx, cy = viewport["x"] + viewport["width"] / 2, viewport["y"] + viewport["height"] / 2
    tab.page.mouse.move(cx, cy)
    tab.page.mouse.wheel(0, -400)
    tab.wait_still()
    zoomed = view_box()
    assert zoomed[2] < fitted[2] * 0.8  # closer: fewer user units across

    tab.page.mouse.move(cx, cy)
    tab.page.mouse.down()
    tab.page.mouse.move(cx + 120, cy + 60, steps=6)
    tab.page.mouse.up()
    tab.wait_still()
    panned = view_box()
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1]
    assert panned[2] == pytest.approx(zoomed[2])

    tab.frame.click(".sg-zoom [aria-label='Zoom out']")
    tab.wait_still()
    assert view_box()[2] > panned[2]

    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()
    assert view_box() == pytest.approx(fitted, rel=1e-3)


def test_the_first_view_can_be_read_without_zooming(tab):
    # The default view is small enough to be shown at a size its labels read at: in a
    # 1,400 x 900 window, most labels at least 6.5 px tall (7.5-10 px on these three; a 60-box
    # default view drew two of them with labels of 4-5 px).
    heights = """() => [...document.querySelectorAll('svg.sg-graph text')]
      .map((t) => t.getBoundingClientRect().height).sort((a, b) => a - b)"""
    for run in ("ffn_scoped", "pytorch/torch", "ffn_flat"):
        tab.open(run)
        shown = tab.frame.evaluate(heights)
        assert len(shown) > 20, run
        assert shown[len(shown) // 2] >= 6.5, (run, shown[len(shown) // 2])


def test_labels_scale_with_the_drawing_as_it_zooms(tab):
    # A label on screen keeps its width in its box's: laid out once, at its own size, and
    # scaled (not again in a font of its size on screen, whose hinting makes it up to 5%
    # narrower or wider than its box at another zoom).
    tab.open("ffn_scoped")
    widths = """() => [...document.querySelectorAll('svg.sg-graph g.node')].slice(0, 20)
      .map((n) => [n.querySelector('text').getBoundingClientRect().width,
                   n.querySelector('ellipse, polygon, path').getBoundingClientRect().width])"""
    before = tab.frame.evaluate(widths)
    for _ in range(4):
        tab.frame.click(".sg-zoom [aria-label='Zoom in']")
        tab.wait_still()
    after = tab.frame.evaluate(widths)
    assert len(before) == len(after) >= 10
    box_ratio = after[0][1] / before[0][1]
    assert box_ratio > 2
    for (label, box), (label2, box2) in zip(before, after, strict=True):
        assert box2 / box == pytest.approx(box_ratio, rel=1e-3)
        assert label2 / label == pytest.approx(box_ratio, rel=2e-3)


def test_follows_tensorboards_dark_mode(tab):
    tab.open()
    html = tab.frame.locator("html")
    expect(html).not_to_have_class(re.compile("sg-dark"))
    tab.page.evaluate("document.body.classList.add('dark-mode')")
    expect(html).to_have_class(re.compile("sg-dark"))
    tab.page.evaluate("document.body.classList.remove('dark-mode')")
    expect(html).not_to_have_class(re.compile("sg-dark"))


def test_a_slow_view_shows_progress_and_a_stale_answer_is_dropped(tab):
    tab.open("ffn_scoped")
    held = []

    def hold_flat(route):
        if "run=ffn_flat" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    tab.page.route("**/data/plugin/scopegraph/svg?*", hold_flat)
    tab.frame.select_option("#sg-run", label="ffn_flat")
    loading = tab.frame.locator(".sg-loading")
    expect(loading).to_contain_text("Laying out")
    expect(tab.frame.locator(".sg-progress")).to_be_visible()
    assert held, "the ffn_flat drawing was not requested"

    # The user picks another graph before the slow one arrives; then the slow one arrives.
    tab.frame.select_option("#sg-run", label="circle")
    tab.frame.wait_for_function("location.hash.includes('run=circle')")
    tab.wait_ready()
    with contextlib.suppress(Exception):  # the tab aborted that request
        held[0].continue_()
    # A fixed pause: what is checked is that the late answer changes nothing.
    tab.page.wait_for_timeout(500)
    expect(tab.box("op", "area")).to_be_visible()
    assert "run=circle" in tab.frame.evaluate("location.hash")
    expect(loading).to_be_hidden()

    # Cancel keeps the view on screen.
    tab.frame.select_option("#sg-run", label="ffn_flat")
    expect(loading).to_be_visible()
    loading.locator("text=Cancel").click()
    expect(loading).to_be_hidden()
    expect(tab.box("op", "area")).to_be_visible()


def test_a_layout_timeout_explains_and_offers_to_close_scopes(tab):
    tab.allow_console_error(r"status of 503")
    tab.open("ffn_scoped")
    answer = {"error": "Graphviz did not finish laying out this view in 20 s", "timeout": True}
    tab.page.route(
        "**/data/plugin/scopegraph/svg?*",
        lambda route: route.fulfill(
            status=503, content_type="application/json", body=json.dumps(answer)
        ),
    )
    tab.frame.fill(".sg-depth-input", "3")
    tab.frame.click("text=Open to depth")
    card = tab.frame.locator(".sg-message")
    expect(card).to_contain_text("takes too long")
    expect(card).to_contain_text(answer["error"])
    tab.page.unroute("**/data/plugin/scopegraph/svg?*")
    tab.run_and_wait(lambda: card.locator("text=Close all scopes").click())
    expect(card).to_be_hidden()
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == 0


def _first_answer(tab) -> dict:
    """The `first` route's answer once the first view is drawn and kept (asked beforehand: an
    answer cannot then come without it; a drawing that takes over a second is left out)."""
    for _ in range(60):
        with urllib.request.urlopen(f"{tab.url}/data/plugin/scopegraph/first") as response:
            first = json.load(response)
        if first["view"] is not None:
            return first
        tab.page.wait_for_timeout(500)
    raise AssertionError("the first view was never drawn")


def _assert_shows(tab, first: dict) -> None:
    """The tab shows the first graph's default view, exactly as drawn."""
    listed = first["graphs"][0]
    assert first["view"]["run"] == listed["run"] and first["view"]["svg"].startswith("<?xml")
    shown = tab.frame.eval_on_selector_all("svg.sg-graph g.node", "ns => ns.map(n => n.id).sort()")
    root = ElementTree.fromstring(first["view"]["svg"].encode("utf-8"))
    drawn = sorted(
        g.get("id")
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if "node" in (g.get("class") or "").split()
    )
    assert shown == drawn and shown
    assert tab.frame.locator("#sg-run option:checked").inner_text() == listed["run"]


def _drawn_ahead(tab) -> None:
    """Waits until the plugin drew the first view ahead (as it does once the graph is
    listed): the tab's module then carries it."""
    plugin = f"{tab.url}/data/plugin/scopegraph"
    for _ in range(60):
        with urllib.request.urlopen(f"{plugin}/tab.js") as response:
            inline, _ = tab_module.split(response.read())
        if inline["first"] and inline["first"]["view"]:
            return
        tab.page.wait_for_timeout(500)
    raise AssertionError("the first view was never drawn ahead")


def test_a_first_visit_needs_nothing_but_the_tabs_module(tab):
    first = _first_answer(tab)
    _drawn_ahead(tab)
    asked = _plugin_requests(tab)
    styles = []
    tab.page.on("request", lambda r: styles.append(r.url) if r.url.endswith(".css") else None)
    tab.open()  # a new browser context: nothing remembered, no view in the link
    # The module carries the stylesheet, the listing and the first view with its warnings.
    assert asked[0] == "tab.js" and not {"graphs", "first", "svg", "view"} & set(asked), asked
    assert not [u for u in styles if "scopegraph" in u], styles
    _assert_shows(tab, first)
    # The graph's steps (for "Compare with…") are asked for once the drawing is on screen,
    # not while the browser lays it out.
    tab.frame.wait_for_function(
        "performance.getEntriesByType('resource').some((e) => e.name.includes('/steps?'))"
    )
    steps, drawn = tab.frame.evaluate(
        """() => [
          performance.getEntriesByType('resource').find((e) => e.name.includes('/steps?')),
          performance.getEntriesByName('scopegraph:drawn')[0],
        ].map((e) => e.startTime)"""
    )
    assert steps > drawn, (steps, drawn)
    # Which colourings have data came with the first view too: the colour picker says so
    # without drawing the graph in each colouring (`dot`) or asking the `view` route.
    expect(tab.frame.locator("#sg-colour option[value='compute']")).to_be_disabled()
    assert not {"dot", "view"} & set(asked), asked


# In the tab's iframe, from its start: the first animation frame holding a drawing and the
# first holding the tab's own (svg.sg-graph): the roots on the page, where the drawing is, the
# groups it shows open and what else is laid out.
_FRAMES_PROBE = """
if (location.pathname.endsWith('plugin_entry.html')) {
  const frames = {};
  const seen = (svg) => {
    const app = svg.closest('.sg-app');
    const r = svg.getBoundingClientRect();
    return {
      own: svg.classList.contains('sg-graph'),
      apps: document.querySelectorAll('.sg-app').length,
      boxes: svg.querySelectorAll('g.node').length,
      clusters: [...svg.querySelectorAll('g.cluster')].map((g) => g.id),
      viewBox: svg.getAttribute('viewBox').split(' ').map(Number),
      rect: [r.x, r.y, r.width, r.height],
      sidebar: getComputedStyle(app.querySelector('.sg-sidebar')).contentVisibility,
      status: getComputedStyle(app.querySelector('.sg-status')).display,
      dark: document.documentElement.classList.contains('sg-dark'),
    };
  };
  const look = () => {
    const any = document.querySelector('svg.sg-drawing');
    if (any && !frames.first) {
      frames.first = seen(any);
      window.__firstSvg = any;
    }
    const own = document.querySelector('svg.sg-graph');
    if (own) {
      frames.tab = {...seen(own), same: own === window.__firstSvg};
      window.__frames = frames;
      return;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
"""


def test_the_first_drawings_frame_lays_out_the_drawing_before_the_sidebar_and_status(tab):
    _drawn_ahead(tab)
    tab.page.add_init_script(_FRAMES_PROBE)
    tab.open()
    # In the frame that first shows the drawing, the sidebar keeps its place with its contents
    # skipped, and the status line (the only other text, whose font is looked for) is not laid
    # out; once the drawing is on screen, both are.
    frames = tab.frame.evaluate("window.__frames")
    first = frames["first"]
    assert first["own"], first  # the tab's own drawing (see the test below)
    laid_out = {k: first[k] for k in ("status", "sidebar")}
    assert laid_out == {"status": "none", "sidebar": "hidden"}, laid_out
    status = tab.frame.locator(".sg-status")
    expect(status).to_be_visible()
    assert re.search(r"\d+ boxes", status.inner_text()), status.inner_text()
    sidebar = tab.frame.locator(".sg-sidebar")
    assert sidebar.evaluate("e => getComputedStyle(e).contentVisibility") == "visible"
    expect(tab.frame.locator("#sg-run")).to_be_visible()


def test_a_first_visits_first_drawing_is_the_tabs_own_from_its_one_module(tab):
    _drawn_ahead(tab)
    fetched = []
    tab.page.on(
        "request", lambda r: fetched.append(r.url) if "/data/plugin/scopegraph/" in r.url else None
    )
    tab.page.add_init_script(_FRAMES_PROBE)
    tab.open()
    # One module: the tab's code and stylesheet came with `tab.js`, nothing from static/.
    assert fetched and not [url for url in fetched if "/static/" in url], fetched
    frames = tab.frame.evaluate("window.__frames")
    first, own = frames["first"], frames["tab"]
    # The first drawing on screen is the tab's own, in its one shell: nothing drawn before it.
    assert first["own"] and first["apps"] == 1 and first["boxes"] > 0, first
    assert own["same"] and own["apps"] == 1, own
    # It is the tab's to pan and zoom: zoomed in by its button, a drag moves it as far as the
    # pointer.
    tab.frame.click(".sg-zoom [aria-label='Zoom in']")
    tab.wait_still()
    node = tab.frame.locator("svg.sg-graph g.node").first
    before = node.bounding_box()
    viewport = tab.frame.locator(".sg-viewport").bounding_box()
    x, y = viewport["x"] + 40, viewport["y"] + viewport["height"] - 40
    tab.page.mouse.move(x, y)
    tab.page.mouse.down()
    tab.page.mouse.move(x + 120, y - 60, steps=6)
    tab.page.mouse.up()
    tab.wait_still()
    after = node.bounding_box()
    assert (after["x"] - before["x"], after["y"] - before["y"]) == pytest.approx((120, -60), abs=1)
    booted, drawn = tab.frame.evaluate(
        """() => ['boot', 'drawn'].map(
          (m) => performance.getEntriesByName('scopegraph:' + m)[0].startTime)"""
    )
    assert booted < drawn
    # The drawing answers the pointer.
    tab.frame.locator("svg.sg-graph g.node").first.hover()
    expect(tab.frame.locator(".sg-card")).to_be_visible()


def test_a_linked_or_remembered_view_is_not_preceded_by_the_first_graphs_drawing(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    _drawn_ahead(tab)
    # Reloaded, TensorBoard's URL names the view; in a new page without it, this browser
    # remembers it.
    tab.page.add_init_script(_FRAMES_PROBE)
    tab.page.reload()
    again = tab.page.context.new_page()
    again.add_init_script(_FRAMES_PROBE)
    again.goto(tab.url + "/#scopegraph")
    for page in (tab.page, again):
        page.bring_to_front()  # a page in the background gets no animation frames to probe
        tab.frame = tab_frame(page)
        tab.wait_ready()
        expect(tab.frame_of("scope", "layer3")).to_be_visible()
        frames = tab.frame.wait_for_function("() => window.__frames").json_value()
        # The first drawing seen is the tab's own of that view, not the first graph's.
        first = frames["first"]
        assert first["own"] and frames["tab"]["same"], frames
        assert f"cluster-{element_id('scope', 'layer3')}" in first["clusters"], first


def test_without_them_in_the_module_a_first_visit_asks_for_the_listing_and_view_at_once(tab):
    first = _first_answer(tab)
    _module_without_inline(tab)
    asked = _plugin_requests(tab)
    tab.open()
    assert asked[0] == "tab.js" and asked[1] == "first", asked
    assert "graphs" not in asked and "svg" not in asked, asked
    _assert_shows(tab, first)


def test_an_empty_logdir_says_how_to_write_a_graph(tab):
    # The module brings an empty listing (a logdir whose graphs went away); the tab's later
    # listings are empty too.
    inline = {"style": _static(tab, "style.css").decode(), "first": {"graphs": [], "view": None}}
    _serve_module(tab, tab_module.join(inline, _static(tab, "bundle.js")))
    tab.page.route("**/data/plugin/scopegraph/graphs", lambda route: route.fulfill(json=[]))
    tab.page.goto(tab.url + "/#scopegraph")
    tab.frame = tab_frame(tab.page)
    message = tab.frame.locator(".sg-message")
    expect(message).to_contain_text("No graphs")
    expect(message).to_contain_text("trace_export")


def test_works_with_the_rust_data_server_under_a_path_prefix(browser, demo_logdir):
    """--load_fast=true reads through the Rust data server; --path_prefix moves every URL."""
    with tensorboard(demo_logdir, load_fast=True, path_prefix="/board") as url:
        tab = Tab(browser, url)
        # TensorBoard 2.21's own page asks for its fonts without the prefix (its bug, not ours).
        tab.allow_console_error(r"/font-roboto/.*\.woff2")
        try:
            tab.open("ffn_scoped")
            assert "/board/data/plugin_entry.html" in tab.frame.url
            tab.close_all()
            for layer in LAYERS:
                expect(tab.box("scope", layer)).to_be_visible()
            tab.box("scope", "layer1").hover()
            expect(tab.frame.locator(".sg-card")).to_contain_text("100,480")
            assert not tab.unexpected_problems(), tab.unexpected_problems()
        finally:
            tab.close()


def _demo_graph(logdir, run: str):
    """The run graph of one demo run, read from its event file."""
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.proto import graph_pb2

    for path in sorted((logdir / run).glob("events.out.tfevents.*")):
        for event in event_file_loader.EventFileLoader(str(path)).Load():
            if event.HasField("graph_def"):
                return graph_pb2.GraphDef.FromString(event.graph_def)
    raise AssertionError(f"no graph in run {run}")


def _inputs_within(graph_def, name: str, hops: int) -> set[str]:
    """The ops on data paths of at most `hops` hops into `name`, from the NodeDefs."""
    inputs = {
        node.name: {i.split(":")[0] for i in node.input if not i.startswith("^")}
        for node in graph_def.node
    }
    found = frontier = {name}
    for _ in range(hops):
        frontier = set().union(*(inputs.get(op, set()) for op in frontier)) - found
        found = found | frontier
    return found


def _assert_centred_on(tab, marked) -> None:
    """The marked boxes are all on screen, their middle the viewport's (give or take)."""
    area = tab.frame.locator(".sg-viewport").bounding_box()
    boxes = [marked.nth(i).bounding_box() for i in range(marked.count())]
    left = min(b["x"] for b in boxes)
    top = min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    assert area["x"] <= left and right <= area["x"] + area["width"]
    assert area["y"] <= top and bottom <= area["y"] + area["height"]
    assert abs((left + right) / 2 - (area["x"] + area["width"] / 2)) < 0.05 * area["width"]
    assert abs((top + bottom) / 2 - (area["y"] + area["height"] / 2)) < 0.05 * area["height"]


def test_trace_the_inputs_of_the_demos_output_op(tab, demo_logdir):
    output = "layer3/add"  # the logits: the network's output, before the loss
    expected = _inputs_within(_demo_graph(demo_logdir, "ffn_scoped"), output, 20)
    assert {"x", "layer1/MatMul", "layer2/Relu", "layer3/MatMul/ReadVariableOp"} <= expected
    tab.open("ffn_scoped")
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    card = tab.frame.locator(".sg-card")
    marked = tab.frame.locator("svg.sg-graph g.node.sg-trace")
    # One hop: its ops are on screen already; the view centres on them.
    near = _inputs_within(_demo_graph(demo_logdir, "ffn_scoped"), output, 1)
    tab.frame.fill(".sg-trace-depth", "1")
    tab.box("op", output).click()
    card.locator("[data-action=trace][data-direction=in]").click()
    expect(marked).to_have_count(len(near))
    tab.wait_still()
    _assert_centred_on(tab, marked)

    # More hops trace again.
    tab.run_and_wait(lambda: tab.frame.fill(".sg-trace-depth", "20"))
    # The scopes the paths run through opened; every op on them is a box of its own, marked.
    for layer in LAYERS:
        expect(tab.frame_of("scope", layer)).to_be_visible()
    expect(marked).to_have_count(len(expected))
    tab.wait_still()
    _assert_centred_on(tab, marked)
    ids = set(marked.evaluate_all("ns => ns.map(n => n.id)"))
    assert ids == {element_id("op", op) for op in expected}
    # The edges between two of them are marked too.
    ends = tab.frame.locator("svg.sg-graph g.edge.sg-trace").evaluate_all(
        "es => es.map(e => e.dataset.sgEnds.split('->'))"
    )
    assert all(a in ids and b in ids for a, b in ends)
    assert [element_id("op", "layer2/Relu"), element_id("op", "layer3/MatMul")] in ends
    origin = tab.frame.locator("svg.sg-graph .sg-trace-origin")
    expect(origin).to_have_attribute("id", element_id("op", output))
    expect(tab.frame.locator(".sg-trace-status")).to_contain_text(f"{len(expected)} ops on paths")

    # Closing a scope keeps the trace: its closed box now stands for the path's ops inside,
    # and the status says so.
    tab.run_and_wait(lambda: tab.frame.click("text=Close all"))
    expect(tab.box("scope", "layer1")).to_have_class(re.compile(r"\bsg-trace\b"))
    expect(tab.frame.locator(".sg-trace-status")).to_contain_text(
        re.compile(r"\d+ closed groups? on them, each marked whole")
    )
    expect(tab.box("scope", "train")).not_to_have_class(re.compile(r"\bsg-trace\b"))

    # Clear trace takes the marks away.
    tab.frame.click(".sg-trace-clear")
    expect(tab.frame.locator("svg.sg-graph .sg-trace")).to_have_count(0)
    assert "sg-tracing" not in (tab.frame.locator("svg.sg-graph").get_attribute("class") or "")


def test_colour_by_structure_and_a_blocks_card(tab):
    tab.open("ffn_scoped")
    for layer in LAYERS:
        _open(tab, layer)
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-colour", "structure"))
    # With layer1-3 open, the identical ones are framed in their colour, and the sidebar lists
    # the class with that colour.
    stroke = "e => e.querySelector('path, polygon').getAttribute('stroke')"
    frame = tab.frame_of("scope", "layer1")
    other = tab.frame_of("scope", "layer2")
    colour = frame.evaluate(stroke)
    assert colour == other.evaluate(stroke) != "#9fa8da"
    expect(frame).to_contain_text("1 of 2 identical")
    rows = tab.frame.locator(".sg-colour-legend .sg-colour-class")
    expect(rows.first).to_have_text("layer1 ×2")  # the biggest class first, then inner ones
    swatch = rows.first.locator(".sg-swatch").evaluate("e => getComputedStyle(e).backgroundColor")
    assert swatch == "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
    tab.close_all()
    fill = "e => e.querySelector('path, polygon, ellipse').getAttribute('fill')"
    # layer1 and layer2 are MatMul, add and Relu over their own variables; layer3 has no Relu.
    assert tab.box("scope", "layer1").evaluate(fill) == tab.box("scope", "layer2").evaluate(fill)
    assert tab.box("scope", "layer1").evaluate(fill) != tab.box("scope", "layer3").evaluate(fill)
    expect(tab.frame.locator("svg.sg-graph")).to_contain_text("identical blocks")
    tab.box("scope", "layer2").hover()
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-identical")).to_have_text("1 of 2 identical blocks")
    expect(card.locator(".sg-block-names")).to_have_text("with layer1")
    tab.page.mouse.move(0, 0)
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-colour", ""))
    expect(tab.frame.locator(".sg-colour-legend")).to_be_hidden()
