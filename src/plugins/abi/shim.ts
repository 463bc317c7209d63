import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { createHash } from '../../system/crypto.js';
import { PluginError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { fileExists, insideRoot, prepareStorage, shimStorageDirectory, sweepStaleTemporaries, verifyCachedFile, writeAtomically } from '../cache.js';
import { runGoCommand } from '../go-command.js';
import { buildProgress, type BuildProgress } from '../sources/progress.js';
import type { GoBuildSettings } from '../sources/types.js';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { abiDifferences, type AbiDifference, describeBuild, describeDifferences, listDifferences, ownGcflags, remediesFor } from './compare.js';
import { toolchainName, whyNoHostFits } from './loadable.js';
import { compiledModule, escapeModulePath } from './sourcedirs.js';

/** The package root: src/plugins/abi (or dist/plugins/abi) is three levels down. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shimSourceDirectory = path.join(packageRoot, 'go-shim');
const nativeHeaderDirectory = path.join(packageRoot, 'native');

/** The shim `make shim` builds; `GILBERT_SHIM` points elsewhere. */
export function defaultShimPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GILBERT_SHIM || path.join(shimSourceDirectory, 'build', 'libgilbert_shim.so');
}

/**
 * The Go host executable (go-shim/cmd/host) beside the default shim, built
 * with it by `make shim`; `GILBERT_GO_HOST` points elsewhere.
 */
export function defaultHostPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.GILBERT_GO_HOST || path.join(path.dirname(defaultShimPath(env)), 'gilbert-go-host');
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
    const value = flag === '-gcflags' ? ownGcflags(info.settings.get(flag)) : info.settings.get(flag);
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


/** The shim's sources (every package under go-shim/, and the C header): part of every built shim's cache key. */
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
  /** how the plugin differs from the shim it does not fit, said when a build starts */
  differences?: AbiDifference[];
}

/** What to build from go-shim/ for a plugin: the library loaded in process, or the Go host process that serves the same bridge. */
export interface GoHostTarget {
  /** `go build` flags choosing the kind of binary, e.g. `-buildmode=c-shared` */
  buildFlags: string[];
  /** the main package, relative to go-shim/ */
  package: string;
  /** the file name in the cache folder */
  fileName: string;
}

export const sharedLibraryTarget: GoHostTarget = { buildFlags: ['-buildmode=c-shared'], package: '.', fileName: 'libgilbert_shim.so' };

/** The Go host process: the same bridge as an executable, serving the protocol over pipes (src/bridge/process.ts). */
export const hostProcessTarget: GoHostTarget = { buildFlags: [], package: './cmd/host', fileName: 'gilbert-go-host' };

