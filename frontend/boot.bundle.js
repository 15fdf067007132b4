// location.js
var STORAGE_KEY = "tb-scopegraph.views.v1";
var MAX_REMEMBERED = 50;
function parseFragment(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const run = params.get("run");
  const baseRun = params.get("base_run");
  const baseStep = params.get("base_step");
  const depth = params.get("depth");
  const open = params.getAll("open");
  return {
    runFilter: params.get("run_filter"),
    graph: run == null ? null : { run, kind: params.get("kind") || "", tag: params.get("tag") || "" },
    open: open.length ? open : depth === "0" ? [] : null,
    depth: depth != null && /^\d+$/.test(depth) && depth !== "0" ? Number(depth) : null,
    base: baseRun == null ? null : {
      run: baseRun,
      kind: params.get("base_kind") || "",
      tag: params.get("base_tag") || "",
      step: baseStep != null && /^\d+$/.test(baseStep) ? Number(baseStep) : null
    }
  };
}
function formatFragment(graph, open, base = null, runFilter = "") {
  const params = new URLSearchParams();
  if (runFilter) params.set("run_filter", runFilter);
  params.set("run", graph.run);
  if (graph.kind) params.set("kind", graph.kind);
  if (graph.tag) params.set("tag", graph.tag);
  if (open && open.length) for (const key of [...open].sort()) params.append("open", key);
  else if (open) params.set("depth", "0");
  if (base) {
    params.set("base_run", base.run);
    if (base.kind) params.set("base_kind", base.kind);
    if (base.tag) params.set("base_tag", base.tag);
    if (base.step != null) params.set("base_step", String(base.step));
  }
  return params.toString();
}
var TB_KEY = "scopegraph";
function tbStorage() {
  try {
    const storage = window.parent !== window && window.parent.tensorboard?.tf_storage;
    return storage && typeof storage.getString === "function" ? storage : null;
  } catch {
    return null;
  }
}
function readLocation() {
  const own = parseFragment(window.location.hash);
  if (own.graph) return own;
  const storage = tbStorage();
  try {
    const value = storage && storage.getString(TB_KEY);
    if (value) return parseFragment(value);
  } catch {
  }
  return own;
}
function writeLocation(graph, open, base = null, runFilter = "") {
  const fragment = formatFragment(graph, open, base, runFilter);
  if (window.location.hash !== "#" + fragment) {
    const url = new URL(window.location.href);
    url.hash = fragment;
    window.history.replaceState(window.history.state, "", url.toString());
  }
  const storage = tbStorage();
  try {
    if (storage && storage.getString(TB_KEY) !== fragment) {
      storage.setString(TB_KEY, fragment, { useLocationReplace: true });
    }
  } catch {
  }
}
function tensorboardRunFilter() {
  try {
    if (window.parent === window) return "";
    return new URLSearchParams(window.parent.location.search).get("runFilter") || "";
  } catch {
    return "";
  }
}
function graphKey(graph) {
  return JSON.stringify([graph.run, graph.kind, graph.tag]);
}
function load() {
  try {
    const data = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}");
    return data && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
}
function save(data) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
  } catch {
  }
}
function firstVisit() {
  return !readLocation().graph && !rememberedGraph();
}
function rememberedGraph() {
  const last = load().last;
  return last && typeof last.run === "string" ? last : null;
}
function rememberedOpen(graph) {
  const entry = (load().views || {})[graphKey(graph)];
  return entry && Array.isArray(entry.open) ? entry.open : null;
}
function remember(graph, open) {
  const data = load();
  const views = data.views && typeof data.views === "object" ? data.views : {};
  views[graphKey(graph)] = { open: [...open].sort(), t: Date.now() };
  const keys = Object.keys(views);
  if (keys.length > MAX_REMEMBERED) {
    keys.sort((a, b) => (views[a].t || 0) - (views[b].t || 0));
    for (const key of keys.slice(0, keys.length - MAX_REMEMBERED)) delete views[key];
  }
  save({ last: { run: graph.run, kind: graph.kind, tag: graph.tag }, views });
}

// theme.js
function tensorBoardBody() {
  try {
    if (window.parent !== window && window.parent.document.querySelector("tb-webapp, tf-tensorboard")) {
      return window.parent.document.body;
    }
  } catch {
  }
  return null;
}
var media = () => window.matchMedia("(prefers-color-scheme: dark)");
function applyTheme(body = tensorBoardBody()) {
  const dark = body ? body.classList.contains("dark-mode") : media().matches;
  document.documentElement.classList.toggle("sg-dark", dark);
}
function followTheme() {
  const body = tensorBoardBody();
  const apply = () => applyTheme(body);
  if (body) {
    new MutationObserver(apply).observe(body, { attributes: true, attributeFilter: ["class"] });
  }
  media().addEventListener("change", apply);
  apply();
}

