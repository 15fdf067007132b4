"""The tab on a logdir full of hostile names, in a real TensorBoard and Chromium: every name shows
as text in the drawing, the hover card and the search results, and nothing it holds runs.

A name runs if it opens a dialog (alert, confirm, print…) or sets `window.__sg_pwned`, in
TensorBoard's page or in the tab's iframe; either fails the test, as does any console error.
"""

from __future__ import annotations

import re

import pytest
from graphs import HOSTILE, HOSTILE_RUN, PWNED, graph_from_nodes, hostile_graph, write_run_graph
from playwright.sync_api import expect
from tbharness import Tab, tensorboard

SCRIPT, IMG, SVG_ONLOAD, QUOTES = HOSTILE[:4]
NEWLINES = "new\nline\r\nand\ttab"
LONG = "L" * 20_000


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("hostile_tab") / "logs"
    write_run_graph(logdir / "hostile", hostile_graph())
    write_run_graph(logdir / HOSTILE_RUN, graph_from_nodes([(IMG, SCRIPT, ())]))
    with tensorboard(logdir) as url:
        yield url


@pytest.fixture
def hostile_tab(browser, hostile_url):
    tab = Tab(browser, hostile_url)
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.page.on("dialog", on_dialog)
    yield tab
    ran = [f"window.{PWNED} set in {where}" for where in nothing_ran(tab)]
    problems = tab.unexpected_problems() + [f"a dialog opened: {d}" for d in dialogs] + ran
    tab.close()
    assert not problems, "\n".join(problems)


def nothing_ran(tab: Tab) -> list[str]:
    """The documents (page, tab) in which an injected name set the flag."""
    check = f"() => window.{PWNED} !== undefined || window.parent.{PWNED} !== undefined"
    found = ["TensorBoard's page"] if tab.page.evaluate(check) else []
    if tab.frame is not None and tab.frame.evaluate(check):
        found.append("the tab")
    return found


def open_everything(tab: Tab) -> None:
    tab.open("hostile")
    tab.frame.fill(".sg-depth-input", "3")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    # A depth too big to read whole is shown top first: F fits all of it, every box on screen.
    tab.frame.locator(".sg-viewport").press("f")
    tab.wait_still()


def card_text(tab: Tab, kind: str, name: str) -> str:
    """The hover card's text for one box, once it shows that box's details."""
    card = tab.frame.locator(".sg-card")
    tab.page.mouse.move(1, 1)  # off the drawing: the last card goes
    expect(card).to_be_hidden()
    tab.box(kind, name).hover(force=True)
    expect(card).to_be_visible()
    expect(card).not_to_contain_text("Loading details")
    return card.evaluate("card => card.textContent")


def test_hostile_boxes_are_drawn_as_text(hostile_tab):
    open_everything(hostile_tab)
    frame = hostile_tab.frame
    for name in HOSTILE:
        expect(hostile_tab.box("op", name)).to_have_count(1)
    active = frame.evaluate(
        """() => {
          const svg = document.querySelector('svg.sg-graph');
          const bad = [...svg.querySelectorAll('script, foreignObject, iframe, image, a[href]')];
          for (const el of svg.querySelectorAll('*')) {
            for (const attr of el.attributes) if (attr.name.startsWith('on')) bad.push(el);
          }
          return bad.length + document.querySelectorAll('body img, body iframe').length;
        }"""
    )
    assert active == 0
    labels = frame.evaluate(
        "() => [...document.querySelectorAll('svg.sg-graph g.node text')].map(t => t.textContent)"
    )
    assert "script>" in labels and "graph" in labels
    assert f"Op<script>window.{PWNED}=1</script>" in labels  # an op type, shown as it is


@pytest.mark.parametrize(
    "name", [SCRIPT, IMG, SVG_ONLOAD, QUOTES, NEWLINES, "&amp;&lt;b&gt;&#60;&#x3C;", LONG]
)
def test_hovering_a_hostile_box_shows_its_name_op_and_device_as_text(hostile_tab, name):
    open_everything(hostile_tab)
    text = card_text(hostile_tab, "op", name)
    following = HOSTILE[(HOSTILE.index(name) + 1) % len(HOSTILE)]
    assert name in text  # the name, whole, as text
    assert following[:300] in text  # the op type and the device
    assert "\\xff\\xfe<script>\\x80\\" in text  # the attr of bytes that are not UTF-8


def test_hovering_a_hostile_scope(hostile_tab):
    hostile_tab.open("hostile")
    hostile_tab.close_all()
    # Each of these scopes (split from a name by its "/") holds one op: its box is that op's,
    # and its card names it whole.
    for op in (SCRIPT, "%3Cscript%3E/..%2F.."):
        assert op in HOSTILE and op in card_text(hostile_tab, "op", op)
    # The scope NEWLINES/ is drawn in the box of the op NEWLINES beside it: one box.
    assert NEWLINES in card_text(hostile_tab, "op", NEWLINES)


