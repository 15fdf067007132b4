// The Scope Graph tab (index.js starts it): wires its parts together, each a module of its own
// sharing one state object (state.js): the listing and pickers (listing.js), drawing a view
// (drawing.js, its sheets in sheets.js, its overview in minimap.js), the cards (cards.js),
// search (search.js), traces (trace.js), the colour picker and its legend (colouring.js), the
// depth control (depth.js), downloads (downloads.js) and comparing (diff.js), with what the
// tab says about itself (messages.js). The model fetches (model.js), the views build DOM
// (views.js), the viewport pans and zooms (viewport.js); this module holds what ties them to
// the page: the shell going on screen, the keys, the buttons and the link.

import {sheetArea} from './area.js';
import {Banner} from './banner.js';
import {Cards, pick} from './cards.js';
import {Colouring} from './colouring.js';
import {Depth} from './depth.js';
import {Compare, sameBase} from './diff.js';
import {Downloads} from './downloads.js';
import {Drawing} from './drawing.js';
import {GROUP_KINDS, parseClusterId, parseElementId} from './ids.js';
import {Key} from './key.js';
import {Listing} from './listing.js';
import {readLocation, rememberedOpen} from './location.js';
import {Messages} from './messages.js';
import {Minimap} from './minimap.js';
import {Search} from './search.js';
import {sameGraph, sameOpen, tabState} from './state.js';
import {followTheme} from './theme.js';
import {Trace} from './trace.js';
import {Viewport} from './viewport.js';
import * as views from './views.js';

const ZOOM_STEP = 1.35;
// TensorBoard reloads its data every 30 s but does not tell iframe tabs: look for new graphs
// as often, while the tab is on screen.
const REFRESH_GRAPHS_MS = 30000;
// TensorBoard reads a logdir in the background after it starts, a run at a time, so the first
// listing may lack runs: it is asked again this soon after the first view, then every 30 s.
const EARLY_REFRESH_MS = [1000, 3000, 7000, 15000];
// The tab goes on screen with its first drawing (laid out and painted once, together), or on
// its own with a progress bar when that drawing takes longer than this.
const SHELL_WAIT_MS = 150;

