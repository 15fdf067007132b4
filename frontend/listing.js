// The graph listing and the pickers (run, then graph of the run): what is listed, which graph
// a link or the last visit names, the listing asked again as TensorBoard's data changes. The
// run picker shows the runs matching a filter, as TensorBoard's run selector does: a regular
// expression, case ignored, or the text itself when it is not one.

import {sheetArea} from './area.js';
import {
  readLocation,
  rememberedGraph,
  rememberedOpen,
  tensorboardRunFilter,
  writeLocation,
} from './location.js';
import {sameGraph} from './state.js';
import * as views from './views.js';

// A link may name a run TensorBoard has not read yet (it reads a logdir in the background
// after it starts, a run at a time): the listing is asked again this often, this many times,
// until the link's graph and base are there.
const LINK_WAIT_MS = 1000;
const LINK_WAIT_TRIES = 120;

export class Listing {
  /**
   * `state`: the tab's (see state.js); this part writes `graphs` and `graph`. `messages`: the
   * tab's Messages. `calls`: what the tab does once a graph is picked: selectGraph(graph,
   * request), setBase(base), noteMissingBase(wanted, found), graphsChanged() (the pickers
   * changed: the comparison's choices follow), graphShown() (an op count came: the status
   * line follows), attach().
   */
  constructor(state, ui, model, messages, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.messages = messages;
    this.calls = calls;
  }

  wire() {
    const ui = this.ui;
    ui.runFilter.addEventListener('input', () => {
      this.setRunFilter(ui.runFilter.value);
      const state = this.state;
      const shown = state.shownGraph;
      if (shown) writeLocation(shown, [...state.open], state.shownBase, state.runFilter);
    });
    ui.runSelect.addEventListener('change', () => {
      this.cancelPendingLink();
      const run = this.shownRuns()[Number(ui.runSelect.value)];
      const graph = this.state.graphs.find((g) => g.run === run);
      if (graph) this.calls.selectGraph(graph, null);
    });
    ui.graphSelect.addEventListener('change', () => {
      this.cancelPendingLink();
      const graph = this.graphsOfRun(this.state.graph.run)[Number(ui.graphSelect.value)];
      if (graph) this.calls.selectGraph(graph, null);
    });
  }

  runs() {
    return [...new Set(this.state.graphs.map((g) => g.run))];
  }

  /** The runs the run picker lists: those matching the filter, and the picked graph's run. */
  shownRuns() {
    const match = runMatcher(this.state.runFilter).test;
    const current = this.state.graph && this.state.graph.run;
    return this.runs().filter((run) => run === current || match(run));
  }

  /** Filters the run picker by `text` (a regular expression, else plain text). */
  setRunFilter(text) {
    this.state.runFilter = text;
    if (this.ui.runFilter.value !== text) this.ui.runFilter.value = text;
    if (this.state.graph) this.fillPickers();
  }

  graphsOfRun(run) {
    return this.state.graphs.filter((g) => g.run === run);
  }

  /** The listed graph a link names; a link may leave out kind and tag (the run's first). */
  findGraph(wanted) {
    if (!wanted) return null;
    return (
      this.state.graphs.find(
        (g) =>
          g.run === wanted.run &&
          (!wanted.kind || g.kind === wanted.kind) &&
          (!wanted.tag || g.tag === wanted.tag)
      ) || null
    );
  }

  /** The listed graph a link's base names, at the step it names (null: the latest). */
  findBase(wanted) {
    const graph = this.findGraph(wanted);
    return graph && {...graph, step: wanted.step ?? null};
  }

  /**
   * When a link or the last visit names a graph, starts fetching the view load() will ask
   * for, while the listing is still on its way.
   */
  prefetchFirstView() {
    const wanted = readLocation();
    const linked = wanted.graph && wanted.graph.kind && wanted.graph.tag ? wanted : null;
    const graph = linked ? linked.graph : rememberedGraph();
    if (!graph) return;
    // For the sheet the shell will give the drawing, as Drawing.show asks.
    const area = sheetArea();
    const request = linked
      ? {open: linked.open, depth: linked.depth, base: linked.base, unroll: linked.unroll, area}
      : {open: rememberedOpen(graph), depth: null, area};
    this.model.prefetchView(graph, request);
  }

  /** Lists the graphs and shows the view a link names, else the last one seen, else the first. */
  async load() {
    const messages = this.messages;
    messages.hideMessage();
    messages.setState('loading');
    messages.setLoading(true, {chip: false});
    let graphs;
    try {
      graphs = await this.model.listGraphs();
      performance.mark('scopegraph:listing');
    } catch (error) {
      messages.setLoading(false);
      messages.setState('error');
      messages.showError(error, {
        title: 'Could not list the graphs',
        actions: [{label: 'Retry', action: 'reload-graphs', primary: true}],
      });
      return;
    }
    messages.setLoading(false);
    this.state.graphs = Array.isArray(graphs) ? graphs : [];
    const linkedFilter = readLocation().runFilter;
    this.setRunFilter(linkedFilter != null ? linkedFilter : tensorboardRunFilter());
    const empty = this.state.graphs.length === 0;
    this.ui.root.classList.toggle('sg-empty', empty);
    if (empty) {
      messages.setState('empty');
      messages.showMessage(views.emptyState());
      views.fillSelect(this.ui.runSelect, [], 0);
      views.fillSelect(this.ui.graphSelect, [], 0);
      return;
    }
    // The link's view, else the last one seen here, else the first graph's default view.
    const wanted = readLocation();
    const linked = this.findGraph(wanted.graph);
    const base = linked ? this.findBase(wanted.base) : null;
    if (linked) this.calls.noteMissingBase(wanted.base, base);
    this.calls.setBase(base);
    const graph = linked || this.findGraph(rememberedGraph()) || this.state.graphs[0];
    this.calls.selectGraph(graph, linked ? wanted : null);
    if ((wanted.graph && !linked) || (linked && wanted.base && !base)) this.awaitLinked(wanted);
  }

