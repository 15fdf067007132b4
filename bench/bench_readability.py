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

The drawing area is our tab's ``.sg-viewport`` (inside its iframe) and TensorBoard's scene SVG.
Our first view is opened by its link (``#scopegraph&scopegraph=run=...``, with ``base_run=...``
for a comparison), in a fresh browser context; TensorBoard's by picking the run in its Graphs
tab (its ``run=`` in the URL does not reach the run picker in TensorBoard 2.21).

    python3 bench/bench_readability.py [--only NAME ...] [--tabs tensorboard scopegraph]
        [--shots DIR] [--out FILE.json] [--demo-logdir DIR]

Names: the corpus graphs, the demo's runs (``ffn_scoped``, ``pytorch/torch``, ...) and its
comparisons (``ffn_scoped_wider~ffn_scoped``, ``ffn_grown~step0``). The demo logdir is written
with ``demo/make_demo_logdir.py`` when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench_browser import CHROMIUM, ROOT, VIEWPORT, tensorboard
from common import BIG, CORPUS, GRAPHS, logdir, write_results

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from tbharness import Tab, launch_chromium  # noqa: E402 (tests/e2e is not a package)

DEMO_LOGDIR = CORPUS / "demo_logs"
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
LIMIT_S = 300  # TensorBoard's Graphs tab takes about 10 s on synthetic_100k on a quiet machine

# What each tab draws, for _MEASURE_JS: the SVG, the drawing area, boxes (and the element whose
# rectangle is the box), edges (their drawn paths, and the attribute naming their two ends).
_SPECS = {
    "scopegraph": {
        "svg": "svg.sg-graph",
        "area": ".sg-viewport",
        "boxes": "g.node, g.cluster",
        "shape": ":scope > path, :scope > polygon, :scope > ellipse",
        "edges": "g.edge",
        "paths": "path:not(.sg-edge-hit)",
        "ends": ["data-sg-ends", "->"],
    },
    "tensorboard": {
        "svg": "svg#svg",
        "area": None,  # the SVG itself
        "boxes": "g.node",
        "shape": ":scope > .nodeshape",
        "edges": "g.edge",
        "paths": "path.edgeline",
        "ends": ["data-edge", "--"],
    },
}

# TensorBoard's scene: tf-graph-scene's shadow root, found through every open shadow root.
_SCENE_JS = """
function sceneRoot() {
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (!el.shadowRoot) continue;
      if (el.localName === 'tf-graph-scene') return el.shadowRoot;
      const found = walk(el.shadowRoot);
      if (found) return found;
    }
    return null;
  };
  return walk(document);
}
"""

