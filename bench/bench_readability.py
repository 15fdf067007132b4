"""Readability figures: how the first views of our tab and TensorBoard's Graphs tab read on screen.

For every corpus graph (``bench/corpus/logs/<name>``, one TensorBoard each), every graph of the
demo logdir (one TensorBoard for all its runs) and the demo's comparisons (our tab only:
TensorBoard has none), opens the graph's first view in a 1,400x900 Chromium window, waits until
the drawing is at rest, and measures what is on screen, in CSS px of the window:

- **labels**: every ``<text>`` of the drawing whose middle lies in the drawing area; its height
  is its font size times the SVG's scale on screen (the em box: what a reader calls the text's
  size; its bounding box is about 1.15 times that). Min and median; the JSON splits box labels
  from edge labels.
- **boxes**: nodes and open groups (our clusters; TensorBoard's expanded metanodes are nodes
  too) whose shape overlaps the drawing area; **cut**: those of them that do not fit in it.
- **crossings per box**: each edge's drawn path sampled every 5 px on screen
  (``getPointAtLength``) into segments; proper segment-segment intersections between two edges
  that lie in the drawing area, over the boxes shown. Not counted: two edges meeting at under
  8 degrees (a bundle, which reads as one line), a second crossing of the same two edges
  within 16 px, and, for two edges with a node in common, a crossing within 12 px of an end
  of either (where they leave or reach that node).
- **long edges**: edges shown (a sample in the drawing area) whose drawn length on screen is
  over three quarters of the drawing area's diagonal.
- **window share**: the bounding box of the boxes, edges and labels on screen, cut to the
  drawing area, over the drawing area.
- **overlapping labels**: pairs of labels that share over a fifth of the smaller one's box;
  **labels crossed**: labels an edge (not their own) runs through.
- **view**: ``whole``, or ``top``: the tab shows the top of a drawing too big to read whole at
  full size, with its overview (the minimap) in a corner.

Each figure that misses a target of issue 21 is marked ✗ (``TARGETS``): median label
>= 10 px and the smallest >= 8 px; no box cut by the window's edge, except in a top view,
whose box labels must be >= 11 px instead; <= 0.5 edge crossings per visible box. Long
edges, overlapping or crossed labels and the window share have no target. TensorBoard's figures are
marked by the same rules.

The drawing area is our tab's ``.sg-viewport`` (inside its iframe) and TensorBoard's scene SVG.
Our first view is opened by its link (``#scopegraph&scopegraph=run=...``, with ``base_run=...``
for a comparison), in a fresh browser context; TensorBoard's by picking the run in its Graphs
tab (its ``run=`` in the URL does not reach the run picker in TensorBoard 2.21).

    python3 bench/bench_readability.py [--only NAME ...] [--tabs tensorboard scopegraph]
        [--shots DIR] [--out FILE.json] [--markdown FILE.md] [--demo-logdir DIR]
        [--logdir DIR ...]

Names: the corpus graphs (whatever ``common.GRAPHS`` lists, each at ``corpus/logs/<name>`` or
``corpus/<name>``), the demo's runs (``ffn_scoped``, ``pytorch/torch``, ...) and its comparisons
(``ffn_scoped_wider~ffn_scoped``, ``ffn_grown~step0``). The demo logdir is written afresh by
``demo/make_demo_logdir.py`` into a temporary directory unless ``--demo-logdir`` names one.
``--logdir DIR ...`` measures every graph of these logdirs instead (named by run, as the demo's
are): graphs from writers that are not in this repository.
Each tab gets ``LIMIT_S`` per first view and is reported as "did not finish" past it.

``--shots DIR`` saves each first view as a PNG cropped to the drawing (what it draws, and the
minimap), reduced to a palette of 128 colours when Pillow is installed:
``--shots docs --only ffn_scoped ffn_flat pytorch/torch ffn_scoped_wider~ffn_scoped`` makes the
README's pictures. ``--markdown FILE`` writes the table into FILE between the lines
``<!-- readability-table -->`` and ``<!-- /readability-table -->`` when it has them (the
README), else as the whole file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench_browser import CHROMIUM, ROOT, VIEWPORT, tensorboard
from common import BIG, GRAPHS, logdir, write_results
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from readability_page import MEASURE_JS, SPECS, TB_PICK_RUN, tb_at_rest

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from tbharness import Tab, launch_chromium, tab_frame  # noqa: E402 (tests/e2e is not a package)

RUN_GRAPH = {"kind": "run_graph", "tag": "__run_graph__"}
BASE_RUN_GRAPH = {"base_kind": "run_graph", "base_tag": "__run_graph__"}
#: The demo's comparisons: name -> (the graph's run, what its link adds to compare it).
COMPARISONS = {
    "ffn_scoped_wider~ffn_scoped": (
        "ffn_scoped_wider",
        {"base_run": "ffn_scoped", **BASE_RUN_GRAPH},
    ),
    "ffn_grown~step0": ("ffn_grown", {"base_run": "ffn_grown", **BASE_RUN_GRAPH, "base_step": "0"}),
}
TABS = ("tensorboard", "scopegraph")
# Per first view, in either tab: TensorBoard's Graphs tab takes about 10 s on synthetic_100k on
# a quiet machine, ours under 30 s on transformer_1m; a first view not drawn in this time is
# reported as "did not finish".
LIMIT_S = 120
SERVER_LIMIT_S = 300  # for TensorBoard to read a logdir and list its graph
DID_NOT_FINISH = f"did not finish in {LIMIT_S} s"
#: Issue 21's targets, in px on screen and crossings per visible box.
TARGETS = {"median": 10, "min": 8, "top_box_min": 11, "crossings_per_box": 0.5}
MISS = " ✗"
MARKERS = ("<!-- readability-table -->", "<!-- /readability-table -->")
SHOT_PAD = 12  # px of the window around the drawing in a screenshot


def _listing(url: str) -> list[dict]:
    """Our plugin's list of graphs on this TensorBoard (profiles left out: not a graph view),
    once TensorBoard has read the whole logdir: it lists runs as it reads them, so the list is
    taken when it has been the same, and not empty, for three polls a second apart."""
    same, last = 0, None
    deadline = time.monotonic() + SERVER_LIMIT_S
    while same < 3 and time.monotonic() < deadline:
        time.sleep(1)
        with urllib.request.urlopen(f"{url}/data/plugin/scopegraph/graphs", timeout=30) as answer:
            now = [g for g in json.loads(answer.read()) if g["kind"] != "profile"]
        same = same + 1 if now and now == last else 0
        last = now
    return last or []


def _targets(listing: list[dict], corpus_name: str | None) -> list[dict]:
    """What to measure on one TensorBoard: [{name, run, fragment, compare}]. A corpus logdir's
    graph is named by its logdir; the demo's by their runs, and its comparisons are added."""
    runs: dict[str, list[dict]] = {}
    for graph in listing:
        runs.setdefault(graph["run"], []).append(graph)
    out = []
    for run, graphs in runs.items():
        for graph in graphs:
            name = run if len(graphs) == 1 else f"{run}:{graph['kind']}"
            fragment = {"run": run, "kind": graph["kind"], "tag": graph["tag"]}
            out.append({"name": corpus_name or name, "run": run, "fragment": fragment})
    if corpus_name is None:
        for name, (run, base) in COMPARISONS.items():
            if run in runs:
                fragment = {"run": run, **RUN_GRAPH, **base}
                out.append({"name": name, "run": run, "fragment": fragment, "compare": True})
    return out


