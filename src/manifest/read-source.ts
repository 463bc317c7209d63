import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A manifest or import is read whole into memory and parsed: a size cap
 * keeps `imports: [/dev/zero]`-like mistakes (or a runaway generated file)
 * from eating all memory. Real manifests are a few kilobytes.
 */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** Why a manifest path cannot be used, in words for the user (load.ts adds the file and importer). */
export class UnreadableManifest extends Error {}

/**
 * Reads a manifest file. Only regular files are read: a FIFO would block
 * until a writer appears and a device may never end, which used to hang
 * `gilbert ls`. O_NONBLOCK makes opening a FIFO return at once, so that
 * fstat can refuse it (it changes nothing for a regular file).
 */
export async function readManifestSource(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnreadableManifest(`it is ${kindOf(info)}, not a regular file`);
    if (info.size > MAX_MANIFEST_BYTES) throw tooLarge();
    // read to the end rather than trust the size: a file can grow after fstat
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(info.size + 1, 64 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_MANIFEST_BYTES) throw tooLarge();
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

function tooLarge(): UnreadableManifest {
  return new UnreadableManifest(`it is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB, the most a manifest may hold`);
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}
