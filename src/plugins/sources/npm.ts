import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { GilbertError, PluginError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { insideRoot, md5Hex, pluginStorageDirectory, prepareStorage, sha256OfFile } from '../cache.js';
import type { PluginArtifact, SourceContext } from './types.js';

/**
 * `npm://` plugins: TypeScript/JavaScript plugins installed with npm into
 * `<storage>/plugins/npm/<md5 of the spec>/`, reused on later runs.
 *
 *   npm://gilbert-plugin-x                 latest version from the registry
 *   npm://gilbert-plugin-x@1.2.3           an exact version (or a tag)
 *   npm://gilbert-plugin-x?version=^1.2    any npm range (query form: `^` is not valid in a URL host)
 *   npm://@scope/plugin@1.0.0              a scoped package
 *   npm:///abs/path/plugin-1.0.0.tgz       a local tarball (`npm pack` output) or package folder
 *   npm://./rel/plugin-1.0.0.tgz           the same, relative to the manifest's folder
 *   …?update=true                          reinstall even when already installed
 *
 * A local tarball is keyed by its content too, so re-packing it installs the new build.
 */

export interface NpmSourceOptions {
  log: Logger;
  signal: AbortSignal;
  /** base of relative local paths (default: the current directory) */
  baseDirectory?: string;
  /** where plugins are kept (default: `$GILBERT_HOME/plugins`, else `~/.gilbert/plugins`) */
  pluginStorageDirectory?: string;
  env?: NodeJS.ProcessEnv;
}

interface NpmSpec {
  /** what `npm install` receives */
  install: string;
  /** a local tarball or folder */
  localPath?: string;
  update: boolean;
}

/** Installs the package an `npm://` URL names (unless already installed) and returns its folder. */
export async function resolveNpmPlugin(url: URL | string, options: NpmSourceOptions): Promise<string> {
  const written = typeof url === 'string' ? url : url.href;
  const spec = parseNpmUrl(url, options.baseDirectory ?? process.cwd());
  const cacheKey = spec.localPath && (await isFile(spec.localPath)) ? `${spec.install}#${await sha256OfFile(spec.localPath)}` : spec.install;
  const storage = options.pluginStorageDirectory ?? pluginStorageDirectory(options.env);
  const installDirectory = insideRoot(storage, path.join(storage, 'npm', md5Hex(cacheKey)));

  if (!spec.update) {
    const installed = await installedPackage(installDirectory);
    if (installed) {
      options.log.debug(`npm plugin '${spec.install}' already installed in '${installDirectory}'`);
      return installed;
    }
  }
  if (spec.localPath && !(await exists(spec.localPath))) {
    throw new PluginError(`npm plugin '${spec.localPath}' does not exist`, {
      hint: `local npm:// paths are resolved from the folder of the manifest that lists them; check '${written}'`,
    });
  }
  if (!options.pluginStorageDirectory) await prepareStorage(options.env);
  await installAtomically(spec.install, installDirectory, options);
  const installed = await installedPackage(installDirectory);
  if (!installed) throw new PluginError(`npm installed '${spec.install}' but no package appeared in '${installDirectory}'`);
  return installed;
}

/** The plugin-source face of `npm://` (see sources/types.ts). */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const folder = await resolveNpmPlugin(context.url.url, {
    log: context.log,
    signal: context.signal,
    baseDirectory: path.dirname(context.ref.declaredIn),
    env: context.env,
  });
  return { kind: 'ts', path: folder };
}

/**
 * WHATWG URL parsing mangles package specs (`npm://a@1.0.0` reads as user `a`
 * at host `1.0.0`; the `@` of a scope vanishes), so the spec is read from the
 * written text when there is one and rebuilt from the URL's parts otherwise.
 */
