// The tab's theme: .sg-dark on its <html> when TensorBoard's page is dark (TensorBoard puts
// `dark-mode` on its <body>), or, outside TensorBoard, when the OS setting is.

/** TensorBoard's <body> when the tab is in TensorBoard's page (same origin), else null. */
function tensorBoardBody() {
  try {
    if (
      window.parent !== window &&
      window.parent.document.querySelector('tb-webapp, tf-tensorboard')
    ) {
      return window.parent.document.body;
    }
  } catch {
    // Not same-origin: nothing to follow but the OS.
  }
  return null;
}

const media = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Sets the theme as it is now. */
export function applyTheme(body = tensorBoardBody()) {
  const dark = body ? body.classList.contains('dark-mode') : media().matches;
  document.documentElement.classList.toggle('sg-dark', dark);
}

/** Sets the theme and follows it from now on. */
export function followTheme() {
  const body = tensorBoardBody();
  const apply = () => applyTheme(body);
  if (body) {
    new MutationObserver(apply).observe(body, {attributes: true, attributeFilter: ['class']});
  }
  media().addEventListener('change', apply);
  apply();
}