  /**
   * Lists the graphs again until those a link names (`wanted`: its graph and base) are
   * there, then shows the link's view; a graph or comparison picked meanwhile ends the wait.
   */
  async awaitLinked(wanted) {
    const token = {};
    this.pendingLink = token;
    for (let i = 0; i < LINK_WAIT_TRIES; i++) {
      await new Promise((resolve) => setTimeout(resolve, LINK_WAIT_MS));
      if (this.pendingLink !== token) return;
      await this.refresh({force: true});
      if (this.pendingLink !== token) return;
      const graph = this.findGraph(wanted.graph);
      const base = wanted.base ? this.findBase(wanted.base) : null;
      if (graph && (!wanted.base || base)) {
        this.pendingLink = null;
        this.calls.noteMissingBase(wanted.base, base);
        this.calls.setBase(base);
        this.calls.selectGraph(graph, wanted);
        return;
      }
    }
    if (this.pendingLink === token) this.pendingLink = null;
  }

  /** The person picked something else: a link's graph that shows up later is not shown. */
  cancelPendingLink() {
    this.pendingLink = null;
  }

  /**
   * New runs show up in the pickers; the view on screen stays as it is. Unless `force`, only
   * while the tab is on screen and not loading a view.
   */
  async refresh({force = false} = {}) {
    const state = this.state;
    const onScreen = this.ui.viewport.clientHeight > 0 && document.visibilityState === 'visible';
    if (!force && (!onScreen || this.messages.state === 'loading')) return;
    let graphs;
    try {
      graphs = await this.model.listGraphs();
    } catch {
      return; // A hiccup; the next round tries again.
    }
    if (!Array.isArray(graphs) || !graphs.length) return;
    if (!state.graphs.length) {
      this.load();
      return;
    }
    const key = (g) => JSON.stringify([g.run, g.kind, g.tag]);
    if (graphs.map(key).join() === state.graphs.map(key).join()) return;
    for (const g of graphs) {
      const known = state.graphs.find((old) => sameGraph(old, g));
      if (known && g.op_count == null) g.op_count = known.op_count;
    }
    const current = graphs.find((g) => sameGraph(g, state.graph));
    if (current) state.graph = current;
    else graphs.push(state.graph); // gone from the logdir, still on screen
    state.graphs = graphs;
    this.fillPickers();
  }

  fillPickers() {
    const graph = this.state.graph;
    const all = this.runs();
    const runs = this.shownRuns();
    views.fillSelect(this.ui.runSelect, runs, runs.indexOf(graph.run));
    this.ui.root.classList.toggle('sg-many-runs', all.length > 1);
    this.ui.runFilterStatus.textContent = runFilterStatus(this.state.runFilter, runs, all, graph);
    const ofRun = this.graphsOfRun(graph.run);
    views.fillSelect(
      this.ui.graphSelect,
      ofRun.map((g) => views.graphLabel(g)),
      ofRun.findIndex((g) => sameGraph(g, graph))
    );
    this.ui.graphSelect.disabled = ofRun.length <= 1;
    this.calls.graphsChanged();
  }

  /** Makes `graph` the picked one. */
  setGraph(graph) {
    this.state.graph = graph;
    this.fillPickers();
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
        if (!sameGraph(graph, this.state.graph)) return;
        this.fillPickers();
        this.calls.graphShown();
      },
      () => {} // The count is a nicety; the next refresh of the listing brings it.
    );
  }
}

/**
 * `{test(run), regex}`: whether a run matches `text` as a regular expression with case ignored
 * (as TensorBoard's run selector matches), or, when `text` is not one, as plain text.
 */
export function runMatcher(text) {
  if (!text) return {test: () => true, regex: true};
  try {
    const pattern = new RegExp(text, 'i');
    return {test: (run) => pattern.test(run), regex: true};
  } catch {
    const lowered = text.toLowerCase();
    return {test: (run) => run.toLowerCase().includes(lowered), regex: false};
  }
}

/** What the run picker's status line says of the filter: how many runs it lists, and why. */
function runFilterStatus(text, shown, all, graph) {
  if (!text) return '';
  const matcher = runMatcher(text);
  const matching = shown.filter((run) => run !== graph.run || matcher.test(run));
  const how = matcher.regex ? '' : ' (not a regular expression: matched as text)';
  const count = `${matching.length.toLocaleString('en-US')} of ${all.length.toLocaleString('en-US')} runs match${how}`;
  return matching.length === shown.length ? count : `${count}; the picked run is listed too`;
}
