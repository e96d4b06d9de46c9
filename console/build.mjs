// Builds the console bundle, console/dist/console.js, from console/src with the pinned esbuild
// and Preact of tools/node, and its licence notice console/dist/console.licenses.txt.
// Run: node console/build.mjs (or `npm run build-console` in tools/node). The output is
// committed, so building CXCo needs neither node nor the network; `--check` fails if the
// committed files differ from what the sources build to.
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const tools = join(here, '..', 'tools', 'node');
const require = createRequire(join(tools, 'package.json'));
const esbuild = require('esbuild');
const check = process.argv.includes('--check');

const result = await esbuild.build({
  entryPoints: [join(here, 'src', 'main.jsx')],
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  nodePaths: [join(tools, 'node_modules')],
  write: false,
  logLevel: 'warning',
});
const js = result.outputFiles[0].text;

const pkg = (name) => JSON.parse(require('node:fs').readFileSync(join(tools, 'node_modules', name, 'package.json'), 'utf8'));
const preact = pkg('preact');
const licences =
  `The CXCo console (console.js) bundles these libraries:\n\n` +
  `preact ${preact.version} (${preact.license}), https://preactjs.com\n\n` +
  (await readFile(join(tools, 'node_modules', 'preact', 'LICENSE'), 'utf8'));

const outputs = [
  [join(here, 'dist', 'console.js'), js],
  [join(here, 'dist', 'console.licenses.txt'), licences],
];
let stale = false;
for (const [path, content] of outputs) {
  if (check) {
    let old = '';
    try {
      old = await readFile(path, 'utf8');
    } catch {
      // missing
    }
    if (old !== content) {
      console.error(`${path} is not what console/src builds to: run 'node console/build.mjs' and commit it`);
      stale = true;
    }
  } else {
    await writeFile(path, content);
  }
}
if (stale) process.exit(1);
if (!check) console.log(`console/dist/console.js: ${js.length} bytes`);
