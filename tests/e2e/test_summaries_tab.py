"""Summaries on the graph in the tab: the demo's `ffn_scoped` run logs a histogram of each
layer's weights and biases and a scalar accuracy (TF1 summary ops, as the tutorial writes them)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import expect
from tbharness import inside, rect
from tensorboard import data_compat
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.util import tensor_util

HISTOGRAM_BINS = 30  # summaries.HISTOGRAM_BINS: more buckets than this are rebinned


def _logged(logdir: Path) -> tuple[dict[str, int], dict[str, float]]:
    """Read from the run's event files directly: each histogram's bucket count as TensorBoard
    stores it (empty buckets at either end dropped) and each scalar's value, at the last step."""
    buckets: dict[str, tuple[int, int]] = {}
    scalars: dict[str, tuple[int, float]] = {}
    for path in sorted((logdir / "ffn_scoped").glob("events.out.tfevents.*")):
        for event in event_file_loader.LegacyEventFileLoader(str(path)).Load():
            for value in event.summary.value:
                if value.HasField("histo"):
                    if value.tag not in buckets or event.step >= buckets[value.tag][0]:
                        stored = tensor_util.make_ndarray(data_compat.migrate_value(value).tensor)
                        buckets[value.tag] = (event.step, len(stored))
                elif value.HasField("simple_value"):
                    if value.tag not in scalars or event.step >= scalars[value.tag][0]:
                        scalars[value.tag] = (event.step, value.simple_value)
    return {t: n for t, (_, n) in buckets.items()}, {t: v for t, (_, v) in scalars.items()}


def _shown(value: float) -> str:
    """The card's number: four significant digits, no trailing zeros (charts.formatValue)."""
    return repr(float(f"{value:.4g}")).removesuffix(".0")


def test_hovering_a_scope_with_histogram_summaries_draws_them(tab, demo_logdir):
    buckets, scalars = _logged(Path(demo_logdir))
    assert {"layer1/weights", "layer1/biases", "accuracy"} <= set(buckets) | set(scalars)
    tab.open("ffn_scoped")
    tab.close_all()
    layer1 = tab.box("scope", "layer1")
    expect(layer1).to_have_class(re.compile(r"\bsummarized\b"))
    expect(layer1).to_contain_text("2 histograms")
    # The badge line stands out from the box's other lines.
    weights = layer1.evaluate(
        "g => [...g.querySelectorAll('text')].map(t => getComputedStyle(t).fontWeight)"
    )
    assert len(weights) >= 2 and weights[-1] == "700" and "700" not in weights[:-1], weights
    expect(tab.box("scope", "train")).not_to_have_class(re.compile(r"\bsummarized\b"))

    layer1.hover()
    card = tab.frame.locator(".sg-card")
    histograms = card.locator(".sg-summary-histogram")
    expect(histograms).to_have_count(2)
    for tag in ("layer1/weights", "layer1/biases"):
        chart = card.locator(f'.sg-summary-histogram[data-tag="{tag}"] svg.sg-histogram')
        expect(chart).to_be_visible()
        bars = chart.locator("rect.sg-histogram-bar")
        expect(bars).to_have_count(min(buckets[tag], HISTOGRAM_BINS))
        heights = [float(bars.nth(i).get_attribute("height")) for i in range(bars.count())]
        assert max(heights) > 0
    # Weights spread over many buckets, rebinned to 30; the biases' few are drawn as logged.
    assert buckets["layer1/weights"] > HISTOGRAM_BINS > buckets["layer1/biases"]

    # The accuracy summary summarizes evaluation/Mean: its scope shows the latest value.
    tab.page.mouse.move(5, 5)
    evaluation = tab.box("scope", "evaluation")
    expect(evaluation).to_have_class(re.compile(r"\bsummarized\b"))
    evaluation.hover()
    scalar = card.locator('.sg-summary-scalar[data-tag="accuracy"]')
    expect(scalar.locator(".sg-summary-value")).to_have_text(_shown(scalars["accuracy"]))
    expect(scalar.locator("svg.sg-sparkline path.sg-sparkline-line")).to_have_count(1)


