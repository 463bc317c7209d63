import semver from 'semver';
import type { GoBuildInfo } from './buildinfo.js';
import { compiledModule } from './sourcedirs.js';

/** `go1.26.8` → `go1.26.8`; toolchains carrying extra words (`go1.26.8 X:foo`) keep only the version. */
export function toolchainName(goVersion: string): string {
  return goVersion.split(/\s/)[0]!;
}

/** Modules replaced by a local folder: their sources exist only where the plugin was built. */
export function locallyReplaced(plugin: GoBuildInfo): string[] {
  return [...plugin.deps].filter(([module, versionLine]) => !compiledModule(module, versionLine)).map(([module, versionLine]) => `${module} ${versionLine}`);
}

/**
 * Why no Go host that gilbert-ts can build will open this plugin binary, or
 * undefined when one can: plugin.Open needs a host built by the very same
 * toolchain, from the same module sources. Such a plugin can still be built
 * from its source, when that is known (github:// releases).
 */
export function whyNoHostFits(info: GoBuildInfo | undefined): string | undefined {
  if (!info) return 'it carries no Go build info (Go writes none into plugins before 1.18), so the toolchain and module versions a host needs are unknown';
  const toolchain = toolchainName(info.goVersion);
  const version = semver.coerce(toolchain.replace(/^go/, ''));
  if (!version || semver.lt(version, '1.21.0')) return `its toolchain ${toolchain} is older than Go 1.21, the first that GOTOOLCHAIN can fetch`;
  const replaced = locallyReplaced(info);
  if (replaced.length) return `it was built with modules replaced by local folders (${replaced.join(', ')}), whose sources exist only where it was built`;
  return undefined;
}

/**
 * Why a c-shared Go library built by this toolchain cannot run inside Node,
 * or undefined. Measured: shims built by go1.21.0 to go1.21.6 die with
 * "fatal: morestack on g0" on the first call from Node's threads
 * (golang/go#62440, stale C stack bounds in cgocallback); go1.21.7 and later
 * run. Only a plugin built by the same toolchain needs such a shim.
 */
export function whyInProcessCrashes(info: GoBuildInfo): string | undefined {
  const toolchain = toolchainName(info.goVersion);
  const version = semver.coerce(toolchain.replace(/^go/, ''));
  if (version && semver.satisfies(version, '>=1.21.0 <1.21.7')) {
    return `its toolchain ${toolchain} has a runtime bug that kills a Go library called from Node's threads ("fatal: morestack on g0", golang/go#62440, fixed in go1.21.7), and the shim opening it would have to be built by that same toolchain`;
  }
  return undefined;
}
