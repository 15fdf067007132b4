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
const modules = Promise.all(MODULES.map((path) => import(new URL(path, import.meta.url).href)));

let started = false;

export async function render() {
  // TensorBoard calls render() once per iframe; guard against a second call all the same.
  if (started) return;
  started = true;
  const [{Tab}, {Model}] = await modules;
  performance.mark('scopegraph:modules');
  const tab = new Tab(new Model({graphs}), {stylesheet});
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
