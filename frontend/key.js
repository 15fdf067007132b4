// The key of the drawing on screen, in the sidebar: each kind of mark the drawing holds (box
// kinds, boxes set apart, summary badges, rolled series, edge notes, a comparison's counts), with
// a small drawn sample and one line saying what it means. Marks the drawing lacks are left out,
// so the key stays short; it is read from the drawing's classes (drawing/dot.py and diffdot.py
// write them) and from its label lines, once per drawing put on screen.

import {h} from './views.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// The drawing's own colours (drawing/dot.py's styles), so a sample looks like the mark.
const OP = {fill: '#ffffff', stroke: '#757575'};
const SCOPE = {fill: '#e8eaf6', stroke: '#5c6bc0'};
const SERIES = {fill: '#e0f2f1', stroke: '#26a69a'};
const CHUNK = {fill: '#f5f5f5', stroke: '#9e9e9e'};
const OPEN = {fill: '#f7f8fc', stroke: '#9fa8da'};
const ASIDE = {fill: '#fafafa', stroke: '#9e9e9e', 'stroke-dasharray': '3 2'};
const LOOP = '#00897b';
const DIFF = {added: '#a5d6a7', removed: '#f0a1a1', changed: '#ffcc80'};

/** An SVG element of tag `tag` with attributes `attrs`. */
function s(tag, attrs = {}, text = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text != null) element.textContent = text;
  return element;
}

const ellipse = (style) => s('ellipse', {cx: 22, cy: 9, rx: 19, ry: 7, ...style});
const box = (style, r = 3) =>
  s('rect', {x: 3, y: 2, width: 38, height: 14, rx: r, 'stroke-width': 1.5, ...style});
const note = (text, fill = '#212121', weight = 400) =>
  s(
    'text',
    {x: 22, y: 13, 'text-anchor': 'middle', 'font-size': 10, 'font-weight': weight, fill},
    text
  );
// The summary badge takes the drawing's colour for it (style.css's --sg-badge).
const badge = () => {
  const text = note('● 2', '#212121', 700);
  text.setAttribute('style', 'fill: var(--sg-badge)');
  return text;
};
const arrow = (stroke, dashed = false) => [
  s('path', {
    d: 'M3 9H37',
    stroke,
    fill: 'none',
    'stroke-width': 1.5,
    ...(dashed ? {'stroke-dasharray': '3 2'} : {}),
  }),
  s('path', {d: 'M36 5L41 9L36 13Z', fill: stroke}),
];

