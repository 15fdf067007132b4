// Pan and zoom of the graph's <svg>. While the view moves (drag, wheel, a glide) only a CSS
// transform changes, which the browser composites without repainting; once it rests for
// COMMIT_MS the view is committed to the svg's viewBox and the transform cleared, so the
// drawing is repainted sharp at the new scale. (Rewriting the viewBox on every frame costs
// 50-300 ms per frame on a 1,000-box view in Chromium; the transform keeps 60 fps.)
//
// The view is {cx, cy, k}: the user-space point at the centre of the viewport and pixels per
// user unit. A press that moves less than DRAG_SLOP pixels is a tap, reported with the element
// it started on; pointer capture is taken only once a drag starts, so taps keep their target.

import {shapeRect} from './shapes.js';

const DRAG_SLOP = 4;
const COMMIT_MS = 150;
const MAX_SCALE = 8;
const FIT_PADDING = 24;
// Graphviz writes points; 4/3 px per point is the drawing's natural size, and fitting never
// enlarges past it (a three-box graph should not fill the screen with giant text).
export const NATURAL_SCALE = 4 / 3;
// A label of n pt is 1.1 n px tall on screen at scale 1. Below this scale a fitted drawing's
// box labels (10 pt) are under 10 px and its edge labels (8 pt) under 8 px: a first look shows
// its top instead, at TOP_SCALE or more (box labels 11 px), with an overview of the whole
// drawing beside it (minimap.js).
export const READABLE_SCALE = 0.91;
const TOP_SCALE = 1;
// What floats over the drawing, in CSS px from each side of the window (style/viewport.css):
// the status line holds the bottom left (.sg-status: 10 px up, about 20 px tall), the zoom
// buttons the bottom right (.sg-zoom: 16 px in, 36 px wide). A fitted or revealed view leaves
// them this much room on their sides (FIT_PADDING at least), so no box sits under them.
export const CLEAR = {top: 16, left: 16, right: 60, bottom: 40};

const easeOut = (t) => 1 - Math.pow(1 - t, 3);

export class Viewport {
  /**
   * @param {HTMLElement} element  the box the graph fills; gets the pointer and wheel listeners
   * @param {{onTap?: Function, onChange?: Function, onDragStart?: Function}} hooks
   */
  constructor(element, hooks = {}) {
    this.element = element;
    this.hooks = hooks;
    this.svg = null;
    this.bounds = null;
    this.view = {cx: 0, cy: 0, k: 1};
    this._animation = 0;
    this._press = null;
    this._wheelFactor = 1;
    this._wheelAt = null;
    this._wheelFrame = 0;

    element.addEventListener('pointerdown', (e) => this._down(e));
    element.addEventListener('pointermove', (e) => this._move(e));
    element.addEventListener('pointerup', (e) => this._up(e));
    element.addEventListener('pointercancel', () => this._cancelPress());
    element.addEventListener('wheel', (e) => this._wheel(e), {passive: false});
    this._pending = null; // 'fit' or 'overview', to do once the element has a size
    // The element's size as last observed: reading clientWidth right after the drawing changed
    // would make the browser lay it out then and there.
    this._size = null;
    this._commits = new WeakMap(); // svg -> the view in its viewBox: {w, h, cx, cy, k, viewBox}
    this._fresh = null; // the svg just put in, not laid out yet
    this._resizes = new ResizeObserver(() => {
      this._size = {w: element.clientWidth || 1, h: element.clientHeight || 1};
      // TensorBoard hides an inactive tab's iframe (height 0): place the drawing once it has a
      // size again.
      if (this._pending === 'overview' && this._hasSize()) this.overview();
      else if (this._pending && this._hasSize()) this.fit(false);
      else this._apply();
    });
    this._resizes.observe(element);
    // The view a glide is heading for (null at rest): what floats over the drawing is placed
    // for where the view ends, not for each frame on the way.
    this.destination = null;
    // What must stay in sight on drawing `svg` (a found box and its group's title; user
    // units), {svg, rects}: the overview map keeps off it (minimap.js).
    this.keep = null;
  }

  /**
   * Shows `svg` (already in the document); its original viewBox is the drawing's bounds. A
   * drawing shown before (parked, still laid out) keeps the view committed to it, and the view
   * on screen is a transform of it until it rests: a new viewBox lays out every element again.
   */
  setSvg(svg, bounds) {
    this.svg = svg;
    this.bounds = bounds;
    const done = this._commits.get(svg);
    if (done && svg.getAttribute('viewBox') === done.viewBox) {
      this._apply();
    } else {
      // Not laid out yet: until the next frame, views are committed (the viewBox is free).
      this._fresh = svg;
      requestAnimationFrame(() => {
        if (this._fresh === svg) this._fresh = null;
      });
      this._commit();
    }
  }