@pytest.mark.parametrize(
    ("query", "name"),
    [("<script>", SCRIPT), ("onerror", IMG), ("onload", SVG_ONLOAD), ('"quoted"', QUOTES)],
)
def test_searching_hostile_names_lists_them_as_text_and_reveals_them(hostile_tab, query, name):
    tab = hostile_tab
    tab.open("hostile")
    tab.close_all()
    tab.frame.fill(".sg-search-input", query)
    results = tab.frame.locator(".sg-result")
    expect(results.first).to_be_visible()
    titles = results.evaluate_all("items => items.map(i => i.getAttribute('title'))")
    assert name in titles
    paths = results.evaluate_all("items => items.map(i => i.textContent)")
    assert any(name in p for p in paths)
    # The op, not the scope of the same name that holds `name/inner`.
    ops = results.evaluate_all(
        "items => items.map(i => [i.getAttribute('title'), !!i.querySelector('.sg-chip-op')])"
    )
    results.nth(ops.index([name, True])).click()
    expect(tab.box("op", name)).to_have_class(re.compile(r"\bsg-hit\b"), timeout=30_000)


def test_a_hostile_run_name_in_the_picker(hostile_tab):
    tab = hostile_tab
    tab.open("hostile")
    options = tab.frame.locator("#sg-run option").all_text_contents()
    assert HOSTILE_RUN in options
    # Its op has a name the first run's drawing holds too: wait for the new drawing itself.
    tab.run_and_wait(lambda: tab.frame.select_option("#sg-run", label=HOSTILE_RUN))
    expect(tab.box("op", IMG)).to_have_count(1, timeout=30_000)
    text = card_text(tab, "op", IMG)
    assert IMG in text and SCRIPT in text


# A drawing as a compromised or impostor server could send it: every way SVG text can run
# script or load something, including HTML where SVG lets it in (a <title>, a <foreignObject>).
RUN = f"window.{PWNED}=1"
FORGED_SVG = f"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 200 100" onload="{RUN}">
<script>{RUN}</script>
<style>* {{ background: url(https://example.invalid/x) }}</style>
<g id="op-forged" class="node op" onmouseover="{RUN}">
  <title><img src=x onerror="{RUN}"><iframe srcdoc="<script>parent.{RUN}</script>"></iframe></title>
  <a xlink:href="javascript:{RUN}" xlink:title="forged"><polygon points="0,0 9,0 9,9"/></a>
  <foreignObject width="10" height="10"><img src=x onerror="{RUN}"></foreignObject>
  <animate attributeName="href" to="javascript:{RUN}"/>
  <text x="5" y="5">forged</text>
</g>
</svg>
<img src=x onerror="{RUN}">"""

WHAT_IS_LEFT = """() => {
  const svg = document.querySelector('svg.sg-graph');
  const all = [svg, ...svg.querySelectorAll('*')];
  const handler = (e) => [...e.attributes].some((a) => a.name.startsWith('on'));
  return {
    html: all.filter((e) => e.namespaceURI !== 'http://www.w3.org/2000/svg').length,
    active: svg.querySelectorAll('script, style, foreignObject, animate, iframe, img').length,
    handlers: all.filter(handler).length,
    links: all.filter((e) => e.hasAttributeNS('http://www.w3.org/1999/xlink', 'href')).length,
  };
}"""


def test_a_forged_drawing_is_shown_without_anything_in_it_running(hostile_tab):
    tab = hostile_tab
    # Parsing the text makes Chromium check its handlers against TensorBoard's CSP, which
    # refuses them (and says so); they are gone before the drawing joins the page.
    tab.allow_console_error("Executing inline event handler violates")
    tab.allow_console_error("CSP violation: script-src-attr blocked inline")
    tab.open("hostile")
    tab.page.route(
        "**/data/plugin/scopegraph/svg?*",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=FORGED_SVG),
    )
    tab.frame.fill(".sg-depth-input", "3")
    tab.run_and_wait(lambda: tab.frame.click("text=Open to depth"))
    expect(tab.frame.locator("svg.sg-graph text")).to_have_text("forged")
    tab.box("op", "forged").hover(force=True)
    # A fixed pause: what is checked is that nothing the forged drawing holds runs.
    tab.page.wait_for_timeout(500)
    assert tab.frame.evaluate(WHAT_IS_LEFT) == {"html": 0, "active": 0, "handlers": 0, "links": 0}
