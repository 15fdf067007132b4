// Downloads of the view on screen, named after the graph (and its base): its SVG as the tab
// shows it, with a caption naming the run and graph (caption.js; a diff's drawing has its
// own); a PNG of that SVG drawn here at twice its natural size, as a 2x screen shows it (the
// server's PNG is Graphviz's, at 1x and without the caption); the DOT from the server's
// `export` route.

import {captionText, withCaption} from './caption.js';

/** How many device pixels a PNG has per CSS pixel of the drawing's natural size. */
export const PNG_SCALE = 2;
// Canvases larger than this on a side fail in some browsers: a huge drawing is drawn smaller.
const MAX_CANVAS_SIDE = 16000;

export class Downloads {
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
      button.addEventListener('click', () => this.download(fmt));
    }
  }

  async download(fmt) {
    const state = this.state;
    const graph = state.shownGraph;
    if (!graph || !state.svgText) return;
    const base = state.shownBase;
    const button = this.ui.downloads[fmt];
    button.disabled = true;
    // run-kind[-tag][-stepN]: the kind tells the op graph and the Profile of one tag apart.
    const side = (g) =>
      `${g.run}-${g.kind}` +
      (g.tag && !g.tag.startsWith('__') ? `-${g.tag}` : '') +
      (g.step != null ? `-step${g.step}` : '');
    const name = safeFilename(`${side(graph)}${base ? `-diff-${side(base)}` : ''}`);
    try {
      let blob;
      if (fmt === 'dot') {
        const area = this.calls.area();
        const view = {open: [...state.open], depth: null, base, colour: state.colour, area};
        view.unroll = [...state.unrolled];
        blob = await this.model.export(graph, view, fmt);
      } else {
        const svg = base ? state.svgText : withCaption(state.svgText, captionText(graph));
        blob = fmt === 'png' ? await rasterize(svg) : new Blob([svg], {type: 'image/svg+xml'});
      }
      saveBlob(blob, `${name}.${fmt}`);
    } catch (error) {
      this.calls.showError(error, {
        title: `Could not download the ${fmt.toUpperCase()}`,
        actions: [{label: 'OK', action: 'back', primary: true}],
      });
    } finally {
      button.disabled = false;
    }
  }
}

function safeFilename(text) {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'graph';
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A PNG of the SVG text at PNG_SCALE times its natural size (capped), drawn on a canvas. */
function rasterize(svgText) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], {type: 'image/svg+xml'}));
    const image = new Image();
    image.onload = () => {
      const largest = Math.max(image.naturalWidth, image.naturalHeight, 1);
      const scale = Math.min(PNG_SCALE, MAX_CANVAS_SIDE / largest);
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('The browser could not make a PNG.'))),
        'image/png'
      );
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('The browser could not draw the SVG.'));
    };
    image.src = url;
  });
}