// viewport.js
var DRAG_SLOP = 4;
var COMMIT_MS = 150;
var MAX_SCALE = 8;
var FIT_PADDING = 24;
var NATURAL_SCALE = 4 / 3;
var READABLE_SCALE = 0.91;
var TOP_SCALE = 1;
var REVEAL_SCALE = 0.8;
var easeOut = (t) => 1 - Math.pow(1 - t, 3);
var Viewport = class {
  /**
   * @param {HTMLElement} element  the box the graph fills; gets the pointer and wheel listeners
   * @param {{onTap?: Function, onChange?: Function, onDragStart?: Function}} hooks
   */
  constructor(element, hooks = {}) {
    this.element = element;
    this.hooks = hooks;
    this.svg = null;
    this.bounds = null;
    this.view = { cx: 0, cy: 0, k: 1 };
    this._animation = 0;
    this._press = null;
    this._wheelFactor = 1;
    this._wheelAt = null;
    this._wheelFrame = 0;
    this._listening = new AbortController();
    const signal = this._listening.signal;
    element.addEventListener("pointerdown", (e) => this._down(e), { signal });
    element.addEventListener("pointermove", (e) => this._move(e), { signal });
    element.addEventListener("pointerup", (e) => this._up(e), { signal });
    element.addEventListener("pointercancel", () => this._cancelPress(), { signal });
    element.addEventListener("wheel", (e) => this._wheel(e), { passive: false, signal });
    this._pending = null;
    this._size = null;
    this._commits = /* @__PURE__ */ new WeakMap();
    this._fresh = null;
    this._resizes = new ResizeObserver(() => {
      this._size = { w: element.clientWidth || 1, h: element.clientHeight || 1 };
      if (this._pending === "overview" && this._hasSize()) this.overview();
      else if (this._pending && this._hasSize()) this.fit(false);
      else this._apply();
    });
    this._resizes.observe(element);
  }
  /** Stops following the element (another Viewport takes it over), its drawing left as it is. */
  release() {
    this._listening.abort();
    this._resizes.disconnect();
    cancelAnimationFrame(this._animation);
    clearTimeout(this._commitTimer);
    this._cancelPress();
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
    if (done && svg.getAttribute("viewBox") === done.viewBox) {
      this._apply();
    } else {
      this._fresh = svg;
      requestAnimationFrame(() => {
        if (this._fresh === svg) this._fresh = null;
      });
      this._commit();
    }
  }
  _hasSize() {
    const { w, h: h2 } = this.size();
    return w > 20 && h2 > 20;
  }
  /** Forgets the size last observed (the element was just put in the document). */
  measure() {
    this._size = null;
  }
  size() {
    if (!this._size)
      this._size = { w: this.element.clientWidth || 1, h: this.element.clientHeight || 1 };
    return this._size;
  }
  get dragging() {
    return Boolean(this._press && this._press.dragging);
  }
  /** The drawing's scale range: from well below "fit" up to MAX_SCALE. */
  _limits() {
    const fit = this.bounds ? this.fitView(this.bounds, Infinity).k : 1;
    return { min: Math.min(fit * 0.5, 0.05), max: Math.max(MAX_SCALE, fit) };
  }
  _clampScale(k) {
    const { min, max } = this._limits();
    return Math.min(max, Math.max(min, k));
  }
  /** The view that shows `rect` ({x, y, w, h} in user units) whole, at most at maxScale. */
  fitView(rect, maxScale = NATURAL_SCALE) {
    const { w, h: h2 } = this.size();
    const pad = Math.min(FIT_PADDING, w / 8, h2 / 8);
    const k = Math.min((w - 2 * pad) / Math.max(rect.w, 1), (h2 - 2 * pad) / Math.max(rect.h, 1));
    return {
      cx: rect.x + rect.w / 2,
      cy: rect.y + rect.h / 2,
      k: Math.min(Math.max(k, 1e-4), maxScale)
    };
  }
  fit(animate = true) {
    if (!this.bounds) return;
    this._pending = this._hasSize() ? null : "fit";
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
      this._pending = "overview";
      return;
    }
    this._pending = null;
    const all = this.fitView(this.bounds);
    if (all.k >= READABLE_SCALE) {
      this.fit(false);
      return;
    }
    const b = this.bounds;
    const { w, h: h2 } = this.size();
    const k = Math.min(NATURAL_SCALE, Math.max(TOP_SCALE, (w - 2 * FIT_PADDING) / b.w));
    const top = this.topBox();
    const cx = top ? top.x + top.w / 2 : b.x + b.w / 2;
    this.jump(this.contain({ cx, cy: b.y + (h2 / 2 - FIT_PADDING) / k, k }));
  }
  /** The box of the drawing's topmost box (user units), or null. */
  topBox() {
    let top = null;
    for (const node of this.svg.querySelectorAll("g.node")) {
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
    this.view = { ...target, k: this._clampScale(target.k) };
    this._apply();
  }
  /** Zooms by `factor` keeping the user point under screen point (sx, sy) in place. */
  zoomBy(factor, sx, sy, animate = false) {
    const { w, h: h2 } = this.size();
    if (sx == null) [sx, sy] = [w / 2, h2 / 2];
    const { cx, cy, k } = this.view;
    const k2 = this._clampScale(k * factor);
    const ux = cx + (sx - w / 2) / k;
    const uy = cy + (sy - h2 / 2) / k;
    this.go({ cx: ux - (sx - w / 2) / k2, cy: uy - (sy - h2 / 2) / k2, k: k2 }, animate);
  }
  /** Moves to `target` ({cx, cy, k}), gliding when `animate`. */
  go(target, animate = true) {
    cancelAnimationFrame(this._animation);
    this._pending = null;
    const to = { ...target, k: this._clampScale(target.k) };
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!animate || reduced || !this.svg) {
      this.view = to;
      this._apply();
      return;
    }
    const from = { ...this.view };
    const start = performance.now();
    const duration = 260;
    const step = (now) => {
      const t = easeOut(Math.min(1, (now - start) / duration));
      this.view = {
        cx: from.cx + (to.cx - from.cx) * t,
        cy: from.cy + (to.cy - from.cy) * t,
        k: from.k * Math.pow(to.k / from.k, t)
      };
      this._apply();
      if (t < 1) this._animation = requestAnimationFrame(step);
    };
    this._animation = requestAnimationFrame(step);
  }
  /**
   * Where the view eases to after a group opened or closed under the pointer (`rect`: its
   * frame or box in user units; `view`: the view that keeps it under the pointer at screen x
   * `sx`): the whole drawing when it fits at a readable scale (REVEAL_SCALE or more), else
   * reveal(rect).
   */
  afterClick(rect, view, sx = null) {
    const all = this.bounds ? this.fitView(this.bounds) : null;
    if (all && all.k >= REVEAL_SCALE) return all;
    return this.reveal(rect, view, sx);
  }
  /**
   * The view nearest `view` that shows `rect` (user units) whole, keeping `view`'s scale if it
   * fits at it, else zooming (about screen x `sx`, the pointer) to fit it but no further out
   * than REVEAL_SCALE: a rect too big for that shows its top left at REVEAL_SCALE. Then it pans
   * out any empty margin the drawing leaves while running off the other side (see contain()).
   */
  reveal(rect, view, sx = null) {
    const { w, h: h2 } = this.size();
    const pad = Math.min(FIT_PADDING, w / 8, h2 / 8);
    let k = view.k;
    const fits = (scale) => rect.w * scale <= w - 2 * pad && rect.h * scale <= h2 - 2 * pad;
    if (!fits(k)) k = Math.max(REVEAL_SCALE, this.fitView(rect, Math.max(k, REVEAL_SCALE)).k);
    const at = { ...view, k };
    if (k !== view.k && sx != null) {
      const ux = view.cx + (sx - w / 2) / view.k;
      at.cx = ux - (sx - w / 2) / k;
    }
    at.cx += shift(rect.x, rect.w, at.cx, k, w, pad);
    at.cy += shift(rect.y, rect.h, at.cy, k, h2, pad);
    return this.contain(at);
  }
  /**
   * `view` moved just enough that the drawing leaves no empty margin past FIT_PADDING on a side
   * while it runs off the other side, and lies wholly inside the window where it fits.
   */
  contain(view) {
    if (!this.bounds) return view;
    const b = this.bounds;
    const { w, h: h2 } = this.size();
    const pad = Math.min(FIT_PADDING, w / 8, h2 / 8);
    return {
      ...view,
      cx: view.cx + settle(b.x, b.w, view.cx, view.k, w, pad),
      cy: view.cy + settle(b.y, b.h, view.cy, view.k, h2, pad)
    };
  }
  /** The screen point (relative to the viewport) of user point (ux, uy). */
  toScreen(ux, uy) {
    const { w, h: h2 } = this.size();
    const { cx, cy, k } = this.view;
    return { x: (ux - cx) * k + w / 2, y: (uy - cy) * k + h2 / 2 };
  }
  /** The view that puts user point (ux, uy) at screen point (sx, sy) at scale k. */
  viewPlacing(ux, uy, sx, sy, k = this.view.k) {
    const { w, h: h2 } = this.size();
    return { cx: ux - (sx - w / 2) / k, cy: uy - (sy - h2 / 2) / k, k };
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
      [box.x + box.width, box.y + box.height]
    ].map(([x2, y2]) => new DOMPoint(x2, y2).matrixTransform(toUser));
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
  }
  /** Shows this.view: as a transform of the committed drawing, committed once at rest. */
  _apply() {
    if (!this.svg) return;
    const { w, h: h2 } = this.size();
    const done = this._commits.get(this.svg);
    const stale = !done || done.w !== w || done.h !== h2;
    if (stale || this._fresh === this.svg) {
      this._commit();
      return;
    }
    const { cx, cy, k } = this.view;
    const s = k / done.k;
    const tx = w / 2 * (1 - s) + (done.cx - cx) * k;
    const ty = h2 / 2 * (1 - s) + (done.cy - cy) * k;
    this.svg.style.transform = `translate(${tx}px, ${ty}px) scale(${s})`;
    clearTimeout(this._commitTimer);
    this._commitTimer = setTimeout(() => this._commit(), COMMIT_MS);
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }
  _commit() {
    clearTimeout(this._commitTimer);
    if (!this.svg) return;
    const { w, h: h2 } = this.size();
    const { cx, cy, k } = this.view;
    const vw = w / k;
    const vh = h2 / k;
    const viewBox = `${cx - vw / 2} ${cy - vh / 2} ${vw} ${vh}`;
    this.svg.setAttribute("viewBox", viewBox);
    this.svg.style.transform = "";
    this._commits.set(this.svg, { w, h: h2, cx, cy, k, viewBox });
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }
  _down(event) {
    if (event.button !== 0 || !event.isPrimary) return;
    if (event.target.closest("[data-no-pan]")) return;
    cancelAnimationFrame(this._animation);
    this._press = {
      x: event.clientX,
      y: event.clientY,
      id: event.pointerId,
      target: event.target,
      view: { ...this.view },
      dragging: false
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
      this.element.classList.add("sg-dragging");
      if (this.hooks.onDragStart) this.hooks.onDragStart();
    }
    const { k } = this.view;
    this.view = { cx: press.view.cx - dx / k, cy: press.view.cy - dy / k, k };
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
      this.element.classList.remove("sg-dragging");
      if (this.element.hasPointerCapture(this._press.id)) {
        this.element.releasePointerCapture(this._press.id);
      }
    }
    this._press = null;
  }
  _wheel(event) {
    if (!this.svg || event.target.closest("[data-no-pan]")) return;
    event.preventDefault();
    cancelAnimationFrame(this._animation);
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.size().h : 1;
    const rate = event.ctrlKey ? 0.01 : 22e-4;
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
};
function shift(x, len, c, k, size, pad) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (start < pad || len * k > size - 2 * pad) return (start - pad) / k;
  if (end > size - pad) return (end - (size - pad)) / k;
  return 0;
}
function settle(x, len, c, k, size, pad) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (len * k <= size - 2 * pad) {
    if (start < pad) return (start - pad) / k;
    if (end > size - pad) return (end - (size - pad)) / k;
    return 0;
  }
  if (start > pad) return (start - pad) / k;
  if (end < size - pad) return (end - (size - pad)) / k;
  return 0;
}
var PLAIN_PATH = /^[\sMLC\d.,eE+-]*$/;
var NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/g;
function shapeRect(element, svg) {
  const shapes = element.matches("path, polygon, polyline, ellipse, circle, rect") ? [element] : element.querySelectorAll("path, polygon, polyline, ellipse, circle, rect");
  if (!shapes.length) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const shape of shapes) {
    const m = matrixTo(shape, svg);
    const points = shapePoints(shape);
    if (!m || !points) return null;
    for (const [x, y] of points) {
      const px = m.a * x + m.c * y + m.e;
      const py = m.b * x + m.d * y + m.f;
      x0 = Math.min(x0, px);
      y0 = Math.min(y0, py);
      x1 = Math.max(x1, px);
      y1 = Math.max(y1, py);
    }
  }
  if (![x0, y0, x1, y1].every(Number.isFinite)) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}
