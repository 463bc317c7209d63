import { GilbertError, PluginError } from '../errors.js';
import type { ActionRegistry } from '../actions/registry.js';
import type { Logger } from '../log/logger.js';
import type { PluginRef } from '../manifest/ast.js';
import type { GilbertPlugin } from '../sdk/index.js';
import { verifySha256 } from './cache.js';
import { parsePluginUrl, redactPluginUrl, sourceFor, type GoBuildSettings, type PluginArtifact } from './sources/index.js';

export { cleanStorage, storageDirectory } from './cache.js';
export { parsePluginUrl, redactPluginUrl } from './sources/index.js';
export type { PluginArtifact } from './sources/index.js';

export interface ImportPluginsOptions {
  registry: ActionRegistry;
  log: Logger;
  signal: AbortSignal;
  projectDirectory: string;
  /** defaults to process.env */
  env?: NodeJS.ProcessEnv;
  /** how go:// plugins are built; by default like the shim that loads them */
  goBuild?: GoBuildSettings;
}

type GoLoader = (soPath: string, options?: { shimPath?: string }) => Promise<GilbertPlugin>;

// Not literal imports: loading the Go loader pulls in koffi, which only a Go plugin should pay for.
const goLoaderModule = './go/load.js';
const tsLoaderModule = './ts/load.js';

async function loadArtifact(artifact: PluginArtifact): Promise<GilbertPlugin> {
  if (artifact.kind === 'go') {
    const { loadGoPlugin } = (await import(goLoaderModule)) as { loadGoPlugin: GoLoader };
    return loadGoPlugin(artifact.path);
  }
  const { loadTsPlugin } = (await import(tsLoaderModule)) as { loadTsPlugin: (modulePath: string) => Promise<GilbertPlugin> };
  return loadTsPlugin(artifact.path);
}

/** Schemes that only ever give Go plugins: skipped up front where Go plugins cannot run. */
const goOnlySchemes = new Set(['go', 'github', 'http', 'https']);

/**
 * Fetches or builds what `ref` names, without loading it; undefined when the
 * plugin is skipped on this platform (Go plugins on Windows, with a warning).
 */
export async function resolvePluginArtifact(ref: PluginRef, options: Omit<ImportPluginsOptions, 'registry'>): Promise<PluginArtifact | undefined> {
  const shownUrl = redactPluginUrl(ref.url);
  const url = parsePluginUrl(ref.url);
  const skipGo = process.platform === 'win32';
  const skipWarning = `Go plugins are not supported on Windows; skipping plugin '${shownUrl}'`;
  if (skipGo && goOnlySchemes.has(url.scheme)) return void options.log.warn(skipWarning);
  const source = await sourceFor(url.scheme);
  const env = options.env ?? process.env;
  const context = { ref, url, projectDirectory: options.projectDirectory, log: options.log, signal: options.signal, env, goBuild: options.goBuild };
  const artifact = await source.resolve(context);
  if (skipGo && artifact.kind === 'go') return void options.log.warn(skipWarning);
  const pin = url.query.get('sha256');
  if (pin && artifact.kind === 'go') await verifySha256(artifact.path, pin, shownUrl);
  return artifact;
}

async function importPlugin(ref: PluginRef, options: ImportPluginsOptions, shownUrl: string): Promise<void> {
  const artifact = await resolvePluginArtifact(ref, options);
  if (!artifact) return;
  options.log.debug(`loader: loading plugin '${shownUrl}' from '${artifact.path}'`);
  const plugin = await loadArtifact(artifact);
  const name = plugin.name.trim();
  if (!name) throw new PluginError('plugin name should not be empty');
  options.registry.registerPlugin(name, plugin.actions, `plugin '${name}' (${shownUrl})`);
  options.log.debug(`loader: loaded plugin '${name}' from '${artifact.path}'`);
}

/**
 * Imports the manifest's `plugins:` in order, registering each action as
 * `<plugin>:<action>`. Any failure is `failed to load plugin from '<url>': …`
 * with the cause's hint and the manifest line.
 */
export async function importPlugins(refs: PluginRef[], options: ImportPluginsOptions): Promise<void> {
  for (const ref of refs) {
    options.signal.throwIfAborted();
    const shownUrl = redactPluginUrl(ref.url);
    try {
      await importPlugin(ref, options, shownUrl);
    } catch (error) {
      if (options.signal.aborted) throw error;
      const reason = redactPluginUrl(error instanceof Error ? error.message : String(error));
      throw new PluginError(`failed to load plugin from '${shownUrl}': ${reason}`, {
        cause: error,
        hint: error instanceof GilbertError ? error.hint : undefined,
        location: ref.location,
      });
    }
  }
}
