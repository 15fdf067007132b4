// Builds the DOM of the cards over the drawing: an op's details, a group's, the summaries a
// box holds, an edge's tip. Nothing here fetches or keeps state; cards.js fills the card.
// Every string that comes from a graph is set with textContent (or as an attribute value),
// never parsed as HTML.

import {formatValue, histogram, sparkline} from './charts.js';
import {NO_TRACE_IN_DIFF, chip, formatCount, h, iconButton, shortName} from './views.js';

function cardHeader(title, chips, pinned) {
  const header = h(
    'div',
    {class: 'sg-card-header'},
    h('div', {class: 'sg-card-title', text: title}),
    h('div', {class: 'sg-card-chips'}, chips)
  );
  if (pinned)
    header.append(
      iconButton('close', 'Close', {class: 'sg-icon-button sg-card-close', 'data-action': 'unpin'})
    );
  return header;
}

function kv(label, value, cls = '') {
  return h(
    'div',
    {class: 'sg-kv'},
    h('span', {class: 'sg-k', text: label}),
    h('span', {class: `sg-v ${cls}`, text: value})
  );
}

function block(title, ...rows) {
  return h(
    'div',
    {class: 'sg-card-block'},
    h('div', {class: 'sg-card-block-title', text: title}),
    ...rows
  );
}

function tensorRow(name, dtype, shape, cls = '') {
  return h(
    'div',
    {class: `sg-tensor ${cls}`},
    h('span', {class: 'sg-tensor-name', text: name, title: name}),
    h('span', {class: 'sg-tensor-type', text: [dtype, shape].filter(Boolean).join(' ')})
  );
}

/** "to a, b and 3 more": where an output goes. */
function consumersLine(consumers, pinned) {
  if (!consumers || !consumers.length) return null;
  const shown = pinned ? consumers : consumers.slice(0, 2);
  const more = consumers.length - shown.length;
  const text = `→ ${shown.join(', ')}${more ? ` and ${more} more` : ''}`;
  return h('div', {class: 'sg-consumers', text});
}

const SHOWN = 8;

function limited(rows, pinned, what) {
  if (pinned || rows.length <= SHOWN) return rows;
  const more = h('div', {
    class: 'sg-more',
    text: `… ${rows.length - SHOWN} more ${what} (click to pin the card)`,
  });
  return [...rows.slice(0, SHOWN), more];
}

// Op types that hold, fetch or pass values on rather than compute them: constants, variable
// reads, identities, PyTorch's argument lists and attribute reads, shape arithmetic. A card
// lists them after the types that compute, so its first line says what the group does.
const PLUMBING = new Set([
  'Const',
  'Identity',
  'IdentityN',
  'NoOp',
  'Placeholder',
  'PlaceholderWithDefault',
  'ReadVariableOp',
  'VarHandleOp',
  'VariableV2',
  'variable handle',
  'StopGradient',
  'Shape',
  'prim::Constant',
  'prim::GetAttr',
  'prim::ListConstruct',
  'prim::ListUnpack',
  'prim::TupleConstruct',
  'prim::TupleUnpack',
  'prim::NumToTensor',
  'aten::Int',
  'aten::size',
]);

/** Whether op type `op` is plumbing (PLUMBING), not computing. */
export function isPlumbing(op) {
  return PLUMBING.has(op);
}

/**
 * A group's op types ({type: count}) as [type, count] pairs: those that compute first, then
 * the plumbing (PLUMBING); each part most first, then by name.
 */
export function orderedTypes(opTypes) {
  return Object.entries(opTypes || {}).sort(
    (a, b) => isPlumbing(a[0]) - isPlumbing(b[0]) || b[1] - a[1] || a[0].localeCompare(b[0])
  );
}

function typeClass(op, base) {
  return isPlumbing(op) ? `${base} sg-optype-plumbing` : base;
}

