"""Text on every fill a drawing uses reads at WCAG AA contrast (4.5:1), in the tab's light and
dark themes: the palettes of colour.py, the fills dot.py writes, and the tab's badge colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphs import ffn_graph

from tb_scopegraph.drawing import colour
from tb_scopegraph.drawing.dot import to_dot
from tb_scopegraph.model.hierarchy import Hierarchy

AA = 4.5
STYLE = Path(__file__).resolve().parents[1] / "frontend" / "style.css"

PALETTES = {
    "op type and device": (*colour.PALETTE, colour.MIXED_FILL),
    "compute time and memory": colour.SCALE,
    "identical blocks": (*colour.STRUCTURE_PALETTE, colour.STRUCTURE_OTHER),
    "diff": tuple(colour.DIFF_FILLS.values()),
}


def drawn_fills() -> set[str]:
    """Every fill dot.py writes for a small graph, in every colouring, some groups open."""
    h = Hierarchy(ffn_graph())
    found = set()
    for scheme in colour.SCHEMES:
        for view in (h.view(depth=0), h.view(open=["layer1", "layer2"])):
            found |= set(
                re.findall(
                    r'(?:fillcolor|bgcolor)="(#[0-9a-fA-F]{6})"', to_dot(h, view, colour=scheme)
                )
            )
    return found


def failures(fills) -> list[str]:
    found = []
    for fill in fills:
        light = {"label": colour.LABEL_TEXT, "badge": colour.BADGE_TEXT}
        for what, text in light.items():
            ratio = colour.contrast(text, fill)
            if ratio < AA:
                found.append(f"{what} {text} on {fill}: {ratio:.2f}")
        # In the dark theme the badge takes the labels' colour (style.css).
        dark = colour.contrast(colour.dark_theme(colour.LABEL_TEXT), colour.dark_theme(fill))
        if dark < AA:
            found.append(
                f"dark theme: text on {fill} (shown {colour.dark_theme(fill)}): {dark:.2f}"
            )
    return found


@pytest.mark.parametrize("palette", sorted(PALETTES))
def test_text_reads_on_every_fill_of_each_palette(palette):
    assert failures(PALETTES[palette]) == []


def test_text_reads_on_every_fill_dot_writes():
    fills = drawn_fills()
    assert {"#e8eaf6", "#f7f8fc"} < fills  # scope boxes and frames, and the colourings
    assert failures(fills) == []


def test_the_contrast_check_can_fail():
    # The fills this check replaced: black on deep orange in the dark theme, the orange badge.
    assert failures(["#e65100"]) and failures(["#7986cb"])
    assert colour.contrast("#f57c00", "#f48fb1") < AA


def test_the_tab_uses_the_checked_badge_colour_and_dark_filter():
    css = STYLE.read_text()
    badges = re.findall(r"--sg-badge:\s*(#[0-9a-f]{6})", css)
    assert badges == [colour.BADGE_TEXT, colour.LABEL_TEXT]  # light theme, then dark
    assert re.search(r"g\.summarized > text:last-of-type \{\s*fill: var\(--sg-badge\)", css)
    assert f"filter: invert({colour.DARK_INVERT}) hue-rotate(180deg)" in css
