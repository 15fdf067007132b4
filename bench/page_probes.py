"""What the browser benchmarks run inside TensorBoard's page: `PAGE_JS`, added to every page
(finding elements through shadow roots and frames, timing a switch or a step in animation
frames, picking what a step clicks), and the tests of when each tab's drawing is there."""

# Shared page-side helpers: find elements through open shadow roots and same-origin frames,
# time a switch or a step, pick what a step clicks.
PAGE_JS = r"""
window.__bench = {
  deepAll(selector, root = document) {
    const out = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) out.push(...this.deepAll(selector, el.shadowRoot));
    }
    return out;
  },
  tab(label) {
    const want = label.trim().toLowerCase();
    return this.deepAll('[role=tab]').find((t) => t.textContent.trim().toLowerCase() === want);
  },
  // The probes below run in every animation frame of a timed step, on the main thread the
  // tabs draw on: each keeps what it found, and looks where TensorBoard puts it (our iframe
  // in the light DOM; its Graphs tab's scene in tf-graph-dashboard's shadow tree) before
  // searching every shadow tree of the page (about 1.5 ms) every tenth call only.
  _everyTenth(name) {
    this._calls = this._calls || {};
    this._calls[name] = (this._calls[name] || 0) + 1;
    return this._calls[name] % 10 === 0;
  },
  _isOurs(frame) {
    try {
      return !!(frame.contentDocument && frame.contentDocument.querySelector('.sg-app'));
    } catch (e) { return false; /* another origin */ }
  },
  // Our tab's iframe, or null.
  ours() {
    if (this._ours && this._ours.isConnected && this._isOurs(this._ours)) return this._ours;
    this._ours = null;
    const frames = [...document.getElementsByTagName('iframe')];
    if (this._everyTenth('ours')) frames.push(...this.deepAll('iframe'));
    return (this._ours = frames.find((frame) => this._isOurs(frame)) || null);
  },
  // TensorBoard's Graphs tab's scene (tf-graph-scene, with its shadow tree), or null.
  scene() {
    if (this._scene && this._scene.isConnected) return this._scene;
    const dashboard = document.querySelector('tf-graph-dashboard');
    let scene = dashboard && dashboard.shadowRoot
      ? this.deepAll('tf-graph-scene', dashboard.shadowRoot)[0] : null;
    if (!scene && this._everyTenth('scene')) scene = this.deepAll('tf-graph-scene')[0];
    return (this._scene = scene && scene.shadowRoot ? scene : null);
  },
  // Start the clock at the next pointerdown in this page or a frame of it (the real click,
  // sent by Playwright: Angular Material ignores synthetic clicks), or at once with
  // `now`; stop it at the first animation frame where `ready(arg)` holds; `this.result`
  // resolves with the milliseconds.
  arm(ready, limitMs, arg, now = false) {
    this.result = new Promise((resolve) => {
      const begin = () => {
        const start = (this.start = performance.now());
        const poll = () => {
          const t = performance.now();
          let ok = false;
          try { ok = ready(arg); } catch (e) { ok = false; }
          if (ok) return resolve({ms: t - start});
          if (t - start > limitMs) return resolve({timeout: true, ms: t - start});
          requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      };
      if (now) return begin();
      let begun = false;
      const once = () => { if (!begun) { begun = true; begin(); } };
      const windows = [window];
      for (const frame of this.deepAll('iframe')) {
        try { if (frame.contentWindow.document) windows.push(frame.contentWindow); } catch (e) {}
      }
      for (const w of windows) w.addEventListener('pointerdown', once, {capture: true, once: true});
    });
  },
  // Requests made since the clock started, in ms from it: where the time went.
  timeline() {
    const rows = [];
    const add = (win) => {
      const shift = win.performance.timeOrigin - performance.timeOrigin - this.start;
      for (const e of win.performance.getEntriesByType('resource')) {
        const begin = e.startTime + shift;
        if (begin < 0) continue;
        const url = new URL(e.name);
        rows.push({url: url.pathname.replace(/^.*\/data\/plugin\//, '') + url.search.slice(0, 80),
                   start: Math.round(begin), end: Math.round(e.responseEnd + shift),
                   bytes: e.encodedBodySize});
      }
    };
    add(window);
    for (const frame of this.deepAll('iframe')) {
      try { add(frame.contentWindow); } catch (e) { /* another origin */ }
    }
    return rows.sort((a, b) => a.start - b.start);
  },
  // Our tab's performance marks (index.js, tab.js), in ms from the click.
  marks() {
    const frame = this.ours();
    if (!frame) return {};
    const win = frame.contentWindow;
    const shift = win.performance.timeOrigin - performance.timeOrigin - this.start;
    const out = {};
    for (const m of win.performance.getEntriesByType('mark')) {
      if (m.name.startsWith('scopegraph:')) out[m.name.slice(11)] = Math.round(m.startTime + shift);
    }
    return out;
  },
  // Our tab at rest: a view drawn, nothing loading, the drawing not gliding.
  oursStill() {
    const frame = this.ours();
    const doc = frame && frame.contentDocument;
    const svg = doc && doc.querySelector(".sg-app[data-state='ready'] svg.sg-graph");
    if (!svg || svg.style.transform) { this._still = 0; return false; }
    const box = svg.getAttribute('viewBox');
    this._still = box === this._lastBox ? (this._still || 0) + 1 : 0;
    this._lastBox = box;
    return this._still >= 5;
  },
  // The closed group in view with the most ops (the `index`-th most, so that each run opens
  // one not laid out before): {id, ops, x, y} in page pixels, or null.
  pickGroup(index) {
    const frame = this.ours();
    const doc = frame.contentDocument;
    const at = frame.getBoundingClientRect();
    const vp = doc.querySelector('.sg-viewport').getBoundingClientRect();
    const found = [];
    for (const node of doc.querySelectorAll('svg.sg-graph g.node')) {
      if (!/^(scope|series|chunk)-/.test(node.id)) continue;
      const r = node.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (x < vp.left + 8 || x > vp.right - 8 || y < vp.top + 8 || y > vp.bottom - 8) continue;
      const hit = doc.elementFromPoint(x, y);
      if (!hit || hit.closest('g.node') !== node) continue;
      const text = [...node.querySelectorAll('text')].map((t) => t.textContent).join(' ');
      const m = text.match(/([\d,]+)\s+ops?\b/);
      found.push({id: node.id, ops: m ? Number(m[1].replace(/,/g, '')) : 0,
                  x: at.left + x, y: at.top + y});
    }
    found.sort((a, b) => b.ops - a.ops || (a.id < b.id ? -1 : 1));
    return found.length ? {...found[index % found.length], of: found.length} : null;
  },
  // The middle of box `id` (our tab), in page pixels, or null.
  boxPoint(id) {
    const frame = this.ours();
    const node = frame.contentDocument.querySelector(`svg.sg-graph [id="${id}"]`);
    if (!node) return null;
    const at = frame.getBoundingClientRect();
    const r = node.getBoundingClientRect();
    return {x: at.left + r.left + r.width / 2, y: at.top + r.top + r.height / 2};
  },
  // A point on the frame of open group `id` (its top edge, which closes it), in page pixels.
  framePoint(id) {
    const frame = this.ours();
    const doc = frame.contentDocument;
    const at = frame.getBoundingClientRect();
    const cluster = doc.querySelector(`svg.sg-graph [id="cluster-${id}"]`);
    if (!cluster) return null;
    const r = cluster.getBoundingClientRect();
    // Straight in the cluster: the tab drops Graphviz's <g><a> tooltip wrappers.
    const texts = [...cluster.querySelectorAll(':scope > text')];
    const points = [[r.left + r.width / 2, r.top + 3], [r.left + 20, r.top + 3]];
    if (texts.length) {
      const t = texts[0].getBoundingClientRect();
      points.push([t.left + t.width / 2, t.top + t.height / 2]);
    }
    for (const [x, y] of points) {
      const hit = doc.elementFromPoint(x, y);
      if (hit && hit.closest('g.node, g.edge, g.cluster') === cluster) {
        return {x: at.left + x, y: at.top + y};
      }
    }
    return null;
  },
  // The metanode of TensorBoard's drawing with the most ops: {name, ops}.
  pickMetanode() {
    const scene = this.scene();
    let best = null;
    for (const g of scene.shadowRoot.querySelectorAll('g.node.meta')) {
      const name = g.getAttribute('data-name');
      let ops = 0;
      try { ops = scene.renderHierarchy.getRenderNodeByName(name).node.cardinality; } catch (e) {}
      if (!best || ops > best.ops) best = {name, ops};
    }
    return best;
  },
  // Starts the clock and clicks metanode `name`'s expand/collapse button.
  toggleMetanode(name, ready, limitMs) {
    const scene = this.scene();
    const sel = `g.node.meta[data-name="${CSS.escape(name)}"] > .nodeshape > .buttoncontainer`;
    const button = scene.shadowRoot.querySelector(sel);
    this.arm(ready, limitMs, name, true);
    button.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
  },
};
"""

