// The Scope Graph tab's entry point. TensorBoard loads the tab (bundle.js: this module and the
// ones it imports, bundled by esbuild, see package.json) in an iframe whose <base> is the
// plugin's route prefix and calls render().
//
// The first drawing is a chain of requests (the tab, the graph listing, the view's SVG), so
// everything that does not depend on something else starts here, when this module is
// evaluated, side by side: the stylesheet and the graph listing (on a first visit, with the
// first graph's view). As the plugin serves this module (its `tab.js` route), it comes with
// both: one statement before the bundle, `const SCOPEGRAPH_INLINE = {style, first}` (first:
// the `first` route's answer, or null), and nothing is asked for.

import {readLocation, rememberedGraph} from './location.js';
import {Model} from './model.js';
import {Tab} from './tab.js';

// Marks (performance.mark) time the way to the first drawing; bench/bench_browser.py reads them.
performance.mark('scopegraph:boot');
// Declared before the bundle by the plugin's `tab.js` route, if at all.
const inline = typeof SCOPEGRAPH_INLINE === 'object' ? SCOPEGRAPH_INLINE : {};
const stylesheet = inline.style != null ? addStyle(inline.style) : loadStylesheet();
// A first visit (no view in the link, none remembered here) shows the first graph's default
// view: the `first` route answers the listing and that view's SVG together, one round trip
// fewer. A linked or remembered view is asked for by the tab before the listing is in.
const firstVisit = !readLocation().graph && !rememberedGraph();
const model = new Model(inline.first ? {answer: inline.first, firstVisit} : startListing());

function startListing() {
  const started = fetch(firstVisit ? './first' : './graphs', {credentials: 'same-origin'});
  started.catch(() => {}); // The tab reports a failed listing when it reads it.
  return firstVisit ? {first: started} : {graphs: started};
}

let rendered = false;

export async function render() {
  // TensorBoard calls render() once per iframe; guard against a second call all the same.
  if (rendered) return;
  rendered = true;
  performance.mark('scopegraph:modules');
  const tab = new Tab(model, {stylesheet});
  await tab.start();
}

/** Adds the tab's stylesheet, given as text; resolves at once. */
function addStyle(text) {
  const style = document.createElement('style');
  style.textContent = text;
  document.head.append(style);
  return Promise.resolve();
}

/** Adds the tab's stylesheet; resolves once it has loaded (or failed, or after 3 s). */
function loadStylesheet() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  // Under the plugin's route prefix, the page's base (as the routes the model asks): this
  // module may be `static/bundle.js` or the plugin's `tab.js`.
  link.href = new URL('static/style.css', document.baseURI).href;
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, {once: true});
    link.addEventListener('error', resolve, {once: true});
    setTimeout(resolve, 3000);
  });
  document.head.append(link);
  return loaded;
}
