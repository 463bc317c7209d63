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
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * When the shim and the example Go plugin are built (`make build` builds
 * them first), the task also calls the plugin, so that the plugin loader, the
 * ABI check and the bridge are in the cache too (~9 ms of compiling in a run
 * using a Go plugin); should that run fail (a stale plugin built by another
 * Go), the shell-only run is recorded.
 */
function recordCodeCache() {
  const shim = path.join(root, 'go-shim', 'build', 'libgilbert_shim.so');
  const plugin = path.join(root, 'examples', 'hello', 'plugin', 'build', 'gilbert-plugin-example.so');
  const withPlugin = existsSync(shim) && existsSync(plugin);
  if (!(withPlugin && recordRun(plugin, shim))) recordRun();
}

/** One recording run; false when it failed (with a plugin), throws when the shell-only run fails. */
function recordRun(plugin, shim) {
  rmSync(`${bundle}.cache`, { force: true });
  const project = mkdtempSync(path.join(os.tmpdir(), 'gilbert-code-cache-'));
  try {
    const jobs = ['tasks:', '  warm:', '  - action: shell', '    params:', '      command: "true"'];
    if (plugin) jobs.push('  - action: "example-plugin:hello-world"', '    params:', '      message: warm');
    writeFileSync(path.join(project, 'gilbert.yaml'), ['version: "1.0"', ...(plugin ? ['plugins:', `  - ${pathToFileURL(plugin).href}`] : []), ...jobs].join('\n') + '\n');
    const record = `globalThis[Symbol.for('gilbert.recordCodeCache')] = true; process.argv.splice(1, Infinity, ${JSON.stringify(entry)}, 'run', 'warm'); await import(${JSON.stringify(pathToFileURL(entry).href)});`;
    // a private plugin storage, and no toolchain or module downloads: a plugin needing a shim build fails fast instead
    const env = { ...process.env, NO_COLOR: '1', ...(plugin ? { GILBERT_SHIM: shim, GILBERT_HOME: path.join(project, '.gilbert'), GOTOOLCHAIN: 'local', GOPROXY: 'off' } : {}) };
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', record], { cwd: project, encoding: 'utf8', env });
    if (result.status === 0) return true;
    if (plugin) return false;
    throw new Error(`recording the code cache failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