# TensorBoard's Graphs tab: its scene has drawn node groups.
TENSORBOARD_READY = """() => {
  const scene = window.__bench.scene();
  return !!(scene && scene.shadowRoot.querySelector('svg g.node'));
}"""

# Our tab: inside its iframe, the drawn view's SVG with its boxes.
SCOPEGRAPH_READY = """() => {
  const frame = window.__bench.ours();
  return !!(frame && frame.contentDocument.querySelector('svg g.node'));
}"""

# Our tab: the tab's own drawing (svg.sg-graph), the one that answers hover and clicks.
OURS_OWN = """() => {
  const frame = window.__bench.ours();
  return !!(frame && frame.contentDocument.querySelector('svg.sg-graph g.node'));
}"""

# The floor's tab (floor_plugin.py): inside an iframe, its one box.
FLOOR_READY = """() => {
  for (const frame of document.getElementsByTagName('iframe')) {
    try { if (frame.contentDocument.querySelector('svg.sg-floor g.node')) return true; }
    catch (e) { /* another origin */ }
  }
  return false;
}"""

# TensorBoard: metanode `name` drawn expanded, with nodes inside; or drawn collapsed.
TB_EXPANDED = """(name) => {
  const root = window.__bench.scene().shadowRoot;
  const sel = `g.node.meta.expanded[data-name="${CSS.escape(name)}"] g.node`;
  return !!root.querySelector(sel);
}"""
TB_COLLAPSED = """(name) => {
  const root = window.__bench.scene().shadowRoot;
  const node = root.querySelector(`g.node.meta[data-name="${CSS.escape(name)}"]`);
  return !!node && !node.classList.contains('expanded');
}"""

# Our tab: a drawing put on screen since the click (the root counts them in data-shown) that
# shows group `id` open, or closed.
OURS_OPENED = """({id, shown}) => {
  const doc = window.__bench.ours().contentDocument;
  if (doc.querySelector('.sg-app').dataset.shown === shown) return false;
  const svg = doc.querySelector('svg.sg-graph');
  return !!svg && !!svg.querySelector(`[id="cluster-${id}"]`);
}"""
OURS_CLOSED = """({id, shown}) => {
  const doc = window.__bench.ours().contentDocument;
  if (doc.querySelector('.sg-app').dataset.shown === shown) return false;
  const svg = doc.querySelector('svg.sg-graph');
  return !!svg && !!svg.querySelector(`g.node[id="${id}"]`);
}"""