/** `-trimpath` rewrites need quoting when a folder holds spaces (go splits flag lists like a shell). */
function quoteFlagValue(value: string): string {
  return /[\s'"]/.test(value) ? `'${value.replace(/'/g, `'\\''`)}'` : value;
}

/**
 * The flags that make the shim record each shared module's sources at the
 * folder the plugin recorded, so that the package hashes agree (facts §8):
 * one `-gcflags=<module>/...=-trimpath=<our folder>=><theirs>` per module.
 * A global `all=` rewrite would replace the go command's own `$WORK`
 * rewrite and break runtime/cgo. Nested modules come after their parents,
 * since the last matching pattern wins. Empty when the plugin used -trimpath.
 */
export function pathRewriteFlags(rewrites: { module: string; from: string; to: string }[], ownFlags?: string): string[] {
  const own = ownFlags && /^all=/.test(ownFlags) ? `${ownFlags.slice('all='.length)} ` : '';
  return rewrites
    .filter((rewrite) => rewrite.from !== rewrite.to)
    .sort((a, b) => a.module.localeCompare(b.module))
    .map((rewrite) => `-gcflags=${rewrite.module}/...=${own}-trimpath=${quoteFlagValue(`${rewrite.from}=>${rewrite.to}`)}`);
}

/** The module cache `go` uses with `env` (GOMODCACHE, else GOPATH's, as `go env` says). */
async function goModCache(cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal, progress: BuildProgress): Promise<string> {
  return (await runGo(['env', 'GOMODCACHE'], cwd, env, signal, progress)).trim();
}

/** Rewrites from the local module cache to the folders `plugin` recorded, for each module it was not built with -trimpath. */
function rewritesFor(plugin: GoBuildInfo, localModCache: string): { module: string; from: string; to: string }[] {
  if (plugin.settings.get('-trimpath') === 'true') return [];
  const rewrites: { module: string; from: string; to: string }[] = [];
  for (const [module, versionLine] of plugin.deps) {
    const compiled = compiledModule(module, versionLine);
    const to = plugin.sourceDirectories?.get(module);
    if (!compiled || !to) continue;
    rewrites.push({ module, from: path.join(localModCache, `${escapeModulePath(compiled.module)}@${escapeModulePath(compiled.version)}`), to });
  }
  return rewrites;
}


/** A shim (c-shared library) built like `plugin` was; see matchingGoHost. */
export function matchingShim(plugin: GoBuildInfo, options: MatchingShimOptions): Promise<string> {
  return matchingGoHost(plugin, sharedLibraryTarget, options);
}

/**
 * A Go host (`target`: the c-shared shim or the host executable) built like
 * `plugin` was: the same Go toolchain (fetched through GOTOOLCHAIN when it is
 * not the local one), the plugin's versions of every module (go.mod of a
 * temporary copy of go-shim/ pinned with `go mod edit`), the same flags, and
 * the plugin's build paths for the modules they share. Cached under
 * `<storage>/shims/<hash of all that and of the shim's sources>/`, so each
 * combination is built once.
 */
export async function matchingGoHost(plugin: GoBuildInfo, target: GoHostTarget, options: MatchingShimOptions): Promise<string> {
  const shimRoot = shimStorageDirectory(options.env);
  await sweepStaleTemporaries(shimRoot, options.log);
  const toolchain = toolchainName(plugin.goVersion);
  const version = semver.coerce(toolchain.replace(/^go/, ''));
  // Says why no shim could be built, what differs from the shim in use, and what to do about each difference.
  const differs = options.differences?.length ? `\nIt differs from gilbert-ts's Go shim in:\n${listDifferences(options.differences)}` : '';
  const cannotMatch = (reason: string, hint: string) =>
    new PluginError(`plugin was built with ${describeBuild(plugin)}, and no matching Go shim can be made: ${reason}${differs}`, {
      hint: [hint, ...remediesFor(options.differences ?? [])].join('; or '),
    });
  const noHost = whyNoHostFits(plugin);
  if (noHost || !version) {
    throw cannotMatch(noHost ?? `its toolchain ${toolchain} is not a Go release`, 'rebuild the plugin with Go >= 1.21 and without local `replace` directives, or load it from source (go://, or github:// with ?build=source)');
  }
  const { flags, env: settingsEnv } = buildFlagsOf(plugin);
  const deps = [...plugin.deps].sort(([a], [b]) => a.localeCompare(b));
  const folders = [...(plugin.sourceDirectories ?? [])].sort(([a], [b]) => a.localeCompare(b));
  const key = createHash('sha256')
    .update(JSON.stringify({ toolchain, flags, settingsEnv, deps, folders, target, source: await shimSourceHash() }))
    .digest('hex')
    .slice(0, 32);
  const output = insideRoot(shimRoot, path.join(shimRoot, key, target.fileName));
  if (await verifyCachedFile(output, options.log)) return output;

  const why = options.differences?.length ? `; it differs from the shim in: ${options.differences.map((difference) => difference.what).join(', ')}` : '';
  options.log.info(`Building a Go shim matching plugin '${options.pluginLabel}' (${describeBuild(plugin)}${why})...`);
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
    let rewrites: string[] = [];
    await writeAtomically(output, async (temporary) => {
      try {
        progress.phase(shownPhase('pinning module versions'));
        await runGo(['mod', 'edit', ...(keepShimGoLine ? [] : [`-go=${goLine}`]), '-toolchain=none', ...edits.flat()], source, env, options.signal, progress);
        rewrites = pathRewriteFlags(rewritesFor(plugin, await goModCache(source, env, options.signal, progress)), plugin.settings.get('-gcflags'));
        progress.phase(shownPhase('compiling'));
        // c-shared also writes a C header beside its output: built in the work folder, it goes with it.
        const built = path.join(work, target.fileName);
        await runGo(['build', ...target.buildFlags, ...flags, ...rewrites, '-o', built, target.package], source, env, options.signal, progress);
        await rename(built, temporary);
      } catch (error) {
        if (options.signal.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw /no Go toolchain/.test(reason)
          ? cannotMatch(reason, `install Go >= 1.21 (https://go.dev/dl) so that gilbert-ts can build a shim for it, or rebuild the plugin with the shim's build`)
          : cannotMatch(`building the shim failed: ${reason}`, 'check network access to the Go module proxy (toolchains and modules come from there), or rebuild the plugin with the toolchain and gilbert-sdk version of the shim in use');
      }
      const built = await readGoBuildInfo(temporary);
      // With the plugin's own -gcflags and path rewrites, Go records only the last -gcflags: the rewrite.
      const left = (built ? abiDifferences(plugin, built) : []).filter((difference) => !(difference.what === '-gcflags' && rewrites.length));
      if (left.length) throw cannotMatch(`the shim built for it still differs (${describeDifferences(left)})`, remediesFor(left).join('; or '));
    });
    return output;
  } finally {
    progress.stop();
    await rm(work, { recursive: true, force: true });
  }
}
