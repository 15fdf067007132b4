// Where the current view (run, kind, tag, open groups) is remembered, as a fragment string such
// as `run=train&kind=run_graph&tag=__run_graph__&open=model&open=model%2Fdense` (`depth=0` is
// "everything closed"; neither `open` nor `depth` is the default view; `run_filter` is the run
// picker's filter; `unroll` a series of identical blocks drawn unrolled):
//
// 1. The fragment of the tab's own document (the iframe's location.hash), written with
//    history.replaceState so opening and closing groups does not fill the back button.
// 2. TensorBoard's own URL fragment, as key `scopegraph`, through TensorBoard's `tf_storage`
//    (window.parent.tensorboard.tf_storage: the API its dashboards keep their state in the
//    URL with), e.g. `/#scopegraph&scopegraph=run%3Dtrain%26open%3Dmodel`.
// 3. localStorage: per graph the open groups, and the last graph picked.
//
// Checked against TensorBoard 2.21 in Chromium: TensorBoard creates the tab's iframe afresh on
// every page load with src `data/plugin_entry.html?name=scopegraph` and no fragment, so (1)
// does not survive a reload; it only lives as long as the iframe (and serves the tab's document
// opened on its own). (2) survives a reload and travels in a copied link; tf_storage keeps
// keys it does not know and writes them back when the user switches tabs. (3) covers the case
// where the page is opened without our key (per origin: per TensorBoard host and port).
// The iframe's <base> is the plugin's route prefix, so a relative '#...' given to replaceState
// would resolve against it and move the iframe's URL: always pass an absolute URL.

const STORAGE_KEY = 'tb-scopegraph.views.v1';
const MAX_REMEMBERED = 50;

/**
 * {graph: {run, kind, tag} | null, open: [keys] | null, depth: number | null, base: {run, kind,
 * tag} | null, runFilter: string | null}; `base` is the graph a diff compares against
 * (`base_run=...`).
 */
export function parseFragment(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const run = params.get('run');
  const baseRun = params.get('base_run');
  const baseStep = params.get('base_step');
  const depth = params.get('depth');
  const open = params.getAll('open');
  return {
    runFilter: params.get('run_filter'),
    graph: run == null ? null : {run, kind: params.get('kind') || '', tag: params.get('tag') || ''},
    open: open.length ? open : depth === '0' ? [] : null,
    depth: depth != null && /^\d+$/.test(depth) && depth !== '0' ? Number(depth) : null,
    unroll: params.getAll('unroll'),
    base:
      baseRun == null
        ? null
        : {
            run: baseRun,
            kind: params.get('base_kind') || '',
            tag: params.get('base_tag') || '',
            step: baseStep != null && /^\d+$/.test(baseStep) ? Number(baseStep) : null,
          },
  };
}

export function formatFragment(graph, open, base = null, runFilter = '', unroll = []) {
  const params = new URLSearchParams();
  if (runFilter) params.set('run_filter', runFilter);
  params.set('run', graph.run);
  if (graph.kind) params.set('kind', graph.kind);
  if (graph.tag) params.set('tag', graph.tag);
  if (open && open.length) for (const key of [...open].sort()) params.append('open', key);
  else if (open) params.set('depth', '0');
  for (const key of [...unroll].sort()) params.append('unroll', key);
  if (base) {
    params.set('base_run', base.run);
    if (base.kind) params.set('base_kind', base.kind);
    if (base.tag) params.set('base_tag', base.tag);
    if (base.step != null) params.set('base_step', String(base.step));
  }
  return params.toString();
}

const TB_KEY = 'scopegraph';

/** TensorBoard's URL-state API in the parent page, or null (not in TensorBoard, or cross-origin). */
function tbStorage() {
  try {
    const storage = window.parent !== window && window.parent.tensorboard?.tf_storage;
    return storage && typeof storage.getString === 'function' ? storage : null;
  } catch {
    return null;
  }
}

/** The view named by the iframe's fragment, else by TensorBoard's URL; graph null if neither. */
export function readLocation() {
  const own = parseFragment(window.location.hash);
  if (own.graph) return own;
  const storage = tbStorage();
  try {
    const value = storage && storage.getString(TB_KEY);
    if (value) return parseFragment(value);
  } catch {
    // An older or newer TensorBoard without this API.
  }
  return own;
}

export function writeLocation(graph, open, base = null, runFilter = '', unroll = []) {
  const fragment = formatFragment(graph, open, base, runFilter, unroll);
  if (window.location.hash !== '#' + fragment) {
    const url = new URL(window.location.href);
    url.hash = fragment;
    window.history.replaceState(window.history.state, '', url.toString());
  }
  const storage = tbStorage();
  try {
    if (storage && storage.getString(TB_KEY) !== fragment) {
      storage.setString(TB_KEY, fragment, {useLocationReplace: true});
    }
  } catch {
    // As above: the iframe's fragment and localStorage still hold the view.
  }
}

/**
 * The run filter TensorBoard's own run selector keeps in its URL (`?runFilter=`), to start from
 * when the tab's fragment has none; '' when there is none or the page cannot be read.
 */
export function tensorboardRunFilter() {
  try {
    if (window.parent === window) return '';
    return new URLSearchParams(window.parent.location.search).get('runFilter') || '';
  } catch {
    return '';
  }
}

function graphKey(graph) {
  return JSON.stringify([graph.run, graph.kind, graph.tag]);
}

function load() {
  try {
    const data = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || '{}');
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}

function save(data) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
  } catch {
    // Storage full or disabled: the fragment still holds the view.
  }
}

/**
 * A first visit: no view in the link, none remembered here. It shows the first graph's default
 * view (the one the plugin draws ahead).
 */
export function firstVisit() {
  return !readLocation().graph && !rememberedGraph();
}

/** The last graph picked, or null. */
export function rememberedGraph() {
  const last = load().last;
  return last && typeof last.run === 'string' ? last : null;
}

/** The open groups last seen for `graph`, or null (never seen: the default view). */
export function rememberedOpen(graph) {
  const entry = (load().views || {})[graphKey(graph)];
  return entry && Array.isArray(entry.open) ? entry.open : null;
}

export function remember(graph, open) {
  const data = load();
  const views = data.views && typeof data.views === 'object' ? data.views : {};
  views[graphKey(graph)] = {open: [...open].sort(), t: Date.now()};
  const keys = Object.keys(views);
  if (keys.length > MAX_REMEMBERED) {
    keys.sort((a, b) => (views[a].t || 0) - (views[b].t || 0));
    for (const key of keys.slice(0, keys.length - MAX_REMEMBERED)) delete views[key];
  }
  save({last: {run: graph.run, kind: graph.kind, tag: graph.tag}, views});
}