def _ours(tab: Tab, target: dict) -> tuple[dict, tuple[float, float]]:
    """Our first view's figures, and where its iframe lies in the page."""
    fragment = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in target["fragment"].items())
    tab.page.goto(f"{tab.url}/#scopegraph&scopegraph={quote(fragment, safe='')}")
    tab.frame = tab_frame(tab.page, timeout=LIMIT_S)
    tab.wait_ready(timeout=LIMIT_S * 1000)
    tab.wait_still()
    tab.page.wait_for_timeout(300)  # web fonts and the sidebar settle
    box = tab.frame.frame_element().bounding_box()
    return tab.frame.evaluate(MEASURE_JS, SPECS["scopegraph"]), (box["x"], box["y"])


def _tensorboard(tab: Tab, target: dict) -> tuple[dict, tuple[float, float]]:
    """TensorBoard's first view of the target's run, within LIMIT_S from opening its tab."""
    page = tab.page
    deadline = time.monotonic() + LIMIT_S

    def left_ms() -> float:
        return max(1.0, deadline - time.monotonic()) * 1000

    page.goto(f"{tab.url}/#graphs")
    try:
        page.wait_for_function(
            "() => { const d = document.querySelector('tf-graph-dashboard');"
            " return !!(d && d._datasetsFetched); }",
            timeout=left_ms(),
        )
    except Exception as error:
        raise TimeoutError("did not finish") from error
    # TensorBoard draws its first run before the pick: wait for that drawing, then the pick's.
    page.evaluate(tb_at_rest(left_ms()))
    if page.evaluate(TB_PICK_RUN, target["run"]):
        page.evaluate(tb_at_rest(left_ms()))
    return page.evaluate(MEASURE_JS, {**SPECS["tensorboard"], "scene": True}), (0.0, 0.0)


