// The cards over the drawing: a box's details on hover (after a short delay) or pinned by a
// click, an edge's tip, and the summaries a badged box holds. A card's answer that comes after
// the pointer moved on (or another box was pinned) is dropped.

import {BOX_KINDS, parseClusterId, parseElementId} from './ids.js';
import * as cardviews from './cardviews.js';
import {Stale} from './model.js';
import {countsLayers} from './views.js';

const HOVER_DELAY_MS = 90;
// A card's room (px): from the box it is for, from the window's sides, and from its bottom,
// where the status line's band is (style/messages.css).
const CARD_GAP = 12;
const CARD_MARGIN = 8;
const CARD_BOTTOM = 32;
// An open group's frame is its outline (this many pixels wide) and its label band: clicks
// there close the group; its inside is background, for panning.
const FRAME_EDGE_PX = 8;

/** What a box or frame element stands for: {kind, name, open} or null. */
export function describe(element) {
  if (element.classList.contains('cluster')) {
    const group = parseClusterId(element.id);
    return group && {...group, open: true};
  }
  const box = parseElementId(element.id);
  return box && BOX_KINDS.includes(box.kind) ? {...box, open: false} : null;
}

/** The box, edge or open group's frame at a pointer event; null over the background. */
export function pick(event) {
  const target = event.target instanceof Element ? event.target : null;
  if (!target || target.closest('[data-no-pan], .sg-card')) return null;
  const element = target.closest('g.node, g.edge, g.cluster');
  if (
    element &&
    element.classList.contains('cluster') &&
    !onFrame(element, event.clientX, event.clientY)
  ) {
    return null;
  }
  return element;
}

/** Whether client point (x, y) is on an open group's outline or its label band. */
function onFrame(cluster, x, y) {
  const box = cluster.getBoundingClientRect();
  if (Math.min(x - box.left, box.right - x, y - box.top, box.bottom - y) <= FRAME_EDGE_PX)
    return true;
  let labelBottom = box.top;
  for (const text of cluster.querySelectorAll('text')) {
    labelBottom = Math.max(labelBottom, text.getBoundingClientRect().bottom);
  }
  return y >= box.top && y <= labelBottom + 4 && x >= box.left && x <= box.right;
}

