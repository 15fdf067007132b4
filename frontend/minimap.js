// The overview of a drawing larger than the window (as map apps have): a small map of all of
// it in a corner, its boxes and open groups, the part the window shows outlined. Shown only
// while part of the drawing is off screen; a press or drag on it moves the view there.

import {shapeRect} from './viewport.js';

// The map's longer side, in CSS pixels.
const SIZE = 180;
// The drawing may run this far (px) past the window before the map shows.
const SLACK = 4;

export class Minimap {
  /** Adds the map to `ui.viewport`, for the drawing `viewport` (a Viewport) shows. */
  constructor(ui, viewport) {
    this.viewport = viewport;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'sg-minimap';
    this.canvas.hidden = true;
    this.canvas.dataset.noPan = '';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Overview of the whole graph');
    ui.viewport.append(this.canvas);
    this.svg = null; // the drawing mapped
    this.base = null; // the map of its boxes, {canvas, scale, w, h}, made when first shown
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
  }

  /** The map, with the window's part of the drawing (`shown`, user units) outlined. */
  paint(shown) {
    const {canvas: map, scale, w, h} = this.base;
    const b = this.viewport.bounds;
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    if (canvas.width !== map.width || canvas.height !== map.height) {
      canvas.width = map.width;
      canvas.height = map.height;
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
    }
    const g = canvas.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(map, 0, 0);
    g.setTransform(ratio * scale, 0, 0, ratio * scale, -b.x * ratio * scale, -b.y * ratio * scale);
    // Within the map, so that each of its sides shows.
    const inset = 1 / scale;
    const x0 = Math.max(shown.x, b.x + inset);
    const y0 = Math.max(shown.y, b.y + inset);
    const x1 = Math.min(shown.x + shown.w, b.x + b.w - inset);
    const y1 = Math.min(shown.y + shown.h, b.y + b.h - inset);
    g.fillStyle = 'rgba(245, 124, 0, 0.15)';
    g.strokeStyle = '#f57c00';
    g.lineWidth = 1.5 / scale;
    g.fillRect(x0, y0, x1 - x0, y1 - y0);
    g.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }

  /** Centres the view on the drawing's point under the pointer. */
  moveTo(event, animate) {
    const rect = this.canvas.getBoundingClientRect();
    const b = this.viewport.bounds;
    const scale = this.base.scale;
    const cx = b.x + (event.clientX - rect.left) / scale;
    const cy = b.y + (event.clientY - rect.top) / scale;
    const view = {cx, cy, k: this.viewport.view.k};
    if (animate) this.viewport.go(view, true);
    else this.viewport.jump(view);
  }
}

/**
 * The map of drawing `svg` (bounds `b`): its open groups outlined and its boxes filled, on a
 * canvas of its own (drawn once; the view's outline goes over a copy of it).
 */
function drawMap(svg, b) {
  const scale = Math.min(SIZE / b.w, SIZE / b.h);
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
  for (const node of svg.querySelectorAll('g.node')) {
    const r = shapeRect(node, svg);
    if (r) g.fillRect(r.x, r.y, r.w, r.h);
  }
  return {canvas, scale, w, h};
}
