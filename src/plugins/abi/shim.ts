import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { PluginError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { fileExists, prepareStorage, shimStorageDirectory, sweepStaleTemporaries, verifyCachedFile, writeAtomically } from '../cache.js';
import { runGoCommand } from '../go-command.js';
import { buildProgress, type BuildProgress } from '../sources/progress.js';
import type { GoBuildSettings } from '../sources/types.js';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { abiDifferences, describeBuild, describeDifferences } from './compare.js';

/** The package root: src/plugins/abi (or dist/plugins/abi) is three levels down. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shimSourceDirectory = path.join(packageRoot, 'go-shim');
const nativeHeaderDirectory = path.join(packageRoot, 'native');

/** The shim `make shim` builds; `GILBERT_SHIM` points elsewhere. */
export function defaultShimPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GILBERT_SHIM || path.join(shimSourceDirectory, 'build', 'libgilbert_shim.so');
}

/** The build info of a shim library; a missing or unreadable shim is a setup error. */
export async function shimBuildInfo(shimPath: string): Promise<GoBuildInfo> {
  if (!(await fileExists(shimPath))) {
    throw new PluginError(`the Go shim '${shimPath}' is missing`, { hint: 'build it with `make shim` (needs Go and gcc)' });
  }
  const info = await readGoBuildInfo(shimPath);
  if (!info) throw new PluginError(`'${shimPath}' carries no Go build info: it is not a Go shim built by Go >= 1.18`, { hint: 'rebuild it with `make shim`' });
  return info;
}

/** The flags and environment that reproduce `info`'s ABI-relevant build settings. */
function buildFlagsOf(info: GoBuildInfo): { flags: string[]; env: Record<string, string> } {
  const flags: string[] = [];
  const env: Record<string, string> = {};
  for (const flag of ['-trimpath', '-race', '-msan', '-asan']) if (info.settings.get(flag) === 'true') flags.push(flag);
  for (const flag of ['-tags', '-gcflags']) {
    const value = info.settings.get(flag);
    if (value) flags.push(`${flag}=${value}`);
  }
  for (const variable of ['GOEXPERIMENT', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64']) {
    const value = info.settings.get(variable);
    if (value) env[variable] = value;
  }
  return { flags, env };
}

/** How to build go:// plugins so that they load into the shim described by `shim`. */
export function goBuildSettingsFor(shim: GoBuildInfo): GoBuildSettings {
  const { flags, env } = buildFlagsOf(shim);
  return { goCommand: 'go', flags, env: { ...env, GOTOOLCHAIN: toolchainName(shim.goVersion), GOFLAGS: '-buildvcs=false' } };
}

/** `go1.26.8` → the GOTOOLCHAIN value; toolchains carrying extra words (`go1.26.8 X:foo`) keep only the version. */
function toolchainName(goVersion: string): string {
  return goVersion.split(/\s/)[0]!;
}

async function shimSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  // go-shim/ with its packages (bridge/, cmd/host/), but not what it built
  for (const directory of [shimSourceDirectory, nativeHeaderDirectory]) {
    const names = (await readdir(directory, { recursive: true })).filter((name) => name.split(path.sep)[0] !== 'build');
    for (const name of names.sort()) {
      if (/\.(go|c|h|mod|sum)$/.test(name)) hash.update(name).update(await readFile(path.join(directory, name)));
    }
  }
  return hash.digest('hex');
}

async function runGo(args: string[], cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal, progress: BuildProgress): Promise<string> {
  const { status, startError, output } = await runGoCommand('go', args, { cwd, env, signal, onOutput: (chunk) => progress.goOutput(chunk) });
  if (startError?.code === 'ENOENT') throw new PluginError('no Go toolchain found (`go` is not on PATH)');
  if (startError) throw startError;
  if (status?.code !== 0) throw new PluginError(`go ${args.join(' ')} failed:\n${output.trim()}`);
  return output;
}

export interface MatchingShimOptions {
  log: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** what to call the plugin in messages (its URL) */
  pluginLabel: string;
}

/**
 * A shim built like `plugin` was: the same Go toolchain (fetched through
 * GOTOOLCHAIN when it is not the local one), the plugin's versions of every
 * module (go.mod of a temporary copy of go-shim/ pinned with `go mod edit`),
 * and the same flags. Cached under `<storage>/shims/<hash of all that and of
 * the shim's sources>/`, so each combination is built once.
 */
