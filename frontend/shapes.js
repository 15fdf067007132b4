// Where a drawing's elements are, in its svg's user units, read from their shapes' attributes
// and their ancestors' transforms (no layout), or measured where only that tells (labels).

// Graphviz's paths: absolute moves, lines and cubic curves. A curve lies within its control
// points, and Graphviz's rounded frames keep those on the frame's sides.
const PLAIN_PATH = /^[\sMLC\d.,eE+-]*$/;
const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/g;

/**
 * The box around `element`'s shapes (path, polygon, polyline, ellipse, circle, rect) in the
 * user units of `svg`, from their attributes and their ancestors' transforms, so without
 * laying anything out; null when it has no shape or one drawn some other way.
 */
export function shapeRect(element, svg) {
  const shapes = element.matches('path, polygon, polyline, ellipse, circle, rect')
    ? [element]
    : element.querySelectorAll('path, polygon, polyline, ellipse, circle, rect');
  if (!shapes.length) return null;
  return boxIn(
    svg,
    [...shapes].map((shape) => [shape, shapePoints(shape)])
  );
}

/**
 * The box around points given in the user units of their elements ([[element, points]]), in
 * the user units of `svg`; null when an element's transform or points are unknown, or no
 * point is given.
 */
function boxIn(svg, pointsOf) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [element, points] of pointsOf) {
    const m = matrixTo(element, svg);
    if (!m || !points) return null;
    for (const [x, y] of points) {
      const px = m.a * x + m.c * y + m.e;
      const py = m.b * x + m.d * y + m.f;
      x0 = Math.min(x0, px);
      y0 = Math.min(y0, py);
      x1 = Math.max(x1, px);
      y1 = Math.max(y1, py);
    }
  }
  if (![x0, y0, x1, y1].every(Number.isFinite)) return null;
  return {x: x0, y: y0, w: x1 - x0, h: y1 - y0};
}

/**
 * The middle of `element`'s own label (its <text> children, one per line) in the user units of
 * `svg`: null when it has none. Measured (getBBox), not read from the lines' x and y: a plain
 * title's lines are centred on their x, an HTML-like one's (`dottext.title_label`) start at it
 * with room to their right, and only the measured box is the middle of both.
 */
export function labelPoint(element, svg) {
  const lines = element.querySelectorAll(':scope > text, :scope > a > text');
  const corners = [...lines].map((line) => {
    const b = line.getBBox();
    return [
      line,
      [
        [b.x, b.y],
        [b.x + b.width, b.y + b.height],
      ],
    ];
  });
  const box = boxIn(svg, corners);
  return box && {x: box.x + box.w / 2, y: box.y + box.h / 2};
}

/** The corners (or points) that bound one shape, in its own units; null if not read. */
function shapePoints(shape) {
  const number = (name) => shape[name].baseVal.value;
  switch (shape.localName) {
    case 'polygon':
    case 'polyline':
      return [...shape.points].map((p) => [p.x, p.y]);
    case 'ellipse':
    case 'circle': {
      const rx = shape.localName === 'circle' ? number('r') : number('rx');
      const ry = shape.localName === 'circle' ? number('r') : number('ry');
      const cx = number('cx');
      const cy = number('cy');
      return [
        [cx - rx, cy - ry],
        [cx + rx, cy + ry],
      ];
    }
    case 'rect': {
      const x = number('x');
      const y = number('y');
      return [
        [x, y],
        [x + number('width'), y + number('height')],
      ];
    }
    case 'path': {
      const d = shape.getAttribute('d') || '';
      if (!PLAIN_PATH.test(d)) return null;
      const numbers = (d.match(NUMBER) || []).map(Number);
      if (numbers.length < 2 || numbers.length % 2) return null;
      const points = [];
      for (let i = 0; i < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]]);
      return points;
    }
    default:
      return null;
  }
}

/** The product of the transforms from `svg` down to `element` (their attributes); or null. */
function matrixTo(element, svg) {
  let m = new DOMMatrix();
  let node = element;
  for (; node && node !== svg; node = node.parentNode) {
    if (!node.transform) return null; // not an SVG element
    // Item by item, right to left (consolidate() would rewrite the attribute).
    const list = node.transform.baseVal;
    for (let i = list.numberOfItems - 1; i >= 0; i--) {
      m = DOMMatrix.fromMatrix(list.getItem(i).matrix).multiply(m);
    }
  }
  return node === svg ? m : null;
}