def _summary(raw: dict) -> dict:
    """The figures of one measurement, with the labels summed up (min, median, count)."""
    sizes = sorted(label["px"] for label in raw["labels"])
    by_kind = {}
    for kind, edge in (("box_labels", False), ("edge_labels", True)):
        px = sorted(label["px"] for label in raw["labels"] if label["edge"] == edge)
        by_kind[kind] = [px[0], statistics.median(px), len(px)] if px else None
    return {
        "label_min_px": sizes[0] if sizes else None,
        "label_median_px": statistics.median(sizes) if sizes else None,
        "labels": len(sizes),
        **by_kind,
        "crossings_per_box": raw["crossings"] / raw["boxes"] if raw["boxes"] else None,
        **{k: v for k, v in raw.items() if k != "labels"},
    }


def misses(figures: dict) -> set[str]:
    """The targets (TARGETS' keys, and "cut") this first view misses. Figures are rounded to
    0.1 px first: 9.99 px reads as 10."""
    out = set()
    if "error" in figures:
        return out

    def low(px: float | None, floor: float) -> bool:
        return px is not None and round(px, 1) < floor

    if low(figures["label_median_px"], TARGETS["median"]):
        out.add("median")
    if low(figures["label_min_px"], TARGETS["min"]):
        out.add("min")
    if figures.get("top_view"):
        box_labels = figures.get("box_labels")
        if box_labels and low(box_labels[0], TARGETS["top_box_min"]):
            out.add("top_box_min")
    elif figures["cut"]:
        out.add("cut")
    per_box = figures["crossings_per_box"]
    if per_box is not None and per_box > TARGETS["crossings_per_box"]:
        out.add("crossings_per_box")
    return out


def _shot(tab: Tab, raw: dict, offset: tuple[float, float], path: Path) -> None:
    """The drawing (its content and the minimap, cut to the drawing area) as a small PNG."""
    ax, ay, aw, ah = raw["area"]
    parts = [r for r in (raw["content"], raw["minimap"]) if r] or [raw["area"]]
    left = max(ax, min(r[0] for r in parts) - SHOT_PAD)
    top = max(ay, min(r[1] for r in parts) - SHOT_PAD)
    right = min(ax + aw, max(r[0] + r[2] for r in parts) + SHOT_PAD)
    bottom = min(ay + ah, max(r[1] + r[3] for r in parts) + SHOT_PAD)
    clip = {"x": left + offset[0], "y": top + offset[1], "width": right - left}
    clip["height"] = bottom - top
    tab.page.mouse.move(0, 0)  # no hover card in the picture
    if tab.frame is not None:  # nor our status line, which the crop would cut through
        tab.frame.evaluate("document.querySelector('.sg-status').style.visibility = 'hidden'")
    tab.page.screenshot(path=str(path), clip=clip)
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def measure(browser, url: str, target: dict, tab_name: str, shots: Path | None) -> dict:
    """One first view in a fresh browser context: its figures, and a screenshot into `shots`."""
    tab = Tab(browser, url)
    try:
        raw, offset = (_ours if tab_name == "scopegraph" else _tensorboard)(tab, target)
        out = _summary(raw)
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            path = shots / f"{re.sub(r'[/:~]', '_', target['name'])}-{tab_name}.png"
            _shot(tab, raw, offset, path)
            out["screenshot"] = str(path)
        problems = tab.unexpected_problems()
        if problems:
            out["problems"] = problems[:5]
        return out
    except Exception as error:  # a failed graph is a row too, never the end of the bench
        if isinstance(error, TimeoutError | PlaywrightTimeout) or "did not finish" in str(error):
            return {"error": DID_NOT_FINISH}
        return {"error": f"{type(error).__name__}: {str(error)[:300]}"}
    finally:
        tab.close()


def _cell(figures: dict) -> list[str]:
    """The table's cells for one first view, each figure that misses a target marked."""
    if "error" in figures:
        text = figures["error"] if figures["error"] == DID_NOT_FINISH else "error"
        return [text, "", "", "", "", "", "", "", ""]
    missed = misses(figures)

    def mark(text: str, *keys: str) -> str:
        return text + (MISS if missed & set(keys) else "")

    per_box = figures["crossings_per_box"]
    if figures["label_min_px"] is None:
        labels = "-"
    else:
        labels = (
            mark(f"{figures['label_min_px']:.1f}", "min")
            + " / "
            + mark(f"{figures['label_median_px']:.1f}", "median")
        )
    view = "whole"
    if figures.get("top_view"):
        box_labels = figures.get("box_labels")
        view = mark(f"top, boxes ≥ {box_labels[0]:.1f}" if box_labels else "top", "top_box_min")
    return [
        view,
        labels,
        str(figures["boxes"]),
        mark(str(figures["cut"]), "cut"),
        "-" if per_box is None else mark(f"{per_box:.2f}", "crossings_per_box"),
        str(figures["long_edges"]),
        str(figures["overlapping_labels"]),
        str(figures["labels_crossed"]),
        f"{figures['window_share']:.0%}" if figures["window_share"] >= 0.005 else "<1%",
    ]


