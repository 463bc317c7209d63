/**
 * Node's names for the host's platform and architecture, as Go names them
 * (GOOS/GOARCH): what `go build` targets by default, and what a Go plugin must
 * have been built for.
 */

const goosByNodePlatform: Readonly<Record<string, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  win32: 'windows',
  sunos: 'solaris',
  aix: 'aix',
};

const goarchByNodeArch: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  // Node reports ppc64 on little-endian Power too, the only one Node supports
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** GOOS for a Node platform name; undefined when Go has no such target. */
export function goOs(platform: string = process.platform): string | undefined {
  return Object.hasOwn(goosByNodePlatform, platform) ? goosByNodePlatform[platform] : undefined;
}

/** GOARCH for a Node architecture name; undefined when Go has no such target. */
export function goArch(arch: string = process.arch): string | undefined {
  return Object.hasOwn(goarchByNodeArch, arch) ? goarchByNodeArch[arch] : undefined;
}

/** The Node platform names that have a GOOS, for messages. */
export const nodePlatformsWithGoOs: readonly string[] = Object.keys(goosByNodePlatform);

/** The Node architecture names that have a GOARCH, for messages. */
export const nodeArchsWithGoArch: readonly string[] = Object.keys(goarchByNodeArch);
