// The colour picker: what the boxes are filled by (the `colour` of a view), which colourings
// the graph picked has data for (asked once per graph; one without is disabled, its reason said
// under the picker), and the legend of the drawing on screen, in the sidebar.

import {sameGraph} from './state.js';
import * as views from './views.js';

// The colourings a graph may have no data for (op types it always has; identical blocks are
// looked for in whatever is open), and why a graph has none.
const NEEDS_PROFILE = 'this graph has no profile (step stats)';
const REASONS = {
  device: 'no op of this graph names a device',
  compute: NEEDS_PROFILE,
  memory: NEEDS_PROFILE,
};
// The graph kinds that carry a profile.
const PROFILED_KINDS = ['profile', 'run_metadata', 'tagged_run_metadata'];

export class Colouring {
  /**
   * `state`: the tab's (see state.js); this part writes `colour`. `calls`: show(request,
   * placement) draws the view on screen again, in the colouring picked.
   */
  constructor(state, ui, model, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.calls = calls;
    this.known = new Map(); // graph key -> {colouring: reason it is disabled, or null}
    this.labels = new Map(
      [...ui.colourSelect.options].map((option) => [option.value, option.textContent])
    );
  }

  wire() {
    // The legend goes right under the picker, before the notes on colourings without data:
    // at 1,400x900 the Colour section starts low in the sidebar, and a legend after the notes
    // ran past the window's bottom.
    this.ui.colourSelect.after(this.ui.colourLegend);
    this.ui.colourSelect.addEventListener('change', () => this.pick(this.ui.colourSelect.value));
  }

  pick(colour) {
    this.revealLegend = Boolean(colour); // the legend of the drawing it gives is scrolled to
    this.state.colour = colour;
    this.ui.colourSelect.value = colour;
    this.calls.show({open: [...this.state.open], depth: null}, {});
  }

  /**
   * Disables the colourings `graph` has no data for, saying why; asks the server once per
   * graph (the `view` route says which colourings have data, or the first view brought it).
   */
  async check(graph) {
    const key = JSON.stringify([graph.run, graph.kind, graph.tag]);
    let reasons = this.known.get(key);
    if (!reasons) {
      this.apply({}); // until it is known, nothing is disabled
      let found;
      try {
        found = await this.model.colourings(graph);
      } catch {
        return; // Not known: every colouring stays on offer.
      }
      reasons = {};
      for (const colouring of Object.keys(REASONS)) {
        reasons[colouring] = found.includes(colouring) ? null : REASONS[colouring];
      }
      this.known.set(key, reasons);
    }
    if (!sameGraph(graph, this.state.graph)) return;
    this.apply(reasons, graph);
    if (reasons[this.state.colour]) this.pick('');
  }

  /** Disables the colourings `reasons` names, and says why under the picker. */
  apply(reasons, graph = null) {
    const lines = new Map();
    for (const option of this.ui.colourSelect.options) {
      const reason = reasons[option.value] || null;
      option.disabled = Boolean(reason);
      const label = this.labels.get(option.value);
      option.textContent = reason ? `${label}: no data` : label;
      option.title = reason ? `${label}: ${reason}.` : '';
      if (reason) lines.set(reason, [...(lines.get(reason) || []), label.replace(/ \(.*/, '')]);
    }
    const notes = [...lines].map(([reason, labels]) => {
      let text = `${labels.join(', ')}: ${reason}`;
      if (reason === NEEDS_PROFILE && graph) text += this.profileHint(graph);
      return views.h('p', {class: 'sg-help sg-colour-why', text: text + '.'});
    });
    this.ui.colourWhy.replaceChildren(...notes);
  }

  /** Where a profile of `graph`'s run can be found, if the listing has one: ''. */
  profileHint(graph) {
    const profiled = this.state.graphs.find(
      (g) => g.run === graph.run && PROFILED_KINDS.includes(g.kind) && !sameGraph(g, graph)
    );
    return profiled
      ? `; its run's “${views.graphLabel({...profiled, op_count: null})}” has one`
      : '';
  }

  /** The legend of drawing `svg` in the sidebar (a diff's is in the Compare section). */
  showLegend(svg) {
    const rows = this.state.base ? [] : views.colourLegendRows(svg);
    const legend = this.ui.colourLegend;
    legend.replaceChildren(...rows);
    legend.hidden = rows.length === 0;
    // Once, for the colouring just picked: its legend in the sidebar's view, whole.
    if (this.revealLegend && rows.length) legend.scrollIntoView({block: 'nearest'});
    this.revealLegend = false;
  }
}
