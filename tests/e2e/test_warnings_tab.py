"""The tab's banner for a graph read with bad parts, in a real TensorBoard and Chromium: one line
above the drawing, the details on demand, dismissible, gone for a graph read whole.
"""

from __future__ import annotations

import pytest
from graphs import bad_nodes_graph, ffn_graph, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, element_id, tensorboard

LINE = "3 nodes and 1 input were repaired or skipped while reading this graph"
MESSAGES = [
    "1 node has no name, skipped: #3 (Relu)",
    "1 node has no op, drawn with op type (no op): dense/w",
    "1 node repeats an earlier node's name, drawn renamed: out (2)",
    "1 input names no node, drawn as missing nodes: dense/Relu",
]


@pytest.fixture(scope="module")
def broken_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("warnings_tab") / "logs"
    write_run_graph(logdir / "broken", bad_nodes_graph())  # listed first: the first view
    write_run_graph(logdir / "clean", ffn_graph())
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def broken_tab(browser, broken_url):
    tab = Tab(browser, broken_url)
    yield tab
    problems = tab.unexpected_problems()
    tab.close()
    assert not problems, "\n".join(problems)


def layer1(tab: Tab):
    """The clean graph's first layer, as a box or as an open frame."""
    return tab.frame.locator(f'svg.sg-graph [id$="{element_id("scope", "layer1")}"]')


def test_a_graph_with_bad_parts_shows_a_banner_above_its_drawing(broken_tab):
    tab = broken_tab
    tab.open()
    banner = tab.frame.locator(".sg-banner")
    expect(banner).to_be_visible()
    expect(banner.locator(".sg-banner-text")).to_have_text(LINE)
    # The rest of the graph is drawn, below the banner, not under it.
    expect(tab.box("op", "out (2)")).to_be_visible()
    expect(tab.box("missing", "dense/Relu")).to_have_count(1)
    tab.wait_still()
    above = banner.bounding_box()
    sheet = tab.frame.locator(".sg-viewport").bounding_box()
    assert above["y"] + above["height"] <= sheet["y"] + 0.5
    drawing = tab.frame.locator("svg.sg-graph g.node").evaluate_all(
        "ns => Math.min(...ns.map((n) => n.getBoundingClientRect().top))"
    )
    assert drawing >= sheet["y"]
    # The details, per kind, on demand.
    kinds = banner.locator(".sg-banner-kind")
    expect(kinds.first).to_be_hidden()
    banner.locator("summary").click()
    expect(kinds).to_have_count(4)
    expect(banner.locator(".sg-banner-message")).to_have_text(MESSAGES)
    duplicate = banner.locator('.sg-banner-kind[data-kind="duplicate_name"]')
    expect(duplicate.locator(".sg-banner-count")).to_have_text("(1)")
    expect(duplicate.locator(".sg-banner-examples li")).to_have_text(["out (2)"])
    # Dismissed, it is gone and the sheet takes its height back; the drawing stays.
    banner.locator(".sg-banner-close").click()
    expect(banner).to_be_hidden()
    assert tab.frame.locator(".sg-viewport").bounding_box()["y"] < sheet["y"]
    expect(tab.box("op", "out (2)")).to_be_visible()


def test_the_banner_follows_the_graph_picked(broken_tab):
    tab = broken_tab
    tab.open("clean")
    banner = tab.frame.locator(".sg-banner")
    expect(layer1(tab).first).to_be_visible()
    expect(banner).to_be_hidden()
    # A graph picked again is warned of again, even after its banner was dismissed.
    tab.select_run("broken")
    expect(banner.locator(".sg-banner-text")).to_have_text(LINE)
    banner.locator(".sg-banner-close").click()
    tab.select_run("clean")
    expect(banner).to_be_hidden()
    tab.select_run("broken")
    expect(banner).to_be_visible()


def test_a_graph_read_whole_shows_no_banner(browser, broken_url):
    tab = Tab(browser, broken_url)
    try:
        tab.open(path="/#scopegraph&scopegraph=run%3Dclean")
        expect(layer1(tab).first).to_be_visible()
        # Its warnings (none) have come by the time the drawing is on screen and still.
        tab.wait_still()
        tab.frame.wait_for_timeout(300)
        expect(tab.frame.locator(".sg-banner")).to_be_hidden()
        expect(tab.frame.locator(".sg-banner *")).to_have_count(0)
        assert not tab.unexpected_problems()
    finally:
        tab.close()
