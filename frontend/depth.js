// The Scopes section's depth control: it shows the depth the view on screen opens scopes to,
// says what another depth gives before it is applied, and once a depth is drawn, whether it
// reads whole in the window. A drawing too big for that is shown top first at a readable
// size, with the overview map (viewport.js, minimap.js), and the sidebar says so and offers
// the view before.
//
// The preview is the drawing the button asks for (the same query, which the server keeps for
// the button), counted and measured as the drawn one is: the `view` route's box count is the
// layout's, before the drawing folds constants and sets plumbing aside (gpt2_torch at depth
// 2: 31 there, 12 drawn), so it neither counts the boxes drawn nor says whether they read.
// It only tells whether a depth gives the view on screen (its open groups), and, over
// PREVIEW_MAX_BOXES, that a depth is too big to draw for a preview.
//
// A view's depth is the server's (the drawing's root says it, see drawing.js; the `view`
// route's answer too): the depth asked for, else the scope level of its deepest open group.
// Keys of open groups do not tell it: a series' part has the level of the blocks it holds,
// but its key a segment more.

import {Stale} from './model.js';
import {sameOpen} from './state.js';
import {importGraphSvg} from './svgimport.js';
import {READABLE_SCALE} from './viewport.js';
import {formatCount, h} from './views.js';

const TYPING_PAUSE_MS = 250;
const MAX_DEPTH = 20;
// A box label (10 pt) is this many CSS px tall on screen at scale 1 (viewport.js).
const LABEL_PX_AT_1 = 11;
// A depth whose layout holds more boxes than this is not drawn for its preview: no window
// reads that many whole (Graphviz's practical ceiling is a few hundred boxes, DESIGN.md).
const PREVIEW_MAX_BOXES = 400;

function boxesText(n) {
  return `${formatCount(n)} box${n === 1 ? '' : 'es'}`;
}

export class Depth {
  /**
   * `state`: the tab's (see state.js), read only. `calls`: show(request, placement),
   * area() (the drawing sheet's size, which a view's boxes are counted for).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.shownBoxes = null; // boxes of the drawing on screen
    this.shownDepth = 0; // the depth of the view on screen: {depth, deepest, asked}
    this.back = null; // the view before a depth too big to read whole: {request, depth}
    this.timer = 0;
    this.previews = 0; // previews asked for: an answer for an older one is dropped
  }

  wire() {
    const ui = this.ui;
    ui.depthButton.addEventListener('click', () => this.apply());
    ui.depthInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.apply();
    });
    ui.depthInput.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.preview(), TYPING_PAUSE_MS);
    });
    ui.depthStatus.addEventListener('click', (e) => {
      const button = e.target.closest('[data-action=depth-back]');
      if (button && this.back) this.calls.show(this.back.request, {overview: true});
    });
  }

  /** The depth typed in the field, within 0 … MAX_DEPTH. */
  asked() {
    const value = Math.round(Number(this.ui.depthInput.value) || 0);
    return Math.max(0, Math.min(MAX_DEPTH, value));
  }

  /**
   * A drawing of `boxes` boxes is on screen, opening scopes to `shown` ({depth: asked for, else
   * its own; deepest: its deepest open group's level; asked: whether a depth was asked for}):
   * the field shows its depth, the status what; `applied`: the depth this control asked it
   * for ({depth, before: the view before, as `back`}), if so, or {revealed: true} when a
   * search opened groups to show what it found: then the field keeps the depth the reader set
   * (the view is that depth's, or the view they opened, plus the found name's groups) and the
   * status says so.
   */
  shown(boxes, shown, applied = null) {
    const ui = this.ui;
    const depth = shown.depth;
    this.shownBoxes = boxes;
    this.shownDepth = shown;
    clearTimeout(this.timer);
    this.model.cancelViewInfo();
    this.previews += 1; // a preview still on its way would speak of the view before
    this.back = null;
    if (applied && applied.revealed) {
      this.say(this.revealedText(this.asked(), boxes));
      return;
    }
    if (document.activeElement !== ui.depthInput) ui.depthInput.value = String(depth);
    if (!applied) {
      this.say(this.nowText(depth, boxes));
      return;
    }
    const k = this.fitScale();
    const got = shown.deepest < depth ? ` opens the same as depth ${shown.deepest} here` : '';
    if (k >= READABLE_SCALE) {
      this.say(`Depth ${applied.depth}${got}: ${boxesText(boxes)}, shown whole.`);
      return;
    }
    // Too big to read whole: placed top first (Drawing's overview), and said so.
    const px = Math.max(1, Math.round(k * LABEL_PX_AT_1));
    this.back = applied.before;
    this.say(
      `Depth ${applied.depth}${got}: ${boxesText(boxes)}, too many to read whole here ` +
        `(labels ${px} px when fitted). Its top is shown at full size, the map shows the ` +
        'rest; F fits it all.',
      {warn: true, back: backText(applied.before)}
    );
  }

