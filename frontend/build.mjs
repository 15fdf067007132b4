// Bundles the tab with esbuild (`npm run build`) into two files, written beside this script (or
// into the folder given as the first argument; `--inputs` after it prints the modules bundled,
// as JSON):
//
// - bundle.js, from index.js and the modules it imports, minified: the tab's one module, which
//   TensorBoard loads through the plugin's `tab.js` route (with a statement put before it) and
//   calls render() on. Minified (40 KB gzipped, against 63 KB), it reaches the page as soon as
//   a module of a few lines does; the main thread's work to run it is the same
//   (bench/README.md). The sources are the modules beside this script;
// - style.css, from style/index.css and the part files it imports, in its order: the tab's one
//   stylesheet, which the `tab.js` route carries inline (or the tab loads as static/style.css).
//
// One module, not a small first one that shows a drawing while the tab is fetched: the tab's
// first drawing came 50-73 ms sooner without that first module (bench/README.md).

import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] || here);
const printInputs = process.argv.includes('--inputs');

const common = {
  absWorkingDir: here,
  bundle: true,
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
};

const [tab, style] = await Promise.all([
  build({
    ...common,
    entryPoints: ['index.js'],
    format: 'esm',
    target: 'es2020',
    minify: true,
    metafile: printInputs,
  }),
  build({...common, entryPoints: ['style/index.css']}),
]);

await mkdir(outdir, {recursive: true});
await writeFile(path.join(outdir, 'bundle.js'), tab.outputFiles[0].contents);
await writeFile(path.join(outdir, 'style.css'), style.outputFiles[0].contents);
if (printInputs) process.stdout.write(JSON.stringify(Object.keys(tab.metafile.inputs)));
