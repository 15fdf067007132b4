// Builds the tab's DOM: its shell, the pickers, the colour legend, the search results,
// messages and status lines (the cards' content: cardviews.js; the drawing taken in from the
// server's SVG: svgimport.js, re-exported here). Nothing here fetches or keeps state; the tab's
// parts wire events. Every string that comes from a graph is set with textContent (or as an
// attribute value), never parsed as HTML.

import {legendEntries} from './svgimport.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

// Material icons (Apache License 2.0), 24x24 path data.
const ICONS = {
  add: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z',
  remove: 'M19 13H5v-2h14v2z',
  fit: 'M15 3l2.3 2.3-2.89 2.87 1.42 1.42L18.7 6.7 21 9V3zM3 9l2.3-2.3 2.87 2.89 1.42-1.42L6.7 5.3 9 3H3zm6 12l-2.3-2.3 2.89-2.87-1.42-1.42L5.3 17.3 3 15v6zm12-6l-2.3 2.3-2.87-2.89-1.42 1.42 2.89 2.87L15 21h6z',
  search:
    'M15.5 14h-.79l-.28-.27C15.41 12.59 16 11.11 16 9.5 16 5.91 13.09 3 9.5 3S3 5.91 3 9.5 5.91 16 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z',
  close:
    'M19 6.41L17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
  download: 'M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2H5z',
  unfoldLess:
    'M7.41 18.59L8.83 20 12 16.83 15.17 20l1.41-1.41L12 14l-4.59 4.59zm9.18-13.18L15.17 4 12 7.17 8.83 4 7.41 5.41 12 10l4.59-4.59z',
  unfoldMore:
    'M12 5.83L15.17 9l1.41-1.41L12 3 7.41 7.59 8.83 9 12 5.83zm0 12.34L8.83 15l-1.41 1.41L12 21l4.59-4.59L15.17 15 12 18.17z',
  error:
    'M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-2h2v2zm0-4h-2V7h2v6z',
  graph:
    'M17 16l-4-4V8.82C14.16 8.4 15 7.3 15 6c0-1.66-1.34-3-3-3S9 4.34 9 6c0 1.3.84 2.4 2 2.82V12l-4 4H3v5h5v-3.05l4-4.2 4 4.2V21h5v-5h-4z',
  timer:
    'M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61l1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42C16.07 4.74 14.12 4 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z',
};

/** document.createElement with a class, attributes and children (strings become text). */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

export function icon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'sg-icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

export function iconButton(name, title, props = {}) {
  return h(
    'button',
    {type: 'button', class: 'sg-icon-button', title, 'aria-label': title, ...props},
    icon(name)
  );
}

function section(title, ...children) {
  return h(
    'section',
    {class: 'sg-section'},
    h('h3', {class: 'sg-section-title', text: title}),
    ...children
  );
}

// What a view can be coloured by (the `colour` query parameter) and its label.
const COLOURINGS = [
  ['', 'No colours'],
  ['op', 'Op type'],
  ['device', 'Device'],
  ['compute', 'Compute time (profile)'],
  ['memory', 'Memory (profile)'],
  ['structure', 'Structure (identical blocks)'],
];

