/**
 * Finds a Go binary's build-info section in the two formats Go plugins come
 * in: ELF (Linux, FreeBSD) and Mach-O (macOS), including universal ("fat")
 * Mach-O files holding one binary per architecture. Reading the headers here
 * needs no Go toolchain, and works on a macOS plugin examined on Linux.
 */

/** The bytes of one binary: the file itself, or one architecture's slice of a fat Mach-O. */
export interface BinaryImage {
  /** the binary's bytes (a fat file's slice for one architecture) */
  image: Buffer;
  /** the `.go.buildinfo` / `__go_buildinfo` section, when present */
  buildInfo?: Buffer;
}

function elfBuildInfo(file: Buffer): Buffer | undefined {
  const is64 = file[4] === 2;
  const littleEndian = file[5] === 1;
  const u16 = (at: number) => (littleEndian ? file.readUInt16LE(at) : file.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const word = (at: number) => (is64 ? Number(littleEndian ? file.readBigUInt64LE(at) : file.readBigUInt64BE(at)) : u32(at));
  const sectionTable = word(is64 ? 0x28 : 0x20);
  const entrySize = u16(is64 ? 0x3a : 0x2e);
  const count = u16(is64 ? 0x3c : 0x30);
  const namesIndex = u16(is64 ? 0x3e : 0x32);
  if (!sectionTable || sectionTable + count * entrySize > file.length) return undefined;
  const sections = Array.from({ length: count }, (_, index) => {
    const at = sectionTable + index * entrySize;
    return { nameOffset: u32(at), offset: word(at + (is64 ? 0x18 : 0x10)), size: word(at + (is64 ? 0x20 : 0x14)) };
  });
  const names = sections[namesIndex];
  if (!names) return undefined;
  for (const section of sections) {
    const start = names.offset + section.nameOffset;
    if (file.toString('latin1', start, file.indexOf(0, start)) === '.go.buildinfo') return file.subarray(section.offset, section.offset + section.size);
  }
  return undefined;
}

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;

/** A thin Mach-O: walks the load commands' segments for the `__go_buildinfo` section (Go ≥ 1.18 names it so). */
function machoBuildInfo(file: Buffer): Buffer | undefined {
  const magic = file.readUInt32LE(0);
  const is64 = magic === 0xfeedfacf;
  const commands = file.readUInt32LE(16);
  let at = is64 ? 32 : 28;
  for (let index = 0; index < commands && at + 8 <= file.length; index++) {
    const command = file.readUInt32LE(at);
    const size = file.readUInt32LE(at + 4);
    if (command === (is64 ? LC_SEGMENT_64 : LC_SEGMENT)) {
      const sectionCount = file.readUInt32LE(at + (is64 ? 64 : 48));
      let section = at + (is64 ? 72 : 56);
      for (let s = 0; s < sectionCount; s++, section += is64 ? 80 : 68) {
        const name = file.toString('latin1', section, section + 16).replace(/\0.*$/s, '');
        if (name !== '__go_buildinfo') continue;
        const sectionSize = is64 ? Number(file.readBigUInt64LE(section + 40)) : file.readUInt32LE(section + 36);
        const offset = file.readUInt32LE(section + (is64 ? 48 : 40));
        return file.subarray(offset, offset + sectionSize);
      }
    }
    if (size < 8) break;
    at += size;
  }
  return undefined;
}

/** Mach-O CPU types of the architectures Go builds for macOS. */
const machoCpuTypes: Record<string, number> = { x64: 0x01000007, arm64: 0x0100000c };

/**
 * A fat Mach-O's slice for `arch` (Node's `process.arch`), else its first
 * slice: the slices of one plugin are built alike, and a foreign-architecture
 * plugin is then refused by its GOARCH.
 */
function fatSlice(file: Buffer, arch: string): Buffer | undefined {
  const wide = file.readUInt32BE(0) === 0xcafebabf;
  const count = file.readUInt32BE(4);
  const entrySize = wide ? 32 : 20;
  if (count === 0 || count > 32 || 8 + count * entrySize > file.length) return undefined;
  const slices = Array.from({ length: count }, (_, index) => {
    const at = 8 + index * entrySize;
    const offset = wide ? Number(file.readBigUInt64BE(at + 8)) : file.readUInt32BE(at + 8);
    const size = wide ? Number(file.readBigUInt64BE(at + 16)) : file.readUInt32BE(at + 12);
    return { cpu: file.readUInt32BE(at), offset, size };
  });
  const chosen = slices.find((slice) => slice.cpu === machoCpuTypes[arch]) ?? slices[0]!;
  return chosen.offset + chosen.size <= file.length ? file.subarray(chosen.offset, chosen.offset + chosen.size) : undefined;
}

/** The binary in `file` (ELF, Mach-O or fat Mach-O) and its build-info section; undefined for any other file. */
export function binaryImage(file: Buffer, arch: string = process.arch): BinaryImage | undefined {
  if (file.length < 64) return undefined;
  if (file.readUInt32BE(0) === 0x7f454c46) return { image: file, buildInfo: elfBuildInfo(file) };
  const magic = file.readUInt32LE(0);
  if (magic === 0xfeedfacf || magic === 0xfeedface) return { image: file, buildInfo: machoBuildInfo(file) };
  const fatMagic = file.readUInt32BE(0);
  if (fatMagic === 0xcafebabe || fatMagic === 0xcafebabf) {
    const slice = fatSlice(file, arch);
    return slice && slice.length >= 64 ? binaryImage(slice, arch) : undefined;
  }
  return undefined;
}