export class Cards {
  /**
   * `state`: the tab's (see state.js), read only. `calls`: decorate(content, details) (a
   * diff's rows on an op's card), traceFrom(element, direction) (a card's trace buttons),
   * unroll(series, on) and openMember(series, member, members) (a rolled series' controls).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.hovered = null; // the element under the pointer
    this.pinned = null; // the element whose card is pinned
    this.cardFor = null; // the element the card is (being) filled for
    this.hoverTimer = 0;
  }

  wire() {
    const ui = this.ui;
    ui.viewport.addEventListener('mousemove', (e) => {
      this.moveTip(e);
      this.onHover(e);
    });
    ui.viewport.addEventListener('mouseleave', () => this.hideHover());
    ui.card.addEventListener('click', (e) => {
      if (e.target.closest('[data-action="unpin"]')) this.unpin();
      const trace = e.target.closest('[data-action="trace"]');
      if (trace && this.pinned) this.calls.traceFrom(this.pinned, trace.dataset.direction);
      const unroll = e.target.closest('[data-action="unroll"]');
      if (unroll) this.calls.unroll(unroll.dataset.series, unroll.dataset.unroll === '1');
    });
    ui.card.addEventListener('change', (e) => {
      const picker = e.target.closest('[data-action="member"]');
      if (!picker || !picker.value) return;
      const members = [...picker.options].map((o) => o.value).filter(Boolean);
      this.calls.openMember(picker.dataset.series, picker.value, members);
    });
  }

  onHover(event) {
    if (this.viewport.dragging) return;
    const element = pick(event);
    if (element === this.hovered) return;
    if (this.hovered) this.hovered.classList.remove('sg-hover');
    this.hovered = element;
    clearTimeout(this.hoverTimer);
    if (!element) {
      this.hideHover();
      return;
    }
    element.classList.add('sg-hover');
    if (element.classList.contains('edge')) {
      this.showTip(element.getAttribute('data-sg-tip') || '', event);
      if (!this.pinned) this.ui.card.hidden = true;
      return;
    }
    this.ui.tip.hidden = true;
    if (this.pinned) return;
    this.hoverTimer = setTimeout(() => this.showDetails(element), HOVER_DELAY_MS);
  }

  hideHover() {
    clearTimeout(this.hoverTimer);
    if (this.hovered) this.hovered.classList.remove('sg-hover');
    this.hovered = null;
    this.ui.tip.hidden = true;
    if (!this.pinned) {
      this.model.cancelNode();
      this.ui.card.hidden = true;
    }
  }

  showTip(text, event) {
    if (!text) return;
    this.ui.tip.replaceChildren(...cardviews.edgeTip(text));
    this.ui.tip.hidden = false;
    this.moveTip(event);
  }

  moveTip(event) {
    if (this.ui.tip.hidden) return;
    const outer = this.ui.viewport.getBoundingClientRect();
    const tip = this.ui.tip;
    let x = event.clientX - outer.left + 14;
    let y = event.clientY - outer.top + 16;
    if (x + tip.offsetWidth > outer.width - 8)
      x = Math.max(8, event.clientX - outer.left - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > outer.height - 8)
      y = Math.max(8, event.clientY - outer.top - tip.offsetHeight - 16);
    tip.style.transform = `translate(${x}px, ${y}px)`;
  }

  async showDetails(element, {pinned = false} = {}) {
    const what = describe(element);
    if (!what || (this.pinned && !pinned)) return;
    if (what.kind === 'missing') {
      this.fillCard(
        element,
        cardviews.errorCardContent(
          what.name,
          'An input names this node, but the graph has no such node.'
        ),
        pinned
      );
      return;
    }
    this.fillCard(element, cardviews.loadingCard(what.name), pinned);
    let details;
    try {
      details = await this.model.node(this.state.graph, what.name, what.kind, this.state.base);
    } catch (error) {
      if (error instanceof Stale) return;
      if (this.cardFor === element)
        this.fillCard(element, cardviews.errorCardContent(what.name, error.message), pinned);
      return;
    }
    if (this.cardFor !== element || (this.hovered !== element && this.pinned !== element)) return;
    if (this.pinned && this.pinned !== element) return;
    const content =
      details.kind === 'op'
        ? cardviews.opCard(details, {pinned})
        : cardviews.groupCard(details, {
            open: what.open,
            pinned,
            unrolled: Boolean(details.rolled && this.state.unrolled.has(details.rolled.series)),
            layers: countsLayers(this.state.graph),
          });
    this.fillCard(element, this.calls.decorate(content, details), pinned);
    if (element.classList.contains('summarized')) this.addSummaries(element, what, pinned);
  }

  /** Adds the summaries held at or inside a badged box to its card, once they are read. */
  async addSummaries(element, what, pinned) {
    let answer;
    try {
      answer = await this.model.summaries(this.state.graph, what.name, what.kind);
    } catch (error) {
      if (error instanceof Stale) return;
      answer = {error: error.message};
    }
    if (this.cardFor !== element || (this.hovered !== element && this.pinned !== element)) return;
    const block = answer.error
      ? cardviews.errorCardContent(what.name, `Summaries could not be read: ${answer.error}`)[1]
      : cardviews.summariesBlock(answer, {
          pinned,
          pinWith: what.kind === 'op' ? 'click' : 'Shift+click',
        });
    if (!block) return;
    // First after the name and counts: what the badge promised, before the longer lists.
    const after = this.ui.card.querySelector('.sg-card-block, .sg-card-hint');
    if (after) after.before(block);
    else this.ui.card.append(block);
    this.positionCard(element);
  }

  fillCard(element, content, pinned) {
    const card = this.ui.card;
    this.cardFor = element;
    card.replaceChildren(...content);
    card.classList.toggle('sg-pinned', pinned);
    card.hidden = false;
    this.positionCard(element);
  }

