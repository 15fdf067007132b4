"""The first view of a diff in the browser: the changed layers, readable, without their echoes.

`ffn_scoped_wider` against `ffn_scoped` (the demo's two training runs: layer3 widened, layer4
added) opened by its link, as a shared view is, in a 1,400 x 900 window.
"""

from __future__ import annotations

import re
import statistics
from urllib.parse import quote

from playwright.sync_api import expect
from tbharness import element_id

from tb_scopegraph.drawing.diffdot import change_words
from tb_scopegraph.model.diff import GraphDiff
from tb_scopegraph.reading.local import LocalGraphs

BASE, WIDER = "ffn_scoped", "ffn_scoped_wider"
GRAPH = "kind=run_graph&tag=__run_graph__"
LINK = f"run={WIDER}&{GRAPH}&base_run={BASE}&base_kind=run_graph&base_tag=__run_graph__"

# Every label of the drawing that lies in the drawing area: its font size times the drawing's
# scale on screen (what bench/bench_readability.py measures), and its text.
_LABELS_JS = """() => {
  const area = document.querySelector('.sg-viewport').getBoundingClientRect();
  const found = [];
  for (const text of document.querySelectorAll('svg.sg-graph text')) {
    const r = text.getBoundingClientRect();
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    if (x < area.left || x > area.right || y < area.top || y > area.bottom) continue;
    const m = text.getScreenCTM();
    const size = parseFloat(text.getAttribute('font-size')) * Math.hypot(m.a, m.b);
    found.push([size, text.textContent]);
  }
  return found;
}"""


def _diff(demo_logdir) -> GraphDiff:
    local = LocalGraphs(demo_logdir)
    base = local.load(local.select(run=BASE, kind="run_graph"))
    wider = local.load(local.select(run=WIDER, kind="run_graph"))
    return GraphDiff(base, wider)


def _open_link(tab) -> None:
    tab.open(path=f"/#scopegraph&scopegraph={quote(LINK, safe='')}")
    tab.wait_still()


def test_first_view_holds_the_changed_layers_and_not_their_gradients(tab, demo_logdir):
    diff = _diff(demo_logdir)
    _open_link(tab)
    drawing = tab.frame.locator("svg.sg-graph")
    # The widened layer and the new one are boxes that say what changed, and what changed
    # with them in the training step.
    layer3, layer4 = tab.box("scope", "layer3"), tab.box("scope", "layer4")
    expect(layer3).to_have_class(re.compile(r"\bdiff-changed\b"))
    expect(layer3).to_contain_text(change_words(diff.counts("layer3")))
    grads3 = diff.mirrored("layer3")["train/gradients"]
    expect(layer3).to_contain_text(f"and {grads3} in train/gradients")
    expect(layer4).to_have_class(re.compile(r"\bdiff-added\b"))
    expect(layer4).to_contain_text(f"and {sum(diff.mirrored('layer4').values())} in train")
    # The training step is one closed box: none of its gradients or updates is drawn.
    train = tab.box("scope", "train")
    count, _ = diff.mirroring("train")
    expect(train).to_contain_text(f"{count} mirror changes in layer3, layer4")
    expect(tab.frame_of("scope", "train")).to_have_count(0)
    inside = drawing.locator(f'[id^="{element_id("scope", "train/")}"]')
    expect(inside).to_have_count(0)
    expect(drawing.locator(f'[id^="{element_id("op", "train/")}"]')).to_have_count(0)
    # The untouched layers stay closed and the same.
    for layer in ("layer1", "layer2"):
        expect(tab.box("scope", layer)).to_have_class(re.compile(r"\bdiff-same\b"))
        expect(tab.frame_of("scope", layer)).to_have_count(0)
    # Few boxes, every one in the window, labels read without zooming.
    boxes = drawing.locator("g.node, g.cluster")
    assert boxes.count() <= 20
    labels = tab.frame.evaluate(_LABELS_JS)
    sizes = sorted(size for size, _ in labels)
    assert statistics.median(sizes) >= 10 and sizes[0] >= 8, sizes
    # The caption under the drawing names both graphs, on screen.
    texts = [text for _, text in labels]
    assert f"{BASE} → {WIDER}" in texts
    # Opening the training step shows what the gradients mirror, on request.
    tab.run_and_wait(lambda: train.click())
    mirrors = f"{count} mirror changes in layer3, layer4"
    expect(tab.frame_of("scope", "train")).to_contain_text(mirrors)


def test_saved_diff_carries_its_caption(tab):
    _open_link(tab)
    for fmt in ("svg", "dot"):
        with tab.page.expect_download() as download:
            tab.frame.click(f".sg-downloads [data-format={fmt}]")
        text = open(download.value.path(), encoding="utf-8").read()
        assert f"{BASE} → {WIDER}" in text, fmt
        assert "added: " in text and "same: " in text, fmt
    # A PNG is drawn from the same DOT: a picture, as tall as the drawing with its caption.
    with tab.page.expect_download() as download:
        tab.frame.click(".sg-downloads [data-format=png]")
    with open(download.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