# The measures of the drawing at rest, in client px of the document that holds it.
_MEASURE_JS = (
    "(spec) => {"
    + _SCENE_JS
    + r"""
  const root = spec.scene ? sceneRoot() : document;
  const svg = root.querySelector(spec.svg);
  const a = (spec.area ? root.querySelector(spec.area) : svg).getBoundingClientRect();
  const area = {left: a.left, top: a.top, right: a.right, bottom: a.bottom};
  const inArea = (x, y) => x >= area.left && x <= area.right && y >= area.top && y <= area.bottom;
  const overlap = (r) => Math.max(0, Math.min(r.right, area.right) - Math.max(r.left, area.left))
    * Math.max(0, Math.min(r.bottom, area.bottom) - Math.max(r.top, area.top));
  const scaleOf = (el) => {
    const m = el.getScreenCTM();
    return m ? Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) : 0;
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && style.opacity !== '0';
  };
  const content = {left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity};
  const extend = (r) => {
    content.left = Math.min(content.left, r.left); content.top = Math.min(content.top, r.top);
    content.right = Math.max(content.right, r.right);
    content.bottom = Math.max(content.bottom, r.bottom);
  };

  const labels = [];
  for (const t of svg.querySelectorAll('text')) {
    if (t.closest('defs') || !t.textContent.trim() || !shown(t)) continue;
    const r = t.getBoundingClientRect();
    if (!r.width || !inArea(r.left + r.width / 2, r.top + r.height / 2)) continue;
    extend(r);
    const size = parseFloat(getComputedStyle(t).fontSize) * scaleOf(t);
    labels.push({px: size, box: r.height, edge: !!t.closest('g.edge'), text: t.textContent});
  }

  let boxes = 0, cut = 0, drawnBoxes = 0;
  for (const el of svg.querySelectorAll(spec.boxes)) {
    if (!shown(el)) continue;
    drawnBoxes++;
    const r = (el.querySelector(spec.shape) || el).getBoundingClientRect();
    if (!(r.width * r.height) || !overlap(r)) continue;
    boxes++;
    extend(r);
    const slack = 0.5;
    if (r.left < area.left - slack || r.right > area.right + slack
        || r.top < area.top - slack || r.bottom > area.bottom + slack) cut++;
  }

  // Each edge's paths as polylines on screen, a point every 5 px.
  const edges = [];
  for (const g of svg.querySelectorAll(spec.edges)) {
    if (!shown(g)) continue;
    const ends = (g.getAttribute(spec.ends[0]) || '').split(spec.ends[1]);
    const lines = [];
    let length = 0, visible = false;
    for (const path of g.querySelectorAll(spec.paths)) {
      const total = path.getTotalLength();
      const m = path.getScreenCTM();
      if (!total || !m) continue;
      const n = Math.min(400, Math.max(2, Math.ceil((total * scaleOf(path)) / 5)));
      const pts = [];
      for (let i = 0; i <= n; i++) {
        const p = path.getPointAtLength((total * i) / n);
        const q = new DOMPoint(p.x, p.y).matrixTransform(m);
        pts.push([q.x, q.y]);
        if (inArea(q.x, q.y)) visible = true;
        if (i) length += Math.hypot(q.x - pts[i - 1][0], q.y - pts[i - 1][1]);
      }
      lines.push(pts);
    }
    if (!lines.length) continue;
    if (visible) extend(g.getBoundingClientRect());
    edges.push({ends, lines, length, visible});
  }

  // Proper intersections of segments of two edges, through a grid of 24 px cells.
  const segs = [];
  edges.forEach((e, i) => e.lines.forEach((pts) => {
    for (let k = 0; k + 1 < pts.length; k++) segs.push([...pts[k], ...pts[k + 1], i]);
  }));
  const cell = 24, grid = new Map();
  segs.forEach((s, j) => {
    const at = (v) => Math.floor(v / cell);
    const [x0, x1, y0, y1] = [at(Math.min(s[0], s[2])), at(Math.max(s[0], s[2])),
                              at(Math.min(s[1], s[3])), at(Math.max(s[1], s[3]))];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) {
      const key = x + ',' + y;
      if (!grid.has(key)) grid.set(key, []);
      grid.get(key).push(j);
    }
  });
  const cross = (s, t) => {
    const rx = s[2] - s[0], ry = s[3] - s[1], sx = t[2] - t[0], sy = t[3] - t[1];
    const d = rx * sy - ry * sx;
    // Parallel, or meeting at under 8 degrees: edges running together in a bundle, which
    // read as one line (sampled, they swap sides many times), not a crossing.
    if (Math.abs(d) < 0.14 * Math.hypot(rx, ry) * Math.hypot(sx, sy)) return null;
    const qx = t[0] - s[0], qy = t[1] - s[1];
    const u = (qx * sy - qy * sx) / d, v = (qx * ry - qy * rx) / d;
    // Half-open, so that a crossing at a sample point is counted once.
    if (u < 0 || u >= 1 || v < 0 || v >= 1) return null;
    return [s[0] + u * rx, s[1] + u * ry];
  };
  const near = (p, e) => e.lines.some((pts) => [pts[0], pts[pts.length - 1]].some(
    (q) => Math.hypot(p[0] - q[0], p[1] - q[1]) < 12));
  const shareEnd = (e, f) => e.ends.some((end) => end && f.ends.includes(end));
  const seen = new Set();
  const points = [], byPair = new Map();
  for (const list of grid.values()) {
    for (let i = 0; i < list.length; i++) for (let k = i + 1; k < list.length; k++) {
      const s = segs[list[i]], t = segs[list[k]];
      if (s[4] === t[4]) continue;
      const key = Math.min(list[i], list[k]) * segs.length + Math.max(list[i], list[k]);
      if (seen.has(key)) continue;
      seen.add(key);
      const p = cross(s, t);
      if (!p || !inArea(p[0], p[1])) continue;
      const e = edges[s[4]], f = edges[t[4]];
      if (shareEnd(e, f) && (near(p, e) || near(p, f))) continue;
      // Two edges crossing once can meet in two samples' segments: one crossing per 16 px.
      const pair = Math.min(s[4], t[4]) * edges.length + Math.max(s[4], t[4]);
      const before = byPair.get(pair) || [];
      if (before.some((q) => Math.hypot(p[0] - q[0], p[1] - q[1]) < 16)) continue;
      byPair.set(pair, [...before, p]);
      points.push([Math.round(p[0]), Math.round(p[1])]);
    }
  }

  const diagonal = Math.hypot(area.right - area.left, area.bottom - area.top);
  const shownEdges = edges.filter((e) => e.visible);
  const areaSize = (area.right - area.left) * (area.bottom - area.top);
  return {
    area: [area.left, area.top, area.right - area.left, area.bottom - area.top],
    labels, boxes, cut, drawn_boxes: drawnBoxes, crossings: points.length, crossing_points: points,
    edges: shownEdges.length, drawn_edges: edges.length,
    long_edges: shownEdges.filter((e) => e.length > 0.75 * diagonal).length,
    longest_edge_px: Math.max(0, ...shownEdges.map((e) => e.length)),
    window_share: isFinite(content.left) ? overlap(content) / areaSize : 0,
  };
}"""
)

