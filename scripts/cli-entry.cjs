#!/usr/bin/env node
// dist/cli/main.js: starts the CLI bundle (gilbert.cjs, built by
// scripts/bundle-cli.mjs) with the V8 code cache `make build` wrote beside
// it, so that commander, js-yaml and the manifest loader are not compiled
// again on every start (Node 20 has no module.enableCompileCache). A missing
// or rejected cache (another Node or V8 flags) only costs the compile time.
// V8 checks the cache against the source's length, not its text: the two
// files must come from the same scripts/bundle-cli.mjs run (it always does both).
// CommonJS (dist/cli/package.json): an ES module entry costs ~15 ms more.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, 'gilbert.cjs');
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
const bundleModule = { exports: {} };
// import() inside a vm.Script needs an experimental loader option in Node 20; the bundle imports packages and plugins through this module's.
script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, __dirname, (specifier) => import(specifier));
