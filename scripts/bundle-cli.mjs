// Builds the `gilbert` start-up path over tsc's dist/ (issue 3: `gilbert ls`
// within 30 ms of `node -e 0`):
//   dist/cli/gilbert.cjs        the CLI and everything it imports, one minified
//                               CommonJS file (lazily imported commands stay
//                               lazily evaluated; CommonJS loads synchronously,
//                               where each ES module costs an async read)
//   dist/cli/gilbert.cjs.cache  V8 code cache recorded while running one task
//   dist/cli/main.js            scripts/cli-entry.cjs, which loads the two
//   dist/cli/package.json       makes that entry CommonJS (cheaper to start)
// The rest of dist/ stays tsc's output: the library entry, `gilbert-ts/sdk`,
// and the files located by path (worker entry, go-shim, build-info.json).
//
// `node scripts/bundle-cli.mjs [distDir]` (default dist/; another copy lets builds be compared).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src');
const cliSrcDir = path.join(srcDir, 'cli');
const outdir = path.join(path.resolve(process.argv[2] ?? path.join(root, 'dist')), 'cli');
const bundle = path.join(outdir, 'gilbert.cjs');
const entry = path.join(outdir, 'main.js');

// Native addons, packages with their own loaders, and file watchers load from
// node_modules as they are, and only for the commands that need them.
const external = ['koffi', 'tsx', 'tsx/*', 'chokidar', 'detect-libc'];

/**
 * import() cannot run inside a vm.Script (Node 20 needs an experimental
 * loader option, which code-cached functions lose): imports of packages and
 * plugin files go through the entry's own import(), passed in as
 * __gilbertImport. Relative imports are bundled and stay lazy.
 *
 * Every bundled module keeps the import.meta.url it has under tsc, so that
 * lookups relative to it (package root, go-shim, worker entry,
 * build-info.json, the host SDK for TS plugins) find the same files.
 */
const moduleContext = {
  name: 'module-context',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8').replace(/^#!.*/, '').replace(/\bawait import\((?!\s*['"]\.)/g, 'await __gilbertImport(');
      if (!args.path.startsWith(srcDir + path.sep) || !source.includes('import.meta')) return { contents: source, loader: 'ts' };
      if (/import\.meta(?!\.url\b|\.resolve\()/.test(source)) throw new Error(`${args.path}: an import.meta use the bundle cannot keep`);
      const relative = path.relative(cliSrcDir, args.path).replace(/\.ts$/, '.js').split(path.sep).join('/');
      const moduleUrl = `new URL(${JSON.stringify(relative)}, require("node:url").pathToFileURL(__filename)).href`;
      source = source
        .replaceAll('import.meta.resolve(', `((specifier) => new URL(specifier, ${moduleUrl}).href)(`)
        .replaceAll('import.meta.url', `(${moduleUrl})`);
      return { contents: source, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [path.join(cliSrcDir, 'main.ts')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true, // error names (GilbertError subclasses) and stacks of bugs stay readable
  sourcemap: 'linked',
  external,
  plugins: [moduleContext],
  logLevel: 'warning',
});
if (/\bimport\(/.test(readFileSync(bundle, 'utf8'))) throw new Error(`${bundle}: an import() left in the bundle would fail inside vm.Script; use \`await import(\``);
// tsc's dist/cli/ modules are all in the bundle; as ES modules they could not load under the CommonJS package.json
for (const name of readdirSync(outdir)) if (!name.startsWith('gilbert.cjs')) rmSync(path.join(outdir, name));
writeFileSync(path.join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
copyFileSync(path.join(root, 'scripts', 'cli-entry.cjs'), entry);
chmodSync(entry, 0o755);
recordCodeCache();

/**
 * Runs a one-job shell task through the entry (manifest, scope, runner and
 * shell action: the code every `run` and `ls` needs) and keeps what V8
 * compiled. Done in a child so that the cache matches a plain `node` start.
 */
function recordCodeCache() {
  rmSync(`${bundle}.cache`, { force: true });
  const project = mkdtempSync(path.join(os.tmpdir(), 'gilbert-code-cache-'));
  try {
    writeFileSync(path.join(project, 'gilbert.yaml'), 'version: "1.0"\ntasks:\n  warm:\n  - action: shell\n    params:\n      command: "true"\n');
    const record = `globalThis[Symbol.for('gilbert.recordCodeCache')] = true; process.argv.splice(1, Infinity, ${JSON.stringify(entry)}, 'run', 'warm'); await import(${JSON.stringify(pathToFileURL(entry).href)});`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', record], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (result.status !== 0) throw new Error(`recording the code cache failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
