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
const require = createRequire(bundle);
// Without this loader option (Node < 20.12), import() in a vm.Script throws; plain require() still works.
const mainContextLoader = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

if (mainContextLoader === undefined) {
  require(bundle);
} else {
  let cachedData;
  try {
    cachedData = readFileSync(`${bundle}.cache`);
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData, importModuleDynamically: mainContextLoader });
  const module = { exports: {} };
  // scripts/bundle-cli.mjs sets this while it runs one command to record what it compiled
  if (globalThis[Symbol.for('gilbert.recordCodeCache')] === true) process.once('exit', () => writeFileSync(`${bundle}.cache`, script.createCachedData()));
  script.runInThisContext()(module.exports, require, module, bundle, path.dirname(bundle));
}
