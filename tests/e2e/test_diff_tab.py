"""The tab's "Compare with…" control: the demo's two feed-forward runs compared in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tbharness import tab_frame

from tb_scopegraph.diff import GraphDiff, summary
from tb_scopegraph.sources import LocalGraphs

BASE, WIDER = "ffn_scoped", "ffn_scoped_wider"


def _expected(demo_logdir) -> GraphDiff:
    local = LocalGraphs(demo_logdir)
    base = local.load(local.select(run=BASE, kind="run_graph"))
    wider = local.load(local.select(run=WIDER, kind="run_graph"))
    return GraphDiff(base, wider)


def _compare_with(tab, prefix: str) -> None:
    value = tab.frame.eval_on_selector(
        "#sg-compare",
        "(s, prefix) => [...s.options].find((o) => o.text.startsWith(prefix)).value",
        prefix,
    )
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-compare", value=value))


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
    _compare_with(tab, f"{BASE} · Op graph")
    # The counts in the sidebar are the diff's: the new layer added, the widened one changed.
    counts = _counts(tab)
    assert counts == expected.totals.as_dict()
    assert counts["added"] > 0 and counts["changed"] > 0 and counts["removed"] == 0
    # The drawing opens towards the changes: layer4 a green box that says "+25", the widened
    # layer3 open, the untouched layers closed and marked the same.
    layer4 = tab.frame.locator('svg.sg-graph [id="scope-layer4"]')
    expect(layer4).to_have_class(re.compile(r"\bdiff-added\b"))
    expect(layer4).to_contain_text(summary(expected.counts("layer4")))
    layer3 = tab.frame.locator('svg.sg-graph [id="cluster-scope-layer3"]')
    expect(layer3).to_contain_text(summary(expected.counts("layer3")))
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer1"]')).to_have_class(
        re.compile(r"\bdiff-same\b")
    )
    # Hovering a changed op says what changed, before and after.
    tab.frame.locator('svg.sg-graph [id="op-layer3.2FMatMul"]').hover()
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-diff-status")).to_contain_text("changed")
    expect(card.locator(".sg-diff-before")).to_contain_text("[[?,10]]")
    expect(card.locator(".sg-diff-after")).to_contain_text("[[?,32]]")
    # Hovering a scope gives its summary.
    tab.page.mouse.move(5, 5)
    layer4.hover()
    expect(card.locator(".sg-diff-status")).to_contain_text(summary(expected.counts("layer4")))

    # A download is of the diff.
    with tab.page.expect_download() as download:
        tab.frame.click(".sg-downloads [data-format=dot]")
    assert download.value.suggested_filename == f"{WIDER}-run_graph-diff-{BASE}.dot"
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
    _compare_with(tab, "nothing")
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
    _compare_with(tab, "ffn_grown · Op graph at step 0")
    assert _counts(tab) == expected.totals.as_dict()
    expect(tab.frame.locator('svg.sg-graph [id="scope-layer4"]')).to_have_class(
        re.compile(r"\bdiff-added\b")
    )
    assert "base_step=0" in tab.frame.evaluate("location.hash")
