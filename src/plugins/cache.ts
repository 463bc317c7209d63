import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { PluginError } from '../errors.js';
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
  return path.join(projectPluginDirectory(projectDirectory), md5Hex(packageKey), `${path.basename(packageDirectory)}.so`);
}

/** Folder holding every downloaded release of one GitHub repository; `location` is `host/owner/repo`. */
export function githubCacheDirectory(location: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(githubStorageDirectory(env), md5Hex(location));
}

export function githubStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'github');
}

export function httpStorageDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'http');
}

export function httpCachePath(url: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(httpStorageDirectory(env), md5Hex(url), 'plugin.so');
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Produces `destination` atomically: `produce` writes a temporary file in the
 * same folder (so the rename cannot cross file systems), then it is renamed
 * into place. The temporary name ends in `.partial`, so a download or build
 * killed half-way never leaves a file that looks like a plugin.
 */
export async function writeAtomically(destination: string, produce: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true });
  const temporaryPath = `${destination}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  try {
    await produce(temporaryPath);
    await rename(temporaryPath, destination);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
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
 * `gilbert clean`, as Gilbert: no flag → `Nothing to clear!`; `--all` removes
 * the storage directory; `--plugins` the downloaded plugins in it. Both also
 * remove what gilbert-ts adds: the project's go:// builds
 * (`<project>/.gilbert/plugins`, which Gilbert kept) and, for `--plugins`,
 * the shims built to match plugins. `Done!` ends every run, as in Gilbert.
 */
export async function cleanStorage(
  options: { all?: boolean; plugins?: boolean },
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  projectDirectory = process.cwd(),
): Promise<void> {
  if (!options.all && !options.plugins) {
    log.log('Nothing to clear!');
  } else {
    log.log(options.all ? 'Clearing Gilbert storage...' : 'Clearing downloaded plugins...');
    const targets = options.all ? [storageDirectory(env)] : [pluginStorageDirectory(env), shimStorageDirectory(env)];
    for (const target of [...targets, projectPluginDirectory(projectDirectory)]) {
      log.debug(`Removing '${target}'`);
      await rm(target, { recursive: true, force: true });
    }
    // .gilbert held only plugins: an empty one is left from this clean, not kept by the user.
    await rmdir(path.dirname(projectPluginDirectory(projectDirectory))).catch(() => undefined);
  }
  log.success('Done!');
}
