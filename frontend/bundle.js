// location.js
var STORAGE_KEY = "tb-scopegraph.views.v1";
var MAX_REMEMBERED = 50;
function parseFragment(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const run = params.get("run");
  const baseRun = params.get("base_run");
  const baseStep = params.get("base_step");
  const depth = params.get("depth");
  const open = params.getAll("open");
  return {
    runFilter: params.get("run_filter"),
    graph: run == null ? null : { run, kind: params.get("kind") || "", tag: params.get("tag") || "" },
    open: open.length ? open : depth === "0" ? [] : null,
    depth: depth != null && /^\d+$/.test(depth) && depth !== "0" ? Number(depth) : null,
    unroll: params.getAll("unroll"),
    base: baseRun == null ? null : {
      run: baseRun,
      kind: params.get("base_kind") || "",
      tag: params.get("base_tag") || "",
      step: baseStep != null && /^\d+$/.test(baseStep) ? Number(baseStep) : null
    }
  };
}
function formatFragment(graph, open, base = null, runFilter = "", unroll = []) {
  const params = new URLSearchParams();
  if (runFilter) params.set("run_filter", runFilter);
  params.set("run", graph.run);
  if (graph.kind) params.set("kind", graph.kind);
  if (graph.tag) params.set("tag", graph.tag);
  if (open && open.length) for (const key of [...open].sort()) params.append("open", key);
  else if (open) params.set("depth", "0");
  for (const key of [...unroll].sort()) params.append("unroll", key);
  if (base) {
    params.set("base_run", base.run);
    if (base.kind) params.set("base_kind", base.kind);
    if (base.tag) params.set("base_tag", base.tag);
    if (base.step != null) params.set("base_step", String(base.step));
  }
  return params.toString();
}
var TB_KEY = "scopegraph";
function tbStorage() {
  try {
    const storage = window.parent !== window && window.parent.tensorboard?.tf_storage;
    return storage && typeof storage.getString === "function" ? storage : null;
  } catch {
    return null;
  }
}
function readLocation() {
  const own = parseFragment(window.location.hash);
  if (own.graph) return own;
  const storage = tbStorage();
  try {
    const value = storage && storage.getString(TB_KEY);
    if (value) return parseFragment(value);
  } catch {
  }
  return own;
}
function writeLocation(graph, open, base = null, runFilter = "", unroll = []) {
  const fragment = formatFragment(graph, open, base, runFilter, unroll);
  if (window.location.hash !== "#" + fragment) {
    const url = new URL(window.location.href);
    url.hash = fragment;
    window.history.replaceState(window.history.state, "", url.toString());
  }
  const storage = tbStorage();
  try {
    if (storage && storage.getString(TB_KEY) !== fragment) {
      storage.setString(TB_KEY, fragment, { useLocationReplace: true });
    }
  } catch {
  }
}
function tensorboardRunFilter() {
  try {
    if (window.parent === window) return "";
    return new URLSearchParams(window.parent.location.search).get("runFilter") || "";
  } catch {
    return "";
  }
}
function graphKey(graph) {
  return JSON.stringify([graph.run, graph.kind, graph.tag]);
}
function load() {
  try {
    const data = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}");
    return data && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
}
function save(data) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
  } catch {
  }
}
function firstVisit() {
  return !readLocation().graph && !rememberedGraph();
}
function rememberedGraph() {
  const last = load().last;
  return last && typeof last.run === "string" ? last : null;
}
function rememberedOpen(graph) {
  const entry = (load().views || {})[graphKey(graph)];
  return entry && Array.isArray(entry.open) ? entry.open : null;
}
function remember(graph, open) {
  const data = load();
  const views = data.views && typeof data.views === "object" ? data.views : {};
  views[graphKey(graph)] = { open: [...open].sort(), t: Date.now() };
  const keys = Object.keys(views);
  if (keys.length > MAX_REMEMBERED) {
    keys.sort((a, b) => (views[a].t || 0) - (views[b].t || 0));
    for (const key of keys.slice(0, keys.length - MAX_REMEMBERED)) delete views[key];
  }
  save({ last: { run: graph.run, kind: graph.kind, tag: graph.tag }, views });
}

// area.js
var DEFAULT_AREA = { width: 1128, height: 818 };
var STEPS_PER_OCTAVE = 8;
var SLACK = 0.1;
var MIN_SIDE = 100;
var MAX_SIDE = 1e4;
function step(size, anchor) {
  const steps = Math.floor(STEPS_PER_OCTAVE * Math.log2(size / anchor) + SLACK);
  return Math.round(anchor * 2 ** (steps / STEPS_PER_OCTAVE));
}
function areaStep({ width, height }) {
  const side = (px) => Math.min(MAX_SIDE, Math.max(MIN_SIDE, Math.round(px) || MIN_SIDE));
  return {
    width: step(side(width), DEFAULT_AREA.width),
    height: step(side(height), DEFAULT_AREA.height)
  };
}
var SIDEBAR_WIDTH = 272;
var NARROW_WINDOW = 640;
var NARROW_SIDEBAR = 0.4;
function sheetArea(measured = null) {
  if (measured && measured.w > 20 && measured.h > 20) {
    return { width: measured.w, height: measured.h };
  }
  const { innerWidth: width, innerHeight: height } = window;
  if (width > NARROW_WINDOW) return { width: width - SIDEBAR_WIDTH, height };
  return { width, height: height * (1 - NARROW_SIDEBAR) };
}

// queued.js
var CLIENT_HEADER = "X-Scopegraph-Client";
var WATCH_EVERY_MS = 1e3;
var CLIENT_ID = (() => {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `tab-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
})();
function clientHeaders() {
  return { [CLIENT_HEADER]: CLIENT_ID };
}
function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
  return `${n}${suffix}`;
}
function placeText(standing) {
  const front = standing && Array.isArray(standing.layouts) ? standing.layouts[0] : null;
  if (!front || front.state !== "queued") return null;
  return `Waiting for a layout: ${ordinal(front.ahead + 1)} in line`;
}
function watchQueue(onStanding, every = WATCH_EVERY_MS) {
  let stopped = false;
  let timer = null;
  let controller = null;
  const ask = async () => {
    controller = new AbortController();
    try {
      const response = await fetch("./queue", {
        headers: clientHeaders(),
        credentials: "same-origin",
        signal: controller.signal
      });
      const standing = response.ok ? await response.json() : null;
      if (standing && !stopped) onStanding(standing);
    } catch {
    }
    if (!stopped) timer = setTimeout(ask, every);
  };
  ask();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (controller) controller.abort();
  };
}

// model.js
var ApiError = class extends Error {
  constructor(message, { status = 0, timeout = false, retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.timeout = timeout;
    this.retryAfter = retryAfter;
  }
};
function retrySeconds(header) {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
var Stale = class extends Error {
  constructor() {
    super("superseded by a newer request");
    this.name = "Stale";
  }
};
var Latest = class {
  constructor() {
    this._seq = 0;
    this._controller = null;
  }
  /** Runs fn(signal); aborts whatever this channel was still waiting for. */
  run(fn) {
    this.cancel();
    const seq = this._seq;
    const controller = this._controller = new AbortController();
    const current = () => seq === this._seq && !controller.signal.aborted;
    return fn(controller.signal).then(
      (value) => {
        if (!current()) throw new Stale();
        return value;
      },
      (error) => {
        if (!current() || error.name === "AbortError") throw new Stale();
        throw error;
      }
    );
  }
  cancel() {
    this._seq += 1;
    if (this._controller) this._controller.abort();
    this._controller = null;
  }
};
async function request(path, params, { signal, as = "json", started = null } = {}) {
  const query = params ? `?${params}` : "";
  let response;
  try {
    const init = { signal, credentials: "same-origin", headers: clientHeaders() };
    response = await (started || fetch(`./${path}${query}`, init));
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(`TensorBoard did not answer (${error.message}). Is it still running?`);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`.trim();
    let timeout = false;
    const retryAfter = response.status === 503 ? retrySeconds(response.headers.get("Retry-After")) : null;
    try {
      const body = await response.json();
      if (body && typeof body.error === "string") message = body.error;
      timeout = Boolean(body && body.timeout);
    } catch {
    }
    throw new ApiError(message, { status: response.status, timeout, retryAfter });
  }
  if (as === "text") return response.text();
  if (as === "blob") return response.blob();
  return response.json();
}
function graphParams(graph) {
  const params = new URLSearchParams();
  params.set("run", graph.run);
  if (graph.kind) params.set("kind", graph.kind);
  if (graph.tag) params.set("tag", graph.tag);
  return params;
}
function addArea(params, area) {
  const { width, height } = areaStep(area);
  params.set("width", String(width));
  params.set("height", String(height));
  return params;
}
function viewParams(graph, view) {
  const params = graphParams(graph);
  for (const key of [...view.open || []].sort()) params.append("open", key);
  if (view.depth != null) params.set("depth", String(view.depth));
  if (view.open && view.open.length === 0 && view.depth == null) params.set("depth", "0");
  if (view.base) addBase(params, view.base);
  if (view.colour) params.set("colour", view.colour);
  if (view.area && !view.base) addArea(params, view.area);
  if (!view.base) for (const key of [...view.unroll || []].sort()) params.append("unroll", key);
  return params;
}
function addBase(params, base) {
  params.set("base_run", base.run);
  if (base.kind) params.set("base_kind", base.kind);
  if (base.tag) params.set("base_tag", base.tag);
  if (base.step != null) params.set("base_step", String(base.step));
}
function graphKey2(graph) {
  return JSON.stringify([graph.run, graph.kind, graph.tag]);
}
async function fetchView(params, signal) {
  const route = params.has("base_run") ? "diff" : "svg";
  return { svg: await request(route, params, { signal, as: "text" }) };
}
var Model = class {
  /**
   * `graphs`: the fetch() of the graph listing, when it was started early (index.js); or
   * `first`: the fetch() of the `first` route (a first visit), whose answer is the listing and
   * the first graph's default view, which view() then takes; or `answer`: that answer itself
   * (it came with the tab's module), its view kept only on a `firstVisit`. The graph's
   * warnings come with that view (see warnings()).
   */
  constructor({ graphs = null, first = null, answer = null, firstVisit: firstVisit2 = true } = {}) {
    this._graphs = graphs;
    this._prefetched = null;
    this._listing = null;
    this._warnings = null;
    if (first) {
      const answered = request("first", null, { started: first });
      answered.then(({ view }) => this._takeFirstView(view)).catch(() => {
      });
      this._listing = answered.then(({ graphs: graphs2 }) => graphs2);
    } else if (answer) {
      if (firstVisit2) this._takeFirstView(answer.view);
      this._listing = Promise.resolve(answer.graphs);
    }
    this._view = new Latest();
    this._node = new Latest();
    this._summaries = new Latest();
    this._search = new Latest();
    this._trace = new Latest();
    this._viewInfo = new Latest();
    this._details = /* @__PURE__ */ new Map();
  }
  /** [{run, kind, tag, op_count}] */
  listGraphs() {
    const early = this._listing;
    this._listing = null;
    if (early) return early;
    const started = this._graphs;
    this._graphs = null;
    return request("graphs", null, { started });
  }
  /**
   * The SVG text of a view: {svg}. Latest only. (Which groups a default view or a depth
   * opened, the drawing's frames say.)
   */
  view(graph, view) {
    const params = viewParams(graph, view);
    const early = this._prefetched;
    this._prefetched = null;
    if (early && early.key === params.toString()) return this._view.run(() => early.answer);
    return this._view.run((signal) => fetchView(params, signal));
  }
  /** Starts fetching a view the tab is about to ask for; view() takes over the answer. */
  prefetchView(graph, view) {
    this._keepView(graph, view, fetchView(viewParams(graph, view)));
  }
  /**
   * The `first` route's view: {run, kind, tag}, the area it was drawn for (width, height) and
   * its svg and warnings or its error (or null).
   */
  _takeFirstView(view) {
    if (!view) return;
    const graph = { run: view.run, kind: view.kind, tag: view.tag };
    if (Array.isArray(view.warnings))
      this._warnings = { key: graphKey2(graph), warnings: view.warnings };
    if (this._prefetched) return;
    const answer = typeof view.svg === "string" ? Promise.resolve({ svg: view.svg }) : Promise.reject(
      new ApiError(view.error, {
        status: view.status,
        timeout: view.timeout,
        retryAfter: view.retry_after ?? null
      })
    );
    const area = view.width ? { width: view.width, height: view.height } : DEFAULT_AREA;
    this._keepView(graph, { open: null, depth: null, area }, answer);
  }
  /** Keeps the answer for a view for view() to take, if it is asked for that view next. */
  _keepView(graph, view, answer) {
    answer.catch(() => {
    });
    this._prefetched = { key: viewParams(graph, view).toString(), answer };
  }
  cancelView() {
    this._view.cancel();
  }
  /**
   * Details of one op or group (kind_of disambiguates); with `base`, of the diff against it
   * (status, what changed). Cached, latest only.
   */
  node(graph, name, kindOf, base = null) {
    const baseKey = base && [graphKey2(base), base.step ?? null];
    const key = JSON.stringify([graphKey2(graph), name, kindOf, baseKey]);
    const cached = this._details.get(key);
    if (cached) {
      this._node.cancel();
      return Promise.resolve(cached);
    }
    const params = graphParams(graph);
    params.set("name", name);
    if (kindOf) params.set("kind_of", kindOf);
    if (base) addBase(params, base);
    return this._node.run(async (signal) => {
      const details = await request(base ? "diff_node" : "node", params, { signal });
      if (this._details.size > 500) this._details.clear();
      this._details.set(key, details);
      return details;
    });
  }
  cancelNode() {
    this._node.cancel();
    this._summaries.cancel();
  }
  /**
   * {name, scalars, histograms, more}: the latest values of the summaries at or inside one
   * op or group. Not cached here: a run gains steps while the tab is open. Latest only.
   */
  summaries(graph, name, kindOf) {
    const params = graphParams(graph);
    params.set("name", name);
    if (kindOf) params.set("kind_of", kindOf);
    return this._summaries.run((signal) => request("summaries", params, { signal }));
  }
  /** [{name, kind, op, reveal: [keys]}]; latest only. */
  search(graph, query, regex) {
    const params = graphParams(graph);
    params.set("q", query);
    if (regex) params.set("regex", "1");
    return this._search.run((signal) => request("search", params, { signal }));
  }
  cancelSearch() {
    this._search.cancel();
  }
  /**
   * The paths into (`in`), out of (`out`) or through (`both`) op `name`, `depth` hops deep,
   * in the view with `open` groups: {ops, open, boxes: [{kind, name}], origin, closed, ...}.
   * With `expand`, `open` grows by the groups the paths run through. Latest only.
   */
  trace(graph, name, { direction, depth, open, expand = true }) {
    const params = graphParams(graph);
    params.set("name", name);
    params.set("direction", direction);
    params.set("depth", String(depth));
    for (const key of [...open].sort()) params.append("open", key);
    if (!expand) params.set("expand", "0");
    return this._trace.run((signal) => request("trace", params, { signal }));
  }
  cancelTrace() {
    this._trace.cancel();
  }
  /**
   * Whether `graph` has data to colour by `colour`: the DOT text of its top level in that
   * colouring has a legend (see colour.py) only when some box has a value.
   */
  async hasColour(graph, colour) {
    const dot = await request("dot", viewParams(graph, { open: [], depth: null, colour }), {
      as: "text"
    });
    return dot.includes("<table");
  }
  /**
   * What was skipped or repaired to read `graph`: [{kind, count, message, examples}] (see
   * docs/http_api.md), empty for a graph read whole. Asked of the `view` route with every
   * group closed (the cheapest view), unless the first view brought them.
   */
  async warnings(graph) {
    const known = this._warnings;
    if (known && known.key === graphKey2(graph)) return known.warnings;
    const answer = await request("view", viewParams(graph, { open: [], depth: null }));
    return Array.isArray(answer.warnings) ? answer.warnings : [];
  }
  /**
   * What a view opens, before it is laid out: {open, boxes} (of a diff, when `view.base`).
   * Latest only.
   */
  viewInfo(graph, view) {
    const params = viewParams(graph, view);
    const route = view.base ? "diff_view" : "view";
    return this._viewInfo.run((signal) => request(route, params, { signal }));
  }
  cancelViewInfo() {
    this._viewInfo.cancel();
  }
  /** The view as a file: fmt is 'svg', 'dot' or 'png'. */
  export(graph, view, fmt) {
    const params = viewParams(graph, view);
    if (!view.base) return request(fmt, params, { as: "blob" });
    params.set("format", fmt);
    return request("diff", params, { as: "blob" });
  }
  /** [{step, wall_time}]: every stored graph of `graph`'s run, kind and tag, oldest first. */
  graphSteps(graph) {
    return request("steps", graphParams(graph));
  }
  /** The diff of `graph` against `base`: {open, boxes, counts: {added, removed, changed, same}}. */
  diffCounts(graph, base) {
    return request("diff_view", viewParams(graph, { open: null, depth: null, base }));
  }
};

