import type { GoBuildInfo } from './buildinfo.js';

/**
 * Build settings that change the contents of packages a plugin shares with
 * its host, so they must be equal on both sides. Measured with Go 1.26:
 * `-trimpath` on one side only fails in plugin.Open ("different version of
 * package internal/goarch"); the go.mod `go` line (DefaultGODEBUG) and
 * CGO_CFLAGS do not.
 */
export const abiSettings = ['-trimpath', '-race', '-msan', '-asan', '-tags', '-gcflags', 'GOEXPERIMENT', 'GOOS', 'GOARCH', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64'];

/** Settings that no shim build can change: the plugin was made for another machine. */
export const platformSettings = ['GOOS', 'GOARCH'];

export type AbiDifferenceKind = 'toolchain' | 'module' | 'build path' | 'setting';

export interface AbiDifference {
  kind: AbiDifferenceKind;
  /** `Go toolchain`, `module <path>`, `build path of <module>` or a build setting */
  what: string;
  plugin: string;
  shim: string;
}

const unset = '(not set)';

/**
 * The -gcflags value a build asked for, without the per-module path rewrites
 * gilbert-ts adds itself (`<module>/...=-trimpath=<ours>=><theirs>`, see
 * shim.ts): those exist to make build paths agree, not to change the code.
 * Go records only the last -gcflags of a build.
 */
export function ownGcflags(value: string | undefined): string | undefined {
  return value && /^\S+\/\.\.\.=-trimpath=.*=>/.test(value) ? undefined : value;
}

function settingOf(info: GoBuildInfo, setting: string): string {
  const value = info.settings.get(setting);
  return (setting === '-gcflags' ? ownGcflags(value) : value) ?? unset;
}

/** How a plugin's build differs from a shim's, in what plugin.Open would reject. */
export function abiDifferences(plugin: GoBuildInfo, shim: GoBuildInfo): AbiDifference[] {
  const differences: AbiDifference[] = [];
  if (plugin.goVersion !== shim.goVersion) differences.push({ kind: 'toolchain', what: 'Go toolchain', plugin: plugin.goVersion, shim: shim.goVersion });
  for (const setting of abiSettings) {
    const pluginValue = settingOf(plugin, setting);
    const shimValue = settingOf(shim, setting);
    if (pluginValue !== shimValue) differences.push({ kind: 'setting', what: setting, plugin: pluginValue, shim: shimValue });
  }
  // Modules only one side uses are not shared, so they cannot clash.
  for (const [module, version] of plugin.deps) {
    const shimVersion = shim.deps.get(module);
    if (shimVersion === undefined) continue;
    if (shimVersion !== version) {
      differences.push({ kind: 'module', what: `module ${module}`, plugin: version, shim: shimVersion });
      continue;
    }
    // Equal versions compiled from different folders hash differently (unless -trimpath, whose difference is reported above).
    const pluginFolder = plugin.sourceDirectories?.get(module);
    const shimFolder = shim.sourceDirectories?.get(module);
    if (pluginFolder && shimFolder && pluginFolder !== shimFolder && settingOf(plugin, '-trimpath') === settingOf(shim, '-trimpath')) {
      differences.push({ kind: 'build path', what: `build path of ${module} ${version}`, plugin: pluginFolder, shim: shimFolder });
    }
  }
  return differences;
}

export function describeDifferences(differences: AbiDifference[], labels: [plugin: string, shim: string] = ['plugin', 'shim']): string {
  return differences.map((difference) => `${difference.what}: ${labels[0]} ${difference.plugin}, ${labels[1]} ${difference.shim}`).join('; ');
}

/** The differences as a list, one line each, for an error message. */
export function listDifferences(differences: AbiDifference[]): string {
  return differences.map((difference) => `  - ${difference.what}: plugin ${difference.plugin}, shim ${difference.shim}`).join('\n');
}

/** What can be done about each kind of difference when gilbert-ts cannot build a shim to match. */
export function remediesFor(differences: AbiDifference[]): string[] {
  const remedies = new Set<string>();
  for (const difference of differences) {
    if (difference.kind === 'toolchain') remedies.add(`rebuild the plugin with ${difference.shim.split(/\s/)[0]} (GOTOOLCHAIN=${difference.shim.split(/\s/)[0]} go build -buildmode=plugin)`);
    else if (difference.kind === 'module') remedies.add(`require ${difference.what.replace(/^module /, '')} ${difference.shim} in the plugin's go.mod and rebuild it`);
    else if (difference.kind === 'build path') remedies.add('rebuild the plugin on this machine (its module sources are then where the shim\'s are)');
    else if (difference.what === '-trimpath') remedies.add(`rebuild the plugin ${difference.shim === 'true' ? 'with' : 'without'} -trimpath`);
    else remedies.add(`rebuild the plugin with ${difference.what}=${difference.shim === unset ? '(unset)' : difference.shim}`);
  }
  return [...remedies];
}

/** A short summary of what a plugin was built with, for messages. */
export function describeBuild(info: GoBuildInfo): string {
  const sdk = info.deps.get('github.com/go-gilbert/gilbert-sdk');
  const flags = abiSettings
    .filter((setting) => setting.startsWith('-') && settingOf(info, setting) !== unset)
    .map((setting) => `${setting}=${settingOf(info, setting)}`);
  return [info.goVersion, sdk && `gilbert-sdk ${sdk}`, ...flags].filter(Boolean).join(', ');
}
