import { createRequire } from 'node:module';
import { PluginError } from '../errors.js';
import { goArch, goOs, nodeArchsWithGoArch, nodePlatformsWithGoOs } from '../system/go-platform.js';

/** The host as Go names it: what a plugin must have been built for. */
export interface GoPlatform {
  goos: string;
  goarch: string;
  /** Linux only: the C library the host runs on; a plugin is linked against one of them. */
  libc?: 'glibc' | 'musl';
}

function unsupported(what: string, found: string, supported: readonly string[]): PluginError {
  return new PluginError(`Go plugins are not available for ${what} '${found}'`, {
    hint: `supported: ${supported.join(', ')}`,
  });
}

/** Maps Node's platform/arch to Go's GOOS/GOARCH: what a plugin's build info must say. */
export function goTarget(platform: string = process.platform, arch: string = process.arch): GoPlatform {
  const goos = goOs(platform);
  if (!goos) throw unsupported('platform', platform, nodePlatformsWithGoOs);
  const goarch = goArch(arch);
  if (!goarch) throw unsupported('architecture', arch, nodeArchsWithGoArch);
  return { goos, goarch };
}

export const GLIBC = 'glibc';
export const MUSL = 'musl';

const requireHere = createRequire(import.meta.url);

/**
 * goTarget and, on Linux, the libc family. detect-libc is loaded only here
 * (4–6 ms of CPU with its module loading): only choosing a release asset
 * needs the libc, not checking a plugin already at hand.
 */
export function goPlatform(platform: string = process.platform, arch: string = process.arch): GoPlatform {
  const target = goTarget(platform, arch);
  if (target.goos !== 'linux') return target;
  const { familySync } = requireHere('detect-libc') as typeof import('detect-libc');
  // detect-libc answers null when it cannot tell; glibc is by far the common case then.
  return { ...target, libc: familySync() === MUSL ? MUSL : GLIBC };
}

/**
 * Release asset names to look for, best first: `<repo>_<GOOS>-<GOARCH>.so` as
 * Gilbert named them, preceded on Linux by the libc-specific name
 * `<repo>_<GOOS>-<GOARCH>-<libc>.so`.
 */
export function releaseAssetNames(repo: string, host: GoPlatform = goPlatform()): string[] {
  const base = `${repo}_${host.goos}-${host.goarch}`;
  const extension = host.goos === 'windows' ? 'dll' : 'so';
  return host.libc ? [`${base}-${host.libc}.${extension}`, `${base}.${extension}`] : [`${base}.${extension}`];
}

/**
 * Whether the generic asset (no libc suffix) may be used on this host: Gilbert's
 * release assets were built on glibc systems, and a glibc-linked plugin cannot
 * load on a musl host.
 */
export function genericAssetUsable(host: GoPlatform = goPlatform()): boolean {
  return host.libc !== MUSL;
}

