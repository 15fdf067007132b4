"""The tab's "Compare with…" control: the demo's two feed-forward runs compared in the browser."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import expect
from tbharness import tab_frame

from tb_scopegraph.drawing.diffdot import change_words
from tb_scopegraph.model.diff import GraphDiff
from tb_scopegraph.reading.local import LocalGraphs

BASE, WIDER = "ffn_scoped", "ffn_scoped_wider"


def _expected(demo_logdir) -> GraphDiff:
    local = LocalGraphs(demo_logdir)
    base = local.load(local.select(run=BASE, kind="run_graph"))
    wider = local.load(local.select(run=WIDER, kind="run_graph"))
    return GraphDiff(base, wider)


def _counts(tab) -> dict[str, int]:
    rows = tab.frame.locator(".sg-diff-count")
    expect(rows).to_have_count(4)
    found = {}
    for i in range(4):
        row = rows.nth(i)
        number = row.locator(".sg-diff-number").text_content()
        found[row.get_attribute("data-status")] = int(number.replace(",", ""))
    return found


def test_compare_two_runs_shows_the_changes_and_their_counts(tab, demo_logdir):
    expected = _expected(demo_logdir)
    tab.open(WIDER)
    # A trace on the graph alone, before comparing.
    tab.close_all()
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    tab.box("op", "layer3/add").click()
    card = tab.frame.locator(".sg-card")
    tab.run_and_wait(lambda: card.locator("[data-action=trace][data-direction=in]").click())
    expect(tab.frame.locator("svg.sg-graph g.node.sg-trace").first).to_be_visible()
    # The picker leaves out the graph itself.
    labels = tab.frame.locator("#sg-compare option").all_text_contents()
    assert not [label for label in labels if label.startswith(f"{WIDER} · Op graph")], labels
    assert f"{BASE} · Op graph" in " ".join(labels)
    tab.compare_with(f"{BASE} · Op graph")
    # Comparing clears the trace; traces and the colour picker are for a single graph.
    expect(tab.frame.locator("svg.sg-graph .sg-trace")).to_have_count(0)
    expect(tab.frame.locator(".sg-trace-status")).to_have_text("")
    expect(tab.frame.locator(".sg-trace-depth")).to_be_hidden()
    expect(tab.frame.locator(".sg-sidebar .sg-no-trace")).to_contain_text("stop comparing")
    expect(tab.frame.locator("#sg-colour")).to_be_disabled()
    # The counts in the sidebar are the diff's: the new layer added, the widened one changed.
    counts = _counts(tab)
    assert counts == expected.totals.as_dict()
    assert counts["added"] > 0 and counts["changed"] > 0 and counts["removed"] == 0
    # The drawing shows the changes: layer4 a green box that says "25 added", the widened layer3
    # a box that says what changed in it (test_diff_first_view.py looks closer), the
    # untouched layers closed and marked the same. Opened, layer3 says the same on its frame.
    layer4 = tab.frame.locator('svg.sg-graph [id="scope-layer4"]')
    expect(layer4).to_have_class(re.compile(r"\bdiff-added\b"))
    expect(layer4).to_contain_text(change_words(expected.counts("layer4")))
    expect(tab.box("scope", "layer3")).to_contain_text(change_words(expected.counts("layer3")))
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer1"]')).to_have_class(
        re.compile(r"\bdiff-same\b")
    )
    tab.run_and_wait(lambda: tab.box("scope", "layer3").click())
    layer3 = tab.frame.locator('svg.sg-graph [id="cluster-scope-layer3"]')
    expect(layer3).to_contain_text(change_words(expected.counts("layer3")))
    # Too big to read whole, the diff shows its top: all of it, to hover what is below.
    tab.frame.click(".sg-zoom [aria-label^='Fit']")
    tab.wait_still()
    # Hovering a changed op says what changed, before and after.
    tab.frame.locator('svg.sg-graph [id="op-layer3.2FMatMul"]').hover()
    expect(card.locator(".sg-diff-status")).to_contain_text("changed")
    expect(card.locator(".sg-diff-before")).to_contain_text("[[?,10]]")
    expect(card.locator(".sg-diff-after")).to_contain_text("[[?,32]]")
    # Attribute names are case-sensitive: shown as written, not upper-cased.
    title = card.locator(".sg-diff-change .sg-card-block-title").first
    expect(title).to_have_text("Attribute _output_shapes changed")
    assert title.evaluate("e => getComputedStyle(e).textTransform") == "none"
    # A pinned card offers no trace while comparing, and says why.
    tab.frame.locator('svg.sg-graph [id="op-layer3.2FMatMul"]').click()
    expect(card.locator(".sg-no-trace")).to_be_visible()
    expect(card.locator("[data-action=trace]").first).to_be_hidden()
    tab.frame.click(".sg-card-close")
    # A changed op's inputs: what was added, and its own control inputs named once ("^x").
    init = tab.frame.locator('svg.sg-graph [id="op-init"]')
    init.hover()
    expect(card.locator(".sg-diff-change .sg-card-block-title")).to_have_text("Inputs changed")
    expect(card.locator(".sg-diff-after")).to_contain_text("+ ^layer4/")
    expect(card).to_contain_text("^layer1/")
    assert "^^" not in card.text_content()
    # Hovering a scope gives its summary.
    tab.page.mouse.move(5, 5)
    layer4.hover()
    expect(card.locator(".sg-diff-status")).to_contain_text(change_words(expected.counts("layer4")))

    # A download is of the diff.
    with tab.page.expect_download() as download:
        tab.frame.click(".sg-downloads [data-format=dot]")
    assert download.value.suggested_filename == f"{WIDER}-run_graph-diff-{BASE}-run_graph.dot"
    text = open(download.value.path(), encoding="utf-8").read()
    assert 'class="scope diff-added"' in text and f"added: {counts['added']} ops" in text

    # The comparison is part of the view's link: a reload shows it again.
    assert "base_run=ffn_scoped" in tab.frame.evaluate("location.hash")
    tab.page.reload()
    tab.frame = tab_frame(tab.page)
    tab.wait_ready()
    expect(tab.frame.locator("#sg-compare option:checked")).to_contain_text(f"{BASE} · Op graph")
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer4"]')).to_have_class(
        re.compile(r"\bdiff-added\b")
    )
    assert _counts(tab) == expected.totals.as_dict()

    # Comparing with nothing shows the graph alone again.
    tab.compare_with("nothing")
    expect(tab.frame.locator(".sg-diff-count")).to_have_count(0)
    assert tab.frame.locator("svg.sg-graph g.diff-added, svg.sg-graph g.diff-same").count() == 0
    assert "base_run" not in tab.frame.evaluate("location.hash")


def test_compare_a_graph_with_an_earlier_step(tab, demo_logdir):
    """ffn_grown holds the net at step 0 and the grown net at step 10: the picker offers the
    earlier step, and the diff is that of the two runs."""
    expected = _expected(demo_logdir)
    tab.open("ffn_grown")
    option = tab.frame.locator("#sg-compare option", has_text="at step 0")
    expect(option).to_have_count(1)
    expect(tab.frame.locator("#sg-compare option", has_text="at step 10")).to_have_count(0)
    tab.compare_with("ffn_grown · Op graph at step 0")
    assert _counts(tab) == expected.totals.as_dict()
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer4"]')).to_have_class(
        re.compile(r"\bdiff-added\b")
    )
    assert "base_step=0" in tab.frame.evaluate("location.hash")
    with tab.page.expect_download() as download:
        tab.frame.click(".sg-downloads [data-format=dot]")
    name = "ffn_grown-run_graph-diff-ffn_grown-run_graph-step0.dot"
    assert download.value.suggested_filename == name

    # A link to a step the provider does not keep: the error offers to stop comparing, and the
    # picker does not list the step.
    def follow(fragment: str):
        tab.page.goto("about:blank")  # a new page load, not a move within this page
        tab.page.goto(f"{tab.url}/#scopegraph&scopegraph={quote(fragment, safe='')}")
        tab.frame = tab_frame(tab.page)

    graph = "run=ffn_grown&kind=run_graph&tag=__run_graph__"
    # The browser logs the failed requests (the first view is asked for before the listing).
    tab.allow_console_error(r"404 .*/diff(_view)?\?.*base_(step=5|run=gone)")
    follow(f"{graph}&base_run=ffn_grown&base_kind=run_graph&base_tag=__run_graph__&base_step=5")
    stop = tab.frame.locator("[data-action=stop-comparing]")
    expect(stop).to_be_visible()
    expect(tab.frame.locator("[data-action=retry]")).to_have_count(0)
    expect(tab.frame.locator("#sg-compare option", has_text="at step 0")).to_have_count(1)
    expect(tab.frame.locator("#sg-compare option", has_text="at step 5")).to_have_count(0)
    stop.click()
    tab.wait_ready()
    expect(tab.frame.locator(".sg-diff-count")).to_have_count(0)
    assert "base_step" not in tab.frame.evaluate("location.hash")
    # A link whose base run is gone shows the graph alone, and says so.
    follow(f"{graph}&base_run=gone")
    tab.wait_ready()
    expect(tab.frame.locator(".sg-diff-note")).to_contain_text("gone")
    expect(tab.frame.locator(".sg-diff-count")).to_have_count(0)