// Each mark: whether drawing `svg` holds it (`nodes`: its box labels' lines, by box), its sample
// (shapes in a 44 x 18 box) and what it means.
const MARKS = [
  {
    name: 'op',
    has: (svg) => svg.querySelector('g.node.op:not(.auxiliary)'),
    sample: () => [ellipse(OP)],
    text: 'An op: click it for its card',
  },
  {
    name: 'scope',
    has: (svg) => svg.querySelector('g.node.scope:not(.auxiliary)'),
    sample: () => [box(SCOPE, 5)],
    text: 'A closed scope (name group): click to open it',
  },
  {
    name: 'series',
    has: (svg) => svg.querySelector('g.node.series'),
    sample: () => [
      s('rect', {x: 7, y: 1, width: 34, height: 12, ...SERIES}),
      s('rect', {x: 3, y: 4, width: 34, height: 12, ...SERIES}),
    ],
    text: 'A series of numbered siblings, such as AddN_[1-121]: click to open',
  },
  {
    name: 'chunk',
    has: (svg) => svg.querySelector('g.node.chunk'),
    sample: () => [box(CHUNK, 0)],
    text: 'Part of a very large scope, drawn in parts',
  },
  {
    name: 'open',
    has: (svg) => svg.querySelector('g.cluster:not(.rolled)'),
    sample: () => [box({...OPEN, 'stroke-width': 1}, 4)],
    text: 'An open group: click its frame or title to close it',
  },
  {
    name: 'auxiliary',
    has: (svg) => svg.querySelector('g.node.auxiliary'),
    sample: () => [ellipse(ASIDE)],
    text: 'Set apart from the main flow (initialisers, summaries, saving), as TensorBoard does',
  },
  {
    name: 'stub',
    has: (svg, lines) => lines.some((line) => /^[→←] /.test(line)),
    sample: () => [note('→ init', '#424242')],
    text: 'Edges to (→) or from (←) boxes set apart, named on the box instead of drawn',
  },
  {
    name: 'missing',
    has: (svg) => svg.querySelector('g.node.missing'),
    sample: () => [ellipse({fill: 'none', stroke: '#d32f2f', 'stroke-dasharray': '3 2'})],
    text: 'An input an op names that the graph does not hold',
  },
  {
    name: 'summaries',
    has: (svg) => svg.querySelector('.summarized'),
    sample: () => [badge()],
    text: 'Holds summaries (scalars, histograms…): hover for their latest values',
  },
  {
    name: 'rolled',
    has: (svg) => svg.querySelector('.rolled'),
    sample: () => [box({fill: '#f3faf9', stroke: '#80cbc4'}, 4), note('×5', LOOP)],
    text: 'Identical blocks drawn once, ×5 saying how many (teal frame)',
  },
  {
    name: 'loop',
    has: (svg) => svg.querySelector('g.edge.loop'),
    sample: () => arrow(LOOP),
    text: 'From each of the rolled blocks to the next (hover it: how many times)',
  },
  {
    name: 'edge',
    has: (svg) => svg.querySelector('g.edge.data:not(.loop)'),
    sample: () => arrow('#757575'),
    text: 'Tensors flowing from one box to the next',
  },
  {
    name: 'control',
    has: (svg) => svg.querySelector('g.edge.control'),
    sample: () => arrow('#bdbdbd', true),
    text: 'A control dependency: runs after, takes no tensor',
  },
  {
    name: 'edge-label',
    has: (svg) => svg.querySelector('g.edge.data:not(.loop) text'),
    sample: () => [note('[?,784]', '#616161')],
    text: 'An edge’s tensor shape (? a size known only when run), or how many tensors it carries',
  },
  {
    name: 'diff-added',
    has: (svg) => svg.querySelector('.diff-added'),
    sample: () => [box({fill: DIFF.added, stroke: '#5c6bc0'}, 5)],
    text: 'Added: only in the graph shown',
  },
  {
    name: 'diff-removed',
    has: (svg) => svg.querySelector('.diff-removed'),
    sample: () => [box({fill: DIFF.removed, stroke: '#5c6bc0'}, 5)],
    text: 'Removed: only in the graph compared with',
  },
  {
    name: 'diff-changed',
    has: (svg) => svg.querySelector('.diff-changed'),
    sample: () => [box({fill: DIFF.changed, stroke: '#5c6bc0'}, 5)],
    text: 'Changed, or holds changes',
  },
  {
    name: 'diff-counts',
    has: (svg, lines) => lines.some((line) => /^[\d,]+ (added|removed|changed)\b/.test(line)),
    sample: () => [note('1 added')],
    text: 'Ops inside: how many added, removed or changed',
  },
  {
    name: 'diff-mirrored',
    has: (svg, lines) => lines.some((line) => /^and [\d,]+ in /.test(line)),
    sample: () => [note('and 9 in', '#212121')],
    text: '“and 9 in train/gradients”: changes in gradient or optimizer ops that follow this scope’s, counted here instead of opened there',
  },
  {
    name: 'diff-mirror',
    has: (svg, lines) => lines.some((line) => /^[\d,]+ mirror /.test(line)),
    sample: () => [note('24 mirror', '#212121')],
    text: '“24 mirror changes in layer3”: of this gradient or optimizer scope’s changes, that many follow those forward scopes’',
  },
];

/** The lines of drawing `svg`'s box and frame labels. */
function labelLines(svg) {
  return [...svg.querySelectorAll('g.node > text, g.cluster > text, g.node > a > text')].map(
    (text) => text.textContent.trim()
  );
}

/** The names of the marks drawing `svg` holds, in the key's order. */
export function marksOf(svg) {
  const lines = labelLines(svg);
  return MARKS.filter((mark) => mark.has(svg, lines)).map((mark) => mark.name);
}

export class Key {
  /** Fills `section` (an empty element in the sidebar) with a collapsible key. */
  constructor(section) {
    this.section = section;
    this.list = h('div', {class: 'sg-key-list'});
    this.details = h(
      'details',
      {class: 'sg-key', open: true},
      h('summary', {class: 'sg-section-title', text: 'Key'}),
      this.list
    );
    section.replaceChildren(this.details);
    section.hidden = true;
  }

  /** Lists the marks drawing `svg` holds. */
  show(svg) {
    const names = new Set(marksOf(svg));
    const rows = MARKS.filter((mark) => names.has(mark.name)).map((mark) => {
      const sample = s('svg', {viewBox: '0 0 44 18', width: 44, height: 18, 'aria-hidden': 'true'});
      sample.classList.add('sg-key-sample');
      sample.append(...mark.sample());
      return h(
        'div',
        {class: 'sg-key-row', 'data-mark': mark.name},
        sample,
        h('span', {text: mark.text})
      );
    });
    this.list.replaceChildren(...rows);
    this.section.hidden = rows.length === 0;
  }
}
