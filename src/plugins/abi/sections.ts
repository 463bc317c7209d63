/**
 * Finds a Go binary's build-info section and its pclntab in the two formats
 * Go plugins come in: ELF (Linux, FreeBSD) and Mach-O (macOS), including
 * universal ("fat") Mach-O files holding one binary per architecture.
 * Reading the headers here needs no Go toolchain, and works on a macOS plugin
 * examined on Linux. Only the headers are read, through positioned reads: a
 * plugin or shim is 5–10 MB, of which the build info is a few hundred bytes.
 */
import type { FileHandle } from 'node:fs/promises';

/** Where a section lies in the file. */
export interface FileRange {
  offset: number;
  size: number;
}

/** Where one binary's sections lie: the whole file, or one architecture's slice of a fat Mach-O. */
export interface BinaryLayout {
  /** the binary itself (a fat file's slice for one architecture) */
  image: FileRange;
  /** the `.go.buildinfo` / `__go_buildinfo` section, when present */
  buildInfo?: FileRange;
  /** the `.gopclntab` / `__gopclntab` section (function and file tables), when present */
  pclntab?: FileRange;
  /** ELF `.data.rel.ro`: where Go before 1.26 puts the pclntab of a plugin or c-shared library */
  relro?: FileRange;
}

/** `length` bytes at `offset` of the file (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Positioned reads from an open file. */
export function readerOf(handle: FileHandle): ReadAt {
  return async (offset, length) => {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  };
}

/** A section table refusing more than this is not one a Go linker wrote. */
const maxHeaderBytes = 1 << 20;

const wanted: Record<string, keyof Omit<BinaryLayout, 'image'>> = {
  '.go.buildinfo': 'buildInfo',
  '.gopclntab': 'pclntab',
  __go_buildinfo: 'buildInfo',
  __gopclntab: 'pclntab',
  '.data.rel.ro': 'relro',
};

/** Keeps a named section when it is one we want and lies inside the image. */
function keep(layout: BinaryLayout, name: string, offset: number, size: number): void {
  const key = wanted[name];
  if (!key || layout[key] || offset + size > layout.image.size) return;
  layout[key] = { offset: layout.image.offset + offset, size };
}

async function elfLayout(read: ReadAt, image: FileRange, header: Buffer): Promise<BinaryLayout | undefined> {
  const is64 = header[4] === 2;
  const littleEndian = header[5] === 1;
  const u16 = (data: Buffer, at: number) => (littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (data: Buffer, at: number) => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const word = (data: Buffer, at: number) =>
    is64 ? Number(littleEndian ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at)) : u32(data, at);
  const sectionTable = word(header, is64 ? 0x28 : 0x20);
  const entrySize = u16(header, is64 ? 0x3a : 0x2e);
  const count = u16(header, is64 ? 0x3c : 0x30);
  const namesIndex = u16(header, is64 ? 0x3e : 0x32);
  const tableSize = count * entrySize;
  if (!sectionTable || entrySize < (is64 ? 0x28 : 0x18) || tableSize > maxHeaderBytes || sectionTable + tableSize > image.size) return undefined;
  const table = await read(image.offset + sectionTable, tableSize);
  if (table.length < tableSize) return undefined;
  const sections = Array.from({ length: count }, (_, index) => {
    const at = index * entrySize;
    return { nameOffset: u32(table, at), offset: word(table, at + (is64 ? 0x18 : 0x10)), size: word(table, at + (is64 ? 0x20 : 0x14)) };
  });
  const names = sections[namesIndex];
  if (!names || names.size > maxHeaderBytes || names.offset + names.size > image.size) return undefined;
  const nameTable = await read(image.offset + names.offset, names.size);
  const layout: BinaryLayout = { image };
  for (const section of sections) {
    const end = nameTable.indexOf(0, section.nameOffset);
    if (end < 0) continue;
    keep(layout, nameTable.toString('latin1', section.nameOffset, end), section.offset, section.size);
  }
  return layout;
}

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;

/** A thin Mach-O: walks the load commands' segments for `__go_buildinfo` (Go ≥ 1.18 names it so) and `__gopclntab`. */
async function machoLayout(read: ReadAt, image: FileRange, header: Buffer): Promise<BinaryLayout | undefined> {
  const is64 = header.readUInt32LE(0) === 0xfeedfacf;
  const commands = header.readUInt32LE(16);
  const commandsSize = header.readUInt32LE(20);
  const start = is64 ? 32 : 28;
  if (commandsSize > maxHeaderBytes || start + commandsSize > image.size) return undefined;
  const data = await read(image.offset + start, commandsSize);
  const layout: BinaryLayout = { image };
  let at = 0;
  for (let index = 0; index < commands && at + 8 <= data.length; index++) {
    const command = data.readUInt32LE(at);
    const size = data.readUInt32LE(at + 4);
    if (size < 8 || at + size > data.length) break;
    if (command === (is64 ? LC_SEGMENT_64 : LC_SEGMENT)) {
      const sectionCount = data.readUInt32LE(at + (is64 ? 64 : 48));
      const entrySize = is64 ? 80 : 68;
      let section = at + (is64 ? 72 : 56);
      for (let s = 0; s < sectionCount && section + entrySize <= at + size; s++, section += entrySize) {
        const name = data.toString('latin1', section, section + 16).replace(/\0.*$/s, '');
        const sectionSize = is64 ? Number(data.readBigUInt64LE(section + 40)) : data.readUInt32LE(section + 36);
        const offset = data.readUInt32LE(section + (is64 ? 48 : 40));
        keep(layout, name, offset, sectionSize);
      }
    }
    at += size;
  }
  return layout;
}