def test_a_pytorch_block_card_shows_a_few_summaries_until_pinned(tab):
    """The demo's PyTorch run logs a histogram of every parameter and a scalar named
    `blocks.1/weight_norm`: Block[1] holds five summaries. Its six blocks are alike, so the
    series is drawn rolled: Block[1] is opened on its own (the view's URL names it), drawn
    for all six, and its frame's card is the one looked at."""
    block_name = "Net/ModuleList[blocks]/Block[1]"
    tab.open("pytorch/torch")
    tab.frame.fill(".sg-depth-input", "2")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    shown = tab.frame.evaluate("location.hash")
    member = "&open=" + quote("Net/ModuleList[blocks]/Block[0-5]", safe="")
    member += "&open=" + quote(block_name, safe="")
    tab.run_and_wait(lambda: tab.frame.evaluate("(h) => { location.hash = h; }", shown + member))
    block = tab.frame_of("scope", block_name)
    expect(block).to_contain_text("4 histograms, 1 scalar")
    expect(block).to_contain_text("drawn for all 6")
    # Its label: the frame's outline is drawn over it, and takes the pointer where it is.
    block = block.locator("text").first
    block.hover(force=True)
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-summary")).to_have_count(3)
    expect(card.locator(".sg-summaries-more")).to_have_text("+2 more: Shift+click to pin")
    # Nothing after the summaries is cut off: the line naming its stack (said once, for the
    # series and the identical blocks alike) and the hint are inside the card, and the card
    # inside the frame.
    area = tab.frame.locator(".sg-viewport").bounding_box()
    box = card.bounding_box()
    assert area["y"] <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"]
    expect(card.locator(".sg-identical")).to_have_count(0)
    for part in (".sg-rolled-line", ".sg-card-hint"):
        inner = card.locator(part).bounding_box()
        assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 1, part

    # Shift+click pins it (the group stays closed): every summary, scalar first.
    block.click(modifiers=["Shift"], force=True)
    expect(card).to_have_class(re.compile("sg-pinned"))
    expect(card.locator(".sg-summary")).to_have_count(5)
    expect(card.locator(".sg-summary-scalar")).to_have_attribute("data-tag", "blocks.1/weight_norm")
    assert tab.frame_of("scope", block_name).count() == 1
    tab.page.mouse.move(5, 5)
    expect(card).to_be_visible()
    tab.page.keyboard.press("Escape")
    expect(card).to_be_hidden()


def test_a_hover_card_sits_away_from_the_middle_inside_the_window(tab):
    """layer1's card (two histograms, op types) goes beside layer1 on the side away from the
    drawing's middle, where the other boxes are not, inside the window and off layer1; its
    charts are small, one line each, so it takes under half the window's height."""
    tab.open("ffn_scoped")
    tab.close_all()
    layer1 = tab.box("scope", "layer1")
    layer1.hover()
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-summary-histogram svg.sg-histogram")).to_have_count(2)
    tab.frame.wait_for_function(
        "() => !document.querySelector('.sg-card').hidden &&"
        " document.querySelector('.sg-card .sg-summaries')"
    )
    box, shown = rect(layer1), rect(card)
    viewport = rect(tab.frame.locator(".sg-viewport"))
    drawing = rect(tab.frame.locator("svg.sg-graph > g"))
    assert inside(shown, viewport), (shown, viewport)
    # The drawing's middle is right of layer1 here: the card is on layer1's left.
    assert box["x"] + box["w"] / 2 < drawing["x"] + drawing["w"] / 2, (box, drawing)
    assert shown["x"] + shown["w"] <= box["x"], (shown, box)
    assert shown["h"] < viewport["h"] / 2, (shown, viewport)
    # Pinned, it draws the charts full size with their ranges.
    layer1.click(modifiers=["Shift"])
    expect(card).to_have_class(re.compile("sg-pinned"))
    expect(card.locator(".sg-summary-range")).to_have_count(2)
    assert inside(rect(card), viewport)