function labelPoint(element, svg) {
  const lines = element.querySelectorAll(":scope > text, :scope > a > text");
  const m = lines.length ? matrixTo(lines[0], svg) : null;
  if (!m) return null;
  const first = lines[0];
  let x = Number(first.getAttribute("x"));
  const ys = [...lines].map((line) => Number(line.getAttribute("y")));
  const fontSize = Number(first.getAttribute("font-size")) || 10;
  const y = (Math.min(...ys) + Math.max(...ys)) / 2 - fontSize / 3;
  if (first.getAttribute("text-anchor") === "start") x += fontSize;
  if (![x, y].every(Number.isFinite)) return null;
  return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
}
function shapePoints(shape) {
  const number = (name) => shape[name].baseVal.value;
  switch (shape.localName) {
    case "polygon":
    case "polyline":
      return [...shape.points].map((p) => [p.x, p.y]);
    case "ellipse":
    case "circle": {
      const rx = shape.localName === "circle" ? number("r") : number("rx");
      const ry = shape.localName === "circle" ? number("r") : number("ry");
      const cx = number("cx");
      const cy = number("cy");
      return [
        [cx - rx, cy - ry],
        [cx + rx, cy + ry]
      ];
    }
    case "rect": {
      const x = number("x");
      const y = number("y");
      return [
        [x, y],
        [x + number("width"), y + number("height")]
      ];
    }
    case "path": {
      const d = shape.getAttribute("d") || "";
      if (!PLAIN_PATH.test(d)) return null;
      const numbers = (d.match(NUMBER) || []).map(Number);
      if (numbers.length < 2 || numbers.length % 2) return null;
      const points = [];
      for (let i = 0; i < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]]);
      return points;
    }
    default:
      return null;
  }
}
function matrixTo(element, svg) {
  let m = new DOMMatrix();
  let node = element;
  for (; node && node !== svg; node = node.parentNode) {
    if (!node.transform) return null;
    const list = node.transform.baseVal;
    for (let i = list.numberOfItems - 1; i >= 0; i--) {
      m = DOMMatrix.fromMatrix(list.getItem(i).matrix).multiply(m);
    }
  }
  return node === svg ? m : null;
}

