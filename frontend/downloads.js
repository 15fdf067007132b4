// Downloads of the view on screen: SVG, PNG and DOT from the server's `export` route, named
// after the graph (and its base); a PNG the server cannot make is drawn from the SVG here.

export class Downloads {
  /** `state`: the tab's (see state.js), read only. `calls`: showError(error, {title, actions}). */
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
    if (!state.graph) return;
    const button = this.ui.downloads[fmt];
    button.disabled = true;
    // run-kind[-tag][-stepN]: the kind tells the op graph and the Profile of one tag apart.
    const side = (g) =>
      `${g.run}-${g.kind}` +
      (g.tag && !g.tag.startsWith('__') ? `-${g.tag}` : '') +
      (g.step != null ? `-step${g.step}` : '');
    const base = state.base ? `-diff-${side(state.base)}` : '';
    const name = safeFilename(`${side(state.graph)}${base}`);
    try {
      let blob;
      try {
        const view = {open: [...state.open], depth: null, base: state.base, colour: state.colour};
        blob = await this.model.export(state.graph, view, fmt);
      } catch (error) {
        // No PNG from the server (an older plugin, or Graphviz without cairo): draw our SVG.
        if (fmt !== 'png' || !state.svgText || error.timeout) throw error;
        blob = await rasterize(state.svgText);
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

/** A PNG of the SVG text at twice its natural size (capped), drawn through a canvas. */
function rasterize(svgText) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], {type: 'image/svg+xml'}));
    const image = new Image();
    image.onload = () => {
      const scale = Math.min(2, 16000 / Math.max(image.naturalWidth, image.naturalHeight, 1));
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