export class Tab {
  /** `stylesheet` resolves once the tab's stylesheet has loaded: the shell waits for it. */
  constructor(model, {stylesheet = null} = {}) {
    const ui = views.buildShell();
    const state = tabState();
    this.model = model;
    this.stylesheet = stylesheet;
    this.ui = ui;
    this.state = state;
    this.styled = false;
    this.attached = false;
    // Until the tab's first frame on screen is painted, what it does not show waits in
    // `waiting` (whenPainted).
    this.painted = false;
    this.waiting = [];
    this.mapLater = () => this.minimap.update();
    this.messages = new Messages(ui, {
      attach: () => this.attach(),
      comparing: () => Boolean(state.base),
    });
    this.compare = new Compare(state, ui, model, {compareWith: (base) => this.compareWith(base)});
    this.viewport = new Viewport(ui.viewport, {
      onTap: (target, event) => this.onTap(target, event),
      onDragStart: () => this.cards.hideHover(),
      onChange: () => {
        this.cards.followPinned();
        this.updateMap();
      },
    });
    this.minimap = new Minimap(ui, this.viewport);
    this.key = new Key(ui.key);
    this.cards = new Cards(state, ui, model, this.viewport, {
      decorate: (content, details) => this.compare.decorate(content, details),
      traceFrom: (element, direction) => this.trace.from(element, direction),
      unroll: (series, on) => this.drawing.unroll(series, on),
      openMember: (series, member, members) => this.drawing.openMember(series, member, members),
    });
    this.drawing = new Drawing(state, ui, model, this.viewport, this.messages, {
      attach: (how) => this.attach(how),
      hideHover: () => this.cards.hideHover(),
      unpin: () => this.cards.unpin(),
      markTrace: () => this.trace.mark(),
      showLegend: (svg) =>
        this.whenPainted(() => {
          this.colouring.showLegend(svg);
          this.key.show(svg);
        }),
      learnOpCount: (graph) => this.listing.learnOpCount(graph),
      drawn: (boxes, shown, depth) => this.depth.shown(boxes, shown, depth),
    });
    this.depth = new Depth(state, ui, model, this.viewport, {
      show: (request, placement) => this.show(request, placement),
      area: () => sheetArea(this.viewport.size()),
    });
    this.listing = new Listing(state, ui, model, this.messages, {
      selectGraph: (graph, request) => this.selectGraph(graph, request),
      setBase: (base) => this.setBase(base),
      noteMissingBase: (wanted, found) => this.noteMissingBase(wanted, found),
      graphsChanged: () => this.compare.fill(),
      graphShown: () => this.drawing.updateStatus(),
    });
    this.search = new Search(state, ui, model, this.viewport, {
      show: (request, placement) => this.show(request, placement),
      markHighlight: () => this.drawing.markHighlight(),
      note: (text) => this.messages.noteFound(text),
    });
    this.trace = new Trace(state, ui, model, this.viewport, {
      show: (request, placement) => this.show(request, placement),
      unpin: () => this.cards.unpin(),
      byId: (id) => this.drawing.byId(id),
    });
    this.colouring = new Colouring(state, ui, model, {
      show: (request, placement) => this.show(request, placement),
    });
    this.banner = new Banner(ui.banner, model, {
      shown: (graph) => {
        // Over a drawing of that graph already placed: placed again in the shorter sheet.
        if (!sameGraph(graph, state.shownGraph)) return;
        this.viewport.measure();
        this.viewport.overview();
      },
    });
    this.downloads = new Downloads(state, ui, model, {
      showError: (error, how) => this.messages.showError(error, how),
      area: () => sheetArea(this.viewport.size()),
    });
  }

  async start() {
    this.listing.prefetchFirstView();
    // The first view is asked for as soon as the listing is in, styled shell or not (a
    // drawing that comes first is placed once the shell has a size).
    const first = this.listing.load();
    followTheme();
    this.wire();
    await this.stylesheet;
    this.styled = true;
    if (this.state.svgText || this.messages.showing) this.attach();
    else this.attachTimer = setTimeout(() => this.attach(), SHELL_WAIT_MS);
    await first;
    for (const ms of EARLY_REFRESH_MS) setTimeout(() => this.listing.refresh(), ms);
    setInterval(() => this.listing.refresh(), REFRESH_GRAPHS_MS);
  }

  /**
   * Puts the tab on screen (once its stylesheet is in). With its first drawing, the sidebar's
   * contents and the status line follow a frame later (style.css, .sg-drawing-first): they cost
   * as much to lay out as a drawing. (Put on screen earlier, hidden, the sidebar's layout gets
   * in the way of the drawing's answer: measured slower.)
   */
  attach({drawing = false} = {}) {
    if (this.attached || !this.styled) return;
    this.attached = true;
    clearTimeout(this.attachTimer);
    this.ui.root.classList.toggle('sg-drawing-first', drawing);
    document.documentElement.classList.add('sg-document');
    document.body.append(this.ui.root);
    this.viewport.measure();
    // Focusing the frame runs TensorBoard's own handlers in its page (3-17 ms measured with
    // a first drawing, bench/README.md): they wait until that drawing is painted.
    views.afterPaint(() => {
      this.painted = true;
      for (const fn of this.waiting.splice(0)) fn();
      this.takeKeys();
    });
  }

  /**
   * Runs `fn` now, or once the tab's first frame is painted: for what that frame does not
   * show (the sidebar's contents follow it, see attach), which took 5-20 ms of the first
   * drawing's way to the screen (bench/README.md).
   */
  whenPainted(fn) {
    if (this.painted) fn();
    else if (!this.waiting.includes(fn)) this.waiting.push(fn);
  }

