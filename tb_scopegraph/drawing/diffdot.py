"""A view of a diff's union as DOT text: boxes filled by status, counts and mirrored
changes under their labels, and a caption naming both graphs."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping

from tb_scopegraph.drawing.colour import DIFF_FILLS
from tb_scopegraph.drawing.dot import Marks, layout_to_dot
from tb_scopegraph.drawing.dottext import CONTROL
from tb_scopegraph.model.diff import ADDED, CHANGED, REMOVED, SAME, Counts, GraphDiff
from tb_scopegraph.model.graph import MISSING, OP
from tb_scopegraph.model.views import View


def diff_to_dot(diff: GraphDiff, view: View, title: str = "") -> str:
    """The DOT text of a view of a diff's union: each box filled by its status (added,
    removed, changed, same), each group box and open group with its counts in words
    (`change_words`: ``12 added, 3 removed, 4 changed``, and where inside a closed group they
    all lie: ``9 changed in conv4_block3``) and the changes
    elsewhere that mirror its own ("and 9 in train/gradients"), a changed
    op's tooltip saying what changed, and a caption under the drawing naming both graphs
    (``title``) with the whole diff's counts, so that a saved SVG or PNG says what it shows."""
    layout = diff.hierarchy.layout(view)
    fills_, classes, notes, tips = [], [], [], []
    for box in layout.boxes:
        status, counts = diff.box_status(box.kind, box.name)
        fills_.append(None if box.kind == MISSING else DIFF_FILLS[status])
        classes.append(f"diff-{status}")
        lines = [status]
        if counts is not None and counts.differs:
            lines = [f"{status}: {change_words(counts)} (of {counts.differs + counts.same:,} ops)"]
        for change in diff.changes(box.name) if box.kind == OP else ():
            lines.append(f"{change.what}: {change.before} → {change.after}")
        if counts is None:
            notes.append("")
        else:
            mirrors = _mirror_lines(diff, box.name)
            where = diff.where(box.name)
            said = change_words(counts) + (f" in {where}" if where else "")
            notes.append("\n".join(filter(None, (said, *mirrors))))
            lines.extend([f"all in {where}"] if where else [])
            lines.extend(mirrors)
        tips.append(lines)
    cluster_fills, cluster_classes, cluster_notes = {}, {}, {}
    for cluster in layout.clusters:
        counts = diff.counts(cluster.name)
        cluster_classes[cluster.name] = f"diff-{counts.status}"
        mirrors = _mirror_lines(diff, cluster.name)
        cluster_notes[cluster.name] = "\n".join(filter(None, (change_words(counts), *mirrors)))
        if counts.status != SAME:
            cluster_fills[cluster.name] = _CLUSTER_DIFF_FILLS[counts.status]
    marks = Marks(
        box_classes=classes,
        box_notes=notes,
        box_tips=tips,
        cluster_fills=cluster_fills,
        cluster_classes=cluster_classes,
        cluster_notes=cluster_notes,
    )
    caption = diff_caption(title, diff.totals.as_dict())
    return layout_to_dot(layout, title, fills_, caption, marks)


def change_words(counts: Counts) -> str:
    """A group's changed ops in words, '' when none differ: words, not signs (``+1 ~15``),
    so that a box is read without the key.

    >>> change_words(Counts(added=1, changed=15, same=9))
    '1 added, 15 changed'
    >>> change_words(Counts(added=12, removed=3, changed=4))
    '12 added, 3 removed, 4 changed'
    >>> change_words(Counts(same=5))
    ''
    """
    shown = [s for s in (ADDED, REMOVED, CHANGED) if getattr(counts, s)]
    return ", ".join(f"{getattr(counts, s):,} {s}" for s in shown)


def _mirror_lines(diff: GraphDiff, key: str) -> list[str]:
    """What a group's box says of mirrored changes: on a forward group, those elsewhere
    that mirror its own ("and 9 in train/gradients"); on a gradient or optimizer group, how
    many of its changes mirror which forward groups ("24 mirror changes in layer3, layer4")."""
    lines = []
    elsewhere = diff.mirrored(key)
    if elsewhere:
        roots = list(elsewhere)
        # The scope path they share: train for train/gradients and train/GradientDescent.
        where = "/".join(os.path.commonprefix([root.split("/") for root in roots]))
        if not where:
            where = ", ".join(roots[:2]) + (" …" if len(roots) > 2 else "")
        lines.append(f"and {sum(elsewhere.values()):,} in {where}")
    count, forward = diff.mirroring(key)
    if count:
        shown = ", ".join(f.rsplit("/", 1)[-1] for f in forward[:MIRRORS_NAMED])
        more = len(forward) - MIRRORS_NAMED
        lines.append(
            f"{count:,} mirror changes in {shown}" + (f" and {more:,} more" if more > 0 else "")
        )
    return lines


#: How many forward groups a gradient or optimizer group's box names as those it mirrors.
MIRRORS_NAMED = 3


def diff_caption(title: str, counts: Mapping[str, int]) -> str:
    """The HTML label under a diff's drawing: the two graphs it compares (``title``, as
    ``base → graph``), large, over one row of the statuses' fills with their op counts.

    >>> "added: 3 ops" in diff_caption("a → b", {"added": 3, "removed": 0, "changed": 1})
    True
    """
    cells = "".join(
        f'<td bgcolor="{fill}" width="14" height="10"></td>'
        f'<td align="left">{status}: {counts.get(status, 0):,} op'
        f"{'s' * (counts.get(status, 0) != 1)}  </td>"
        for status, fill in DIFF_FILLS.items()  # colours from colour.py's fixed set
    )
    heading = ""
    if title:
        text = CONTROL.sub("\ufffd", title)
        text = text if len(text) <= _CAPTION_CLIP else text[: _CAPTION_CLIP - 1] + "…"
        heading = (
            f'<tr><td colspan="{2 * len(DIFF_FILLS)}" align="left">'
            f'<font point-size="14"><b>{html.escape(text, quote=True)}</b></font></td></tr>'
        )
    return (
        '<<table border="0" cellborder="0" cellspacing="2" cellpadding="1">'
        f"{heading}<tr>{cells}</tr></table>>"
    )


_CAPTION_CLIP = 160


# Open groups are large: paler than the boxes' fills.
_CLUSTER_DIFF_FILLS = {ADDED: "#e8f5e9", REMOVED: "#ffebee", CHANGED: "#fff8e1"}
