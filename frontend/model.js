// Talks to the plugin's routes; nothing here touches the DOM.
//
// Every URL is relative (`./svg?...`): the tab's document has a <base> at the plugin's route
// prefix, so this keeps working under TensorBoard's --path_prefix.
//
// Requests that answer a user's latest choice (the view, hover details, search) go through a
// `Latest` channel: a newer request aborts the older one, and an answer that arrives after the
// user picked something else is dropped (it rejects with `Stale`, which callers ignore).

import {DEFAULT_AREA, areaStep} from './area.js';
import {clientHeaders} from './queued.js';

/**
 * The backend said no: `message` is its {"error"} text; `timeout` when the layout ran long;
 * `retryAfter`: seconds after which to ask again, when the layout queue was full (its
 * Retry-After), else null.
 */
export class ApiError extends Error {
  constructor(message, {status = 0, timeout = false, retryAfter = null} = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.timeout = timeout;
    this.retryAfter = retryAfter;
  }
}

/** Seconds of a Retry-After header (delta-seconds; an HTTP date is not sent here), or null. */
function retrySeconds(header) {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** An answer nobody waits for any more. */
export class Stale extends Error {
  constructor() {
    super('superseded by a newer request');
    this.name = 'Stale';
  }
}

class Latest {
  constructor() {
    this._seq = 0;
    this._controller = null;
  }

  /** Runs fn(signal); aborts whatever this channel was still waiting for. */
  run(fn) {
    this.cancel();
    const seq = this._seq;
    const controller = (this._controller = new AbortController());
    const current = () => seq === this._seq && !controller.signal.aborted;
    return fn(controller.signal).then(
      (value) => {
        if (!current()) throw new Stale();
        return value;
      },
      (error) => {
        if (!current() || error.name === 'AbortError') throw new Stale();
        throw error;
      }
    );
  }

  cancel() {
    this._seq += 1;
    if (this._controller) this._controller.abort();
    this._controller = null;
  }
}

/**
 * The answer of a route, parsed `as` json, text or blob; ApiError when it failed. `started` is
 * the same request's fetch() if it was already made (see Model's `graphs`).
 */
async function request(path, params, {signal, as = 'json', started = null} = {}) {
  const query = params ? `?${params}` : '';
  let response;
  try {
    // Named as this tab's: the server shares layout workers between clients (queued.js).
    const init = {signal, credentials: 'same-origin', headers: clientHeaders()};
    response = await (started || fetch(`./${path}${query}`, init));
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(`TensorBoard did not answer (${error.message}). Is it still running?`);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`.trim();
    let timeout = false;
    const retryAfter =
      response.status === 503 ? retrySeconds(response.headers.get('Retry-After')) : null;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message = body.error;
      timeout = Boolean(body && body.timeout);
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(message, {status: response.status, timeout, retryAfter});
  }
  if (as === 'text') return response.text();
  if (as === 'blob') return response.blob();
  return response.json();
}

/** The query naming one graph. */
export function graphParams(graph) {
  const params = new URLSearchParams();
  params.set('run', graph.run);
  if (graph.kind) params.set('kind', graph.kind);
  if (graph.tag) params.set('tag', graph.tag);
  return params;
}

/**
 * Adds `width` and `height`: the step of `area` ({width, height} in CSS px, see area.js), so
 * that the tab's keys for views and drawings are the server's.
 */
export function addArea(params, area) {
  const {width, height} = areaStep(area);
  params.set('width', String(width));
  params.set('height', String(height));
  return params;
}

/**
 * The query naming one view of a graph. `view.open` is a list of group keys (null: the
 * backend's default view); `view.depth` opens every group down to that depth; `view.colour`
 * fills boxes by op type, device, compute, memory or structure; `view.area` is the size of the
 * sheet it is shown in ({width, height}), which the default view and the drawing's direction
 * are chosen for (a diff's are not: the diff routes take no area); `view.unroll` lists the
 * series of identical blocks drawn unrolled.
 */
export function viewParams(graph, view) {
  const params = graphParams(graph);
  for (const key of [...(view.open || [])].sort()) params.append('open', key);
  if (view.depth != null) params.set('depth', String(view.depth));
  // An empty explicit set is "everything closed", which the backend spells depth=0.
  if (view.open && view.open.length === 0 && view.depth == null) params.set('depth', '0');
  if (view.base) addBase(params, view.base);
  if (view.colour) params.set('colour', view.colour);
  if (view.area && !view.base) addArea(params, view.area);
  // Series of identical blocks drawn unrolled (a diff never rolls them).
  if (!view.base) for (const key of [...(view.unroll || [])].sort()) params.append('unroll', key);
  return params;
}

/** Names the graph a diff compares against (the `diff` routes' base_run, base_kind, base_tag). */
function addBase(params, base) {
  params.set('base_run', base.run);
  if (base.kind) params.set('base_kind', base.kind);
  if (base.tag) params.set('base_tag', base.tag);
  if (base.step != null) params.set('base_step', String(base.step));
}

function graphKey(graph) {
  return JSON.stringify([graph.run, graph.kind, graph.tag]);
}

/** The SVG text of a view (of a diff when the query names a base): {svg}. */
async function fetchView(params, signal) {
  const route = params.has('base_run') ? 'diff' : 'svg';
  return {svg: await request(route, params, {signal, as: 'text'})};
}

export class Model {
  /**
   * `graphs`: the fetch() of the graph listing, when it was started early (index.js); or
   * `first`: the fetch() of the `first` route (a first visit), whose answer is the listing and
   * the first graph's default view, which view() then takes; or `answer`: that answer itself
   * (it came with the tab's module), its view kept only on a `firstVisit`. The graph's
   * warnings and colourings with data come with that view (see warnings(), colourings()).
   */
  constructor({graphs = null, first = null, answer = null, firstVisit = true} = {}) {
    this._graphs = graphs;
    this._prefetched = null;
    this._listing = null;
    this._warnings = null; // {key, warnings}: those the first view came with
    this._colourings = null; // {key, colourings}: as the first view said
    if (first) {
      const answered = request('first', null, {started: first});
      // Registered before anyone reads the listing: the view is waiting when it is asked for.
      answered.then(({view}) => this._takeFirstView(view)).catch(() => {});
      this._listing = answered.then(({graphs}) => graphs);
    } else if (answer) {
      if (firstVisit) this._takeFirstView(answer.view);
      this._listing = Promise.resolve(answer.graphs);
    }
    this._view = new Latest();
    this._node = new Latest();
    this._summaries = new Latest();
    this._search = new Latest();
    this._trace = new Latest();
    this._viewInfo = new Latest();
    this._details = new Map();
  }

  /** [{run, kind, tag, op_count}] */
  listGraphs() {
    const early = this._listing;
    this._listing = null;
    if (early) return early;
    const started = this._graphs;
    this._graphs = null; // a response is read once; later listings are asked for afresh
    return request('graphs', null, {started});
  }

  /**
   * The SVG text of a view: {svg}. Latest only. (Which groups a default view or a depth
   * opened, the drawing's frames say.)
   */
  view(graph, view) {
    const params = viewParams(graph, view);
    const early = this._prefetched;
    this._prefetched = null;
    if (early && early.key === params.toString()) return this._view.run(() => early.answer);
    return this._view.run((signal) => fetchView(params, signal));
  }

  /** Starts fetching a view the tab is about to ask for; view() takes over the answer. */
  prefetchView(graph, view) {
    this._keepView(graph, view, fetchView(viewParams(graph, view)));
  }

  /**
   * The `first` route's view: {run, kind, tag}, the area it was drawn for (width, height) and
   * its svg and warnings or its error (or null).
   */
  _takeFirstView(view) {
    if (!view) return;
    const graph = {run: view.run, kind: view.kind, tag: view.tag};
    if (Array.isArray(view.warnings))
      this._warnings = {key: graphKey(graph), warnings: view.warnings};
    if (Array.isArray(view.colourings))
      this._colourings = {key: graphKey(graph), colourings: view.colourings};
    if (this._prefetched) return;
    const answer =
      typeof view.svg === 'string'
        ? Promise.resolve({svg: view.svg})
        : Promise.reject(
            new ApiError(view.error, {
              status: view.status,
              timeout: view.timeout,
              retryAfter: view.retry_after ?? null,
            })
          );
    const area = view.width ? {width: view.width, height: view.height} : DEFAULT_AREA;
    this._keepView(graph, {open: null, depth: null, area}, answer);
  }

  /** Keeps the answer for a view for view() to take, if it is asked for that view next. */
  _keepView(graph, view, answer) {
    answer.catch(() => {}); // view() reports a failure, if it is asked for this view
    this._prefetched = {key: viewParams(graph, view).toString(), answer};
  }

  cancelView() {
    this._view.cancel();
  }

  /**
   * Details of one op or group (kind_of disambiguates); with `base`, of the diff against it
   * (status, what changed). Cached, latest only.
   */
  node(graph, name, kindOf, base = null) {
    const baseKey = base && [graphKey(base), base.step ?? null];
    const key = JSON.stringify([graphKey(graph), name, kindOf, baseKey]);
    const cached = this._details.get(key);
    if (cached) {
      this._node.cancel();
      return Promise.resolve(cached);
    }
    const params = graphParams(graph);
    params.set('name', name);
    if (kindOf) params.set('kind_of', kindOf);
    if (base) addBase(params, base);
    return this._node.run(async (signal) => {
      const details = await request(base ? 'diff_node' : 'node', params, {signal});
      if (this._details.size > 500) this._details.clear();
      this._details.set(key, details);
      return details;
    });
  }

  cancelNode() {
    this._node.cancel();
    this._summaries.cancel();
  }

  /**
   * {name, scalars, histograms, more}: the latest values of the summaries at or inside one
   * op or group. Not cached here: a run gains steps while the tab is open. Latest only.
   */
  summaries(graph, name, kindOf) {
    const params = graphParams(graph);
    params.set('name', name);
    if (kindOf) params.set('kind_of', kindOf);
    return this._summaries.run((signal) => request('summaries', params, {signal}));
  }

  /** [{name, kind, op, reveal: [keys]}]; latest only. */
  search(graph, query, regex) {
    const params = graphParams(graph);
    params.set('q', query);
    if (regex) params.set('regex', '1');
    return this._search.run((signal) => request('search', params, {signal}));
  }

  cancelSearch() {
    this._search.cancel();
  }

  /**
   * The paths into (`in`), out of (`out`) or through (`both`) op `name`, `depth` hops deep,
   * in the view with `open` groups: {ops, open, boxes: [{kind, name}], origin, closed, ...}.
   * With `expand`, `open` grows by the groups the paths run through. Latest only.
   */
  trace(graph, name, {direction, depth, open, expand = true}) {
    const params = graphParams(graph);
    params.set('name', name);
    params.set('direction', direction);
    params.set('depth', String(depth));
    for (const key of [...open].sort()) params.append('open', key);
    if (!expand) params.set('expand', '0');
    return this._trace.run((signal) => request('trace', params, {signal}));
  }

  cancelTrace() {
    this._trace.cancel();
  }

  /**
   * Whether `graph` has data to colour by `colour`: the DOT text of its top level in that
   * colouring has a legend (see colour.py) only when some box has a value.
   */
  /**
   * The colourings (a view's `colour`) that fill some box of `graph`: ['op', 'device', ...].
   * Asked of the `view` route with every group closed (the cheapest view), unless the first
   * view brought them; ApiError when the server does not say.
   */
  async colourings(graph) {
    const known = this._colourings;
    if (known && known.key === graphKey(graph)) return known.colourings;
    const answer = await request('view', viewParams(graph, {open: [], depth: null}));
    if (!Array.isArray(answer.colourings)) throw new ApiError('no colourings in the answer');
    return answer.colourings;
  }

  /**
   * What was skipped or repaired to read `graph`: [{kind, count, message, examples}] (see
   * docs/http_api.md), empty for a graph read whole. Asked of the `view` route with every
   * group closed (the cheapest view), unless the first view brought them.
   */
  async warnings(graph) {
    const known = this._warnings;
    if (known && known.key === graphKey(graph)) return known.warnings;
    const answer = await request('view', viewParams(graph, {open: [], depth: null}));
    return Array.isArray(answer.warnings) ? answer.warnings : [];
  }

  /**
   * What a view opens, before it is laid out: {open, boxes} (of a diff, when `view.base`).
   * Latest only.
   */
  viewInfo(graph, view) {
    const params = viewParams(graph, view);
    const route = view.base ? 'diff_view' : 'view';
    return this._viewInfo.run((signal) => request(route, params, {signal}));
  }

  cancelViewInfo() {
    this._viewInfo.cancel();
  }

  /** The view as a file: fmt is 'svg', 'dot' or 'png'. */
  export(graph, view, fmt) {
    const params = viewParams(graph, view);
    if (!view.base) return request(fmt, params, {as: 'blob'});
    params.set('format', fmt);
    return request('diff', params, {as: 'blob'});
  }

  /** [{step, wall_time}]: every stored graph of `graph`'s run, kind and tag, oldest first. */
  graphSteps(graph) {
    return request('steps', graphParams(graph));
  }

  /** The diff of `graph` against `base`: {open, boxes, counts: {added, removed, changed, same}}. */
  diffCounts(graph, base) {
    return request('diff_view', viewParams(graph, {open: null, depth: null, base}));
  }
}
