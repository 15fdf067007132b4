// Search: the names matching what is typed (a substring, or a regex), listed in the sidebar;
// picking one opens the groups it is in and centres its box. An answer that comes after the
// query changed is dropped (the model says Stale).

import {elementId} from './ids.js';
import {Stale} from './model.js';
import * as views from './views.js';

const TYPING_PAUSE_MS = 180;

export class Search {
  /**
   * `state`: the tab's (see state.js); this part writes `highlightId` (cleared with the
   * search). `calls`: show(request, placement), focusBox(id, holder), markHighlight().
   */
  constructor(state, ui, model, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.calls = calls;
    this.results = [];
    this.active = -1; // the result picked with the arrow keys
  }

  wire() {
    const ui = this.ui;
    let timer = 0;
    ui.searchInput.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.run(), TYPING_PAUSE_MS);
    });
    ui.searchInput.addEventListener('keydown', (e) => this.onKey(e));
    ui.regexToggle.addEventListener('click', () => {
      const on = ui.regexToggle.getAttribute('aria-pressed') !== 'true';
      ui.regexToggle.setAttribute('aria-pressed', String(on));
      this.run();
    });
    ui.searchResults.addEventListener('click', (e) => {
      const item = e.target.closest('.sg-result');
      if (item) this.pickResult(Number(item.dataset.index));
    });
  }

  regex() {
    return this.ui.regexToggle.getAttribute('aria-pressed') === 'true';
  }

  async run() {
    const ui = this.ui;
    const query = ui.searchInput.value.trim();
    if (!query || !this.state.graph) {
      this.model.cancelSearch();
      this.setResults([], '');
      return;
    }
    ui.searchStatus.textContent = 'Searching…';
    let results;
    try {
      results = await this.model.search(this.state.graph, query, this.regex());
    } catch (error) {
      if (error instanceof Stale) return;
      this.setResults([], error.message, true);
      return;
    }
    const note =
      results.length === 0
        ? 'No node matches.'
        : results.length >= 50
          ? 'First 50 matches.'
          : `${results.length} match${results.length === 1 ? '' : 'es'}.`;
    this.setResults(results, note);
  }

  setResults(results, note, isError = false) {
    this.results = results;
    this.active = -1;
    this.ui.searchResults.replaceChildren(
      ...views.searchResultItems(results, this.ui.searchInput.value)
    );
    this.ui.searchStatus.textContent = note;
    this.ui.searchStatus.classList.toggle('sg-error-text', isError);
  }

  onKey(event) {
    const n = this.results.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!n) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + n) % n;
      for (const item of this.ui.searchResults.children) {
        item.classList.toggle('sg-active', Number(item.dataset.index) === this.active);
      }
      const active = this.ui.searchResults.children[this.active];
      if (active) active.scrollIntoView({block: 'nearest'});
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (n) this.pickResult(Math.max(0, this.active));
    }
  }

  pickResult(index) {
    const result = this.results[index];
    if (!result) return;
    this.active = index;
    for (const item of this.ui.searchResults.children) {
      item.classList.toggle('sg-active', Number(item.dataset.index) === index);
    }
    const id = elementId(result.kind, result.name);
    const open = this.state.open;
    const reveal = result.reveal || [];
    const missing = reveal.filter((key) => !open.has(key));
    // The group holding it, whose title is shown with it (a rolled series' member found is
    // revealed by opening it too: its own key ends the list).
    const holder = reveal.filter((key) => key !== result.name).pop() || null;
    if (missing.length === 0) {
      this.calls.focusBox(id, holder);
      return;
    }
    this.calls.show({open: [...open, ...missing], depth: null}, {focus: id, holder});
  }

  clear() {
    this.ui.searchInput.value = '';
    this.model.cancelSearch();
    this.setResults([], '');
    this.state.highlightId = null;
    this.calls.markHighlight();
  }
}
