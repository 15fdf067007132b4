// The overview of a drawing larger than the window (as map apps have): a small map of all of
// it in a corner, its boxes and open groups, the part the window shows outlined. Shown only
// while part of the drawing is off screen; a press or drag on it moves the view there. It sits
// in the corner where it covers fewest boxes and none of what must stay in sight (a found box,
// Viewport.keep), hidden when every corner would cover that; half transparent until hovered.

import {shapeRect} from './shapes.js';

// The map's longer side, in CSS pixels.
const SIZE = 180;
// Its shorter side at least (a tall drawing's map at SIZE tall would be a sliver): a map that
// would be longer than SIZE is drawn larger, and shows the part of it around the window,
// scrolled as the view moves (a clipped map keeps every box where the whole map has it, so a
// press on it still goes where it points; a wider window into the map would cover the drawing).
const MIN_SIDE = 64;
// The map's canvas is never longer than this (CSS px): past it, its shorter side gives way.
const MAX_LONG = 4096;
// The drawing may run this far (px) past the window before the map shows.
const SLACK = 4;
// Its corners, in the order tried: the first that covers fewest boxes. (The zoom buttons hold
// the bottom right.)
const CORNERS = ['bottom-left', 'top-left', 'top-right'];
const MARGIN = {top: 12, bottom: 34, left: 12, right: 12};
// What must stay in sight is kept this far (px) from the map.
const GAP = 8;

export class Minimap {
  /** Adds the map to `ui.viewport`, for the drawing `viewport` (a Viewport) shows. */
  constructor(ui, viewport) {
    this.viewport = viewport;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'sg-minimap';
    this.canvas.hidden = true;
    this.canvas.dataset.noPan = '';
    this.canvas.dataset.corner = CORNERS[0];
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Overview of the whole graph');
    ui.viewport.append(this.canvas);
    this.svg = null; // the drawing mapped
    // The map of its boxes, {canvas, scale, w, h, boxes}, made when first shown; `boxes`: their
    // rects in user units.
    this.base = null;
    this.offset = {x: 0, y: 0}; // the part of the map shown: its top left, CSS px
    this.pressed = false;
    const canvas = this.canvas;
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.pressed = true;
      canvas.setPointerCapture(e.pointerId);
      this.moveTo(e, true);
    });
    canvas.addEventListener('pointermove', (e) => this.pressed && this.moveTo(e, false));
    canvas.addEventListener('pointerup', () => (this.pressed = false));
    canvas.addEventListener('pointercancel', () => (this.pressed = false));
  }

  /** Follows the view: called whenever it moves or the drawing changes. */
  update() {
    const vp = this.viewport;
    const b = vp.bounds;
    if (vp.svg !== this.svg) {
      this.svg = vp.svg;
      this.base = null;
    }
    if (!this.svg || !b) {
      this.canvas.hidden = true;
      return;
    }
    const {w, h} = vp.size();
    const {cx, cy, k} = vp.view;
    const shown = {x: cx - w / 2 / k, y: cy - h / 2 / k, w: w / k, h: h / k};
    const slack = SLACK / k;
    const whole =
      b.x >= shown.x - slack &&
      b.y >= shown.y - slack &&
      b.x + b.w <= shown.x + shown.w + slack &&
      b.y + b.h <= shown.y + shown.h + slack;
    this.canvas.hidden = whole || w < 4 * SIZE;
    if (this.canvas.hidden) return;
    if (!this.base) this.base = drawMap(this.svg, b);
    this.paint(shown);
    this.canvas.hidden = !this.place(shown, {w, h});
  }

  /** What must stay in sight, on screen (CSS px) where the view is heading (`size`: its size). */
  kept(size) {
    const vp = this.viewport;
    if (!vp.keep || vp.keep.svg !== this.svg) return [];
    const {cx, cy, k} = vp.destination || vp.view;
    return vp.keep.rects.map((r) => ({
      x: (r.x - cx) * k + size.w / 2,
      y: (r.y - cy) * k + size.h / 2,
      w: r.w * k,
      h: r.h * k,
    }));
  }

  /** The map, with the window's part of the drawing (`shown`, user units) outlined. */
  paint(shown) {
    const {canvas: map, scale, w, h} = this.base;
    const b = this.viewport.bounds;
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    const vw = Math.min(w, SIZE);
    const vh = Math.min(h, SIZE);
    if (canvas.width !== Math.round(vw * ratio) || canvas.height !== Math.round(vh * ratio)) {
      canvas.width = Math.round(vw * ratio);
      canvas.height = Math.round(vh * ratio);
      canvas.style.width = `${vw}px`;
      canvas.style.height = `${vh}px`;
    }
    if (!this.pressed) {
      // The part of a map larger than the canvas around the window's outline.
      const clamp = (v, most) => Math.max(0, Math.min(most, v));
      this.offset = {
        x: clamp((shown.x + shown.w / 2 - b.x) * scale - vw / 2, w - vw),
        y: clamp((shown.y + shown.h / 2 - b.y) * scale - vh / 2, h - vh),
      };
    }
    const {x: ox, y: oy} = this.offset;
    const g = canvas.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(
      map,
      ox * ratio,
      oy * ratio,
      canvas.width,
      canvas.height,
      0,
      0,
      canvas.width,
      canvas.height
    );
    const s = ratio * scale;
    g.setTransform(s, 0, 0, s, (-b.x * scale - ox) * ratio, (-b.y * scale - oy) * ratio);
    // Within the part of the map shown, so that each of its sides shows.
    const inset = 1 / scale;
    const x0 = Math.max(shown.x, b.x + ox / scale + inset);
    const y0 = Math.max(shown.y, b.y + oy / scale + inset);
    const x1 = Math.min(shown.x + shown.w, b.x + (ox + vw) / scale - inset);
    const y1 = Math.min(shown.y + shown.h, b.y + (oy + vh) / scale - inset);
    g.fillStyle = 'rgba(245, 124, 0, 0.15)';
    g.strokeStyle = '#f57c00';
    g.lineWidth = 2 / scale;
    g.fillRect(x0, y0, x1 - x0, y1 - y0);
    g.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }

  /**
   * Puts the map in the corner of the window (`size`, CSS px; `shown`: its part of the drawing,
   * user units) where it covers fewest boxes and nothing that must stay in sight, staying
   * where it is unless another covers fewer; false when every corner covers what must stay.
   */
  place(shown, size) {
    const vw = Math.min(this.base.w, SIZE);
    const vh = Math.min(this.base.h, SIZE);
    const k = size.w / shown.w;
    const kept = this.kept(size);
    const covered = (corner) => {
      const [dy, dx] = corner.split('-');
      const x0 = dx === 'left' ? MARGIN.left : size.w - MARGIN.right - vw;
      const y0 = dy === 'top' ? MARGIN.top : size.h - MARGIN.bottom - vh;
      const over = (r) =>
        r.x < x0 + vw + GAP && r.x + r.w > x0 - GAP && r.y < y0 + vh + GAP && r.y + r.h > y0 - GAP;
      if (kept.some(over)) return Infinity;
      let n = 0;
      for (const r of this.base.boxes) {
        const sx = (r.x - shown.x) * k;
        const sy = (r.y - shown.y) * k;
        if (sx < x0 + vw && sx + r.w * k > x0 && sy < y0 + vh && sy + r.h * k > y0) n++;
      }
      return n;
    };
    const now = this.canvas.dataset.corner;
    let best = now;
    let fewest = covered(now);
    for (const corner of CORNERS) {
      if (!fewest) break;
      const n = corner === now ? fewest : covered(corner);
      if (n < fewest) [best, fewest] = [corner, n];
    }
    this.canvas.dataset.corner = best;
    return fewest !== Infinity;
  }

  /** Centres the view on the drawing's point under the pointer. */
  moveTo(event, animate) {
    const rect = this.canvas.getBoundingClientRect();
    const b = this.viewport.bounds;
    const scale = this.base.scale;
    const cx = b.x + (event.clientX - rect.left + this.offset.x) / scale;
    const cy = b.y + (event.clientY - rect.top + this.offset.y) / scale;
    const view = {cx, cy, k: this.viewport.view.k};
    if (animate) this.viewport.go(view, true);
    else this.viewport.jump(view);
  }
}

