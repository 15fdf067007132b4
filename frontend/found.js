// A found name on screen: which element of the drawing shows it (its own box, or the box it is
// drawn as, drawn in or counted on), the view that shows that box whole, readable, in the
// middle of what floats over the drawing (the status line, the zoom buttons; the overview map
// moves away from it, minimap.js), and, when the titles of the frames around it are out of
// the window (tall frames: their titles are far above), those titles as one line at the top,
// outermost first ("graph_2 › transformer_1 › block_[0-11] › block_0_1").

import {elementId} from './ids.js';
import {CLEAR, READABLE_SCALE} from './viewport.js';

// A found box is shown at least this large (its 10 pt label 11 px tall, what issue 21 asks of
// a view showing part of a drawing) and, from a view zoomed further in, no larger than this
// (the user's zoom is kept between the two).
const FOCUS_SCALE = 1.1;
const MAX_FOCUS_SCALE = 2;
// A found box and its group's title together take at most this share of the clear part.
const ROOMY = 0.85;

const GROUP_KINDS = ['scope', 'series', 'chunk'];

/** The last part of a full name, as the drawing labels it. */
export function leaf(name) {
  return name.slice(name.lastIndexOf('/') + 1) || name;
}

/** The box (g.node) or open frame drawn for `kind` `name` in `svg`; null if none. */
function drawn(svg, kind, name) {
  const id = elementId(kind, name);
  return svg.querySelector('#' + CSS.escape(id)) || svg.querySelector('#cluster-' + CSS.escape(id));
}

/** The closed box (g.node) of group `key` (a scope, series or part), or null. */
function closedBox(svg, key) {
  for (const kind of GROUP_KINDS) {
    const box = svg.querySelector('g.node#' + CSS.escape(elementId(kind, key)));
    if (box) return box;
  }
  return null;
}

/**
 * What shows search result `result` ({name, kind, reveal}) in drawing `svg`: {element, note},
 * `note` saying how when it is not the result's own box (else null), or null when nothing
 * holding it is drawn. In order: its own box or frame; the one box inside it that is drawn
 * in its place (a scope of one op is drawn as that op); the box of the op or scope of the
 * same name; the innermost closed box holding it (a group, a series drawn as one box, a part
 * of a chunked group).
 */
export function drawnFor(svg, result) {
  const {name, kind} = result;
  const own = drawn(svg, kind, name);
  if (own) return {element: own, note: null};
  const inside = [];
  for (const k of ['op', ...GROUP_KINDS]) {
    const prefix = elementId(k, name + '/');
    inside.push(
      ...svg.querySelectorAll(`g.node[id^="${prefix}"], g.cluster[id^="cluster-${prefix}"]`)
    );
  }
  if (inside.length === 1) {
    const [element] = inside;
    return {element, note: `${leaf(name)} is drawn as the one box it holds, ${boxName(element)}`};
  }
  // The groups it is in, innermost first: those the search named (a series or a chunk's part
  // is not in the name) and the name's own prefixes.
  const holders = [...(result.reveal || [])].reverse();
  for (let cut = name.lastIndexOf('/'); cut > 0; cut = name.lastIndexOf('/', cut - 1)) {
    holders.push(name.slice(0, cut));
  }
  // An op and a scope of the same name are drawn as one box (model/layout.py).
  const namesake = kind === 'op' ? closedBox(svg, name) : drawn(svg, 'op', name);
  if (namesake) {
    const other = kind === 'op' ? 'scope' : 'op';
    return {
      element: namesake,
      note: `${leaf(name)} is drawn in one box with the ${other} of its name`,
    };
  }
  for (const key of holders) {
    if (key === name) continue;
    const box = closedBox(svg, key);
    if (box) return {element: box, note: `${leaf(name)} is inside ${boxName(box)}, drawn closed`};
  }
  return null;
}

/**
 * The box a name not drawn at all is counted on (a traced function's variable handle is
 * counted as "← N variables" on the box reading it): the box that shows the first of its
 * consumers (`details`: the node route's answer) that is drawn; {element, note} or null.
 */
export function countedOn(svg, name, details) {
  const consumers = [];
  for (const output of details.outputs || []) consumers.push(...(output.consumers || []));
  consumers.push(...(details.control_outputs || []));
  for (const consumer of consumers) {
    const found = drawnFor(svg, {name: consumer, kind: 'op', reveal: []});
    if (found) {
      return {
        element: found.element,
        note: `${leaf(name)} is not drawn: counted on ${boxName(found.element)}`,
      };
    }
  }
  return null;
}

/** The name a box is labelled with (its first line). */
function boxName(element) {
  const line = element.querySelector('text');
  return line ? line.textContent.trim() : '';
}