// shapes.js
var PLAIN_PATH = /^[\sMLC\d.,eE+-]*$/;
var NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/g;
function shapeRect(element, svg) {
  const shapes = element.matches("path, polygon, polyline, ellipse, circle, rect") ? [element] : element.querySelectorAll("path, polygon, polyline, ellipse, circle, rect");
  if (!shapes.length) return null;
  return boxIn(
    svg,
    [...shapes].map((shape) => [shape, shapePoints(shape)])
  );
}
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
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}
function labelPoint(element, svg) {
  const lines = element.querySelectorAll(":scope > text, :scope > a > text");
  const corners = [...lines].map((line) => {
    const b = line.getBBox();
    return [
      line,
      [
        [b.x, b.y],
        [b.x + b.width, b.y + b.height]
      ]
    ];
  });
  const box2 = boxIn(svg, corners);
  return box2 && { x: box2.x + box2.w / 2, y: box2.y + box2.h / 2 };
}
function shapePoints(shape) {
  const number = (name) => shape[name].baseVal.value;
  switch (shape.localName) {
    case "polygon":
    case "polyline":
      return [...shape.points].map((p) => [p.x, p.y]);
    case "ellipse":
    case "circle": {
      const rx = shape.localName === "circle" ? number("r") : number("rx");
      const ry = shape.localName === "circle" ? number("r") : number("ry");
      const cx = number("cx");
      const cy = number("cy");
      return [
        [cx - rx, cy - ry],
        [cx + rx, cy + ry]
      ];
    }
    case "rect": {
      const x = number("x");
      const y = number("y");
      return [
        [x, y],
        [x + number("width"), y + number("height")]
      ];
    }
    case "path": {
      const d = shape.getAttribute("d") || "";
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
function matrixTo(element, svg) {
  let m = new DOMMatrix();
  let node = element;
  for (; node && node !== svg; node = node.parentNode) {
    if (!node.transform) return null;
    const list = node.transform.baseVal;
    for (let i = list.numberOfItems - 1; i >= 0; i--) {
      m = DOMMatrix.fromMatrix(list.getItem(i).matrix).multiply(m);
    }
  }
  return node === svg ? m : null;
}

// svgimport.js
var SVG_NS = "http://www.w3.org/2000/svg";
var XLINK_NS = "http://www.w3.org/1999/xlink";
var ACTIVE_ELEMENTS = "script, foreignObject, iframe, object, embed, style, animate, animateMotion, animateTransform, set";
var MAYBE_ACTIVE_ATTRIBUTE = /\son[^\s=>/]*\s*=|href/i;
function importGraphSvg(text) {
  const parsed = new DOMParser().parseFromString(text, "text/html");
  const root = parsed.body.firstElementChild;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg") {
    throw new Error("The server sent a drawing this page cannot read.");
  }
  for (const element of [...root.querySelectorAll("*")]) {
    if (element.namespaceURI !== SVG_NS) element.remove();
  }
  for (const element of [...root.querySelectorAll(ACTIVE_ELEMENTS)]) element.remove();
  for (const edge of root.querySelectorAll("g.edge")) {
    const title = edge.querySelector(":scope > title");
    if (title) edge.setAttribute("data-sg-ends", title.textContent);
  }
  for (const title of [...root.getElementsByTagName("title")]) title.remove();
  if (MAYBE_ACTIVE_ATTRIBUTE.test(text)) {
    for (const element of [root, ...root.querySelectorAll("*")]) {
      for (const attr of [...element.attributes]) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on")) element.removeAttributeNode(attr);
        else if (attr.localName === "href" && !attr.value.startsWith("#"))
          element.removeAttributeNode(attr);
      }
    }
  }
  for (const element of [...root.querySelectorAll("[*|title]")]) {
    const tip = element.getAttributeNS(XLINK_NS, "title");
    if (tip == null) continue;
    const owner = element.closest("g.node, g.edge, g.cluster");
    if (owner && !owner.hasAttribute("data-sg-tip")) owner.setAttribute("data-sg-tip", tip);
    const legend2 = owner ? null : element.closest('g[id^="a_sg-legend-"]');
    if (legend2) legend2.setAttribute("data-sg-legend", tip);
    element.removeAttributeNS(XLINK_NS, "title");
    const wrapper = element.parentNode;
    if (owner && element.localName === "a" && wrapper.parentNode === owner) {
      if (wrapper.localName === "g" && wrapper.childElementCount === 1) {
        wrapper.replaceWith(...element.childNodes);
      }
    }
  }
  let [x, y, w, hgt] = (root.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  let bounds = [x, y, w, hgt].every(Number.isFinite) ? { x, y, w, h: hgt } : {
    x: 0,
    y: 0,
    w: parseFloat(root.getAttribute("width")) || 100,
    h: parseFloat(root.getAttribute("height")) || 100
  };
  const legend = drawnLegend(root);
  if (legend.length) {
    for (const element of legend) element.classList.add("sg-legend-drawn");
    bounds = contentRect(root, legend) || bounds;
  }
  const svg = document.adoptNode(root);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("class", "sg-drawing sg-graph");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  svg.setAttribute("role", "img");
  return { svg, bounds };
}
var HEX_FILL = /^#[0-9a-f]{6}$/i;
function drawnLegend(svg) {
  const graph = svg.querySelector("g.graph");
  if (!graph) return [];
  const parts = [...graph.children].filter(
    (child) => child.localName === "text" || child.localName === "polygon" && HEX_FILL.test(child.getAttribute("fill") || "") || child.localName === "g" && child.id.startsWith("a_sg-legend-")
  );
  return parts.some((part) => part.localName !== "text") ? parts : [];
}
function contentRect(svg, legend) {
  const skip = new Set(legend);
  let box2 = null;
  for (const part of svg.querySelectorAll("g.graph > g")) {
    if (skip.has(part)) continue;
    const r = shapeRect(part, svg);
    if (!r) continue;
    if (!box2) box2 = { ...r };
    else {
      const x1 = Math.max(box2.x + box2.w, r.x + r.w);
      const y1 = Math.max(box2.y + box2.h, r.y + r.h);
      box2.x = Math.min(box2.x, r.x);
      box2.y = Math.min(box2.y, r.y);
      box2.w = x1 - box2.x;
      box2.h = y1 - box2.y;
    }
  }
  if (!box2) return null;
  const pad = 4;
  return { x: box2.x - pad, y: box2.y - pad, w: box2.w + 2 * pad, h: box2.h + 2 * pad };
}
function legendEntries(svg) {
  const entries = [];
  let swatch = null;
  for (const part of svg.querySelectorAll(".sg-legend-drawn")) {
    if (part.localName !== "text") {
      const shape = part.localName === "polygon" ? part : part.querySelector("polygon, path");
      const fill = shape && shape.getAttribute("fill") || "";
      swatch = { fill, text: part.dataset ? part.dataset.sgLegend : null };
    } else if (swatch) {
      entries.push({ fill: swatch.fill, text: swatch.text || part.textContent });
      swatch = null;
    } else if (!entries.length) {
      entries.push({ title: part.textContent });
    }
  }
  return entries.some((entry) => entry.fill != null) ? entries : [];
}
function addEdgeHitAreas(svg) {
  if (svg.dataset.sgHitAreas) return;
  svg.dataset.sgHitAreas = "1";
  for (const path of svg.querySelectorAll("g.edge path")) {
    const hit = path.cloneNode(false);
    hit.setAttribute("class", "sg-edge-hit");
    hit.setAttribute("stroke", "transparent");
    hit.setAttribute("stroke-width", "8");
    hit.setAttribute("fill", "none");
    hit.removeAttribute("stroke-dasharray");
    path.after(hit);
  }
}

// views.js
var SVG_NS2 = "http://www.w3.org/2000/svg";
var ICONS = {
  add: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z",
  remove: "M19 13H5v-2h14v2z",
  fit: "M15 3l2.3 2.3-2.89 2.87 1.42 1.42L18.7 6.7 21 9V3zM3 9l2.3-2.3 2.87 2.89 1.42-1.42L6.7 5.3 9 3H3zm6 12l-2.3-2.3 2.89-2.87-1.42-1.42L5.3 17.3 3 15v6zm12-6l-2.3 2.3-2.87-2.89-1.42 1.42 2.89 2.87L15 21h6z",
  search: "M15.5 14h-.79l-.28-.27C15.41 12.59 16 11.11 16 9.5 16 5.91 13.09 3 9.5 3S3 5.91 3 9.5 5.91 16 9.5 16c1.61 0 3.09-.59 4.23-1.57l.27.28v.79l5 4.99L20.49 19l-4.99-5zm-6 0C7.01 14 5 11.99 5 9.5S7.01 5 9.5 5 14 7.01 14 9.5 11.99 14 9.5 14z",
  close: "M19 6.41L17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  download: "M19 9h-4V3H9v6H5l7 7 7-7zM5 18v2h14v-2H5z",
  unfoldLess: "M7.41 18.59L8.83 20 12 16.83 15.17 20l1.41-1.41L12 14l-4.59 4.59zm9.18-13.18L15.17 4 12 7.17 8.83 4 7.41 5.41 12 10l4.59-4.59z",
  unfoldMore: "M12 5.83L15.17 9l1.41-1.41L12 3 7.41 7.59 8.83 9 12 5.83zm0 12.34L8.83 15l-1.41 1.41L12 21l4.59-4.59L15.17 15 12 18.17z",
  error: "M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-2h2v2zm0-4h-2V7h2v6z",
  graph: "M17 16l-4-4V8.82C14.16 8.4 15 7.3 15 6c0-1.66-1.34-3-3-3S9 4.34 9 6c0 1.3.84 2.4 2 2.82V12l-4 4H3v5h5v-3.05l4-4.2 4 4.2V21h5v-5h-4z",
  timer: "M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61l1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42C16.07 4.74 14.12 4 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z"
};
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}
function icon(name) {
  const svg = document.createElementNS(SVG_NS2, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "sg-icon");
  const path = document.createElementNS(SVG_NS2, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}
function iconButton(name, title, props = {}) {
  return h(
    "button",
    { type: "button", class: "sg-icon-button", title, "aria-label": title, ...props },
    icon(name)
  );
}
function section(title, ...children) {
  return h(
    "section",
    { class: "sg-section" },
    h("h3", { class: "sg-section-title", text: title }),
    ...children
  );
}
var COLOURINGS = [
  ["", "No colours"],
  ["op", "Op type"],
  ["device", "Device"],
  ["compute", "Compute time (profile)"],
  ["memory", "Memory (profile)"],
  ["structure", "Structure (identical blocks)"]
];
function buildShell() {
  const ui = {};
  ui.runFilter = h("input", {
    class: "sg-select sg-run-filter",
    type: "search",
    placeholder: "Filter runs (regex)",
    "aria-label": "Filter runs by regular expression or text",
    id: "sg-run-filter",
    autocomplete: "off",
    spellcheck: "false"
  });
  ui.runFilterStatus = h("div", { class: "sg-graph-info sg-run-filter-status", role: "status" });
  ui.runSelect = h("select", { class: "sg-select", "aria-label": "Run", id: "sg-run" });
  ui.graphSelect = h("select", { class: "sg-select", "aria-label": "Graph", id: "sg-graph" });
  ui.searchInput = h("input", {
    class: "sg-search-input",
    type: "search",
    placeholder: "Search nodes",
    "aria-label": "Search nodes by name",
    autocomplete: "off",
    spellcheck: "false"
  });
  ui.regexToggle = h("button", {
    type: "button",
    class: "sg-regex-toggle",
    title: "Regular expression",
    "aria-pressed": "false",
    text: ".*"
  });
  ui.searchResults = h("ul", {
    class: "sg-results",
    role: "listbox",
    "aria-label": "Search results"
  });
  ui.searchStatus = h("div", { class: "sg-results-status", role: "status" });
  ui.depthInput = h("input", {
    class: "sg-depth-input",
    type: "number",
    min: "0",
    max: "20",
    value: "0",
    "aria-label": "Depth to open to"
  });
  ui.depthButton = h(
    "button",
    { type: "button", class: "sg-button" },
    icon("unfoldMore"),
    "Open to depth"
  );
  ui.closeAllButton = h(
    "button",
    { type: "button", class: "sg-button" },
    icon("unfoldLess"),
    "Close all"
  );
  ui.colourSelect = h("select", { class: "sg-select", "aria-label": "Colour by", id: "sg-colour" });
  for (const [value, label] of COLOURINGS) {
    ui.colourSelect.append(h("option", { value, text: label }));
  }
  ui.traceDepth = h("input", {
    class: "sg-depth-input sg-trace-depth",
    type: "number",
    min: "0",
    max: "100",
    value: "3",
    "aria-label": "Hops to trace"
  });
  ui.traceClear = h("button", {
    type: "button",
    class: "sg-button sg-outlined sg-trace-clear",
    text: "Clear trace",
    disabled: true
  });
  ui.traceStatus = h("div", { class: "sg-trace-status", role: "status" });
  ui.downloads = {};
  const downloadRow = h("div", { class: "sg-row sg-downloads" });
  for (const fmt of ["svg", "png", "dot"]) {
    ui.downloads[fmt] = h(
      "button",
      {
        type: "button",
        class: "sg-button sg-outlined",
        "data-format": fmt,
        title: `Download this view as ${fmt.toUpperCase()}`
      },
      icon("download"),
      fmt.toUpperCase()
    );
    downloadRow.append(ui.downloads[fmt]);
  }
  ui.sidebar = h(
    "aside",
    { class: "sg-sidebar" },
    // At the top, where a short window still shows them.
    section("Download this view", downloadRow),
    ui.dataSection = section(
      "Data",
      h(
        "label",
        { class: "sg-field" },
        h("span", { class: "sg-field-label", text: "Run" }),
        ui.runFilter,
        ui.runFilterStatus,
        ui.runSelect
      ),
      h(
        "label",
        { class: "sg-field" },
        h("span", { class: "sg-field-label", text: "Graph" }),
        ui.graphSelect
      ),
      ui.graphInfo = h("div", { class: "sg-graph-info" })
    ),
    section(
      "Search",
      h("div", { class: "sg-search" }, icon("search"), ui.searchInput, ui.regexToggle),
      ui.searchStatus,
      ui.searchResults
    ),
    section(
      "Scopes",
      h("div", { class: "sg-row" }, ui.depthInput, ui.depthButton),
      ui.depthStatus = h("div", { class: "sg-depth-status", role: "status" }),
      h("div", { class: "sg-row" }, ui.closeAllButton)
    ),
    section(
      "Colour",
      ui.colourSelect,
      ui.colourWhy = h("div", { class: "sg-colour-whys sg-no-diff", role: "status" }),
      h("p", { class: "sg-help sg-diff-only", text: NO_COLOUR_IN_DIFF }),
      ui.colourLegend = h("div", { class: "sg-legend sg-colour-legend", hidden: true })
    ),
    section(
      "Trace",
      h(
        "div",
        { class: "sg-row sg-no-diff" },
        ui.traceDepth,
        h("span", { text: "hops" }),
        ui.traceClear
      ),
      ui.traceStatus,
      h("p", {
        class: "sg-help sg-no-diff",
        text: "Click an op, then trace its inputs or outputs in its card."
      }),
      h("p", { class: "sg-help sg-diff-only sg-no-trace", text: NO_TRACE_IN_DIFF })
    ),
    // The key of the drawing's marks (key.js fills it).
    ui.key = h("section", { class: "sg-section sg-key-section", hidden: true }),
    h(
      "p",
      { class: "sg-help" },
      "Drag to pan, scroll to zoom. ",
      h("kbd", { text: "F" }),
      " fits the graph, ",
      h("kbd", { text: "Esc" }),
      " clears the search."
    )
  );
  ui.stage = h("div", { class: "sg-stage" });
  ui.zoomIn = iconButton("add", "Zoom in", { "data-no-pan": true });
  ui.zoomOut = iconButton("remove", "Zoom out", { "data-no-pan": true });
  ui.fitButton = iconButton("fit", "Fit to screen (F)", { "data-no-pan": true });
  ui.zoomControls = h(
    "div",
    { class: "sg-zoom", "data-no-pan": true },
    ui.zoomIn,
    ui.zoomOut,
    ui.fitButton
  );
  ui.progress = h(
    "div",
    { class: "sg-progress", role: "progressbar", "aria-label": "Loading", hidden: true },
    h("div", { class: "sg-progress-bar" })
  );
  ui.loading = h("div", { class: "sg-loading", hidden: true, "data-no-pan": true, role: "status" });
  ui.message = h("div", { class: "sg-message-layer", hidden: true, "data-no-pan": true });
  ui.status = h("div", { class: "sg-status" });
  ui.card = h("div", { class: "sg-card", hidden: true, role: "tooltip", "data-no-pan": true });
  ui.tip = h("div", { class: "sg-tip", hidden: true, role: "tooltip" });
  ui.viewport = h(
    "main",
    { class: "sg-viewport", "aria-label": "Graph", tabindex: 0 },
    ui.stage,
    ui.progress,
    ui.zoomControls,
    ui.status,
    ui.loading,
    ui.message,
    ui.card,
    ui.tip
  );
  ui.banner = h("div", { class: "sg-banner", role: "status", hidden: true, "data-no-pan": true });
  ui.main = h("div", { class: "sg-main" }, ui.banner, ui.viewport);
  ui.root = h("div", { class: "sg-app" }, ui.sidebar, ui.main);
  return ui;
}
var KIND_LABELS = {
  run_graph: "Op graph",
  op_graph: "Op graph",
  keras: "Keras model",
  keras_model: "Keras model",
  conceptual: "Keras model",
  profile: "Profile",
  run_metadata: "Run metadata",
  tagged_run_metadata: "Tagged run metadata"
};
function countsLayers(graph) {
  return Boolean(graph) && graph.kind === "conceptual";
}
function graphLabel(graph) {
  const kind = KIND_LABELS[graph.kind] || graph.kind || "Graph";
  const tag = graph.tag && !graph.tag.startsWith("__") ? `: ${graph.tag}` : "";
  const unit = countsLayers(graph) ? "layers" : "ops";
  const ops = graph.op_count != null ? ` (${formatCount(graph.op_count)} ${unit})` : "";
  return kind + tag + ops;
}
function fillSelect(select, options, selectedIndex) {
  select.replaceChildren(
    ...options.map((label, i) => h("option", { value: String(i), text: label }))
  );
  select.value = String(Math.max(0, selectedIndex));
  select.disabled = options.length <= 1;
}
function addStyle(text) {
  const style = document.createElement("style");
  style.textContent = text;
  document.head.append(style);
  return Promise.resolve();
}
function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 250);
}
var STRUCTURE_OTHER = "#fcfcfc";
var HEX_FILL2 = /^#[0-9a-f]{6}$/i;
function colourLegendRows(svg) {
  return legendEntries(svg).map((entry) => {
    if (entry.title != null) return h("div", { class: "sg-legend-title", text: entry.title });
    const mark = h("span", { class: "sg-swatch sg-swatch-class" });
    if (HEX_FILL2.test(entry.fill)) mark.style.background = entry.fill;
    if (entry.fill.toLowerCase() === STRUCTURE_OTHER) mark.classList.add("sg-swatch-other");
    return h("div", { class: "sg-legend-row sg-colour-class" }, mark, h("span", { text: entry.text }));
  });
}
function shortName(name) {
  const parts = name.split("/");
  return parts[parts.length - 1] || name;
}
function chip(text, kind = "") {
  return h("span", { class: `sg-chip ${kind}`, text });
}
function formatCount(n) {
  return Number(n).toLocaleString("en-US");
}
var NO_TRACE_IN_DIFF = "Traces work on a single graph; stop comparing to trace.";
var NO_COLOUR_IN_DIFF = "A diff is coloured by what changed; stop comparing to colour by this.";
function searchResultItems(results, query) {
  return results.map((result, i) => {
    const slash = result.name.lastIndexOf("/", result.name.length - 2);
    const scopes = slash >= 0 ? result.name.slice(0, slash + 1) : "";
    const scopeParts = scopes ? scopes.split(/(?<=\/)/) : [];
    const item = h(
      "li",
      {
        class: "sg-result",
        role: "option",
        id: `sg-result-${i}`,
        "data-index": String(i),
        title: result.name
      },
      chip(
        result.kind === "op" ? result.op || "op" : result.kind,
        `sg-chip-${result.kind === "op" ? "op" : result.kind}`
      ),
      h(
        "span",
        { class: "sg-result-path" },
        scopeParts.length ? h(
          "span",
          { class: "sg-result-scopes" },
          scopeParts.map((part) => [part, h("wbr")])
        ) : null,
        h("span", { class: "sg-result-short", text: result.name.slice(scopes.length) })
      )
    );
    item.dataset.query = query;
    return item;
  });
}
function messageCard({ title, text, hint, iconName = "error", actions = [], kind = "error" }) {
  return h(
    "div",
    { class: `sg-message sg-message-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("div", { class: "sg-message-icon" }, icon(iconName)),
    h("h2", { class: "sg-message-title", text: title }),
    text ? h("p", { class: "sg-message-text sg-message-what", text }) : null,
    hint ? h("p", { class: "sg-message-text", text: hint }) : null,
    actions.length ? h(
      "div",
      { class: "sg-message-actions" },
      actions.map(
        (a) => h("button", {
          type: "button",
          class: `sg-button ${a.primary ? "sg-primary" : "sg-outlined"}`,
          "data-action": a.action,
          text: a.label
        })
      )
    ) : null
  );
}
function emptyState() {
  const code = (text) => h("code", { text });
  return h(
    "div",
    { class: "sg-message sg-message-empty", role: "status" },
    h("div", { class: "sg-message-icon" }, icon("graph")),
    h("h2", { class: "sg-message-title", text: "No graphs in this log directory" }),
    h("p", {
      class: "sg-message-text",
      text: "Scope Graph draws the computation graphs TensorBoard finds in your runs. Write one with:"
    }),
    h(
      "ul",
      { class: "sg-message-list" },
      h(
        "li",
        {},
        "TensorFlow: ",
        code("tf.summary.trace_on(graph=True)"),
        " then ",
        code("tf.summary.trace_export(...)")
      ),
      h("li", {}, "Keras: ", code("tf.keras.callbacks.TensorBoard(log_dir, write_graph=True)")),
      h("li", {}, "PyTorch: ", code("SummaryWriter(log_dir).add_graph(model, example_input)"))
    ),
    h(
      "div",
      { class: "sg-message-actions" },
      h("button", {
        type: "button",
        class: "sg-button sg-primary",
        "data-action": "reload-graphs",
        text: "Check again"
      })
    )
  );
}
function loadingChip(seconds, place = null) {
  const doing = place || "Laying out the graph";
  return [
    h("span", { class: "sg-spinner" }),
    h("span", {
      class: place ? "sg-queued" : null,
      text: seconds >= 1 ? `${doing}… ${seconds} s` : `${doing}…`
    }),
    h("button", {
      type: "button",
      class: "sg-button sg-text",
      "data-action": "cancel-render",
      text: "Cancel"
    })
  ];
}
function traceText(found, { kept = false } = {}) {
  const way = { in: "into", out: "out of", both: "into and out of" }[found.direction] || "";
  const ops = `${formatCount(found.op_count)} op${found.op_count === 1 ? "" : "s"}`;
  const parts = [`${ops} on paths ${way} ${found.name}, ${found.reached} of ${found.depth} hops`];
  if (!found.complete) parts.push(`stopped at ${formatCount(found.limits.ops)} ops`);
  if (found.closed && kept) {
    const groups = `${formatCount(found.closed)} closed group${found.closed === 1 ? "" : "s"}`;
    parts.push(`${groups} on them, each marked whole`);
  } else if (found.closed) {
    const groups = `${formatCount(found.closed)} group${found.closed === 1 ? "" : "s"}`;
    const bounds = `a trace opens at most ${found.limits.open}, to ${found.limits.boxes} boxes`;
    parts.push(`${groups} on them left closed (${bounds})`);
  }
  return parts.join("; ") + ".";
}
function statusText({ boxes, ops, seconds, open, layers = false }) {
  const parts = [];
  if (boxes != null) parts.push(`${formatCount(boxes)} boxes`);
  if (open != null) parts.push(`${formatCount(open)} open`);
  if (ops != null) parts.push(`${formatCount(ops)} ${layers ? "layers" : "ops"} in graph`);
  if (seconds != null)
    parts.push(`drawn in ${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`);
  return parts.join(" · ");
}

// banner.js
var UNITS = {
  unreadable_bytes: ["byte range", "byte ranges"],
  unreadable_part: ["part of the GraphDef", "parts of the GraphDef"],
  unreadable_node: ["node", "nodes"],
  unreadable_field: ["node field", "node fields"],
  unreadable_attr: ["attribute", "attributes"],
  no_name: ["node", "nodes"],
  no_op: ["node", "nodes"],
  duplicate_name: ["node", "nodes"],
  bad_function: ["function", "functions"],
  missing_input: ["input", "inputs"]
};
var OTHER = ["part", "parts"];
function summaryLine(warnings) {
  const counts = /* @__PURE__ */ new Map();
  for (const w of warnings) {
    const [one, many] = UNITS[w.kind] || OTHER;
    const unit = counts.get(one) || { one, many, count: 0 };
    unit.count += Number(w.count) || 0;
    counts.set(one, unit);
  }
  const parts = [...counts.values()].map((u) => `${u.count} ${u.count === 1 ? u.one : u.many}`);
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0];
  const total = [...counts.values()].reduce((sum, u) => sum + u.count, 0);
  return `${listed} ${total === 1 ? "was" : "were"} repaired or skipped while reading this graph`;
}
var Banner = class {
  /**
   * `element`: the shell's banner (views.buildShell's `banner`), empty and hidden; `model` asks
   * for a graph's warnings; `calls.shown(graph)`: the banner came for `graph` (the sheet below
   * it is shorter now). When it goes, the sheet grows and what was shown stays in it: nothing
   * to do.
   */
  constructor(element, model, calls) {
    this.element = element;
    this.model = model;
    this.calls = calls;
    this.graph = null;
    this.seq = 0;
  }
  /** Shows the warnings of `graph` (once the model has them), from now on in place of others'. */
  follow(graph) {
    const seq = ++this.seq;
    this.graph = graph;
    this.clear();
    this.model.warnings(graph).then(
      (warnings) => {
        if (seq === this.seq) this.show(warnings);
      },
      () => {
      }
      // The drawing says what went wrong with the graph, if anything did.
    );
  }
  /** Puts `warnings` in the banner; none hides it. */
  show(warnings) {
    if (!warnings || warnings.length === 0) {
      this.clear();
      return;
    }
    const close = iconButton("close", "Dismiss", { class: "sg-icon-button sg-banner-close" });
    close.addEventListener("click", () => this.clear());
    const kinds = warnings.map(
      (w) => h(
        "li",
        { class: "sg-banner-kind", "data-kind": w.kind },
        h("span", { class: "sg-banner-message", text: w.message }),
        h("span", { class: "sg-banner-count", text: ` (${w.count})` }),
        w.examples && w.examples.length ? h(
          "ul",
          { class: "sg-banner-examples" },
          w.examples.map((name) => h("li", { text: name }))
        ) : null
      )
    );
    this.element.replaceChildren(
      h(
        "div",
        { class: "sg-banner-line" },
        icon("error"),
        h("span", { class: "sg-banner-text", text: summaryLine(warnings) }),
        close
      ),
      h(
        "details",
        { class: "sg-banner-details" },
        h("summary", { text: "Details" }),
        h("ul", { class: "sg-banner-kinds" }, kinds)
      )
    );
    const came = this.element.hidden;
    this.element.hidden = false;
    if (came) this.calls.shown(this.graph);
  }
  /** Hides the banner (until the next graph with warnings). */
  clear() {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.element.replaceChildren();
  }
};

// ids.js
var BOX_KINDS = ["op", "scope", "series", "chunk", "missing"];
var GROUP_KINDS = ["scope", "series", "chunk"];
var CLUSTER_PREFIX = "cluster-";
function isSafe(byte) {
  return byte >= 48 && byte <= 57 || // 0-9
  byte >= 65 && byte <= 90 || // A-Z
  byte >= 97 && byte <= 122 || // a-z
  byte === 95 || // _
  byte === 45;
}
function elementId(kind, name) {
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    out += isSafe(byte) ? String.fromCharCode(byte) : "." + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return `${kind}-${out}`;
}
function parseElementId(id) {
  const dash = id.indexOf("-");
  if (dash < 0) return null;
  const kind = id.slice(0, dash);
  if (!BOX_KINDS.includes(kind)) return null;
  const encoded = id.slice(dash + 1);
  const bytes = [];
  for (let i = 0; i < encoded.length; ) {
    const hex = encoded.slice(i + 1, i + 3);
    if (encoded[i] === "." && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const code = encoded.charCodeAt(i);
      if (code > 127) return null;
      bytes.push(code);
      i += 1;
    }
  }
  const name = new TextDecoder("utf-8").decode(Uint8Array.from(bytes));
  return { kind, name };
}
function parseClusterId(id) {
  if (!id.startsWith(CLUSTER_PREFIX)) return null;
  const parsed = parseElementId(id.slice(CLUSTER_PREFIX.length));
  return parsed && GROUP_KINDS.includes(parsed.kind) ? parsed : null;
}

// charts.js
var SVG_NS3 = "http://www.w3.org/2000/svg";
function svgElement(tag, attrs = {}) {
  const element = document.createElementNS(SVG_NS3, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  return element;
}
function chart(width, height, cls, label) {
  return svgElement("svg", {
    class: `sg-chart ${cls}`,
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": label
  });
}
function round(n) {
  return Math.round(n * 100) / 100;
}
function sparkline(steps, values, { width = 150, height = 32 } = {}) {
  const svg = chart(width, height, "sg-sparkline", "values over steps");
  const finite = values.filter((v) => v != null && Number.isFinite(v));
  if (!finite.length) return svg;
  const pad = 3;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const first = steps[0];
  const last = steps[steps.length - 1];
  const x = (step2) => last > first ? pad + (step2 - first) / (last - first) * (width - 2 * pad) : width / 2;
  const y = (v) => hi > lo ? height - pad - (v - lo) / (hi - lo) * (height - 2 * pad) : height / 2;
  let d = "";
  let pen = "M";
  for (let i = 0; i < steps.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) {
      pen = "M";
      continue;
    }
    d += `${pen}${round(x(steps[i]))},${round(y(v))}`;
    pen = "L";
  }
  svg.append(svgElement("path", { class: "sg-sparkline-line", d, fill: "none" }));
  for (let i = steps.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v != null && Number.isFinite(v)) {
      svg.append(
        svgElement("circle", {
          class: "sg-sparkline-last",
          cx: round(x(steps[i])),
          cy: round(y(v)),
          r: 2
        })
      );
      break;
    }
  }
  return svg;
}
function histogram(buckets, { width = 150, height = 44 } = {}) {
  const svg = chart(width, height, "sg-histogram", `histogram of ${buckets.length} buckets`);
  if (!buckets.length) return svg;
  const lo = Math.min(...buckets.map((b) => b[0]));
  const hi = Math.max(...buckets.map((b) => b[1]));
  const top = Math.max(...buckets.map((b) => b[2]));
  const byEdges = hi > lo;
  const n = buckets.length;
  buckets.forEach(([left, right, count], i) => {
    let x0 = byEdges ? (left - lo) / (hi - lo) * width : i / n * width;
    let x1 = byEdges ? (right - lo) / (hi - lo) * width : (i + 1) / n * width;
    if (x1 - x0 < 1) x1 = Math.min(width, x0 + 1);
    x0 = Math.max(0, x0);
    const h2 = top > 0 ? count / top * (height - 1) : 0;
    svg.append(
      svgElement("rect", {
        class: "sg-histogram-bar",
        x: round(x0),
        y: round(height - h2),
        width: round(Math.max(0, x1 - x0)),
        height: round(h2),
        "data-count": count
      })
    );
  });
  return svg;
}
function formatValue(value) {
  if (value == null) return "—";
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) {
    return value.toExponential(3).replace(/\.?0+e/, "e");
  }
  return String(parseFloat(value.toPrecision(4)));
}

// cardviews.js
function cardHeader(title, chips, pinned) {
  const header = h(
    "div",
    { class: "sg-card-header" },
    h("div", { class: "sg-card-title", text: title }),
    h("div", { class: "sg-card-chips" }, chips)
  );
  if (pinned)
    header.append(
      iconButton("close", "Close", { class: "sg-icon-button sg-card-close", "data-action": "unpin" })
    );
  return header;
}
function kv(label, value, cls = "") {
  return h(
    "div",
    { class: "sg-kv" },
    h("span", { class: "sg-k", text: label }),
    h("span", { class: `sg-v ${cls}`, text: value })
  );
}
function block(title, ...rows) {
  return h(
    "div",
    { class: "sg-card-block" },
    h("div", { class: "sg-card-block-title", text: title }),
    ...rows
  );
}
function tensorRow(name, dtype, shape, cls = "") {
  return h(
    "div",
    { class: `sg-tensor ${cls}` },
    h("span", { class: "sg-tensor-name", text: name, title: name }),
    h("span", { class: "sg-tensor-type", text: [dtype, shape].filter(Boolean).join(" ") })
  );
}
function consumersLine(consumers, pinned) {
  if (!consumers || !consumers.length) return null;
  const shown = pinned ? consumers : consumers.slice(0, 2);
  const more = consumers.length - shown.length;
  const text = `→ ${shown.join(", ")}${more ? ` and ${more} more` : ""}`;
  return h("div", { class: "sg-consumers", text });
}
var SHOWN = 8;
function limited(rows, pinned, what) {
  if (pinned || rows.length <= SHOWN) return rows;
  const more = h("div", {
    class: "sg-more",
    text: `… ${rows.length - SHOWN} more ${what} (click to pin the card)`
  });
  return [...rows.slice(0, SHOWN), more];
}
var PLUMBING = /* @__PURE__ */ new Set([
  "Const",
  "Identity",
  "IdentityN",
  "NoOp",
  "Placeholder",
  "PlaceholderWithDefault",
  "ReadVariableOp",
  "VarHandleOp",
  "VariableV2",
  "variable handle",
  "StopGradient",
  "Shape",
  "prim::Constant",
  "prim::GetAttr",
  "prim::ListConstruct",
  "prim::ListUnpack",
  "prim::TupleConstruct",
  "prim::TupleUnpack",
  "prim::NumToTensor",
  "aten::Int",
  "aten::size"
]);
function isPlumbing(op) {
  return PLUMBING.has(op);
}
function orderedTypes(opTypes) {
  return Object.entries(opTypes || {}).sort(
    (a, b) => isPlumbing(a[0]) - isPlumbing(b[0]) || b[1] - a[1] || a[0].localeCompare(b[0])
  );
}
function typeClass(op, base) {
  return isPlumbing(op) ? `${base} sg-optype-plumbing` : base;
}
function typeBars(types) {
  const top = Math.max(...types.map(([, n]) => n));
  return types.map(
    ([op, n]) => h(
      "div",
      { class: typeClass(op, "sg-optype") },
      h("span", { class: "sg-optype-name", text: op }),
      h(
        "span",
        { class: "sg-optype-bar" },
        h("span", { style: `width:${Math.max(4, 100 * n / top)}%` })
      ),
      h("span", { class: "sg-optype-count", text: formatCount(n) })
    )
  );
}
function typeLine(types, kinds) {
  const items = types.slice(0, SHOWN).map(
    ([op, n]) => h(
      "span",
      { class: typeClass(op, "sg-optype-item") },
      h("span", { class: "sg-optype-name", text: op }),
      ` ${formatCount(n)}`
    )
  );
  const line = items.flatMap(
    (item, i) => i ? [h("span", { class: "sg-optype-sep", text: " · " }), item] : [item]
  );
  const rows = [h("div", { class: "sg-optype-line" }, ...line)];
  const more = types.length - SHOWN;
  if (more > 0) {
    rows.push(h("div", { class: "sg-more", text: `… ${more} more ${kinds} (Shift+click to pin)` }));
  }
  return rows;
}
function opCard(details, { pinned = false } = {}) {
  const card = [
    cardHeader(shortName(details.name), [chip(details.op || "op", "sg-chip-op")], pinned)
  ];
  card.push(kv("Name", details.name, "sg-mono"));
  if (details.device) card.push(kv("Device", details.device, "sg-mono"));
  const outputs = details.outputs || [];
  if (outputs.length) {
    const rows = outputs.map((o) => [
      tensorRow(o.name, o.dtype, o.shape),
      consumersLine(o.consumers, pinned)
    ]);
    card.push(block("Outputs", limited(rows, pinned, "outputs")));
  }
  const inputs = details.inputs || [];
  if (inputs.length) {
    const rows = inputs.map(
      (i) => i.control ? (
        // The route names a control input as the graph does, "^name".
        tensorRow(i.name, "", "control", "sg-control")
      ) : tensorRow(i.name, i.dtype, i.shape)
    );
    card.push(block("Inputs", limited(rows, pinned, "inputs")));
  }
  const controlled = details.control_outputs || [];
  if (controlled.length) {
    const rows = controlled.map((name) => tensorRow("^" + name, "", "", "sg-control"));
    card.push(block("Control outputs", limited(rows, pinned, "control outputs")));
  }
  const attrs = Object.entries(details.attrs || {}).filter(([key]) => key !== "_output_shapes");
  if (attrs.length) {
    attrs.sort(([a], [b]) => a.localeCompare(b));
    const rows = attrs.map(([key, attr]) => {
      const value = attr && typeof attr === "object" ? attr.value : String(attr);
      const clipped = attr && attr.clipped ? ` … (${formatCount(attr.size)} bytes)` : "";
      return kv(key, `${value}${clipped}`, "sg-mono");
    });
    card.push(block("Attributes", limited(rows, pinned, "attributes")));
  }
  card.push(traceButtons(pinned));
  return card;
}
function traceButtons(pinned) {
  if (!pinned) {
    return h(
      "div",
      { class: "sg-card-hint" },
      h("span", { class: "sg-no-diff", text: "Click to pin, and trace its paths" }),
      h("span", { class: "sg-diff-only", text: "Click to pin" })
    );
  }
  const button = (direction, text) => h("button", {
    type: "button",
    class: "sg-button sg-outlined sg-trace-button",
    "data-action": "trace",
    "data-direction": direction,
    text
  });
  return block(
    "Trace paths",
    h("p", { class: "sg-help sg-diff-only sg-no-trace", text: NO_TRACE_IN_DIFF }),
    h(
      "div",
      { class: "sg-row sg-no-diff" },
      button("in", "Inputs"),
      button("out", "Outputs"),
      button("both", "Both")
    )
  );
}
function structureRows(structure, rolled, pinned) {
  if (!structure || !(structure.identical > 1)) return [];
  if (rolled && rolled.member && rolled.blocks === structure.identical) return [];
  const others = structure.others || [];
  const names = compactNames(others).map(
    (name, i) => h("span", { class: "sg-block-name sg-mono", text: (i ? ", " : "") + name })
  );
  const shown = pinned ? names : names.slice(0, SHOWN);
  const more = (structure.more || 0) + (names.length - shown.length);
  if (more) shown.push(h("span", { class: "sg-more", text: ` and ${formatCount(more)} more` }));
  return [
    h("div", {
      class: "sg-identical",
      text: `1 of ${formatCount(structure.identical)} identical blocks`
    }),
    h(
      "div",
      { class: "sg-block-names", title: others.join("\n") },
      h("span", { text: "with " }),
      shown
    )
  ];
}
function compactNames(names) {
  if (!names.length) return [];
  const parents = names.map((n) => n.slice(0, n.lastIndexOf("/") + 1));
  const shared = parents.every((p) => p === parents[0]) ? parents[0] : "";
  const numbered = /^(.*?)(\d+)(\D*)$/;
  const out = [];
  let run = null;
  const flush = () => {
    if (!run) return;
    const span = run.first === run.last ? `${run.first}` : `${run.first}-${run.last}`;
    out.push(`${run.head}${span}${run.tail}`);
    run = null;
  };
  for (const name of names) {
    const short = name.slice(shared.length);
    const m = numbered.exec(short);
    if (m && run && run.head === m[1] && run.tail === m[3] && Number(m[2]) === run.last + 1) {
      run.last += 1;
      continue;
    }
    flush();
    if (m && String(Number(m[2])) === m[2]) {
      run = { head: m[1], tail: m[3], first: Number(m[2]), last: Number(m[2]) };
    } else out.push(short);
  }
  flush();
  return out;
}
function rolledRows(rolled, { pinned, unrolled }) {
  if (!rolled || !(rolled.blocks > 1)) return [];
  const count = formatCount(rolled.blocks);
  const text = rolled.member ? `1 of ${count} identical blocks, ${shortName(rolled.series)}` : unrolled ? `${count} identical blocks, drawn one by one` : `×${count} identical blocks, drawn once`;
  const rows = [h("div", { class: "sg-rolled-line", text, title: rolled.series })];
  if (rolled.member && rolled.variables?.length) {
    rows.push(
      h("div", { class: "sg-rolled-variables", text: `Updates ${rolled.variables.join(", ")}` })
    );
  }
  if (!pinned) {
    rows.push(h("div", { class: "sg-more", text: "Shift+click to pin: unroll, or open one block" }));
    return rows;
  }
  const toggle = h("button", {
    type: "button",
    class: "sg-button sg-outlined sg-unroll-button",
    "data-action": "unroll",
    "data-series": rolled.series,
    "data-unroll": unrolled ? "0" : "1",
    text: unrolled ? "Roll up" : "Unroll"
  });
  const controls = [toggle];
  if (rolled.members) {
    const written = rolled.variables || [];
    const options = rolled.members.map(
      (name, i) => h("option", {
        value: name,
        text: `${i}: ${name}` + (written[i]?.length ? ` (updates ${written[i].join(", ")})` : "")
      })
    );
    const picker = h(
      "select",
      {
        class: "sg-select sg-member-picker",
        "data-action": "member",
        "data-series": rolled.series,
        "aria-label": "Open one block"
      },
      h("option", { value: "", text: "Open one block…" }),
      options
    );
    controls.push(picker);
  }
  rows.push(h("div", { class: "sg-row sg-rolled-controls" }, controls));
  return [block("Identical blocks", rows)];
}
var GROUP_LABELS = { scope: "scope", series: "series", chunk: "chunk" };
function groupCard(details, { open = false, pinned = false, unrolled = false, layers = false } = {}) {
  const card = [
    cardHeader(
      shortName(details.name),
      [
        chip(GROUP_LABELS[details.kind] || details.kind, `sg-chip-${details.kind}`),
        open ? chip("open", "sg-chip-open") : null
      ],
      pinned
    )
  ];
  if (details.name !== shortName(details.name)) card.push(kv("Name", details.name, "sg-mono"));
  const unit = layers ? "Layers" : "Ops";
  card.push(kv(`${unit} inside`, `${formatCount(details.op_count)}, at any depth`));
  if (details.child_count != null) {
    const what = layers ? "layers and groups" : "ops and scopes";
    card.push(kv("One level down", `${formatCount(details.child_count)} ${what}`));
  }
  if (details.parameters) card.push(kv("Parameters", formatCount(details.parameters)));
  else if (details.variables_read) {
    const n = details.variables_read;
    card.push(kv("Variables", `reads ${formatCount(n)}; sizes not in this graph`));
  }
  card.push(...rolledRows(details.rolled, { pinned, unrolled }));
  card.push(...structureRows(details.structure, details.rolled, pinned));
  const types = orderedTypes(details.op_types);
  if (types.length) {
    const title = layers ? "Layer types" : "Op types";
    const kinds = layers ? "layer types" : "op types";
    card.push(block(title, ...pinned ? typeBars(types) : typeLine(types, kinds)));
  }
  card.push(
    h("div", {
      class: "sg-card-hint",
      text: open ? "Click its outline or title to close it, Shift+click to pin this card" : "Click to open, Shift+click to pin this card"
    })
  );
  return card;
}
var HOVER_SUMMARIES = 3;
function summaryHead(tag, aside) {
  return h(
    "div",
    { class: "sg-summary-head" },
    h("span", { class: "sg-summary-tag", text: tag, title: tag }),
    aside
  );
}
var COMPACT_CHART = { width: 64, height: 16 };
function summariesBlock(answer, { pinned = false, pinWith = "click" } = {}) {
  const rows = [];
  const size = pinned ? {} : COMPACT_CHART;
  const kind = pinned ? "sg-summary" : "sg-summary sg-summary-compact";
  for (const scalar of answer.scalars || []) {
    const latest = scalar.value != null ? formatValue(scalar.value) : scalar.value_text || "—";
    const value = h("span", { class: "sg-summary-value", text: latest });
    const chart2 = sparkline(scalar.steps, scalar.values, size);
    const step2 = h("div", { class: "sg-summary-step", text: `step ${formatCount(scalar.step)}` });
    const parts = pinned ? [summaryHead(scalar.tag, value), chart2, step2] : [summaryHead(scalar.tag, h("span", { class: "sg-summary-aside" }, chart2, value))];
    rows.push(h("div", { class: `${kind} sg-summary-scalar`, "data-tag": scalar.tag }, ...parts));
  }
  for (const hist of answer.histograms || []) {
    const buckets = hist.buckets || [];
    const lo = buckets.length ? buckets[0][0] : null;
    const hi = buckets.length ? buckets[buckets.length - 1][1] : null;
    const step2 = h("span", { class: "sg-summary-step", text: `step ${formatCount(hist.step)}` });
    const chart2 = histogram(buckets, size);
    const parts = pinned ? [
      summaryHead(hist.tag, step2),
      chart2,
      h(
        "div",
        { class: "sg-summary-range" },
        h("span", { text: formatValue(lo) }),
        h("span", { text: formatValue(hi) })
      )
    ] : [summaryHead(hist.tag, h("span", { class: "sg-summary-aside" }, chart2))];
    rows.push(h("div", { class: `${kind} sg-summary-histogram`, "data-tag": hist.tag }, ...parts));
  }
  if (!rows.length) return null;
  let shown = rows;
  let more = answer.more || 0;
  if (!pinned && rows.length > HOVER_SUMMARIES) {
    shown = rows.slice(0, HOVER_SUMMARIES);
    more += rows.length - HOVER_SUMMARIES;
  }
  if (more) {
    const text = pinned ? `… ${more} more` : `+${more} more: ${pinWith} to pin`;
    shown.push(h("div", { class: "sg-more sg-summaries-more", text }));
  }
  return h(
    "div",
    { class: "sg-card-block sg-summaries" },
    h("div", { class: "sg-card-block-title", text: "Summaries" }),
    ...shown
  );
}
function loadingCard(name) {
  return [
    cardHeader(shortName(name), []),
    kv("Name", name, "sg-mono"),
    h("div", { class: "sg-card-hint", text: "Loading details…" })
  ];
}
function errorCardContent(name, message) {
  return [cardHeader(shortName(name), []), h("div", { class: "sg-card-error", text: message })];
}
function edgeTip(text) {
  const lines = text.split("\n");
  return [
    h("div", { class: "sg-tip-title", text: lines[0] }),
    ...lines.slice(1).map((line) => h("div", { class: "sg-tip-line", text: line }))
  ];
}

// cards.js
var HOVER_DELAY_MS = 90;
var CARD_GAP = 12;
var CARD_MARGIN = 8;
var CARD_BOTTOM = 32;
var FRAME_EDGE_PX = 8;
function describe(element) {
  if (element.classList.contains("cluster")) {
    const group = parseClusterId(element.id);
    return group && { ...group, open: true };
  }
  const box2 = parseElementId(element.id);
  return box2 && BOX_KINDS.includes(box2.kind) ? { ...box2, open: false } : null;
}
function pick(event) {
  const target = event.target instanceof Element ? event.target : null;
  if (!target || target.closest("[data-no-pan], .sg-card")) return null;
  const element = target.closest("g.node, g.edge, g.cluster");
  if (element && element.classList.contains("cluster") && !onFrame(element, event.clientX, event.clientY)) {
    return null;
  }
  return element;
}
function onFrame(cluster, x, y) {
  const box2 = cluster.getBoundingClientRect();
  if (Math.min(x - box2.left, box2.right - x, y - box2.top, box2.bottom - y) <= FRAME_EDGE_PX)
    return true;
  let labelBottom = box2.top;
  for (const text of cluster.querySelectorAll("text")) {
    labelBottom = Math.max(labelBottom, text.getBoundingClientRect().bottom);
  }
  return y >= box2.top && y <= labelBottom + 4 && x >= box2.left && x <= box2.right;
}
var Cards = class {
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
    this.hovered = null;
    this.pinned = null;
    this.cardFor = null;
    this.hoverTimer = 0;
  }
  wire() {
    const ui = this.ui;
    ui.viewport.addEventListener("mousemove", (e) => {
      this.moveTip(e);
      this.onHover(e);
    });
    ui.viewport.addEventListener("mouseleave", () => this.hideHover());
    ui.card.addEventListener("click", (e) => {
      if (e.target.closest('[data-action="unpin"]')) this.unpin();
      const trace = e.target.closest('[data-action="trace"]');
      if (trace && this.pinned) this.calls.traceFrom(this.pinned, trace.dataset.direction);
      const unroll = e.target.closest('[data-action="unroll"]');
      if (unroll) this.calls.unroll(unroll.dataset.series, unroll.dataset.unroll === "1");
    });
    ui.card.addEventListener("change", (e) => {
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
    if (this.hovered) this.hovered.classList.remove("sg-hover");
    this.hovered = element;
    clearTimeout(this.hoverTimer);
    if (!element) {
      this.hideHover();
      return;
    }
    element.classList.add("sg-hover");
    if (element.classList.contains("edge")) {
      this.showTip(element.getAttribute("data-sg-tip") || "", event);
      if (!this.pinned) this.ui.card.hidden = true;
      return;
    }
    this.ui.tip.hidden = true;
    if (this.pinned) return;
    this.hoverTimer = setTimeout(() => this.showDetails(element), HOVER_DELAY_MS);
  }
  hideHover() {
    clearTimeout(this.hoverTimer);
    if (this.hovered) this.hovered.classList.remove("sg-hover");
    this.hovered = null;
    this.ui.tip.hidden = true;
    if (!this.pinned) {
      this.model.cancelNode();
      this.ui.card.hidden = true;
    }
  }
  showTip(text, event) {
    if (!text) return;
    this.ui.tip.replaceChildren(...edgeTip(text));
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
  async showDetails(element, { pinned = false } = {}) {
    const what = describe(element);
    if (!what || this.pinned && !pinned) return;
    if (what.kind === "missing") {
      this.fillCard(
        element,
        errorCardContent(
          what.name,
          "An input names this node, but the graph has no such node."
        ),
        pinned
      );
      return;
    }
    this.fillCard(element, loadingCard(what.name), pinned);
    let details;
    try {
      details = await this.model.node(this.state.graph, what.name, what.kind, this.state.base);
    } catch (error) {
      if (error instanceof Stale) return;
      if (this.cardFor === element)
        this.fillCard(element, errorCardContent(what.name, error.message), pinned);
      return;
    }
    if (this.cardFor !== element || this.hovered !== element && this.pinned !== element) return;
    if (this.pinned && this.pinned !== element) return;
    const content = details.kind === "op" ? opCard(details, { pinned }) : groupCard(details, {
      open: what.open,
      pinned,
      unrolled: Boolean(details.rolled && this.state.unrolled.has(details.rolled.series)),
      layers: countsLayers(this.state.graph)
    });
    this.fillCard(element, this.calls.decorate(content, details), pinned);
    if (element.classList.contains("summarized")) this.addSummaries(element, what, pinned);
  }
  /** Adds the summaries held at or inside a badged box to its card, once they are read. */
  async addSummaries(element, what, pinned) {
    let answer;
    try {
      answer = await this.model.summaries(this.state.graph, what.name, what.kind);
    } catch (error) {
      if (error instanceof Stale) return;
      answer = { error: error.message };
    }
    if (this.cardFor !== element || this.hovered !== element && this.pinned !== element) return;
    const block2 = answer.error ? errorCardContent(what.name, `Summaries could not be read: ${answer.error}`)[1] : summariesBlock(answer, {
      pinned,
      pinWith: what.kind === "op" ? "click" : "Shift+click"
    });
    if (!block2) return;
    const after = this.ui.card.querySelector(".sg-card-block, .sg-card-hint");
    if (after) after.before(block2);
    else this.ui.card.append(block2);
    this.positionCard(element);
  }
  fillCard(element, content, pinned) {
    const card = this.ui.card;
    this.cardFor = element;
    card.replaceChildren(...content);
    card.classList.toggle("sg-pinned", pinned);
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
    const box2 = { x0: r.left - outer.left, y0: r.top - outer.top, x1: r.right - outer.left };
    box2.y1 = box2.y0 + r.height;
    const w = card.offsetWidth;
    const hgt = card.offsetHeight;
    const place = (x, y) => {
      x = Math.max(CARD_MARGIN, Math.min(x, outer.width - w - CARD_MARGIN));
      y = Math.max(CARD_MARGIN, Math.min(y, outer.height - hgt - CARD_BOTTOM));
      card.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    };
    if (element.classList.contains("cluster")) {
      place(box2.x0 + Math.min(box2.x1 - box2.x0, 160) + CARD_GAP, box2.y0);
      return;
    }
    const middle = this.drawingMiddle(outer);
    const fitsX = (x) => x >= CARD_MARGIN && x + w <= outer.width - CARD_MARGIN;
    const fitsY = (y) => y >= CARD_MARGIN && y + hgt <= outer.height - CARD_BOTTOM;
    const level = (box2.y0 + box2.y1) / 2 - Math.min(hgt / 2, 40);
    const right = box2.x1 + CARD_GAP;
    const left = box2.x0 - CARD_GAP - w;
    const sides = (box2.x0 + box2.x1) / 2 >= middle.x ? [right, left] : [left, right];
    for (const x of sides) {
      if (fitsX(x)) return place(x, level);
    }
    const centred = (box2.x0 + box2.x1) / 2 - w / 2;
    const below = box2.y1 + CARD_GAP;
    const above = box2.y0 - CARD_GAP - hgt;
    const rows = (box2.y0 + box2.y1) / 2 >= middle.y ? [below, above] : [above, below];
    for (const y of rows) {
      if (fitsY(y)) return place(centred, y);
    }
    const farX = (box2.x0 + box2.x1) / 2 < outer.width / 2 ? outer.width : 0;
    const farY = (box2.y0 + box2.y1) / 2 < outer.height / 2 ? outer.height : 0;
    return place(farX, farY);
  }
  /** The middle (px in the viewport) of the part of the drawing on screen. */
  drawingMiddle(outer) {
    const vp = this.viewport;
    const middle = { x: outer.width / 2, y: outer.height / 2 };
    if (!vp.bounds) return middle;
    const b = vp.bounds;
    const a = vp.toScreen(b.x, b.y);
    const z = vp.toScreen(b.x + b.w, b.y + b.h);
    const x0 = Math.max(0, a.x);
    const x1 = Math.min(outer.width, z.x);
    const y0 = Math.max(0, a.y);
    const y1 = Math.min(outer.height, z.y);
    return x1 > x0 && y1 > y0 ? { x: (x0 + x1) / 2, y: (y0 + y1) / 2 } : middle;
  }
  togglePin(element) {
    if (this.pinned === element) {
      this.unpin();
      return;
    }
    this.unpin();
    clearTimeout(this.hoverTimer);
    this.pinned = element;
    element.classList.add("sg-pinned-box");
    this.showDetails(element, { pinned: true });
  }
  unpin() {
    if (this.pinned) this.pinned.classList.remove("sg-pinned-box");
    this.pinned = null;
    this.ui.card.classList.remove("sg-pinned");
    if (!this.hovered || this.hovered.classList.contains("edge")) this.ui.card.hidden = true;
  }
};

// state.js
function tabState() {
  return {
    graphs: [],
    // the listing ({run, kind, tag, op_count}), listing.js
    graph: null,
    // the graph picked, listing.js
    runFilter: "",
    // what the run picker shows: runs matching it (regex, else text), listing.js
    base: null,
    // the graph a diff compares against ({..., step}), or null; tab.js (setBase)
    colour: "",
    // what boxes are filled by (the `colour` of a view), colouring.js
    shownGraph: null,
    // the graph of the drawing on screen (differs while one loads), drawing.js
    shownBase: null,
    // ... and its base, drawing.js
    open: /* @__PURE__ */ new Set(),
    // the open groups of the drawing on screen, drawing.js
    unrolled: /* @__PURE__ */ new Set(),
    // the series of identical blocks it draws unrolled, drawing.js
    svgText: null,
    // the SVG text of the drawing on screen, drawing.js
    highlightId: null,
    // the element id marked as found (search.js, drawing.js)
    traced: null
    // the trace shown: {name, direction, depth, found}, trace.js
  };
}
function sameGraph(a, b) {
  return Boolean(a && b) && a.run === b.run && (a.kind || "") === (b.kind || "") && (a.tag || "") === (b.tag || "");
}
function sameOpen(keys, open) {
  return keys.length === open.size && keys.every((key) => open.has(key));
}

// colouring.js
var NEEDS_PROFILE = "this graph has no profile (step stats)";
var REASONS = {
  device: "no op of this graph names a device",
  compute: NEEDS_PROFILE,
  memory: NEEDS_PROFILE
};
var PROFILED_KINDS = ["profile", "run_metadata", "tagged_run_metadata"];
var Colouring = class {
  /**
   * `state`: the tab's (see state.js); this part writes `colour`. `calls`: show(request,
   * placement) draws the view on screen again, in the colouring picked.
   */
  constructor(state, ui, model, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.calls = calls;
    this.known = /* @__PURE__ */ new Map();
    this.labels = new Map(
      [...ui.colourSelect.options].map((option) => [option.value, option.textContent])
    );
  }
  wire() {
    this.ui.colourSelect.after(this.ui.colourLegend);
    this.ui.colourSelect.addEventListener("change", () => this.pick(this.ui.colourSelect.value));
  }
  pick(colour) {
    this.revealLegend = Boolean(colour);
    this.state.colour = colour;
    this.ui.colourSelect.value = colour;
    this.calls.show({ open: [...this.state.open], depth: null }, {});
  }
  /**
   * Disables the colourings `graph` has no data for, saying why; asks the server once per
   * graph (the DOT text of its top level in that colouring, which has a legend only where some
   * box has a value: groups sum up what they hold, so the top level has one if any op has).
   */
  async check(graph) {
    const key = JSON.stringify([graph.run, graph.kind, graph.tag]);
    let reasons = this.known.get(key);
    if (!reasons) {
      this.apply({});
      const colourings = Object.keys(REASONS);
      let found;
      try {
        found = await Promise.all(colourings.map((c) => this.model.hasColour(graph, c)));
      } catch {
        return;
      }
      reasons = {};
      colourings.forEach((colouring, i) => {
        reasons[colouring] = found[i] ? null : REASONS[colouring];
      });
      this.known.set(key, reasons);
    }
    if (!sameGraph(graph, this.state.graph)) return;
    this.apply(reasons, graph);
    if (reasons[this.state.colour]) this.pick("");
  }
  /** Disables the colourings `reasons` names, and says why under the picker. */
  apply(reasons, graph = null) {
    const lines = /* @__PURE__ */ new Map();
    for (const option of this.ui.colourSelect.options) {
      const reason = reasons[option.value] || null;
      option.disabled = Boolean(reason);
      const label = this.labels.get(option.value);
      option.textContent = reason ? `${label}: no data` : label;
      option.title = reason ? `${label}: ${reason}.` : "";
      if (reason) lines.set(reason, [...lines.get(reason) || [], label.replace(/ \(.*/, "")]);
    }
    const notes = [...lines].map(([reason, labels]) => {
      let text = `${labels.join(", ")}: ${reason}`;
      if (reason === NEEDS_PROFILE && graph) text += this.profileHint(graph);
      return h("p", { class: "sg-help sg-colour-why", text: text + "." });
    });
    this.ui.colourWhy.replaceChildren(...notes);
  }
  /** Where a profile of `graph`'s run can be found, if the listing has one: ''. */
  profileHint(graph) {
    const profiled = this.state.graphs.find(
      (g) => g.run === graph.run && PROFILED_KINDS.includes(g.kind) && !sameGraph(g, graph)
    );
    return profiled ? `; its run's “${graphLabel({ ...profiled, op_count: null })}” has one` : "";
  }
  /** The legend of drawing `svg` in the sidebar (a diff's is in the Compare section). */
  showLegend(svg) {
    const rows = this.state.base ? [] : colourLegendRows(svg);
    const legend = this.ui.colourLegend;
    legend.replaceChildren(...rows);
    legend.hidden = rows.length === 0;
    if (this.revealLegend && rows.length) legend.scrollIntoView({ block: "nearest" });
    this.revealLegend = false;
  }
};

// viewport.js
var DRAG_SLOP = 4;
var COMMIT_MS = 150;
var MAX_SCALE = 8;
var FIT_PADDING = 24;
var NATURAL_SCALE = 4 / 3;
var READABLE_SCALE = 0.91;
var TOP_SCALE = 1;
var CLEAR = { top: 16, left: 16, right: 60, bottom: 40 };
var easeOut = (t) => 1 - Math.pow(1 - t, 3);
var Viewport = class {
  /**
   * @param {HTMLElement} element  the box the graph fills; gets the pointer and wheel listeners
   * @param {{onTap?: Function, onChange?: Function, onDragStart?: Function}} hooks
   */
  constructor(element, hooks = {}) {
    this.element = element;
    this.hooks = hooks;
    this.svg = null;
    this.bounds = null;
    this.view = { cx: 0, cy: 0, k: 1 };
    this._animation = 0;
    this._press = null;
    this._wheelFactor = 1;
    this._wheelAt = null;
    this._wheelFrame = 0;
    element.addEventListener("pointerdown", (e) => this._down(e));
    element.addEventListener("pointermove", (e) => this._move(e));
    element.addEventListener("pointerup", (e) => this._up(e));
    element.addEventListener("pointercancel", () => this._cancelPress());
    element.addEventListener("wheel", (e) => this._wheel(e), { passive: false });
    this._pending = null;
    this._size = null;
    this._commits = /* @__PURE__ */ new WeakMap();
    this._fresh = null;
    this._resizes = new ResizeObserver(() => {
      this._size = { w: element.clientWidth || 1, h: element.clientHeight || 1 };
      if (this._pending === "overview" && this._hasSize()) this.overview();
      else if (this._pending && this._hasSize()) this.fit(false);
      else this._apply();
    });
    this._resizes.observe(element);
    this.destination = null;
    this.keep = null;
  }
  /**
   * Shows `svg` (already in the document); its original viewBox is the drawing's bounds. A
   * drawing shown before (parked, still laid out) keeps the view committed to it, and the view
   * on screen is a transform of it until it rests: a new viewBox lays out every element again.
   */
  setSvg(svg, bounds) {
    this.svg = svg;
    this.bounds = bounds;
    const done = this._commits.get(svg);
    if (done && svg.getAttribute("viewBox") === done.viewBox) {
      this._apply();
    } else {
      this._fresh = svg;
      requestAnimationFrame(() => {
        if (this._fresh === svg) this._fresh = null;
      });
      this._commit();
    }
  }
  _hasSize() {
    const { w, h: h2 } = this.size();
    return w > 20 && h2 > 20;
  }
  /** Forgets the size last observed (the element was just put in the document). */
  measure() {
    this._size = null;
  }
  size() {
    if (!this._size)
      this._size = { w: this.element.clientWidth || 1, h: this.element.clientHeight || 1 };
    return this._size;
  }
  get dragging() {
    return Boolean(this._press && this._press.dragging);
  }
  /** The drawing's scale range: from well below "fit" up to MAX_SCALE. */
  _limits() {
    const fit = this.bounds ? this.fitView(this.bounds, Infinity).k : 1;
    return { min: Math.min(fit * 0.5, 0.05), max: Math.max(MAX_SCALE, fit) };
  }
  _clampScale(k) {
    const { min, max } = this._limits();
    return Math.min(max, Math.max(min, k));
  }
  /** The view that shows `rect` ({x, y, w, h} in user units) whole, at most at maxScale. */
  fitView(rect, maxScale = NATURAL_SCALE) {
    const { w, h: h2 } = this.size();
    const m = this.margins();
    const fit = Math.min(
      (w - m.left - m.right) / Math.max(rect.w, 1),
      (h2 - m.top - m.bottom) / Math.max(rect.h, 1)
    );
    const k = Math.min(Math.max(fit, 1e-4), maxScale);
    return {
      cx: rect.x + rect.w / 2 + (m.right - m.left) / (2 * k),
      cy: rect.y + rect.h / 2 + (m.bottom - m.top) / (2 * k),
      k
    };
  }
  /**
   * The margins (CSS px) a fitted or revealed view leaves on each side of the window:
   * FIT_PADDING, or the room of what floats there (CLEAR); never over an eighth of the window.
   */
  margins() {
    const { w, h: h2 } = this.size();
    const side = (clear, size) => Math.min(Math.max(FIT_PADDING, clear), size / 8);
    return {
      left: side(CLEAR.left, w),
      right: side(CLEAR.right, w),
      top: side(CLEAR.top, h2),
      bottom: side(CLEAR.bottom, h2)
    };
  }
  fit(animate = true) {
    if (!this.bounds) return;
    this._pending = this._hasSize() ? null : "fit";
    if (this._pending) return;
    if (animate) this.go(this.fitView(this.bounds));
    else this.jump(this.fitView(this.bounds));
  }
  /**
   * The first look at a drawing: all of it when that is readable, else its top (where the
   * inputs are) at a readable size, as wide as fits, about its topmost box; F still fits
   * everything.
   */
  overview() {
    if (!this.bounds) return;
    if (!this._hasSize()) {
      this._pending = "overview";
      return;
    }
    this._pending = null;
    const all = this.fitView(this.bounds);
    if (all.k >= READABLE_SCALE) {
      this.fit(false);
      return;
    }
    const b = this.bounds;
    const { w, h: h2 } = this.size();
    const m = this.margins();
    const k = Math.min(NATURAL_SCALE, Math.max(TOP_SCALE, (w - m.left - m.right) / b.w));
    const top = this.topBox();
    const cx = top ? top.x + top.w / 2 : b.x + b.w / 2;
    this.jump(this.contain({ cx, cy: b.y + (h2 / 2 - m.top) / k, k }));
  }
  /** The box of the drawing's topmost box (user units), or null. */
  topBox() {
    let top = null;
    for (const node of this.svg.querySelectorAll("g.node")) {
      const r = shapeRect(node, this.svg);
      if (r && (!top || r.y < top.y)) top = r;
    }
    return top;
  }
  /**
   * Moves to `target` at once (no glide): a drawing not laid out yet gets it as its viewBox,
   * one laid out as a transform, committed once it rests.
   */
  jump(target) {
    cancelAnimationFrame(this._animation);
    this._pending = null;
    this.destination = null;
    this.view = { ...target, k: this._clampScale(target.k) };
    this._apply();
  }
  /** Zooms by `factor` keeping the user point under screen point (sx, sy) in place. */
  zoomBy(factor, sx, sy, animate = false) {
    const { w, h: h2 } = this.size();
    if (sx == null) [sx, sy] = [w / 2, h2 / 2];
    const { cx, cy, k } = this.view;
    const k2 = this._clampScale(k * factor);
    const ux = cx + (sx - w / 2) / k;
    const uy = cy + (sy - h2 / 2) / k;
    this.go({ cx: ux - (sx - w / 2) / k2, cy: uy - (sy - h2 / 2) / k2, k: k2 }, animate);
  }
  /** Moves to `target` ({cx, cy, k}), gliding when `animate`. */
  go(target, animate = true) {
    cancelAnimationFrame(this._animation);
    this._pending = null;
    const to = { ...target, k: this._clampScale(target.k) };
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.destination = null;
    if (!animate || reduced || !this.svg) {
      this.view = to;
      this._apply();
      return;
    }
    const from = { ...this.view };
    const start = performance.now();
    const duration = 260;
    this.destination = to;
    const step2 = (now) => {
      const t = easeOut(Math.min(1, (now - start) / duration));
      this.view = {
        cx: from.cx + (to.cx - from.cx) * t,
        cy: from.cy + (to.cy - from.cy) * t,
        k: from.k * Math.pow(to.k / from.k, t)
      };
      if (t >= 1) this.destination = null;
      this._apply();
      if (t < 1) this._animation = requestAnimationFrame(step2);
    };
    this._animation = requestAnimationFrame(step2);
  }
  /**
   * Where the view eases to after a group opened or closed under the pointer (`rect`: its
   * frame or box in user units; `view`: the view that keeps it under the pointer at screen x
   * `sx`): the whole drawing when it reads whole (READABLE_SCALE or more, as a first view),
   * else reveal(rect). Never under READABLE_SCALE: a click leaves every label readable.
   */
  afterClick(rect, view, sx = null) {
    const all = this.bounds ? this.fitView(this.bounds) : null;
    if (all && all.k >= READABLE_SCALE) return all;
    return this.reveal(rect, view, sx);
  }
  /**
   * The view nearest `view` that shows `rect` (user units) whole at READABLE_SCALE or more,
   * keeping `view`'s scale if it fits at it, else zooming (about screen x `sx`, the pointer) to
   * fit it. A rect that does not read whole shows its top at TOP_SCALE, as a first view does
   * (the overview map shows the rest, minimap.js): across, the pointer's point stays where it
   * is unless that leaves an empty margin inside the rect. Then it pans out any empty margin
   * the drawing leaves while running off the other side (see contain()).
   */
  reveal(rect, view, sx = null) {
    const { w, h: h2 } = this.size();
    const m = this.margins();
    const fits = (scale) => rect.w * scale <= w - m.left - m.right && rect.h * scale <= h2 - m.top - m.bottom;
    let k = Math.max(view.k, READABLE_SCALE);
    if (!fits(k)) k = this.fitView(rect, k).k;
    if (k < READABLE_SCALE) k = TOP_SCALE;
    const at = { ...view, k };
    if (k !== view.k && sx != null) {
      const ux = view.cx + (sx - w / 2) / view.k;
      at.cx = ux - (sx - w / 2) / k;
    }
    const across = fits(k) ? shift : settle;
    at.cx += across(rect.x, rect.w, at.cx, k, w, m.left, m.right);
    at.cy += shift(rect.y, rect.h, at.cy, k, h2, m.top, m.bottom);
    return this.contain(at);
  }
  /**
   * `view` moved just enough that the drawing leaves no empty margin past margins() on a side
   * while it runs off the other side, and lies wholly inside them where it fits.
   */
  contain(view) {
    if (!this.bounds) return view;
    const b = this.bounds;
    const { w, h: h2 } = this.size();
    const m = this.margins();
    return {
      ...view,
      cx: view.cx + settle(b.x, b.w, view.cx, view.k, w, m.left, m.right),
      cy: view.cy + settle(b.y, b.h, view.cy, view.k, h2, m.top, m.bottom)
    };
  }
  /** The screen point (relative to the viewport) of user point (ux, uy). */
  toScreen(ux, uy) {
    const { w, h: h2 } = this.size();
    const { cx, cy, k } = this.view;
    return { x: (ux - cx) * k + w / 2, y: (uy - cy) * k + h2 / 2 };
  }
  /** The view that puts user point (ux, uy) at screen point (sx, sy) at scale k. */
  viewPlacing(ux, uy, sx, sy, k = this.view.k) {
    const { w, h: h2 } = this.size();
    return { cx: ux - (sx - w / 2) / k, cy: uy - (sy - h2 / 2) / k, k };
  }
  /**
   * An element's box in the svg's user units (the original viewBox's coordinates). Read from
   * its shapes' attributes when it has any (a drawing just put in the document is then laid
   * out once, in the next frame, not here and again after the view moves), else measured.
   */
  userRect(element) {
    if (!this.svg) return null;
    const drawn2 = shapeRect(element, this.svg);
    if (drawn2) return drawn2;
    const box2 = element.getBBox();
    const toUser = this.svg.getScreenCTM().inverse().multiply(element.getScreenCTM());
    const corners = [
      [box2.x, box2.y],
      [box2.x + box2.width, box2.y],
      [box2.x, box2.y + box2.height],
      [box2.x + box2.width, box2.y + box2.height]
    ].map(([x2, y2]) => new DOMPoint(x2, y2).matrixTransform(toUser));
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
  }
  /** Shows this.view: as a transform of the committed drawing, committed once at rest. */
  _apply() {
    if (!this.svg) return;
    const { w, h: h2 } = this.size();
    const done = this._commits.get(this.svg);
    const stale = !done || done.w !== w || done.h !== h2;
    if (stale || this._fresh === this.svg) {
      this._commit();
      return;
    }
    const { cx, cy, k } = this.view;
    const s2 = k / done.k;
    const tx = w / 2 * (1 - s2) + (done.cx - cx) * k;
    const ty = h2 / 2 * (1 - s2) + (done.cy - cy) * k;
    this.svg.style.transform = `translate(${tx}px, ${ty}px) scale(${s2})`;
    clearTimeout(this._commitTimer);
    this._commitTimer = setTimeout(() => this._commit(), COMMIT_MS);
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }
  _commit() {
    clearTimeout(this._commitTimer);
    if (!this.svg) return;
    const { w, h: h2 } = this.size();
    const { cx, cy, k } = this.view;
    const vw = w / k;
    const vh = h2 / k;
    const viewBox = `${cx - vw / 2} ${cy - vh / 2} ${vw} ${vh}`;
    this.svg.setAttribute("viewBox", viewBox);
    this.svg.style.transform = "";
    this._commits.set(this.svg, { w, h: h2, cx, cy, k, viewBox });
    if (this.hooks.onChange) this.hooks.onChange(this.view);
  }
  _down(event) {
    if (event.button !== 0 || !event.isPrimary) return;
    if (event.target.closest("[data-no-pan]")) return;
    cancelAnimationFrame(this._animation);
    this.destination = null;
    this._press = {
      x: event.clientX,
      y: event.clientY,
      id: event.pointerId,
      target: event.target,
      view: { ...this.view },
      dragging: false
    };
  }
  _move(event) {
    const press = this._press;
    if (!press || event.pointerId !== press.id) return;
    const dx = event.clientX - press.x;
    const dy = event.clientY - press.y;
    if (!press.dragging) {
      if (Math.hypot(dx, dy) < DRAG_SLOP) return;
      press.dragging = true;
      this.element.setPointerCapture(press.id);
      this.element.classList.add("sg-dragging");
      if (this.hooks.onDragStart) this.hooks.onDragStart();
    }
    const { k } = this.view;
    this.view = { cx: press.view.cx - dx / k, cy: press.view.cy - dy / k, k };
    this._apply();
  }
  _up(event) {
    const press = this._press;
    if (!press || event.pointerId !== press.id) return;
    this._cancelPress();
    if (!press.dragging && this.hooks.onTap) this.hooks.onTap(press.target, event);
  }
  _cancelPress() {
    if (this._press && this._press.dragging) {
      this.element.classList.remove("sg-dragging");
      if (this.element.hasPointerCapture(this._press.id)) {
        this.element.releasePointerCapture(this._press.id);
      }
    }
    this._press = null;
  }
  _wheel(event) {
    if (!this.svg || event.target.closest("[data-no-pan]")) return;
    event.preventDefault();
    cancelAnimationFrame(this._animation);
    this.destination = null;
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.size().h : 1;
    const rate = event.ctrlKey ? 0.01 : 22e-4;
    this._wheelFactor *= Math.exp(-event.deltaY * unit * rate);
    const rect = this.element.getBoundingClientRect();
    this._wheelAt = [event.clientX - rect.left, event.clientY - rect.top];
    if (!this._wheelFrame) {
      this._wheelFrame = requestAnimationFrame(() => {
        this._wheelFrame = 0;
        const factor = this._wheelFactor;
        this._wheelFactor = 1;
        this.zoomBy(factor, ...this._wheelAt);
      });
    }
  }
};
function shift(x, len, c, k, size, lo, hi) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (start < lo || len * k > size - lo - hi) return (start - lo) / k;
  if (end > size - hi) return (end - (size - hi)) / k;
  return 0;
}
function settle(x, len, c, k, size, lo, hi) {
  const start = (x - c) * k + size / 2;
  const end = start + len * k;
  if (len * k <= size - lo - hi) {
    if (start < lo) return (start - lo) / k;
    if (end > size - hi) return (end - (size - hi)) / k;
    return 0;
  }
  if (start > lo) return (start - lo) / k;
  if (end < size - hi) return (end - (size - hi)) / k;
  return 0;
}

// depth.js
var TYPING_PAUSE_MS = 250;
var MAX_DEPTH = 20;
var LABEL_PX_AT_1 = 11;
var PREVIEW_MAX_BOXES = 400;
function boxesText(n) {
  return `${formatCount(n)} box${n === 1 ? "" : "es"}`;
}
var Depth = class {
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
    this.shownBoxes = null;
    this.shownDepth = 0;
    this.back = null;
    this.timer = 0;
    this.previews = 0;
  }
  wire() {
    const ui = this.ui;
    ui.depthButton.addEventListener("click", () => this.apply());
    ui.depthInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.apply();
    });
    ui.depthInput.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.preview(), TYPING_PAUSE_MS);
    });
    ui.depthStatus.addEventListener("click", (e) => {
      const button = e.target.closest("[data-action=depth-back]");
      if (button && this.back) this.calls.show(this.back.request, { overview: true });
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
    this.previews += 1;
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
    const got = shown.deepest < depth ? ` opens the same as depth ${shown.deepest} here` : "";
    if (k >= READABLE_SCALE) {
      this.say(`Depth ${applied.depth}${got}: ${boxesText(boxes)}, shown whole.`);
      return;
    }
    const px = Math.max(1, Math.round(k * LABEL_PX_AT_1));
    this.back = applied.before;
    this.say(
      `Depth ${applied.depth}${got}: ${boxesText(boxes)}, too many to read whole here (labels ${px} px when fitted). Its top is shown at full size, the map shows the rest; F fits it all.`,
      { warn: true, back: backText(applied.before) }
    );
  }
  /** What the status says of the view on screen. */
  nowText(depth, boxes) {
    const what = depth ? `scopes open to depth ${depth}` : "every scope closed";
    return `This view: ${what}, ${boxesText(boxes)}.`;
  }
  /** What the status says of a view opened further to show a search result. */
  revealedText(depth, boxes) {
    const what = depth ? `scopes open to depth ${depth}` : "every scope closed";
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
    const request2 = { ...this.request(depth), base: state.base, area: this.calls.area() };
    let answer;
    try {
      answer = await this.model.viewInfo(state.graph, request2);
    } catch (error) {
      if (error instanceof Stale) return;
      this.say(`Depth ${depth}: ${error.message}`, { warn: true });
      return;
    }
    if (seq !== this.previews) return;
    if (sameOpen(answer.open || [], state.open)) {
      const deepest = answer.deepest ?? depth;
      const got = deepest < depth ? `, the same as depth ${deepest}` : "";
      this.say(`Depth ${depth} shows this view${got}.`);
      return;
    }
    if (answer.boxes > PREVIEW_MAX_BOXES) {
      const about = `about ${boxesText(answer.boxes)}`;
      this.say(`Depth ${depth} shows ${about}: too many to read whole in this window.`, {
        warn: true
      });
      return;
    }
    this.say(`Depth ${depth}: counting its boxes…`);
    let drawing;
    try {
      const view = { ...request2, colour: state.colour, unroll: [...state.unrolled] };
      const text = await (await this.model.export(state.graph, view, "svg")).text();
      drawing = importGraphSvg(text);
    } catch (error) {
      if (seq === this.previews) this.say(`Depth ${depth}: ${error.message}`, { warn: true });
      return;
    }
    if (seq !== this.previews) return;
    const boxes = drawing.svg.querySelectorAll("g.node").length;
    const shown = this.shownBoxes;
    const more = shown != null ? ` (${boxesText(shown)} now)` : "";
    const k = this.viewport.fitView(drawing.bounds).k;
    if (k >= READABLE_SCALE) {
      this.say(`Depth ${depth} shows ${boxesText(boxes)}${more}, whole in this window.`);
      return;
    }
    const px = Math.max(1, Math.round(k * LABEL_PX_AT_1));
    this.say(
      `Depth ${depth} shows ${boxesText(boxes)}${more}: too many to read whole in this window (labels ${px} px when fitted).`,
      { warn: true }
    );
  }
  /** The request (open, depth) of the view of depth `depth` (0: every scope closed). */
  request(depth) {
    return depth === 0 ? { open: [], depth: null } : { open: null, depth };
  }
  /** Opens every scope down to the depth typed (0: closes all). */
  apply() {
    clearTimeout(this.timer);
    this.model.cancelViewInfo();
    const depth = this.asked();
    this.ui.depthInput.value = String(depth);
    this.previews += 1;
    this.calls.show(this.request(depth), { overview: true, depth: { depth, before: this.before() } });
  }
  /** The view on screen, to go back to: {request, depth, asked} (asked: a depth's view). */
  before() {
    const { depth, asked } = this.shownDepth;
    const request2 = asked ? { open: null, depth } : { open: [...this.state.open], depth: null };
    return { request: request2, depth, asked: Boolean(asked) };
  }
  say(text, { warn = false, back = null } = {}) {
    const status = this.ui.depthStatus;
    status.classList.toggle("sg-depth-warn", warn);
    status.replaceChildren(text);
    if (back) {
      const button = h("button", {
        type: "button",
        class: "sg-button sg-text sg-depth-back",
        "data-action": "depth-back",
        text: back
      });
      status.append(button);
    }
  }
};
function backText(before) {
  return before.asked ? `Back to depth ${before.depth}` : "Back to the view before";
}

