// The Scope Graph tab (index.js starts it). This file wires the model (fetches), the views
// (DOM) and the viewport (pan and zoom) together and owns the tab's state.

import {BOX_KINDS, GROUP_KINDS, elementId, parseClusterId, parseElementId} from './ids.js';
import {
  readLocation,
  remember,
  rememberedGraph,
  rememberedOpen,
  writeLocation,
} from './location.js';
import {Compare, sameBase} from './diff.js';
import {ApiError, Model, Stale, viewParams} from './model.js';
import {followTheme} from './theme.js';
import {Viewport} from './viewport.js';
import * as views from './views.js';

const HOVER_DELAY_MS = 90;
// An open group's frame is its outline (this many pixels wide) and its label band: clicks
// there close the group; its inside is background, for panning.
const FRAME_EDGE_PX = 8;
const LOADING_CHIP_AFTER_MS = 500;
const ZOOM_STEP = 1.35;
// TensorBoard reloads its data every 30 s but does not tell iframe tabs: look for new graphs
// as often, while the tab is on screen.
const REFRESH_GRAPHS_MS = 30000;
// The tab goes on screen with its first drawing (laid out and painted once, together), or on
// its own with a progress bar when that drawing takes longer than this.
const SHELL_WAIT_MS = 150;

function sameGraph(a, b) {
  return (
    Boolean(a && b) &&
    a.run === b.run &&
    (a.kind || '') === (b.kind || '') &&
    (a.tag || '') === (b.tag || '')
  );
}

function safeFilename(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'graph';
}

/**
 * Views drawn before, to show again at once (closing a group, opening it again): by view,
 * a pristine copy of each drawing. Bounded in number and in SVG text, and trusted for a while
 * only (a run's graph can be rewritten; TensorBoard reloads every 30 s too).
 */
class Drawings {
  /** `onDrop(entry)`: called when an entry is no longer kept under any key. */
  constructor({kept = 12, maxChars = 16 << 20, trustedMs = REFRESH_GRAPHS_MS, onDrop} = {}) {
    this.kept = kept;
    this.maxChars = maxChars;
    this.trustedMs = trustedMs;
    this.onDrop = onDrop || (() => {});
    this._entries = new Map(); // key -> {template, bounds, text, open, sheet, at}; oldest first
  }

  get(key) {
    const entry = this._entries.get(key);
    if (!entry) return null;
    this._entries.delete(key);
    if (performance.now() - entry.at > this.trustedMs) {
      this._forget(entry);
      return null;
    }
    this._entries.set(key, entry);
    return entry;
  }

  /** Keeps `drawing` under each of `keys`; the oldest go first. */
  set(keys, drawing) {
    const entry = {...drawing, at: performance.now()};
    for (const key of keys) {
      const old = this._entries.get(key);
      this._entries.delete(key);
      this._entries.set(key, entry);
      if (old) this._forget(old);
    }
    while (this._entries.size > this.kept || this._chars() > this.maxChars) {
      const key = this._entries.keys().next().value;
      const old = this._entries.get(key);
      this._entries.delete(key);
      this._forget(old);
    }
  }

  /** Drops `entry` if no key holds it any more (it can be kept under two). */
  _forget(entry) {
    for (const held of this._entries.values()) if (held === entry) return;
    this.onDrop(entry);
  }

  _chars() {
    let chars = 0;
    for (const entry of new Set(this._entries.values())) chars += entry.text.length;
    return chars;
  }
}

/**
 * Drawings shown lately stay in the document, each in a sheet of its own, hidden but laid out
 * (`content-visibility: hidden`), so one shown again costs no style or layout of its thousands
 * of elements. At most this many are parked, holding at most PARKED_CHARS of SVG text.
 */
const PARKED = 4;
const PARKED_CHARS = 8 << 20;

/** Takes off drawing `svg` what a showing put on it: the view, hovers, highlights, traces. */
function clearMarks(svg) {
  svg.removeAttribute('style');
  svg.classList.remove('sg-tracing');
  const marks = ['sg-hover', 'sg-hit', 'sg-pinned-box', 'sg-trace', 'sg-trace-origin'];
  for (const element of svg.querySelectorAll(marks.map((m) => '.' + m).join())) {
    element.classList.remove(...marks);
  }
  return svg;
}

/** A copy of drawing `svg` as it came. */
function pristineCopy(svg) {
  return clearMarks(svg.cloneNode(true));
}

/** Takes a drawing's sheet out of the document, emptied: a kept drawing may still point at it. */
function discardSheet(element) {
  element.remove();
  element.replaceChildren();
}

export class Tab {
  /**
   * `stylesheet` resolves once the tab's stylesheet has loaded: the shell waits for it.
   * `early`: what boot.js put on screen, {ui, svg, bounds, sheet, text, release}: its shell
   * (views.buildShell's, in the document) becomes the tab's, and its drawing the tab's first
   * one if the tab's first view is that drawing's text; else it is taken off the stage.
   */
  constructor(model, {stylesheet = null, early = null} = {}) {
    this.model = model;
    this.stylesheet = stylesheet;
    this.early = early;
    this.ui = early ? early.ui : views.buildShell();
    this.styled = Boolean(early); // boot.js put the stylesheet in
    this.graphs = [];
    this.graph = null; // the graph picked
    this.shownGraph = null; // the graph of the drawing on screen (differs while one loads)
    this.open = new Set(); // the open groups of the view on screen
    this.boxes = null;
    this.svgText = null;
    this.highlightId = null;
    this.hovered = null;
    this.pinned = null;
    this.searchResults = [];
    this.activeResult = -1;
    this.colour = ''; // what boxes are filled by (the `colour` of a view)
    this.traced = null; // the trace shown: {name, direction, depth, found}
    this.renderSeq = 0;
    // A drawing no longer kept is not kept laid out either (on screen, once it leaves it).
    this.drawings = new Drawings({
      onDrop: (entry) => {
        if (this.sheet && this.sheet.element === entry.sheet) this.sheet.dropped = true;
        else this.unpark(entry.sheet);
      },
    });
    this.sheet = null; // the sheet of the drawing on screen: {element, chars}
    this.parked = []; // those of drawings shown before, oldest first
    this.showings = 0; // drawings put on screen so far (the root's data-shown)
    this.base = null; // the graph a diff compares against (diff.js), or null
    this.shownBase = null; // ... in the drawing on screen
    this.compare = new Compare(this);
    this.viewport = new Viewport(this.ui.viewport, {
      onTap: (target, event) => this.onTap(target, event),
      onDragStart: () => this.hideHover(),
      // A pinned card follows its box as the drawing moves.
      onChange: () => {
        if (this.pinned && this.pinned.isConnected && !this.ui.card.hidden) {
          this.positionCard(this.pinned);
        }
      },
    });
  }

