// The Scope Graph tab's first module, the one TensorBoard loads (in an iframe whose <base> is
// the plugin's route prefix) and calls render() on. The plugin's `tab.js` route serves it,
// bundled by esbuild into boot.bundle.js (see package.json), after one statement,
// `const SCOPEGRAPH_INLINE = {style, first}`: the stylesheet, and the graph listing with the
// first graph's default view when that was drawn ahead (see ScopeGraphPlugin.tab_module_impl).
//
// The tab itself (static/bundle.js: index.js and what it imports) is a module several times
// this size, and it builds and wires a whole shell before its first drawing. So on a first
// visit (no view in the link, none remembered here) whose view came with the module, this one
// shows that drawing at once, in the tab's shell as the tab lays it out and placed as the tab
// places it, while the tab is fetched; once it is in, the tab starts with that shell and
// drawing as its own (laid out already: nothing is made or laid out twice).

import {firstVisit} from './location.js';
import {applyTheme} from './theme.js';
import {Viewport} from './viewport.js';
import * as views from './views.js';

performance.mark('scopegraph:boot');
// Declared before this module by the plugin's `tab.js` route.
const inline = typeof SCOPEGRAPH_INLINE === 'object' ? SCOPEGRAPH_INLINE : {};
// Beside this module (the plugin's route prefix), asked for now, while this one draws.
const tab = import(new URL('static/bundle.js', import.meta.url).href);
tab.catch(() => {}); // render() says so

let rendered = false;

export async function render() {
  // TensorBoard calls render() once per iframe; guard against a second call all the same.
  if (rendered) return;
  rendered = true;
  const early = showEarly();
  // The tab starts once the drawing is on screen: its own start is work for the same thread.
  if (early) await new Promise((resolve) => views.afterPaint(resolve));
  let module;
  try {
    module = await tab;
  } catch (error) {
    showLoadError(early, error);
    return;
  }
  module.start(inline, {early, styled: Boolean(early)});
}

/**
 * On a first visit, the drawing the module came with, on screen in a shell of the tab's; what
 * the tab takes over (see Tab): {ui (views.buildShell's parts), svg, bounds, sheet, text (the
 * SVG's text), release (stops this module's pan and zoom)}; or null (nothing to show).
 */
function showEarly() {
  const view = inline.first && inline.first.view;
  if (inline.style == null || !view || !view.svg) return null;
  if (!firstVisit()) return null;
  let drawing;
  try {
    drawing = views.importGraphSvg(view.svg);
  } catch {
    return null; // the tab says what is wrong with it
  }
  // As the tab's display() puts its first drawing on screen (tab.js): the shell laid out
  // with its sidebar's contents and status line skipped, the drawing in a sheet, overview.
  const ui = showShell();
  ui.root.classList.add('sg-drawing-first', 'sg-early');
  ui.root.dataset.state = 'loading'; // until the tab takes over
  const viewport = new Viewport(ui.viewport);
  viewport.size();
  // Not the tab's drawing (svg.sg-graph): nothing here answers a hover or a click yet.
  drawing.svg.classList.remove('sg-graph');
  const sheet = views.h('div', {class: 'sg-sheet'}, drawing.svg);
  ui.stage.append(sheet);
  viewport.setSvg(drawing.svg, drawing.bounds);
  viewport.overview();
  performance.mark('scopegraph:early');
  const release = () => viewport.release();
  return {ui, svg: drawing.svg, bounds: drawing.bounds, sheet, text: view.svg, release};
}

/** The tab's shell (views.buildShell's parts) on the page, styled and in the page's theme. */
function showShell() {
  if (inline.style != null) views.addStyle(inline.style);
  applyTheme();
  const ui = views.buildShell();
  document.documentElement.classList.add('sg-document');
  document.body.append(ui.root);
  return ui;
}

/** The tab's module could not be loaded: say so, over the early drawing if there is one. */
function showLoadError(early, error) {
  const ui = early ? early.ui : showShell();
  ui.root.classList.remove('sg-drawing-first');
  ui.root.dataset.state = 'error';
  ui.message.replaceChildren(
    views.messageCard({
      title: 'Could not load the Scope Graph tab',
      text: `Its code (static/bundle.js) did not load: ${error && error.message}`,
      hint: 'Is TensorBoard still running? Reload the page to try again.',
    })
  );
  ui.message.hidden = false;
}