/** A pinned group card's op types ([type, count], computing first): a bar each. */
function typeBars(types) {
  const top = Math.max(...types.map(([, n]) => n));
  return types.map(([op, n]) =>
    h(
      'div',
      {class: typeClass(op, 'sg-optype')},
      h('span', {class: 'sg-optype-name', text: op}),
      h(
        'span',
        {class: 'sg-optype-bar'},
        h('span', {style: `width:${Math.max(4, (100 * n) / top)}%`})
      ),
      h('span', {class: 'sg-optype-count', text: formatCount(n)})
    )
  );
}

/**
 * A hover card's op types: the first SHOWN as one wrapped line ("MatMul 1 · Const 6"), a few
 * lines where bars took a line each, and how many more a pinned card lists.
 */
function typeLine(types, kinds) {
  const items = types
    .slice(0, SHOWN)
    .map(([op, n]) =>
      h(
        'span',
        {class: typeClass(op, 'sg-optype-item')},
        h('span', {class: 'sg-optype-name', text: op}),
        ` ${formatCount(n)}`
      )
    );
  // Breaks fall between the items (each stays whole), at their separators.
  const line = items.flatMap((item, i) =>
    i ? [h('span', {class: 'sg-optype-sep', text: ' · '}), item] : [item]
  );
  const rows = [h('div', {class: 'sg-optype-line'}, ...line)];
  const more = types.length - SHOWN;
  if (more > 0) {
    rows.push(h('div', {class: 'sg-more', text: `… ${more} more ${kinds} (Shift+click to pin)`}));
  }
  return rows;
}

/** A card for one op's details from the `node` route. */
export function opCard(details, {pinned = false} = {}) {
  const card = [
    cardHeader(shortName(details.name), [chip(details.op || 'op', 'sg-chip-op')], pinned),
  ];
  card.push(kv('Name', details.name, 'sg-mono'));
  if (details.device) card.push(kv('Device', details.device, 'sg-mono'));
  const outputs = details.outputs || [];
  if (outputs.length) {
    const rows = outputs.map((o) => [
      tensorRow(o.name, o.dtype, o.shape),
      consumersLine(o.consumers, pinned),
    ]);
    card.push(block('Outputs', limited(rows, pinned, 'outputs')));
  }
  const inputs = details.inputs || [];
  if (inputs.length) {
    const rows = inputs.map((i) =>
      i.control
        ? // The route names a control input as the graph does, "^name".
          tensorRow(i.name, '', 'control', 'sg-control')
        : tensorRow(i.name, i.dtype, i.shape)
    );
    card.push(block('Inputs', limited(rows, pinned, 'inputs')));
  }
  const controlled = details.control_outputs || [];
  if (controlled.length) {
    const rows = controlled.map((name) => tensorRow('^' + name, '', '', 'sg-control'));
    card.push(block('Control outputs', limited(rows, pinned, 'control outputs')));
  }
  const attrs = Object.entries(details.attrs || {}).filter(([key]) => key !== '_output_shapes');
  if (attrs.length) {
    attrs.sort(([a], [b]) => a.localeCompare(b));
    const rows = attrs.map(([key, attr]) => {
      const value = attr && typeof attr === 'object' ? attr.value : String(attr);
      const clipped = attr && attr.clipped ? ` … (${formatCount(attr.size)} bytes)` : '';
      return kv(key, `${value}${clipped}`, 'sg-mono');
    });
    card.push(block('Attributes', limited(rows, pinned, 'attributes')));
  }
  card.push(traceButtons(pinned));
  return card;
}

/** Buttons that trace an op's paths (in a pinned card), or how to get them. */
function traceButtons(pinned) {
  if (!pinned) {
    return h(
      'div',
      {class: 'sg-card-hint'},
      h('span', {class: 'sg-no-diff', text: 'Click to pin, and trace its paths'}),
      h('span', {class: 'sg-diff-only', text: 'Click to pin'})
    );
  }
  const button = (direction, text) =>
    h('button', {
      type: 'button',
      class: 'sg-button sg-outlined sg-trace-button',
      'data-action': 'trace',
      'data-direction': direction,
      text,
    });
  return block(
    'Trace paths',
    h('p', {class: 'sg-help sg-diff-only sg-no-trace', text: NO_TRACE_IN_DIFF}),
    h(
      'div',
      {class: 'sg-row sg-no-diff'},
      button('in', 'Inputs'),
      button('out', 'Outputs'),
      button('both', 'Both')
    )
  );
}

