import { readFile } from 'node:fs/promises';

/**
 * What a Go binary says about how it was built: the `.go.buildinfo` section
 * that `go version -m` prints. Measured with Go 1.26: `-buildmode=plugin`
 * and `-buildmode=c-shared` libraries both carry it (Go 1.19 plugins did
 * not), with the toolchain, every module and its version, and the build
 * settings, `-trimpath=true` among them. Reading it here needs no Go
 * toolchain, so a diagnosis can say what a plugin needs even without one.
 */
export interface GoBuildInfo {
  /** e.g. `go1.26.8` */
  goVersion: string;
  /** main package path */
  path?: string;
  /** module path → version, with `=> replacement version` when replaced */
  deps: Map<string, string>;
  /** `build` lines: `-trimpath`, `-tags`, `GOARCH`, `CGO_ENABLED`, … */
  settings: Map<string, string>;
}

const magic = Buffer.from('\xff Go buildinf:', 'latin1');

interface ElfSection {
  name: string;
  offset: number;
  size: number;
}

function elfSections(file: Buffer): ElfSection[] | undefined {
  if (file.length < 64 || file.readUInt32BE(0) !== 0x7f454c46) return undefined;
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
  const raw = Array.from({ length: count }, (_, index) => {
    const at = sectionTable + index * entrySize;
    return { nameOffset: u32(at), offset: word(at + (is64 ? 0x18 : 0x10)), size: word(at + (is64 ? 0x20 : 0x14)) };
  });
  const names = raw[namesIndex];
  if (!names) return undefined;
  return raw.map((section) => {
    const start = names.offset + section.nameOffset;
    const end = file.indexOf(0, start);
    return { name: file.toString('latin1', start, end), offset: section.offset, size: section.size };
  });
}

function readUvarint(data: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let index = at; index < data.length; index++) {
    const byte = data[index]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, index + 1];
    shift += 7;
  }
  throw new Error('truncated varint');
}

/** Parses the text `go version -m` prints after the first line (the module info). */
export function parseModuleInfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: new Map(), settings: new Map() };
  let lastDep: string | undefined;
  for (const line of modinfo.split('\n')) {
    const [kind, first = '', second = ''] = line.split('\t');
    if (kind === 'path') info.path = first;
    else if (kind === 'dep') info.deps.set((lastDep = first), second);
    else if (kind === '=>' && lastDep) info.deps.set(lastDep, `${info.deps.get(lastDep)} => ${first} ${second}`.trimEnd());
    else if (kind === 'build') {
      const equals = first.indexOf('=');
      if (equals < 0) info.settings.set(first, 'true');
      else info.settings.set(first.slice(0, equals), first.slice(equals + 1));
    }
  }
  return info;
}

/**
 * Reads the build info of an ELF Go binary; undefined when the file is not
 * ELF or carries none (Go older than 1.24 plugins, a C library). Only the
 * inline layout of Go >= 1.18 is understood, which is all that plugins with
 * build info use.
 */
export async function readGoBuildInfo(file: string): Promise<GoBuildInfo | undefined> {
  const data = await readFile(file);
  const section = elfSections(data)?.find((candidate) => candidate.name === '.go.buildinfo');
  if (!section) return undefined;
  const body = data.subarray(section.offset, section.offset + section.size);
  if (body.length < 32 || !body.subarray(0, magic.length).equals(magic)) return undefined;
  const inlineStrings = (body[15]! & 0x2) !== 0;
  if (!inlineStrings) return undefined;
  const [versionLength, versionStart] = readUvarint(body, 32);
  const goVersion = body.toString('utf8', versionStart, versionStart + versionLength);
  const [modLength, modStart] = readUvarint(body, versionStart + versionLength);
  let modinfo = body.toString('latin1', modStart, modStart + modLength);
  // The module info is framed by 16-byte sentinels, as debug/buildinfo strips them.
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n') modinfo = modinfo.slice(16, -16);
  return parseModuleInfo(goVersion, Buffer.from(modinfo, 'latin1').toString('utf8'));
}
