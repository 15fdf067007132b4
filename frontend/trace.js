// Traces: the paths into or out of an op, up to a depth, marked in the drawing (the groups they
// run through opened). A view opened or closed since keeps the trace: the server says which
// of its boxes hold the paths. An answer for a trace no longer shown is dropped.

import {elementId} from './ids.js';
import {Stale} from './model.js';
import {describe} from './cards.js';
import {sameOpen} from './state.js';
import * as views from './views.js';

// Typing a number of hops traces again once the typing pauses this long.
const HOPS_PAUSE_MS = 300;

export class Trace {
  /**
   * `state`: the tab's (see state.js); this part writes `traced`. `calls`: show(request,
   * placement), unpin(), byId(id) (an element of the drawing on screen).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.frameNext = false; // the view moves to the marked boxes once they are marked
  }

  wire() {
    this.ui.traceClear.addEventListener('click', () => this.clear());
    // New hops trace the op shown again, once the number stops changing.
    let timer = 0;
    this.ui.traceDepth.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.again(), HOPS_PAUSE_MS);
    });
  }

  /** Traces the paths into or out of the op of `element`, opening the groups they run through. */
  from(element, direction) {
    const what = describe(element);
    if (what && what.kind === 'op') this.run(what.name, direction);
  }

  /** The trace shown, traced again to the hops now asked for (nothing when none is shown). */
  again() {
    const traced = this.state.traced;
    if (!traced || this.ui.traceDepth.value === '') return;
    if (this.hops() !== traced.depth) this.run(traced.name, traced.direction);
  }

  /** The hops asked for, 0 to 100. */
  hops() {
    return Math.max(0, Math.min(100, Math.round(Number(this.ui.traceDepth.value) || 0)));
  }

  /** Traces the paths into or out of op `name`, opening the groups they run through. */
  async run(name, direction) {
    const state = this.state;
    if (state.base) return; // traces are for a single graph (the buttons are hidden)
    const depth = this.hops();
    this.ui.traceDepth.value = String(depth);
    this.ui.traceStatus.textContent = 'Tracing…';
    const found = await this.ask(name, {direction, depth, open: state.open});
    if (!found) return;
    state.traced = {name, direction, depth, found};
    this.ui.traceClear.disabled = false;
    this.ui.traceStatus.textContent = views.traceText(found);
    this.calls.unpin();
    this.frameNext = true;
    if (sameOpen(found.open, state.open)) this.paint(found);
    else this.calls.show({open: found.open, depth: null}, {fit: true});
  }

  /**
   * Marks the boxes on the traced paths in the drawing on screen. A view opened or closed
   * since has other boxes: the backend says which of them hold the paths (without opening).
   */
  mark() {
    const traced = this.state.traced;
    const svg = this.viewport.svg;
    if (svg) svg.classList.toggle('sg-tracing', Boolean(traced));
    const found = traced && traced.found;
    const same = found && sameOpen(found.open, this.state.open);
    if (traced && svg && !same) this.retrace();
    else this.paint(svg && found);
  }

  /** Marks `found`'s boxes (and the edges between two of them); none when it is null. */
  paint(found) {
    const svg = this.viewport.svg;
    if (!svg) return;
    for (const old of svg.querySelectorAll('.sg-trace, .sg-trace-origin')) {
      old.classList.remove('sg-trace', 'sg-trace-origin');
    }
    if (!found) return;
    const marked = new Set();
    for (const box of found.boxes) {
      const element = this.calls.byId(elementId(box.kind, box.name));
      if (!element) continue;
      element.classList.add('sg-trace');
      marked.add(element.id);
    }
    for (const edge of svg.querySelectorAll('g.edge[data-sg-ends]')) {
      const [src, dst] = edge.dataset.sgEnds.split('->');
      if (marked.has(src) && marked.has(dst)) edge.classList.add('sg-trace');
    }
    const origin = this.calls.byId(elementId(found.origin.kind, found.origin.name));
    if (origin) origin.classList.add('sg-trace-origin');
    if (this.frameNext) {
      this.frameNext = false;
      this.frame();
    }
  }

  /** Fits the view to the traced boxes (not the whole graph: the path would be tiny). */
  frame() {
    const vp = this.viewport;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    if (!vp.svg) return;
    for (const element of vp.svg.querySelectorAll('g.node.sg-trace')) {
      const r = vp.userRect(element);
      if (!r) continue;
      x0 = Math.min(x0, r.x);
      y0 = Math.min(y0, r.y);
      x1 = Math.max(x1, r.x + r.w);
      y1 = Math.max(y1, r.y + r.h);
    }
    if (x0 === Infinity) return;
    vp.go(vp.fitView({x: x0, y: y0, w: x1 - x0, h: y1 - y0}));
  }

  /** The trace route's answer, or null when a newer request took over or it failed (said). */
  async ask(name, ask) {
    try {
      return await this.model.trace(this.state.graph, name, ask);
    } catch (error) {
      if (!(error instanceof Stale)) this.ui.traceStatus.textContent = error.message;
      return null;
    }
  }

  async retrace() {
    const traced = this.state.traced;
    const ask = {
      direction: traced.direction,
      depth: traced.depth,
      open: this.state.open,
      expand: false,
    };
    this.paint(null);
    const found = await this.ask(traced.name, ask);
    if (!found || this.state.traced !== traced) return;
    this.state.traced = {...traced, found};
    this.ui.traceStatus.textContent = views.traceText(found, {kept: true});
    this.paint(found);
  }

  clear() {
    this.model.cancelTrace();
    this.state.traced = null;
    this.frameNext = false;
    this.ui.traceClear.disabled = true;
    this.ui.traceStatus.textContent = '';
    this.mark();
  }
}