/** Mach-O CPU types of the architectures Go builds for macOS. */
const machoCpuTypes: Record<string, number> = { x64: 0x01000007, arm64: 0x0100000c };

/**
 * A fat Mach-O's slice for `arch` (Node's `process.arch`), else its first
 * slice: the slices of one plugin are built alike, and a foreign-architecture
 * plugin is then refused by its GOARCH.
 */
async function fatSlice(read: ReadAt, image: FileRange, header: Buffer, arch: string): Promise<FileRange | undefined> {
  const wide = header.readUInt32BE(0) === 0xcafebabf;
  const count = header.readUInt32BE(4);
  const entrySize = wide ? 32 : 20;
  if (count === 0 || count > 32 || 8 + count * entrySize > image.size) return undefined;
  const table = await read(image.offset + 8, count * entrySize);
  if (table.length < count * entrySize) return undefined;
  const slices = Array.from({ length: count }, (_, index) => {
    const at = index * entrySize;
    const offset = wide ? Number(table.readBigUInt64BE(at + 8)) : table.readUInt32BE(at + 8);
    const size = wide ? Number(table.readBigUInt64BE(at + 16)) : table.readUInt32BE(at + 12);
    return { cpu: table.readUInt32BE(at), offset, size };
  });
  const chosen = slices.find((slice) => slice.cpu === machoCpuTypes[arch]) ?? slices[0]!;
  return chosen.offset + chosen.size <= image.size ? { offset: image.offset + chosen.offset, size: chosen.size } : undefined;
}

/**
 * Where the binary in the file of `fileSize` bytes (ELF, Mach-O or fat
 * Mach-O) keeps its build-info section and pclntab; undefined for any other file.
 */
export async function binaryLayout(read: ReadAt, fileSize: number, arch: string = process.arch): Promise<BinaryLayout | undefined> {
  return layoutOf(read, { offset: 0, size: fileSize }, arch, true);
}

async function layoutOf(read: ReadAt, image: FileRange, arch: string, fatAllowed: boolean): Promise<BinaryLayout | undefined> {
  if (image.size < 64) return undefined;
  const header = await read(image.offset, 64);
  if (header.length < 64) return undefined;
  if (header.readUInt32BE(0) === 0x7f454c46) return elfLayout(read, image, header);
  const magic = header.readUInt32LE(0);
  if (magic === 0xfeedfacf || magic === 0xfeedface) return machoLayout(read, image, header);
  const fatMagic = header.readUInt32BE(0);
  if (fatAllowed && (fatMagic === 0xcafebabe || fatMagic === 0xcafebabf)) {
    const slice = await fatSlice(read, image, header, arch);
    return slice ? layoutOf(read, slice, arch, false) : undefined;
  }
  return undefined;
}

/** The pclntab magics of Go 1.16, 1.18 and 1.20+ (little-endian targets). */
const pclntabMagics = new Set([0xfffffffb, 0xfffffffa, 0xfffffff1]);

/**
 * The pclntab inside `section` (a plugin's `.data.rel.ro` before Go 1.26),
 * found by its header: a known magic, two zero bytes, the instruction size
 * quantum and the pointer size, at an 8-byte boundary. Read in chunks, as it
 * usually starts in the section's first few hundred KB.
 */
export async function findPclntab(read: ReadAt, section: FileRange): Promise<FileRange | undefined> {
  const chunkSize = 1 << 18;
  const end = section.offset + section.size;
  for (let start = section.offset - (section.offset % 8); start < end; start += chunkSize) {
    const chunk = await read(start, Math.min(chunkSize + 8, end - start));
    for (let at = 0; at + 8 <= Math.min(chunk.length, chunkSize); at += 8) {
      if (chunk[at + 3] !== 0xff || chunk[at + 4] !== 0 || chunk[at + 5] !== 0 || !pclntabMagics.has(chunk.readUInt32LE(at))) continue;
      if (![1, 2, 4].includes(chunk[at + 6]!) || (chunk[at + 7] !== 4 && chunk[at + 7] !== 8)) continue;
      const candidate = { offset: start + at, size: end - (start + at) };
      if ((await fileTableRange(read, candidate)) !== candidate) return candidate;
    }
  }
  return undefined;
}

/**
 * The pclntab's file table (Go ≥ 1.16: the NUL-separated source file names
 * every function's position refers to), located through the table's header;
 * the whole pclntab when the header is of a layout not known here.
 */
export async function fileTableRange(read: ReadAt, pclntab: FileRange): Promise<FileRange> {
  const header = await read(pclntab.offset, 8 + 8 * 8);
  if (header.length < 16) return pclntab;
  const magic = header.readUInt32LE(0);
  const pointerSize = header[7]!;
  // 1.16–1.17: nfunc, nfiles, then the offsets; 1.18 and 1.20 add textStart before them
  const firstOffset = magic === 0xfffffffb ? 2 : magic === 0xfffffffa || magic === 0xfffffff1 ? 3 : -1;
  if (firstOffset < 0 || (pointerSize !== 4 && pointerSize !== 8) || header.length < 8 + (firstOffset + 4) * pointerSize) return pclntab;
  const field = (index: number) => (pointerSize === 8 ? Number(header.readBigUInt64LE(8 + index * 8)) : header.readUInt32LE(8 + index * 4));
  // funcnametab, cutab, filetab, pctab follow one another
  const filetab = field(firstOffset + 2);
  const pctab = field(firstOffset + 3);
  if (filetab <= 0 || pctab <= filetab || pctab > pclntab.size) return pclntab;
  return { offset: pclntab.offset + filetab, size: pctab - filetab };
}