// diff.js
var STATUS = [
  ["added", "#a5d6a7", "Added"],
  ["removed", "#f0a1a1", "Removed"],
  ["changed", "#ffcc80", "Changed"],
  ["same", "#f5f5f5", "Same"]
];
var CHANGES = ["added", "removed", "changed"];
function sameBase(a, b) {
  if (!a || !b) return !a && !b;
  return a.run === b.run && (a.kind || "") === (b.kind || "") && (a.tag || "") === (b.tag || "") && (a.step ?? null) === (b.step ?? null);
}
function baseLabel(graph) {
  if (graph.step == null) return `${graph.run} · ${graphLabel(graph)}`;
  return `${graph.run} · ${graphLabel({ ...graph, op_count: null })} at step ${graph.step}`;
}
function summary(counts) {
  return CHANGES.filter((status) => counts && counts[status]).map((status) => `${formatCount(counts[status])} ${status}`).join(", ");
}
var Compare = class {
  /**
   * Adds the "Compare with…" section to the tab's sidebar (`ui.sidebar`), after its Data
   * section (`ui.dataSection`). `state`: the tab's (see state.js), read only. `compareWith(base)`: the tab
   * compares the picked graph with `base` from now on (null: shows it alone).
   */
  constructor(state, ui, model, { compareWith }) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.compareWith = compareWith;
    this.options = [];
    this.steps = [];
    this.stepsFor = null;
    this.countsSeq = 0;
    this.select = h("select", {
      class: "sg-select",
      id: "sg-compare",
      "aria-label": "Compare with"
    });
    this.counts = h("div", { class: "sg-diff-counts", role: "status", hidden: true });
    this.note = h("p", { class: "sg-help sg-diff-note", role: "status", hidden: true });
    this.section = h(
      "section",
      { class: "sg-section sg-diff" },
      h("h3", { class: "sg-section-title", text: "Compare" }),
      h(
        "label",
        { class: "sg-field" },
        h("span", { class: "sg-field-label", text: "Compare with…" }),
        this.select
      ),
      this.note,
      this.counts
    );
    const first = ui.dataSection || ui.sidebar.querySelector(".sg-section");
    if (first) first.after(this.section);
    else ui.sidebar.prepend(this.section);
    this.select.addEventListener("change", () => {
      const index = Number(this.select.value);
      this.pick(index >= 0 ? this.options[index] : null);
    });
  }
  /**
   * The picker's choices: nothing, any other graph of the listing, and the picked graph as
   * written at each earlier step (asked for once per graph). The picked graph itself is left
   * out: a graph compared with itself is all "same".
   */
  fill() {
    const state = this.state;
    const key = state.graph && JSON.stringify([state.graph.run, state.graph.kind, state.graph.tag]);
    if (key && key !== this.stepsFor) {
      this.stepsFor = key;
      this.steps = [];
      this.stepsKnown = false;
      const graph = state.graph;
      afterPaint(() => this.loadSteps(graph, key));
    }
    const itself = state.graph && { ...state.graph, step: null };
    this.options = state.graphs.filter((g) => !sameBase({ ...g, step: null }, itself));
    for (const step2 of this.steps) this.options.push({ ...state.graph, step: step2 });
    const base = state.base;
    const unknownStep = base && base.step != null && this.stepsKnown && sameBase({ ...base, step: null }, itself);
    if (base && !unknownStep && !this.options.some((g) => sameBase(g, base))) {
      this.options.push(base);
    }
    const selected = base ? this.options.findIndex((g) => sameBase(g, base)) : -1;
    this.select.replaceChildren(
      h("option", { value: "-1", text: "nothing (show the graph)" }),
      ...this.options.map((g, i) => h("option", { value: String(i), text: baseLabel(g) }))
    );
    this.select.value = String(selected);
    this.select.disabled = this.options.length === 0;
  }
  async loadSteps(graph, key) {
    if (key !== this.stepsFor) return;
    let steps;
    try {
      steps = await this.model.graphSteps(graph);
    } catch {
      return;
    }
    if (key !== this.stepsFor || !Array.isArray(steps)) return;
    this.steps = steps.slice(0, -1).map((s2) => s2.step);
    this.stepsKnown = true;
    this.fill();
  }
  /** Compares the picked graph with `base` (null: back to the graph alone). */
  pick(base) {
    this.notify("");
    this.compareWith(base);
  }
  /** Says (or with '' stops saying) what became of a comparison a link asked for. */
  notify(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }
  /** The whole diff's op counts by status, in the sidebar; hidden without a base. */
  async refreshCounts() {
    const state = this.state;
    const seq = ++this.countsSeq;
    this.ui.root.classList.toggle("sg-diffing", Boolean(state.base));
    if (!state.base || !state.graph) {
      this.counts.hidden = true;
      this.counts.replaceChildren();
      return;
    }
    let answer;
    try {
      answer = await this.model.diffCounts(state.graph, state.base);
    } catch (error) {
      if (seq !== this.countsSeq) return;
      this.counts.replaceChildren(h("div", { class: "sg-error-text", text: error.message }));
      this.counts.hidden = false;
      return;
    }
    if (seq !== this.countsSeq) return;
    this.counts.replaceChildren(...legendRows(answer.counts));
    this.counts.hidden = false;
  }
  /** A hover card's rows for the diff: status, and what changed (before → after). */
  decorate(content, details) {
    if (!this.state.base || !details || !details.status) return content;
    return [content[0], ...diffRows(details), ...content.slice(1)];
  }
};
function legendRows(counts) {
  const rows = STATUS.map(
    ([status, colour, label]) => h(
      "div",
      { class: "sg-legend-row sg-diff-count", "data-status": status },
      h("span", { class: "sg-swatch", style: `background:${colour};border-color:#9e9e9e` }),
      h("span", { class: "sg-diff-label", text: label }),
      h("span", { class: "sg-diff-number", text: formatCount(counts[status] || 0) })
    )
  );
  rows.push(h("div", { class: "sg-help sg-diff-help", text: "Ops matched by full name." }));
  return rows;
}
function diffRows(details) {
  const rows = [
    h(
      "div",
      { class: "sg-kv sg-diff-status" },
      h("span", { class: "sg-k", text: "Diff" }),
      h("span", {
        class: `sg-v sg-diff-${details.status}`,
        text: details.diff ? `${details.status}: ` + [summary(details.diff), `${formatCount(details.diff.same)} same`].filter(Boolean).join(", ") : details.status
      })
    )
  ];
  for (const change of details.changes || []) rows.push(changeBlock(change));
  return rows;
}
function changeBlock(change) {
  const block2 = h(
    "div",
    { class: "sg-card-block sg-diff-change" },
    h("div", { class: "sg-card-block-title", text: changeTitle(change.what) })
  );
  if (change.what === "inputs") {
    if (change.before === change.after) {
      block2.append(h("div", { class: "sg-help", text: change.before }));
      return block2;
    }
    if (change.before !== "(none)") {
      block2.append(h("div", { class: "sg-diff-before sg-mono", text: change.before }));
    }
    if (change.after !== "(none)") {
      block2.append(h("div", { class: "sg-diff-after sg-mono", text: change.after }));
    }
    return block2;
  }
  block2.append(
    h("div", { class: "sg-diff-before sg-mono", text: `− ${change.before}` }),
    h("div", { class: "sg-diff-after sg-mono", text: `+ ${change.after}` })
  );
  if (change.clipped) {
    block2.append(h("div", { class: "sg-help", text: `(clipped, ${formatCount(change.size)} long)` }));
  }
  return block2;
}
function changeTitle(what) {
  if (what === "inputs") return "Inputs changed";
  if (what === "op") return "Op type changed";
  if (what.startsWith("attr:")) return `Attribute ${what.slice(5)} changed`;
  return `${what} changed`;
}

