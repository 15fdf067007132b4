"""The sidebar reads at a glance in a 1,400 x 900 window: search results one compact entry
each, a picked result shown with the title of the scope holding it, downloads reachable
without scrolling and captioned, the depth control showing the view's depth and saying what
a depth gives, and counts that say what they count. Against a real TensorBoard on the demo
logdir (see conftest.py)."""

from __future__ import annotations

import json
import re
import struct
import urllib.parse
import urllib.request
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect
from tbharness import inside, rect

# One line of a search result (style/search.css, .sg-result: 16 px), and its padding.
LINE_PX = 16
RESULT_PADDING_PX = 6
SVG = "{http://www.w3.org/2000/svg}"


def test_a_search_result_is_its_whole_name_with_its_kind_on_the_same_line(tab):
    tab.open("ffn_scoped")
    tab.frame.fill(".sg-search-input", "softmax")
    results = tab.frame.locator(".sg-result")
    expect(results.first).to_be_visible()
    assert results.count() >= 3
    sidebar = rect(tab.frame.locator(".sg-sidebar"))
    for i in range(results.count()):
        result = results.nth(i)
        name = result.get_attribute("title")
        assert result.locator(".sg-result-path").inner_text().replace("\n", "") == name
        # As many lines as the name needs, its kind on the first.
        lines = result.locator(".sg-result-path").evaluate(
            "(e) => { const range = document.createRange(); range.selectNodeContents(e);"
            " return [...new Set([...range.getClientRects()].map((r) => Math.round(r.bottom)))];"
            " }"
        )
        box = rect(result)
        assert box["h"] <= len(lines) * LINE_PX + RESULT_PADDING_PX + 1, (name, box, lines)
        assert len(lines) <= len(name) * 7 // (sidebar["w"] / 2) + 1, (name, lines)
        chip = rect(result.locator(".sg-chip"))
        assert min(lines) - LINE_PX - 1 <= chip["y"] < min(lines), (name, chip, lines)
        assert inside(chip, box)
    kinds = set(results.locator(".sg-chip").all_inner_texts())
    assert "scope" in kinds, kinds


def test_a_picked_result_is_shown_with_the_title_of_its_scope(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.frame.fill(".sg-search-input", "SparseSoftmaxCrossEntropyWithLogits_grad")
    name = (
        "train/gradients/cross_entropy/SparseSoftmaxCrossEntropyWithLogits/"
        "SparseSoftmaxCrossEntropyWithLogits_grad"
    )
    result = tab.frame.locator(f'.sg-result[title="{name}"]')
    expect(result).to_be_visible()
    tab.run_and_wait(result.click)
    viewport = rect(tab.frame.locator(".sg-viewport"))
    found = tab.box("scope", name)
    expect(found).to_have_class(re.compile(r"\bsg-hit\b"))
    assert inside(rect(found), viewport)
    holder = tab.frame_of("scope", name.rsplit("/", 1)[0])
    title = rect(holder.locator(":scope > text").first)
    assert inside(title, viewport), (title, viewport)
    # ... and not under what floats over the drawing (the overview map, the zoom buttons).
    on_top = tab.frame.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('svg.sg-graph') !== null",
        [title["x"] + title["w"] / 2, title["y"] + title["h"] / 2],
    )
    assert on_top


def test_downloads_are_on_screen_without_scrolling(tab):
    tab.open("ffn_scoped")
    sidebar = tab.frame.locator(".sg-sidebar")
    assert sidebar.evaluate("(e) => e.scrollTop") == 0
    shown = rect(sidebar)
    shown["h"] = sidebar.evaluate("(e) => e.clientHeight")
    buttons = tab.frame.locator(".sg-downloads button")
    assert buttons.count() == 3
    for i in range(3):
        assert inside(rect(buttons.nth(i)), shown)


def _download(tab, fmt: str) -> bytes:
    with tab.page.expect_download() as download:
        tab.frame.click(f".sg-downloads [data-format={fmt}]")
    with open(download.value.path(), "rb") as f:
        return f.read()


def _points(length: str) -> float:
    assert length.endswith("pt"), length
    return float(length[:-2])


