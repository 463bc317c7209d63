import { PluginError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { goPlatform } from '../platform.js';
import type { GoBuildSettings } from '../sources/types.js';
import { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
import { abiDifferences, describeBuild, describeDifferences } from './compare.js';
import { defaultShimPath, goBuildSettingsFor, matchingShim, shimBuildInfo } from './shim.js';

export { readGoBuildInfo, type GoBuildInfo } from './buildinfo.js';
export { abiDifferences, describeBuild } from './compare.js';
export { defaultShimPath, matchingShim, shimBuildInfo } from './shim.js';

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

/** How go:// plugins must be built to load into the default shim. */
export async function goBuildForDefaultShim(env: NodeJS.ProcessEnv): Promise<GoBuildSettings> {
  return goBuildSettingsFor(await shimBuildInfo(defaultShimPath(env)));
}

/** One Go runtime per process: once a shim is chosen, every later Go plugin must fit it. */
let chosenShim: { path: string; info: GoBuildInfo; by: string } | undefined;

function checkPlatform(label: string, info: GoBuildInfo): void {
  const host = goPlatform();
  const goos = info.settings.get('GOOS');
  const goarch = info.settings.get('GOARCH');
  if ((goos && goos !== host.goos) || (goarch && goarch !== host.goarch)) {
    throw new ShimChoiceError(label, `plugin is built for ${goos}/${goarch}, but this host is ${host.goos}/${host.goarch}`, {
      hint: `use the plugin's ${host.goos}-${host.goarch} build, or build it from source with go://`,
    });
  }
}

/**
 * Picks the shim that will open every Go plugin of this run. A plugin
 * whose build info (toolchain, shared module versions, ABI flags) differs
 * from the default shim gets a shim built to match it. Plugins that need
 * different shims cannot share a process; that is reported, naming both.
 * Plugins without build info (Go < 1.24) are left to plugin.Open to judge.
 */
export async function chooseShim(plugins: { label: string; path: string }[], options: AbiOptions): Promise<string> {
  const basePath = defaultShimPath(options.env);
  const inspected: { label: string; info: GoBuildInfo }[] = [];
  for (const plugin of plugins) {
    const info = await readGoBuildInfo(plugin.path);
    if (!info) continue;
    checkPlatform(plugin.label, info);
    inspected.push({ label: plugin.label, info });
  }
  const current = chosenShim ?? { path: basePath, info: await shimBuildInfo(basePath), by: 'the default shim' };
  const misfit = inspected.find(({ info }) => abiDifferences(info, current.info).length > 0);
  if (!misfit) return (chosenShim = current).path;
  if (chosenShim) {
    throw new ShimChoiceError(misfit.label, `plugin was built with ${describeBuild(misfit.info)}, but the Go shim already loaded (for ${chosenShim.by}) differs: ${describeDifferences(abiDifferences(misfit.info, chosenShim.info))}`, {
      hint: 'one process holds one Go runtime: rebuild the plugins with the same Go toolchain, gilbert-sdk version and flags',
    });
  }
  const conflict = inspected.find(({ info }) => abiDifferences(info, misfit.info).length > 0);
  if (conflict) {
    throw new ShimChoiceError(conflict.label, `plugin was built with ${describeBuild(conflict.info)}, but '${misfit.label}' was built with ${describeBuild(misfit.info)} (${describeDifferences(abiDifferences(conflict.info, misfit.info), ['this one', 'the other'])}); one process holds one Go runtime, so they cannot be loaded together`, {
      hint: 'rebuild the plugins with the same Go toolchain, gilbert-sdk version and flags (go:// plugins are built to match); running them in separate worker processes is not supported yet',
    });
  }
  options.log.debug(`abi: '${misfit.label}' differs from the default shim: ${describeDifferences(abiDifferences(misfit.info, current.info))}`);
  try {
    const path = await matchingShim(misfit.info, { ...options, pluginLabel: misfit.label });
    chosenShim = { path, info: misfit.info, by: `'${misfit.label}'` };
    return path;
  } catch (error) {
    if (error instanceof PluginError) throw new ShimChoiceError(misfit.label, error.message, { hint: error.hint, cause: error });
    throw error;
  }
}