// caption.js
var SVG_NS4 = "http://www.w3.org/2000/svg";
var CAPTION_PT = 14;
var BAND_PT = 28;
var MARGIN_PT = 8;
var CHAR_EM = 0.62;
var FONT = "Helvetica,Arial,sans-serif";
function captionText(graph) {
  const step2 = graph.step != null ? ` at step ${graph.step}` : "";
  return `${graph.run} · ${graphLabel({ ...graph, op_count: null })}${step2}`;
}
function withCaption(svgText, caption) {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.localName !== "svg" || doc.getElementsByTagName("parsererror").length) return svgText;
  const box2 = (svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
  if (box2.length !== 4 || !box2.every(Number.isFinite) || box2[2] <= 0 || box2[3] <= 0) return svgText;
  const [x, y, w, h2] = box2;
  const width = Math.max(w, caption.length * CAPTION_PT * CHAR_EM + 2 * MARGIN_PT);
  const height = h2 + BAND_PT;
  svg.setAttribute("viewBox", `${x} ${y} ${width} ${height}`);
  scaleLength(svg, "width", width / w);
  scaleLength(svg, "height", height / h2);
  const shape = (name, attrs) => {
    const element = doc.createElementNS(SVG_NS4, name);
    for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
    return element;
  };
  svg.insertBefore(shape("rect", { x, y, width, height, fill: "#ffffff" }), svg.firstChild);
  const text = shape("text", {
    x: x + MARGIN_PT,
    y: y + h2 + BAND_PT - MARGIN_PT - 2,
    "font-family": FONT,
    "font-size": CAPTION_PT,
    "font-weight": "bold",
    fill: "#212121"
  });
  text.textContent = caption;
  const group = shape("g", { class: "sg-caption" });
  group.append(text);
  svg.append(group);
  return new XMLSerializer().serializeToString(doc);
}
function scaleLength(svg, name, factor) {
  const match = /^\s*([\d.]+)\s*([a-z%]*)\s*$/i.exec(svg.getAttribute(name) || "");
  if (match) svg.setAttribute(name, `${Number(match[1]) * factor}${match[2]}`);
}

