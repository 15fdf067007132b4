"""The tab on a traced Adam update of ten variables, in a real TensorBoard and Chromium: the
optimizer opened shows one stack of the ten updates; its card names the variable each
updates, and one picked from it is drawn for all, its card naming its variable."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from graphs import adam_graph, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, tensorboard

SERIES = "adam/update[1-10]"


@pytest.fixture(scope="module")
def adam_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("pieces_tab") / "logs"
    write_run_graph(logdir / "adam", adam_graph(10))
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def tab(browser, adam_url):
    t = Tab(browser, adam_url)
    yield t
    problems = t.unexpected_problems()
    t.close()
    assert not problems, "\n".join(problems)


def pin(tab: Tab, element, position=None) -> None:
    """Shift+click on a box or on a frame's title pins its card."""
    element.click(modifiers=["Shift"], force=True, position=position)
    expect(tab.frame.locator(".sg-card")).to_have_class(re.compile("sg-pinned"))


def test_the_optimizer_opens_to_one_stack_whose_card_names_the_variables(tab, tmp_path):
    view = urlencode([("run", "adam"), ("open", "adam")])
    tab.open(path="/#scopegraph&scopegraph=" + quote(view, safe=""))
    stack = tab.box("series", SERIES)
    expect(stack).to_contain_text("update[1-10] ×10")
    inside = tab.frame.eval_on_selector_all(
        "svg.sg-graph g.node", "ns => ns.filter(n => n.id.includes('adam')).length"
    )
    assert inside == 6  # the stack, the learning rate, the step counter, the gradients
    tab.page.screenshot(path=str(tmp_path / "adam.png"))

    pin(tab, stack)
    card = tab.frame.locator(".sg-card")
    expect(card.locator(".sg-rolled-line")).to_have_text("×10 identical blocks, drawn once")
    options = card.locator(".sg-member-picker option")
    expect(options).to_have_count(11)
    expect(options.nth(3)).to_have_text(f"2: {SERIES}/update[3] (updates model/dense_2/MatMul)")
    member = f"{SERIES}/update[3]"
    tab.run_and_wait(lambda: card.locator(".sg-member-picker").select_option(member))
    frame = tab.frame_of("scope", member)
    expect(frame).to_contain_text("drawn for all 10")
    # The third variable's second moment, drawn for all ten; the first's is not drawn.
    assert tab.box("op", "adam/Sub_11").count() == 1
    assert tab.box("op", "adam/Sub_3").count() == 0

    pin(tab, frame.locator("text").first, {"x": 3, "y": 6})
    expect(card.locator(".sg-rolled-variables")).to_have_text("Updates model/dense_2/MatMul")
    tab.page.screenshot(path=str(tmp_path / "member.png"))


def test_one_click_on_the_stack_shows_the_first_update_drawn_for_all(tab, tmp_path):
    view = urlencode([("run", "adam"), ("open", "adam")])
    tab.open(path="/#scopegraph&scopegraph=" + quote(view, safe=""))
    stack = tab.box("series", SERIES)
    tab.run_and_wait(lambda: stack.click())
    frame = tab.frame_of("scope", f"{SERIES}/update[1]")
    expect(frame).to_contain_text("drawn for all 10")
    # The first variable's update, op by op: its moments and its assignment.
    for name in ("adam/Sub_2", "adam/Sub_3", "adam/AssignSubVariableOp"):
        assert tab.box("op", name).count() == 1, name
    tab.page.screenshot(path=str(tmp_path / "one_click.png"))


def test_closing_the_update_shown_with_its_stack_closes_the_stack(tab):
    view = urlencode([("run", "adam"), ("open", "adam"), ("open", SERIES)])
    tab.open(path="/#scopegraph&scopegraph=" + quote(view, safe=""))
    member = tab.frame_of("scope", f"{SERIES}/update[1]")
    expect(member).to_contain_text("drawn for all 10")
    # The server opens the first update with its stack: closing it alone would give it back.
    tab.run_and_wait(lambda: member.locator("text").first.click(force=True))
    expect(tab.box("series", SERIES)).to_contain_text("update[1-10] ×10")
    expect(tab.frame_of("scope", f"{SERIES}/update[1]")).to_have_count(0)
    assert tab.box("op", "adam/Sub_2").count() == 0
