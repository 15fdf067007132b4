// Bundles the tab's ES modules with esbuild (`npm run build`) into two files, written beside
// this script (or into the folder given as the one argument):
//
// - boot.bundle.js, from boot.js and the modules it imports (views, viewport, theme, location):
//   what TensorBoard loads first, through the plugin's `tab.js` route (at the plugin's route
//   prefix, with a statement put before it). It exports those modules' names as well as
//   render();
// - bundle.js, from index.js: the tab itself, which boot.js imports as `static/bundle.js`. It
//   takes those same modules from `../tab.js`, the module TensorBoard loaded and boot.js runs
//   in: one copy of them, already run, nothing more to fetch.
//
// esbuild's code splitting would share them through a chunk of their own, which boot.js then
// waits for before it can draw: a request after the module's, measured at 13-38 ms (median,
// demo graphs, bench_browser.py) on the way to the first drawing.

import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] || here);
// Where bundle.js (served under static/) finds boot.bundle.js (served as the route prefix's
// tab.js, the URL TensorBoard imports it from).
const BOOT_FROM_TAB = '../tab.js';

const common = {
  absWorkingDir: here,
  bundle: true,
  format: 'esm',
  target: 'es2020',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
};

// The modules boot.js imports, directly or not: what the two bundles share.
const {metafile} = await build({...common, entryPoints: ['boot.js'], metafile: true});
const shared = Object.keys(metafile.inputs).filter((input) => input !== 'boot.js');

const boot = await build({
  ...common,
  stdin: {
    contents: [
      "export {render} from './boot.js';",
      ...shared.map((input) => `export * from './${input}';`),
    ].join('\n'),
    resolveDir: here,
    sourcefile: 'boot.bundle.js',
  },
});

const sharedPaths = new Set(shared.map((input) => path.join(here, input)));
const tab = await build({
  ...common,
  entryPoints: ['index.js'],
  plugins: [
    {
      name: 'shared-from-boot',
      setup(esbuild) {
        esbuild.onResolve({filter: /^\./}, (args) =>
          sharedPaths.has(path.join(args.resolveDir, args.path))
            ? {path: BOOT_FROM_TAB, external: true}
            : undefined
        );
      },
    },
  ],
});

await mkdir(outdir, {recursive: true});
await writeFile(path.join(outdir, 'boot.bundle.js'), boot.outputFiles[0].contents);
await writeFile(path.join(outdir, 'bundle.js'), tab.outputFiles[0].contents);