// downloads.js
var PNG_SCALE = 2;
var MAX_CANVAS_SIDE = 16e3;
var Downloads = class {
  /**
   * `state`: the tab's (see state.js), read only. `calls`: showError(error, {title, actions}),
   * area() (the drawing sheet's size, which the DOT is made for, as the drawing on screen).
   */
  constructor(state, ui, model, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.calls = calls;
  }
  wire() {
    for (const [fmt, button] of Object.entries(this.ui.downloads)) {
      button.addEventListener("click", () => this.download(fmt));
    }
  }
  async download(fmt) {
    const state = this.state;
    const graph = state.shownGraph;
    if (!graph || !state.svgText) return;
    const base = state.shownBase;
    const button = this.ui.downloads[fmt];
    button.disabled = true;
    const side = (g) => `${g.run}-${g.kind}` + (g.tag && !g.tag.startsWith("__") ? `-${g.tag}` : "") + (g.step != null ? `-step${g.step}` : "");
    const name = safeFilename(`${side(graph)}${base ? `-diff-${side(base)}` : ""}`);
    try {
      let blob;
      if (fmt === "dot") {
        const area = this.calls.area();
        const view = { open: [...state.open], depth: null, base, colour: state.colour, area };
        view.unroll = [...state.unrolled];
        blob = await this.model.export(graph, view, fmt);
      } else {
        const svg = base ? state.svgText : withCaption(state.svgText, captionText(graph));
        blob = fmt === "png" ? await rasterize(svg) : new Blob([svg], { type: "image/svg+xml" });
      }
      saveBlob(blob, `${name}.${fmt}`);
    } catch (error) {
      this.calls.showError(error, {
        title: `Could not download the ${fmt.toUpperCase()}`,
        actions: [{ label: "OK", action: "back", primary: true }]
      });
    } finally {
      button.disabled = false;
    }
  }
};
function safeFilename(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "graph";
}
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1e4);
}
function rasterize(svgText) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
    const image = new Image();
    image.onload = () => {
      const largest = Math.max(image.naturalWidth, image.naturalHeight, 1);
      const scale = Math.min(PNG_SCALE, MAX_CANVAS_SIDE / largest);
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(
        (blob) => blob ? resolve(blob) : reject(new Error("The browser could not make a PNG.")),
        "image/png"
      );
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("The browser could not draw the SVG."));
    };
    image.src = url;
  });
}

// sheets.js
var TRUSTED_MS = 3e4;
var PARKED = 4;
var PARKED_CHARS = 8 << 20;
var Drawings = class {
  /** `onDrop(entry)`: called when an entry is no longer kept under any key. */
  constructor({ kept = 12, maxChars = 16 << 20, trustedMs = TRUSTED_MS, onDrop } = {}) {
    this.kept = kept;
    this.maxChars = maxChars;
    this.trustedMs = trustedMs;
    this.onDrop = onDrop || (() => {
    });
    this._entries = /* @__PURE__ */ new Map();
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
    const entry = { ...drawing, at: performance.now() };
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
};
function clearMarks(svg) {
  svg.removeAttribute("style");
  svg.classList.remove("sg-tracing");
  const marks = ["sg-hover", "sg-hit", "sg-pinned-box", "sg-trace", "sg-trace-origin"];
  for (const element of svg.querySelectorAll(marks.map((m) => "." + m).join())) {
    element.classList.remove(...marks);
  }
  return svg;
}
function pristineCopy(svg) {
  return clearMarks(svg.cloneNode(true));
}
function discardSheet(element) {
  element.remove();
  element.replaceChildren();
}
var Sheets = class {
  constructor(stage) {
    this.stage = stage;
    this.drawings = new Drawings({
      onDrop: (entry) => {
        if (this.shown && this.shown.element === entry.sheet) this.shown.dropped = true;
        else this.unpark(entry.sheet);
      }
    });
    this.shown = null;
    this.parked = [];
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
        shown.element.classList.add("sg-parked");
        shown.element.firstChild.classList.remove("sg-graph");
        this.parked.push(shown);
      }
    }
    if (sheet) {
      this.parked = this.parked.filter((p) => p.element !== sheet);
      sheet.classList.remove("sg-parked");
    } else {
      sheet = document.createElement("div");
      sheet.className = "sg-sheet";
      sheet.append(svg);
      this.stage.append(sheet);
    }
    svg.classList.add("sg-graph");
    this.shown = { element: sheet, chars };
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
};