export function parseNpmUrl(url: URL | string, baseDirectory: string): NpmSpec {
  let body: string;
  let query: URLSearchParams;
  if (typeof url === 'string') {
    const match = /^npm:\/\/([^?#]*)(\?[^#]*)?/i.exec(url.trim());
    if (!match) throw new PluginError(`'${url}' is not an npm:// URL`);
    body = decodeURIComponent(match[1] ?? '');
    query = new URLSearchParams(match[2] ?? '');
  } else {
    body = decodeURIComponent(url.username ? `${url.username}@${url.host}${url.pathname}` : `${url.host}${url.pathname}`);
    query = url.searchParams;
  }
  const update = query.get('update') === 'true';
  const version = query.get('version');

  const localPath = localPathOf(body, baseDirectory);
  if (localPath) return { install: localPath, localPath, update };

  let name = body;
  let inlineVersion: string | undefined;
  const versionAt = body.indexOf('@', 1);
  if (versionAt > 0) {
    name = body.slice(0, versionAt);
    inlineVersion = body.slice(versionAt + 1);
  }
  // The '@' of a scope does not survive URL parsing; a name with one slash can only be scoped.
  if (!name.startsWith('@') && name.split('/').length === 2) name = `@${name}`;
  if (!/^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i.test(name)) {
    throw new PluginError(`'${name}' in '${typeof url === 'string' ? url : url.href}' is not an npm package name`, {
      hint: 'write npm://<package>[@<version>], npm://@scope/<package>, or npm:///absolute/path/to/package.tgz',
    });
  }
  const chosenVersion = version ?? inlineVersion;
  return { install: chosenVersion ? `${name}@${chosenVersion}` : name, update };
}

function localPathOf(body: string, baseDirectory: string): string | undefined {
  const withoutFileScheme = body.replace(/^file:(\/\/)?/, '');
  if (withoutFileScheme.startsWith('/')) return path.normalize(withoutFileScheme);
  if (/^\.\.?(\/|$)/.test(withoutFileScheme)) return path.resolve(baseDirectory, withoutFileScheme);
  return body.startsWith('file:') ? path.resolve(baseDirectory, withoutFileScheme) : undefined;
}

/** The folder of the one package installed in `installDirectory`, if the install completed. */
async function installedPackage(installDirectory: string): Promise<string | undefined> {
  let manifest: { dependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(await readFile(path.join(installDirectory, 'package.json'), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  const [name] = Object.keys(manifest.dependencies ?? {});
  if (!name) return undefined;
  const folder = path.join(installDirectory, 'node_modules', name);
  return (await exists(path.join(folder, 'package.json'))) ? folder : undefined;
}

/** npm installs into a temporary sibling that is renamed into place, so an interrupted install leaves nothing half-made. */
async function installAtomically(install: string, installDirectory: string, options: NpmSourceOptions): Promise<void> {
  const parent = path.dirname(installDirectory);
  await mkdir(parent, { recursive: true });
  const temporary = await mkdtemp(path.join(parent, '.install-'));
  try {
    options.log.info(`Installing npm plugin '${install}'`);
    await runNpm(['install', '--prefix', temporary, '--no-audit', '--no-fund', '--loglevel=error', install], temporary, options);
    const previous = `${installDirectory}.old-${process.pid}`;
    const hadPrevious = await exists(installDirectory);
    if (hadPrevious) await rename(installDirectory, previous);
    try {
      await rename(temporary, installDirectory);
    } catch (error) {
      // Another gilbert finished the same install first: its copy is as good as ours.
      if (!(await installedPackage(installDirectory))) throw error;
    }
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

function runNpm(args: string[], cwd: string, options: NpmSourceOptions): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolvePromise, reject) => {
    const output: string[] = [];
    const child = spawn(npm, args, { cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    const collect = (chunk: Buffer) => output.push(chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') {
        // The runner's reason (e.g. SIGINT) keeps its exit status.
        const reason: unknown = options.signal.reason;
        reject(reason instanceof GilbertError ? reason : new GilbertError(`npm install ${args[args.length - 1]} cancelled`, { cause: error }));
      }
      else reject(new PluginError(`cannot run npm: ${error.message}`, { cause: error, hint: 'npm:// plugins need npm on PATH' }));
    });
    child.on('close', (code, signal) => {
      const text = output.join('').trim();
      if (text) options.log.debug(text);
      if (code === 0) return resolvePromise();
      if (options.signal.aborted) return; // the 'error' event reports the abort
      reject(
        new PluginError(`npm install ${args[args.length - 1]} failed (${signal ? `signal ${signal}` : `exit status ${code}`}):\n${lastLines(text, 15)}`, {
          hint: 'check the package name and version, and that the npm registry is reachable',
        }),
      );
    });
  });
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join('\n');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
