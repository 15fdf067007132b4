// Bundles the tab's ES modules with esbuild (`npm run build`) into three files, written beside
// this script (or into the folder given as the one argument):
//
// - boot.bundle.js, from boot.js: what TensorBoard loads first, through the plugin's `tab.js`
//   route (at the plugin's route prefix, with a statement put before it);
// - bundle.js, from index.js: the tab itself, which boot.js imports as `static/bundle.js`;
// - shared.js: the modules both import (views, viewport, theme, location, ids), fetched once
//   and run once for both.
//
// The two entries are served from different folders (`tab.js` at the route prefix, the rest
// under `static/`), so esbuild is told that layout and writes each import of shared.js
// relative to where its importer is served: `./static/shared.js` in boot.bundle.js,
// `./shared.js` in bundle.js. All three files then go in one folder, as the `static/` route
// serves them.

import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] || here);
// Where the plugin's routes are, as esbuild sees them (nothing is written there).
const served = path.join(here, 'served');

const result = await build({
  absWorkingDir: here,
  entryPoints: [
    {in: 'boot.js', out: 'boot.bundle'},
    {in: 'index.js', out: 'static/bundle'},
  ],
  // One chunk: what both entries import. A second one would take the same name, and esbuild
  // would refuse to write two files to one path.
  chunkNames: 'static/shared',
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2020',
  charset: 'utf8',
  outdir: served,
  write: false,
  logLevel: 'warning',
});

await mkdir(outdir, {recursive: true});
for (const file of result.outputFiles) {
  await writeFile(path.join(outdir, path.basename(file.path)), file.contents);
}