def test_a_png_is_twice_the_drawing_and_both_images_name_the_run(tab):
    tab.open("ffn_scoped")
    svg = ElementTree.fromstring(_download(tab, "svg"))
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "ffn_scoped · Op graph" in texts, texts
    # The caption is under the drawing, inside the image's box.
    x, y, w, h = (float(v) for v in svg.get("viewBox").split())
    caption = next(t for t in svg.iter(f"{SVG}text") if t.text == "ffn_scoped · Op graph")
    assert h - 30 < float(caption.get("y")) < h
    png = _download(tab, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    # Graphviz's points are 4/3 CSS px; the PNG has two device px to each.
    assert width == pytest.approx(_points(svg.get("width")) * 4 / 3 * 2, abs=2)
    assert height == pytest.approx(_points(svg.get("height")) * 4 / 3 * 2, abs=2)


def _view(tab, **query) -> dict:
    """The `view` route's answer for ffn_scoped's op graph (what a view opens, its boxes)."""
    params = urllib.parse.urlencode({"run": "ffn_scoped", "kind": "run_graph", **query})
    with urllib.request.urlopen(f"{tab.url}/data/plugin/scopegraph/view?{params}") as answer:
        return json.loads(answer.read())


def test_the_depth_field_shows_the_view_and_what_a_depth_gives(tab):
    tab.open("ffn_scoped")
    field = tab.frame.locator(".sg-depth-input:not(.sg-trace-depth)")
    status = tab.frame.locator(".sg-depth-status")
    # The first view's depth, as the server chose it for the tab's sheet (1,400 x 900).
    first = _view(tab, width=1128, height=818)
    expect(field).to_have_value(str(first["depth"]))
    expect(status).to_contain_text(f"{first['boxes']} boxes")
    tab.close_all()
    expect(field).to_have_value("0")
    tab.run_and_wait(lambda: tab.box("scope", "train").click())
    expect(field).to_have_value("1")

    # Typed, a depth says what the button would show, before it is shown: the boxes of that
    # drawing, and whether it reads whole in this window.
    drawn = tab.showings()
    deep = _view(tab, depth=2, width=1128, height=818)
    now = tab.frame.locator("svg.sg-graph g.node").count()
    field.fill("2")
    expect(status).to_have_text(
        f"Depth 2 shows {deep['boxes']} boxes ({now} boxes now), whole in this window."
    )
    assert tab.showings() == drawn

    # In a smaller window, too big to read whole: the preview says so, with the labels' size
    # when fitted; applied, the drawing is shown top first at a readable size, and the sidebar
    # says the same, with the way back.
    before = tab.frame.locator("svg.sg-graph g.cluster").count()
    tab.page.set_viewport_size({"width": 1000, "height": 560})
    field.fill("")
    field.fill("2")
    expect(status).to_contain_text("too many to read whole in this window (labels")
    preview = re.search(r"Depth 2 shows (\d+) boxes .*\(labels (\d+) px", status.text_content())
    assert preview, status.text_content()
    assert tab.showings() == drawn
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    # No layer holds a scope to open but its variables' and summaries'.
    got = "Depth 2 opens the same as depth 1 here"
    expect(status).to_contain_text(
        f"{got}: {preview[1]} boxes, too many to read whole here (labels {preview[2]} px"
    )
    expect(field).to_have_value("2")
    heights = tab.frame.evaluate(
        """() => {
          const v = document.querySelector('.sg-viewport').getBoundingClientRect();
          return [...document.querySelectorAll('svg.sg-graph g.node > text')]
            .map((t) => t.getBoundingClientRect())
            .filter((r) => r.top >= v.top && r.bottom <= v.bottom && r.left >= v.left &&
              r.right <= v.right)
            .map((r) => r.height);
        }"""
    )
    assert heights and min(heights) >= 10, heights
    tab.run_and_wait(lambda: status.locator("text=Back to the view before").click())
    assert tab.frame.locator("svg.sg-graph g.cluster").count() == before
    expect(field).to_have_value("1")


def test_a_depth_preview_counts_the_boxes_the_button_draws(tab):
    # PyTorch's constant arguments are folded into their ops as the view is drawn: at depth
    # 4 the `view` route counts the layout's 25 boxes, the drawing holds 20.
    tab.open("pytorch/torch")
    field = tab.frame.locator(".sg-depth-input:not(.sg-trace-depth)")
    status = tab.frame.locator(".sg-depth-status")
    depth = 4
    field.fill(str(depth))
    expect(status).to_contain_text(f"Depth {depth} shows ")
    expect(status).to_contain_text("whole in this window")
    preview = re.search(rf"Depth {depth} shows (\d+) box", status.text_content())
    assert preview, status.text_content()
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    drawn = tab.frame.locator("svg.sg-graph g.node").count()
    assert int(preview[1]) == drawn, (status.text_content(), drawn)
    expect(status).to_contain_text(f"{drawn} box")
    expect(status).to_contain_text("shown whole")


def test_depth_2_opens_the_layers_and_leaves_summaries_and_training_closed(tab):
    tab.open("ffn_scoped")
    field = tab.frame.locator(".sg-depth-input:not(.sg-trace-depth)")
    field.fill("2")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    # The depth asked for, though no layer holds a scope to open but its variables'.
    expect(field).to_have_value("2")
    status = tab.frame.locator(".sg-depth-status")
    expect(status).to_contain_text("Depth 2 opens the same as depth 1 here")
    for layer in ("layer1", "layer2", "layer3"):
        expect(tab.frame_of("scope", layer)).to_have_count(1)
    for closed in ("train", "cross_entropy", "evaluation"):
        expect(tab.box("scope", closed)).to_have_count(1)
    for closed in ("train", "cross_entropy", "evaluation", "Merge", "loss", "accuracy"):
        expect(tab.frame_of("scope", closed)).to_have_count(0)
    # Shown whole, the layers two to a row in forward order (`chains`), the input in view.
    expect(status).to_contain_text("shown whole")
    assert inside(rect(tab.box("op", "x")), rect(tab.frame.locator(".sg-viewport")))
    one, two, three = (rect(tab.frame_of("scope", f"layer{i}")) for i in (1, 2, 3))
    assert one["x"] + one["w"] <= two["x"] and two["y"] < one["y"] + one["h"]
    assert three["y"] >= max(one["y"] + one["h"], two["y"] + two["h"])
    # Depth 1 gives the same view, and opens as deep as it says.
    field.fill("1")
    expect(status).to_have_text("Depth 1 shows this view.")


def test_a_scope_card_says_what_its_counts_count(tab):
    tab.open("ffn_scoped")
    tab.close_all()
    tab.box("scope", "layer1").hover()
    card = tab.frame.locator(".sg-card")
    params = urllib.parse.urlencode({"run": "ffn_scoped", "kind": "run_graph"})
    with urllib.request.urlopen(f"{tab.url}/data/plugin/scopegraph/hierarchy?{params}") as answer:
        layer1 = next(g for g in json.loads(answer.read())["children"] if g["name"] == "layer1")
    expect(card).to_contain_text(f"Ops inside{layer1['op_count']}, at any depth")
    expect(card).to_contain_text(f"One level down{layer1['child_count']} ops and scopes")


def test_a_keras_models_groups_count_layers(tab):
    tab.open("keras/fit/train")
    expect(tab.frame.locator("#sg-graph option:checked")).to_contain_text(" layers)")
    # Its one group is open; no depth opens more.
    field = tab.frame.locator(".sg-depth-input:not(.sg-trace-depth)")
    expect(field).to_have_value("1")
    field.fill("3")
    status = tab.frame.locator(".sg-depth-status")
    expect(status).to_contain_text("Depth 3 shows this view, the same as depth 1.")
    tab.close_all()
    tab.box("scope", "classifier").hover()
    card = tab.frame.locator(".sg-card")
    expect(card).to_contain_text("Layers inside")
    expect(card).to_contain_text("Layer types")
    expect(card).not_to_contain_text("Ops inside")
    expect(tab.frame.locator(".sg-status")).to_contain_text(" layers in graph")
