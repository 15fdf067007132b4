"""What the readability benchmark runs in the page: each tab's drawing found, measured at rest.

`SPECS` says where each tab draws; `MEASURE_JS(spec)` returns the figures of the drawing on
screen (bench_readability.py's docstring says what each is); `TB_PICK_RUN` and `TB_AT_REST`
drive TensorBoard's Graphs tab.
"""

from __future__ import annotations

# What each tab draws, for MEASURE_JS: the SVG, the drawing area, boxes (and the element whose
# rectangle is the box), edges (their drawn paths, and the attribute naming their two ends).
SPECS = {
    "scopegraph": {
        "svg": "svg.sg-graph",
        "area": ".sg-viewport",
        "boxes": "g.node, g.cluster",
        "shape": ":scope > path, :scope > polygon, :scope > ellipse",
        "edges": "g.edge",
        "paths": "path:not(.sg-edge-hit)",
        "ends": ["data-sg-ends", "->"],
        "minimap": ".sg-minimap",
    },
    "tensorboard": {
        "svg": "svg#svg",
        "area": None,  # the SVG itself
        "boxes": "g.node",
        "shape": ":scope > .nodeshape",
        "edges": "g.edge",
        "paths": "path.edgeline",
        "ends": ["data-edge", "--"],
        "minimap": None,  # TensorBoard draws none
    },
}

# TensorBoard's scene: tf-graph-scene's shadow root, found through every open shadow root.
SCENE_JS = """
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
MEASURE_JS = (
    "(spec) => {"
    + SCENE_JS
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
    labels.push({px: size, box: r.height, edge: !!t.closest('g.edge'), text: t.textContent,
                 rect: [r.left, r.top, r.right, r.bottom], owner: t.closest(spec.edges)});
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
    edges.push({ends, lines, length, visible, g});
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

  // Labels drawn over each other: two whose boxes share over a fifth of the smaller one (a
  // box's own lines, written as separate <text>s, only touch).
  let overlapping = 0;
  const areaOf = (r) => (r[2] - r[0]) * (r[3] - r[1]);
  const sorted = labels.map((l) => l.rect).sort((p, q) => p[0] - q[0]);
  for (let i = 0; i < sorted.length; i++) {
    for (let k = i + 1; k < sorted.length && sorted[k][0] < sorted[i][2]; k++) {
      const [p, q] = [sorted[i], sorted[k]];
      const shared = Math.max(0, Math.min(p[2], q[2]) - q[0])
        * Math.max(0, Math.min(p[3], q[3]) - Math.max(p[1], q[1]));
      if (shared > 0.2 * Math.min(areaOf(p), areaOf(q))) overlapping++;
    }
  }

  // Labels an edge runs through (a sample of its path inside the label's box, 1 px in from its
  // sides; samples are 5 px apart and labels at least 6 px tall), an edge's own label aside.
  const crossedLabels = [];
  for (const l of labels) {
    const [x0, y0, x1, y1] = [l.rect[0] + 1, l.rect[1] + 1, l.rect[2] - 1, l.rect[3] - 1];
    const through = edges.some((e) => e.g !== l.owner && e.lines.some((pts) => pts.some(
      ([x, y]) => x > x0 && x < x1 && y > y0 && y < y1)));
    if (through) crossedLabels.push(l.text);
  }
  labels.forEach((l) => { delete l.rect; delete l.owner; });

  const diagonal = Math.hypot(area.right - area.left, area.bottom - area.top);
  const shownEdges = edges.filter((e) => e.visible);
  const areaSize = (area.right - area.left) * (area.bottom - area.top);
  // The overview of a drawing bigger than the window, when it shows: the view is its top at
  // full size (frontend/minimap.js, Viewport.overview).
  const map = spec.minimap && root.querySelector(spec.minimap);
  const mapRect = map && !map.hidden && shown(map) ? map.getBoundingClientRect() : null;
  const rect = (r) => [r.left, r.top, r.right - r.left, r.bottom - r.top];
  return {
    area: rect(area),
    content: isFinite(content.left) ? rect(content) : null,
    top_view: !!(mapRect && mapRect.width && mapRect.height),
    minimap: mapRect && mapRect.width ? rect(mapRect) : null,
    labels, overlapping_labels: overlapping, labels_crossed: crossedLabels.length,
    crossed_labels: crossedLabels, boxes, cut,
    drawn_boxes: drawnBoxes,
    crossings: points.length, crossing_points: points,
    edges: shownEdges.length, drawn_edges: edges.length,
    long_edges: shownEdges.filter((e) => e.length > 0.75 * diagonal).length,
    longest_edge_px: Math.max(0, ...shownEdges.map((e) => e.length)),
    window_share: isFinite(content.left) ? overlap(content) / areaSize : 0,
  };
}"""
)

# TensorBoard's Graphs tab: pick run `name` in its controls (a user's pick in the run picker);
# false when the run is picked already, so nothing is drawn again.
TB_PICK_RUN = (
    "(name) => {"
    + SCENE_JS
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
TB_STILL = (
    "() => new Promise((resolve) => {"
    + SCENE_JS
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


def tb_at_rest(ms: float) -> str:
    """TB_STILL, failing with "did not finish" when the scene is not at rest within `ms`."""
    return (
        f"() => Promise.race([({TB_STILL})(), new Promise((_, no) => setTimeout("
        f"() => no(new Error('did not finish')), {int(ms)}))])"
    )
