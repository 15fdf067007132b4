// What the tab's parts share: which graph is picked and which is on screen, what it is compared
// with, which groups are open, what the boxes are coloured by, what is marked and traced. One
// plain object, made by tabState() and handed to every part (tab.js makes them); each field
// says which part writes it, the others only read it.

/** The tab's state as it starts: nothing listed, picked or shown. */
export function tabState() {
  return {
    graphs: [], // the listing ({run, kind, tag, op_count}), listing.js
    graph: null, // the graph picked, listing.js
    runFilter: '', // what the run picker shows: runs matching it (regex, else text), listing.js
    base: null, // the graph a diff compares against ({..., step}), or null; tab.js (setBase)
    colour: '', // what boxes are filled by (the `colour` of a view), colouring.js
    shownGraph: null, // the graph of the drawing on screen (differs while one loads), drawing.js
    shownBase: null, // ... and its base, drawing.js
    open: new Set(), // the open groups of the drawing on screen, drawing.js
    unrolled: new Set(), // the series of identical blocks it draws unrolled, drawing.js
    svgText: null, // the SVG text of the drawing on screen, drawing.js
    highlightId: null, // the element id marked as found (search.js, drawing.js)
    traced: null, // the trace shown: {name, direction, depth, found}, trace.js
  };
}

/** Whether two graphs ({run, kind, tag}) are one; kind and tag may be left out ('' alike). */
export function sameGraph(a, b) {
  return (
    Boolean(a && b) &&
    a.run === b.run &&
    (a.kind || '') === (b.kind || '') &&
    (a.tag || '') === (b.tag || '')
  );
}

/** Whether the groups `keys` are those of Set `open`. */
export function sameOpen(keys, open) {
  return keys.length === open.size && keys.every((key) => open.has(key));
}