export async function matchingShim(plugin: GoBuildInfo, options: MatchingShimOptions): Promise<string> {
  const shimRoot = shimStorageDirectory(options.env);
  await sweepStaleTemporaries(shimRoot, options.log);
  const toolchain = toolchainName(plugin.goVersion);
  const version = semver.coerce(toolchain.replace(/^go/, ''));
  const cannotMatch = (reason: string, hint: string) =>
    new PluginError(`plugin was built with ${describeBuild(plugin)}, and no matching Go shim can be made: ${reason}`, { hint });
  if (!version || semver.lt(version, '1.21.0')) {
    throw cannotMatch(`its toolchain ${toolchain} is older than Go 1.21, the first that GOTOOLCHAIN can fetch`, `rebuild the plugin with Go >= 1.24 (or use go:// so that gilbert-ts builds it)`);
  }
  const { flags, env: settingsEnv } = buildFlagsOf(plugin);
  const deps = [...plugin.deps].sort(([a], [b]) => a.localeCompare(b));
  const key = createHash('sha256')
    .update(JSON.stringify({ toolchain, flags, settingsEnv, deps, source: await shimSourceHash() }))
    .digest('hex')
    .slice(0, 32);
  const output = path.join(shimRoot, key, 'libgilbert_shim.so');
  if (await verifyCachedFile(output, options.log)) return output;

  options.log.info(`Building a Go shim matching plugin '${options.pluginLabel}' (${describeBuild(plugin)})...`);
  await prepareStorage(options.env);
  await mkdir(shimRoot, { recursive: true });
  const work = await mkdtemp(path.join(shimRoot, '.build-'));
  const shownPhase = (what: string) => `building a Go shim for '${options.pluginLabel}' with ${toolchain}: ${what}`;
  const progress = buildProgress(shownPhase('copying its sources'));
  try {
    // cgo finds the header through ${SRCDIR}/../native, so the copy keeps that layout.
    await cp(shimSourceDirectory, path.join(work, 'go-shim'), {
      recursive: true,
      filter: (source) => path.relative(shimSourceDirectory, source).split(path.sep)[0] !== 'build',
    });
    await cp(nativeHeaderDirectory, path.join(work, 'native'), { recursive: true });
    const source = path.join(work, 'go-shim');
    const env = { ...options.env, ...settingsEnv, GOTOOLCHAIN: toolchain, GOFLAGS: '-mod=mod -buildvcs=false', CGO_ENABLED: '1' };
    const edits = deps.map(([module, versionLine]) => {
      const [pinned, replacement] = versionLine.split(' => ');
      return replacement ? [`-require=${module}@${pinned}`, `-replace=${module}=${replacement.replace(' ', '@')}`] : [`-require=${module}@${pinned}`];
    });
    // The go line may not be newer than the toolchain, or GOTOOLCHAIN=goX refuses the module.
    const goLine = `${version.major}.${version.minor}`;
    const shimGoMod = await readFile(path.join(source, 'go.mod'), 'utf8');
    const shimGoLine = /^go\s+(\S+)/m.exec(shimGoMod)?.[1];
    const keepShimGoLine = shimGoLine && semver.lte(semver.coerce(shimGoLine)!, version);
    await writeAtomically(output, async (temporary) => {
      try {
        progress.phase(shownPhase('pinning module versions'));
        await runGo(['mod', 'edit', ...(keepShimGoLine ? [] : [`-go=${goLine}`]), '-toolchain=none', ...edits.flat()], source, env, options.signal, progress);
        progress.phase(shownPhase('compiling'));
        // c-shared also writes a C header beside its output: built in the work folder, it goes with it.
        const built = path.join(work, 'libgilbert_shim.so');
        await runGo(['build', '-buildmode=c-shared', ...flags, '-o', built, '.'], source, env, options.signal, progress);
        await rename(built, temporary);
      } catch (error) {
        if (options.signal.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw /no Go toolchain/.test(reason)
          ? cannotMatch(reason, `install Go >= 1.21 (https://go.dev/dl) so that gilbert-ts can build a shim for it, or rebuild the plugin with the shim's build`)
          : cannotMatch(`building the shim failed: ${reason}`, 'check network access to the Go module proxy (toolchains and modules come from there), or rebuild the plugin with the toolchain and gilbert-sdk version of the shim in use');
      }
      const built = await readGoBuildInfo(temporary);
      const left = built ? abiDifferences(plugin, built) : [];
      if (left.length) throw cannotMatch(`the shim built for it still differs (${describeDifferences(left)})`, 'rebuild the plugin against the module versions gilbert-ts uses');
    });
    return output;
  } finally {
    progress.stop();
    await rm(work, { recursive: true, force: true });
  }
}