// found.js
var FOCUS_SCALE = 1.1;
var MAX_FOCUS_SCALE = 2;
var ROOMY = 0.85;
var GROUP_KINDS2 = ["scope", "series", "chunk"];
function leaf(name) {
  return name.slice(name.lastIndexOf("/") + 1) || name;
}
function drawn(svg, kind, name) {
  const id = elementId(kind, name);
  return svg.querySelector("#" + CSS.escape(id)) || svg.querySelector("#cluster-" + CSS.escape(id));
}
function closedBox(svg, key) {
  for (const kind of GROUP_KINDS2) {
    const box2 = svg.querySelector("g.node#" + CSS.escape(elementId(kind, key)));
    if (box2) return box2;
  }
  return null;
}
function drawnFor(svg, result) {
  const { name, kind } = result;
  const own = drawn(svg, kind, name);
  if (own) return { element: own, note: null };
  const inside = [];
  for (const k of ["op", ...GROUP_KINDS2]) {
    const prefix = elementId(k, name + "/");
    inside.push(
      ...svg.querySelectorAll(`g.node[id^="${prefix}"], g.cluster[id^="cluster-${prefix}"]`)
    );
  }
  if (inside.length === 1) {
    const [element] = inside;
    return { element, note: `${leaf(name)} is drawn as the one box it holds, ${boxName(element)}` };
  }
  const holders = [...result.reveal || []].reverse();
  for (let cut = name.lastIndexOf("/"); cut > 0; cut = name.lastIndexOf("/", cut - 1)) {
    holders.push(name.slice(0, cut));
  }
  const namesake = kind === "op" ? closedBox(svg, name) : drawn(svg, "op", name);
  if (namesake) {
    const other = kind === "op" ? "scope" : "op";
    return {
      element: namesake,
      note: `${leaf(name)} is drawn in one box with the ${other} of its name`
    };
  }
  for (const key of holders) {
    if (key === name) continue;
    const box2 = closedBox(svg, key);
    if (box2) return { element: box2, note: `${leaf(name)} is inside ${boxName(box2)}, drawn closed` };
  }
  return null;
}
function countedOn(svg, name, details) {
  const consumers = [];
  for (const output of details.outputs || []) consumers.push(...output.consumers || []);
  consumers.push(...details.control_outputs || []);
  for (const consumer of consumers) {
    const found = drawnFor(svg, { name: consumer, kind: "op", reveal: [] });
    if (found) {
      return {
        element: found.element,
        note: `${leaf(name)} is not drawn: counted on ${boxName(found.element)}`
      };
    }
  }
  return null;
}
function boxName(element) {
  const line = element.querySelector("text");
  return line ? line.textContent.trim() : "";
}
function focusView(vp, rect, title = null, { stay = false } = {}) {
  const { w, h: h2 } = vp.size();
  const area = clearArea(vp);
  const fits = (r) => Math.min(area.w / Math.max(r.w, 1), area.h / Math.max(r.h, 1));
  const both = title && unionRect(rect, title);
  const shown = both && fits(both) >= READABLE_SCALE ? both : rect;
  if (stay && vp.view.k >= READABLE_SCALE && insideArea(vp, shown, area, vp.view)) {
    return { ...vp.view };
  }
  const all = vp.bounds && vp.fitView(vp.bounds);
  if (all && all.k >= FOCUS_SCALE && insideArea(vp, shown, area, all)) return all;
  let k = Math.min(Math.max(vp.view.k, FOCUS_SCALE), MAX_FOCUS_SCALE);
  if (shown !== rect) k = Math.min(k, Math.max(fits(shown) * ROOMY, FOCUS_SCALE));
  if (fits(shown) < k) k = Math.max(fits(shown), READABLE_SCALE);
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
    cy: axis(rect.y, rect.h, shown.y, shown.h, area.y, area.h, h2),
    k
  };
}
function clearArea(vp) {
  const { w, h: h2 } = vp.size();
  return {
    x: CLEAR.left,
    y: CLEAR.top,
    w: w - CLEAR.left - CLEAR.right,
    h: h2 - CLEAR.top - CLEAR.bottom
  };
}
function framesAround(vp, rect, except = null) {
  const around = [];
  for (const frame of vp.svg.querySelectorAll("g.cluster")) {
    if (frame === except) continue;
    const r = vp.userRect(frame);
    const title = frame.querySelector(":scope > text, :scope > a > text");
    if (!r || !title || !holds(r, rect)) continue;
    around.push({ frame, title, rect: vp.userRect(title), area: r.w * r.h });
  }
  around.sort((a, b) => b.area - a.area);
  return around.map(({ frame, title, rect: line }) => ({ frame, title, rect: line }));
}
function holds(outer, inner) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}
function inClearView(vp, rect, view) {
  return insideArea(vp, rect, clearArea(vp), view);
}
var TAG_CLASS = "sg-frame-tag";
var TAG_GAP = 6;
var TAG_PAD = 3;
var TITLE_SEPARATOR = " › ";
function cutTitles(vp, around, view) {
  let last = -1;
  around.forEach((f, i) => {
    if (!f.rect || !inClearView(vp, f.rect, view)) last = i;
  });
  return around.slice(0, last + 1);
}
function tagTitles(vp, cut, rect, view) {
  const { w, h: h2 } = vp.size();
  const innermost = cut[cut.length - 1];
  const root = innermost.frame.parentNode;
  const text = innermost.title.cloneNode(false);
  text.removeAttribute("id");
  text.setAttribute("text-anchor", "start");
  text.textContent = cut.map((f) => f.title.textContent.trim()).join(TITLE_SEPARATOR);
  const tag = document.createElementNS(vp.svg.namespaceURI, "g");
  tag.setAttribute("class", TAG_CLASS);
  tag.append(text);
  root.append(tag);
  const left = view.cx + (CLEAR.left - w / 2) / view.k;
  const right = view.cx + (w - CLEAR.right - w / 2) / view.k;
  let now = vp.userRect(text);
  for (let drop = 1; now.w > right - left - 2 * TAG_PAD && drop < cut.length; drop++) {
    const kept = cut.slice(drop).map((f) => f.title.textContent.trim());
    text.textContent = ["…", ...kept].join(TITLE_SEPARATOR);
    now = vp.userRect(text);
  }
  const top = view.cy + (CLEAR.top - h2 / 2) / view.k;
  const roomAbove = top + TAG_PAD + now.h + TAG_GAP <= rect.y;
  const y = roomAbove ? top + TAG_PAD : rect.y + rect.h + TAG_GAP;
  const x = Math.max(
    left + TAG_PAD,
    Math.min(rect.x + rect.w / 2 - now.w / 2, right - now.w - TAG_PAD)
  );
  const toLocal = root.getScreenCTM().inverse().multiply(vp.svg.getScreenCTM());
  const from = new DOMPoint(now.x, now.y).matrixTransform(toLocal);
  const to = new DOMPoint(x, y).matrixTransform(toLocal);
  text.setAttribute("x", String(Number(text.getAttribute("x")) + to.x - from.x));
  text.setAttribute("y", String(Number(text.getAttribute("y")) + to.y - from.y));
  const box2 = text.getBBox();
  const back = document.createElementNS(vp.svg.namespaceURI, "rect");
  for (const [name, value] of Object.entries({
    x: box2.x - TAG_PAD,
    y: box2.y - TAG_PAD / 2,
    width: box2.width + 2 * TAG_PAD,
    height: box2.height + TAG_PAD,
    rx: 2
  })) {
    back.setAttribute(name, String(value));
  }
  tag.prepend(back);
  return tag;
}
function removeFrameTags(svg) {
  if (svg) for (const tag of svg.querySelectorAll("." + TAG_CLASS)) tag.remove();
}
function insideArea(vp, rect, area, view) {
  const { w, h: h2 } = vp.size();
  const x = (rect.x - view.cx) * view.k + w / 2;
  const y = (rect.y - view.cy) * view.k + h2 / 2;
  const x1 = x + rect.w * view.k;
  const y1 = y + rect.h * view.k;
  return x >= area.x && y >= area.y && x1 <= area.x + area.w && y1 <= area.y + area.h;
}
function unionRect(a, b) {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

// drawing.js
var Drawing = class {
  /**
   * `state`: the tab's (see state.js); this part writes `shownGraph`, `shownBase`, `open`,
   * `svgText` and reads `highlightId`. `calls`: attach({drawing}) (puts the tab on
   * screen), hideHover(), unpin(), markTrace(), showLegend(svg) (its colour legend in the
   * sidebar), learnOpCount(graph), drawn(boxes, shown, depth) (a drawing is on screen,
   * opening scopes as deep as `shown` says (see shownDepth); `depth`: the placement's, when
   * the depth control asked for it).
   */
  constructor(state, ui, model, viewport, messages, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.messages = messages;
    this.calls = calls;
    this.sheets = new Sheets(ui.stage);
    this.renderSeq = 0;
    this.failed = null;
    this.retryTimer = null;
    this.showings = 0;
    this.boxes = null;
    this.drawSeconds = null;
  }
  /**
   * Fetches and shows a view. `request` is {open: [keys] | null, depth}; `placement` says where
   * to look afterwards: {fit}, {overview}, {anchor: {id, x, y}} (keep that box where it was on
   * screen), or {focus: id, holder} (centre and highlight it, with its group's title);
   * {fromLink}: a remembered or linked view; {depth}: the depth control's request (depth.js).
   */
  async show(request2, placement = {}) {
    const state = this.state;
    const area = sheetArea(this.viewport.size());
    const unroll = request2.unroll || [...state.unrolled];
    request2 = { ...request2, colour: state.colour, base: state.base, area, unroll };
    const graph = state.graph;
    const seq = ++this.renderSeq;
    this.stopRetrying();
    this.messages.hideMessage();
    this.calls.hideHover();
    const started = performance.now();
    const key = viewParams(graph, request2).toString();
    const kept = this.sheets.kept(key);
    if (kept) {
      this.model.cancelView();
      this.messages.setLoading(false);
      this.messages.setState("loading");
      const sheet = kept.sheet && kept.sheet.isConnected ? kept.sheet : null;
      const svg = clearMarks(sheet ? sheet.firstChild : kept.template);
      const depth2 = shownDepth(svg, request2);
      this.display(graph, { ...kept, svg, sheet, unroll, depth: depth2 }, placement, started, null, kept);
      return;
    }
    this.messages.setLoading(true);
    this.messages.setState("loading");
    let answer;
    try {
      answer = await this.model.view(graph, request2);
      performance.mark("scopegraph:answer");
    } catch (error) {
      if (error instanceof Stale) return;
      this.messages.setLoading(false);
      if (placement.fromLink && error instanceof ApiError && error.status === 404 && request2.open) {
        this.show({ open: null, depth: null, unroll: [] }, { overview: true });
        return;
      }
      this.fail(error, request2, placement);
      return;
    }
    if (seq !== this.renderSeq) return;
    this.messages.setLoading(false);
    let imported;
    try {
      imported = importGraphSvg(answer.svg);
    } catch (error) {
      this.fail(error, request2, placement);
      return;
    }
    const open = openGroups(imported.svg);
    const keys = [key, viewParams(graph, { ...request2, open, depth: null }).toString()];
    const depth = shownDepth(imported.svg, request2);
    const drawing = { ...imported, text: answer.svg, open, unroll, depth };
    this.display(graph, drawing, placement, started, keys);
  }
  fail(error, request2, placement) {
    this.failed = { request: request2, placement, error };
    if (error instanceof ApiError && error.retryAfter !== null) {
      this.retryLater(error);
      return;
    }
    this.messages.showRenderError(error, Boolean(this.state.svgText));
  }
  /**
   * The server's layout queue was full: asks again for the failed view after the seconds it
   * said (Retry-After), counting down on a card with a Cancel. Another view asked for
   * meanwhile stops the countdown (show()).
   */
  retryLater(error) {
    const until = performance.now() + Math.max(1, error.retryAfter) * 1e3;
    const tick = () => {
      const left = Math.ceil((until - performance.now()) / 1e3);
      if (left <= 0) {
        this.retryTimer = null;
        this.retry();
        return;
      }
      this.messages.showBusy(left, Boolean(this.state.svgText));
      this.retryTimer = setTimeout(tick, until - performance.now() - (left - 1) * 1e3);
    };
    tick();
  }
  stopRetrying() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
  /**
   * Stops counting down to asking again (the busy card's Cancel). False when a drawing is on
   * screen to go back to; else the error shows, with its Retry.
   */
  cancelRetry() {
    this.stopRetrying();
    if (this.state.svgText || !this.failed) return false;
    this.messages.showRenderError(this.failed.error, false);
    return true;
  }
  /** Asks again for the view that could not be shown; false if none failed. */
  retry() {
    if (!this.failed) return false;
    this.show(this.failed.request, this.failed.placement);
    return true;
  }
  /**
   * Puts a drawing ({svg, bounds, text, open, depth, sheet}) on screen; `sheet`: its parked sheet, if
   * it has one. `keep`: the keys to keep it under for showing again; `kept`: the kept drawing
   * `svg` belongs to (its copy, to copy again, or its parked sheet).
   */
  display(graph, drawing, placement, started, keep = null, kept = null) {
    const state = this.state;
    const seq = this.renderSeq;
    const svg = drawing.svg;
    this.failed = null;
    state.svgText = drawing.text;
    state.shownGraph = graph;
    state.shownBase = state.base;
    state.open = new Set(drawing.open);
    state.unrolled = new Set(drawing.unroll || []);
    this.calls.unpin();
    this.calls.hideHover();
    this.calls.attach({ drawing: true });
    this.viewport.size();
    const sheet = this.sheets.putOnStage(svg, drawing.sheet, drawing.text.length);
    if (kept) kept.sheet = sheet;
    this.ui.root.dataset.shown = String(++this.showings);
    this.viewport.setSvg(svg, drawing.bounds);
    this.boxes = svg.querySelectorAll("g.node").length;
    this.calls.showLegend(svg);
    this.place(placement);
    this.drawSeconds = (performance.now() - started) / 1e3;
    this.updateStatus();
    this.calls.drawn(this.boxes, drawing.depth, placement.depth || null);
    performance.mark("scopegraph:drawn");
    afterPaint(() => {
      if (keep) {
        const { bounds, text, open } = drawing;
        this.sheets.keep(keep, { template: pristineCopy(svg), bounds, text, open, sheet });
      } else if (kept && kept.template === svg) {
        kept.template = pristineCopy(svg);
      }
      addEdgeHitAreas(svg);
      this.ui.root.classList.remove("sg-drawing-first");
      if (seq !== this.renderSeq) return;
      const unrolled = [...state.unrolled];
      writeLocation(graph, [...state.open], state.base, state.runFilter, unrolled);
      if (!state.base) remember(graph, state.open);
      this.calls.learnOpCount(graph);
      this.messages.setState("ready");
    });
  }
  place(placement) {
    if (placement.overview) this.overview();
    else if (placement.fit) this.viewport.fit(false);
    else if (placement.anchor) this.keepInPlace(placement.anchor);
    if (placement.focus) this.focusBox(placement.focus, placement.holder);
    else if (this.state.highlightId) this.markHighlight();
    this.calls.markTrace();
  }
  /**
   * The first look at a drawing (Viewport.overview). When that is its top at a readable size,
   * it is about the topmost box of the main flow, where the forward path's inputs are, not
   * about a box set apart beside it (summaries, initialisers: drawn with class `auxiliary`).
   */
  overview() {
    const vp = this.viewport;
    vp.overview();
    const { w, h: h2 } = vp.size();
    if (!vp.svg || w <= 20 || h2 <= 20 || vp.view.k <= vp.fitView(vp.bounds).k) return;
    let top = null;
    for (const node of vp.svg.querySelectorAll("g.node:not(.auxiliary)")) {
      const r = vp.userRect(node);
      if (r && (!top || r.y < top.y)) top = r;
    }
    if (top) vp.jump(vp.contain({ ...vp.view, cx: top.x + top.w / 2 }));
  }
  /**
   * After opening or closing a group: the group stays under the pointer (an opened group's
   * title where its box's label was, a closed group's box where the frame was clicked), then
   * the view glides to show the new content (Viewport.afterClick): the whole drawing if it
   * reads whole, else the group if it does, else the group's top at full size beside the
   * overview map.
   */
  keepInPlace(anchor) {
    const vp = this.viewport;
    const element = this.findBox(anchor.id);
    if (!element) return;
    const rect = vp.userRect(element);
    const frame = element.classList.contains("cluster");
    const at = frame && labelPoint(element, vp.svg) || {
      x: rect.x + rect.w / 2,
      y: rect.y + rect.h / 2
    };
    const here = vp.viewPlacing(at.x, at.y, anchor.x, anchor.y);
    const title = frame && element.querySelector(":scope > text");
    vp.keep = title ? { svg: vp.svg, rects: [vp.userRect(title)] } : null;
    vp.jump(here);
    const target = vp.afterClick(rect, here, anchor.x);
    const moved = Math.abs(target.cx - here.cx) + Math.abs(target.cy - here.cy);
    if (moved * here.k > 0.5 || target.k !== here.k) vp.go(target, true);
  }
  updateStatus() {
    this.ui.status.textContent = statusText({
      boxes: this.boxes,
      open: this.state.open.size,
      ops: this.state.graph.op_count,
      layers: countsLayers(this.state.graph),
      seconds: this.drawSeconds
    });
  }
  /** The element with id `id` in the drawing on screen (parked drawings have the same ids). */
  byId(id) {
    const svg = this.viewport.svg;
    return svg ? svg.querySelector("#" + CSS.escape(id)) : null;
  }
  /** The element of a box or of its open frame, by element id. */
  findBox(id) {
    return this.byId(id) || this.byId("cluster-" + id);
  }
  /**
   * Marks the box (or frame) of element id `id` as found and eases the view to it, with the
   * title of the frame of group `holder` (the group holding it, if open) too when it fits
   * (found.js focusView).
   */
  focusBox(id, holder = null) {
    this.state.highlightId = id;
    const element = this.markHighlight();
    if (!element) return;
    const vp = this.viewport;
    const rect = vp.userRect(element);
    const title = holder ? this.titleRect(holder) : null;
    vp.keep = { svg: vp.svg, rects: title ? [rect, title] : [rect] };
    vp.go(focusView(vp, rect, title), true);
  }
  /** The box (user units) of the title of open group `key`'s frame; null if not drawn. */
  titleRect(key) {
    const svg = this.viewport.svg;
    if (!svg) return null;
    for (const frame of svg.querySelectorAll("g.cluster")) {
      const group = parseClusterId(frame.id);
      if (!group || group.name !== key) continue;
      const title = frame.querySelector(":scope > text");
      return title ? this.viewport.userRect(title) : null;
    }
    return null;
  }
  /** Marks the box of `state.highlightId` (none if it is null); returns its element. */
  markHighlight() {
    const svg = this.viewport.svg;
    if (!svg) return null;
    for (const old of svg.querySelectorAll(".sg-hit")) old.classList.remove("sg-hit");
    if (!this.state.highlightId) return null;
    const element = this.findBox(this.state.highlightId);
    if (element) element.classList.add("sg-hit");
    return element;
  }
  /** Where `element` is on screen: its centre, in the viewport's pixels. */
  screenCentre(element) {
    const rect = element.getBoundingClientRect();
    const outer = this.ui.viewport.getBoundingClientRect();
    return { x: rect.left + rect.width / 2 - outer.left, y: rect.top + rect.height / 2 - outer.top };
  }
  /** Opens the group of box `element` (`box`: its parsed id). */
  openGroup(box2, element) {
    const open = new Set(this.state.open);
    open.add(box2.name);
    this.calls.unpin();
    const at = this.screenCentre(element);
    this.show({ open: [...open], depth: null }, { anchor: { id: element.id, x: at.x, y: at.y } });
  }
  /** Closes open group `group` (parsed from its frame's id), clicked at `point` (client). */
  closeGroup(group, element, point = null) {
    const open = new Set(this.state.open);
    for (const key of open) {
      if (key === group.name || key.startsWith(group.name + "/")) open.delete(key);
    }
    this.calls.unpin();
    const at = point ? this.screenPoint(point) : this.screenCentre(element);
    const anchor = { id: elementId(group.kind, group.name), x: at.x, y: at.y };
    this.show({ open: [...open], depth: null }, { anchor });
  }
  /** A client point ({x, y}) in the viewport's pixels. */
  screenPoint(point) {
    const outer = this.ui.viewport.getBoundingClientRect();
    return { x: point.x - outer.left, y: point.y - outer.top };
  }
  /** Draws series `series` unrolled (`on`), or rolled up again; open, so that it shows. */
  unroll(series, on) {
    const unroll = new Set(this.state.unrolled);
    if (on) unroll.add(series);
    else unroll.delete(series);
    const open = new Set(this.state.open).add(series);
    this.calls.unpin();
    const id = elementId("series", series);
    const element = this.findBox(id);
    const at = element ? this.screenCentre(element) : null;
    const placement = at ? { anchor: { id, x: at.x, y: at.y } } : { fit: true };
    this.show({ open: [...open], depth: null, unroll: [...unroll] }, placement);
  }
  /**
   * Opens block `member` of series `series` (whose blocks are `members`) on its own: the series
   * is drawn rolled, that block standing for all.
   */
  openMember(series, member, members) {
    const others = members.filter((key) => key !== member);
    const inOther = (key) => others.some((m) => key === m || key.startsWith(m + "/"));
    const open = new Set([...this.state.open].filter((key) => !inOther(key)));
    open.add(series).add(member);
    const unroll = [...this.state.unrolled].filter((key) => key !== series);
    this.calls.unpin();
    this.show({ open: [...open], depth: null, unroll }, { focus: elementId("scope", member) });
  }
};
function openGroups(svg) {
  const open = [];
  for (const frame of svg.querySelectorAll("g.cluster")) {
    const group = parseClusterId(frame.id);
    if (group) open.push(group.name);
  }
  return open;
}
function shownDepth(svg, request2) {
  const number = (name) => {
    const value = svg.getAttribute(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : null;
  };
  const deepest = number("data-deepest") ?? 0;
  const asked = request2.depth != null;
  return { depth: asked ? number("data-depth") ?? request2.depth : deepest, deepest, asked };
}

// key.js
var SVG_NS5 = "http://www.w3.org/2000/svg";
var OP = { fill: "#ffffff", stroke: "#757575" };
var SCOPE = { fill: "#e8eaf6", stroke: "#5c6bc0" };
var SERIES = { fill: "#e0f2f1", stroke: "#26a69a" };
var CHUNK = { fill: "#f5f5f5", stroke: "#9e9e9e" };
var OPEN = { fill: "#f7f8fc", stroke: "#9fa8da" };
var ASIDE = { fill: "#fafafa", stroke: "#9e9e9e", "stroke-dasharray": "3 2" };
var LOOP = "#00897b";
var DIFF = { added: "#a5d6a7", removed: "#f0a1a1", changed: "#ffcc80" };
function s(tag, attrs = {}, text = null) {
  const element = document.createElementNS(SVG_NS5, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text != null) element.textContent = text;
  return element;
}
var ellipse = (style) => s("ellipse", { cx: 22, cy: 9, rx: 19, ry: 7, ...style });
var box = (style, r = 3) => s("rect", { x: 3, y: 2, width: 38, height: 14, rx: r, "stroke-width": 1.5, ...style });
var note = (text, fill = "#212121", weight = 400) => s(
  "text",
  { x: 22, y: 13, "text-anchor": "middle", "font-size": 10, "font-weight": weight, fill },
  text
);
var badge = () => {
  const text = note("● 2", "#212121", 700);
  text.setAttribute("style", "fill: var(--sg-badge)");
  return text;
};
var arrow = (stroke, dashed = false) => [
  s("path", {
    d: "M3 9H37",
    stroke,
    fill: "none",
    "stroke-width": 1.5,
    ...dashed ? { "stroke-dasharray": "3 2" } : {}
  }),
  s("path", { d: "M36 5L41 9L36 13Z", fill: stroke })
];
var MARKS = [
  {
    name: "op",
    has: (svg) => svg.querySelector("g.node.op:not(.auxiliary)"),
    sample: () => [ellipse(OP)],
    text: "An op: click it for its card"
  },
  {
    name: "scope",
    has: (svg) => svg.querySelector("g.node.scope:not(.auxiliary)"),
    sample: () => [box(SCOPE, 5)],
    text: "A closed scope (name group): click to open it"
  },
  {
    name: "series",
    has: (svg) => svg.querySelector("g.node.series"),
    sample: () => [
      s("rect", { x: 7, y: 1, width: 34, height: 12, ...SERIES }),
      s("rect", { x: 3, y: 4, width: 34, height: 12, ...SERIES })
    ],
    text: "A series of numbered siblings, such as AddN_[1-121]: click to open"
  },
  {
    name: "chunk",
    has: (svg) => svg.querySelector("g.node.chunk"),
    sample: () => [box(CHUNK, 0)],
    text: "Part of a very large scope, drawn in parts"
  },
  {
    name: "open",
    has: (svg) => svg.querySelector("g.cluster:not(.rolled)"),
    sample: () => [box({ ...OPEN, "stroke-width": 1 }, 4)],
    text: "An open group: click its frame or title to close it"
  },
  {
    name: "auxiliary",
    has: (svg) => svg.querySelector("g.node.auxiliary"),
    sample: () => [ellipse(ASIDE)],
    text: "Set apart from the main flow (initialisers, summaries, saving), as TensorBoard does"
  },
  {
    name: "stub",
    has: (svg, lines) => lines.some((line) => /^[→←] /.test(line)),
    sample: () => [note("→ init", "#424242")],
    text: "Edges to (→) or from (←) boxes set apart, named on the box instead of drawn"
  },
  {
    name: "missing",
    has: (svg) => svg.querySelector("g.node.missing"),
    sample: () => [ellipse({ fill: "none", stroke: "#d32f2f", "stroke-dasharray": "3 2" })],
    text: "An input an op names that the graph does not hold"
  },
  {
    name: "summaries",
    has: (svg) => svg.querySelector(".summarized"),
    sample: () => [badge()],
    text: "Holds summaries (scalars, histograms…): hover for their latest values"
  },
  {
    name: "rolled",
    has: (svg) => svg.querySelector(".rolled"),
    sample: () => [box({ fill: "#f3faf9", stroke: "#80cbc4" }, 4), note("×5", LOOP)],
    text: "Identical blocks drawn once, ×5 saying how many (teal frame)"
  },
  {
    name: "loop",
    has: (svg) => svg.querySelector("g.edge.loop"),
    sample: () => arrow(LOOP),
    text: "From each of the rolled blocks to the next (hover it: how many times)"
  },
  {
    name: "edge",
    has: (svg) => svg.querySelector("g.edge.data:not(.loop)"),
    sample: () => arrow("#757575"),
    text: "Tensors flowing from one box to the next"
  },
  {
    name: "control",
    has: (svg) => svg.querySelector("g.edge.control"),
    sample: () => arrow("#bdbdbd", true),
    text: "A control dependency: runs after, takes no tensor"
  },
  {
    name: "edge-label",
    has: (svg) => svg.querySelector("g.edge.data:not(.loop) text"),
    sample: () => [note("[?,784]", "#616161")],
    text: "An edge’s tensor shape (? a size known only when run), or how many tensors it carries"
  },
  {
    name: "diff-added",
    has: (svg) => svg.querySelector(".diff-added"),
    sample: () => [box({ fill: DIFF.added, stroke: "#5c6bc0" }, 5)],
    text: "Added: only in the graph shown"
  },
  {
    name: "diff-removed",
    has: (svg) => svg.querySelector(".diff-removed"),
    sample: () => [box({ fill: DIFF.removed, stroke: "#5c6bc0" }, 5)],
    text: "Removed: only in the graph compared with"
  },
  {
    name: "diff-changed",
    has: (svg) => svg.querySelector(".diff-changed"),
    sample: () => [box({ fill: DIFF.changed, stroke: "#5c6bc0" }, 5)],
    text: "Changed, or holds changes"
  },
  {
    name: "diff-counts",
    has: (svg, lines) => lines.some((line) => /^[\d,]+ (added|removed|changed)\b/.test(line)),
    sample: () => [note("1 added")],
    text: "Ops inside: how many added, removed or changed"
  },
  {
    name: "diff-mirrored",
    has: (svg, lines) => lines.some((line) => /^and [\d,]+ in /.test(line)),
    sample: () => [note("and 9 in", "#212121")],
    text: "“and 9 in train/gradients”: changes in gradient or optimizer ops that follow this scope’s, counted here instead of opened there"
  },
  {
    name: "diff-mirror",
    has: (svg, lines) => lines.some((line) => /^[\d,]+ mirror /.test(line)),
    sample: () => [note("24 mirror", "#212121")],
    text: "“24 mirror changes in layer3”: of this gradient or optimizer scope’s changes, that many follow those forward scopes’"
  }
];
function labelLines(svg) {
  return [...svg.querySelectorAll("g.node > text, g.cluster > text, g.node > a > text")].map(
    (text) => text.textContent.trim()
  );
}
function marksOf(svg) {
  const lines = labelLines(svg);
  return MARKS.filter((mark) => mark.has(svg, lines)).map((mark) => mark.name);
}
var Key = class {
  /** Fills `section` (an empty element in the sidebar) with a collapsible key. */
  constructor(section2) {
    this.section = section2;
    this.list = h("div", { class: "sg-key-list" });
    this.details = h(
      "details",
      { class: "sg-key", open: true },
      h("summary", { class: "sg-section-title", text: "Key" }),
      this.list
    );
    section2.replaceChildren(this.details);
    section2.hidden = true;
  }
  /** Lists the marks drawing `svg` holds. */
  show(svg) {
    const names = new Set(marksOf(svg));
    const rows = MARKS.filter((mark) => names.has(mark.name)).map((mark) => {
      const sample = s("svg", { viewBox: "0 0 44 18", width: 44, height: 18, "aria-hidden": "true" });
      sample.classList.add("sg-key-sample");
      sample.append(...mark.sample());
      return h(
        "div",
        { class: "sg-key-row", "data-mark": mark.name },
        sample,
        h("span", { text: mark.text })
      );
    });
    this.list.replaceChildren(...rows);
    this.section.hidden = rows.length === 0;
  }
};

// listing.js
var LINK_WAIT_MS = 1e3;
var LINK_WAIT_TRIES = 120;
var Listing = class {
  /**
   * `state`: the tab's (see state.js); this part writes `graphs` and `graph`. `messages`: the
   * tab's Messages. `calls`: what the tab does once a graph is picked: selectGraph(graph,
   * request), setBase(base), noteMissingBase(wanted, found), graphsChanged() (the pickers
   * changed: the comparison's choices follow), graphShown() (an op count came: the status
   * line follows), attach().
   */
  constructor(state, ui, model, messages, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.messages = messages;
    this.calls = calls;
  }
  wire() {
    const ui = this.ui;
    ui.runFilter.addEventListener("input", () => {
      this.setRunFilter(ui.runFilter.value);
      const state = this.state;
      const shown = state.shownGraph;
      if (shown) writeLocation(shown, [...state.open], state.shownBase, state.runFilter);
    });
    ui.runSelect.addEventListener("change", () => {
      this.cancelPendingLink();
      const run = this.shownRuns()[Number(ui.runSelect.value)];
      const graph = this.state.graphs.find((g) => g.run === run);
      if (graph) this.calls.selectGraph(graph, null);
    });
    ui.graphSelect.addEventListener("change", () => {
      this.cancelPendingLink();
      const graph = this.graphsOfRun(this.state.graph.run)[Number(ui.graphSelect.value)];
      if (graph) this.calls.selectGraph(graph, null);
    });
  }
  runs() {
    return [...new Set(this.state.graphs.map((g) => g.run))];
  }
  /** The runs the run picker lists: those matching the filter, and the picked graph's run. */
  shownRuns() {
    const match = runMatcher(this.state.runFilter).test;
    const current = this.state.graph && this.state.graph.run;
    return this.runs().filter((run) => run === current || match(run));
  }
  /** Filters the run picker by `text` (a regular expression, else plain text). */
  setRunFilter(text) {
    this.state.runFilter = text;
    if (this.ui.runFilter.value !== text) this.ui.runFilter.value = text;
    if (this.state.graph) this.fillPickers();
  }
  graphsOfRun(run) {
    return this.state.graphs.filter((g) => g.run === run);
  }
  /** The listed graph a link names; a link may leave out kind and tag (the run's first). */
  findGraph(wanted) {
    if (!wanted) return null;
    return this.state.graphs.find(
      (g) => g.run === wanted.run && (!wanted.kind || g.kind === wanted.kind) && (!wanted.tag || g.tag === wanted.tag)
    ) || null;
  }
  /** The listed graph a link's base names, at the step it names (null: the latest). */
  findBase(wanted) {
    const graph = this.findGraph(wanted);
    return graph && { ...graph, step: wanted.step ?? null };
  }
  /**
   * When a link or the last visit names a graph, starts fetching the view load() will ask
   * for, while the listing is still on its way.
   */
  prefetchFirstView() {
    const wanted = readLocation();
    const linked = wanted.graph && wanted.graph.kind && wanted.graph.tag ? wanted : null;
    const graph = linked ? linked.graph : rememberedGraph();
    if (!graph) return;
    const area = sheetArea();
    const request2 = linked ? { open: linked.open, depth: linked.depth, base: linked.base, unroll: linked.unroll, area } : { open: rememberedOpen(graph), depth: null, area };
    this.model.prefetchView(graph, request2);
  }
  /** Lists the graphs and shows the view a link names, else the last one seen, else the first. */
  async load() {
    const messages = this.messages;
    messages.hideMessage();
    messages.setState("loading");
    messages.setLoading(true, { chip: false });
    let graphs;
    try {
      graphs = await this.model.listGraphs();
      performance.mark("scopegraph:listing");
    } catch (error) {
      messages.setLoading(false);
      messages.setState("error");
      messages.showError(error, {
        title: "Could not list the graphs",
        actions: [{ label: "Retry", action: "reload-graphs", primary: true }]
      });
      return;
    }
    messages.setLoading(false);
    this.state.graphs = Array.isArray(graphs) ? graphs : [];
    const linkedFilter = readLocation().runFilter;
    this.setRunFilter(linkedFilter != null ? linkedFilter : tensorboardRunFilter());
    const empty = this.state.graphs.length === 0;
    this.ui.root.classList.toggle("sg-empty", empty);
    if (empty) {
      messages.setState("empty");
      messages.showMessage(emptyState());
      fillSelect(this.ui.runSelect, [], 0);
      fillSelect(this.ui.graphSelect, [], 0);
      return;
    }
    const wanted = readLocation();
    const linked = this.findGraph(wanted.graph);
    const base = linked ? this.findBase(wanted.base) : null;
    if (linked) this.calls.noteMissingBase(wanted.base, base);
    this.calls.setBase(base);
    const graph = linked || this.findGraph(rememberedGraph()) || this.state.graphs[0];
    this.calls.selectGraph(graph, linked ? wanted : null);
    if (wanted.graph && !linked || linked && wanted.base && !base) this.awaitLinked(wanted);
  }
  /**
   * Lists the graphs again until those a link names (`wanted`: its graph and base) are
   * there, then shows the link's view; a graph or comparison picked meanwhile ends the wait.
   */
  async awaitLinked(wanted) {
    const token = {};
    this.pendingLink = token;
    for (let i = 0; i < LINK_WAIT_TRIES; i++) {
      await new Promise((resolve) => setTimeout(resolve, LINK_WAIT_MS));
      if (this.pendingLink !== token) return;
      await this.refresh({ force: true });
      if (this.pendingLink !== token) return;
      const graph = this.findGraph(wanted.graph);
      const base = wanted.base ? this.findBase(wanted.base) : null;
      if (graph && (!wanted.base || base)) {
        this.pendingLink = null;
        this.calls.noteMissingBase(wanted.base, base);
        this.calls.setBase(base);
        this.calls.selectGraph(graph, wanted);
        return;
      }
    }
    if (this.pendingLink === token) this.pendingLink = null;
  }
  /** The person picked something else: a link's graph that shows up later is not shown. */
  cancelPendingLink() {
    this.pendingLink = null;
  }
  /**
   * New runs show up in the pickers; the view on screen stays as it is. Unless `force`, only
   * while the tab is on screen and not loading a view.
   */
  async refresh({ force = false } = {}) {
    const state = this.state;
    const onScreen = this.ui.viewport.clientHeight > 0 && document.visibilityState === "visible";
    if (!force && (!onScreen || this.messages.state === "loading")) return;
    let graphs;
    try {
      graphs = await this.model.listGraphs();
    } catch {
      return;
    }
    if (!Array.isArray(graphs) || !graphs.length) return;
    if (!state.graphs.length) {
      this.load();
      return;
    }
    const key = (g) => JSON.stringify([g.run, g.kind, g.tag]);
    if (graphs.map(key).join() === state.graphs.map(key).join()) return;
    for (const g of graphs) {
      const known = state.graphs.find((old) => sameGraph(old, g));
      if (known && g.op_count == null) g.op_count = known.op_count;
    }
    const current = graphs.find((g) => sameGraph(g, state.graph));
    if (current) state.graph = current;
    else graphs.push(state.graph);
    state.graphs = graphs;
    this.fillPickers();
  }
  fillPickers() {
    const graph = this.state.graph;
    const all = this.runs();
    const runs = this.shownRuns();
    fillSelect(this.ui.runSelect, runs, runs.indexOf(graph.run));
    this.ui.root.classList.toggle("sg-many-runs", all.length > 1);
    this.ui.runFilterStatus.textContent = runFilterStatus(this.state.runFilter, runs, all, graph);
    const ofRun = this.graphsOfRun(graph.run);
    fillSelect(
      this.ui.graphSelect,
      ofRun.map((g) => graphLabel(g)),
      ofRun.findIndex((g) => sameGraph(g, graph))
    );
    this.ui.graphSelect.disabled = ofRun.length <= 1;
    this.calls.graphsChanged();
  }
  /** Makes `graph` the picked one. */
  setGraph(graph) {
    this.state.graph = graph;
    this.fillPickers();
  }
  /**
   * The listing leaves a graph's op count out until the server has read the graph: once a view
   * of it is drawn, the listing is asked again.
   */
  learnOpCount(graph) {
    if (graph.op_count != null) return;
    this.model.listGraphs().then(
      (graphs) => {
        const listed = Array.isArray(graphs) && graphs.find((g) => sameGraph(g, graph));
        if (!listed || listed.op_count == null) return;
        graph.op_count = listed.op_count;
        if (!sameGraph(graph, this.state.graph)) return;
        this.fillPickers();
        this.calls.graphShown();
      },
      () => {
      }
      // The count is a nicety; the next refresh of the listing brings it.
    );
  }
};
function runMatcher(text) {
  if (!text) return { test: () => true, regex: true };
  try {
    const pattern = new RegExp(text, "i");
    return { test: (run) => pattern.test(run), regex: true };
  } catch {
    const lowered = text.toLowerCase();
    return { test: (run) => run.toLowerCase().includes(lowered), regex: false };
  }
}
function runFilterStatus(text, shown, all, graph) {
  if (!text) return "";
  const matcher = runMatcher(text);
  const matching = shown.filter((run) => run !== graph.run || matcher.test(run));
  const how = matcher.regex ? "" : " (not a regular expression: matched as text)";
  const count = `${matching.length.toLocaleString("en-US")} of ${all.length.toLocaleString("en-US")} runs match${how}`;
  return matching.length === shown.length ? count : `${count}; the picked run is listed too`;
}

// messages.js
var LOADING_CHIP_AFTER_MS = 500;
var Messages = class {
  /**
   * `ui`: the shell's parts. `attach()`: puts the tab on screen (a message shows at once);
   * `comparing()`: whether a diff is asked for (its errors offer to stop comparing).
   */
  constructor(ui, { attach, comparing }) {
    this.ui = ui;
    this.attach = attach;
    this.comparing = comparing;
  }
  /** loading | ready | error | empty: on the app's root as data-state. */
  setState(state) {
    this.ui.root.dataset.state = state;
    if (state === "loading") this.noteFound("");
  }
  /**
   * Says `text` after the status line ('' clears it): as its data-note, shown by its style
   * (style/viewport.css), as the line's own text is written afresh with each drawing.
   */
  noteFound(text) {
    if (text) this.ui.status.dataset.note = text;
    else delete this.ui.status.dataset.note;
  }
  get state() {
    return this.ui.root.dataset.state;
  }
  setLoading(on, { chip: chip2 = true } = {}) {
    const ui = this.ui;
    clearTimeout(this.loadingTimer);
    clearInterval(this.loadingTicker);
    if (this.stopWatching) this.stopWatching();
    this.stopWatching = null;
    ui.progress.hidden = !on;
    ui.viewport.classList.toggle("sg-busy", on);
    ui.loading.hidden = true;
    if (!on || !chip2) return;
    const started = performance.now();
    this.loadingTimer = setTimeout(() => {
      let place = null;
      const tick = () => ui.loading.replaceChildren(
        ...loadingChip(Math.floor((performance.now() - started) / 1e3), place)
      );
      tick();
      ui.loading.hidden = false;
      this.loadingTicker = setInterval(tick, 1e3);
      this.stopWatching = watchQueue((standing) => {
        place = placeText(standing);
        tick();
      });
    }, LOADING_CHIP_AFTER_MS);
  }
  /** Whether a message is on screen. */
  get showing() {
    return !this.ui.message.hidden;
  }
  hideMessage() {
    this.ui.message.hidden = true;
    this.ui.message.replaceChildren();
  }
  /** Shows `content` (elements) as the message. */
  showMessage(...content) {
    this.ui.message.replaceChildren(...content);
    this.ui.message.hidden = false;
    this.attach();
  }
  showError(error, { title, hint, actions = [] }) {
    this.showMessage(messageCard({ title, text: error.message, hint, actions }));
  }
  /**
   * The server's layout queue was full for a view: it is asked for again in `seconds`
   * (drawing.js counts down, calling this each second); Cancel stops that.
   */
  showBusy(seconds, hasGraph) {
    this.setState("error");
    const title = `Server busy: trying again in ${seconds} s`;
    const shown = this.ui.message.querySelector(".sg-message-busy .sg-message-title");
    if (shown && !this.ui.message.hidden) {
      shown.textContent = title;
      return;
    }
    const card = messageCard({
      title,
      // Not the server's message: its "try again in N s" would not count down with the title.
      text: "Every layout worker is taken and the queue of drawings is full.",
      hint: hasGraph ? "Cancel goes back to the last view." : null,
      iconName: "timer",
      actions: [{ label: "Cancel", action: "cancel-retry" }]
    });
    card.classList.add("sg-message-busy");
    this.showMessage(card);
  }
  /** A view could not be shown; `hasGraph`: a drawing is on screen to go back to. */
  showRenderError(error, hasGraph) {
    this.setState("error");
    const back = hasGraph ? [{ label: "Back to the last view", action: "back" }] : [];
    if (error instanceof ApiError && error.timeout) {
      this.showError(error, {
        title: "This view takes too long to lay out",
        hint: 'Graphviz gave up on this many open groups. Close some scopes, or open fewer levels with "Open to depth".',
        actions: [{ label: "Close all scopes", action: "close-all", primary: true }, ...back]
      });
      return;
    }
    const title = error instanceof ApiError && error.status ? "The server could not draw this view" : "Could not draw this view";
    const message = error instanceof ApiError ? String(error.message || "") : "";
    const badBase = this.comparing() && (error.status === 404 && message.startsWith("base graph") || error.status === 400 && message.includes("same graph"));
    if (badBase) {
      const stop = [{ label: "Stop comparing", action: "stop-comparing", primary: true }];
      this.showError(error, { title: "Could not compare these graphs", actions: [...stop, ...back] });
      return;
    }
    const actions = [{ label: "Retry", action: "retry", primary: true }, ...back];
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      actions.push({ label: "Default view", action: "default-view" });
    }
    this.showError(error, { title, actions });
  }
};

// minimap.js
var SIZE = 180;
var MIN_SIDE2 = 64;
var MAX_LONG = 4096;
var SLACK2 = 4;
var CORNERS = ["bottom-left", "top-left", "top-right"];
var MARGIN = { top: 12, bottom: 34, left: 12, right: 12 };
var GAP = 8;
var Minimap = class {
  /** Adds the map to `ui.viewport`, for the drawing `viewport` (a Viewport) shows. */
  constructor(ui, viewport) {
    this.viewport = viewport;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "sg-minimap";
    this.canvas.hidden = true;
    this.canvas.dataset.noPan = "";
    this.canvas.dataset.corner = CORNERS[0];
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "Overview of the whole graph");
    ui.viewport.append(this.canvas);
    this.svg = null;
    this.base = null;
    this.offset = { x: 0, y: 0 };
    this.pressed = false;
    const canvas = this.canvas;
    canvas.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      this.pressed = true;
      canvas.setPointerCapture(e.pointerId);
      this.moveTo(e, true);
    });
    canvas.addEventListener("pointermove", (e) => this.pressed && this.moveTo(e, false));
    canvas.addEventListener("pointerup", () => this.pressed = false);
    canvas.addEventListener("pointercancel", () => this.pressed = false);
  }
  /** Follows the view: called whenever it moves or the drawing changes. */
  update() {
    const vp = this.viewport;
    const b = vp.bounds;
    if (vp.svg !== this.svg) {
      this.svg = vp.svg;
      this.base = null;
    }
    if (!this.svg || !b) {
      this.canvas.hidden = true;
      return;
    }
    const { w, h: h2 } = vp.size();
    const { cx, cy, k } = vp.view;
    const shown = { x: cx - w / 2 / k, y: cy - h2 / 2 / k, w: w / k, h: h2 / k };
    const slack = SLACK2 / k;
    const whole = b.x >= shown.x - slack && b.y >= shown.y - slack && b.x + b.w <= shown.x + shown.w + slack && b.y + b.h <= shown.y + shown.h + slack;
    this.canvas.hidden = whole || w < 4 * SIZE;
    if (this.canvas.hidden) return;
    if (!this.base) this.base = drawMap(this.svg, b);
    this.paint(shown);
    this.canvas.hidden = !this.place(shown, { w, h: h2 });
  }
  /** What must stay in sight, on screen (CSS px) where the view is heading (`size`: its size). */
  kept(size) {
    const vp = this.viewport;
    if (!vp.keep || vp.keep.svg !== this.svg) return [];
    const { cx, cy, k } = vp.destination || vp.view;
    return vp.keep.rects.map((r) => ({
      x: (r.x - cx) * k + size.w / 2,
      y: (r.y - cy) * k + size.h / 2,
      w: r.w * k,
      h: r.h * k
    }));
  }
  /** The map, with the window's part of the drawing (`shown`, user units) outlined. */
  paint(shown) {
    const { canvas: map, scale, w, h: h2 } = this.base;
    const b = this.viewport.bounds;
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    const vw = Math.min(w, SIZE);
    const vh = Math.min(h2, SIZE);
    if (canvas.width !== Math.round(vw * ratio) || canvas.height !== Math.round(vh * ratio)) {
      canvas.width = Math.round(vw * ratio);
      canvas.height = Math.round(vh * ratio);
      canvas.style.width = `${vw}px`;
      canvas.style.height = `${vh}px`;
    }
    if (!this.pressed) {
      const clamp = (v, most) => Math.max(0, Math.min(most, v));
      this.offset = {
        x: clamp((shown.x + shown.w / 2 - b.x) * scale - vw / 2, w - vw),
        y: clamp((shown.y + shown.h / 2 - b.y) * scale - vh / 2, h2 - vh)
      };
    }
    const { x: ox, y: oy } = this.offset;
    const g = canvas.getContext("2d");
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.drawImage(
      map,
      ox * ratio,
      oy * ratio,
      canvas.width,
      canvas.height,
      0,
      0,
      canvas.width,
      canvas.height
    );
    const s2 = ratio * scale;
    g.setTransform(s2, 0, 0, s2, (-b.x * scale - ox) * ratio, (-b.y * scale - oy) * ratio);
    const inset = 1 / scale;
    const x0 = Math.max(shown.x, b.x + ox / scale + inset);
    const y0 = Math.max(shown.y, b.y + oy / scale + inset);
    const x1 = Math.min(shown.x + shown.w, b.x + (ox + vw) / scale - inset);
    const y1 = Math.min(shown.y + shown.h, b.y + (oy + vh) / scale - inset);
    g.fillStyle = "rgba(245, 124, 0, 0.15)";
    g.strokeStyle = "#f57c00";
    g.lineWidth = 2 / scale;
    g.fillRect(x0, y0, x1 - x0, y1 - y0);
    g.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  /**
   * Puts the map in the corner of the window (`size`, CSS px; `shown`: its part of the drawing,
   * user units) where it covers fewest boxes and nothing that must stay in sight, staying
   * where it is unless another covers fewer; false when every corner covers what must stay.
   */
  place(shown, size) {
    const vw = Math.min(this.base.w, SIZE);
    const vh = Math.min(this.base.h, SIZE);
    const k = size.w / shown.w;
    const kept = this.kept(size);
    const covered = (corner) => {
      const [dy, dx] = corner.split("-");
      const x0 = dx === "left" ? MARGIN.left : size.w - MARGIN.right - vw;
      const y0 = dy === "top" ? MARGIN.top : size.h - MARGIN.bottom - vh;
      const over = (r) => r.x < x0 + vw + GAP && r.x + r.w > x0 - GAP && r.y < y0 + vh + GAP && r.y + r.h > y0 - GAP;
      if (kept.some(over)) return Infinity;
      let n = 0;
      for (const r of this.base.boxes) {
        const sx = (r.x - shown.x) * k;
        const sy = (r.y - shown.y) * k;
        if (sx < x0 + vw && sx + r.w * k > x0 && sy < y0 + vh && sy + r.h * k > y0) n++;
      }
      return n;
    };
    const now = this.canvas.dataset.corner;
    let best = now;
    let fewest = covered(now);
    for (const corner of CORNERS) {
      if (!fewest) break;
      const n = corner === now ? fewest : covered(corner);
      if (n < fewest) [best, fewest] = [corner, n];
    }
    this.canvas.dataset.corner = best;
    return fewest !== Infinity;
  }
  /** Centres the view on the drawing's point under the pointer. */
  moveTo(event, animate) {
    const rect = this.canvas.getBoundingClientRect();
    const b = this.viewport.bounds;
    const scale = this.base.scale;
    const cx = b.x + (event.clientX - rect.left + this.offset.x) / scale;
    const cy = b.y + (event.clientY - rect.top + this.offset.y) / scale;
    const view = { cx, cy, k: this.viewport.view.k };
    if (animate) this.viewport.go(view, true);
    else this.viewport.jump(view);
  }
};
function drawMap(svg, b) {
  const fit = Math.min(SIZE / b.w, SIZE / b.h);
  const wide = Math.min(MIN_SIDE2 / Math.min(b.w, b.h), MAX_LONG / Math.max(b.w, b.h));
  const scale = Math.max(fit, wide);
  const w = Math.max(1, Math.round(b.w * scale));
  const h2 = Math.max(1, Math.round(b.h * scale));
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h2 * ratio);
  const g = canvas.getContext("2d");
  g.setTransform(ratio * scale, 0, 0, ratio * scale, -b.x * ratio * scale, -b.y * ratio * scale);
  g.lineWidth = 1 / scale;
  g.fillStyle = "#f7f8fc";
  g.strokeStyle = "#9fa8da";
  for (const frame of svg.querySelectorAll("g.cluster")) {
    const r = shapeRect(frame, svg);
    if (!r) continue;
    g.fillRect(r.x, r.y, r.w, r.h);
    g.strokeRect(r.x, r.y, r.w, r.h);
  }
  g.fillStyle = "#7986cb";
  const boxes = [];
  for (const node of svg.querySelectorAll("g.node")) {
    const r = shapeRect(node, svg);
    if (!r) continue;
    g.fillRect(r.x, r.y, r.w, r.h);
    boxes.push(r);
  }
  return { canvas, scale, w, h: h2, boxes };
}