# TensorBoard's Graphs tab: pick run `name` in its controls (a user's pick in the run picker);
# false when the run is picked already, so nothing is drawn again.
_TB_PICK_RUN = (
    "(name) => {"
    + _SCENE_JS
    + """
  const dashboard = document.querySelector('tf-graph-dashboard');
  const runs = dashboard._datasets.map((d) => d.name);
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.localName === 'tf-graph-controls') return el;
      const found = el.shadowRoot && walk(el.shadowRoot);
      if (found) return found;
    }
    return null;
  };
  const controls = walk(dashboard.shadowRoot);
  const index = runs.indexOf(name);
  if (index < 0) throw new Error(`TensorBoard lists no run ${name}: ${runs}`);
  if (controls._selectedRunIndex === index) return false;
  window.__readabilityBefore = sceneRoot().querySelector('svg#svg g.node');
  controls._selectedRunIndex = index;
  return true;
}"""
)

# TensorBoard's scene at rest: nodes drawn (new ones, after a pick), and the zoom, the node
# count and the content's extent unchanged for 30 animation frames.
_TB_STILL = (
    "() => new Promise((resolve) => {"
    + _SCENE_JS
    + """
  let last = null, same = 0;
  const tick = () => {
    const root = sceneRoot();
    const svg = root && root.querySelector('svg#svg');
    const node = svg && svg.querySelector('g.node');
    let now = null;
    if (node && (!window.__readabilityBefore || !window.__readabilityBefore.isConnected)) {
      const r = svg.querySelector('#root').getBoundingClientRect();
      now = [svg.querySelectorAll('g.node').length, svg.querySelectorAll('text').length,
             svg.querySelector('#root').getAttribute('transform'),
             Math.round(r.width), Math.round(r.height)].join('|');
    }
    same = now !== null && now === last ? same + 1 : 0;
    last = now;
    if (same >= 30) resolve(); else requestAnimationFrame(tick);
  };
  tick();
})"""
)


_TB_AT_REST = (
    f"() => Promise.race([({_TB_STILL})(), new Promise((_, no) => setTimeout("
    f"() => no(new Error('the Graphs tab did not come to rest')), {LIMIT_S * 1000}))])"
)


def _listing(url: str) -> list[dict]:
    """Our plugin's list of graphs on this TensorBoard (profiles left out: not a graph view)."""
    with urllib.request.urlopen(f"{url}/data/plugin/scopegraph/graphs", timeout=30) as response:
        return [g for g in json.loads(response.read()) if g["kind"] != "profile"]


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


def _ours(tab: Tab, target: dict) -> dict:
    fragment = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in target["fragment"].items())
    tab.open(path=f"/#scopegraph&scopegraph={quote(fragment, safe='')}")
    tab.wait_still()
    tab.page.wait_for_timeout(300)  # web fonts and the sidebar settle
    return tab.frame.evaluate(_MEASURE_JS, _SPECS["scopegraph"])


