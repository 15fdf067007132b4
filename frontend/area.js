// The area a drawing is shown in: the size of the tab's drawing sheet, and the step the server
// rounds it to (service/views.py, `area`). The server chooses a default view and the drawing's
// direction for that step; the tab puts the step in its requests, so that its keys for views
// and drawings are the server's: a drawing made for another sheet of the same step (the first
// view drawn ahead, a sheet a few pixels larger) is taken as it is, and one for another step
// is not.

/** What the server draws for when told nothing: the sheet in a 1,400 x 900 window. */
export const DEFAULT_AREA = {width: 1128, height: 818};
// As service/views.py rounds: down to steps of an eighth of an octave from DEFAULT_AREA, a
// tenth of a step under one counting as that step; sides from 100 to 10000 px.
const STEPS_PER_OCTAVE = 8;
const SLACK = 0.1;
const MIN_SIDE = 100;
const MAX_SIDE = 10000;

function step(size, anchor) {
  const steps = Math.floor(STEPS_PER_OCTAVE * Math.log2(size / anchor) + SLACK);
  return Math.round(anchor * 2 ** (steps / STEPS_PER_OCTAVE));
}

/** The step ({width, height}) the server draws for in a sheet of `area` ({width, height}). */
export function areaStep({width, height}) {
  const side = (px) => Math.min(MAX_SIDE, Math.max(MIN_SIDE, Math.round(px) || MIN_SIDE));
  return {
    width: step(side(width), DEFAULT_AREA.width),
    height: step(side(height), DEFAULT_AREA.height),
  };
}

// The sidebar's width (style.css, .sg-sidebar) and the widest window that puts it above the
// drawing instead, taking up to this share of the height (its @media rule).
const SIDEBAR_WIDTH = 272;
const NARROW_WINDOW = 640;
const NARROW_SIDEBAR = 0.4;

/**
 * The size of the drawing's sheet ({width, height}, CSS px): `measured` ({w, h}, the
 * viewport's size) once the shell is laid out, else what the shell will give it in this window.
 */
export function sheetArea(measured = null) {
  if (measured && measured.w > 20 && measured.h > 20) {
    return {width: measured.w, height: measured.h};
  }
  const {innerWidth: width, innerHeight: height} = window;
  if (width > NARROW_WINDOW) return {width: width - SIDEBAR_WIDTH, height};
  return {width, height: height * (1 - NARROW_SIDEBAR)};
}