// svgimport.js
var SVG_NS = "http://www.w3.org/2000/svg";
var XLINK_NS = "http://www.w3.org/1999/xlink";
var ACTIVE_ELEMENTS = "script, foreignObject, iframe, object, embed, style, animate, animateMotion, animateTransform, set";
var MAYBE_ACTIVE_ATTRIBUTE = /\son[^\s=>/]*\s*=|href/i;
function importGraphSvg(text) {
  const parsed = new DOMParser().parseFromString(text, "text/html");
  const root = parsed.body.firstElementChild;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg") {
    throw new Error("The server sent a drawing this page cannot read.");
  }
  for (const element of [...root.querySelectorAll("*")]) {
    if (element.namespaceURI !== SVG_NS) element.remove();
  }
  for (const element of [...root.querySelectorAll(ACTIVE_ELEMENTS)]) element.remove();
  for (const edge of root.querySelectorAll("g.edge")) {
    const title = edge.querySelector(":scope > title");
    if (title) edge.setAttribute("data-sg-ends", title.textContent);
  }
  for (const title of [...root.getElementsByTagName("title")]) title.remove();
  if (MAYBE_ACTIVE_ATTRIBUTE.test(text)) {
    for (const element of [root, ...root.querySelectorAll("*")]) {
      for (const attr of [...element.attributes]) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on")) element.removeAttributeNode(attr);
        else if (attr.localName === "href" && !attr.value.startsWith("#"))
          element.removeAttributeNode(attr);
      }
    }
  }
  for (const element of [...root.querySelectorAll("[*|title]")]) {
    const tip = element.getAttributeNS(XLINK_NS, "title");
    if (tip == null) continue;
    const owner = element.closest("g.node, g.edge, g.cluster");
    if (owner && !owner.hasAttribute("data-sg-tip")) owner.setAttribute("data-sg-tip", tip);
    const legend2 = owner ? null : element.closest('g[id^="a_sg-legend-"]');
    if (legend2) legend2.setAttribute("data-sg-legend", tip);
    element.removeAttributeNS(XLINK_NS, "title");
    const wrapper = element.parentNode;
    if (owner && element.localName === "a" && wrapper.parentNode === owner) {
      if (wrapper.localName === "g" && wrapper.childElementCount === 1) {
        wrapper.replaceWith(...element.childNodes);
      }
    }
  }
  let [x, y, w, hgt] = (root.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  let bounds = [x, y, w, hgt].every(Number.isFinite) ? { x, y, w, h: hgt } : {
    x: 0,
    y: 0,
    w: parseFloat(root.getAttribute("width")) || 100,
    h: parseFloat(root.getAttribute("height")) || 100
  };
  const legend = drawnLegend(root);
  if (legend.length) {
    for (const element of legend) element.classList.add("sg-legend-drawn");
    bounds = contentRect(root, legend) || bounds;
  }
  const svg = document.adoptNode(root);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("class", "sg-drawing sg-graph");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  svg.setAttribute("role", "img");
  return { svg, bounds };
}
var HEX_FILL = /^#[0-9a-f]{6}$/i;
function drawnLegend(svg) {
  const graph = svg.querySelector("g.graph");
  if (!graph) return [];
  const parts = [...graph.children].filter(
    (child) => child.localName === "text" || child.localName === "polygon" && HEX_FILL.test(child.getAttribute("fill") || "") || child.localName === "g" && child.id.startsWith("a_sg-legend-")
  );
  return parts.some((part) => part.localName !== "text") ? parts : [];
}
function contentRect(svg, legend) {
  const skip = new Set(legend);
  let box = null;
  for (const part of svg.querySelectorAll("g.graph > g")) {
    if (skip.has(part)) continue;
    const r = shapeRect(part, svg);
    if (!r) continue;
    if (!box) box = { ...r };
    else {
      const x1 = Math.max(box.x + box.w, r.x + r.w);
      const y1 = Math.max(box.y + box.h, r.y + r.h);
      box.x = Math.min(box.x, r.x);
      box.y = Math.min(box.y, r.y);
      box.w = x1 - box.x;
      box.h = y1 - box.y;
    }
  }
  if (!box) return null;
  const pad = 4;
  return { x: box.x - pad, y: box.y - pad, w: box.w + 2 * pad, h: box.h + 2 * pad };
}
function legendEntries(svg) {
  const entries = [];
  let swatch = null;
  for (const part of svg.querySelectorAll(".sg-legend-drawn")) {
    if (part.localName !== "text") {
      const shape = part.localName === "polygon" ? part : part.querySelector("polygon, path");
      const fill = shape && shape.getAttribute("fill") || "";
      swatch = { fill, text: part.dataset ? part.dataset.sgLegend : null };
    } else if (swatch) {
      entries.push({ fill: swatch.fill, text: swatch.text || part.textContent });
      swatch = null;
    } else if (!entries.length) {
      entries.push({ title: part.textContent });
    }
  }
  return entries.some((entry) => entry.fill != null) ? entries : [];
}
function addEdgeHitAreas(svg) {
  if (svg.dataset.sgHitAreas) return;
  svg.dataset.sgHitAreas = "1";
  for (const path of svg.querySelectorAll("g.edge path")) {
    const hit = path.cloneNode(false);
    hit.setAttribute("class", "sg-edge-hit");
    hit.setAttribute("stroke", "transparent");
    hit.setAttribute("stroke-width", "8");
    hit.setAttribute("fill", "none");
    hit.removeAttribute("stroke-dasharray");
    path.after(hit);
  }
}

