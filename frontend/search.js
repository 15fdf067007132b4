// Search: the names matching what is typed (a substring, or a regex), listed in the sidebar;
// picking one opens the groups it is in (the first of them staying where its box was), then
// eases to its box, marked and readable (found.js). An answer that comes after the query
// changed is dropped (the model says Stale).

import {
  countedOn,
  cutTitles,
  drawnFor,
  focusView,
  framesAround,
  leaf,
  removeFrameTags,
  tagTitles,
} from './found.js';
import {elementId} from './ids.js';
import {Stale} from './model.js';
import * as views from './views.js';

const TYPING_PAUSE_MS = 180;

export class Search {
  /**
   * `state`: the tab's (see state.js); this part writes `highlightId` (cleared with the
   * search). `viewport`: the drawing's (viewport.js). `calls`: show(request, placement) (a
   * promise, settled once the view is on screen or given up), markHighlight(), note(text)
   * (says in the status line how a found name is shown; '' clears it).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.results = [];
    this.active = -1; // the result picked with the arrow keys
    this.picks = 0; // results picked so far: a pick's view that comes after the next is dropped
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

  async pickResult(index) {
    const result = this.results[index];
    if (!result) return;
    this.active = index;
    for (const item of this.ui.searchResults.children) {
      item.classList.toggle('sg-active', Number(item.dataset.index) === index);
    }
    const pick = ++this.picks;
    const open = this.state.open;
    const reveal = result.reveal || [];
    const missing = reveal.filter((key) => !open.has(key));
    if (missing.length) {
      // Only what holds it opens; the first group opened stays where its box is, its title
      // where the box's label was, and the view eases from there to the found box.
      // The depth field keeps what the reader set; its status says the view was opened
      // further to show the result (depth.js).
      const placement = {depth: {revealed: true}};
      const anchor = this.anchor(missing);
      if (anchor) placement.anchor = anchor;
      await this.calls.show({open: [...open, ...missing], depth: null}, placement);
      if (pick !== this.picks || this.ui.root.dataset.state === 'error') return;
    }
    await this.focus(result, pick, missing.length === 0);
  }

  /**
   * Where the first of groups `keys` drawn closed is on screen ({id, x, y}, the viewport's
   * pixels: drawing.js keepInPlace), or null when none is drawn.
   */
  anchor(keys) {
    const vp = this.viewport;
    if (!vp.svg) return null;
    for (const key of keys) {
      for (const kind of ['scope', 'series', 'chunk']) {
        const box = vp.svg.querySelector('g.node#' + CSS.escape(elementId(kind, key)));
        if (!box) continue;
        const r = vp.userRect(box);
        const at = vp.toScreen(r.x + r.w / 2, r.y + r.h / 2);
        return {id: box.id, x: at.x, y: at.y};
      }
    }
    return null;
  }

  /**
   * Marks what shows `result` in the drawing on screen (its box, or the box it is drawn as,
   * in or counted on, said in the status line) and eases the view to put it in the middle
   * of the window, the titles of the frames around it that are out of sight written in one
   * line at the top (found.js tagTitles); `stay`: the drawing is the one the pick was made
   * on, whose view is kept if it shows the box already.
   */
  async focus(result, pick, stay) {
    const vp = this.viewport;
    const svg = vp.svg;
    if (!svg) return;
    let found = drawnFor(svg, result);
    if (!found && result.kind === 'op') {
      // Not drawn at all: a variable handle counted on the box reading it.
      let details = null;
      try {
        details = await this.model.node(this.state.graph, result.name, null);
      } catch {
        // Cancelled by a hover's details, or not known: said below as not drawn.
      }
      if (pick !== this.picks || vp.svg !== svg) return;
      if (details) found = countedOn(svg, result.name, details);
    }
    if (!found) {
      this.state.highlightId = null;
      this.calls.markHighlight();
      this.calls.note(`${leaf(result.name)} is not drawn in this view`);
      return;
    }
    const {element, note} = found;
    this.state.highlightId = element.classList.contains('cluster')
      ? element.id.slice('cluster-'.length)
      : element.id;
    this.calls.markHighlight();
    this.calls.note(note || '');
    const rect = vp.userRect(element);
    // In the middle of the window; the titles of the frames around it that are out of the
    // window, as one line at its top.
    const view = focusView(vp, rect, null, {stay});
    removeFrameTags(svg);
    const cut = cutTitles(vp, framesAround(vp, rect, element), view);
    const tag = cut.length ? tagTitles(vp, cut, rect, view) : null;
    vp.keep = {svg, rects: tag ? [rect, vp.userRect(tag)] : [rect]};
    vp.go(view, true);
  }

  clear() {
    this.ui.searchInput.value = '';
    this.model.cancelSearch();
    this.setResults([], '');
    this.state.highlightId = null;
    this.calls.markHighlight();
    this.calls.note('');
    removeFrameTags(this.viewport.svg);
    this.viewport.keep = null;
  }
}
