// Drawing a view: asks the model for it (or takes a kept drawing), puts it on screen in its
// sheet, places the view (fit, overview, a box kept where it was, a box found), opens and
// closes groups, and says what is drawn in the status line.

import {sheetArea} from './area.js';
import {elementId, parseClusterId} from './ids.js';
import {remember, writeLocation} from './location.js';
import {ApiError, Stale, viewParams} from './model.js';
import {Sheets, clearMarks, pristineCopy} from './sheets.js';
import {focusView} from './found.js';
import {labelPoint} from './shapes.js';
import * as views from './views.js';

export class Drawing {
  /**
   * `state`: the tab's (see state.js); this part writes `shownGraph`, `shownBase`, `open`,
   * `svgText` and reads `highlightId`. `calls`: attach({drawing}) (puts the tab on
   * screen), hideHover(), unpin(), markTrace(), showLegend(svg) (its colour legend in the
   * sidebar), learnOpCount(graph), drawn(boxes, shown, depth) (a drawing is on screen,
   * opening scopes as deep as `shown` says (see shownDepth); `depth`: the placement's, when
   * the depth control asked for it).
   */
  constructor(state, ui, model, viewport, messages, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.messages = messages;
    this.calls = calls;
    this.sheets = new Sheets(ui.stage);
    this.renderSeq = 0; // views asked for so far: an answer for an older one is dropped
    this.failed = null; // the view that could not be shown: {request, placement, error}
    this.retryTimer = null; // the countdown to asking again for a view the server was busy for
    this.showings = 0; // drawings put on screen so far (the root's data-shown)
    this.boxes = null;
    this.drawSeconds = null;
  }

  /**
   * Fetches and shows a view. `request` is {open: [keys] | null, depth}; `placement` says where
   * to look afterwards: {fit}, {overview}, {anchor: {id, x, y}} (keep that box where it was on
   * screen), or {focus: id, holder} (centre and highlight it, with its group's title);
   * {fromLink}: a remembered or linked view; {depth}: the depth control's request (depth.js).
   */
  async show(request, placement = {}) {
    const state = this.state;
    // Drawn for the sheet it is shown in (its default view and direction, see model.js).
    const area = sheetArea(this.viewport.size());
    const unroll = request.unroll || [...state.unrolled];
    request = {...request, colour: state.colour, base: state.base, area, unroll};
    const graph = state.graph;
    const seq = ++this.renderSeq;
    this.stopRetrying();
    this.messages.hideMessage();
    this.calls.hideHover();
    const started = performance.now();
    const key = viewParams(graph, request).toString();
    const kept = this.sheets.kept(key);
    if (kept) {
      this.model.cancelView(); // a view still on its way is not wanted any more
      this.messages.setLoading(false);
      this.messages.setState('loading'); // until it is on screen
      // Still parked, it comes back as it was laid out. Otherwise the kept copy itself goes
      // on screen; a new copy is made once it is drawn. (Either still carries what its last
      // showing marked on it.)
      const sheet = kept.sheet && kept.sheet.isConnected ? kept.sheet : null;
      const svg = clearMarks(sheet ? sheet.firstChild : kept.template);
      const depth = shownDepth(svg, request);
      this.display(graph, {...kept, svg, sheet, unroll, depth}, placement, started, null, kept);
      return;
    }
    this.messages.setLoading(true);
    this.messages.setState('loading');
    let answer;
    try {
      answer = await this.model.view(graph, request);
      performance.mark('scopegraph:answer');
    } catch (error) {
      if (error instanceof Stale) return;
      this.messages.setLoading(false);
      // A remembered or linked view whose groups no longer exist: show the default instead.
      if (placement.fromLink && error instanceof ApiError && error.status === 404 && request.open) {
        this.show({open: null, depth: null, unroll: []}, {overview: true});
        return;
      }
      this.fail(error, request, placement);
      return;
    }
    if (seq !== this.renderSeq) return;
    this.messages.setLoading(false);
    let imported;
    try {
      imported = views.importGraphSvg(answer.svg);
    } catch (error) {
      this.fail(error, request, placement);
      return;
    }
    // What is open is what the drawing shows: the groups a default view or a depth opened,
    // without those asked for inside a closed one.
    const open = openGroups(imported.svg);
    // Kept under what was asked for and under its open groups (what closing a group asks for).
    const keys = [key, viewParams(graph, {...request, open, depth: null}).toString()];
    const depth = shownDepth(imported.svg, request);
    const drawing = {...imported, text: answer.svg, open, unroll, depth};
    this.display(graph, drawing, placement, started, keys);
  }

