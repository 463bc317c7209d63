import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
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

/** Project-local output of a go:// build; `packageKey` is the package path as the manifest gives it. */
export function goPluginCachePath(projectDirectory: string, packageKey: string, packageDirectory: string): string {
  return path.join(projectDirectory, '.gilbert', 'plugins', md5Hex(packageKey), `${path.basename(packageDirectory)}.so`);
}

/** Folder holding every downloaded release of one GitHub repository; `location` is `host/owner/repo`. */
export function githubCacheDirectory(location: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'github', md5Hex(location));
}

export function httpCachePath(url: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(pluginStorageDirectory(env), 'http', md5Hex(url), 'plugin.so');
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

/** `gilbert clean`: `all` removes the storage directory, `plugins` only the downloaded plugins. */
export async function cleanStorage(options: { all?: boolean; plugins?: boolean }, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!options.all && !options.plugins) {
    log.info('Nothing to clear!');
    return;
  }
  const target = options.all ? storageDirectory(env) : pluginStorageDirectory(env);
  log.debug(`Removing '${target}'`);
  await rm(target, { recursive: true, force: true });
  log.success('Done!');
}