/**
 * "1 of N identical blocks", and which, from a group's `structure` details: the others in one
 * compact line (numbered siblings as a range, "Block[1-11]"). Nothing when `rolled` (its
 * `rolled` details) says the same: the block is one of a series, counted there.
 */
function structureRows(structure, rolled, pinned) {
  if (!structure || !(structure.identical > 1)) return [];
  if (rolled && rolled.member && rolled.blocks === structure.identical) return [];
  const others = structure.others || [];
  const names = compactNames(others).map((name, i) =>
    h('span', {class: 'sg-block-name sg-mono', text: (i ? ', ' : '') + name})
  );
  const shown = pinned ? names : names.slice(0, SHOWN);
  const more = (structure.more || 0) + (names.length - shown.length);
  if (more) shown.push(h('span', {class: 'sg-more', text: ` and ${formatCount(more)} more`}));
  return [
    h('div', {
      class: 'sg-identical',
      text: `1 of ${formatCount(structure.identical)} identical blocks`,
    }),
    h(
      'div',
      {class: 'sg-block-names', title: others.join('\n')},
      h('span', {text: 'with '}),
      shown
    ),
  ];
}

/**
 * Full names, shortened to what tells them apart: the path they share left out (unless they
 * share all but nothing), and names that differ only in one number merged into a range
 * ("Block[1]", "Block[2]", "Block[3]" → "Block[1-3]"), in the order given.
 */
export function compactNames(names) {
  if (!names.length) return [];
  const parents = names.map((n) => n.slice(0, n.lastIndexOf('/') + 1));
  const shared = parents.every((p) => p === parents[0]) ? parents[0] : '';
  const numbered = /^(.*?)(\d+)(\D*)$/;
  const out = [];
  let run = null; // {head, tail, first, last}: numbered names in a row
  const flush = () => {
    if (!run) return;
    const span = run.first === run.last ? `${run.first}` : `${run.first}-${run.last}`;
    out.push(`${run.head}${span}${run.tail}`);
    run = null;
  };
  for (const name of names) {
    const short = name.slice(shared.length);
    const m = numbered.exec(short);
    if (m && run && run.head === m[1] && run.tail === m[3] && Number(m[2]) === run.last + 1) {
      run.last += 1;
      continue;
    }
    flush();
    if (m && String(Number(m[2])) === m[2]) {
      run = {head: m[1], tail: m[3], first: Number(m[2]), last: Number(m[2])};
    } else out.push(short);
  }
  flush();
  return out;
}

/**
 * What rolling does to a series of identical blocks, or to one of its blocks (a group's
 * `rolled` details: {series, blocks, members} or {series, blocks, member}, with `variables`
 * when its blocks write variables: the member's, or each member's): how many it holds,
 * and, pinned, a button that unrolls it (or rolls it up again) and a list of its blocks that
 * opens the one picked in place of the block drawn for all.
 */
