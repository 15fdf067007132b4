// The caption a downloaded drawing carries: a line under it naming the run and the graph, so
// that a saved SVG or PNG says what it shows once it is out of the tab (a diff's drawing comes
// with its own, naming both graphs: drawing/diffdot.py, diff_caption, which this one looks
// like). Added to the SVG text the tab shows, through the DOM (never by pasting text into
// markup), so that a run's name is text whatever characters it holds.

import {graphLabel} from './views.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// In the drawing's units (Graphviz's points): the caption's size as a diff's (14 pt, bold),
// the band it sits in, its margin, and a generous width per character for sizing the band
// (the text is laid out by whoever opens the file, in whatever font it has).
const CAPTION_PT = 14;
const BAND_PT = 28;
const MARGIN_PT = 8;
const CHAR_EM = 0.62;
const FONT = 'Helvetica,Arial,sans-serif';

/** The caption of a drawing of `graph` ({run, kind, tag, op_count, step}): run and graph. */
export function captionText(graph) {
  const step = graph.step != null ? ` at step ${graph.step}` : '';
  return `${graph.run} · ${graphLabel({...graph, op_count: null})}${step}`;
}

/**
 * `svgText` (a Graphviz SVG) with `caption` under the drawing, on a white band as wide as the
 * drawing or the caption; the text unchanged when it is not an SVG with a viewBox.
 */
export function withCaption(svgText, caption) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return svgText;
  const box = (svg.getAttribute('viewBox') || '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (box.length !== 4 || !box.every(Number.isFinite) || box[2] <= 0 || box[3] <= 0) return svgText;
  const [x, y, w, h] = box;
  const width = Math.max(w, caption.length * CAPTION_PT * CHAR_EM + 2 * MARGIN_PT);
  const height = h + BAND_PT;
  svg.setAttribute('viewBox', `${x} ${y} ${width} ${height}`);
  scaleLength(svg, 'width', width / w);
  scaleLength(svg, 'height', height / h);
  const shape = (name, attrs) => {
    const element = doc.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
    return element;
  };
  // White behind all of it: the drawing's own background covers only its old box.
  svg.insertBefore(shape('rect', {x, y, width, height, fill: '#ffffff'}), svg.firstChild);
  const text = shape('text', {
    x: x + MARGIN_PT,
    y: y + h + BAND_PT - MARGIN_PT - 2,
    'font-family': FONT,
    'font-size': CAPTION_PT,
    'font-weight': 'bold',
    fill: '#212121',
  });
  text.textContent = caption;
  const group = shape('g', {class: 'sg-caption'});
  group.append(text);
  svg.append(group);
  return new XMLSerializer().serializeToString(doc);
}

/** Scales `svg`'s length attribute `name` ("672pt") by `factor`, keeping its unit. */
function scaleLength(svg, name, factor) {
  const match = /^\s*([\d.]+)\s*([a-z%]*)\s*$/i.exec(svg.getAttribute(name) || '');
  if (match) svg.setAttribute(name, `${Number(match[1]) * factor}${match[2]}`);
}