  async start() {
    this.prefetchFirstView();
    // The first view is asked for as soon as the listing is in, styled shell or not (a
    // drawing that comes first is placed once the shell has a size).
    const first = this.loadGraphs();
    followTheme();
    this.wire();
    await this.stylesheet;
    this.styled = true;
    if (this.svgText || !this.ui.message.hidden) this.attach();
    // An early drawing stays until the tab has one to show (or a message).
    else if (!this.early) this.attachTimer = setTimeout(() => this.attach(), SHELL_WAIT_MS);
    await first;
    setInterval(() => this.refreshGraphs(), REFRESH_GRAPHS_MS);
  }

  /**
   * Puts the tab on screen (once its stylesheet is in). With its first drawing, the sidebar's
   * contents and the status line follow a frame later (style.css, .sg-drawing-first): they cost
   * as much to lay out as a drawing. (Put on screen earlier, hidden, the sidebar's layout gets
   * in the way of the drawing's answer: measured slower.)
   * `sheet`: the sheet of the drawing going on screen (boot.js's stays only if it is that one).
   */
  attach({drawing = false, sheet = null} = {}) {
    if (this.attached || !this.styled) return;
    this.attached = true;
    clearTimeout(this.attachTimer);
    this.ui.root.classList.toggle('sg-drawing-first', drawing);
    document.documentElement.classList.add('sg-document');
    if (this.early) {
      // boot.js's shell is on screen already; its drawing stays only as the tab's own.
      this.early.release();
      if (this.early.sheet !== sheet) this.early.sheet.remove();
      this.ui.root.classList.remove('sg-early');
      this.early = null;
    } else {
      document.body.append(this.ui.root);
    }
    this.viewport.measure();
  }

  /** New runs show up in the pickers; the view on screen stays as it is. */
  async refreshGraphs() {
    const onScreen = this.ui.viewport.clientHeight > 0 && document.visibilityState === 'visible';
    if (!onScreen || this.ui.root.dataset.state === 'loading') return;
    let graphs;
    try {
      graphs = await this.model.listGraphs();
    } catch {
      return; // A hiccup; the next round tries again.
    }
    if (!Array.isArray(graphs) || !graphs.length) return;
    if (!this.graphs.length) {
      this.loadGraphs();
      return;
    }
    const key = (g) => JSON.stringify([g.run, g.kind, g.tag]);
    if (graphs.map(key).join() === this.graphs.map(key).join()) return;
    for (const g of graphs) {
      const known = this.graphs.find((old) => sameGraph(old, g));
      if (known && g.op_count == null) g.op_count = known.op_count;
    }
    const current = graphs.find((g) => sameGraph(g, this.graph));
    if (current) this.graph = current;
    else graphs.push(this.graph); // gone from the logdir, still on screen
    this.graphs = graphs;
    this.fillPickers();
  }

  // --- events ---