function rolledRows(rolled, {pinned, unrolled}) {
  if (!rolled || !(rolled.blocks > 1)) return [];
  const count = formatCount(rolled.blocks);
  const text = rolled.member
    ? `1 of ${count} identical blocks, ${shortName(rolled.series)}`
    : unrolled
      ? `${count} identical blocks, drawn one by one`
      : `×${count} identical blocks, drawn once`;
  const rows = [h('div', {class: 'sg-rolled-line', text, title: rolled.series})];
  // The variables a block writes (an optimizer's per-variable updates): what tells it apart.
  if (rolled.member && rolled.variables?.length) {
    rows.push(
      h('div', {class: 'sg-rolled-variables', text: `Updates ${rolled.variables.join(', ')}`})
    );
  }
  if (!pinned) {
    rows.push(h('div', {class: 'sg-more', text: 'Shift+click to pin: unroll, or open one block'}));
    return rows;
  }
  const toggle = h('button', {
    type: 'button',
    class: 'sg-button sg-outlined sg-unroll-button',
    'data-action': 'unroll',
    'data-series': rolled.series,
    'data-unroll': unrolled ? '0' : '1',
    text: unrolled ? 'Roll up' : 'Unroll',
  });
  const controls = [toggle];
  if (rolled.members) {
    // Every block by name: the one picked is opened and drawn for all.
    const written = rolled.variables || [];
    const options = rolled.members.map((name, i) =>
      h('option', {
        value: name,
        text: `${i}: ${name}` + (written[i]?.length ? ` (updates ${written[i].join(', ')})` : ''),
      })
    );
    const picker = h(
      'select',
      {
        class: 'sg-select sg-member-picker',
        'data-action': 'member',
        'data-series': rolled.series,
        'aria-label': 'Open one block',
      },
      h('option', {value: '', text: 'Open one block…'}),
      options
    );
    controls.push(picker);
  }
  rows.push(h('div', {class: 'sg-row sg-rolled-controls'}, controls));
  return [block('Identical blocks', rows)];
}

const GROUP_LABELS = {scope: 'scope', series: 'series', chunk: 'chunk'};

/**
 * A card for a scope, series or chunk: op counts by type and parameters. `unrolled`: the
 * series it is (or is a block of) is drawn unrolled; `layers`: its ops are a Keras model's
 * layers (a conceptual graph).
 */
export function groupCard(
  details,
  {open = false, pinned = false, unrolled = false, layers = false} = {}
) {
  const card = [
    cardHeader(
      shortName(details.name),
      [
        chip(GROUP_LABELS[details.kind] || details.kind, `sg-chip-${details.kind}`),
        open ? chip('open', 'sg-chip-open') : null,
      ],
      pinned
    ),
  ];
  // The full name, where the title (its last part) does not say it all.
  if (details.name !== shortName(details.name)) card.push(kv('Name', details.name, 'sg-mono'));
  // What the counts count: every op inside, at any depth (a Keras model's are layers), and
  // what it holds one level down, its own ops and the groups directly in it.
  const unit = layers ? 'Layers' : 'Ops';
  card.push(kv(`${unit} inside`, `${formatCount(details.op_count)}, at any depth`));
  if (details.child_count != null) {
    const what = layers ? 'layers and groups' : 'ops and scopes';
    card.push(kv('One level down', `${formatCount(details.child_count)} ${what}`));
  }
  if (details.parameters) card.push(kv('Parameters', formatCount(details.parameters)));
  else if (details.variables_read) {
    // A traced function's variables come as handles: their number is known, not their sizes.
    const n = details.variables_read;
    card.push(kv('Variables', `reads ${formatCount(n)}; sizes not in this graph`));
  }
  card.push(...rolledRows(details.rolled, {pinned, unrolled}));
  card.push(...structureRows(details.structure, details.rolled, pinned));
  const types = orderedTypes(details.op_types);
  if (types.length) {
    const title = layers ? 'Layer types' : 'Op types';
    const kinds = layers ? 'layer types' : 'op types';
    card.push(block(title, ...(pinned ? typeBars(types) : typeLine(types, kinds))));
  }
  card.push(
    h('div', {
      class: 'sg-card-hint',
      text: open
        ? 'Click its outline or title to close it, Shift+click to pin this card'
        : 'Click to open, Shift+click to pin this card',
    })
  );
  return card;
}

// Summaries a hover card shows (a pinned card shows them all).
const HOVER_SUMMARIES = 3;

