#!/usr/bin/env node
// dist/cli/main.js: starts the CLI bundle (gilbert.cjs, built by
// scripts/bundle-cli.mjs) with the V8 code cache `make build` wrote beside
// it, so that commander, js-yaml and the manifest loader are not compiled
// again on every start (Node 20 has no module.enableCompileCache). A missing
// or rejected cache (another Node or V8 flags) only costs the compile time.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('./gilbert.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(`${bundle}.cache`);
} catch {
  cachedData = undefined;
}
const wrapped = `(function (exports, require, module, __filename, __dirname, __gilbertImport) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new vm.Script(wrapped, { filename: bundle, cachedData });
// scripts/bundle-cli.mjs sets this while it runs one command to record what V8 compiled
if (globalThis[Symbol.for('gilbert.recordCodeCache')] === true) process.once('exit', () => writeFileSync(`${bundle}.cache`, script.createCachedData()));
const module = { exports: {} };
// import() inside a vm.Script needs an experimental loader option in Node 20; the bundle imports packages and plugins through this module's.
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle), (specifier) => import(specifier));
