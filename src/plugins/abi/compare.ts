import type { GoBuildInfo } from './buildinfo.js';

/**
 * Build settings that change the contents of packages a plugin shares with
 * its host, so they must be equal on both sides. Measured with Go 1.26:
 * `-trimpath` on one side only fails in plugin.Open ("different version of
 * package internal/goarch"); the go.mod `go` line (DefaultGODEBUG) does not.
 */
export const abiSettings = ['-trimpath', '-race', '-msan', '-asan', '-tags', '-gcflags', 'GOEXPERIMENT', 'GOOS', 'GOARCH', 'GOAMD64', 'GOARM', 'GOARM64', 'GO386', 'GOPPC64', 'GORISCV64'];

/** Settings that no shim build can change: the plugin was made for another machine. */
export const platformSettings = ['GOOS', 'GOARCH'];

export interface AbiDifference {
  /** `Go toolchain`, `module <path>` or a build setting */
  what: string;
  plugin: string;
  shim: string;
}

const unset = '(not set)';

/** How a plugin's build differs from a shim's, in what plugin.Open would reject. */
export function abiDifferences(plugin: GoBuildInfo, shim: GoBuildInfo): AbiDifference[] {
  const differences: AbiDifference[] = [];
  if (plugin.goVersion !== shim.goVersion) differences.push({ what: 'Go toolchain', plugin: plugin.goVersion, shim: shim.goVersion });
  for (const setting of abiSettings) {
    const pluginValue = plugin.settings.get(setting) ?? unset;
    const shimValue = shim.settings.get(setting) ?? unset;
    if (pluginValue !== shimValue) differences.push({ what: setting, plugin: pluginValue, shim: shimValue });
  }
  // Modules only one side uses are not shared, so they cannot clash.
  for (const [module, version] of plugin.deps) {
    const shimVersion = shim.deps.get(module);
    if (shimVersion !== undefined && shimVersion !== version) differences.push({ what: `module ${module}`, plugin: version, shim: shimVersion });
  }
  return differences;
}

export function describeDifferences(differences: AbiDifference[], labels: [plugin: string, shim: string] = ['plugin', 'shim']): string {
  return differences.map((difference) => `${difference.what}: ${labels[0]} ${difference.plugin}, ${labels[1]} ${difference.shim}`).join('; ');
}

/** A short summary of what a plugin was built with, for messages. */
export function describeBuild(info: GoBuildInfo): string {
  const sdk = info.deps.get('github.com/go-gilbert/gilbert-sdk');
  const flags = abiSettings.filter((setting) => setting.startsWith('-') && info.settings.has(setting)).map((setting) => `${setting}=${info.settings.get(setting)}`);
  return [info.goVersion, sdk && `gilbert-sdk ${sdk}`, ...flags].filter(Boolean).join(', ');
}