  /** A pinned card follows its box as the drawing moves. */
  followPinned() {
    if (this.pinned && this.pinned.isConnected && !this.ui.card.hidden) {
      this.positionCard(this.pinned);
    }
  }

  /**
   * Where the card goes: inside the window, never over the box it is for, on the side of the
   * box away from the middle of the drawing on screen (where the other boxes are), else the
   * other side, else above or below it; when none has room, in the window's corner farthest
   * from the box. An open group's frame can be huge: its card goes by its title, top left.
   */
  positionCard(element) {
    const card = this.ui.card;
    const outer = this.ui.viewport.getBoundingClientRect();
    const r = element.getBoundingClientRect();
    const box = {x0: r.left - outer.left, y0: r.top - outer.top, x1: r.right - outer.left};
    box.y1 = box.y0 + r.height;
    const w = card.offsetWidth;
    const hgt = card.offsetHeight;
    const place = (x, y) => {
      x = Math.max(CARD_MARGIN, Math.min(x, outer.width - w - CARD_MARGIN));
      y = Math.max(CARD_MARGIN, Math.min(y, outer.height - hgt - CARD_BOTTOM));
      card.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    };
    if (element.classList.contains('cluster')) {
      place(box.x0 + Math.min(box.x1 - box.x0, 160) + CARD_GAP, box.y0);
      return;
    }
    const middle = this.drawingMiddle(outer);
    const fitsX = (x) => x >= CARD_MARGIN && x + w <= outer.width - CARD_MARGIN;
    const fitsY = (y) => y >= CARD_MARGIN && y + hgt <= outer.height - CARD_BOTTOM;
    // Beside it: level with the box's middle, as high as the window lets it.
    const level = (box.y0 + box.y1) / 2 - Math.min(hgt / 2, 40);
    const right = box.x1 + CARD_GAP;
    const left = box.x0 - CARD_GAP - w;
    const sides = (box.x0 + box.x1) / 2 >= middle.x ? [right, left] : [left, right];
    for (const x of sides) {
      if (fitsX(x)) return place(x, level);
    }
    // Above or below it, away from the middle first.
    const centred = (box.x0 + box.x1) / 2 - w / 2;
    const below = box.y1 + CARD_GAP;
    const above = box.y0 - CARD_GAP - hgt;
    const rows = (box.y0 + box.y1) / 2 >= middle.y ? [below, above] : [above, below];
    for (const y of rows) {
      if (fitsY(y)) return place(centred, y);
    }
    // No room round it: the corner farthest from it.
    const farX = (box.x0 + box.x1) / 2 < outer.width / 2 ? outer.width : 0;
    const farY = (box.y0 + box.y1) / 2 < outer.height / 2 ? outer.height : 0;
    return place(farX, farY);
  }

  /** The middle (px in the viewport) of the part of the drawing on screen. */
  drawingMiddle(outer) {
    const vp = this.viewport;
    const middle = {x: outer.width / 2, y: outer.height / 2};
    if (!vp.bounds) return middle;
    const b = vp.bounds;
    const a = vp.toScreen(b.x, b.y);
    const z = vp.toScreen(b.x + b.w, b.y + b.h);
    const x0 = Math.max(0, a.x);
    const x1 = Math.min(outer.width, z.x);
    const y0 = Math.max(0, a.y);
    const y1 = Math.min(outer.height, z.y);
    return x1 > x0 && y1 > y0 ? {x: (x0 + x1) / 2, y: (y0 + y1) / 2} : middle;
  }

  togglePin(element) {
    if (this.pinned === element) {
      this.unpin();
      return;
    }
    this.unpin();
    clearTimeout(this.hoverTimer);
    this.pinned = element;
    element.classList.add('sg-pinned-box');
    this.showDetails(element, {pinned: true});
  }

  unpin() {
    if (this.pinned) this.pinned.classList.remove('sg-pinned-box');
    this.pinned = null;
    this.ui.card.classList.remove('sg-pinned');
    if (!this.hovered || this.hovered.classList.contains('edge')) this.ui.card.hidden = true;
  }
}
