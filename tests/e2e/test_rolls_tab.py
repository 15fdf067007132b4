"""The tab on a series of twelve identical blocks, in a real TensorBoard and Chromium: drawn
rolled (one block, `×12`, a loop-back edge "to the next of 12"), unrolled from its card, one block
picked from the card's list of every block, a block found by search."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from graphs import blocks_graph, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, tensorboard

SERIES = "block_[0-11]"
#: The words of a loop-back edge, its two lines run together as the SVG's texts join.
TO_THE_NEXT = "to thenext of 12"


@pytest.fixture(scope="module")
def rolls_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("rolls_tab") / "logs"
    write_run_graph(logdir / "blocks", blocks_graph(12))
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def tab(browser, rolls_url):
    t = Tab(browser, rolls_url)
    yield t
    problems = t.unexpected_problems()
    t.close()
    assert not problems, "\n".join(problems)


def scope_boxes(tab: Tab) -> set[str]:
    return set(
        tab.frame.eval_on_selector_all(
            "svg.sg-graph g.node.scope", "ns => ns.map(n => n.querySelector('text').textContent)"
        )
    )


def loop_labels(tab: Tab) -> list[str]:
    """The label of each loop-back edge drawn, '' for one unlabelled."""
    return tab.frame.eval_on_selector_all(
        "svg.sg-graph g.edge.loop",
        "gs => gs.map(g => [...g.querySelectorAll('text')].map(t => t.textContent).join(''))",
    )


def fragment(tab: Tab) -> str:
    return tab.frame.evaluate("decodeURIComponent(location.hash)")


def pin(tab: Tab, element, position=None) -> None:
    """Shift+click on a box or on a frame's title pins its card."""
    element.click(modifiers=["Shift"], force=True, position=position)
    expect(tab.frame.locator(".sg-card")).to_have_class(re.compile("sg-pinned"))


def test_a_rolled_series_unrolls_opens_one_block_and_is_searched(tab, tmp_path):
    tab.open()  # the only run
    # The first view: the series open and rolled, one block drawn for all twelve.
    series_frame = tab.frame_of("series", SERIES)
    expect(series_frame.locator("text").first).to_have_text(f"{SERIES} ×12")
    expect(tab.frame_of("scope", "block_0")).to_be_visible()
    # The loop says it runs to the next block (no recurrence), once from each box.
    assert TO_THE_NEXT in loop_labels(tab) and set(loop_labels(tab)) <= {TO_THE_NEXT, ""}
    expect(tab.frame_of("scope", "block_0")).to_contain_text("drawn for all 12")
    assert tab.box("op", "block_0/MatMul").count() == 1
    assert tab.box("op", "block_5/MatMul").count() == 0
    tab.page.screenshot(path=str(tmp_path / "rolled.png"))

    # Closed, it is one box marked ×12; its card says so, and its pinned card unrolls it.
    tab.close_all()
    box = tab.box("series", SERIES)
    expect(box).to_contain_text("×12")
    pin(tab, box)
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-rolled-line")).to_have_text("×12 identical blocks, drawn once")
    # Every block is named in the card's list.
    options = card.locator(".sg-member-picker option")
    expect(options).to_have_count(13)
    expect(options.nth(6)).to_have_text("5: block_5")
    tab.page.screenshot(path=str(tmp_path / "card.png"))
    tab.run_and_wait(lambda: card.locator(".sg-unroll-button").click())
    assert {f"block_{i}" for i in range(12)} <= scope_boxes(tab)
    assert loop_labels(tab) == []
    assert "unroll=" + SERIES in fragment(tab)
    tab.page.screenshot(path=str(tmp_path / "unrolled.png"))

    # Block 5 picked from the series' card: rolled again, block 5 drawn for all.
    # On the title's first letters: the edge into the frame crosses its middle.
    pin(tab, tab.frame_of("series", SERIES).locator("text").first, {"x": 3, "y": 6})
    expect(card.locator(".sg-rolled-line")).to_have_text("12 identical blocks, drawn one by one")
    expect(card.locator(".sg-unroll-button")).to_have_text("Roll up")
    tab.run_and_wait(lambda: card.locator(".sg-member-picker").select_option("block_5"))
    expect(tab.frame_of("scope", "block_5")).to_be_visible()
    assert tab.box("op", "block_5/MatMul").count() == 1
    assert tab.box("op", "block_0/MatMul").count() == 0
    assert TO_THE_NEXT in loop_labels(tab) and set(loop_labels(tab)) <= {TO_THE_NEXT, ""}
    assert "unroll=" not in fragment(tab) and "open=block_5" in fragment(tab)
    tab.page.screenshot(path=str(tmp_path / "member.png"))

    # A block found by search is revealed: opened, and marked.
    tab.frame.fill(".sg-search-input", "block_9")
    result = tab.frame.locator('.sg-result[title="block_9"]')
    expect(result).to_be_visible()
    tab.run_and_wait(result.click)
    expect(tab.frame_of("scope", "block_9")).to_have_class(re.compile(r"\bsg-hit\b"))
    assert tab.box("op", "block_9/MatMul").count() == 1


def test_a_link_keeps_a_series_unrolled(tab):
    view = urlencode([("run", "blocks"), ("open", SERIES), ("unroll", SERIES)])
    tab.open(path="/#scopegraph&scopegraph=" + quote(view, safe=""))
    assert {f"block_{i}" for i in range(12)} <= scope_boxes(tab)
    assert loop_labels(tab) == []
    # Rolled up again from its card, and the link says so.
    pin(tab, tab.frame_of("series", SERIES).locator("text").first, {"x": 3, "y": 6})
    card = tab.frame.locator(".sg-card")
    tab.run_and_wait(lambda: card.locator(".sg-unroll-button").click())
    assert TO_THE_NEXT in loop_labels(tab) and set(loop_labels(tab)) <= {TO_THE_NEXT, ""}
    assert "unroll=" not in fragment(tab)


def test_a_blocks_card_says_its_stack_once_and_computing_ops_first(tab):
    tab.open()  # the only run: block_0 open, drawn for all twelve
    title = tab.frame_of("scope", "block_0").locator("text").first
    title.hover(position={"x": 3, "y": 6}, force=True)
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-rolled-line")).to_have_text(f"1 of 12 identical blocks, {SERIES}")
    # Said once: the block's structure (identical to eleven others) is the series' count.
    assert card.text_content().count("identical blocks") == 1, card.text_content()
    expect(card.locator(".sg-identical")).to_have_count(0)
    # Its op types, those that compute first and its two constants (w, b) last.
    names = card.locator(".sg-optype-item .sg-optype-name").all_text_contents()
    assert names == ["AddV2", "BiasAdd", "MatMul", "Relu", "Const"], names
    expect(card.locator(".sg-optype-plumbing")).to_have_count(1)
