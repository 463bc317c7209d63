/**
 * The host's GOOS/GOARCH: Gilbert defaulted `target` to the platform its own
 * binary was built for (runtime.GOOS/GOARCH), which is the host.
 */
const goOs: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  sunos: 'solaris',
  aix: 'aix',
};

const goArch: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

export function hostGoOs(): string {
  return goOs[process.platform] ?? process.platform;
}

export function hostGoArch(): string {
  return goArch[process.arch] ?? process.arch;
}
