// The banner above the drawing that says what was skipped or repaired to read the graph shown:
// one line, the details on demand (per kind: what was done, how often, the first names), a
// button that dismisses it until another graph is picked. The warnings are the routes'
// `warnings` (docs/http_api.md). The banner sits above the drawing's sheet, not over it: the
// sheet gives up its height.

import {h, icon, iconButton} from './views.js';

// What one of each kind of warning counts (reading/repair.py, `_KINDS`): the line adds up the
// counts of each unit.
const UNITS = {
  unreadable_bytes: ['byte range', 'byte ranges'],
  unreadable_part: ['part of the GraphDef', 'parts of the GraphDef'],
  unreadable_node: ['node', 'nodes'],
  unreadable_field: ['node field', 'node fields'],
  unreadable_attr: ['attribute', 'attributes'],
  no_name: ['node', 'nodes'],
  no_op: ['node', 'nodes'],
  duplicate_name: ['node', 'nodes'],
  bad_function: ['function', 'functions'],
  missing_input: ['input', 'inputs'],
};
const OTHER = ['part', 'parts'];

/**
 * The banner's one line for `warnings`: "3 nodes and 1 input were repaired or skipped while
 * reading this graph".
 */
export function summaryLine(warnings) {
  const counts = new Map();
  for (const w of warnings) {
    const [one, many] = UNITS[w.kind] || OTHER;
    const unit = counts.get(one) || {one, many, count: 0};
    unit.count += Number(w.count) || 0;
    counts.set(one, unit);
  }
  const parts = [...counts.values()].map((u) => `${u.count} ${u.count === 1 ? u.one : u.many}`);
  const listed =
    parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  const total = [...counts.values()].reduce((sum, u) => sum + u.count, 0);
  return `${listed} ${total === 1 ? 'was' : 'were'} repaired or skipped while reading this graph`;
}

export class Banner {
  /**
   * `element`: the shell's banner (views.buildShell's `banner`), empty and hidden; `model` asks
   * for a graph's warnings; `calls.shown(graph)`: the banner came for `graph` (the sheet below
   * it is shorter now). When it goes, the sheet grows and what was shown stays in it: nothing
   * to do.
   */
  constructor(element, model, calls) {
    this.element = element;
    this.model = model;
    this.calls = calls;
    this.graph = null;
    this.seq = 0;
  }

  /** Shows the warnings of `graph` (once the model has them), from now on in place of others'. */
  follow(graph) {
    const seq = ++this.seq;
    this.graph = graph;
    this.clear();
    this.model.warnings(graph).then(
      (warnings) => {
        if (seq === this.seq) this.show(warnings);
      },
      () => {} // The drawing says what went wrong with the graph, if anything did.
    );
  }

  /** Puts `warnings` in the banner; none hides it. */
  show(warnings) {
    if (!warnings || warnings.length === 0) {
      this.clear();
      return;
    }
    const close = iconButton('close', 'Dismiss', {class: 'sg-icon-button sg-banner-close'});
    close.addEventListener('click', () => this.clear());
    const kinds = warnings.map((w) =>
      h(
        'li',
        {class: 'sg-banner-kind', 'data-kind': w.kind},
        h('span', {class: 'sg-banner-message', text: w.message}),
        h('span', {class: 'sg-banner-count', text: ` (${w.count})`}),
        w.examples && w.examples.length
          ? h(
              'ul',
              {class: 'sg-banner-examples'},
              w.examples.map((name) => h('li', {text: name}))
            )
          : null
      )
    );
    this.element.replaceChildren(
      h(
        'div',
        {class: 'sg-banner-line'},
        icon('error'),
        h('span', {class: 'sg-banner-text', text: summaryLine(warnings)}),
        close
      ),
      h(
        'details',
        {class: 'sg-banner-details'},
        h('summary', {text: 'Details'}),
        h('ul', {class: 'sg-banner-kinds'}, kinds)
      )
    );
    const came = this.element.hidden;
    this.element.hidden = false;
    if (came) this.calls.shown(this.graph);
  }

  /** Hides the banner (until the next graph with warnings). */
  clear() {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.element.replaceChildren();
  }
}
