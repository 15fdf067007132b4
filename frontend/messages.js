// What the tab says about itself: its state on the root (data-state, for styling and tests),
// the progress bar and the loading chip while a view is on its way, the message cards
// (errors, with the buttons that say what can be done about them), and the note after the
// status line saying how a name found is shown when it has no box of its own.

import {ApiError} from './model.js';
import {placeText, watchQueue} from './queued.js';
import * as views from './views.js';

const LOADING_CHIP_AFTER_MS = 500;

export class Messages {
  /**
   * `ui`: the shell's parts. `attach()`: puts the tab on screen (a message shows at once);
   * `comparing()`: whether a diff is asked for (its errors offer to stop comparing).
   */
  constructor(ui, {attach, comparing}) {
    this.ui = ui;
    this.attach = attach;
    this.comparing = comparing;
  }

  /** loading | ready | error | empty: on the app's root as data-state. */
  setState(state) {
    this.ui.root.dataset.state = state;
    // A new view on its way: the note was about the drawing it replaces.
    if (state === 'loading') this.noteFound('');
  }

  /**
   * Says `text` after the status line ('' clears it): as its data-note, shown by its style
   * (style/viewport.css), as the line's own text is written afresh with each drawing.
   */
  noteFound(text) {
    if (text) this.ui.status.dataset.note = text;
    else delete this.ui.status.dataset.note;
  }

  get state() {
    return this.ui.root.dataset.state;
  }

  setLoading(on, {chip = true} = {}) {
    const ui = this.ui;
    clearTimeout(this.loadingTimer);
    clearInterval(this.loadingTicker);
    if (this.stopWatching) this.stopWatching();
    this.stopWatching = null;
    ui.progress.hidden = !on;
    ui.viewport.classList.toggle('sg-busy', on);
    ui.loading.hidden = true;
    if (!on || !chip) return;
    const started = performance.now();
    this.loadingTimer = setTimeout(() => {
      let place = null; // where the view waits for a layout, while it does (queued.js)
      const tick = () =>
        ui.loading.replaceChildren(
          ...views.loadingChip(Math.floor((performance.now() - started) / 1000), place)
        );
      tick();
      ui.loading.hidden = false;
      this.loadingTicker = setInterval(tick, 1000);
      this.stopWatching = watchQueue((standing) => {
        place = placeText(standing);
        tick();
      });
    }, LOADING_CHIP_AFTER_MS);
  }

  /** Whether a message is on screen. */
  get showing() {
    return !this.ui.message.hidden;
  }

  hideMessage() {
    this.ui.message.hidden = true;
    this.ui.message.replaceChildren();
  }

  /** Shows `content` (elements) as the message. */
  showMessage(...content) {
    this.ui.message.replaceChildren(...content);
    this.ui.message.hidden = false;
    this.attach();
  }

  showError(error, {title, hint, actions = []}) {
    this.showMessage(views.messageCard({title, text: error.message, hint, actions}));
  }

  /**
   * The server's layout queue was full for a view: it is asked for again in `seconds`
   * (drawing.js counts down, calling this each second); Cancel stops that.
   */
  showBusy(seconds, hasGraph) {
    this.setState('error');
    const title = `Server busy: trying again in ${seconds} s`;
    const shown = this.ui.message.querySelector('.sg-message-busy .sg-message-title');
    if (shown && !this.ui.message.hidden) {
      shown.textContent = title;
      return;
    }
    const card = views.messageCard({
      title,
      // Not the server's message: its "try again in N s" would not count down with the title.
      text: 'Every layout worker is taken and the queue of drawings is full.',
      hint: hasGraph ? 'Cancel goes back to the last view.' : null,
      iconName: 'timer',
      actions: [{label: 'Cancel', action: 'cancel-retry'}],
    });
    card.classList.add('sg-message-busy');
    this.showMessage(card);
  }

  /** A view could not be shown; `hasGraph`: a drawing is on screen to go back to. */
  showRenderError(error, hasGraph) {
    this.setState('error');
    const back = hasGraph ? [{label: 'Back to the last view', action: 'back'}] : [];
    if (error instanceof ApiError && error.timeout) {
      this.showError(error, {
        title: 'This view takes too long to lay out',
        hint: 'Graphviz gave up on this many open groups. Close some scopes, or open fewer levels with "Open to depth".',
        actions: [{label: 'Close all scopes', action: 'close-all', primary: true}, ...back],
      });
      return;
    }
    const title =
      error instanceof ApiError && error.status
        ? 'The server could not draw this view'
        : 'Could not draw this view';
    // A comparison that cannot be made (its base step or run is gone, or it names the graph
    // itself): retrying or another view would fail the same way.
    const message = error instanceof ApiError ? String(error.message || '') : '';
    const badBase =
      this.comparing() &&
      ((error.status === 404 && message.startsWith('base graph')) ||
        (error.status === 400 && message.includes('same graph')));
    if (badBase) {
      const stop = [{label: 'Stop comparing', action: 'stop-comparing', primary: true}];
      this.showError(error, {title: 'Could not compare these graphs', actions: [...stop, ...back]});
      return;
    }
    const actions = [{label: 'Retry', action: 'retry', primary: true}, ...back];
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      actions.push({label: 'Default view', action: 'default-view'});
    }
    this.showError(error, {title, actions});
  }
}