def table(rows: list[dict]) -> str:
    """The figures as a Markdown table, one line per graph and tab."""
    head = "| graph | tab | view | label min / median px | boxes | cut | crossings/box | long edges"
    head += " | overlapping labels | labels crossed | window share |"
    lines = [head, "| --- | --- | --- |" + " ---: |" * 8]
    for row in rows:
        for tab_name, figures in row["tabs"].items():
            cells = [f"`{row['name']}`", tab_name, *_cell(figures)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_markdown(path: Path, text: str) -> None:
    """`text` between MARKERS in `path` when it has them, else as the whole of `path`."""
    old = path.read_text() if path.exists() else ""
    start, end = MARKERS
    if start in old and end in old:
        before, rest = old.split(start, 1)
        text = before + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
    else:
        text += "\n"
    path.write_text(text)


def _logdirs(args, scratch: Path) -> list[tuple[Path, bool]]:
    """(logdir, is the demo's) to measure: each corpus graph's asked for, then the demo's."""
    if args.logdir:
        return [(path, True) for path in args.logdir]
    only = set(args.only or ())
    # The million-op graph only when named: its TensorBoard takes minutes to load it.
    names = [n for n in GRAPHS if (n in only if only else n not in BIG)]
    out = [(logdir(name), False) for name in names if logdir(name).is_dir()]
    missing = [name for name in names if not logdir(name).is_dir()]
    if missing:
        print(f"missing corpus logdirs {missing}: run bench/make_corpus.py", file=sys.stderr)
    if only and only <= set(GRAPHS):
        return out
    demo = args.demo_logdir
    if demo is None:
        demo = scratch / "demo_logs"
        script = ROOT / "demo" / "make_demo_logdir.py"
        subprocess.run([sys.executable, str(script), "--logdir", str(demo)], check=True)
    return out + [(demo, True)]


def measure_logdir(browser, logdir: Path, demo: bool, args) -> list[dict]:
    """Each graph of one logdir (and the demo's comparisons) in each tab, on one TensorBoard."""
    rows = []
    log_name = f"readability-{'demo' if demo else logdir.name}"
    with tensorboard(logdir.resolve(), timeout=SERVER_LIMIT_S, log_name=log_name) as url:
        for target in _targets(_listing(url), None if demo else logdir.name):
            name = target["name"]
            if args.only and name not in args.only:
                continue
            row = {"name": name, "run": target["run"], "tabs": {}}
            for tab_name in args.tabs:
                if tab_name == "tensorboard" and target.get("compare"):
                    continue  # TensorBoard's Graphs tab compares nothing
                figures = measure(browser, url, target, tab_name, args.shots)
                row["tabs"][tab_name] = figures
                shown = figures.get("error") or " | ".join(_cell(figures))
                print(f"  {name} {tab_name}: {shown}", flush=True)
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        help="measure only these: corpus graphs (resnet50), demo runs (ffn_scoped, pytorch/torch)"
        f" or comparisons ({', '.join(COMPARISONS)})",
    )
    parser.add_argument("--tabs", nargs="+", choices=TABS, default=list(TABS))
    parser.add_argument("--shots", type=Path, help="save a cropped screenshot per graph and tab")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the table here (see above)")
    parser.add_argument("--demo-logdir", type=Path, help="the demo logdir (else written afresh)")
    parser.add_argument(
        "--logdir",
        type=Path,
        nargs="+",
        help="measure every graph of these logdirs instead, named by run",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="readability-") as scratch:
        logdirs = _logdirs(args, Path(scratch))
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                for logdir, demo in logdirs:
                    rows += measure_logdir(browser, logdir, demo, args)
            finally:
                browser.close()
    unknown = set(args.only or ()) - {row["name"] for row in rows}
    if unknown:
        print(f"no graph named {sorted(unknown)} (see --help)", file=sys.stderr)
    load = ", ".join(f"{x:.1f}" for x in load_before)
    note = (
        f"{VIEWPORT['width']}x{VIEWPORT['height']} Chromium ({CHROMIUM}), from {when}, load average"
        f" {load} before. Labels: font size x the SVG's scale on screen, every label whose middle"
        " is in the drawing area. ✗: misses a target of issue 21 (median label ≥ 10 px, smallest"
        " ≥ 8 px; no box cut, except in a top view (its minimap shown), whose box labels are ≥"
        " 11 px; ≤ 0.5 crossings per visible box)."
    )
    text = table(rows) + "\n\n" + note
    print()
    print(text)
    if args.markdown:
        write_markdown(args.markdown, text)
        print(f"wrote the table into {args.markdown}")
    if args.out:
        write_results(args.out, args, load_before, rows, {"chromium": CHROMIUM})
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