  _hasSize() {
    const {w, h} = this.size();
    return w > 20 && h > 20;
  }

  /** Forgets the size last observed (the element was just put in the document). */
  measure() {
    this._size = null;
  }

  size() {
    if (!this._size)
      this._size = {w: this.element.clientWidth || 1, h: this.element.clientHeight || 1};
    return this._size;
  }

  get dragging() {
    return Boolean(this._press && this._press.dragging);
  }

  /** The drawing's scale range: from well below "fit" up to MAX_SCALE. */
  _limits() {
    const fit = this.bounds ? this.fitView(this.bounds, Infinity).k : 1;
    return {min: Math.min(fit * 0.5, 0.05), max: Math.max(MAX_SCALE, fit)};
  }

  _clampScale(k) {
    const {min, max} = this._limits();
    return Math.min(max, Math.max(min, k));
  }

  /** The view that shows `rect` ({x, y, w, h} in user units) whole, at most at maxScale. */
  fitView(rect, maxScale = NATURAL_SCALE) {
    const {w, h} = this.size();
    const m = this.margins();
    const fit = Math.min(
      (w - m.left - m.right) / Math.max(rect.w, 1),
      (h - m.top - m.bottom) / Math.max(rect.h, 1)
    );
    const k = Math.min(Math.max(fit, 1e-4), maxScale);
    // Centred in the part of the window inside the margins.
    return {
      cx: rect.x + rect.w / 2 + (m.right - m.left) / (2 * k),
      cy: rect.y + rect.h / 2 + (m.bottom - m.top) / (2 * k),
      k,
    };
  }

  /**
   * The margins (CSS px) a fitted or revealed view leaves on each side of the window:
   * FIT_PADDING, or the room of what floats there (CLEAR); never over an eighth of the window.
   */
  margins() {
    const {w, h} = this.size();
    const side = (clear, size) => Math.min(Math.max(FIT_PADDING, clear), size / 8);
    return {
      left: side(CLEAR.left, w),
      right: side(CLEAR.right, w),
      top: side(CLEAR.top, h),
      bottom: side(CLEAR.bottom, h),
    };
  }

  fit(animate = true) {
    if (!this.bounds) return;
    this._pending = this._hasSize() ? null : 'fit';
    if (this._pending) return;
    if (animate) this.go(this.fitView(this.bounds));
    else this.jump(this.fitView(this.bounds));
  }

  /**
   * The first look at a drawing: all of it when that is readable, else its top (where the
   * inputs are) at a readable size, as wide as fits, about its topmost box; F still fits
   * everything.
   */
  overview() {
    if (!this.bounds) return;
    if (!this._hasSize()) {
      this._pending = 'overview';
      return;
    }
    this._pending = null;
    const all = this.fitView(this.bounds);
    if (all.k >= READABLE_SCALE) {
      this.fit(false);
      return;
    }
    const b = this.bounds;
    const {w, h} = this.size();
    const m = this.margins();
    const k = Math.min(NATURAL_SCALE, Math.max(TOP_SCALE, (w - m.left - m.right) / b.w));
    const top = this.topBox();
    const cx = top ? top.x + top.w / 2 : b.x + b.w / 2;
    this.jump(this.contain({cx, cy: b.y + (h / 2 - m.top) / k, k}));
  }

  /** The box of the drawing's topmost box (user units), or null. */
  topBox() {
    let top = null;
    for (const node of this.svg.querySelectorAll('g.node')) {
      const r = shapeRect(node, this.svg);
      if (r && (!top || r.y < top.y)) top = r;
    }
    return top;
  }

  /**
   * Moves to `target` at once (no glide): a drawing not laid out yet gets it as its viewBox,
   * one laid out as a transform, committed once it rests.
   */
  jump(target) {
    cancelAnimationFrame(this._animation);
    this._pending = null;
    this.destination = null;
    this.view = {...target, k: this._clampScale(target.k)};
    this._apply();
  }

  /** Zooms by `factor` keeping the user point under screen point (sx, sy) in place. */
  zoomBy(factor, sx, sy, animate = false) {
    const {w, h} = this.size();
    if (sx == null) [sx, sy] = [w / 2, h / 2];
    const {cx, cy, k} = this.view;
    const k2 = this._clampScale(k * factor);
    const ux = cx + (sx - w / 2) / k;
    const uy = cy + (sy - h / 2) / k;
    this.go({cx: ux - (sx - w / 2) / k2, cy: uy - (sy - h / 2) / k2, k: k2}, animate);
  }

