// The drawings the tab has shown, kept for showing again at once: a pristine copy of each
// (closing a group and opening it again asks for nothing), and the last few still laid out in
// the document, each in a sheet of its own (parked), so one shown again costs no style or
// layout of its thousands of elements.

// TensorBoard reloads its data every 30 s: a kept drawing is trusted as long.
const TRUSTED_MS = 30000;
// At most this many sheets are parked, holding at most PARKED_CHARS of SVG text.
const PARKED = 4;
const PARKED_CHARS = 8 << 20;

/**
 * Views drawn before, to show again at once: by view, a pristine copy of each drawing. Bounded
 * in number and in SVG text, and trusted for a while only (a run's graph can be rewritten).
 */
class Drawings {
  /** `onDrop(entry)`: called when an entry is no longer kept under any key. */
  constructor({kept = 12, maxChars = 16 << 20, trustedMs = TRUSTED_MS, onDrop} = {}) {
    this.kept = kept;
    this.maxChars = maxChars;
    this.trustedMs = trustedMs;
    this.onDrop = onDrop || (() => {});
    this._entries = new Map(); // key -> {template, bounds, text, open, sheet, at}; oldest first
  }

  get(key) {
    const entry = this._entries.get(key);
    if (!entry) return null;
    this._entries.delete(key);
    if (performance.now() - entry.at > this.trustedMs) {
      this._forget(entry);
      return null;
    }
    this._entries.set(key, entry);
    return entry;
  }

  /** Keeps `drawing` under each of `keys`; the oldest go first. */
  set(keys, drawing) {
    const entry = {...drawing, at: performance.now()};
    for (const key of keys) {
      const old = this._entries.get(key);
      this._entries.delete(key);
      this._entries.set(key, entry);
      if (old) this._forget(old);
    }
    while (this._entries.size > this.kept || this._chars() > this.maxChars) {
      const key = this._entries.keys().next().value;
      const old = this._entries.get(key);
      this._entries.delete(key);
      this._forget(old);
    }
  }

  /** Drops `entry` if no key holds it any more (it can be kept under two). */
  _forget(entry) {
    for (const held of this._entries.values()) if (held === entry) return;
    this.onDrop(entry);
  }

  _chars() {
    let chars = 0;
    for (const entry of new Set(this._entries.values())) chars += entry.text.length;
    return chars;
  }
}

/** Takes off drawing `svg` what a showing put on it: the view, hovers, highlights, traces. */
export function clearMarks(svg) {
  svg.removeAttribute('style');
  svg.classList.remove('sg-tracing');
  const marks = ['sg-hover', 'sg-hit', 'sg-pinned-box', 'sg-trace', 'sg-trace-origin'];
  for (const element of svg.querySelectorAll(marks.map((m) => '.' + m).join())) {
    element.classList.remove(...marks);
  }
  return svg;
}

/** A copy of drawing `svg` as it came. */
export function pristineCopy(svg) {
  return clearMarks(svg.cloneNode(true));
}

/** Takes a drawing's sheet out of the document, emptied: a kept drawing may still point at it. */
function discardSheet(element) {
  element.remove();
  element.replaceChildren();
}

/** The kept drawings and the sheets on `stage` (the element the drawings go in). */
export class Sheets {
  constructor(stage) {
    this.stage = stage;
    // A drawing no longer kept is not kept laid out either (on screen, once it leaves it).
    this.drawings = new Drawings({
      onDrop: (entry) => {
        if (this.shown && this.shown.element === entry.sheet) this.shown.dropped = true;
        else this.unpark(entry.sheet);
      },
    });
    this.shown = null; // the sheet of the drawing on screen: {element, chars, dropped}
    this.parked = []; // those of drawings shown before, oldest first
  }

  /** The kept drawing of a view ({template, bounds, text, open, sheet}), or null. */
  kept(key) {
    return this.drawings.get(key);
  }

  /** Keeps `drawing` ({template, bounds, text, open, sheet}) under each of `keys`. */
  keep(keys, drawing) {
    this.drawings.set(keys, drawing);
  }

  /**
   * Shows drawing `svg` in `sheet` (its parked sheet) or in a new one; the sheet on screen is
   * parked (discarded if its drawing is no longer kept), and the oldest parked sheets beyond
   * the bounds are discarded (a kept drawing's copy is what shows it again). Returns the sheet.
   */
  putOnStage(svg, sheet, chars) {
    const shown = this.shown;
    if (shown && shown.element !== sheet) {
      if (shown.dropped) {
        discardSheet(shown.element);
      } else {
        shown.element.classList.add('sg-parked');
        shown.element.firstChild.classList.remove('sg-graph');
        this.parked.push(shown);
      }
    }
    if (sheet) {
      this.parked = this.parked.filter((p) => p.element !== sheet);
      sheet.classList.remove('sg-parked');
    } else {
      sheet = document.createElement('div');
      sheet.className = 'sg-sheet';
      sheet.append(svg);
      this.stage.append(sheet);
    }
    svg.classList.add('sg-graph');
    this.shown = {element: sheet, chars};
    let total = this.parked.reduce((sum, p) => sum + p.chars, 0);
    while (this.parked.length > PARKED || total > PARKED_CHARS) {
      const old = this.parked.shift();
      total -= old.chars;
      discardSheet(old.element);
    }
    return sheet;
  }

  /** Takes parked sheet `element` (if it is one) out of the document, emptied. */
  unpark(element) {
    const parked = this.parked.find((p) => p.element === element);
    if (!parked) return;
    this.parked = this.parked.filter((p) => p !== parked);
    discardSheet(element);
  }
}
