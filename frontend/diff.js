// "Compare with…": the tab's diff mode. Picking a base graph (any graph of the listing, or
// the picked graph as written at an earlier step) shows the union of the two graphs instead of
// the picked one (the `diff` route), ops and scopes coloured added, removed, changed or the
// same, scope boxes summing up what changed inside them ("+12 −3 ~4"). The sidebar section
// holds the picker, a legend and the whole diff's op counts; hover cards gain the op's status
// and what changed, before and after.
//
// The tab's state (state.js) says what is compared (`base`: the graph compared against, or
// null); tab.js sets it, and calls fill(), decorate() and the counts; everything else about
// the diff lives here.

import {afterPaint, formatCount, graphLabel, h} from './views.js';

// The fills dot.py draws a diff with (colour.DIFF_FILLS), for the sidebar's legend.
const STATUS = [
  ['added', '#a5d6a7', 'Added'],
  ['removed', '#f0a1a1', 'Removed'],
  ['changed', '#ffcc80', 'Changed'],
  ['same', '#f5f5f5', 'Same'],
];
const CHANGES = ['added', 'removed', 'changed'];

/** Whether two bases ({run, kind, tag, step}: step null for the latest graph) are one. */
export function sameBase(a, b) {
  if (!a || !b) return !a && !b;
  return (
    a.run === b.run &&
    (a.kind || '') === (b.kind || '') &&
    (a.tag || '') === (b.tag || '') &&
    (a.step ?? null) === (b.step ?? null)
  );
}

function baseLabel(graph) {
  if (graph.step == null) return `${graph.run} · ${graphLabel(graph)}`;
  // The listing's op count is the latest graph's, not this step's.
  return `${graph.run} · ${graphLabel({...graph, op_count: null})} at step ${graph.step}`;
}

/** "12 added, 3 removed, 4 changed" for {added, removed, changed}, as the drawing says it;
 * '' when nothing differs. */
export function summary(counts) {
  return CHANGES.filter((status) => counts && counts[status])
    .map((status) => `${formatCount(counts[status])} ${status}`)
    .join(', ');
}

export class Compare {
  /**
   * Adds the "Compare with…" section to the tab's sidebar (`ui.sidebar`), after its Data
   * section (`ui.dataSection`). `state`: the tab's (see state.js), read only. `compareWith(base)`: the tab
   * compares the picked graph with `base` from now on (null: shows it alone).
   */
  constructor(state, ui, model, {compareWith}) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.compareWith = compareWith;
    this.options = [];
    this.steps = []; // earlier steps at which the picked graph was written
    this.stepsFor = null;
    this.countsSeq = 0;
    this.select = h('select', {
      class: 'sg-select',
      id: 'sg-compare',
      'aria-label': 'Compare with',
    });
    this.counts = h('div', {class: 'sg-diff-counts', role: 'status', hidden: true});
    // What became of a link's comparison that could not be made (its base is gone).
    this.note = h('p', {class: 'sg-help sg-diff-note', role: 'status', hidden: true});
    this.section = h(
      'section',
      {class: 'sg-section sg-diff'},
      h('h3', {class: 'sg-section-title', text: 'Compare'}),
      h(
        'label',
        {class: 'sg-field'},
        h('span', {class: 'sg-field-label', text: 'Compare with…'}),
        this.select
      ),
      this.note,
      this.counts
    );
    const first = ui.dataSection || ui.sidebar.querySelector('.sg-section');
    if (first) first.after(this.section);
    else ui.sidebar.prepend(this.section);
    this.select.addEventListener('change', () => {
      const index = Number(this.select.value);
      this.pick(index >= 0 ? this.options[index] : null);
    });
  }

  /**
   * The picker's choices: nothing, any other graph of the listing, and the picked graph as
   * written at each earlier step (asked for once per graph). The picked graph itself is left
   * out: a graph compared with itself is all "same".
   */
  fill() {
    const state = this.state;
    const key = state.graph && JSON.stringify([state.graph.run, state.graph.kind, state.graph.tag]);
    if (key && key !== this.stepsFor) {
      this.stepsFor = key;
      this.steps = [];
      this.stepsKnown = false;
      // Asked for once what is being drawn now is on screen: on a first visit the server
      // would read the graph's steps while the browser lays the drawing out.
      const graph = state.graph;
      afterPaint(() => this.loadSteps(graph, key));
    }
    const itself = state.graph && {...state.graph, step: null};
    this.options = state.graphs.filter((g) => !sameBase({...g, step: null}, itself));
    for (const step of this.steps) this.options.push({...state.graph, step});
    // A link's base at a step not (or not yet known to be) among the picked graph's steps: an
    // earlier step of the picked graph is listed only once the steps say it exists.
    const base = state.base;
    const unknownStep =
      base && base.step != null && this.stepsKnown && sameBase({...base, step: null}, itself);
    if (base && !unknownStep && !this.options.some((g) => sameBase(g, base))) {
      this.options.push(base);
    }
    const selected = base ? this.options.findIndex((g) => sameBase(g, base)) : -1;
    this.select.replaceChildren(
      h('option', {value: '-1', text: 'nothing (show the graph)'}),
      ...this.options.map((g, i) => h('option', {value: String(i), text: baseLabel(g)}))
    );
    this.select.value = String(selected);
    this.select.disabled = this.options.length === 0;
  }

  async loadSteps(graph, key) {
    if (key !== this.stepsFor) return; // another graph was picked meanwhile
    let steps;
    try {
      steps = await this.model.graphSteps(graph);
    } catch {
      return; // No earlier steps to offer; the other choices still work.
    }
    if (key !== this.stepsFor || !Array.isArray(steps)) return;
    // The latest is the graph itself.
    this.steps = steps.slice(0, -1).map((s) => s.step);
    this.stepsKnown = true;
    this.fill();
  }

  /** Compares the picked graph with `base` (null: back to the graph alone). */
  pick(base) {
    this.notify('');
    this.compareWith(base);
  }

  /** Says (or with '' stops saying) what became of a comparison a link asked for. */
  notify(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  /** The whole diff's op counts by status, in the sidebar; hidden without a base. */
  async refreshCounts() {
    const state = this.state;
    const seq = ++this.countsSeq;
    this.ui.root.classList.toggle('sg-diffing', Boolean(state.base));
    if (!state.base || !state.graph) {
      this.counts.hidden = true;
      this.counts.replaceChildren();
      return;
    }
    let answer;
    try {
      answer = await this.model.diffCounts(state.graph, state.base);
    } catch (error) {
      if (seq !== this.countsSeq) return;
      this.counts.replaceChildren(h('div', {class: 'sg-error-text', text: error.message}));
      this.counts.hidden = false;
      return;
    }
    if (seq !== this.countsSeq) return;
    this.counts.replaceChildren(...legendRows(answer.counts));
    this.counts.hidden = false;
  }

  /** A hover card's rows for the diff: status, and what changed (before → after). */
  decorate(content, details) {
    if (!this.state.base || !details || !details.status) return content;
    return [content[0], ...diffRows(details), ...content.slice(1)];
  }
}

