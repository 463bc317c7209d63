import { open } from 'node:fs/promises';
import { binaryLayout, fileTableRange, findPclntab, readerOf } from './sections.js';
import { moduleSourceDirectories } from './sourcedirs.js';

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
  /** module path → the folder its sources were compiled from, as the binary records it (see sourcedirs.ts) */
  sourceDirectories?: Map<string, string>;
}

const magic = Buffer.from('\xff Go buildinf:', 'latin1');

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
 * Reads the build info of a Go binary (ELF, Mach-O or fat Mach-O); undefined
 * when the file is none of those or carries none (a C library, a Go build
 * older than 1.18). Only the inline layout of Go >= 1.18 is understood.
 * Reads the headers, the build-info section and the pclntab's file table
 * (for sourceDirectories), not the whole file.
 */
export async function readGoBuildInfo(file: string): Promise<GoBuildInfo | undefined> {
  const handle = await open(file, 'r');
  try {
    const read = readerOf(handle);
    const layout = await binaryLayout(read, (await handle.stat()).size);
    if (!layout?.buildInfo) return undefined;
    const info = parseBuildInfo(await read(layout.buildInfo.offset, layout.buildInfo.size));
    if (!info) return undefined;
    // Without a pclntab (not a Go layout known here), the file names are looked for in the whole image.
    const pclntab = layout.pclntab ?? (layout.relro && (await findPclntab(read, layout.relro)));
    const names = pclntab ? await fileTableRange(read, pclntab) : layout.image;
    info.sourceDirectories = moduleSourceDirectories(await read(names.offset, names.size), info.deps);
    return info;
  } finally {
    await handle.close();
  }
}

/** The contents of a `.go.buildinfo` section; undefined when it is not of the inline layout of Go >= 1.18. */
function parseBuildInfo(body: Buffer): GoBuildInfo | undefined {
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
