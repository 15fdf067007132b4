"""The sidebar reads at a glance in a 1,400 x 900 window: search results one compact entry
each, a picked result shown with the title of the scope holding it, downloads reachable
without scrolling and captioned, the depth control showing the view's depth and saying what
a depth gives, and counts that say what they count. Against a real TensorBoard on the demo
logdir (see conftest.py)."""

from __future__ import annotations

import re
import struct
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

# One line of a search result (style/search.css, .sg-result: 16 px), and its padding.
LINE_PX = 16
RESULT_PADDING_PX = 6
SVG = "{http://www.w3.org/2000/svg}"


def _rect(locator) -> dict:
    return locator.evaluate(
        "(e) => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 0.5
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 0.5
    )


def test_a_search_result_is_its_whole_name_with_its_kind_on_the_same_line(tab):
    tab.open("ffn_scoped")
    tab.frame.fill(".sg-search-input", "softmax")
    results = tab.frame.locator(".sg-result")
    expect(results.first).to_be_visible()
    assert results.count() >= 3
    sidebar = _rect(tab.frame.locator(".sg-sidebar"))
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
        box = _rect(result)
        assert box["h"] <= len(lines) * LINE_PX + RESULT_PADDING_PX + 1, (name, box, lines)
        assert len(lines) <= len(name) * 7 // (sidebar["w"] / 2) + 1, (name, lines)
        chip = _rect(result.locator(".sg-chip"))
        assert min(lines) - LINE_PX - 1 <= chip["y"] < min(lines), (name, chip, lines)
        assert _inside(chip, box)
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
    viewport = _rect(tab.frame.locator(".sg-viewport"))
    found = tab.box("scope", name)
    expect(found).to_have_class(re.compile(r"\bsg-hit\b"))
    assert _inside(_rect(found), viewport)
    holder = tab.frame_of("scope", name.rsplit("/", 1)[0])
    title = _rect(holder.locator(":scope > text").first)
    assert _inside(title, viewport), (title, viewport)
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
    shown = _rect(sidebar)
    shown["h"] = sidebar.evaluate("(e) => e.clientHeight")
    buttons = tab.frame.locator(".sg-downloads button")
    assert buttons.count() == 3
    for i in range(3):
        assert _inside(_rect(buttons.nth(i)), shown)


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
