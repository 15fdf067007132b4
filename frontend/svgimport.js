// Takes Graphviz's SVG into the page: parsed and cleaned of anything active, tooltips moved to
// the boxes, edges and frames they belong to, the colour legend set aside for the sidebar (and
// left out of the drawing's bounds), and, once it is on screen, the edges' wide hit areas.

import {shapeRect} from './shapes.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

// Elements that run, embed or restyle something; Graphviz writes none of them. (Animations
// could set a link's target.)
const ACTIVE_ELEMENTS =
  'script, foreignObject, iframe, object, embed, style, animate, animateMotion, animateTransform, set';
// An attribute named on... (an event handler) or any href, as it could appear in the text.
const MAYBE_ACTIVE_ATTRIBUTE = /\son[^\s=>/]*\s*=|href/i;

/**
 * Turns Graphviz's SVG text into an <svg> element of this document, stripped of anything
 * active, native <title> tooltips moved to data-sg-tip on the node, edge or cluster they belong
 * to. Returns {svg, bounds}; throws on bad input.
 *
 * The text is parsed as HTML in a document of its own (DOMParser: no window, so nothing in it
 * runs or loads): two to three times faster than parsing it as XML on a big drawing. Only its
 * first element, which must be an <svg>, is kept, and in it only SVG elements (HTML could
 * appear where SVG lets it, in a <title> or <foreignObject>); what is kept is cleaned and moved
 * into this document as it is, never written out and parsed again.
 */
export function importGraphSvg(text) {
  const parsed = new DOMParser().parseFromString(text, 'text/html');
  const root = parsed.body.firstElementChild;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== 'svg') {
    throw new Error('The server sent a drawing this page cannot read.');
  }
  for (const element of [...root.querySelectorAll('*')]) {
    if (element.namespaceURI !== SVG_NS) element.remove();
  }
  for (const element of [...root.querySelectorAll(ACTIVE_ELEMENTS)]) element.remove();
  // An edge's title names its ends ("<element id>-><element id>"; ids hold no '>'): kept for
  // marking the edges of a traced path.
  for (const edge of root.querySelectorAll('g.edge')) {
    const title = edge.querySelector(':scope > title');
    if (title) edge.setAttribute('data-sg-ends', title.textContent);
  }
  for (const title of [...root.getElementsByTagName('title')]) title.remove();
  // Every attribute is looked at only when the text could hold an event handler or a link
  // (Graphviz writes neither): looking costs more than parsing on a big drawing.
  if (MAYBE_ACTIVE_ATTRIBUTE.test(text)) {
    for (const element of [root, ...root.querySelectorAll('*')]) {
      for (const attr of [...element.attributes]) {
        const name = attr.name.toLowerCase();
        if (name.startsWith('on')) element.removeAttributeNode(attr);
        else if (attr.localName === 'href' && !attr.value.startsWith('#'))
          element.removeAttributeNode(attr);
      }
    }
  }
  for (const element of [...root.querySelectorAll('[*|title]')]) {
    const tip = element.getAttributeNS(XLINK_NS, 'title');
    if (tip == null) continue;
    const owner = element.closest('g.node, g.edge, g.cluster');
    if (owner && !owner.hasAttribute('data-sg-tip')) owner.setAttribute('data-sg-tip', tip);
    // A legend row's swatch (dot.py gives it an id and its text as tooltip): for the sidebar.
    const legend = owner ? null : element.closest('g[id^="a_sg-legend-"]');
    if (legend) legend.setAttribute('data-sg-legend', tip);
    element.removeAttributeNS(XLINK_NS, 'title');
    // Graphviz wraps a box's, an edge's or a frame's shapes in <g id="a_..."><a> only to carry
    // the tooltip, now on the box: its shapes go straight into the box. A third fewer elements
    // for the browser to style and lay out each time the drawing is shown.
    const wrapper = element.parentNode;
    if (owner && element.localName === 'a' && wrapper.parentNode === owner) {
      if (wrapper.localName === 'g' && wrapper.childElementCount === 1) {
        wrapper.replaceWith(...element.childNodes);
      }
    }
  }
  let [x, y, w, hgt] = (root.getAttribute('viewBox') || '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  let bounds = [x, y, w, hgt].every(Number.isFinite)
    ? {x, y, w, h: hgt}
    : {
        x: 0,
        y: 0,
        w: parseFloat(root.getAttribute('width')) || 100,
        h: parseFloat(root.getAttribute('height')) || 100,
      };
  // A colour legend is drawn below the graph (for downloads); the tab shows it in the sidebar,
  // where it is never cut by the window, and leaves it out of the drawing and its bounds.
  const legend = drawnLegend(root);
  if (legend.length) {
    for (const element of legend) element.classList.add('sg-legend-drawn');
    bounds = contentRect(root, legend) || bounds;
  }
  // Moved, not copied, into this document.
  const svg = document.adoptNode(root);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('class', 'sg-drawing sg-graph');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.setAttribute('role', 'img');
  return {svg, bounds};
}

