import {
  Viewport,
  addStyle,
  afterPaint,
  applyTheme,
  buildShell,
  firstVisit,
  h,
  importGraphSvg,
  messageCard
} from "./static/shared.js";

// boot.js
performance.mark("scopegraph:boot");
var inline = typeof SCOPEGRAPH_INLINE === "object" ? SCOPEGRAPH_INLINE : {};
var tab = import(new URL("static/bundle.js", import.meta.url).href);
tab.catch(() => {
});
var rendered = false;
async function render() {
  if (rendered) return;
  rendered = true;
  const early = showEarly();
  if (early) await new Promise((resolve) => afterPaint(resolve));
  let module;
  try {
    module = await tab;
  } catch (error) {
    showLoadError(early, error);
    return;
  }
  module.start(inline, { early, styled: Boolean(early) });
}
function showEarly() {
  const view = inline.first && inline.first.view;
  if (inline.style == null || !view || !view.svg) return null;
  if (!firstVisit()) return null;
  let drawing;
  try {
    drawing = importGraphSvg(view.svg);
  } catch {
    return null;
  }
  const ui = showShell();
  ui.root.classList.add("sg-drawing-first", "sg-early");
  ui.root.dataset.state = "loading";
  const viewport = new Viewport(ui.viewport);
  viewport.size();
  drawing.svg.classList.remove("sg-graph");
  const sheet = h("div", { class: "sg-sheet" }, drawing.svg);
  ui.stage.append(sheet);
  viewport.setSvg(drawing.svg, drawing.bounds);
  viewport.overview();
  performance.mark("scopegraph:early");
  const release = () => viewport.release();
  return { ui, svg: drawing.svg, bounds: drawing.bounds, sheet, text: view.svg, release };
}
function showShell() {
  if (inline.style != null) addStyle(inline.style);
  applyTheme();
  const ui = buildShell();
  document.documentElement.classList.add("sg-document");
  document.body.append(ui.root);
  return ui;
}
function showLoadError(early, error) {
  const ui = early ? early.ui : showShell();
  ui.root.classList.remove("sg-drawing-first");
  ui.root.dataset.state = "error";
  ui.message.replaceChildren(
    messageCard({
      title: "Could not load the Scope Graph tab",
      text: `Its code (static/bundle.js) did not load: ${error && error.message}`,
      hint: "Is TensorBoard still running? Reload the page to try again."
    })
  );
  ui.message.hidden = false;
}
export {
  render
};