def _tensorboard(tab: Tab, target: dict) -> dict:
    page = tab.page
    page.goto(f"{tab.url}/#graphs")
    page.wait_for_function(
        "() => { const d = document.querySelector('tf-graph-dashboard');"
        " return !!(d && d._datasetsFetched); }",
        timeout=LIMIT_S * 1000,
    )
    # TensorBoard draws its first run before the pick: wait for that drawing, then the pick's.
    page.evaluate(_TB_AT_REST)
    if page.evaluate(_TB_PICK_RUN, target["run"]):
        page.evaluate(_TB_AT_REST)
    return page.evaluate(_MEASURE_JS, {**_SPECS["tensorboard"], "scene": True})


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


def measure(browser, url: str, target: dict, tab_name: str, shots: Path | None) -> dict:
    """One first view in a fresh browser context: its figures, and a screenshot into `shots`."""
    tab = Tab(browser, url)
    try:
        raw = (_ours if tab_name == "scopegraph" else _tensorboard)(tab, target)
        out = _summary(raw)
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            path = shots / f"{target['name'].replace('/', '_').replace(':', '_')}-{tab_name}.png"
            tab.page.screenshot(path=str(path))
            out["screenshot"] = str(path)
        problems = tab.unexpected_problems()
        if problems:
            out["problems"] = problems[:5]
        return out
    except Exception as error:  # a failed graph is a row too, never the end of the bench
        return {"error": f"{type(error).__name__}: {str(error)[:300]}"}
    finally:
        tab.close()


def _cell(figures: dict) -> list[str]:
    if "error" in figures:
        return ["error", "", "", "", "", ""]
    per_box = figures["crossings_per_box"]
    labels = (
        "-"
        if figures["label_min_px"] is None
        else f"{figures['label_min_px']:.1f} / {figures['label_median_px']:.1f}"
    )
    return [
        labels,
        str(figures["boxes"]),
        str(figures["cut"]),
        "-" if per_box is None else f"{per_box:.2f}",
        str(figures["long_edges"]),
        f"{figures['window_share']:.0%}" if figures["window_share"] >= 0.005 else "<1%",
    ]


def table(rows: list[dict]) -> str:
    head = "| graph | tab | label min / median px | boxes | cut | crossings/box | long edges |"
    lines = [head + " window share |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        for tab_name, figures in row["tabs"].items():
            cells = [f"`{row['name']}`", tab_name, *_cell(figures)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _logdirs(args) -> list[tuple[Path, bool]]:
    """(logdir, is the demo's) to measure: each corpus graph's, then the demo's."""
    # The million-op graph only when named: its TensorBoard takes minutes to load it.
    names = [n for n in GRAPHS if n not in BIG or n in (args.only or ())]
    out = [(logdir(name), False) for name in names if logdir(name).is_dir()]
    missing = [name for name in names if not logdir(name).is_dir()]
    if missing:
        print(f"missing corpus logdirs {missing}: run bench/make_corpus.py", file=sys.stderr)
    if not args.demo_logdir.is_dir():
        script = ROOT / "demo" / "make_demo_logdir.py"
        subprocess.run([sys.executable, str(script), "--logdir", str(args.demo_logdir)], check=True)
    return out + [(args.demo_logdir, True)]


def measure_logdir(browser, logdir: Path, demo: bool, args) -> list[dict]:
    """Each graph of one logdir (and the demo's comparisons) in each tab, on one TensorBoard."""
    rows = []
    with tensorboard(logdir.resolve(), timeout=LIMIT_S) as url:
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
    parser.add_argument("--shots", type=Path, help="save a screenshot per graph and tab here")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--demo-logdir", type=Path, default=DEMO_LOGDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    rows: list[dict] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for logdir, demo in _logdirs(args):
                wanted = set(args.only or ()) - set(GRAPHS) if demo else {logdir.name}
                if not args.only or wanted & set(args.only):
                    rows += measure_logdir(browser, logdir, demo, args)
        finally:
            browser.close()
    unknown = set(args.only or ()) - {row["name"] for row in rows}
    if unknown:
        print(f"no graph named {sorted(unknown)} (see --help)", file=sys.stderr)
    print()
    print(table(rows))
    print(
        f"\n{VIEWPORT['width']}x{VIEWPORT['height']} Chromium ({CHROMIUM}); labels: font size x"
        " the SVG's scale on screen, every label whose middle is in the drawing area"
    )
    if args.out:
        write_results(args.out, args, load_before, rows, {"chromium": CHROMIUM})
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
