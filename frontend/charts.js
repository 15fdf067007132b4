// Small inline SVG charts for the hover card: a scalar's sparkline over steps and a histogram's
// bars. Built with DOM calls only; the numbers come from the `summaries` route, and no text
// from a graph or a tag is ever parsed as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function svgElement(tag, attrs = {}) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  return element;
}

function chart(width, height, cls, label) {
  return svgElement('svg', {
    class: `sg-chart ${cls}`,
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': label,
  });
}

function round(n) {
  return Math.round(n * 100) / 100;
}

/**
 * A scalar's values over its steps as a line (gaps where a value is not finite), its latest
 * point marked. `steps` and `values` are the route's arrays, in step order.
 */
export function sparkline(steps, values, {width = 150, height = 32} = {}) {
  const svg = chart(width, height, 'sg-sparkline', 'values over steps');
  const finite = values.filter((v) => v != null && Number.isFinite(v));
  if (!finite.length) return svg;
  const pad = 3;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const first = steps[0];
  const last = steps[steps.length - 1];
  const x = (step) =>
    last > first ? pad + ((step - first) / (last - first)) * (width - 2 * pad) : width / 2;
  const y = (v) =>
    hi > lo ? height - pad - ((v - lo) / (hi - lo)) * (height - 2 * pad) : height / 2;
  let d = '';
  let pen = 'M';
  for (let i = 0; i < steps.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) {
      pen = 'M';
      continue;
    }
    d += `${pen}${round(x(steps[i]))},${round(y(v))}`;
    pen = 'L';
  }
  svg.append(svgElement('path', {class: 'sg-sparkline-line', d, fill: 'none'}));
  for (let i = steps.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v != null && Number.isFinite(v)) {
      svg.append(
        svgElement('circle', {
          class: 'sg-sparkline-last',
          cx: round(x(steps[i])),
          cy: round(y(v)),
          r: 2,
        })
      );
      break;
    }
  }
  return svg;
}

/**
 * One bar per bucket ([left, right, count]), placed by its edges on a shared x axis (by its
 * index when every bucket has the same edges, as for a constant tensor).
 */
export function histogram(buckets, {width = 150, height = 44} = {}) {
  const svg = chart(width, height, 'sg-histogram', `histogram of ${buckets.length} buckets`);
  if (!buckets.length) return svg;
  const lo = Math.min(...buckets.map((b) => b[0]));
  const hi = Math.max(...buckets.map((b) => b[1]));
  const top = Math.max(...buckets.map((b) => b[2]));
  const byEdges = hi > lo;
  const n = buckets.length;
  buckets.forEach(([left, right, count], i) => {
    let x0 = byEdges ? ((left - lo) / (hi - lo)) * width : (i / n) * width;
    let x1 = byEdges ? ((right - lo) / (hi - lo)) * width : ((i + 1) / n) * width;
    if (x1 - x0 < 1) x1 = Math.min(width, x0 + 1); // a narrow bucket stays visible
    x0 = Math.max(0, x0);
    const h = top > 0 ? (count / top) * (height - 1) : 0;
    svg.append(
      svgElement('rect', {
        class: 'sg-histogram-bar',
        x: round(x0),
        y: round(height - h),
        width: round(Math.max(0, x1 - x0)),
        height: round(h),
        'data-count': count,
      })
    );
  });
  return svg;
}

/** A number for the card: four significant digits, no trailing zeros. */
export function formatValue(value) {
  if (value == null) return '—';
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) {
    return value.toExponential(3).replace(/\.?0+e/, 'e');
  }
  return String(parseFloat(value.toPrecision(4)));
}