// search.js
var TYPING_PAUSE_MS2 = 180;
var Search = class {
  /**
   * `state`: the tab's (see state.js); this part writes `highlightId` (cleared with the
   * search). `viewport`: the drawing's (viewport.js). `calls`: show(request, placement) (a
   * promise, settled once the view is on screen or given up), markHighlight(), note(text)
   * (says in the status line how a found name is shown; '' clears it).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.results = [];
    this.active = -1;
    this.picks = 0;
  }
  wire() {
    const ui = this.ui;
    let timer = 0;
    ui.searchInput.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.run(), TYPING_PAUSE_MS2);
    });
    ui.searchInput.addEventListener("keydown", (e) => this.onKey(e));
    ui.regexToggle.addEventListener("click", () => {
      const on = ui.regexToggle.getAttribute("aria-pressed") !== "true";
      ui.regexToggle.setAttribute("aria-pressed", String(on));
      this.run();
    });
    ui.searchResults.addEventListener("click", (e) => {
      const item = e.target.closest(".sg-result");
      if (item) this.pickResult(Number(item.dataset.index));
    });
  }
  regex() {
    return this.ui.regexToggle.getAttribute("aria-pressed") === "true";
  }
  async run() {
    const ui = this.ui;
    const query = ui.searchInput.value.trim();
    if (!query || !this.state.graph) {
      this.model.cancelSearch();
      this.setResults([], "");
      return;
    }
    ui.searchStatus.textContent = "Searching…";
    let results;
    try {
      results = await this.model.search(this.state.graph, query, this.regex());
    } catch (error) {
      if (error instanceof Stale) return;
      this.setResults([], error.message, true);
      return;
    }
    const note2 = results.length === 0 ? "No node matches." : results.length >= 50 ? "First 50 matches." : `${results.length} match${results.length === 1 ? "" : "es"}.`;
    this.setResults(results, note2);
  }
  setResults(results, note2, isError = false) {
    this.results = results;
    this.active = -1;
    this.ui.searchResults.replaceChildren(
      ...searchResultItems(results, this.ui.searchInput.value)
    );
    this.ui.searchStatus.textContent = note2;
    this.ui.searchStatus.classList.toggle("sg-error-text", isError);
  }
  onKey(event) {
    const n = this.results.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!n) return;
      event.preventDefault();
      const step2 = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step2 + n) % n;
      for (const item of this.ui.searchResults.children) {
        item.classList.toggle("sg-active", Number(item.dataset.index) === this.active);
      }
      const active = this.ui.searchResults.children[this.active];
      if (active) active.scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (n) this.pickResult(Math.max(0, this.active));
    }
  }
  async pickResult(index) {
    const result = this.results[index];
    if (!result) return;
    this.active = index;
    for (const item of this.ui.searchResults.children) {
      item.classList.toggle("sg-active", Number(item.dataset.index) === index);
    }
    const pick2 = ++this.picks;
    const open = this.state.open;
    const reveal = result.reveal || [];
    const missing = reveal.filter((key) => !open.has(key));
    if (missing.length) {
      const placement = { depth: { revealed: true } };
      const anchor = this.anchor(missing);
      if (anchor) placement.anchor = anchor;
      await this.calls.show({ open: [...open, ...missing], depth: null }, placement);
      if (pick2 !== this.picks || this.ui.root.dataset.state === "error") return;
    }
    await this.focus(result, pick2, missing.length === 0);
  }
  /**
   * Where the first of groups `keys` drawn closed is on screen ({id, x, y}, the viewport's
   * pixels: drawing.js keepInPlace), or null when none is drawn.
   */
  anchor(keys) {
    const vp = this.viewport;
    if (!vp.svg) return null;
    for (const key of keys) {
      for (const kind of ["scope", "series", "chunk"]) {
        const box2 = vp.svg.querySelector("g.node#" + CSS.escape(elementId(kind, key)));
        if (!box2) continue;
        const r = vp.userRect(box2);
        const at = vp.toScreen(r.x + r.w / 2, r.y + r.h / 2);
        return { id: box2.id, x: at.x, y: at.y };
      }
    }
    return null;
  }
  /**
   * Marks what shows `result` in the drawing on screen (its box, or the box it is drawn as,
   * in or counted on, said in the status line) and eases the view to put it in the middle
   * of the window, the titles of the frames around it that are out of sight written in one
   * line at the top (found.js tagTitles); `stay`: the drawing is the one the pick was made
   * on, whose view is kept if it shows the box already.
   */
  async focus(result, pick2, stay) {
    const vp = this.viewport;
    const svg = vp.svg;
    if (!svg) return;
    let found = drawnFor(svg, result);
    if (!found && result.kind === "op") {
      let details = null;
      try {
        details = await this.model.node(this.state.graph, result.name, null);
      } catch {
      }
      if (pick2 !== this.picks || vp.svg !== svg) return;
      if (details) found = countedOn(svg, result.name, details);
    }
    if (!found) {
      this.state.highlightId = null;
      this.calls.markHighlight();
      this.calls.note(`${leaf(result.name)} is not drawn in this view`);
      return;
    }
    const { element, note: note2 } = found;
    this.state.highlightId = element.classList.contains("cluster") ? element.id.slice("cluster-".length) : element.id;
    this.calls.markHighlight();
    this.calls.note(note2 || "");
    const rect = vp.userRect(element);
    const view = focusView(vp, rect, null, { stay });
    removeFrameTags(svg);
    const cut = cutTitles(vp, framesAround(vp, rect, element), view);
    const tag = cut.length ? tagTitles(vp, cut, rect, view) : null;
    vp.keep = { svg, rects: tag ? [rect, vp.userRect(tag)] : [rect] };
    vp.go(view, true);
  }
  clear() {
    this.ui.searchInput.value = "";
    this.model.cancelSearch();
    this.setResults([], "");
    this.state.highlightId = null;
    this.calls.markHighlight();
    this.calls.note("");
    removeFrameTags(this.viewport.svg);
    this.viewport.keep = null;
  }
};