  fail(error, request, placement) {
    this.failed = {request, placement, error};
    if (error instanceof ApiError && error.retryAfter !== null) {
      this.retryLater(error);
      return;
    }
    this.messages.showRenderError(error, Boolean(this.state.svgText));
  }

  /**
   * The server's layout queue was full: asks again for the failed view after the seconds it
   * said (Retry-After), counting down on a card with a Cancel. Another view asked for
   * meanwhile stops the countdown (show()).
   */
  retryLater(error) {
    // At least a second: a Retry-After of 0 would ask again at once, over and over.
    const until = performance.now() + Math.max(1, error.retryAfter) * 1000;
    const tick = () => {
      const left = Math.ceil((until - performance.now()) / 1000);
      if (left <= 0) {
        this.retryTimer = null;
        this.retry();
        return;
      }
      this.messages.showBusy(left, Boolean(this.state.svgText));
      // Next when the seconds shown change.
      this.retryTimer = setTimeout(tick, until - performance.now() - (left - 1) * 1000);
    };
    tick();
  }

  stopRetrying() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /**
   * Stops counting down to asking again (the busy card's Cancel). False when a drawing is on
   * screen to go back to; else the error shows, with its Retry.
   */
  cancelRetry() {
    this.stopRetrying();
    if (this.state.svgText || !this.failed) return false;
    this.messages.showRenderError(this.failed.error, false);
    return true;
  }

  /** Asks again for the view that could not be shown; false if none failed. */
  retry() {
    if (!this.failed) return false;
    this.show(this.failed.request, this.failed.placement);
    return true;
  }

  /**
   * Puts a drawing ({svg, bounds, text, open, depth, sheet}) on screen; `sheet`: its parked sheet, if
   * it has one. `keep`: the keys to keep it under for showing again; `kept`: the kept drawing
   * `svg` belongs to (its copy, to copy again, or its parked sheet).
   */
  display(graph, drawing, placement, started, keep = null, kept = null) {
    const state = this.state;
    const seq = this.renderSeq;
    const svg = drawing.svg;
    this.failed = null;
    state.svgText = drawing.text;
    state.shownGraph = graph;
    state.shownBase = state.base;
    state.open = new Set(drawing.open);
    state.unrolled = new Set(drawing.unroll || []);
    this.calls.unpin(); // its box is gone with the old drawing
    this.calls.hideHover(); // a hover answered since the view was asked for is on the old one
    // The shell is laid out (if it was not yet) before the drawing goes in, and nothing
    // below reads the layout until it is: the browser lays out the new drawing once.
    this.calls.attach({drawing: true});
    this.viewport.size();
    const sheet = this.sheets.putOnStage(svg, drawing.sheet, drawing.text.length);
    if (kept) kept.sheet = sheet;
    this.ui.root.dataset.shown = String(++this.showings);
    this.viewport.setSvg(svg, drawing.bounds);
    this.boxes = svg.querySelectorAll('g.node').length;
    this.calls.showLegend(svg);
    this.place(placement);
    this.drawSeconds = (performance.now() - started) / 1000;
    this.updateStatus();
    this.calls.drawn(this.boxes, drawing.depth, placement.depth || null);
    performance.mark('scopegraph:drawn');
    // What is not needed to see the drawing waits until it is on screen.
    views.afterPaint(() => {
      // A copy as it came, before hovers, highlights and edge hit areas, for showing it again.
      if (keep) {
        const {bounds, text, open} = drawing;
        this.sheets.keep(keep, {template: pristineCopy(svg), bounds, text, open, sheet});
      } else if (kept && kept.template === svg) {
        kept.template = pristineCopy(svg);
      }
      views.addEdgeHitAreas(svg);
      this.ui.root.classList.remove('sg-drawing-first');
      if (seq !== this.renderSeq) return;
      const unrolled = [...state.unrolled];
      writeLocation(graph, [...state.open], state.base, state.runFilter, unrolled);
      if (!state.base) remember(graph, state.open); // a diff's open scopes are not the graph's
      this.calls.learnOpCount(graph);
      this.messages.setState('ready');
    });
  }

  place(placement) {
    if (placement.overview) this.overview();
    else if (placement.fit) this.viewport.fit(false);
    else if (placement.anchor) this.keepInPlace(placement.anchor);
    if (placement.focus) this.focusBox(placement.focus, placement.holder);
    else if (this.state.highlightId) this.markHighlight();
    this.calls.markTrace();
  }