  /** Moves to `target` ({cx, cy, k}), gliding when `animate`. */
  go(target, animate = true) {
    cancelAnimationFrame(this._animation);
    this._pending = null;
    const to = {...target, k: this._clampScale(target.k)};
    const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.destination = null;
    if (!animate || reduced || !this.svg) {
      this.view = to;
      this._apply();
      return;
    }
    const from = {...this.view};
    const start = performance.now();
    const duration = 260;
    this.destination = to;
    const step = (now) => {
      const t = easeOut(Math.min(1, (now - start) / duration));
      // Scale moves geometrically so zooming feels even.
      this.view = {
        cx: from.cx + (to.cx - from.cx) * t,
        cy: from.cy + (to.cy - from.cy) * t,
        k: from.k * Math.pow(to.k / from.k, t),
      };
      if (t >= 1) this.destination = null;
      this._apply();
      if (t < 1) this._animation = requestAnimationFrame(step);
    };
    this._animation = requestAnimationFrame(step);
  }

  /**
   * Where the view eases to after a group opened or closed under the pointer (`rect`: its
   * frame or box in user units; `view`: the view that keeps it under the pointer at screen x
   * `sx`): the whole drawing when it reads whole (READABLE_SCALE or more, as a first view),
   * else reveal(rect). Never under READABLE_SCALE: a click leaves every label readable.
   */
  afterClick(rect, view, sx = null) {
    const all = this.bounds ? this.fitView(this.bounds) : null;
    if (all && all.k >= READABLE_SCALE) return all;
    return this.reveal(rect, view, sx);
  }

  /**
   * The view nearest `view` that shows `rect` (user units) whole at READABLE_SCALE or more,
   * keeping `view`'s scale if it fits at it, else zooming (about screen x `sx`, the pointer) to
   * fit it. A rect that does not read whole shows its top at TOP_SCALE, as a first view does
   * (the overview map shows the rest, minimap.js): across, the pointer's point stays where it
   * is unless that leaves an empty margin inside the rect. Then it pans out any empty margin
   * the drawing leaves while running off the other side (see contain()).
   */
  reveal(rect, view, sx = null) {
    const {w, h} = this.size();
    const m = this.margins();
    const fits = (scale) =>
      rect.w * scale <= w - m.left - m.right && rect.h * scale <= h - m.top - m.bottom;
    let k = Math.max(view.k, READABLE_SCALE);
    if (!fits(k)) k = this.fitView(rect, k).k;
    if (k < READABLE_SCALE) k = TOP_SCALE;
    const at = {...view, k};
    if (k !== view.k && sx != null) {
      // Zooming about the pointer keeps what is under it in place.
      const ux = view.cx + (sx - w / 2) / view.k;
      at.cx = ux - (sx - w / 2) / k;
    }
    const across = fits(k) ? shift : settle;
    at.cx += across(rect.x, rect.w, at.cx, k, w, m.left, m.right);
    at.cy += shift(rect.y, rect.h, at.cy, k, h, m.top, m.bottom);
    return this.contain(at);
  }

  /**
   * `view` moved just enough that the drawing leaves no empty margin past margins() on a side
   * while it runs off the other side, and lies wholly inside them where it fits.
   */
  contain(view) {
    if (!this.bounds) return view;
    const b = this.bounds;
    const {w, h} = this.size();
    const m = this.margins();
    return {
      ...view,
      cx: view.cx + settle(b.x, b.w, view.cx, view.k, w, m.left, m.right),
      cy: view.cy + settle(b.y, b.h, view.cy, view.k, h, m.top, m.bottom),
    };
  }

  /** The screen point (relative to the viewport) of user point (ux, uy). */
  toScreen(ux, uy) {
    const {w, h} = this.size();
    const {cx, cy, k} = this.view;
    return {x: (ux - cx) * k + w / 2, y: (uy - cy) * k + h / 2};
  }

  /** The view that puts user point (ux, uy) at screen point (sx, sy) at scale k. */
  viewPlacing(ux, uy, sx, sy, k = this.view.k) {
    const {w, h} = this.size();
    return {cx: ux - (sx - w / 2) / k, cy: uy - (sy - h / 2) / k, k};
  }

  /**
   * An element's box in the svg's user units (the original viewBox's coordinates). Read from
   * its shapes' attributes when it has any (a drawing just put in the document is then laid
   * out once, in the next frame, not here and again after the view moves), else measured.
   */
  userRect(element) {
    if (!this.svg) return null;
    const drawn = shapeRect(element, this.svg);
    if (drawn) return drawn;
    const box = element.getBBox();
    const toUser = this.svg.getScreenCTM().inverse().multiply(element.getScreenCTM());
    const corners = [
      [box.x, box.y],
      [box.x + box.width, box.y],
      [box.x, box.y + box.height],
      [box.x + box.width, box.y + box.height],
    ].map(([x, y]) => new DOMPoint(x, y).matrixTransform(toUser));
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return {x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y};
  }

