import path from 'node:path';
import { PluginError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { fileExists } from '../cache.js';
import { goTarget } from '../platform.js';
import { defaultGoBuild } from '../sources/go.js';
import type { GoBuildSettings } from '../sources/types.js';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { abiDifferences, type AbiDifference, describeBuild, describeDifferences } from './compare.js';
import { whyInProcessCrashes } from './loadable.js';
import { defaultHostPath, defaultShimPath, goBuildSettingsFor, hostProcessTarget, matchingGoHost, matchingShim, shimBuildInfo } from './shim.js';

export { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
export { abiDifferences, describeBuild } from './compare.js';
export { toolchainName, whyInProcessCrashes, whyNoHostFits } from './loadable.js';
export { defaultHostPath, defaultShimPath, matchingShim, shimBuildInfo } from './shim.js';

/** A shim choice that fails because of one plugin: importPlugins names it in the message. */
export class ShimChoiceError extends PluginError {
  constructor(
    readonly pluginLabel: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export interface AbiOptions {
  log: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** One Go runtime per process: once a shim is chosen, later Go plugins that do not fit it go to Go host processes. */
let chosenShim: { path: string; info: GoBuildInfo } | undefined;

/**
 * The packaged shim's build info, or undefined when none was built (an npm
 * install without Go at install time): the first Go plugin then gets a shim
 * built to match it. A shim named by GILBERT_SHIM must exist.
 */
async function packagedShim(env: NodeJS.ProcessEnv): Promise<{ path: string; info: GoBuildInfo } | undefined> {
  const shimPath = defaultShimPath(env);
  if (!env.GILBERT_SHIM && !(await fileExists(shimPath))) return undefined;
  return { path: shimPath, info: await shimBuildInfo(shimPath) };
}

/** How go:// plugins must be built to load into the default shim (without one: the local toolchain's defaults, and a shim is built to match). */
export async function goBuildForDefaultShim(env: NodeJS.ProcessEnv): Promise<GoBuildSettings> {
  const shim = chosenShim ?? (await packagedShim(env));
  return shim ? goBuildSettingsFor(shim.info) : defaultGoBuild;
}

function checkPlatform(label: string, info: GoBuildInfo): void {
  const host = goTarget();
  const goos = info.settings.get('GOOS');
  const goarch = info.settings.get('GOARCH');
  if ((goos && goos !== host.goos) || (goarch && goarch !== host.goarch)) {
    throw new ShimChoiceError(label, `plugin is built for ${goos}/${goarch}, but this host is ${host.goos}/${host.goarch}`, {
      hint: `use the plugin's ${host.goos}-${host.goarch} build, or build it from source with go://`,
    });
  }
}

/** Plugins that one shim can open: built alike. */
interface PluginGroup {
  info: GoBuildInfo;
  labels: string[];
  members: { label: string; path: string; packagePath?: string }[];
}

/**
 * Go opens a package path once per process: a second plugin whose main
 * package has the same path (a copy rebuilt under another name, two
 * scaffolds both called `plugin`) fails in plugin.Open with "plugin already
 * loaded". Said up front, with what to rename.
 */
function checkDistinctPackage(group: PluginGroup, plugin: { label: string; path: string }, info: GoBuildInfo): void {
  const clash = info.path && group.members.find((member) => member.packagePath === info.path && path.resolve(member.path) !== path.resolve(plugin.path));
  if (!clash) return;
  throw new ShimChoiceError(
    plugin.label,
    `plugins '${clash.label}' and '${plugin.label}' are both built from the Go package '${info.path}', and Go opens a package path only once per process (plugin.Open: "plugin already loaded")`,
    { hint: `give one of them its own module path (the \`module\` line of its go.mod, e.g. '${info.path}2') and rebuild it` },
  );
}

/** Where each Go plugin is opened: the in-process shim, or a Go host process of its own. */
export interface ShimPlan {
  inProcess: string;
  /** label → the Go host executable of each plugin that runs isolated (asked for, or needing another shim) */
  isolated: Map<string, string>;
}

async function buildFor(kind: 'shim' | 'host', label: string, info: GoBuildInfo, options: AbiOptions, differences?: AbiDifference[]): Promise<string> {
  try {
    const matching = { ...options, pluginLabel: label, differences };
    return kind === 'shim' ? await matchingShim(info, matching) : await matchingGoHost(info, hostProcessTarget, matching);
  } catch (error) {
    if (error instanceof PluginError) throw new ShimChoiceError(label, error.message, { hint: error.hint, cause: error });
    throw error;
  }
}

const hostInfos = new Map<string, Promise<GoBuildInfo | undefined>>();

/**
 * The Go host executable for a plugin built as `info` says: the packaged
 * one (built with the packaged shim) when it matches, else one built to
 * match it, cached like shims. Without build info (an older toolchain: go1.19 plugins had none), the packaged
 * one, and plugin.Open judges.
 */
async function hostFor(label: string, info: GoBuildInfo | undefined, options: AbiOptions): Promise<string> {
  const packaged = defaultHostPath(options.env);
  if (!hostInfos.has(packaged)) hostInfos.set(packaged, fileExists(packaged).then((exists) => (exists ? readGoBuildInfo(packaged) : undefined)));
  const packagedInfo = await hostInfos.get(packaged);
  if (packagedInfo && (!info || abiDifferences(info, packagedInfo).length === 0)) return packaged;
  if (!info) throw new ShimChoiceError(label, `the Go host process '${packaged}' is missing`, { hint: 'build it with `make shim` (needs Go and gcc)' });
  return buildFor('host', label, info, options, packagedInfo && abiDifferences(info, packagedInfo));
}

/**
 * Decides where each Go plugin of this run is opened. Plugins that asked for
 * isolation (`isolate`) get a Go host process of their own. The others are
 * grouped by what they were built with (toolchain, shared module versions,
 * ABI flags): the group fitting the shim already in this process (else the
 * default shim; else the first group, with a shim built to match) is opened
 * in process; every other group's plugins get Go host processes built to
 * match them, since one process holds one Go runtime. Plugins without build
 * info (an older toolchain: go1.19 plugins had none) go in process and are
 * left to plugin.Open to judge.
 */
export async function planShims(plugins: { label: string; path: string; isolate?: boolean }[], options: AbiOptions): Promise<ShimPlan> {
  const groups: PluginGroup[] = [];
  const isolated = new Map<string, string>();
  for (const plugin of plugins) {
    const info = await readGoBuildInfo(plugin.path);
    if (info) checkPlatform(plugin.label, info);
    if (plugin.isolate) {
      isolated.set(plugin.label, await hostFor(plugin.label, info, options));
      options.log.debug(`abi: '${plugin.label}' runs isolated in a Go host process ('${isolated.get(plugin.label)}')`);
      continue;
    }
    if (!info) continue;
    // A c-shared library built by its toolchain would die in Node; a Go host process (an executable) runs it.
    const crashes = whyInProcessCrashes(info);
    if (crashes) {
      options.log.debug(`abi: '${plugin.label}' runs in a Go host process: ${crashes}`);
      isolated.set(plugin.label, await hostFor(plugin.label, info, options));
      continue;
    }
    const group = groups.find((candidate) => abiDifferences(info, candidate.info).length === 0);
    if (group) {
      checkDistinctPackage(group, plugin, info);
      group.labels.push(plugin.label);
      group.members.push({ ...plugin, packagePath: info.path });
    } else groups.push({ info, labels: [plugin.label], members: [{ ...plugin, packagePath: info.path }] });
  }
  // all isolated: no shim is loaded, so none is read
  const current = plugins.some((plugin) => !plugin.isolate) ? chosenShim ?? (await packagedShim(options.env)) : undefined;
  let inProcess = current && groups.find((group) => abiDifferences(group.info, current.info).length === 0);
  if (!inProcess && !chosenShim && groups[0]) {
    inProcess = groups[0];
    const label = inProcess.labels[0]!;
    const differences = current && abiDifferences(inProcess.info, current.info);
    if (differences) options.log.debug(`abi: '${label}' differs from the default shim: ${describeDifferences(differences)}`);
    else options.log.debug(`abi: no prebuilt Go shim in this installation; using one built to match '${label}'`);
    chosenShim = { path: await buildFor('shim', label, inProcess.info, options, differences), info: inProcess.info };
  } else if (plugins.some((plugin) => !plugin.isolate)) {
    // plugins without build info only: they need the packaged shim, which must exist then
    const shimPath = defaultShimPath(options.env);
    chosenShim = current ?? { path: shimPath, info: await shimBuildInfo(shimPath) };
  }
  for (const group of groups) {
    if (group === inProcess) continue;
    const label = group.labels[0]!;
    const hostPath = await hostFor(label, group.info, options);
    options.log.debug(`abi: '${label}' (${describeBuild(group.info)}) runs in a Go host process: the shim in this process has ${describeBuild(chosenShim!.info)}`);
    for (const member of group.labels) isolated.set(member, hostPath);
  }
  return { inProcess: chosenShim?.path ?? defaultShimPath(options.env), isolated };
}