  /**
   * The first look at a drawing (Viewport.overview). When that is its top at a readable size,
   * it is about the topmost box of the main flow, where the forward path's inputs are, not
   * about a box set apart beside it (summaries, initialisers: drawn with class `auxiliary`).
   */
  overview() {
    const vp = this.viewport;
    vp.overview();
    const {w, h} = vp.size();
    // Not placed yet (a hidden tab: it is placed once shown), or fitted whole.
    if (!vp.svg || w <= 20 || h <= 20 || vp.view.k <= vp.fitView(vp.bounds).k) return;
    let top = null;
    for (const node of vp.svg.querySelectorAll('g.node:not(.auxiliary)')) {
      const r = vp.userRect(node);
      if (r && (!top || r.y < top.y)) top = r;
    }
    if (top) vp.jump(vp.contain({...vp.view, cx: top.x + top.w / 2}));
  }

  /**
   * After opening or closing a group: the group stays under the pointer (an opened group's
   * title where its box's label was, a closed group's box where the frame was clicked), then
   * the view glides to show the new content (Viewport.afterClick): the whole drawing if it
   * reads whole, else the group if it does, else the group's top at full size beside the
   * overview map.
   */
  keepInPlace(anchor) {
    const vp = this.viewport;
    const element = this.findBox(anchor.id);
    if (!element) return;
    const rect = vp.userRect(element);
    const frame = element.classList.contains('cluster');
    const at = (frame && labelPoint(element, vp.svg)) || {
      x: rect.x + rect.w / 2,
      y: rect.y + rect.h / 2,
    };
    const here = vp.viewPlacing(at.x, at.y, anchor.x, anchor.y);
    // An opened group's title stays in sight: the overview map keeps off it (minimap.js).
    const title = frame && element.querySelector(':scope > text');
    vp.keep = title ? {svg: vp.svg, rects: [vp.userRect(title)]} : null;
    vp.jump(here);
    const target = vp.afterClick(rect, here, anchor.x);
    const moved = Math.abs(target.cx - here.cx) + Math.abs(target.cy - here.cy);
    if (moved * here.k > 0.5 || target.k !== here.k) vp.go(target, true);
  }

  updateStatus() {
    this.ui.status.textContent = views.statusText({
      boxes: this.boxes,
      open: this.state.open.size,
      ops: this.state.graph.op_count,
      layers: views.countsLayers(this.state.graph),
      seconds: this.drawSeconds,
    });
  }

  /** The element with id `id` in the drawing on screen (parked drawings have the same ids). */
  byId(id) {
    const svg = this.viewport.svg;
    return svg ? svg.querySelector('#' + CSS.escape(id)) : null;
  }

  /** The element of a box or of its open frame, by element id. */
  findBox(id) {
    return this.byId(id) || this.byId('cluster-' + id);
  }

  /**
   * Marks the box (or frame) of element id `id` as found and eases the view to it, with the
   * title of the frame of group `holder` (the group holding it, if open) too when it fits
   * (found.js focusView).
   */
  focusBox(id, holder = null) {
    this.state.highlightId = id;
    const element = this.markHighlight();
    if (!element) return;
    const vp = this.viewport;
    const rect = vp.userRect(element);
    const title = holder ? this.titleRect(holder) : null;
    vp.keep = {svg: vp.svg, rects: title ? [rect, title] : [rect]};
    vp.go(focusView(vp, rect, title), true);
  }

  /** The box (user units) of the title of open group `key`'s frame; null if not drawn. */
  titleRect(key) {
    const svg = this.viewport.svg;
    if (!svg) return null;
    for (const frame of svg.querySelectorAll('g.cluster')) {
      const group = parseClusterId(frame.id);
      if (!group || group.name !== key) continue;
      const title = frame.querySelector(':scope > text');
      return title ? this.viewport.userRect(title) : null;
    }
    return null;
  }

  /** Marks the box of `state.highlightId` (none if it is null); returns its element. */
  markHighlight() {
    const svg = this.viewport.svg;
    if (!svg) return null;
    for (const old of svg.querySelectorAll('.sg-hit')) old.classList.remove('sg-hit');
    if (!this.state.highlightId) return null;
    const element = this.findBox(this.state.highlightId);
    if (element) element.classList.add('sg-hit');
    return element;
  }

