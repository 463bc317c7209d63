import { createReadStream, type BigIntStats } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from '../system/crypto.js';
import { GilbertError, PluginError } from '../errors.js';
import type { Logger } from '../log/logger.js';

/**
 * Where plugins are kept, with Gilbert's layout (spec §7) so that a user
 * moving from Gilbert finds the same folders:
 *   go://    <project>/.gilbert/plugins/<md5 of package path>/<dir name>.so
 *   github:// <storage>/plugins/github/<md5 of host/owner/repo>/<tag>/<asset>
 *   http(s):// <storage>/plugins/http/<md5 of URL>/plugin.so
 *   shims     <storage>/shims/<hash of what the shim matches>/libgilbert_shim.so
 */

/** `$GILBERT_HOME`, else `~/.gilbert`. */
export function storageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GILBERT_HOME;
  return fromEnv ? path.resolve(fromEnv) : path.join(homedir(), '.gilbert');
}

export function pluginStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(storageDirectory(env), 'plugins');
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/**
 * One cache path segment made from text that comes from outside (a release
 * tag from the GitHub API, a `?version=` from the manifest): percent-encoded,
 * so it holds no separator, and with a leading dot encoded, so it is never
 * `.`, `..` or a hidden temporary. Ordinary tags (`v1.2.3`) stay as written.
 */
export function cacheSegment(text: string): string {
  if (!text) throw new PluginError('an empty name cannot be part of a cache path');
  const encoded = encodeURIComponent(text).replace(/^\./, '%2E');
  // File names are limited to 255 bytes; a longer one keeps a readable start and a hash for uniqueness.
  return encoded.length > 200 ? `${encoded.slice(0, 160)}-${md5Hex(text)}` : encoded;
}

/** `candidate` if it lies strictly inside `root` once both are resolved; a PluginError otherwise. */
export function insideRoot(root: string, candidate: string): string {
  const resolvedRoot = path.resolve(root);
  const resolved = path.resolve(candidate);
  const relative = path.relative(resolvedRoot, resolved);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new PluginError(`refusing to use '${resolved}': it is outside the plugin cache '${resolvedRoot}'`, {
      hint: 'a cache path is made only of sanitised parts, so this is a bug in gilbert-ts: please report it with the plugin URL',
    });
  }
  return resolved;
}

/**
 * insideRoot, after symbolic links too: the deepest existing ancestor of
 * `candidate` must really be inside the real `root`, so that a link planted
 * in the cache cannot send a write or a load elsewhere.
 */
export async function reallyInsideRoot(root: string, candidate: string): Promise<string> {
  const resolved = insideRoot(root, candidate);
  const realRoot = await realpath(root).catch(() => path.resolve(root));
  let existing = resolved;
  let rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      insideRoot(realRoot, path.join(real, ...rest));
      return resolved;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new PluginError(`cannot keep plugins in '${root}': it, or a folder in it, is a file`, {
          hint: 'point GILBERT_HOME at a folder (the default is ~/.gilbert), or move that file away',
        });
      }
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existing === path.dirname(existing)) throw error;
      rest = [path.basename(existing), ...rest];
      existing = path.dirname(existing);
    }
  }
}

/** Where go:// builds of the project in `projectDirectory` go: Gilbert's project-local plugin storage. */
export function projectPluginDirectory(projectDirectory: string): string {
  return path.join(projectDirectory, '.gilbert', 'plugins');
}

/** Shims built to match plugins (abi/shim.ts), with the `.build-*` folders they are built in. */
export function shimStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(storageDirectory(env), 'shims');
}

/** Project-local output of a go:// build; `packageKey` is the package path as the manifest gives it. */
export function goPluginCachePath(projectDirectory: string, packageKey: string, packageDirectory: string): string {
  const root = projectPluginDirectory(projectDirectory);
  return insideRoot(root, path.join(root, md5Hex(packageKey), cacheSegment(`${path.basename(packageDirectory)}.so`)));
}