  wire() {
    const ui = this.ui;
    ui.runSelect.addEventListener('change', () => {
      const run = this.runs()[Number(ui.runSelect.value)];
      const graph = this.graphs.find((g) => g.run === run);
      if (graph) this.selectGraph(graph, null);
    });
    ui.graphSelect.addEventListener('change', () => {
      const graph = this.graphsOfRun(this.graph.run)[Number(ui.graphSelect.value)];
      if (graph) this.selectGraph(graph, null);
    });
    ui.zoomIn.addEventListener('click', () => this.viewport.zoomBy(ZOOM_STEP, null, null, true));
    ui.zoomOut.addEventListener('click', () =>
      this.viewport.zoomBy(1 / ZOOM_STEP, null, null, true)
    );
    ui.fitButton.addEventListener('click', () => this.viewport.fit());
    ui.depthButton.addEventListener('click', () => this.openToDepth());
    ui.depthInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.openToDepth();
    });
    ui.closeAllButton.addEventListener('click', () =>
      this.show({open: [], depth: null}, {fit: true})
    );
    for (const [fmt, button] of Object.entries(ui.downloads)) {
      button.addEventListener('click', () => this.download(fmt));
    }

    let searchTimer = 0;
    ui.searchInput.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => this.runSearch(), 180);
    });
    ui.searchInput.addEventListener('keydown', (e) => this.onSearchKey(e));
    ui.regexToggle.addEventListener('click', () => {
      const on = ui.regexToggle.getAttribute('aria-pressed') !== 'true';
      ui.regexToggle.setAttribute('aria-pressed', String(on));
      this.runSearch();
    });
    ui.searchResults.addEventListener('click', (e) => {
      const item = e.target.closest('.sg-result');
      if (item) this.pickResult(Number(item.dataset.index));
    });

    ui.viewport.addEventListener('mousemove', (e) => {
      this.moveTip(e);
      this.onHover(e);
    });
    ui.viewport.addEventListener('mouseleave', () => this.hideHover());
    ui.card.addEventListener('click', (e) => {
      if (e.target.closest('[data-action="unpin"]')) this.unpin();
      const trace = e.target.closest('[data-action="trace"]');
      if (trace && this.pinned) this.traceFrom(this.pinned, trace.dataset.direction);
    });
    ui.colourSelect.addEventListener('change', () => {
      this.colour = ui.colourSelect.value;
      this.show({open: [...this.open], depth: null}, {});
    });
    ui.traceClear.addEventListener('click', () => this.clearTrace());
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
      this.clearSearch();
      this.clearTrace();
      this.unpin();
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
        this.loadGraphs();
        break;
      case 'retry':
        if (this.failed) this.show(this.failed.request, this.failed.placement);
        else this.loadGraphs();
        break;
      case 'close-all':
        this.show({open: [], depth: null}, {fit: true});
        break;
      case 'back':
        this.hideMessage();
        this.backToShown();
        break;
      case 'default-view':
        this.show({open: null, depth: null}, {fit: true});
        break;
      case 'stop-comparing':
        this.compare.pick(null);
        break;
      case 'cancel-render':
        this.model.cancelView();
        this.setLoading(false);
        this.backToShown();
        break;
    }
  }

  onHashChange() {
    const wanted = readLocation();
    const graph = this.findGraph(wanted.graph);
    if (!graph) return;
    const sameOpen =
      wanted.open &&
      wanted.open.length === this.open.size &&
      wanted.open.every((k) => this.open.has(k));
    const base = this.findBase(wanted.base);
    this.noteMissingBase(wanted.base, base);
    if (sameGraph(graph, this.graph) && sameOpen && sameBase(base, this.base)) return;
    this.setBase(base);
    this.selectGraph(graph, wanted);
  }

  // --- graphs and pickers ---

  runs() {
    return [...new Set(this.graphs.map((g) => g.run))];
  }

  graphsOfRun(run) {
    return this.graphs.filter((g) => g.run === run);
  }

  /** The listed graph a link names; a link may leave out kind and tag (the run's first). */
  findGraph(wanted) {
    if (!wanted) return null;
    return (
      this.graphs.find(
        (g) =>
          g.run === wanted.run &&
          (!wanted.kind || g.kind === wanted.kind) &&
          (!wanted.tag || g.tag === wanted.tag)
      ) || null
    );
  }

  /**
   * When a link or the last visit names a graph, starts fetching the view loadGraphs will ask
   * for, while the listing is still on its way.
   */
  prefetchFirstView() {
    const wanted = readLocation();
    const linked = wanted.graph && wanted.graph.kind && wanted.graph.tag ? wanted : null;
    const graph = linked ? linked.graph : rememberedGraph();
    if (!graph) return;
    const request = linked
      ? {open: linked.open, depth: linked.depth, base: linked.base}
      : {open: rememberedOpen(graph), depth: null};
    this.model.prefetchView(graph, request);
  }

  /** loading | ready | error | empty: on the app's root as data-state, for styling and tests. */
  setState(state) {
    this.ui.root.dataset.state = state;
  }

  async loadGraphs() {
    this.hideMessage();
    this.setState('loading');
    this.setLoading(true, {chip: false});
    let graphs;
    try {
      graphs = await this.model.listGraphs();
      performance.mark('scopegraph:listing');
    } catch (error) {
      this.setLoading(false);
      this.setState('error');
      this.showError(error, {
        title: 'Could not list the graphs',
        actions: [{label: 'Retry', action: 'reload-graphs', primary: true}],
      });
      return;
    }
    this.setLoading(false);
    this.graphs = Array.isArray(graphs) ? graphs : [];
    const empty = this.graphs.length === 0;
    this.ui.root.classList.toggle('sg-empty', empty);
    if (empty) {
      this.setState('empty');
      this.ui.message.replaceChildren(views.emptyState());
      this.ui.message.hidden = false;
      this.attach();
      views.fillSelect(this.ui.runSelect, [], 0);
      views.fillSelect(this.ui.graphSelect, [], 0);
      return;
    }
    // The link's view, else the last one seen here, else the first graph's default view.
    const wanted = readLocation();
    const linked = this.findGraph(wanted.graph);
    const base = linked ? this.findBase(wanted.base) : null;
    if (linked) this.noteMissingBase(wanted.base, base);
    this.setBase(base);
    const graph = linked || this.findGraph(rememberedGraph()) || this.graphs[0];
    this.selectGraph(graph, linked ? wanted : null);
  }

  fillPickers() {
    const runs = this.runs();
    views.fillSelect(this.ui.runSelect, runs, runs.indexOf(this.graph.run));
    const ofRun = this.graphsOfRun(this.graph.run);
    views.fillSelect(
      this.ui.graphSelect,
      ofRun.map((g) => views.graphLabel(g)),
      ofRun.findIndex((g) => sameGraph(g, this.graph))
    );
    this.ui.graphSelect.disabled = ofRun.length <= 1;
    this.compare.fill();
  }

  /** The listed graph a link's base names, at the step it names (null: the latest). */
  findBase(wanted) {
    const graph = this.findGraph(wanted);
    return graph && {...graph, step: wanted.step ?? null};
  }

  /** A link's base that is not listed (its run is gone): say so, as the graph shows alone. */
  noteMissingBase(wanted, found) {
    if (!wanted || found) {
      this.compare.notify('');
      return;
    }
    const tag = wanted.tag && !wanted.tag.startsWith('__') ? ` · ${wanted.tag}` : '';
    this.compare.notify(
      `The link compares with ${wanted.run}${tag}, which is not listed any more; showing the graph alone.`
    );
  }

  /**
   * Compares the graph shown with `base` from now on (null: shows the graph alone). Traces and
   * the colour picker are for a single graph: a comparison clears the trace and disables both.
   */
  setBase(base) {
    if (sameBase(base, this.base)) return;
    this.base = base;
    if (base) this.clearTrace();
    this.ui.colourSelect.disabled = Boolean(base);
    if (this.graph) this.compare.fill();
    this.compare.refreshCounts();
  }

  /** Shows `graph`: the view `request` ({open, depth}) asks for, else the one remembered. */
  selectGraph(graph, request) {
    if (!sameGraph(graph, this.graph)) {
      this.setGraph(graph);
      this.highlightId = null;
      this.unpin();
      this.clearSearch();
      this.clearTrace();
    }
    if (!request) request = {open: rememberedOpen(graph), depth: null};
    this.show(request, {overview: true, fromLink: true});
  }

  /** Makes `graph` the picked one. */
  setGraph(graph) {
    this.graph = graph;
    this.fillPickers();
    if (this.base) this.compare.refreshCounts();
  }

  /**
   * The listing leaves a graph's op count out until the server has read the graph: once a view
   * of it is drawn, the listing is asked again.
   */
  learnOpCount(graph) {
    if (graph.op_count != null) return;
    this.model.listGraphs().then(
      (graphs) => {
        const listed = Array.isArray(graphs) && graphs.find((g) => sameGraph(g, graph));
        if (!listed || listed.op_count == null) return;
        graph.op_count = listed.op_count;
        if (!sameGraph(graph, this.graph)) return;
        this.fillPickers();
        this.updateStatus();
      },
      () => {} // The count is a nicety; the next refresh of the listing brings it.
    );
  }

  /** After a cancelled or failed view: the pickers and state follow the drawing on screen. */
  backToShown() {
    if (this.shownGraph && !sameGraph(this.shownGraph, this.graph)) this.setGraph(this.shownGraph);
    if (this.shownGraph && !sameBase(this.shownBase, this.base)) this.setBase(this.shownBase);
    this.setState(this.svgText ? 'ready' : 'error');
  }

  // --- drawing a view ---

  /**
   * Fetches and shows a view. `request` is {open: [keys] | null, depth}; `placement` says where
   * to look afterwards: {fit}, {anchor: {id, x, y}} (keep that box where it was on screen), or
   * {focus: id} (centre and highlight it).
   */
  async show(request, placement = {}) {
    request = {...request, colour: this.colour};
    const graph = this.graph;
    request = {...request, base: this.base};
    const seq = ++this.renderSeq;
    this.hideMessage();
    this.hideHover();
    const started = performance.now();
    const key = viewParams(graph, request).toString();
    const kept = this.drawings.get(key);
    if (kept) {
      this.model.cancelView(); // a view still on its way is not wanted any more
      this.setLoading(false);
      this.setState('loading'); // until it is on screen
      // Still parked, it comes back as it was laid out. Otherwise the kept copy itself goes
      // on screen; a new copy is made once it is drawn. (Either still carries what its last
      // showing marked on it.)
      const sheet = kept.sheet && kept.sheet.isConnected ? kept.sheet : null;
      const svg = clearMarks(sheet ? sheet.firstChild : kept.template);
      this.display(graph, {...kept, svg, sheet}, placement, started, null, kept);
      return;
    }
    this.setLoading(true);
    this.setState('loading');
    let answer;
    try {
      answer = await this.model.view(graph, request);
      performance.mark('scopegraph:answer');
    } catch (error) {
      if (error instanceof Stale) return;
      this.setLoading(false);
      // A remembered or linked view whose groups no longer exist: show the default instead.
      if (placement.fromLink && error instanceof ApiError && error.status === 404 && request.open) {
        this.show({open: null, depth: null}, {overview: true});
        return;
      }
      this.failed = {request, placement};
      this.showRenderError(error);
      return;
    }
    if (seq !== this.renderSeq) return;
    this.setLoading(false);
    let imported;
    const early = this.early;
    try {
      // boot.js's drawing of the same text, on screen: taken as it is, already laid out.
      if (early && early.text === answer.svg) {
        imported = {svg: early.svg, bounds: early.bounds, sheet: early.sheet};
      } else {
        imported = views.importGraphSvg(answer.svg);
      }
    } catch (error) {
      this.failed = {request, placement};
      this.showRenderError(error);
      return;
    }
    // What is open is what the drawing shows: the groups a default view or a depth opened,
    // without those asked for inside a closed one.
    const open = openGroups(imported.svg);
    // Kept under what was asked for and under its open groups (what closing a group asks for).
    const keys = [
      key,
      viewParams(graph, {open, depth: null, base: request.base, colour: request.colour}).toString(),
    ];
    this.display(graph, {...imported, text: answer.svg, open}, placement, started, keys);
  }

  /**
   * Puts a drawing ({svg, bounds, text, open, sheet}) on screen; `sheet`: its parked sheet, if
   * it has one. `keep`: the keys to keep it under for showing again; `kept`: the kept drawing
   * `svg` belongs to (its copy, to copy again, or its parked sheet).
   */
  display(graph, drawing, placement, started, keep = null, kept = null) {
    const seq = this.renderSeq;
    const svg = drawing.svg;
    this.failed = null;
    this.svgText = drawing.text;
    this.shownGraph = graph;
    this.shownBase = this.base;
    this.open = new Set(drawing.open);
    this.unpin(); // its box is gone with the old drawing
    this.hideHover(); // a hover answered since the view was asked for is on the old one
    // The shell is laid out (if it was not yet) before the drawing goes in, and nothing
    // below reads the layout until it is: the browser lays out the new drawing once.
    this.attach({drawing: true, sheet: drawing.sheet});
    this.viewport.size();
    const sheet = this.putOnStage(svg, drawing.sheet, drawing.text.length);
    if (kept) kept.sheet = sheet;
    this.ui.root.dataset.shown = String(++this.showings);
    this.viewport.setSvg(svg, drawing.bounds);
    this.boxes = svg.querySelectorAll('g.node').length;
    this.showColourLegend(svg);
    this.place(placement);
    this.drawSeconds = (performance.now() - started) / 1000;
    this.updateStatus();
    performance.mark('scopegraph:drawn');
    // What is not needed to see the drawing waits until it is on screen.
    views.afterPaint(() => {
      // A copy as it came, before hovers, highlights and edge hit areas, for showing it again.
      if (keep) {
        const {bounds, text, open} = drawing;
        this.drawings.set(keep, {template: pristineCopy(svg), bounds, text, open, sheet});
      } else if (kept && kept.template === svg) {
        kept.template = pristineCopy(svg);
      }
      views.addEdgeHitAreas(svg);
      this.ui.root.classList.remove('sg-drawing-first');
      if (seq !== this.renderSeq) return;
      writeLocation(graph, [...this.open], this.base);
      if (!this.base) remember(graph, this.open); // a diff's open scopes are not the graph's
      this.learnOpCount(graph);
      this.setState('ready');
    });
  }

  /**
   * Shows drawing `svg` in `sheet` (its parked sheet) or in a new one; the sheet on screen is
   * parked (discarded if its drawing is no longer kept), and the oldest parked sheets beyond
   * the bounds are discarded (a kept drawing's copy is what shows it again).
   */
  putOnStage(svg, sheet, chars) {
    const shown = this.sheet;
    if (shown && shown.element !== sheet) {
      if (shown.dropped) {
        discardSheet(shown.element);
      } else {
        shown.element.classList.add('sg-parked');
        shown.element.firstChild.classList.remove('sg-graph');
        this.parked.push(shown);
      }
    }
    if (sheet) {
      this.parked = this.parked.filter((p) => p.element !== sheet);
      sheet.classList.remove('sg-parked');
    } else {
      sheet = document.createElement('div');
      sheet.className = 'sg-sheet';
      sheet.append(svg);
      this.ui.stage.append(sheet);
    }
    svg.classList.add('sg-graph');
    this.sheet = {element: sheet, chars};
    let total = this.parked.reduce((sum, p) => sum + p.chars, 0);
    while (this.parked.length > PARKED || total > PARKED_CHARS) {
      const old = this.parked.shift();
      total -= old.chars;
      discardSheet(old.element);
    }
    return sheet;
  }

  /** Takes parked sheet `element` (if it is one) out of the document, emptied. */
  unpark(element) {
    const parked = this.parked.find((p) => p.element === element);
    if (!parked) return;
    this.parked = this.parked.filter((p) => p !== parked);
    discardSheet(element);
  }

  place(placement) {
    if (placement.overview) this.viewport.overview();
    else if (placement.fit) this.viewport.fit(false);
    else if (placement.anchor) this.keepInPlace(placement.anchor);
    if (placement.focus) this.focusBox(placement.focus);
    else if (this.highlightId) this.markHighlight();
    this.markTrace();
  }

  /**
   * After opening or closing a group: its new frame (or box) appears where the old box (or
   * frame) was on screen, then glides just enough to be wholly visible (zooming out if needed).
   */
  keepInPlace(anchor) {
    const vp = this.viewport;
    const element = this.findBox(anchor.id);
    if (!element) return;
    const rect = vp.userRect(element);
    const here = vp.viewPlacing(rect.x + rect.w / 2, rect.y + rect.h / 2, anchor.x, anchor.y);
    vp.jump(here);
    const {w, h} = vp.size();
    const pad = 16;
    let target = {...here};
    if (rect.w * here.k > w - 2 * pad || rect.h * here.k > h - 2 * pad) {
      target = vp.fitView(rect, here.k);
    } else {
      const left = (rect.x - here.cx) * here.k + w / 2;
      const top = (rect.y - here.cy) * here.k + h / 2;
      const right = left + rect.w * here.k;
      const bottom = top + rect.h * here.k;
      const dx = left < pad ? left - pad : right > w - pad ? right - (w - pad) : 0;
      const dy = top < pad ? top - pad : bottom > h - pad ? bottom - (h - pad) : 0;
      target.cx += dx / here.k;
      target.cy += dy / here.k;
    }
    if (target.cx !== here.cx || target.cy !== here.cy || target.k !== here.k) vp.go(target, true);
  }

  updateStatus() {
    const ops = this.graph.op_count;
    this.ui.status.textContent = views.statusText({
      boxes: this.boxes,
      open: this.open.size,
      ops,
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

  focusBox(id) {
    this.highlightId = id;
    const element = this.markHighlight();
    if (!element) return;
    const vp = this.viewport;
    const rect = vp.userRect(element);
    const k = Math.min(Math.max(vp.view.k, 1), 2);
    const {w, h} = vp.size();
    // An open group found by search can be larger than the screen: show all of it.
    const big = rect.w * k > w * 0.9 || rect.h * k > h * 0.9;
    vp.go(big ? vp.fitView(rect, k) : {cx: rect.x + rect.w / 2, cy: rect.y + rect.h / 2, k}, true);
  }

  markHighlight() {
    const svg = this.viewport.svg;
    if (!svg) return null;
    for (const old of svg.querySelectorAll('.sg-hit')) old.classList.remove('sg-hit');
    if (!this.highlightId) return null;
    const element = this.findBox(this.highlightId);
    if (element) element.classList.add('sg-hit');
    return element;
  }

  setLoading(on, {chip = true} = {}) {
    const ui = this.ui;
    clearTimeout(this.loadingTimer);
    clearInterval(this.loadingTicker);
    ui.progress.hidden = !on;
    ui.viewport.classList.toggle('sg-busy', on);
    ui.loading.hidden = true;
    if (!on || !chip) return;
    const started = performance.now();
    this.loadingTimer = setTimeout(() => {
      const tick = () =>
        ui.loading.replaceChildren(
          ...views.loadingChip(Math.floor((performance.now() - started) / 1000))
        );
      tick();
      ui.loading.hidden = false;
      this.loadingTicker = setInterval(tick, 1000);
    }, LOADING_CHIP_AFTER_MS);
  }

  hideMessage() {
    this.ui.message.hidden = true;
    this.ui.message.replaceChildren();
  }

  showError(error, {title, hint, actions = []}) {
    this.ui.message.replaceChildren(views.messageCard({title, text: error.message, hint, actions}));
    this.ui.message.hidden = false;
    this.attach();
  }

  showRenderError(error) {
    this.setState('error');
    const hasGraph = Boolean(this.svgText);
    const back = hasGraph ? [{label: 'Back to the last view', action: 'back'}] : [];
    if (error instanceof ApiError && error.timeout) {
      this.showError(error, {
        title: 'This view takes too long to lay out',
        hint: 'Graphviz gave up on this many open groups. Close some scopes, or open fewer levels with "Open to depth".',
        actions: [{label: 'Close all scopes', action: 'close-all', primary: true}, ...back],
      });
      return;
    }
    const title =
      error instanceof ApiError && error.status
        ? 'The server could not draw this view'
        : 'Could not draw this view';
    // A comparison that cannot be made (its base step or run is gone, or it names the graph
    // itself): retrying or another view would fail the same way.
    const message = error instanceof ApiError ? String(error.message || '') : '';
    const badBase =
      this.base &&
      ((error.status === 404 && message.startsWith('base graph')) ||
        (error.status === 400 && message.includes('same graph')));
    if (badBase) {
      const stop = [{label: 'Stop comparing', action: 'stop-comparing', primary: true}];
      this.showError(error, {title: 'Could not compare these graphs', actions: [...stop, ...back]});
      return;
    }
    const actions = [{label: 'Retry', action: 'retry', primary: true}, ...back];
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      actions.push({label: 'Default view', action: 'default-view'});
    }
    this.showError(error, {title, actions});
  }

  // --- open and close ---

  /** The box, edge or open group's frame at a pointer event; null over the background. */
  pick(event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target || target.closest('[data-no-pan], .sg-card')) return null;
    const element = target.closest('g.node, g.edge, g.cluster');
    if (
      element &&
      element.classList.contains('cluster') &&
      !onFrame(element, event.clientX, event.clientY)
    ) {
      return null;
    }
    return element;
  }

  onTap(target, event) {
    if (!(target instanceof Element) || target.closest('[data-no-pan]')) return;
    const element = this.pick({target, clientX: event.clientX, clientY: event.clientY});
    if (element && element.classList.contains('node')) {
      const box = parseElementId(element.id);
      if (!box) return;
      // Shift+click pins a group's card (a click opens the group).
      if (GROUP_KINDS.includes(box.kind) && event && event.shiftKey) this.togglePin(element);
      else if (GROUP_KINDS.includes(box.kind)) this.openGroup(box, element);
      else if (box.kind === 'op') this.togglePin(element);
      return;
    }
    if (element && element.classList.contains('cluster')) {
      const group = parseClusterId(element.id);
      if (group && event && event.shiftKey) this.togglePin(element);
      else if (group) this.closeGroup(group, element);
      return;
    }
    this.unpin();
  }

  screenCentre(element) {
    const rect = element.getBoundingClientRect();
    const outer = this.ui.viewport.getBoundingClientRect();
    return {x: rect.left + rect.width / 2 - outer.left, y: rect.top + rect.height / 2 - outer.top};
  }

  openGroup(box, element) {
    const open = new Set(this.open);
    open.add(box.name);
    this.unpin();
    const at = this.screenCentre(element);
    // The group's frame appears where its box was, then slides into view.
    const anchor = {id: element.id, x: at.x, y: at.y};
    this.show({open: [...open], depth: null}, {anchor});
  }

  closeGroup(group, element) {
    // What stays asked for inside it without being under its key (the parts of a series)
    // the server leaves closed, and the new drawing's frames leave out of this.open.
    const open = new Set(this.open);
    for (const key of open) {
      if (key === group.name || key.startsWith(group.name + '/')) open.delete(key);
    }
    this.unpin();
    const at = this.screenCentre(element);
    // The group's box appears where the middle of its frame was.
    const anchor = {id: elementId(group.kind, group.name), x: at.x, y: at.y};
    this.show({open: [...open], depth: null}, {anchor});
  }

  openToDepth() {
    const depth = Math.max(0, Math.min(20, Math.round(Number(this.ui.depthInput.value) || 0)));
    this.ui.depthInput.value = String(depth);
    this.show(depth === 0 ? {open: [], depth: null} : {open: null, depth}, {fit: true});
  }

  // --- hover cards ---

  onHover(event) {
    if (this.viewport.dragging) return;
    const element = this.pick(event);
    if (element === this.hovered) return;
    if (this.hovered) this.hovered.classList.remove('sg-hover');
    this.hovered = element;
    clearTimeout(this.hoverTimer);
    if (!element) {
      this.hideHover();
      return;
    }
    element.classList.add('sg-hover');
    if (element.classList.contains('edge')) {
      this.showTip(element.getAttribute('data-sg-tip') || '', event);
      if (!this.pinned) this.ui.card.hidden = true;
      return;
    }
    this.ui.tip.hidden = true;
    if (this.pinned) return;
    this.hoverTimer = setTimeout(() => this.showDetails(element), HOVER_DELAY_MS);
  }

  hideHover() {
    clearTimeout(this.hoverTimer);
    if (this.hovered) this.hovered.classList.remove('sg-hover');
    this.hovered = null;
    this.ui.tip.hidden = true;
    if (!this.pinned) {
      this.model.cancelNode();
      this.ui.card.hidden = true;
    }
  }

  showTip(text, event) {
    if (!text) return;
    this.ui.tip.replaceChildren(...views.edgeTip(text));
    this.ui.tip.hidden = false;
    this.moveTip(event);
  }

  moveTip(event) {
    if (this.ui.tip.hidden) return;
    const outer = this.ui.viewport.getBoundingClientRect();
    const tip = this.ui.tip;
    let x = event.clientX - outer.left + 14;
    let y = event.clientY - outer.top + 16;
    if (x + tip.offsetWidth > outer.width - 8)
      x = Math.max(8, event.clientX - outer.left - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > outer.height - 8)
      y = Math.max(8, event.clientY - outer.top - tip.offsetHeight - 16);
    tip.style.transform = `translate(${x}px, ${y}px)`;
  }

  /** What a box or frame element stands for: {kind, name, open} or null. */
  describe(element) {
    if (element.classList.contains('cluster')) {
      const group = parseClusterId(element.id);
      return group && {...group, open: true};
    }
    const box = parseElementId(element.id);
    return box && BOX_KINDS.includes(box.kind) ? {...box, open: false} : null;
  }

  async showDetails(element, {pinned = false} = {}) {
    const what = this.describe(element);
    if (!what || (this.pinned && !pinned)) return;
    if (what.kind === 'missing') {
      this.fillCard(
        element,
        views.errorCardContent(
          what.name,
          'An input names this node, but the graph has no such node.'
        ),
        pinned
      );
      return;
    }
    this.fillCard(element, views.loadingCard(what.name), pinned);
    let details;
    try {
      details = await this.model.node(this.graph, what.name, what.kind, this.base);
    } catch (error) {
      if (error instanceof Stale) return;
      if (this.cardFor === element)
        this.fillCard(element, views.errorCardContent(what.name, error.message), pinned);
      return;
    }
    if (this.cardFor !== element || (this.hovered !== element && this.pinned !== element)) return;
    if (this.pinned && this.pinned !== element) return;
    const content =
      details.kind === 'op'
        ? views.opCard(details, {pinned})
        : views.groupCard(details, {open: what.open, pinned});
    this.fillCard(element, this.compare.decorate(content, details), pinned);
    if (element.classList.contains('summarized')) this.addSummaries(element, what, pinned);
  }

  /** Adds the summaries held at or inside a badged box to its card, once they are read. */
  async addSummaries(element, what, pinned) {
    let answer;
    try {
      answer = await this.model.summaries(this.graph, what.name, what.kind);
    } catch (error) {
      if (error instanceof Stale) return;
      answer = {error: error.message};
    }
    if (this.cardFor !== element || (this.hovered !== element && this.pinned !== element)) return;
    const block = answer.error
      ? views.errorCardContent(what.name, `Summaries could not be read: ${answer.error}`)[1]
      : views.summariesBlock(answer, {pinned, pinWith: what.kind === 'op' ? 'click' : 'Shift+click'});
    if (!block) return;
    // First after the name and counts: what the badge promised, before the longer lists.
    const after = this.ui.card.querySelector('.sg-card-block, .sg-card-hint');
    if (after) after.before(block);
    else this.ui.card.append(block);
    this.positionCard(element);
  }

  fillCard(element, content, pinned) {
    const card = this.ui.card;
    this.cardFor = element;
    card.replaceChildren(...content);
    card.classList.toggle('sg-pinned', pinned);
    card.hidden = false;
    this.positionCard(element);
  }

  /** Beside the box (right if there is room, else left), never over it; inside the viewport. */
  positionCard(element) {
    const card = this.ui.card;
    const outer = this.ui.viewport.getBoundingClientRect();
    const box = element.getBoundingClientRect();
    const gap = 12;
    const w = card.offsetWidth;
    const hgt = card.offsetHeight;
    const clusterFrame = element.classList.contains('cluster');
    let x;
    let y;
    if (clusterFrame) {
      // Frames can be huge: put the card by the frame's label, top-left.
      x = box.left - outer.left + Math.min(box.width, 160) + gap;
      y = box.top - outer.top;
    } else {
      x = box.right - outer.left + gap;
      if (x + w > outer.width - 8) x = box.left - outer.left - w - gap;
      y = box.top - outer.top + box.height / 2 - Math.min(hgt / 2, 40);
    }
    x = Math.max(8, Math.min(x, outer.width - w - 8));
    y = Math.max(8, Math.min(y, outer.height - hgt - 8));
    card.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }

  togglePin(element) {
    if (this.pinned === element) {
      this.unpin();
      return;
    }
    this.unpin();
    clearTimeout(this.hoverTimer);
    this.pinned = element;
    element.classList.add('sg-pinned-box');
    this.showDetails(element, {pinned: true});
  }

  unpin() {
    if (this.pinned) this.pinned.classList.remove('sg-pinned-box');
    this.pinned = null;
    this.ui.card.classList.remove('sg-pinned');
    if (!this.hovered || this.hovered.classList.contains('edge')) this.ui.card.hidden = true;
  }

  // --- search ---

  regex() {
    return this.ui.regexToggle.getAttribute('aria-pressed') === 'true';
  }

  async runSearch() {
    const ui = this.ui;
    const query = ui.searchInput.value.trim();
    if (!query || !this.graph) {
      this.model.cancelSearch();
      this.setResults([], '');
      return;
    }
    ui.searchStatus.textContent = 'Searching…';
    let results;
    try {
      results = await this.model.search(this.graph, query, this.regex());
    } catch (error) {
      if (error instanceof Stale) return;
      this.setResults([], error.message, true);
      return;
    }
    const note =
      results.length === 0
        ? 'No node matches.'
        : results.length >= 50
          ? 'First 50 matches.'
          : `${results.length} match${results.length === 1 ? '' : 'es'}.`;
    this.setResults(results, note);
  }

  setResults(results, note, isError = false) {
    this.searchResults = results;
    this.activeResult = -1;
    this.ui.searchResults.replaceChildren(
      ...views.searchResultItems(results, this.ui.searchInput.value)
    );
    this.ui.searchStatus.textContent = note;
    this.ui.searchStatus.classList.toggle('sg-error-text', isError);
  }

  onSearchKey(event) {
    const n = this.searchResults.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!n) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.activeResult = (this.activeResult + step + n) % n;
      for (const item of this.ui.searchResults.children) {
        item.classList.toggle('sg-active', Number(item.dataset.index) === this.activeResult);
      }
      const active = this.ui.searchResults.children[this.activeResult];
      if (active) active.scrollIntoView({block: 'nearest'});
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (n) this.pickResult(Math.max(0, this.activeResult));
    }
  }

  pickResult(index) {
    const result = this.searchResults[index];
    if (!result) return;
    this.activeResult = index;
    for (const item of this.ui.searchResults.children) {
      item.classList.toggle('sg-active', Number(item.dataset.index) === index);
    }
    const id = elementId(result.kind, result.name);
    const reveal = result.reveal || [];
    const missing = reveal.filter((key) => !this.open.has(key));
    if (missing.length === 0) {
      this.focusBox(id);
      return;
    }
    this.show({open: [...this.open, ...missing], depth: null}, {focus: id});
  }

  clearSearch() {
    this.ui.searchInput.value = '';
    this.model.cancelSearch();
    this.setResults([], '');
    this.highlightId = null;
    this.markHighlight();
  }

  /** The drawing's colour legend (classes of identical blocks) in the sidebar, readable. */
  showColourLegend(svg) {
    const rows = views.colourLegendRows(svg);
    this.ui.colourLegend.replaceChildren(...rows);
    this.ui.colourLegend.hidden = rows.length === 0;
  }

  // --- traces ---

  /** Traces the paths into or out of the op of `element`, opening the groups they run through. */
  async traceFrom(element, direction) {
    if (this.base) return; // traces are for a single graph (the buttons are hidden)
    const what = this.describe(element);
    if (!what || what.kind !== 'op') return;
    const depth = Math.max(0, Math.min(100, Math.round(Number(this.ui.traceDepth.value) || 0)));
    this.ui.traceDepth.value = String(depth);
    this.ui.traceStatus.textContent = 'Tracing…';
    const found = await this.askTrace(what.name, {direction, depth, open: this.open});
    if (!found) return;
    this.traced = {name: what.name, direction, depth, found};
    this.ui.traceClear.disabled = false;
    this.ui.traceStatus.textContent = views.traceText(found);
    this.unpin();
    this.frameTraceNext = true; // the view moves to the marked boxes once they are marked
    const same = found.open.length === this.open.size && found.open.every((k) => this.open.has(k));
    if (same) this.paintTrace(found);
    else this.show({open: found.open, depth: null}, {fit: true});
  }

  /**
   * Marks the boxes on the traced paths in the drawing on screen. A view opened or closed
   * since has other boxes: the backend says which of them hold the paths (without opening).
   */
  markTrace() {
    const svg = this.viewport.svg;
    if (svg) svg.classList.toggle('sg-tracing', Boolean(this.traced));
    const {found} = this.traced || {};
    const same =
      found && found.open.length === this.open.size && found.open.every((k) => this.open.has(k));
    if (this.traced && svg && !same) this.retrace();
    else this.paintTrace(svg && found);
  }

  /** Marks `found`'s boxes (and the edges between two of them); none when it is null. */
  paintTrace(found) {
    const svg = this.viewport.svg;
    if (!svg) return;
    for (const old of svg.querySelectorAll('.sg-trace, .sg-trace-origin')) {
      old.classList.remove('sg-trace', 'sg-trace-origin');
    }
    if (!found) return;
    const marked = new Set();
    for (const box of found.boxes) {
      const element = this.byId(elementId(box.kind, box.name));
      if (!element) continue;
      element.classList.add('sg-trace');
      marked.add(element.id);
    }
    for (const edge of svg.querySelectorAll('g.edge[data-sg-ends]')) {
      const [src, dst] = edge.dataset.sgEnds.split('->');
      if (marked.has(src) && marked.has(dst)) edge.classList.add('sg-trace');
    }
    const origin = this.byId(elementId(found.origin.kind, found.origin.name));
    if (origin) origin.classList.add('sg-trace-origin');
    if (this.frameTraceNext) {
      this.frameTraceNext = false;
      this.frameTrace();
    }
  }

  /** Fits the view to the traced boxes (not the whole graph: the path would be tiny). */
  frameTrace() {
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
  async askTrace(name, ask) {
    try {
      return await this.model.trace(this.graph, name, ask);
    } catch (error) {
      if (!(error instanceof Stale)) this.ui.traceStatus.textContent = error.message;
      return null;
    }
  }

  async retrace() {
    const traced = this.traced;
    const ask = {direction: traced.direction, depth: traced.depth, open: this.open, expand: false};
    this.paintTrace(null);
    const found = await this.askTrace(traced.name, ask);
    if (!found || this.traced !== traced) return;
    this.traced = {...traced, found};
    this.ui.traceStatus.textContent = views.traceText(found, {kept: true});
    this.paintTrace(found);
  }

  clearTrace() {
    this.model.cancelTrace();
    this.traced = null;
    this.frameTraceNext = false;
    this.ui.traceClear.disabled = true;
    this.ui.traceStatus.textContent = '';
    this.markTrace();
  }

  // --- downloads ---

  async download(fmt) {
    if (!this.graph) return;
    const button = this.ui.downloads[fmt];
    button.disabled = true;
    // run-kind[-tag][-stepN]: the kind tells the op graph and the Profile of one tag apart.
    const side = (g) =>
      `${g.run}-${g.kind}` +
      (g.tag && !g.tag.startsWith('__') ? `-${g.tag}` : '') +
      (g.step != null ? `-step${g.step}` : '');
    const base = this.base ? `-diff-${side(this.base)}` : '';
    const name = safeFilename(`${side(this.graph)}${base}`);
    try {
      let blob;
      try {
        const view = {open: [...this.open], depth: null, base: this.base, colour: this.colour};
        blob = await this.model.export(this.graph, view, fmt);
      } catch (error) {
        // No PNG from the server (an older plugin, or Graphviz without cairo): draw our SVG.
        if (fmt !== 'png' || !this.svgText || error.timeout) throw error;
        blob = await rasterize(this.svgText);
      }
      saveBlob(blob, `${name}.${fmt}`);
    } catch (error) {
      this.showError(error, {
        title: `Could not download the ${fmt.toUpperCase()}`,
        actions: [{label: 'OK', action: 'back', primary: true}],
      });
    } finally {
      button.disabled = false;
    }
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

/** Whether client point (x, y) is on an open group's outline or its label band. */
function onFrame(cluster, x, y) {
  const box = cluster.getBoundingClientRect();
  if (Math.min(x - box.left, box.right - x, y - box.top, box.bottom - y) <= FRAME_EDGE_PX)
    return true;
  let labelBottom = box.top;
  for (const text of cluster.querySelectorAll('text')) {
    labelBottom = Math.max(labelBottom, text.getBoundingClientRect().bottom);
  }
  return y >= box.top && y <= labelBottom + 4 && x >= box.left && x <= box.right;
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A PNG of the SVG text at twice its natural size (capped), drawn through a canvas. */
function rasterize(svgText) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], {type: 'image/svg+xml'}));
    const image = new Image();
    image.onload = () => {
      const scale = Math.min(2, 16000 / Math.max(image.naturalWidth, image.naturalHeight, 1));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('The browser could not make a PNG.'))),
        'image/png'
      );
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('The browser could not draw the SVG.'));
    };
    image.src = url;
  });
}