  /** Shows this.view: as a transform of the committed drawing, committed once at rest. */
  _apply() {
    if (!this.svg) return;
    const {w, h} = this.size();
    const done = this._commits.get(this.svg);
    const stale = !done || done.w !== w || done.h !== h;
    if (stale || this._fresh === this.svg) {
      this._commit();
      return;
    }
    // The committed drawing maps user point u to (u - done.c) * done.k + size / 2; the
    // transform p -> s * p + t moves that to where this.view puts u.
    const {cx, cy, k} = this.view;
    const s = k / done.k;
    const tx = (w / 2) * (1 - s) + (done.cx - cx) * k;
    const ty = (h / 2) * (1 - s) + (done.cy - cy) * k;
    this.svg.style.transform = `translate(${tx}px, ${ty}px) scale(${s})`;
    clearTimeout(this._commitTimer);
    this._commitTimer = setTimeout(() => this._commit(), COMMIT_MS);
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }

  _commit() {
    clearTimeout(this._commitTimer);
    if (!this.svg) return;
    const {w, h} = this.size();
    const {cx, cy, k} = this.view;
    const vw = w / k;
    const vh = h / k;
    const viewBox = `${cx - vw / 2} ${cy - vh / 2} ${vw} ${vh}`;
    this.svg.setAttribute('viewBox', viewBox);
    this.svg.style.transform = '';
    this._commits.set(this.svg, {w, h, cx, cy, k, viewBox});
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }

  _down(event) {
    if (event.button !== 0 || !event.isPrimary) return;
    if (event.target.closest('[data-no-pan]')) return;
    cancelAnimationFrame(this._animation);
    this.destination = null;
    this._press = {
      x: event.clientX,
      y: event.clientY,
      id: event.pointerId,
      target: event.target,
      view: {...this.view},
      dragging: false,
    };
  }

  _move(event) {
    const press = this._press;
    if (!press || event.pointerId !== press.id) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.dragging) {
      if (Math.hypot(dx, dy) < DRAG_SLOP) return;
      press.dragging = true;
      this.element.setPointerCapture(press.id);
      this.element.classList.add('sg-dragging');
      if (this.hooks.onDragStart) this.hooks.onDragStart();
    }
    const {k} = this.view;
    this.view = {cx: press.view.cx - dx / k, cy: press.view.cy - dy / k, k};
    this._apply();
  }

  _up(event) {
    const press = this._press;
    if (!press || event.pointerId !== press.id) return;
    this._cancelPress();
    if (!press.dragging && this.hooks.onTap) this.hooks.onTap(press.target, event);
  }

  _cancelPress() {
    if (this._press && this._press.dragging) {
      this.element.classList.remove('sg-dragging');
      if (this.element.hasPointerCapture(this._press.id)) {
        this.element.releasePointerCapture(this._press.id);
      }
    }
    this._press = null;
  }

  _wheel(event) {
    // Over a control or a pinned card the wheel scrolls that, not the drawing.
    if (!this.svg || event.target.closest('[data-no-pan]')) return;
    event.preventDefault();
    cancelAnimationFrame(this._animation);
    this.destination = null;
    // Lines and pages to pixels; a pinch (ctrlKey) sends small deltas, so it counts more.
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.size().h : 1;
    const rate = event.ctrlKey ? 0.01 : 0.0022;
    this._wheelFactor *= Math.exp(-event.deltaY * unit * rate);
    const rect = this.element.getBoundingClientRect();
    this._wheelAt = [event.clientX - rect.left, event.clientY - rect.top];
    if (!this._wheelFrame) {
      this._wheelFrame = requestAnimationFrame(() => {
        this._wheelFrame = 0;
        const factor = this._wheelFactor;
        this._wheelFactor = 1;
        this.zoomBy(factor, ...this._wheelAt);
      });
    }
  }
}

/**
 * On one axis (start `x`, length `len` in user units; view centre `c`, scale `k`, window
 * `size`, margins `lo` before and `hi` after): how far the view moves to bring the span inside
 * the window, its start first when it is longer than the window.
 */
function shift(x, len, c, k, size, lo, hi) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (start < lo || len * k > size - lo - hi) return (start - lo) / k;
  if (end > size - hi) return (end - (size - hi)) / k;
  return 0;
}

/**
 * On one axis, as shift(), for the whole drawing: a drawing that fits is brought inside; one
 * longer than the window only loses an empty margin on either end (never cut more).
 */
function settle(x, len, c, k, size, lo, hi) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (len * k <= size - lo - hi) {
    if (start < lo) return (start - lo) / k;
    if (end > size - hi) return (end - (size - hi)) / k;
    return 0;
  }
  if (start > lo) return (start - lo) / k;
  if (end < size - hi) return (end - (size - hi)) / k;
  return 0;
}