/** The tab's skeleton: sidebar with controls, the graph's viewport, overlays. */
export function buildShell() {
  const ui = {};
  ui.runFilter = h('input', {
    class: 'sg-select sg-run-filter',
    type: 'search',
    placeholder: 'Filter runs (regex)',
    'aria-label': 'Filter runs by regular expression or text',
    id: 'sg-run-filter',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  ui.runFilterStatus = h('div', {class: 'sg-graph-info sg-run-filter-status', role: 'status'});
  ui.runSelect = h('select', {class: 'sg-select', 'aria-label': 'Run', id: 'sg-run'});
  ui.graphSelect = h('select', {class: 'sg-select', 'aria-label': 'Graph', id: 'sg-graph'});

  ui.searchInput = h('input', {
    class: 'sg-search-input',
    type: 'search',
    placeholder: 'Search nodes',
    'aria-label': 'Search nodes by name',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  ui.regexToggle = h('button', {
    type: 'button',
    class: 'sg-regex-toggle',
    title: 'Regular expression',
    'aria-pressed': 'false',
    text: '.*',
  });
  ui.searchResults = h('ul', {
    class: 'sg-results',
    role: 'listbox',
    'aria-label': 'Search results',
  });
  ui.searchStatus = h('div', {class: 'sg-results-status', role: 'status'});

  ui.depthInput = h('input', {
    class: 'sg-depth-input',
    type: 'number',
    min: '0',
    max: '20',
    value: '0',
    'aria-label': 'Depth to open to',
  });
  ui.depthButton = h(
    'button',
    {type: 'button', class: 'sg-button'},
    icon('unfoldMore'),
    'Open to depth'
  );
  ui.closeAllButton = h(
    'button',
    {type: 'button', class: 'sg-button'},
    icon('unfoldLess'),
    'Close all'
  );

  ui.colourSelect = h('select', {class: 'sg-select', 'aria-label': 'Colour by', id: 'sg-colour'});
  for (const [value, label] of COLOURINGS) {
    ui.colourSelect.append(h('option', {value, text: label}));
  }

  ui.traceDepth = h('input', {
    class: 'sg-depth-input sg-trace-depth',
    type: 'number',
    min: '0',
    max: '100',
    value: '3',
    'aria-label': 'Hops to trace',
  });
  ui.traceClear = h('button', {
    type: 'button',
    class: 'sg-button sg-outlined sg-trace-clear',
    text: 'Clear trace',
    disabled: true,
  });
  ui.traceStatus = h('div', {class: 'sg-trace-status', role: 'status'});

  ui.downloads = {};
  const downloadRow = h('div', {class: 'sg-row sg-downloads'});
  for (const fmt of ['svg', 'png', 'dot']) {
    ui.downloads[fmt] = h(
      'button',
      {
        type: 'button',
        class: 'sg-button sg-outlined',
        'data-format': fmt,
        title: `Download this view as ${fmt.toUpperCase()}`,
      },
      icon('download'),
      fmt.toUpperCase()
    );
    downloadRow.append(ui.downloads[fmt]);
  }

  ui.sidebar = h(
    'aside',
    {class: 'sg-sidebar'},
    // At the top, where a short window still shows them.
    section('Download this view', downloadRow),
    (ui.dataSection = section(
      'Data',
      h(
        'label',
        {class: 'sg-field'},
        h('span', {class: 'sg-field-label', text: 'Run'}),
        ui.runFilter,
        ui.runFilterStatus,
        ui.runSelect
      ),
      h(
        'label',
        {class: 'sg-field'},
        h('span', {class: 'sg-field-label', text: 'Graph'}),
        ui.graphSelect
      ),
      (ui.graphInfo = h('div', {class: 'sg-graph-info'}))
    )),
    section(
      'Search',
      h('div', {class: 'sg-search'}, icon('search'), ui.searchInput, ui.regexToggle),
      ui.searchStatus,
      ui.searchResults
    ),
    section(
      'Scopes',
      h('div', {class: 'sg-row'}, ui.depthInput, ui.depthButton),
      (ui.depthStatus = h('div', {class: 'sg-depth-status', role: 'status'})),
      h('div', {class: 'sg-row'}, ui.closeAllButton)
    ),
    section(
      'Colour',
      ui.colourSelect,
      (ui.colourWhy = h('div', {class: 'sg-colour-whys sg-no-diff', role: 'status'})),
      h('p', {class: 'sg-help sg-diff-only', text: NO_COLOUR_IN_DIFF}),
      (ui.colourLegend = h('div', {class: 'sg-legend sg-colour-legend', hidden: true}))
    ),
    section(
      'Trace',
      h(
        'div',
        {class: 'sg-row sg-no-diff'},
        ui.traceDepth,
        h('span', {text: 'hops'}),
        ui.traceClear
      ),
      ui.traceStatus,
      h('p', {
        class: 'sg-help sg-no-diff',
        text: 'Click an op, then trace its inputs or outputs in its card.',
      }),
      h('p', {class: 'sg-help sg-diff-only sg-no-trace', text: NO_TRACE_IN_DIFF})
    ),
    // The key of the drawing's marks (key.js fills it).
    (ui.key = h('section', {class: 'sg-section sg-key-section', hidden: true})),
    h(
      'p',
      {class: 'sg-help'},
      'Drag to pan, scroll to zoom. ',
      h('kbd', {text: 'F'}),
      ' fits the graph, ',
      h('kbd', {text: 'Esc'}),
      ' clears the search.'
    )
  );

  ui.stage = h('div', {class: 'sg-stage'});
  ui.zoomIn = iconButton('add', 'Zoom in', {'data-no-pan': true});
  ui.zoomOut = iconButton('remove', 'Zoom out', {'data-no-pan': true});
  ui.fitButton = iconButton('fit', 'Fit to screen (F)', {'data-no-pan': true});
  ui.zoomControls = h(
    'div',
    {class: 'sg-zoom', 'data-no-pan': true},
    ui.zoomIn,
    ui.zoomOut,
    ui.fitButton
  );
  ui.progress = h(
    'div',
    {class: 'sg-progress', role: 'progressbar', 'aria-label': 'Loading', hidden: true},
    h('div', {class: 'sg-progress-bar'})
  );
  ui.loading = h('div', {class: 'sg-loading', hidden: true, 'data-no-pan': true, role: 'status'});
  ui.message = h('div', {class: 'sg-message-layer', hidden: true, 'data-no-pan': true});
  ui.status = h('div', {class: 'sg-status'});
  ui.card = h('div', {class: 'sg-card', hidden: true, role: 'tooltip', 'data-no-pan': true});
  ui.tip = h('div', {class: 'sg-tip', hidden: true, role: 'tooltip'});
  ui.viewport = h(
    'main',
    {class: 'sg-viewport', 'aria-label': 'Graph', tabindex: 0},
    ui.stage,
    ui.progress,
    ui.zoomControls,
    ui.status,
    ui.loading,
    ui.message,
    ui.card,
    ui.tip
  );
  ui.banner = h('div', {class: 'sg-banner', role: 'status', hidden: true, 'data-no-pan': true});
  ui.main = h('div', {class: 'sg-main'}, ui.banner, ui.viewport);
  ui.root = h('div', {class: 'sg-app'}, ui.sidebar, ui.main);
  return ui;
}

// --- pickers ---

const KIND_LABELS = {
  run_graph: 'Op graph',
  op_graph: 'Op graph',
  keras: 'Keras model',
  keras_model: 'Keras model',
  conceptual: 'Keras model',
  profile: 'Profile',
  run_metadata: 'Run metadata',
  tagged_run_metadata: 'Tagged run metadata',
};

/**
 * Whether `graph`'s ops are a Keras model's layers: its `conceptual` graph, read from the
 * model's config (reading/keras_model.py), one node per layer.
 */
export function countsLayers(graph) {
  return Boolean(graph) && graph.kind === 'conceptual';
}

export function graphLabel(graph) {
  const kind = KIND_LABELS[graph.kind] || graph.kind || 'Graph';
  const tag = graph.tag && !graph.tag.startsWith('__') ? `: ${graph.tag}` : '';
  const unit = countsLayers(graph) ? 'layers' : 'ops';
  const ops = graph.op_count != null ? ` (${formatCount(graph.op_count)} ${unit})` : '';
  return kind + tag + ops;
}

export function fillSelect(select, options, selectedIndex) {
  select.replaceChildren(
    ...options.map((label, i) => h('option', {value: String(i), text: label}))
  );
  select.value = String(Math.max(0, selectedIndex));
  select.disabled = options.length <= 1;
}

/** Adds the tab's stylesheet, given as text; resolves at once. */
export function addStyle(text) {
  const style = document.createElement('style');
  style.textContent = text;
  document.head.append(style);
  return Promise.resolve();
}

/** Runs fn once the browser has drawn the current frame (or soon, if it draws no frames). */
export function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 250); // a hidden document gets no animation frames
}

// --- the graph ---

// Taking Graphviz's SVG in (svgimport.js), for the modules that take it from here.
export {addEdgeHitAreas, importGraphSvg} from './svgimport.js';

// colour.STRUCTURE_OTHER: the fill of the classes of identical blocks past the palette.
const STRUCTURE_OTHER = '#fcfcfc';
const HEX_FILL = /^#[0-9a-f]{6}$/i;

/**
 * The rows of a drawing's colour legend (svgimport.legendEntries) for the sidebar: its title,
 * then a swatch in each row's colour and the row's whole text. Empty when it has none.
 */
export function colourLegendRows(svg) {
  return legendEntries(svg).map((entry) => {
    if (entry.title != null) return h('div', {class: 'sg-legend-title', text: entry.title});
    const mark = h('span', {class: 'sg-swatch sg-swatch-class'});
    if (HEX_FILL.test(entry.fill)) mark.style.background = entry.fill;
    if (entry.fill.toLowerCase() === STRUCTURE_OTHER) mark.classList.add('sg-swatch-other');
    return h('div', {class: 'sg-legend-row sg-colour-class'}, mark, h('span', {text: entry.text}));
  });
}

// --- numbers ---

/** The last part of a node's name (after its scopes). */
export function shortName(name) {
  const parts = name.split('/');
  return parts[parts.length - 1] || name;
}

export function chip(text, kind = '') {
  return h('span', {class: `sg-chip ${kind}`, text});
}

export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

// While comparing (the app's root has .sg-diffing), the .sg-no-diff parts hide and the
// .sg-diff-only notes show.
export const NO_TRACE_IN_DIFF = 'Traces work on a single graph; stop comparing to trace.';
const NO_COLOUR_IN_DIFF = 'A diff is coloured by what changed; stop comparing to colour by this.';

// --- search ---

/**
 * The search results: each one line or a few, its whole name (the scopes around it muted, a
 * break allowed after each `/`) and its kind (an op's type) at the right of its first line.
 */
export function searchResultItems(results, query) {
  return results.map((result, i) => {
    const slash = result.name.lastIndexOf('/', result.name.length - 2);
    const scopes = slash >= 0 ? result.name.slice(0, slash + 1) : '';
    const scopeParts = scopes ? scopes.split(/(?<=\/)/) : [];
    const item = h(
      'li',
      {
        class: 'sg-result',
        role: 'option',
        id: `sg-result-${i}`,
        'data-index': String(i),
        title: result.name,
      },
      chip(
        result.kind === 'op' ? result.op || 'op' : result.kind,
        `sg-chip-${result.kind === 'op' ? 'op' : result.kind}`
      ),
      h(
        'span',
        {class: 'sg-result-path'},
        scopeParts.length
          ? h(
              'span',
              {class: 'sg-result-scopes'},
              scopeParts.map((part) => [part, h('wbr')])
            )
          : null,
        h('span', {class: 'sg-result-short', text: result.name.slice(scopes.length)})
      )
    );
    item.dataset.query = query;
    return item;
  });
}

// --- overlays ---

/** A centred message card: what went wrong (`text`), what to do (`hint`), buttons. */
export function messageCard({title, text, hint, iconName = 'error', actions = [], kind = 'error'}) {
  return h(
    'div',
    {class: `sg-message sg-message-${kind}`, role: kind === 'error' ? 'alert' : 'status'},
    h('div', {class: 'sg-message-icon'}, icon(iconName)),
    h('h2', {class: 'sg-message-title', text: title}),
    text ? h('p', {class: 'sg-message-text sg-message-what', text}) : null,
    hint ? h('p', {class: 'sg-message-text', text: hint}) : null,
    actions.length
      ? h(
          'div',
          {class: 'sg-message-actions'},
          actions.map((a) =>
            h('button', {
              type: 'button',
              class: `sg-button ${a.primary ? 'sg-primary' : 'sg-outlined'}`,
              'data-action': a.action,
              text: a.label,
            })
          )
        )
      : null
  );
}

/** The empty state: no graphs in this logdir (yet). */
export function emptyState() {
  const code = (text) => h('code', {text});
  return h(
    'div',
    {class: 'sg-message sg-message-empty', role: 'status'},
    h('div', {class: 'sg-message-icon'}, icon('graph')),
    h('h2', {class: 'sg-message-title', text: 'No graphs in this log directory'}),
    h('p', {
      class: 'sg-message-text',
      text: 'Scope Graph draws the computation graphs TensorBoard finds in your runs. Write one with:',
    }),
    h(
      'ul',
      {class: 'sg-message-list'},
      h(
        'li',
        {},
        'TensorFlow: ',
        code('tf.summary.trace_on(graph=True)'),
        ' then ',
        code('tf.summary.trace_export(...)')
      ),
      h('li', {}, 'Keras: ', code('tf.keras.callbacks.TensorBoard(log_dir, write_graph=True)')),
      h('li', {}, 'PyTorch: ', code('SummaryWriter(log_dir).add_graph(model, example_input)'))
    ),
    h(
      'div',
      {class: 'sg-message-actions'},
      h('button', {
        type: 'button',
        class: 'sg-button sg-primary',
        'data-action': 'reload-graphs',
        text: 'Check again',
      })
    )
  );
}

/** `place`: where the view waits for a layout worker ("Waiting for a layout: 3rd in line"). */
export function loadingChip(seconds, place = null) {
  const doing = place || 'Laying out the graph';
  return [
    h('span', {class: 'sg-spinner'}),
    h('span', {
      class: place ? 'sg-queued' : null,
      text: seconds >= 1 ? `${doing}… ${seconds} s` : `${doing}…`,
    }),
    h('button', {
      type: 'button',
      class: 'sg-button sg-text',
      'data-action': 'cancel-render',
      text: 'Cancel',
    }),
  ];
}

/**
 * What a trace found, in a line: ops, hops, and the bounds it met; `kept`: marked in a view
 * the user opened or closed since (its closed groups are the user's, not the bounds').
 */
export function traceText(found, {kept = false} = {}) {
  const way = {in: 'into', out: 'out of', both: 'into and out of'}[found.direction] || '';
  const ops = `${formatCount(found.op_count)} op${found.op_count === 1 ? '' : 's'}`;
  const parts = [`${ops} on paths ${way} ${found.name}, ${found.reached} of ${found.depth} hops`];
  if (!found.complete) parts.push(`stopped at ${formatCount(found.limits.ops)} ops`);
  if (found.closed && kept) {
    const groups = `${formatCount(found.closed)} closed group${found.closed === 1 ? '' : 's'}`;
    parts.push(`${groups} on them, each marked whole`);
  } else if (found.closed) {
    const groups = `${formatCount(found.closed)} group${found.closed === 1 ? '' : 's'}`;
    const bounds = `a trace opens at most ${found.limits.open}, to ${found.limits.boxes} boxes`;
    parts.push(`${groups} on them left closed (${bounds})`);
  }
  return parts.join('; ') + '.';
}

/** The status line: boxes drawn, groups open, the graph's ops (`layers`: a Keras model's). */
export function statusText({boxes, ops, seconds, open, layers = false}) {
  const parts = [];
  if (boxes != null) parts.push(`${formatCount(boxes)} boxes`);
  if (open != null) parts.push(`${formatCount(open)} open`);
  if (ops != null) parts.push(`${formatCount(ops)} ${layers ? 'layers' : 'ops'} in graph`);
  if (seconds != null)
    parts.push(`drawn in ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`);
  return parts.join(' · ');
}