/** Folder holding every downloaded release of one GitHub repository; `location` is `host/owner/repo`. */
export function githubCacheDirectory(location: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(githubStorageDirectory(env), md5Hex(location));
}

/** Folder of one release (`tag` as the API or the manifest gives it, sanitised), checked to stay in the github cache. */
export function githubReleaseDirectory(location: string, tag: string, env: NodeJS.ProcessEnv = process.env): string {
  return insideRoot(githubStorageDirectory(env), path.join(githubCacheDirectory(location, env), cacheSegment(tag)));
}

/** Where one asset of one release is kept. */
export function githubAssetPath(location: string, tag: string, assetName: string, env: NodeJS.ProcessEnv = process.env): string {
  return insideRoot(githubStorageDirectory(env), path.join(githubReleaseDirectory(location, tag, env), cacheSegment(assetName)));
}

export function githubStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'github');
}

export function httpStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'http');
}

export function httpCachePath(url: string, env: NodeJS.ProcessEnv = process.env): string {
  return insideRoot(httpStorageDirectory(env), path.join(httpStorageDirectory(env), md5Hex(url), 'plugin.so'));
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The sidecar holding the sha256 an artifact had when it was written into the cache. */
export function checksumRecordPath(file: string): string {
  return `${file}.sha256`;
}

/**
 * Produces `destination` atomically: `produce` writes a temporary file in the
 * same folder (so the rename cannot cross file systems), then it is renamed
 * into place. The temporary name ends in `.partial`, so a download or build
 * killed half-way never leaves a file that looks like a plugin. The file's
 * sha256 is recorded beside it (see verifyCachedFile); the record is written
 * first, so an interruption leaves an entry that fails verification rather
 * than one that passes it with the wrong bytes. Once the file is in place the
 * record gains the file's identity, so later runs need not hash it again.
 */
export async function writeAtomically(destination: string, produce: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const temporaryPath = `${destination}.${suffix}`;
  const temporaryRecord = `${checksumRecordPath(destination)}.${suffix}`;
  try {
    await produce(temporaryPath);
    const sha256 = await sha256OfFile(temporaryPath);
    await writeFile(temporaryRecord, `${sha256}\n`);
    await rename(temporaryRecord, checksumRecordPath(destination));
    await rename(temporaryPath, destination);
    await writeChecksumRecord(destination, sha256);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    await rm(temporaryRecord, { force: true });
    throw error;
  }
}

/**
 * What tells a file's bytes apart without reading them: device, inode, size,
 * and mtime and ctime in nanoseconds. Any write to the file (a bit flip by a
 * program, a copy over it, a truncation) moves its ctime, which no system
 * call can set back — the same stat check git's index trusts.
 */
function identityOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/** Records `sha256` beside `file` with the file's current identity (atomically: a torn record only costs a re-hash). */
async function writeChecksumRecord(file: string, sha256: string): Promise<void> {
  const identity = identityOf(await stat(file, { bigint: true }));
  const temporaryRecord = `${checksumRecordPath(file)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  await writeFile(temporaryRecord, `${sha256}\n${identity}\n`);
  await rename(temporaryRecord, checksumRecordPath(file));
}

/**
 * Whether the cached `file` is usable: it exists and still has the sha256
 * recorded when it was written. A plugin whose bytes changed on disk (a
 * half-copied backup, a hand edit, a program writing over it) would be handed
 * to plugin.Open, which can take the whole process down without a word; such
 * an entry, or one without a record (written by Gilbert or an older
 * gilbert-ts), is removed with a warning so that the caller fetches or
 * builds it again. A file whose identity (see identityOf) is the one recorded
 * when it was last hashed is not hashed again: hashing a 6 MB plugin cost
 * 22–26 ms of every run that used a cached plugin.
 */
export async function verifyCachedFile(file: string, log: Logger): Promise<boolean> {
  const info = await stat(file, { bigint: true }).catch(() => undefined);
  if (!info?.isFile()) return false;
  const [recorded = '', recordedIdentity] = (await readFile(checksumRecordPath(file), 'utf8').catch(() => '')).trim().split('\n');
  if (recorded && recordedIdentity === identityOf(info)) return true;
  const actual = await sha256OfFile(file);
  if (recorded === actual) {
    await writeChecksumRecord(file, actual).catch(() => {}); // only a speed-up: without it the next run hashes again
    return true;
  }
  if (recorded) {
    log.warn(`Cached plugin '${file}' is corrupted: its sha256 is ${actual}, but ${recorded} was recorded when it was written; removing it, then downloading or building it again`);
  } else {
    log.info(`Cached plugin '${file}' has no recorded checksum (written by Gilbert or an older gilbert-ts); downloading or building it again`);
  }
  await evictCachedFile(file);
  return false;
}

/** Removes a cache entry and its checksum record. */
export async function evictCachedFile(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(checksumRecordPath(file), { force: true });
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Throws when `file` does not have the sha256 the plugin URL pins. */
export async function verifySha256(file: string, expected: string, url: string): Promise<void> {
  const actual = await sha256OfFile(file);
  if (actual !== expected.toLowerCase()) {
    throw new PluginError(`sha256 of the plugin from '${url}' is ${actual}, but the URL pins ${expected}`, {
      hint: 'the file changed since the pin was written: check where it comes from, then update `sha256=` in the URL',
    });
  }
}

/** Temporaries older than this belong to a download or build that was killed: nothing live takes that long. */
export const staleTemporaryAgeMs = 60 * 60 * 1000;
const swept = new Set<string>();

function isTemporary(name: string): boolean {
  return name.endsWith('.partial') || name.startsWith('.build-');
}

/**
 * Removes what killed downloads and builds left in `root` (`*.partial`
 * files of writeAtomically, `.build-*` folders of shim builds), once per
 * process and root, when a source is about to use that cache. Only entries
 * older than an hour go: a younger one may belong to a gilbert running now.
 */
export async function sweepStaleTemporaries(root: string, log: Logger, now = Date.now()): Promise<void> {
  if (swept.has(root)) return;
  swept.add(root);
  for (const entry of await findTemporaries(root, 4)) {
    try {
      if (now - (await stat(entry)).mtimeMs < staleTemporaryAgeMs) continue;
      await rm(entry, { recursive: true, force: true });
      log.debug(`Removed '${entry}', left by a download or build that did not finish`);
    } catch {
      // Another gilbert swept it first, or it cannot be removed: neither stops this run.
    }
  }
}

/** Temporaries under `directory`, down to `depth` levels (the caches are shallow); a .build-* folder is not entered. */
async function findTemporaries(directory: string, depth: number): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(directory, entry.name);
    if (isTemporary(entry.name)) found.push(entryPath);
    else if (entry.isDirectory() && depth > 1) found.push(...(await findTemporaries(entryPath, depth - 1)));
  }
  return found;
}

/**
 * The file that says "gilbert-ts created this folder". `gilbert clean`
 * deletes a storage folder only when it holds this marker (or is the
 * default `~/.gilbert`, Gilbert's own): `GILBERT_HOME=. gilbert clean --all`
 * must not delete a project, nor `GILBERT_HOME=$HOME` a home folder.
 */
export const storageMarkerName = '.gilbert-ts-storage';
const markerText = 'This folder was created by gilbert-ts to keep plugins; `gilbert clean --all` may delete it.\n';

/**
 * Creates the storage folder before anything is cached in it, with the
 * marker when gilbert-ts creates it (or finds it empty). A folder that
 * exists with other content is used as it is, without a marker: clean
 * then refuses to delete it.
 */
export async function prepareStorage(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const root = storageDirectory(env);
  await mkdir(path.dirname(root), { recursive: true });
  const created = await mkdir(root).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    },
  );
  if (created || (await readdir(root)).length === 0) await writeFile(path.join(root, storageMarkerName), markerText, { flag: 'wx' }).catch(() => undefined);
  return root;
}

/** Creates the project's go:// build folder with the marker, so that clean knows it as gilbert's. */
export async function prepareProjectPluginDirectory(projectDirectory: string): Promise<string> {
  const directory = projectPluginDirectory(projectDirectory);
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, storageMarkerName), markerText, { flag: 'wx' }).catch(() => undefined);
  return directory;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Why `directory` must not be deleted, or undefined when gilbert-ts made it. */
async function whyNotOurs(directory: string, env: NodeJS.ProcessEnv, cwd: string, kind: 'storage' | 'project'): Promise<string | undefined> {
  const real = await realpath(directory).catch(() => path.resolve(directory));
  const home = await realpath(homedir()).catch(() => homedir());
  const realCwd = await realpath(cwd).catch(() => path.resolve(cwd));
  // Never, marker or not: the file system root, the home folder, or a folder holding the current one.
  if (real === path.parse(real).root) return 'it is the root of the file system';
  if (real === home) return 'it is your home folder';
  if (real === realCwd || realCwd.startsWith(`${real}${path.sep}`)) return 'it holds the current folder';
  if (await exists(path.join(directory, storageMarkerName))) return undefined;
  if (kind === 'storage') {
    // Gilbert's default folder (and that of gilbert-ts before the marker): named for gilbert, inside the home folder.
    if (!env.GILBERT_HOME && path.resolve(directory) === path.join(homedir(), '.gilbert')) return undefined;
    return `gilbert-ts did not create it (it has no '${storageMarkerName}' file)`;
  }
  // A project's .gilbert/plugins from Gilbert: md5-named build folders only.
  const entries = (await readdir(directory).catch(() => [] as string[])).filter((name) => !isTemporary(name));
  const foreign = entries.filter((name) => !/^[0-9a-f]{32}$/.test(name));
  return foreign.length ? `it holds files gilbert does not make there (${foreign.slice(0, 3).map((name) => `'${name}'`).join(', ')}) and no '${storageMarkerName}' file` : undefined;
}

/**
 * `gilbert clean`, as Gilbert: no flag → `Nothing to clear!`; `--all` removes
 * the storage directory; `--plugins` the downloaded plugins in it. Both also
 * remove what gilbert-ts adds: the project's go:// builds
 * (`<project>/.gilbert/plugins`, which Gilbert kept) and, for `--plugins`,
 * the shims built to match plugins. `Done!` ends every run, as in Gilbert.
 * Every folder is checked first (whyNotOurs): if one is not gilbert's,
 * nothing is deleted and the error says which folder and why.
 */
export async function cleanStorage(
  options: { all?: boolean; plugins?: boolean },
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  projectDirectory = process.cwd(),
): Promise<void> {
  if (!options.all && !options.plugins) {
    log.log('Nothing to clear!');
    log.success('Done!');
    return;
  }
  const root = storageDirectory(env);
  const projectPlugins = projectPluginDirectory(projectDirectory);
  const checks: [string, 'storage' | 'project'][] = [
    [root, 'storage'],
    [projectPlugins, 'project'],
  ];
  for (const [directory, kind] of checks) {
    if (!(await exists(directory))) continue;
    const reason = await whyNotOurs(directory, env, projectDirectory, kind);
    if (reason) {
      throw new GilbertError(`refusing to delete '${path.resolve(directory)}': ${reason}`, {
        hint:
          kind === 'storage'
            ? 'GILBERT_HOME must name a folder used only by gilbert (e.g. ~/.gilbert); delete what you want removed yourself'
            : 'move your own files out of .gilbert/plugins, or delete what you want removed yourself',
      });
    }
  }
  log.log(options.all ? 'Clearing Gilbert storage...' : 'Clearing downloaded plugins...');
  const targets = options.all ? [root] : [pluginStorageDirectory(env), shimStorageDirectory(env)];
  for (const target of [...targets, projectPlugins]) {
    log.debug(`Removing '${target}'`);
    await rm(target, { recursive: true, force: true });
  }
  // .gilbert held only plugins: an empty one is left from this clean, not kept by the user.
  await rmdir(path.dirname(projectPlugins)).catch(() => undefined);
  log.success('Done!');
}