function legendRows(counts) {
  const rows = STATUS.map(([status, colour, label]) =>
    h(
      'div',
      {class: 'sg-legend-row sg-diff-count', 'data-status': status},
      h('span', {class: 'sg-swatch', style: `background:${colour};border-color:#9e9e9e`}),
      h('span', {class: 'sg-diff-label', text: label}),
      h('span', {class: 'sg-diff-number', text: formatCount(counts[status] || 0)})
    )
  );
  rows.push(h('div', {class: 'sg-help sg-diff-help', text: 'Ops matched by full name.'}));
  return rows;
}

function diffRows(details) {
  const rows = [
    h(
      'div',
      {class: 'sg-kv sg-diff-status'},
      h('span', {class: 'sg-k', text: 'Diff'}),
      h('span', {
        class: `sg-v sg-diff-${details.status}`,
        text: details.diff
          ? `${details.status}: ` +
            [summary(details.diff), `${formatCount(details.diff.same)} same`]
              .filter(Boolean)
              .join(', ')
          : details.status,
      })
    ),
  ];
  for (const change of details.changes || []) rows.push(changeBlock(change));
  return rows;
}

/** One change of an op: its title ("Inputs changed") and what it was and is. */
function changeBlock(change) {
  const block = h(
    'div',
    {class: 'sg-card-block sg-diff-change'},
    h('div', {class: 'sg-card-block-title', text: changeTitle(change.what)})
  );
  if (change.what === 'inputs') {
    // The route lists the inputs removed ("− a, − b") and added ("+ c"), or says the order
    // changed; "(none)" on a side that lost or gained nothing.
    if (change.before === change.after) {
      block.append(h('div', {class: 'sg-help', text: change.before}));
      return block;
    }
    if (change.before !== '(none)') {
      block.append(h('div', {class: 'sg-diff-before sg-mono', text: change.before}));
    }
    if (change.after !== '(none)') {
      block.append(h('div', {class: 'sg-diff-after sg-mono', text: change.after}));
    }
    return block; // a long list ends "… 2,980 more"
  }
  block.append(
    h('div', {class: 'sg-diff-before sg-mono', text: `− ${change.before}`}),
    h('div', {class: 'sg-diff-after sg-mono', text: `+ ${change.after}`})
  );
  if (change.clipped) {
    block.append(h('div', {class: 'sg-help', text: `(clipped, ${formatCount(change.size)} long)`}));
  }
  return block;
}

function changeTitle(what) {
  if (what === 'inputs') return 'Inputs changed';
  if (what === 'op') return 'Op type changed';
  if (what.startsWith('attr:')) return `Attribute ${what.slice(5)} changed`;
  return `${what} changed`;
}
