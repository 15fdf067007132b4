// The Scope Graph tab's entry point. TensorBoard loads this module in an iframe whose <base> is
// the plugin's route prefix and calls render().
//
// The first drawing is a chain of requests (this module, the others, the graph listing, the
// view's SVG), so everything that does not depend on something else starts here, when this
// module is evaluated, side by side: the stylesheet, the graph listing and every other module.
// This module imports nothing statically: its evaluation does not wait for the others.

// Every module of the tab, fetched at once (tab.js's own imports would otherwise be found only
// once tab.js has arrived: one more round trip). One left out here still loads, a little later.
const MODULES = [
  './tab.js',
  './model.js',
  './views.js',
  './charts.js',
  './viewport.js',
  './location.js',
  './ids.js',
  './diff.js',
];

// Marks (performance.mark) time the way to the first drawing; bench/bench_browser.py reads them.
performance.mark('scopegraph:boot');
const stylesheet = loadStylesheet();
const graphs = fetch('./graphs', {credentials: 'same-origin'});
graphs.catch(() => {}); // The tab reports a failed listing when it reads it.
const modules = Promise.all(MODULES.map(load));
// A first visit (no view in the link, none remembered here) shows the first graph's default
// view. It is asked for as soon as the listing and the two small modules that name it are in,
// while the tab's bigger modules are still on their way (the server lays it out meanwhile).
const listing = graphs.then((response) => (response.ok ? response.clone().json() : null));
listing.catch(() => {});
const model = Promise.all([load('./model.js'), load('./location.js')]).then(
  ([{Model}, {readLocation, rememberedGraph}]) => {
    const model = new Model({graphs});
    if (!readLocation().graph && !rememberedGraph()) {
      listing
        .then((list) => {
          if (Array.isArray(list) && list.length) {
            model.prefetchView(list[0], {open: null, depth: null});
          }
        })
        .catch(() => {}); // the tab reports a failed listing
    }
    return model;
  }
);

let started = false;

function load(path) {
  return import(new URL(path, import.meta.url).href);
}

export async function render() {
  // TensorBoard calls render() once per iframe; guard against a second call all the same.
  if (started) return;
  started = true;
  const [[{Tab}], ready] = await Promise.all([modules, model]);
  performance.mark('scopegraph:modules');
  const tab = new Tab(ready, {stylesheet});
  await tab.start();
}

/** Adds the tab's stylesheet; resolves once it has loaded (or failed, or after 3 s). */
function loadStylesheet() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  // Beside this module, whatever the page's base URL is.
  link.href = new URL('./style.css', import.meta.url).href;
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, {once: true});
    link.addEventListener('error', resolve, {once: true});
    setTimeout(resolve, 3000);
  });
  document.head.append(link);
  return loaded;
}
