// The Scope Graph tab's boot: the module TensorBoard loads (in an iframe whose <base> is the
// plugin's route prefix) and calls render() on. This module and the ones it imports are bundled
// by esbuild into bundle.js (see build.mjs), one module with nothing more to fetch, which the
// plugin's `tab.js` route serves after one statement, `const SCOPEGRAPH_INLINE = {style,
// first}` (see WarmUp.tab_module): the stylesheet, and the `first` route's answer (the graph
// listing with the first graph's default view when that was drawn ahead), or null.
//
// The first drawing is a chain of requests (the tab, the graph listing, the view's SVG), so
// everything that does not depend on something else starts at once, side by side; with what
// the module carries, a first visit asks for nothing more.

import {firstVisit} from './location.js';
import {sheetArea} from './area.js';
import {Model, addArea} from './model.js';
import {clientHeaders} from './queued.js';
import {Tab} from './tab.js';
import {addStyle} from './views.js';

// Marks (performance.mark) time the way to the first drawing; bench/bench_browser.py reads them.
performance.mark('scopegraph:boot');
// Declared before this module by the plugin's `tab.js` route; missing when served without.
const inline = typeof SCOPEGRAPH_INLINE === 'object' ? SCOPEGRAPH_INLINE : {};

let rendered = false;

/** Starts the tab in the document's body (TensorBoard calls this once per iframe). */
export async function render() {
  // Guard against a second call all the same.
  if (rendered) return;
  rendered = true;
  const stylesheet = inline.style != null ? addStyle(inline.style) : loadStylesheet();
  // A first visit (no view in the link, none remembered here) shows the first graph's default
  // view: the `first` route answers the listing and that view's SVG together, one round trip
  // fewer. A linked or remembered view is asked for by the tab before the listing is in.
  const first = firstVisit();
  const answer = inline.first;
  const model = new Model(answer ? {answer, firstVisit: first} : startListing(first));
  const tab = new Tab(model, {stylesheet});
  await tab.start();
}

function startListing(firstVisit) {
  // The first view is drawn for the sheet the shell will give it (see model.js, areaStep).
  const first = `./first?${addArea(new URLSearchParams(), sheetArea())}`;
  const init = {credentials: 'same-origin', headers: clientHeaders()};
  const started = fetch(firstVisit ? first : './graphs', init);
  started.catch(() => {}); // The tab reports a failed listing when it reads it.
  return firstVisit ? {first: started} : {graphs: started};
}

/** Adds the tab's stylesheet; resolves once it has loaded (or failed, or after 3 s). */
function loadStylesheet() {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  // Under the plugin's route prefix, the page's base (as the routes the model asks).
  link.href = new URL('static/style.css', document.baseURI).href;
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, {once: true});
    link.addEventListener('error', resolve, {once: true});
    setTimeout(resolve, 3000);
  });
  document.head.append(link);
  return loaded;
}