// theme.js
function tensorBoardBody() {
  try {
    if (window.parent !== window && window.parent.document.querySelector("tb-webapp, tf-tensorboard")) {
      return window.parent.document.body;
    }
  } catch {
  }
  return null;
}
var media = () => window.matchMedia("(prefers-color-scheme: dark)");
function applyTheme(body = tensorBoardBody()) {
  const dark = body ? body.classList.contains("dark-mode") : media().matches;
  document.documentElement.classList.toggle("sg-dark", dark);
}
function followTheme() {
  const body = tensorBoardBody();
  const apply = () => applyTheme(body);
  if (body) {
    new MutationObserver(apply).observe(body, { attributes: true, attributeFilter: ["class"] });
  }
  media().addEventListener("change", apply);
  apply();
}

// trace.js
var HOPS_PAUSE_MS = 300;
var Trace = class {
  /**
   * `state`: the tab's (see state.js); this part writes `traced`. `calls`: show(request,
   * placement), unpin(), byId(id) (an element of the drawing on screen).
   */
  constructor(state, ui, model, viewport, calls) {
    this.state = state;
    this.ui = ui;
    this.model = model;
    this.viewport = viewport;
    this.calls = calls;
    this.frameNext = false;
  }
  wire() {
    this.ui.traceClear.addEventListener("click", () => this.clear());
    let timer = 0;
    this.ui.traceDepth.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.again(), HOPS_PAUSE_MS);
    });
  }
  /** Traces the paths into or out of the op of `element`, opening the groups they run through. */
  from(element, direction) {
    const what = describe(element);
    if (what && what.kind === "op") this.run(what.name, direction);
  }
  /** The trace shown, traced again to the hops now asked for (nothing when none is shown). */
  again() {
    const traced = this.state.traced;
    if (!traced || this.ui.traceDepth.value === "") return;
    if (this.hops() !== traced.depth) this.run(traced.name, traced.direction);
  }
  /** The hops asked for, 0 to 100. */
  hops() {
    return Math.max(0, Math.min(100, Math.round(Number(this.ui.traceDepth.value) || 0)));
  }
  /** Traces the paths into or out of op `name`, opening the groups they run through. */
  async run(name, direction) {
    const state = this.state;
    if (state.base) return;
    const depth = this.hops();
    this.ui.traceDepth.value = String(depth);
    this.ui.traceStatus.textContent = "Tracing…";
    const found = await this.ask(name, { direction, depth, open: state.open });
    if (!found) return;
    state.traced = { name, direction, depth, found };
    this.ui.traceClear.disabled = false;
    this.ui.traceStatus.textContent = traceText(found);
    this.calls.unpin();
    this.frameNext = true;
    if (sameOpen(found.open, state.open)) this.paint(found);
    else this.calls.show({ open: found.open, depth: null }, { fit: true });
  }
  /**
   * Marks the boxes on the traced paths in the drawing on screen. A view opened or closed
   * since has other boxes: the backend says which of them hold the paths (without opening).
   */
  mark() {
    const traced = this.state.traced;
    const svg = this.viewport.svg;
    if (svg) svg.classList.toggle("sg-tracing", Boolean(traced));
    const found = traced && traced.found;
    const same = found && sameOpen(found.open, this.state.open);
    if (traced && svg && !same) this.retrace();
    else this.paint(svg && found);
  }
  /** Marks `found`'s boxes (and the edges between two of them); none when it is null. */
  paint(found) {
    const svg = this.viewport.svg;
    if (!svg) return;
    for (const old of svg.querySelectorAll(".sg-trace, .sg-trace-origin")) {
      old.classList.remove("sg-trace", "sg-trace-origin");
    }
    if (!found) return;
    const marked = /* @__PURE__ */ new Set();
    for (const box2 of found.boxes) {
      const element = this.calls.byId(elementId(box2.kind, box2.name));
      if (!element) continue;
      element.classList.add("sg-trace");
      marked.add(element.id);
    }
    for (const edge of svg.querySelectorAll("g.edge[data-sg-ends]")) {
      const [src, dst] = edge.dataset.sgEnds.split("->");
      if (marked.has(src) && marked.has(dst)) edge.classList.add("sg-trace");
    }
    const origin = this.calls.byId(elementId(found.origin.kind, found.origin.name));
    if (origin) origin.classList.add("sg-trace-origin");
    if (this.frameNext) {
      this.frameNext = false;
      this.frame();
    }
  }
  /** Fits the view to the traced boxes (not the whole graph: the path would be tiny). */
  frame() {
    const vp = this.viewport;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    if (!vp.svg) return;
    for (const element of vp.svg.querySelectorAll("g.node.sg-trace")) {
      const r = vp.userRect(element);
      if (!r) continue;
      x0 = Math.min(x0, r.x);
      y0 = Math.min(y0, r.y);
      x1 = Math.max(x1, r.x + r.w);
      y1 = Math.max(y1, r.y + r.h);
    }
    if (x0 === Infinity) return;
    vp.go(vp.fitView({ x: x0, y: y0, w: x1 - x0, h: y1 - y0 }));
  }
  /** The trace route's answer, or null when a newer request took over or it failed (said). */
  async ask(name, ask) {
    try {
      return await this.model.trace(this.state.graph, name, ask);
    } catch (error) {
      if (!(error instanceof Stale)) this.ui.traceStatus.textContent = error.message;
      return null;
    }
  }
  async retrace() {
    const traced = this.state.traced;
    const ask = {
      direction: traced.direction,
      depth: traced.depth,
      open: this.state.open,
      expand: false
    };
    this.paint(null);
    const found = await this.ask(traced.name, ask);
    if (!found || this.state.traced !== traced) return;
    this.state.traced = { ...traced, found };
    this.ui.traceStatus.textContent = traceText(found, { kept: true });
    this.paint(found);
  }
  clear() {
    this.model.cancelTrace();
    this.state.traced = null;
    this.frameNext = false;
    this.ui.traceClear.disabled = true;
    this.ui.traceStatus.textContent = "";
    this.mark();
  }
};

// tab.js
var ZOOM_STEP = 1.35;
var REFRESH_GRAPHS_MS = 3e4;
var EARLY_REFRESH_MS = [1e3, 3e3, 7e3, 15e3];
var SHELL_WAIT_MS = 150;
var Tab = class {
  /** `stylesheet` resolves once the tab's stylesheet has loaded: the shell waits for it. */
  constructor(model, { stylesheet = null } = {}) {
    const ui = buildShell();
    const state = tabState();
    this.model = model;
    this.stylesheet = stylesheet;
    this.ui = ui;
    this.state = state;
    this.styled = false;
    this.attached = false;
    this.painted = false;
    this.waiting = [];
    this.mapLater = () => this.minimap.update();
    this.messages = new Messages(ui, {
      attach: () => this.attach(),
      comparing: () => Boolean(state.base)
    });
    this.compare = new Compare(state, ui, model, { compareWith: (base) => this.compareWith(base) });
    this.viewport = new Viewport(ui.viewport, {
      onTap: (target, event) => this.onTap(target, event),
      onDragStart: () => this.cards.hideHover(),
      onChange: () => {
        this.cards.followPinned();
        this.updateMap();
      }
    });
    this.minimap = new Minimap(ui, this.viewport);
    this.key = new Key(ui.key);
    this.cards = new Cards(state, ui, model, this.viewport, {
      decorate: (content, details) => this.compare.decorate(content, details),
      traceFrom: (element, direction) => this.trace.from(element, direction),
      unroll: (series, on) => this.drawing.unroll(series, on),
      openMember: (series, member, members) => this.drawing.openMember(series, member, members)
    });
    this.drawing = new Drawing(state, ui, model, this.viewport, this.messages, {
      attach: (how) => this.attach(how),
      hideHover: () => this.cards.hideHover(),
      unpin: () => this.cards.unpin(),
      markTrace: () => this.trace.mark(),
      showLegend: (svg) => this.whenPainted(() => {
        this.colouring.showLegend(svg);
        this.key.show(svg);
      }),
      learnOpCount: (graph) => this.listing.learnOpCount(graph),
      drawn: (boxes, shown, depth) => this.depth.shown(boxes, shown, depth)
    });
    this.depth = new Depth(state, ui, model, this.viewport, {
      show: (request2, placement) => this.show(request2, placement),
      area: () => sheetArea(this.viewport.size())
    });
    this.listing = new Listing(state, ui, model, this.messages, {
      selectGraph: (graph, request2) => this.selectGraph(graph, request2),
      setBase: (base) => this.setBase(base),
      noteMissingBase: (wanted, found) => this.noteMissingBase(wanted, found),
      graphsChanged: () => this.compare.fill(),
      graphShown: () => this.drawing.updateStatus()
    });
    this.search = new Search(state, ui, model, this.viewport, {
      show: (request2, placement) => this.show(request2, placement),
      markHighlight: () => this.drawing.markHighlight(),
      note: (text) => this.messages.noteFound(text)
    });
    this.trace = new Trace(state, ui, model, this.viewport, {
      show: (request2, placement) => this.show(request2, placement),
      unpin: () => this.cards.unpin(),
      byId: (id) => this.drawing.byId(id)
    });
    this.colouring = new Colouring(state, ui, model, {
      show: (request2, placement) => this.show(request2, placement)
    });
    this.banner = new Banner(ui.banner, model, {
      shown: (graph) => {
        if (!sameGraph(graph, state.shownGraph)) return;
        this.viewport.measure();
        this.viewport.overview();
      }
    });
    this.downloads = new Downloads(state, ui, model, {
      showError: (error, how) => this.messages.showError(error, how),
      area: () => sheetArea(this.viewport.size())
    });
  }
  async start() {
    this.listing.prefetchFirstView();
    const first = this.listing.load();
    followTheme();
    this.wire();
    await this.stylesheet;
    this.styled = true;
    if (this.state.svgText || this.messages.showing) this.attach();
    else this.attachTimer = setTimeout(() => this.attach(), SHELL_WAIT_MS);
    await first;
    for (const ms of EARLY_REFRESH_MS) setTimeout(() => this.listing.refresh(), ms);
    setInterval(() => this.listing.refresh(), REFRESH_GRAPHS_MS);
  }
  /**
   * Puts the tab on screen (once its stylesheet is in). With its first drawing, the sidebar's
   * contents and the status line follow a frame later (style.css, .sg-drawing-first): they cost
   * as much to lay out as a drawing. (Put on screen earlier, hidden, the sidebar's layout gets
   * in the way of the drawing's answer: measured slower.)
   */
  attach({ drawing = false } = {}) {
    if (this.attached || !this.styled) return;
    this.attached = true;
    clearTimeout(this.attachTimer);
    this.ui.root.classList.toggle("sg-drawing-first", drawing);
    document.documentElement.classList.add("sg-document");
    document.body.append(this.ui.root);
    this.viewport.measure();
    afterPaint(() => {
      this.painted = true;
      for (const fn of this.waiting.splice(0)) fn();
      this.takeKeys();
    });
  }
  /**
   * Runs `fn` now, or once the tab's first frame is painted: for what that frame does not
   * show (the sidebar's contents follow it, see attach), which took 5-20 ms of the first
   * drawing's way to the screen (bench/README.md).
   */
  whenPainted(fn) {
    if (this.painted) fn();
    else if (!this.waiting.includes(fn)) this.waiting.push(fn);
  }
  /** The overview map follows the view (drawn once after the first frame, see whenPainted). */
  updateMap() {
    if (this.minimap) this.whenPainted(this.mapLater);
  }
  /**
   * Focuses the drawing, so that its keys (F, +, -, /) work as soon as the tab is on screen
   * (TensorBoard's page keeps the focus outside the tab's frame until it is clicked), unless
   * the user is typing somewhere else, in the tab or in TensorBoard's page.
   */
  takeKeys() {
    const inner = document.activeElement;
    if (inner && inner !== document.body && inner !== document.documentElement) return;
    let outer = null;
    try {
      outer = window.parent !== window ? window.parent.document.activeElement : null;
    } catch {
    }
    while (outer && outer.shadowRoot && outer.shadowRoot.activeElement) {
      outer = outer.shadowRoot.activeElement;
    }
    if (outer && outer.closest && outer.closest("input, textarea, select, [contenteditable]"))
      return;
    this.ui.viewport.focus({ preventScroll: true });
  }
  /** Shows a view (drawing.js); settles once it is on screen or given up. */
  show(request2, placement) {
    return this.drawing.show(request2, placement);
  }
  // --- events ---
  wire() {
    const ui = this.ui;
    const viewport = this.viewport;
    this.listing.wire();
    ui.zoomIn.addEventListener("click", () => viewport.zoomBy(ZOOM_STEP, null, null, true));
    ui.zoomOut.addEventListener("click", () => viewport.zoomBy(1 / ZOOM_STEP, null, null, true));
    ui.fitButton.addEventListener("click", () => viewport.fit());
    this.depth.wire();
    ui.closeAllButton.addEventListener(
      "click",
      () => this.show({ open: [], depth: null }, { fit: true })
    );
    this.downloads.wire();
    this.search.wire();
    this.cards.wire();
    this.colouring.wire();
    this.trace.wire();
    ui.root.addEventListener("click", (e) => {
      const button = e.target.closest(".sg-message [data-action], .sg-loading [data-action]");
      if (button) this.onAction(button.dataset.action);
    });
    document.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("hashchange", () => this.onHashChange());
  }
  onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.closest && event.target.closest("input, select, textarea");
    if (event.key === "Escape") {
      this.search.clear();
      this.trace.clear();
      this.cards.unpin();
      if (typing) event.target.blur();
      return;
    }
    if (typing) return;
    if (event.key === "f" || event.key === "F") this.viewport.fit();
    else if (event.key === "+" || event.key === "=")
      this.viewport.zoomBy(ZOOM_STEP, null, null, true);
    else if (event.key === "-" || event.key === "_")
      this.viewport.zoomBy(1 / ZOOM_STEP, null, null, true);
    else if (event.key === "/") {
      event.preventDefault();
      this.ui.searchInput.focus();
    }
  }
  onAction(action) {
    switch (action) {
      case "reload-graphs":
        this.listing.load();
        break;
      case "retry":
        if (!this.drawing.retry()) this.listing.load();
        break;
      case "close-all":
        this.show({ open: [], depth: null }, { fit: true });
        break;
      case "back":
        this.messages.hideMessage();
        this.backToShown();
        break;
      case "default-view":
        this.show({ open: null, depth: null }, { fit: true });
        break;
      case "stop-comparing":
        this.compare.pick(null);
        break;
      case "cancel-retry":
        if (!this.drawing.cancelRetry()) {
          this.messages.hideMessage();
          this.backToShown();
        }
        break;
      case "cancel-render":
        this.model.cancelView();
        this.messages.setLoading(false);
        this.backToShown();
        break;
    }
  }
  onHashChange() {
    const state = this.state;
    const wanted = readLocation();
    const graph = this.listing.findGraph(wanted.graph);
    if (!graph) return;
    const same = wanted.open && sameOpen(wanted.open, state.open) && sameOpen(wanted.unroll, state.unrolled);
    const base = this.listing.findBase(wanted.base);
    this.noteMissingBase(wanted.base, base);
    if (sameGraph(graph, state.graph) && same && sameBase(base, state.base)) return;
    this.setBase(base);
    this.selectGraph(graph, wanted);
  }
  /** A click (or tap) on the drawing: opens or closes a group, or pins a box's card. */
  onTap(target, event) {
    if (!(target instanceof Element) || target.closest("[data-no-pan]")) return;
    const element = pick({ target, clientX: event.clientX, clientY: event.clientY });
    const point = event ? { x: event.clientX, y: event.clientY } : null;
    if (element && element.classList.contains("node")) {
      const box2 = parseElementId(element.id);
      if (!box2) return;
      if (GROUP_KINDS.includes(box2.kind) && event && event.shiftKey) this.cards.togglePin(element);
      else if (GROUP_KINDS.includes(box2.kind)) this.drawing.openGroup(box2, element);
      else if (box2.kind === "op") this.cards.togglePin(element);
      return;
    }
    if (element && element.classList.contains("cluster")) {
      const group = parseClusterId(element.id);
      if (group && event && event.shiftKey) this.cards.togglePin(element);
      else if (group) this.drawing.closeGroup(group, element, point);
      return;
    }
    this.cards.unpin();
  }
  // --- the graph shown and its base ---
  /** Shows `graph`: the view `request` ({open, depth}) asks for, else the one remembered. */
  selectGraph(graph, request2) {
    if (!sameGraph(graph, this.state.graph)) {
      this.setGraph(graph);
      this.state.highlightId = null;
      this.state.unrolled = /* @__PURE__ */ new Set();
      this.cards.unpin();
      this.search.clear();
      this.trace.clear();
    }
    if (!request2) request2 = { open: rememberedOpen(graph), depth: null };
    this.show(request2, { overview: true, fromLink: true });
  }
  /** Makes `graph` the picked one. */
  setGraph(graph) {
    this.listing.setGraph(graph);
    this.banner.follow(graph);
    afterPaint(() => this.colouring.check(graph));
    if (this.state.base) this.compare.refreshCounts();
  }
  /**
   * Compares the graph shown with `base` from now on (null: shows the graph alone). Traces and
   * the colour picker are for a single graph: a comparison clears the trace and disables both.
   */
  setBase(base) {
    const state = this.state;
    if (sameBase(base, state.base)) return;
    state.base = base;
    if (base) this.trace.clear();
    this.ui.colourSelect.disabled = Boolean(base);
    if (state.graph) this.compare.fill();
    this.compare.refreshCounts();
  }
  /** The comparison picked ("Compare with…"): the default view of the diff, or of the graph. */
  compareWith(base) {
    this.listing.cancelPendingLink();
    this.setBase(base);
    this.cards.unpin();
    this.show({ open: null, depth: null }, { overview: true });
  }
  /** A link's base that is not listed (its run is gone): say so, as the graph shows alone. */
  noteMissingBase(wanted, found) {
    if (!wanted || found) {
      this.compare.notify("");
      return;
    }
    const tag = wanted.tag && !wanted.tag.startsWith("__") ? ` · ${wanted.tag}` : "";
    this.compare.notify(
      `The link compares with ${wanted.run}${tag}, which is not listed; showing the graph alone until TensorBoard has read it.`
    );
  }
  /** After a cancelled or failed view: the pickers and state follow the drawing on screen. */
  backToShown() {
    const state = this.state;
    if (state.shownGraph && !sameGraph(state.shownGraph, state.graph)) {
      this.setGraph(state.shownGraph);
    }
    if (state.shownGraph && !sameBase(state.shownBase, state.base)) this.setBase(state.shownBase);
    this.messages.setState(state.svgText ? "ready" : "error");
  }
};

// index.js
performance.mark("scopegraph:boot");
var inline = typeof SCOPEGRAPH_INLINE === "object" ? SCOPEGRAPH_INLINE : {};
var rendered = false;
async function render() {
  if (rendered) return;
  rendered = true;
  const stylesheet = inline.style != null ? addStyle(inline.style) : loadStylesheet();
  const first = firstVisit();
  const answer = inline.first;
  const model = new Model(answer ? { answer, firstVisit: first } : startListing(first));
  const tab = new Tab(model, { stylesheet });
  await tab.start();
}
function startListing(firstVisit2) {
  const first = `./first?${addArea(new URLSearchParams(), sheetArea())}`;
  const init = { credentials: "same-origin", headers: clientHeaders() };
  const started = fetch(firstVisit2 ? first : "./graphs", init);
  started.catch(() => {
  });
  return firstVisit2 ? { first: started } : { graphs: started };
}
function loadStylesheet() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("static/style.css", document.baseURI).href;
  const loaded = new Promise((resolve) => {
    link.addEventListener("load", resolve, { once: true });
    link.addEventListener("error", resolve, { once: true });
    setTimeout(resolve, 3e3);
  });
  document.head.append(link);
  return loaded;
}
export {
  render
};