/**
 * The view that shows `rect` (a found box, user units) in the clear part of the window
 * (viewport.js CLEAR), about its middle, at the current scale kept between FOCUS_SCALE and
 * MAX_FOCUS_SCALE, with `title` (the title of the group holding it, or null) too when both
 * fit at READABLE_SCALE or more. A box too big for the window at READABLE_SCALE shows its top
 * left at that scale. Centred even where that leaves an empty margin by the drawing's edge:
 * the found box is where the eye goes, at the same place after every pick. Before that: with
 * `stay` (the drawing did not change), a view that shows them so already, readable, is kept;
 * else the whole drawing, if it shows the found box as large as FOCUS_SCALE with them in the
 * clear part.
 */
export function focusView(vp, rect, title = null, {stay = false} = {}) {
  const {w, h} = vp.size();
  const area = clearArea(vp);
  const fits = (r) => Math.min(area.w / Math.max(r.w, 1), area.h / Math.max(r.h, 1));
  const both = title && unionRect(rect, title);
  const shown = both && fits(both) >= READABLE_SCALE ? both : rect;
  if (stay && vp.view.k >= READABLE_SCALE && insideArea(vp, shown, area, vp.view)) {
    return {...vp.view};
  }
  // The whole drawing, when it shows the box at FOCUS_SCALE or more in the clear part (as
  // after opening a group by a click: Viewport.afterClick).
  const all = vp.bounds && vp.fitView(vp.bounds);
  if (all && all.k >= FOCUS_SCALE && insideArea(vp, shown, area, all)) return all;
  let k = Math.min(Math.max(vp.view.k, FOCUS_SCALE), MAX_FOCUS_SCALE);
  // A box and title filling the window would put the box against its edge: zoomed out a
  // little (not under FOCUS_SCALE) to leave a margin round them.
  if (shown !== rect) k = Math.min(k, Math.max(fits(shown) * ROOMY, FOCUS_SCALE));
  if (fits(shown) < k) k = Math.max(fits(shown), READABLE_SCALE);
  // On one axis: where the view's centre goes to put the found box's middle in the middle of
  // the clear part; if that leaves part of `shown` out, `shown`'s middle there instead (its
  // start, when it is longer).
  const axis = (x, len, sx, slen, start, size, whole) => {
    const middle = (u) => u - (start + size / 2 - whole / 2) / k;
    const c = middle(x + len / 2);
    const at = (u) => (u - c) * k + whole / 2;
    if (slen * k > size) return sx - (start - whole / 2) / k;
    if (at(sx) < start || at(sx + slen) > start + size) return middle(sx + slen / 2);
    return c;
  };
  return {
    cx: axis(rect.x, rect.w, shown.x, shown.w, area.x, area.w, w),
    cy: axis(rect.y, rect.h, shown.y, shown.h, area.y, area.h, h),
    k,
  };
}

/** The clear part of the window (CSS px): what floats over the drawing left out. */
function clearArea(vp) {
  const {w, h} = vp.size();
  return {
    x: CLEAR.left,
    y: CLEAR.top,
    w: w - CLEAR.left - CLEAR.right,
    h: h - CLEAR.top - CLEAR.bottom,
  };
}

/**
 * The open frames (g.cluster) around `rect` (a found box or frame, user units) in the drawing
 * on screen, outermost first, but `except` (the found frame itself): [{frame, title, rect}]
 * (`title`: the frame's first title line, a <text>; `rect`: that line's box). Graphviz writes
 * frames side by side, not nested: a frame is around the box when it holds it.
 */
export function framesAround(vp, rect, except = null) {
  const around = [];
  for (const frame of vp.svg.querySelectorAll('g.cluster')) {
    if (frame === except) continue;
    const r = vp.userRect(frame);
    const title = frame.querySelector(':scope > text, :scope > a > text');
    if (!r || !title || !holds(r, rect)) continue;
    around.push({frame, title, rect: vp.userRect(title), area: r.w * r.h});
  }
  around.sort((a, b) => b.area - a.area);
  return around.map(({frame, title, rect: line}) => ({frame, title, rect: line}));
}

/** Whether rect `outer` holds rect `inner` (user units). */
function holds(outer, inner) {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.w <= outer.x + outer.w &&
    inner.y + inner.h <= outer.y + outer.h
  );
}

/** Whether `rect` (user units) is in the clear part of the window at `view`. */
export function inClearView(vp, rect, view) {
  return insideArea(vp, rect, clearArea(vp), view);
}

const TAG_CLASS = 'sg-frame-tag';
// Room (user units) between the line of titles and the found box, and round its text.
const TAG_GAP = 6;
const TAG_PAD = 3;
const TITLE_SEPARATOR = ' › ';

