import type { Hash } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from '../../system/crypto.js';
import { PluginError } from '../../errors.js';
import { readGoBuildInfo } from '../abi/buildinfo.js';
import { fileExists, goPluginCachePath, prepareProjectPluginDirectory, projectPluginDirectory, sweepStaleTemporaries, verifyCachedFile, writeAtomically } from '../cache.js';
import { runGoCommand } from '../go-command.js';
import { buildProgress, type BuildProgress } from './progress.js';
import type { GoBuildSettings, PluginArtifact, SourceContext } from './types.js';

/** Until a shim says otherwise: the toolchain on PATH, no VCS stamping (source trees are often not repositories). */
export const defaultGoBuild: GoBuildSettings = { goCommand: 'go', env: { GOFLAGS: '-buildvcs=false' }, flags: [] };

/** Runs `go build -buildmode=plugin` in `packageDirectory`, writing `output`; throws with the compiler output on failure. */
export async function buildGoPlugin(
  packageDirectory: string,
  output: string,
  settings: GoBuildSettings,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv,
  progress?: BuildProgress,
): Promise<void> {
  const args = ['build', '-buildmode=plugin', ...settings.flags, '-o', output, '.'];
  const { status, startError, output: compilerOutput } = await runGoCommand(settings.goCommand, args, {
    cwd: packageDirectory,
    env: { ...env, CGO_ENABLED: '1', ...settings.env },
    signal,
    onOutput: (chunk) => progress?.goOutput(chunk),
  });
  if (startError) {
    if (startError.code === 'ENOENT') {
      throw new PluginError(`Go toolchain not found: cannot run '${settings.goCommand}'`, {
        hint: 'Go plugins are built from source with the Go toolchain: install Go >= 1.21 (https://go.dev/dl) and put `go` on PATH',
      });
    }
    throw new PluginError(`cannot run '${settings.goCommand}': ${startError.message}`);
  }
  if (status?.code !== 0) {
    const ending = status?.signal ? `was killed by ${status.signal}` : `exited with status ${status?.code}`;
    throw new PluginError(`failed to build plugin package (${settings.goCommand} ${args.join(' ')} ${ending}):\n${compilerOutput.trim()}`, {
      hint: `fix the build errors in '${packageDirectory}'`,
    });
  }
}

/**
 * Why a cached build no longer fits the shim (its toolchain or -trimpath
 * changed since, e.g. after a Go upgrade and `make shim`), or undefined.
 * Gilbert kept such stale builds; here they would only fail to open.
 */
async function staleFor(output: string, settings: GoBuildSettings): Promise<string | undefined> {
  const built = await readGoBuildInfo(output);
  if (!built) return undefined;
  const wanted = settings.env.GOTOOLCHAIN;
  if (wanted && built.goVersion.split(/\s/)[0] !== wanted) return `it was built with ${built.goVersion}, the shim uses ${wanted}`;
  const trimpath = settings.flags.includes('-trimpath');
  if ((built.settings.get('-trimpath') === 'true') !== trimpath) return `its -trimpath setting differs from the shim's`;
  return undefined;
}

/** Files whose content changes what `go build` makes of a package. */
const buildInputs = /(\.(go|c|cc|cpp|cxx|h|hh|hpp|hxx|s|S|syso|m)|^go\.(mod|sum|work|work\.sum)|^modules\.txt)$/;

/** The folder of the go.mod governing `packageDirectory` (the package's own folder when there is none). */
async function moduleRoot(packageDirectory: string): Promise<string> {
  for (let directory = packageDirectory; ; directory = path.dirname(directory)) {
    if (await fileExists(path.join(directory, 'go.mod'))) return directory;
    if (path.dirname(directory) === directory) return packageDirectory;
  }
}

/** Local folders that go.mod's `replace` directives point at: their sources are part of the build too. */
function localReplacements(goMod: string, root: string): string[] {
  const folders: string[] = [];
  for (const match of goMod.matchAll(/=>\s*((?:\.{1,2}[\\/]|\/)[^\s]*)/g)) folders.push(path.resolve(root, match[1]!));
  return folders;
}