  /** Where `element` is on screen: its centre, in the viewport's pixels. */
  screenCentre(element) {
    const rect = element.getBoundingClientRect();
    const outer = this.ui.viewport.getBoundingClientRect();
    return {x: rect.left + rect.width / 2 - outer.left, y: rect.top + rect.height / 2 - outer.top};
  }

  /** Opens the group of box `element` (`box`: its parsed id). */
  openGroup(box, element) {
    const open = new Set(this.state.open);
    open.add(box.name);
    this.calls.unpin();
    // The group's title appears where its box's label was, then the view glides to show it.
    const at = this.screenCentre(element);
    this.show({open: [...open], depth: null}, {anchor: {id: element.id, x: at.x, y: at.y}});
  }

  /** Closes open group `group` (parsed from its frame's id), clicked at `point` (client). */
  async closeGroup(group, element, point = null) {
    this.calls.unpin();
    // The group's box appears under the pointer (else where the middle of its frame was).
    const at = point ? this.screenPoint(point) : this.screenCentre(element);
    const anchor = {id: elementId(group.kind, group.name), x: at.x, y: at.y};
    await this.show({open: [...this.without(group.name)], depth: null}, {anchor});
    // A small block opens with its series of pieces (an optimizer's update, see the server's
    // rolls.opened_with), so closing it alone gives it back open: its series closes instead.
    const parent = group.name.slice(0, group.name.lastIndexOf('/'));
    if (parent && this.state.open.has(group.name) && this.state.open.has(parent)) {
      const up = {id: elementId('series', parent), x: at.x, y: at.y};
      await this.show({open: [...this.without(parent)], depth: null}, {anchor: up});
    }
  }

  /** The open keys but `name` and what is under it. What stays asked for inside it without
   * being under its key (the parts of a series) the server leaves closed, and the new
   * drawing's frames leave out of state.open. */
  without(name) {
    const open = new Set(this.state.open);
    for (const key of open) {
      if (key === name || key.startsWith(name + '/')) open.delete(key);
    }
    return open;
  }

  /** A client point ({x, y}) in the viewport's pixels. */
  screenPoint(point) {
    const outer = this.ui.viewport.getBoundingClientRect();
    return {x: point.x - outer.left, y: point.y - outer.top};
  }

  /** Draws series `series` unrolled (`on`), or rolled up again; open, so that it shows. */
  unroll(series, on) {
    const unroll = new Set(this.state.unrolled);
    if (on) unroll.add(series);
    else unroll.delete(series);
    const open = new Set(this.state.open).add(series);
    this.calls.unpin();
    const id = elementId('series', series);
    const element = this.findBox(id);
    const at = element ? this.screenCentre(element) : null;
    const placement = at ? {anchor: {id, x: at.x, y: at.y}} : {fit: true};
    this.show({open: [...open], depth: null, unroll: [...unroll]}, placement);
  }

  /**
   * Opens block `member` of series `series` (whose blocks are `members`) on its own: the series
   * is drawn rolled, that block standing for all.
   */
  openMember(series, member, members) {
    const others = members.filter((key) => key !== member);
    const inOther = (key) => others.some((m) => key === m || key.startsWith(m + '/'));
    const open = new Set([...this.state.open].filter((key) => !inOther(key)));
    open.add(series).add(member);
    const unroll = [...this.state.unrolled].filter((key) => key !== series);
    this.calls.unpin();
    this.show({open: [...open], depth: null, unroll}, {focus: elementId('scope', member)});
  }
}

/** The open groups a drawing shows: one frame (a cluster) for each. */
function openGroups(svg) {
  const open = [];
  for (const frame of svg.querySelectorAll('g.cluster')) {
    const group = parseClusterId(frame.id);
    if (group) open.push(group.name);
  }
  return open;
}

/**
 * How deep the view of drawing `svg`, asked for by `request`, opens scopes: {depth, deepest,
 * asked}. The server says it on the drawing's root (answers.py, with_depth): `data-depth`,
 * the depth asked for, else the view's own; `data-deepest`, the scope level of its deepest
 * open group. A drawing kept under the open groups of a depth's view is the same drawing
 * asked for another way: the depth is the request's, else the deepest.
 */
function shownDepth(svg, request) {
  const number = (name) => {
    const value = svg.getAttribute(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : null;
  };
  const deepest = number('data-deepest') ?? 0;
  const asked = request.depth != null;
  return {depth: asked ? (number('data-depth') ?? request.depth) : deepest, deepest, asked};
}
