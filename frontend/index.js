// The Scope Graph tab itself: this module and the ones it imports, bundled by esbuild into
// bundle.js (see build.mjs). TensorBoard loads boot.js (the plugin's `tab.js` route), which
// imports this bundle and calls start() with what the route put before it.
//
// The first drawing is a chain of requests (the tab, the graph listing, the view's SVG), so
// everything that does not depend on something else starts at once, side by side: the
// stylesheet and the graph listing (on a first visit, with the first graph's view). The
// plugin's `tab.js` route brings both: one statement before the module,
// `const SCOPEGRAPH_INLINE = {style, first}` (first: the `first` route's answer, or null),
// which boot.js passes on; then nothing is asked for.

import {firstVisit} from './location.js';
import {sheetArea} from './area.js';
import {Model, addArea} from './model.js';
import {Tab} from './tab.js';
import {addStyle} from './views.js';

let started = false;

/**
 * Starts the tab with what its module carried (`inline`: {style, first}, either may be
 * missing). `early`: the shell and drawing boot.js showed, which the tab takes over (see Tab),
 * or null; `styled`: the tab's stylesheet is in.
 */
export async function start(inline, {early = null, styled = false} = {}) {
  // boot.js starts the tab once; guard against a second start all the same.
  if (started) return;
  started = true;
  // Marks (performance.mark) time the way to the first drawing; bench/bench_browser.py reads them.
  performance.mark('scopegraph:modules');
  let stylesheet = Promise.resolve();
  if (!styled) stylesheet = inline.style != null ? addStyle(inline.style) : loadStylesheet();
  // A first visit (no view in the link, none remembered here) shows the first graph's default
  // view: the `first` route answers the listing and that view's SVG together, one round trip
  // fewer. A linked or remembered view is asked for by the tab before the listing is in.
  const first = firstVisit();
  const answer = inline.first;
  const model = new Model(answer ? {answer, firstVisit: first} : startListing(first));
  const tab = new Tab(model, {stylesheet, early});
  await tab.start();
}

function startListing(firstVisit) {
  // The first view is drawn for the sheet the shell will give it (see model.js, areaStep).
  const first = `./first?${addArea(new URLSearchParams(), sheetArea())}`;
  const started = fetch(firstVisit ? first : './graphs', {credentials: 'same-origin'});
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