/**
 * The map of drawing `svg` (bounds `b`): its open groups outlined and its boxes filled, on a
 * canvas of its own (drawn once; the view's outline goes over a copy of it), with its boxes'
 * rects (user units).
 */
function drawMap(svg, b) {
  const fit = Math.min(SIZE / b.w, SIZE / b.h);
  const wide = Math.min(MIN_SIDE / Math.min(b.w, b.h), MAX_LONG / Math.max(b.w, b.h));
  const scale = Math.max(fit, wide);
  const w = Math.max(1, Math.round(b.w * scale));
  const h = Math.max(1, Math.round(b.h * scale));
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio * scale, 0, 0, ratio * scale, -b.x * ratio * scale, -b.y * ratio * scale);
  g.lineWidth = 1 / scale;
  g.fillStyle = '#f7f8fc';
  g.strokeStyle = '#9fa8da';
  for (const frame of svg.querySelectorAll('g.cluster')) {
    const r = shapeRect(frame, svg);
    if (!r) continue;
    g.fillRect(r.x, r.y, r.w, r.h);
    g.strokeRect(r.x, r.y, r.w, r.h);
  }
  g.fillStyle = '#7986cb';
  const boxes = [];
  for (const node of svg.querySelectorAll('g.node')) {
    const r = shapeRect(node, svg);
    if (!r) continue;
    g.fillRect(r.x, r.y, r.w, r.h);
    boxes.push(r);
  }
  return {canvas, scale, w, h, boxes};
}