/**
 * The titles of frames `around` (framesAround's answer, outermost first) that `view` leaves
 * out of the clear part of the window, with the frames inside them down to the innermost of
 * those: the frames a reader of the found box `rect` cannot see the names of. [] when every
 * title is in sight.
 */
export function cutTitles(vp, around, view) {
  let last = -1;
  around.forEach((f, i) => {
    if (!f.rect || !inClearView(vp, f.rect, view)) last = i;
  });
  return around.slice(0, last + 1);
}

/**
 * Writes the titles of frames `cut` (cutTitles' answer) as one line at the top of the clear
 * part of the window at `view`, above the found box `rect` (below it when the box is at the
 * top) and across from its middle (kept in the window): "graph_2 › transformer_1 › block_0_1",
 * its outermost titles left out ("… › block_0_1") where it would be wider than the window.
 * It is drawn over the drawing, on an opaque band, in the frames' title font, and moves with
 * the drawing; a click on it is a click on the background. removeFrameTags takes it away.
 * Returns its group.
 */
export function tagTitles(vp, cut, rect, view) {
  const {w, h} = vp.size();
  const innermost = cut[cut.length - 1];
  const root = innermost.frame.parentNode;
  const text = innermost.title.cloneNode(false);
  text.removeAttribute('id');
  text.setAttribute('text-anchor', 'start');
  text.textContent = cut.map((f) => f.title.textContent.trim()).join(TITLE_SEPARATOR);
  const tag = document.createElementNS(vp.svg.namespaceURI, 'g');
  tag.setAttribute('class', TAG_CLASS);
  tag.append(text);
  root.append(tag);
  const left = view.cx + (CLEAR.left - w / 2) / view.k;
  const right = view.cx + (w - CLEAR.right - w / 2) / view.k;
  // Wider than the window: the outermost titles give way to "…".
  let now = vp.userRect(text);
  for (let drop = 1; now.w > right - left - 2 * TAG_PAD && drop < cut.length; drop++) {
    const kept = cut.slice(drop).map((f) => f.title.textContent.trim());
    text.textContent = ['…', ...kept].join(TITLE_SEPARATOR);
    now = vp.userRect(text);
  }
  // Where it goes (svg user units): its top at the clear part's top, not on the found box;
  // across, its middle at the box's, inside the clear part.
  const top = view.cy + (CLEAR.top - h / 2) / view.k;
  const roomAbove = top + TAG_PAD + now.h + TAG_GAP <= rect.y;
  const y = roomAbove ? top + TAG_PAD : rect.y + rect.h + TAG_GAP;
  const x = Math.max(
    left + TAG_PAD,
    Math.min(rect.x + rect.w / 2 - now.w / 2, right - now.w - TAG_PAD)
  );
  // From the svg's user units to the root group's own (Graphviz transforms it).
  const toLocal = root.getScreenCTM().inverse().multiply(vp.svg.getScreenCTM());
  const from = new DOMPoint(now.x, now.y).matrixTransform(toLocal);
  const to = new DOMPoint(x, y).matrixTransform(toLocal);
  text.setAttribute('x', String(Number(text.getAttribute('x')) + to.x - from.x));
  text.setAttribute('y', String(Number(text.getAttribute('y')) + to.y - from.y));
  const box = text.getBBox();
  const back = document.createElementNS(vp.svg.namespaceURI, 'rect');
  for (const [name, value] of Object.entries({
    x: box.x - TAG_PAD,
    y: box.y - TAG_PAD / 2,
    width: box.width + 2 * TAG_PAD,
    height: box.height + TAG_PAD,
    rx: 2,
  })) {
    back.setAttribute(name, String(value));
  }
  tag.prepend(back);
  return tag;
}

/** Takes away the line of titles tagTitles wrote in `svg`. */
export function removeFrameTags(svg) {
  if (svg) for (const tag of svg.querySelectorAll('.' + TAG_CLASS)) tag.remove();
}

/** Whether `rect` (user units) lies in `area` (CSS px of the window) at `view`. */
function insideArea(vp, rect, area, view) {
  const {w, h} = vp.size();
  const x = (rect.x - view.cx) * view.k + w / 2;
  const y = (rect.y - view.cy) * view.k + h / 2;
  const x1 = x + rect.w * view.k;
  const y1 = y + rect.h * view.k;
  return x >= area.x && y >= area.y && x1 <= area.x + area.w && y1 <= area.y + area.h;
}

/** The smallest rect ({x, y, w, h}) holding rects `a` and `b`. */
function unionRect(a, b) {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y};
}