// views.js
var SVG_NS2 = "http://www.w3.org/2000/svg";
var ICONS = {
  add: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z",
  remove: "M19 13H5v-2h14v2z",
  fit: "M15 3l2.3 2.3-2.89 2.87 1.42 1.42L18.7 6.7 21 9V3zM3 9l2.3-2.3 2.87 2.89 1.42-1.42L6.7 5.3 9 3H3zm6 12l-2.3-2.3 2.89-2.87-1.42-1.42L5.3 17.3 3 15v6zm12-6l-2.3 2.3-2.87-2.89-1.42 1.42 2.89 2.87L15 21h6z",
  search: "M15.5 14h-.79l-.28-.27C15.41 12.59 16 11.11 16 9.5 16 5.91 13.09 3 9.5 3S3 5.91 3 9.5 5.91 16 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z",
  close: "M19 6.41L17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  download: "M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2H5z",
  unfoldLess: "M7.41 18.59L8.83 20 12 16.83 15.17 20l1.41-1.41L12 14l-4.59 4.59zm9.18-13.18L15.17 4 12 7.17 8.83 4 7.41 5.41 12 10l4.59-4.59z",
  unfoldMore: "M12 5.83L15.17 9l1.41-1.41L12 3 7.41 7.59 8.83 9 12 5.83zm0 12.34L8.83 15l-1.41 1.41L12 21l4.59-4.59L15.17 15 12 18.17z",
  error: "M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-2h2v2zm0-4h-2V7h2v6z",
  graph: "M17 16l-4-4V8.82C14.16 8.4 15 7.3 15 6c0-1.66-1.34-3-3-3S9 4.34 9 6c0 1.3.84 2.4 2 2.82V12l-4 4H3v5h5v-3.05l4-4.2 4 4.2V21h5v-5h-4z",
  timer: "M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61l1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42C16.07 4.74 14.12 4 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z"
};
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}
function icon(name) {
  const svg = document.createElementNS(SVG_NS2, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "sg-icon");
  const path = document.createElementNS(SVG_NS2, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}
function iconButton(name, title, props = {}) {
  return h(
    "button",
    { type: "button", class: "sg-icon-button", title, "aria-label": title, ...props },
    icon(name)
  );
}
function section(title, ...children) {
  return h(
    "section",
    { class: "sg-section" },
    h("h3", { class: "sg-section-title", text: title }),
    ...children
  );
}
var COLOURINGS = [
  ["", "No colours"],
  ["op", "Op type"],
  ["device", "Device"],
  ["compute", "Compute time (profile)"],
  ["memory", "Memory (profile)"],
  ["structure", "Structure (identical blocks)"]
];
function buildShell() {
  const ui = {};
  ui.runFilter = h("input", {
    class: "sg-select sg-run-filter",
    type: "search",
    placeholder: "Filter runs (regex)",
    "aria-label": "Filter runs by regular expression or text",
    id: "sg-run-filter",
    autocomplete: "off",
    spellcheck: "false"
  });
  ui.runFilterStatus = h("div", { class: "sg-graph-info sg-run-filter-status", role: "status" });
  ui.runSelect = h("select", { class: "sg-select", "aria-label": "Run", id: "sg-run" });
  ui.graphSelect = h("select", { class: "sg-select", "aria-label": "Graph", id: "sg-graph" });
  ui.searchInput = h("input", {
    class: "sg-search-input",
    type: "search",
    placeholder: "Search nodes",
    "aria-label": "Search nodes by name",
    autocomplete: "off",
    spellcheck: "false"
  });
  ui.regexToggle = h("button", {
    type: "button",
    class: "sg-regex-toggle",
    title: "Regular expression",
    "aria-pressed": "false",
    text: ".*"
  });
  ui.searchResults = h("ul", {
    class: "sg-results",
    role: "listbox",
    "aria-label": "Search results"
  });
  ui.searchStatus = h("div", { class: "sg-results-status", role: "status" });
  ui.depthInput = h("input", {
    class: "sg-depth-input",
    type: "number",
    min: "0",
    max: "20",
    value: "1",
    "aria-label": "Depth to open to"
  });
  ui.depthButton = h(
    "button",
    { type: "button", class: "sg-button" },
    icon("unfoldMore"),
    "Open to depth"
  );
  ui.closeAllButton = h(
    "button",
    { type: "button", class: "sg-button" },
    icon("unfoldLess"),
    "Close all"
  );
  ui.colourSelect = h("select", { class: "sg-select", "aria-label": "Colour by", id: "sg-colour" });
  for (const [value, label] of COLOURINGS) {
    ui.colourSelect.append(h("option", { value, text: label }));
  }
  ui.traceDepth = h("input", {
    class: "sg-depth-input sg-trace-depth",
    type: "number",
    min: "0",
    max: "100",
    value: "3",
    "aria-label": "Hops to trace"
  });
  ui.traceClear = h("button", {
    type: "button",
    class: "sg-button sg-outlined sg-trace-clear",
    text: "Clear trace",
    disabled: true
  });
  ui.traceStatus = h("div", { class: "sg-trace-status", role: "status" });
  ui.downloads = {};
  const downloadRow = h("div", { class: "sg-row sg-downloads" });
  for (const fmt of ["svg", "dot", "png"]) {
    ui.downloads[fmt] = h(
      "button",
      {
        type: "button",
        class: "sg-button sg-outlined",
        "data-format": fmt,
        title: `Download this view as ${fmt.toUpperCase()}`
      },
      icon("download"),
      fmt.toUpperCase()
    );
    downloadRow.append(ui.downloads[fmt]);
  }
  ui.sidebar = h(
    "aside",
    { class: "sg-sidebar" },
    section(
      "Data",
      h(
        "label",
        { class: "sg-field" },
        h("span", { class: "sg-field-label", text: "Run" }),
        ui.runFilter,
        ui.runFilterStatus,
        ui.runSelect
      ),
      h(
        "label",
        { class: "sg-field" },
        h("span", { class: "sg-field-label", text: "Graph" }),
        ui.graphSelect
      ),
      ui.graphInfo = h("div", { class: "sg-graph-info" })
    ),
    section(
      "Search",
      h("div", { class: "sg-search" }, icon("search"), ui.searchInput, ui.regexToggle),
      ui.searchStatus,
      ui.searchResults
    ),
    section(
      "Scopes",
      h("div", { class: "sg-row" }, ui.depthInput, ui.depthButton),
      h("div", { class: "sg-row" }, ui.closeAllButton)
    ),
    section(
      "Colour",
      ui.colourSelect,
      ui.colourWhy = h("div", { class: "sg-colour-whys sg-no-diff", role: "status" }),
      h("p", { class: "sg-help sg-diff-only", text: NO_COLOUR_IN_DIFF }),
      ui.colourLegend = h("div", { class: "sg-legend sg-colour-legend", hidden: true })
    ),
    section(
      "Trace",
      h(
        "div",
        { class: "sg-row sg-no-diff" },
        ui.traceDepth,
        h("span", { text: "hops" }),
        ui.traceClear
      ),
      ui.traceStatus,
      h("p", {
        class: "sg-help sg-no-diff",
        text: "Click an op, then trace its inputs or outputs in its card."
      }),
      h("p", { class: "sg-help sg-diff-only sg-no-trace", text: NO_TRACE_IN_DIFF })
    ),
    section("Download", downloadRow),
    // The key of the drawing's marks (key.js fills it).
    ui.key = h("section", { class: "sg-section sg-key-section", hidden: true }),
    h(
      "p",
      { class: "sg-help" },
      "Drag to pan, scroll to zoom. ",
      h("kbd", { text: "F" }),
      " fits the graph, ",
      h("kbd", { text: "Esc" }),
      " clears the search."
    )
  );
  ui.stage = h("div", { class: "sg-stage" });
  ui.zoomIn = iconButton("add", "Zoom in", { "data-no-pan": true });
  ui.zoomOut = iconButton("remove", "Zoom out", { "data-no-pan": true });
  ui.fitButton = iconButton("fit", "Fit to screen (F)", { "data-no-pan": true });
  ui.zoomControls = h(
    "div",
    { class: "sg-zoom", "data-no-pan": true },
    ui.zoomIn,
    ui.zoomOut,
    ui.fitButton
  );
  ui.progress = h(
    "div",
    { class: "sg-progress", role: "progressbar", "aria-label": "Loading", hidden: true },
    h("div", { class: "sg-progress-bar" })
  );
  ui.loading = h("div", { class: "sg-loading", hidden: true, "data-no-pan": true, role: "status" });
  ui.message = h("div", { class: "sg-message-layer", hidden: true, "data-no-pan": true });
  ui.status = h("div", { class: "sg-status" });
  ui.card = h("div", { class: "sg-card", hidden: true, role: "tooltip", "data-no-pan": true });
  ui.tip = h("div", { class: "sg-tip", hidden: true, role: "tooltip" });
  ui.viewport = h(
    "main",
    { class: "sg-viewport", "aria-label": "Graph", tabindex: 0 },
    ui.stage,
    ui.progress,
    ui.zoomControls,
    ui.status,
    ui.loading,
    ui.message,
    ui.card,
    ui.tip
  );
  ui.root = h("div", { class: "sg-app" }, ui.sidebar, ui.viewport);
  return ui;
}
var KIND_LABELS = {
  run_graph: "Op graph",
  op_graph: "Op graph",
  keras: "Keras model",
  keras_model: "Keras model",
  profile: "Profile",
  run_metadata: "Run metadata",
  tagged_run_metadata: "Tagged run metadata"
};
function graphLabel(graph) {
  const kind = KIND_LABELS[graph.kind] || graph.kind || "Graph";
  const tag = graph.tag && !graph.tag.startsWith("__") ? `: ${graph.tag}` : "";
  const ops = graph.op_count != null ? ` (${formatCount(graph.op_count)} ops)` : "";
  return kind + tag + ops;
}
function fillSelect(select, options, selectedIndex) {
  select.replaceChildren(
    ...options.map((label, i) => h("option", { value: String(i), text: label }))
  );
  select.value = String(Math.max(0, selectedIndex));
  select.disabled = options.length <= 1;
}
function addStyle(text) {
  const style = document.createElement("style");
  style.textContent = text;
  document.head.append(style);
  return Promise.resolve();
}
function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 250);
}
var STRUCTURE_OTHER = "#fcfcfc";
var HEX_FILL2 = /^#[0-9a-f]{6}$/i;
function colourLegendRows(svg) {
  return legendEntries(svg).map((entry) => {
    if (entry.title != null) return h("div", { class: "sg-legend-title", text: entry.title });
    const mark = h("span", { class: "sg-swatch sg-swatch-class" });
    if (HEX_FILL2.test(entry.fill)) mark.style.background = entry.fill;
    if (entry.fill.toLowerCase() === STRUCTURE_OTHER) mark.classList.add("sg-swatch-other");
    return h("div", { class: "sg-legend-row sg-colour-class" }, mark, h("span", { text: entry.text }));
  });
}
function shortName(name) {
  const parts = name.split("/");
  return parts[parts.length - 1] || name;
}
function chip(text, kind = "") {
  return h("span", { class: `sg-chip ${kind}`, text });
}
function formatCount(n) {
  return Number(n).toLocaleString("en-US");
}
var NO_TRACE_IN_DIFF = "Traces work on a single graph; stop comparing to trace.";
var NO_COLOUR_IN_DIFF = "A diff is coloured by what changed; stop comparing to colour by this.";
function searchResultItems(results, query) {
  return results.map((result, i) => {
    const item = h(
      "li",
      {
        class: "sg-result",
        role: "option",
        id: `sg-result-${i}`,
        "data-index": String(i),
        title: result.name
      },
      h(
        "div",
        { class: "sg-result-main" },
        h("span", { class: "sg-result-short", text: shortName(result.name) }),
        chip(
          result.kind === "op" ? result.op || "op" : result.kind,
          `sg-chip-${result.kind === "op" ? "op" : result.kind}`
        )
      ),
      h("div", { class: "sg-result-path", text: result.name })
    );
    item.dataset.query = query;
    return item;
  });
}
function messageCard({ title, text, hint, iconName = "error", actions = [], kind = "error" }) {
  return h(
    "div",
    { class: `sg-message sg-message-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("div", { class: "sg-message-icon" }, icon(iconName)),
    h("h2", { class: "sg-message-title", text: title }),
    text ? h("p", { class: "sg-message-text sg-message-what", text }) : null,
    hint ? h("p", { class: "sg-message-text", text: hint }) : null,
    actions.length ? h(
      "div",
      { class: "sg-message-actions" },
      actions.map(
        (a) => h("button", {
          type: "button",
          class: `sg-button ${a.primary ? "sg-primary" : "sg-outlined"}`,
          "data-action": a.action,
          text: a.label
        })
      )
    ) : null
  );
}
function emptyState() {
  const code = (text) => h("code", { text });
  return h(
    "div",
    { class: "sg-message sg-message-empty", role: "status" },
    h("div", { class: "sg-message-icon" }, icon("graph")),
    h("h2", { class: "sg-message-title", text: "No graphs in this log directory" }),
    h("p", {
      class: "sg-message-text",
      text: "Scope Graph draws the computation graphs TensorBoard finds in your runs. Write one with:"
    }),
    h(
      "ul",
      { class: "sg-message-list" },
      h(
        "li",
        {},
        "TensorFlow: ",
        code("tf.summary.trace_on(graph=True)"),
        " then ",
        code("tf.summary.trace_export(...)")
      ),
      h("li", {}, "Keras: ", code("tf.keras.callbacks.TensorBoard(log_dir, write_graph=True)")),
      h("li", {}, "PyTorch: ", code("SummaryWriter(log_dir).add_graph(model, example_input)"))
    ),
    h(
      "div",
      { class: "sg-message-actions" },
      h("button", {
        type: "button",
        class: "sg-button sg-primary",
        "data-action": "reload-graphs",
        text: "Check again"
      })
    )
  );
}
function loadingChip(seconds) {
  return [
    h("span", { class: "sg-spinner" }),
    h("span", {
      text: seconds >= 1 ? `Laying out the graph… ${seconds} s` : "Laying out the graph…"
    }),
    h("button", {
      type: "button",
      class: "sg-button sg-text",
      "data-action": "cancel-render",
      text: "Cancel"
    })
  ];
}
function traceText(found, { kept = false } = {}) {
  const way = { in: "into", out: "out of", both: "into and out of" }[found.direction] || "";
  const ops = `${formatCount(found.op_count)} op${found.op_count === 1 ? "" : "s"}`;
  const parts = [`${ops} on paths ${way} ${found.name}, ${found.reached} of ${found.depth} hops`];
  if (!found.complete) parts.push(`stopped at ${formatCount(found.limits.ops)} ops`);
  if (found.closed && kept) {
    const groups = `${formatCount(found.closed)} closed group${found.closed === 1 ? "" : "s"}`;
    parts.push(`${groups} on them, each marked whole`);
  } else if (found.closed) {
    const groups = `${formatCount(found.closed)} group${found.closed === 1 ? "" : "s"}`;
    const bounds = `a trace opens at most ${found.limits.open}, to ${found.limits.boxes} boxes`;
    parts.push(`${groups} on them left closed (${bounds})`);
  }
  return parts.join("; ") + ".";
}
function statusText({ boxes, ops, seconds, open }) {
  const parts = [];
  if (boxes != null) parts.push(`${formatCount(boxes)} boxes`);
  if (open != null) parts.push(`${formatCount(open)} open`);
  if (ops != null) parts.push(`${formatCount(ops)} ops in graph`);
  if (seconds != null)
    parts.push(`drawn in ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`);
  return parts.join(" · ");
}

// boot.js
performance.mark("scopegraph:boot");
var inline = typeof SCOPEGRAPH_INLINE === "object" ? SCOPEGRAPH_INLINE : {};
var tab = import(new URL("static/bundle.js", import.meta.url).href);
tab.catch(() => {
});
var rendered = false;
async function render() {
  if (rendered) return;
  rendered = true;
  const early = showEarly();
  if (early) await new Promise((resolve) => afterPaint(resolve));
  let module;
  try {
    module = await tab;
  } catch (error) {
    showLoadError(early, error);
    return;
  }
  module.start(inline, { early, styled: Boolean(early) });
}
function showEarly() {
  const view = inline.first && inline.first.view;
  if (inline.style == null || !view || !view.svg) return null;
  if (!firstVisit()) return null;
  let drawing;
  try {
    drawing = importGraphSvg(view.svg);
  } catch {
    return null;
  }
  const ui = showShell();
  ui.root.classList.add("sg-drawing-first", "sg-early");
  ui.root.dataset.state = "loading";
  const viewport = new Viewport(ui.viewport);
  viewport.size();
  drawing.svg.classList.remove("sg-graph");
  const sheet = h("div", { class: "sg-sheet" }, drawing.svg);
  ui.stage.append(sheet);
  viewport.setSvg(drawing.svg, drawing.bounds);
  viewport.overview();
  performance.mark("scopegraph:early");
  const release = () => viewport.release();
  return { ui, svg: drawing.svg, bounds: drawing.bounds, sheet, text: view.svg, release };
}
function showShell() {
  if (inline.style != null) addStyle(inline.style);
  applyTheme();
  const ui = buildShell();
  document.documentElement.classList.add("sg-document");
  document.body.append(ui.root);
  return ui;
}
function showLoadError(early, error) {
  const ui = early ? early.ui : showShell();
  ui.root.classList.remove("sg-drawing-first");
  ui.root.dataset.state = "error";
  ui.message.replaceChildren(
    messageCard({
      title: "Could not load the Scope Graph tab",
      text: `Its code (static/bundle.js) did not load: ${error && error.message}`,
      hint: "Is TensorBoard still running? Reload the page to try again."
    })
  );
  ui.message.hidden = false;
}
export {
  NATURAL_SCALE,
  NO_TRACE_IN_DIFF,
  Viewport,
  addEdgeHitAreas,
  addStyle,
  afterPaint,
  applyTheme,
  buildShell,
  chip,
  colourLegendRows,
  emptyState,
  fillSelect,
  firstVisit,
  followTheme,
  formatCount,
  formatFragment,
  graphLabel,
  h,
  icon,
  iconButton,
  importGraphSvg,
  labelPoint,
  legendEntries,
  loadingChip,
  messageCard,
  parseFragment,
  readLocation,
  remember,
  rememberedGraph,
  rememberedOpen,
  render,
  searchResultItems,
  shapeRect,
  shortName,
  statusText,
  tensorboardRunFilter,
  traceText,
  writeLocation
};