  /** The overview map follows the view (drawn once after the first frame, see whenPainted). */
  updateMap() {
    if (this.minimap) this.whenPainted(this.mapLater);
  }

  /**
   * Focuses the drawing, so that its keys (F, +, -, /) work as soon as the tab is on screen
   * (TensorBoard's page keeps the focus outside the tab's frame until it is clicked), unless
   * the user is typing somewhere else, in the tab or in TensorBoard's page.
   */
  takeKeys() {
    const inner = document.activeElement;
    if (inner && inner !== document.body && inner !== document.documentElement) return;
    let outer = null;
    try {
      outer = window.parent !== window ? window.parent.document.activeElement : null;
    } catch {
      // TensorBoard's page is of another origin: nothing there to protect from here.
    }
    while (outer && outer.shadowRoot && outer.shadowRoot.activeElement) {
      outer = outer.shadowRoot.activeElement;
    }
    if (outer && outer.closest && outer.closest('input, textarea, select, [contenteditable]'))
      return;
    this.ui.viewport.focus({preventScroll: true});
  }

  /** Shows a view (drawing.js); settles once it is on screen or given up. */
  show(request, placement) {
    return this.drawing.show(request, placement);
  }

  // --- events ---

  wire() {
    const ui = this.ui;
    const viewport = this.viewport;
    this.listing.wire();
    ui.zoomIn.addEventListener('click', () => viewport.zoomBy(ZOOM_STEP, null, null, true));
    ui.zoomOut.addEventListener('click', () => viewport.zoomBy(1 / ZOOM_STEP, null, null, true));
    ui.fitButton.addEventListener('click', () => viewport.fit());
    this.depth.wire();
    ui.closeAllButton.addEventListener('click', () =>
      this.show({open: [], depth: null}, {fit: true})
    );
    this.downloads.wire();
    this.search.wire();
    this.cards.wire();
    this.colouring.wire();
    this.trace.wire();
    // Buttons inside overlays (error card, loading chip, empty state) say what they do.
    ui.root.addEventListener('click', (e) => {
      const button = e.target.closest('.sg-message [data-action], .sg-loading [data-action]');
      if (button) this.onAction(button.dataset.action);
    });
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('hashchange', () => this.onHashChange());
  }

  onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest && event.target.closest('input, select, textarea');
    if (event.key === 'Escape') {
      this.search.clear();
      this.trace.clear();
      this.cards.unpin();
      if (typing) event.target.blur();
      return;
    }
    if (typing) return;
    if (event.key === 'f' || event.key === 'F') this.viewport.fit();
    else if (event.key === '+' || event.key === '=')
      this.viewport.zoomBy(ZOOM_STEP, null, null, true);
    else if (event.key === '-' || event.key === '_')
      this.viewport.zoomBy(1 / ZOOM_STEP, null, null, true);
    else if (event.key === '/') {
      event.preventDefault();
      this.ui.searchInput.focus();
    }
  }

  onAction(action) {
    switch (action) {
      case 'reload-graphs':
        this.listing.load();
        break;
      case 'retry':
        if (!this.drawing.retry()) this.listing.load();
        break;
      case 'close-all':
        this.show({open: [], depth: null}, {fit: true});
        break;
      case 'back':
        this.messages.hideMessage();
        this.backToShown();
        break;
      case 'default-view':
        this.show({open: null, depth: null}, {fit: true});
        break;
      case 'stop-comparing':
        this.compare.pick(null);
        break;
      case 'cancel-retry':
        if (!this.drawing.cancelRetry()) {
          this.messages.hideMessage();
          this.backToShown();
        }
        break;
      case 'cancel-render':
        this.model.cancelView();
        this.messages.setLoading(false);
        this.backToShown();
        break;
    }
  }

  onHashChange() {
    const state = this.state;
    const wanted = readLocation();
    const graph = this.listing.findGraph(wanted.graph);
    if (!graph) return;
    const same =
      wanted.open && sameOpen(wanted.open, state.open) && sameOpen(wanted.unroll, state.unrolled);
    const base = this.listing.findBase(wanted.base);
    this.noteMissingBase(wanted.base, base);
    if (sameGraph(graph, state.graph) && same && sameBase(base, state.base)) return;
    this.setBase(base);
    this.selectGraph(graph, wanted);
  }

  /** A click (or tap) on the drawing: opens or closes a group, or pins a box's card. */
  onTap(target, event) {
    if (!(target instanceof Element) || target.closest('[data-no-pan]')) return;
    const element = pick({target, clientX: event.clientX, clientY: event.clientY});
    const point = event ? {x: event.clientX, y: event.clientY} : null;
    if (element && element.classList.contains('node')) {
      const box = parseElementId(element.id);
      if (!box) return;
      // Shift+click pins a group's card (a click opens the group).
      if (GROUP_KINDS.includes(box.kind) && event && event.shiftKey) this.cards.togglePin(element);
      else if (GROUP_KINDS.includes(box.kind)) this.drawing.openGroup(box, element);
      else if (box.kind === 'op') this.cards.togglePin(element);
      return;
    }
    if (element && element.classList.contains('cluster')) {
      const group = parseClusterId(element.id);
      if (group && event && event.shiftKey) this.cards.togglePin(element);
      else if (group) this.drawing.closeGroup(group, element, point);
      return;
    }
    this.cards.unpin();
  }

  // --- the graph shown and its base ---

  /** Shows `graph`: the view `request` ({open, depth}) asks for, else the one remembered. */
  selectGraph(graph, request) {
    if (!sameGraph(graph, this.state.graph)) {
      this.setGraph(graph);
      this.state.highlightId = null;
      this.state.unrolled = new Set();
      this.cards.unpin();
      this.search.clear();
      this.trace.clear();
    }
    if (!request) request = {open: rememberedOpen(graph), depth: null};
    this.show(request, {overview: true, fromLink: true});
  }

  /** Makes `graph` the picked one. */
  setGraph(graph) {
    this.listing.setGraph(graph);
    this.banner.follow(graph);
    // Which colourings it has data for is asked once the drawing is on its way.
    views.afterPaint(() => this.colouring.check(graph));
    if (this.state.base) this.compare.refreshCounts();
  }

  /**
   * Compares the graph shown with `base` from now on (null: shows the graph alone). Traces and
   * the colour picker are for a single graph: a comparison clears the trace and disables both.
   */
  setBase(base) {
    const state = this.state;
    if (sameBase(base, state.base)) return;
    state.base = base;
    if (base) this.trace.clear();
    this.ui.colourSelect.disabled = Boolean(base);
    if (state.graph) this.compare.fill();
    this.compare.refreshCounts();
  }

  /** The comparison picked ("Compare with…"): the default view of the diff, or of the graph. */
  compareWith(base) {
    this.listing.cancelPendingLink();
    this.setBase(base);
    this.cards.unpin();
    this.show({open: null, depth: null}, {overview: true});
  }

  /** A link's base that is not listed (its run is gone): say so, as the graph shows alone. */
  noteMissingBase(wanted, found) {
    if (!wanted || found) {
      this.compare.notify('');
      return;
    }
    const tag = wanted.tag && !wanted.tag.startsWith('__') ? ` · ${wanted.tag}` : '';
    this.compare.notify(
      `The link compares with ${wanted.run}${tag}, which is not listed; showing the graph alone until TensorBoard has read it.`
    );
  }

  /** After a cancelled or failed view: the pickers and state follow the drawing on screen. */
  backToShown() {
    const state = this.state;
    if (state.shownGraph && !sameGraph(state.shownGraph, state.graph)) {
      this.setGraph(state.shownGraph);
    }
    if (state.shownGraph && !sameBase(state.shownBase, state.base)) this.setBase(state.shownBase);
    this.messages.setState(state.svgText ? 'ready' : 'error');
  }
}