// A swatch's fill, as colour.py writes it.
const HEX_FILL = /^#[0-9a-f]{6}$/i;

/**
 * The elements of the colour legend dot.py draws as the graph's label (colour.py's table: a
 * bold title, then a swatch and its text per row), in order; none when the drawing has no
 * legend (its label, if any, is then a title of text alone).
 */
function drawnLegend(svg) {
  const graph = svg.querySelector('g.graph');
  if (!graph) return [];
  const parts = [...graph.children].filter(
    (child) =>
      child.localName === 'text' ||
      (child.localName === 'polygon' && HEX_FILL.test(child.getAttribute('fill') || '')) ||
      (child.localName === 'g' && child.id.startsWith('a_sg-legend-'))
  );
  return parts.some((part) => part.localName !== 'text') ? parts : [];
}

/**
 * The box around a drawing's boxes, frames and edges (user units), without its legend; null
 * when it cannot be read from their shapes.
 */
function contentRect(svg, legend) {
  const skip = new Set(legend);
  let box = null;
  for (const part of svg.querySelectorAll('g.graph > g')) {
    if (skip.has(part)) continue;
    const r = shapeRect(part, svg);
    if (!r) continue;
    if (!box) box = {...r};
    else {
      const x1 = Math.max(box.x + box.w, r.x + r.w);
      const y1 = Math.max(box.y + box.h, r.y + r.h);
      box.x = Math.min(box.x, r.x);
      box.y = Math.min(box.y, r.y);
      box.w = x1 - box.x;
      box.h = y1 - box.y;
    }
  }
  if (!box) return null;
  // Graphviz's own margin around the drawing.
  const pad = 4;
  return {x: box.x - pad, y: box.y - pad, w: box.w + 2 * pad, h: box.h + 2 * pad};
}

/**
 * The entries of a drawing's colour legend (see drawnLegend), in order: {title} first, then
 * {fill, text} per row (its whole text, where the drawing clipped it). Empty when the drawing
 * has none.
 */
export function legendEntries(svg) {
  const entries = [];
  let swatch = null;
  for (const part of svg.querySelectorAll('.sg-legend-drawn')) {
    if (part.localName !== 'text') {
      const shape = part.localName === 'polygon' ? part : part.querySelector('polygon, path');
      const fill = (shape && shape.getAttribute('fill')) || '';
      swatch = {fill, text: part.dataset ? part.dataset.sgLegend : null};
    } else if (swatch) {
      entries.push({fill: swatch.fill, text: swatch.text || part.textContent});
      swatch = null;
    } else if (!entries.length) {
      entries.push({title: part.textContent});
    }
  }
  return entries.some((entry) => entry.fill != null) ? entries : [];
}

/**
 * Edges are thin: a wide transparent copy of each edge's path takes the pointer. Added once
 * the drawing is on screen (they double the edges the first frame would lay out and paint).
 */
export function addEdgeHitAreas(svg) {
  if (svg.dataset.sgHitAreas) return;
  svg.dataset.sgHitAreas = '1';
  for (const path of svg.querySelectorAll('g.edge path')) {
    const hit = path.cloneNode(false);
    hit.setAttribute('class', 'sg-edge-hit');
    hit.setAttribute('stroke', 'transparent');
    hit.setAttribute('stroke-width', '8');
    hit.setAttribute('fill', 'none');
    hit.removeAttribute('stroke-dasharray');
    path.after(hit);
  }
}