/** Hashes every build input under `directory` into `hash`, skipping what go build skips (dot/underscore folders, testdata, tests) and nested modules. */
async function hashTree(hash: Hash, directory: string, top: string): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (/^[._]/.test(entry.name) || entry.name === 'testdata' || entry.name === 'node_modules') continue;
      if (await fileExists(path.join(full, 'go.mod'))) continue;
      await hashTree(hash, full, top);
    } else if (buildInputs.test(entry.name) && !entry.name.endsWith('_test.go')) {
      hash.update(`${path.relative(top, full)}\0`).update(await readFile(full)).update('\0');
    }
  }
}

/**
 * What a go:// build is made of: the Go sources of its module (and of
 * modules it replaces with local folders), go.mod, go.sum, and how it is
 * built. A cached build whose fingerprint differs is rebuilt; go build's own
 * cache keeps that cheap for the packages that did not change.
 */
export async function sourceFingerprint(packageDirectory: string, settings: GoBuildSettings): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ package: packageDirectory, settings })).update('\0');
  const root = await moduleRoot(packageDirectory);
  const goMod = await readFile(path.join(root, 'go.mod'), 'utf8').catch(() => '');
  for (const folder of [root, ...localReplacements(goMod, root)]) await hashTree(hash, folder, folder);
  return hash.digest('hex');
}

/** The fingerprint of the sources a cached build was made from, beside it. */
function fingerprintFile(output: string): string {
  return `${output}.sources`;
}

/**
 * `go://<package dir>`: builds the package into the project-local cache. The
 * build is reused while its sources (see sourceFingerprint) and the shim's
 * toolchain and flags stay the same, and redone when they change (Gilbert
 * never noticed source changes); `?rebuild=true` forces it. The cache folder
 * is the md5 of the package path relative to the project, which is the path
 * as written in a root manifest, as in Gilbert.
 */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const written = path.normalize(context.url.location).replace(/[\\/]+$/, '');
  if (!written || written === '.') {
    throw new PluginError('go:// URL has no package path', { hint: 'write go://./path/to/plugin/package' });
  }
  const packageDirectory = path.isAbsolute(written) ? written : path.resolve(path.dirname(context.ref.declaredIn), written);
  const packageKey = path.isAbsolute(written) ? written : path.relative(context.projectDirectory, packageDirectory) || '.';
  const output = goPluginCachePath(context.projectDirectory, packageKey, packageDirectory);
  await sweepStaleTemporaries(projectPluginDirectory(context.projectDirectory), context.log);
  const rebuild = ['1', 't', 'true'].includes((context.url.query.get('rebuild') ?? '').toLowerCase());
  const settings = context.goBuild ?? defaultGoBuild;

  const info = await stat(packageDirectory).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new PluginError(`plugin package folder '${packageDirectory}' does not exist`, {
      hint: `go:// takes the folder of a Go main package; relative paths start at the folder of '${context.ref.declaredIn}'`,
    });
  }
  const fingerprint = await sourceFingerprint(packageDirectory, settings);
  if (!rebuild && (await verifyCachedFile(output, context.log))) {
    const recorded = await readFile(fingerprintFile(output), 'utf8').catch(() => undefined);
    const changed = recorded === undefined ? 'nothing records which sources it was built from' : recorded !== fingerprint ? 'its sources changed since it was built' : undefined;
    const staleness = (await staleFor(output, settings)) ?? changed;
    if (!staleness) return { kind: 'go', path: output };
    // Gilbert logged its builds at debug level: only --verbose shows them
    context.log.debug(`Rebuilding plugin package '${packageDirectory}': ${staleness}`);
  } else {
    context.log.debug(`Building plugin package '${packageDirectory}'...`);
  }
  await prepareProjectPluginDirectory(context.projectDirectory);
  const toolchain = settings.env.GOTOOLCHAIN ?? `'${settings.goCommand}' from PATH`;
  const progress = buildProgress(`building plugin ${context.url.location} with ${toolchain}`);
  try {
    await rm(fingerprintFile(output), { force: true });
    await writeAtomically(output, (temporary) => buildGoPlugin(packageDirectory, temporary, settings, context.signal, context.env, progress));
    await writeAtomically(fingerprintFile(output), (temporary) => writeFile(temporary, fingerprint));
  } finally {
    progress.stop();
  }
  return { kind: 'go', path: output };
}