  /** What the status says of the view on screen. */
  nowText(depth, boxes) {
    const what = depth ? `scopes open to depth ${depth}` : 'every scope closed';
    return `This view: ${what}, ${boxesText(boxes)}.`;
  }

  /** What the status says of a view opened further to show a search result. */
  revealedText(depth, boxes) {
    const what = depth ? `scopes open to depth ${depth}` : 'every scope closed';
    return `This view: ${what}, and opened to show the search result: ${boxesText(boxes)}.`;
  }

  /** The scale that fits the whole drawing on screen in the window. */
  fitScale() {
    const vp = this.viewport;
    return vp.bounds ? vp.fitView(vp.bounds).k : 1;
  }

  /**
   * Says what the depth typed gives: the view on screen, or the boxes of the drawing the button
   * would show and whether it reads whole here, from that drawing itself (see the top).
   */
  async preview() {
    const state = this.state;
    if (!state.graph) return;
    const seq = ++this.previews;
    const depth = this.asked();
    const now = this.shownDepth.depth;
    if (depth === now && this.shownBoxes != null) {
      this.say(this.nowText(now, this.shownBoxes));
      return;
    }
    const request = {...this.request(depth), base: state.base, area: this.calls.area()};
    let answer;
    try {
      answer = await this.model.viewInfo(state.graph, request);
    } catch (error) {
      if (error instanceof Stale) return;
      this.say(`Depth ${depth}: ${error.message}`, {warn: true});
      return;
    }
    if (seq !== this.previews) return;
    if (sameOpen(answer.open || [], state.open)) {
      const deepest = answer.deepest ?? depth;
      const got = deepest < depth ? `, the same as depth ${deepest}` : '';
      this.say(`Depth ${depth} shows this view${got}.`);
      return;
    }
    if (answer.boxes > PREVIEW_MAX_BOXES) {
      const about = `about ${boxesText(answer.boxes)}`;
      this.say(`Depth ${depth} shows ${about}: too many to read whole in this window.`, {
        warn: true,
      });
      return;
    }
    this.say(`Depth ${depth}: counting its boxes…`);
    let drawing;
    try {
      const view = {...request, colour: state.colour, unroll: [...state.unrolled]};
      const text = await (await this.model.export(state.graph, view, 'svg')).text();
      drawing = importGraphSvg(text);
    } catch (error) {
      if (seq === this.previews) this.say(`Depth ${depth}: ${error.message}`, {warn: true});
      return;
    }
    if (seq !== this.previews) return;
    const boxes = drawing.svg.querySelectorAll('g.node').length;
    const shown = this.shownBoxes;
    const more = shown != null ? ` (${boxesText(shown)} now)` : '';
    const k = this.viewport.fitView(drawing.bounds).k;
    if (k >= READABLE_SCALE) {
      this.say(`Depth ${depth} shows ${boxesText(boxes)}${more}, whole in this window.`);
      return;
    }
    const px = Math.max(1, Math.round(k * LABEL_PX_AT_1));
    this.say(
      `Depth ${depth} shows ${boxesText(boxes)}${more}: too many to read whole in this ` +
        `window (labels ${px} px when fitted).`,
      {warn: true}
    );
  }

  /** The request (open, depth) of the view of depth `depth` (0: every scope closed). */
  request(depth) {
    return depth === 0 ? {open: [], depth: null} : {open: null, depth};
  }

  /** Opens every scope down to the depth typed (0: closes all). */
  apply() {
    clearTimeout(this.timer);
    this.model.cancelViewInfo();
    const depth = this.asked();
    this.ui.depthInput.value = String(depth);
    this.previews += 1; // a preview still on its way says nothing now
    this.calls.show(this.request(depth), {overview: true, depth: {depth, before: this.before()}});
  }

  /** The view on screen, to go back to: {request, depth, asked} (asked: a depth's view). */
  before() {
    const {depth, asked} = this.shownDepth;
    const request = asked ? {open: null, depth} : {open: [...this.state.open], depth: null};
    return {request, depth, asked: Boolean(asked)};
  }

  say(text, {warn = false, back = null} = {}) {
    const status = this.ui.depthStatus;
    status.classList.toggle('sg-depth-warn', warn);
    status.replaceChildren(text);
    if (back) {
      const button = h('button', {
        type: 'button',
        class: 'sg-button sg-text sg-depth-back',
        'data-action': 'depth-back',
        text: back,
      });
      status.append(button);
    }
  }
}

/** The way back's name: a depth by its number; a view opened by clicks (or the first view,
 * chosen for the window) is no depth the field could give, so it is named as what it was. */
function backText(before) {
  return before.asked ? `Back to depth ${before.depth}` : 'Back to the view before';
}