/** A summary's first line: its tag, and on the right what `aside` says of it. */
function summaryHead(tag, aside) {
  return h(
    'div',
    {class: 'sg-summary-head'},
    h('span', {class: 'sg-summary-tag', text: tag, title: tag}),
    aside
  );
}

// A hover card's charts: one line each, beside the tag (a pinned card draws them full size,
// with their range), so a card shows its box's summaries in a few lines, not a column of
// charts covering the boxes round it.
const COMPACT_CHART = {width: 64, height: 16};

/**
 * The card's block for the summaries at or inside a box (the `summaries` route's answer):
 * each scalar's latest value with a sparkline, each histogram's latest buckets as bars; in a
 * hover card (not `pinned`) each on one line, its chart small.
 */
export function summariesBlock(answer, {pinned = false, pinWith = 'click'} = {}) {
  const rows = [];
  const size = pinned ? {} : COMPACT_CHART;
  const kind = pinned ? 'sg-summary' : 'sg-summary sg-summary-compact';
  for (const scalar of answer.scalars || []) {
    const latest = scalar.value != null ? formatValue(scalar.value) : scalar.value_text || '—';
    const value = h('span', {class: 'sg-summary-value', text: latest});
    const chart = sparkline(scalar.steps, scalar.values, size);
    const step = h('div', {class: 'sg-summary-step', text: `step ${formatCount(scalar.step)}`});
    const parts = pinned
      ? [summaryHead(scalar.tag, value), chart, step]
      : [summaryHead(scalar.tag, h('span', {class: 'sg-summary-aside'}, chart, value))];
    rows.push(h('div', {class: `${kind} sg-summary-scalar`, 'data-tag': scalar.tag}, ...parts));
  }
  for (const hist of answer.histograms || []) {
    const buckets = hist.buckets || [];
    const lo = buckets.length ? buckets[0][0] : null;
    const hi = buckets.length ? buckets[buckets.length - 1][1] : null;
    const step = h('span', {class: 'sg-summary-step', text: `step ${formatCount(hist.step)}`});
    const chart = histogram(buckets, size);
    const parts = pinned
      ? [
          summaryHead(hist.tag, step),
          chart,
          h(
            'div',
            {class: 'sg-summary-range'},
            h('span', {text: formatValue(lo)}),
            h('span', {text: formatValue(hi)})
          ),
        ]
      : [summaryHead(hist.tag, h('span', {class: 'sg-summary-aside'}, chart))];
    rows.push(h('div', {class: `${kind} sg-summary-histogram`, 'data-tag': hist.tag}, ...parts));
  }
  if (!rows.length) return null;
  // A hover card shows a few (charts are tall: more would push the card's other sections
  // out of sight); a pinned one shows them all and scrolls.
  let shown = rows;
  let more = answer.more || 0;
  if (!pinned && rows.length > HOVER_SUMMARIES) {
    shown = rows.slice(0, HOVER_SUMMARIES);
    more += rows.length - HOVER_SUMMARIES;
  }
  if (more) {
    const text = pinned ? `… ${more} more` : `+${more} more: ${pinWith} to pin`;
    shown.push(h('div', {class: 'sg-more sg-summaries-more', text}));
  }
  return h(
    'div',
    {class: 'sg-card-block sg-summaries'},
    h('div', {class: 'sg-card-block-title', text: 'Summaries'}),
    ...shown
  );
}

export function loadingCard(name) {
  return [
    cardHeader(shortName(name), []),
    kv('Name', name, 'sg-mono'),
    h('div', {class: 'sg-card-hint', text: 'Loading details…'}),
  ];
}

export function errorCardContent(name, message) {
  return [cardHeader(shortName(name), []), h('div', {class: 'sg-card-error', text: message})];
}

/** The edge's tooltip text (from Graphviz's xlink:title), one line per tensor. */
export function edgeTip(text) {
  const lines = text.split('\n');
  return [
    h('div', {class: 'sg-tip-title', text: lines[0]}),
    ...lines.slice(1).map((line) => h('div', {class: 'sg-tip-line', text: line})),
  ];
}
