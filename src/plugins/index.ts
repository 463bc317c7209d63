import { GilbertError, PluginError } from '../errors.js';
import type { ActionRegistry } from '../actions/registry.js';
import type { Logger } from '../log/logger.js';
import type { PluginRef } from '../manifest/ast.js';
import type { GilbertPlugin } from '../sdk/index.js';
import { goBuildForDefaultShim, planShims, ShimChoiceError, type ShimPlan } from './abi/index.js';
import { evictCachedFile, verifySha256 } from './cache.js';
import { redactUrls } from '../log/redact.js';
import { parsePluginUrl, sourceFor, type GoBuildSettings, type PluginArtifact } from './sources/index.js';

export { cleanStorage, storageDirectory } from './cache.js';
export { parsePluginUrl } from './sources/index.js';
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
  /**
   * Called before each TypeScript/JavaScript plugin is evaluated: its code
   * runs on this thread and can block the event loop, which Go plugins never
   * do (no synchronous call reaches plugin code, go-bridge-facts §2).
   */
  beforeScriptPlugin?: () => Promise<void>;
  /** run every Go plugin in a Go host process of its own (`gilbert run --isolate`; also GILBERT_ISOLATE=1, or `?isolate=true` on one plugin's URL) */
  isolate?: boolean;
}

async function loadArtifact(artifact: PluginArtifact, shimPath: string | undefined, options: ImportPluginsOptions): Promise<GilbertPlugin> {
  if (artifact.kind === 'go') {
    // Loaded on demand: the Go loader pulls in koffi, which only a Go plugin should pay for.
    const { loadGoPlugin } = await import('./go/load.js');
    return loadGoPlugin(artifact.path, { shimPath });
  }
  await options.beforeScriptPlugin?.();
  const { loadTsPlugin } = await import('./ts/load.js');
  return loadTsPlugin(artifact.path);
}

async function loadIsolated(path: string, hostPath: string, log: Logger): Promise<GilbertPlugin> {
  const { loadIsolatedGoPlugin } = await import('./go/load.js');
  return loadIsolatedGoPlugin(path, { hostPath, log });
}

/** Schemes that only ever give Go plugins: skipped up front where Go plugins cannot run. */
const goOnlySchemes = new Set(['go', 'github', 'http', 'https']);

/**
 * Fetches or builds what `ref` names, without loading it; undefined when the
 * plugin is skipped on this platform (Go plugins on Windows, with a warning).
 */
export async function resolvePluginArtifact(ref: PluginRef, options: Omit<ImportPluginsOptions, 'registry'>): Promise<PluginArtifact | undefined> {
  const shownUrl = redactUrls(ref.url);
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

function wrapFailure(error: unknown, ref: PluginRef, shownUrl: string, hint = error instanceof GilbertError ? error.hint : undefined): PluginError {
  const reason = redactUrls(error instanceof Error ? error.message : String(error));
  return new PluginError(`failed to load plugin from '${shownUrl}':\n${reason}`, { cause: error, hint, location: ref.location });
}

/**
 * wrapFailure for a plugin that was fetched or built but cannot be used. A
 * downloaded one is dropped from the cache, so that a server that sent the
 * wrong file (or a C library) is asked again next time instead of the bad
 * copy failing for good, and the advice is about the download, not about
 * rebuilding a file the user never built.
 */
async function unusableArtifact(error: unknown, entry: { ref: PluginRef; shownUrl: string; artifact?: PluginArtifact }): Promise<PluginError> {
  const artifact = entry.artifact;
  if (artifact?.kind !== 'go' || !artifact.downloaded) return wrapFailure(error, entry.ref, entry.shownUrl);
  await evictCachedFile(artifact.path);
  return wrapFailure(
    error,
    entry.ref,
    entry.shownUrl,
    'the downloaded file was removed from the cache, so the next run fetches it again; if this keeps failing, the URL does not serve a Go plugin that loads here: ask its author for one built with `go build -buildmode=plugin` against gilbert-sdk v0.9.0 for this platform',
  );
}

/**
 * Imports the manifest's `plugins:` in order, registering each action as
 * `<plugin>:<action>`. Everything is fetched or built first; then the Go
 * plugins' build info decides where each one is opened (abi/planShims):
 * the in-process shim, or a Go host process of its own (built to match)
 * when isolation was asked for or the in-process runtime cannot take it.
 * Only then is anything loaded.
 * Any failure is `failed to load plugin from '<url>':\n…` (Gilbert's two lines) with the cause's
 * hint and the manifest line.
 */
export async function importPlugins(refs: PluginRef[], options: ImportPluginsOptions): Promise<void> {
  const env = options.env ?? process.env;
  const entries = refs.map((ref) => ({ ref, shownUrl: redactUrls(ref.url), artifact: undefined as PluginArtifact | undefined }));
  let goBuild = options.goBuild;
  for (const entry of entries) {
    options.signal.throwIfAborted();
    try {
      if (!goBuild && process.platform !== 'win32' && /^(go|github):/i.test(entry.ref.url.trim())) goBuild = await goBuildForDefaultShim(env);
      entry.artifact = await resolvePluginArtifact(entry.ref, { ...options, env, goBuild });
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw wrapFailure(error, entry.ref, entry.shownUrl);
    }
  }

  const goEntries = entries.filter((entry) => entry.artifact?.kind === 'go');
  const entryOf = (label: string) => goEntries.find((entry) => entry.shownUrl === label) ?? goEntries[0]!;
  let plan: ShimPlan | undefined;
  if (goEntries.length) {
    try {
      const isolateAll = options.isolate || ['1', 'true'].includes((env.GILBERT_ISOLATE ?? '').toLowerCase());
      const isolate = (entry: (typeof goEntries)[number]) => isolateAll || ['1', 'true'].includes((parsePluginUrl(entry.ref.url).query.get('isolate') ?? '').toLowerCase());
      plan = await planShims(
        goEntries.map((entry) => ({ label: entry.shownUrl, path: entry.artifact!.path, isolate: isolate(entry) })),
        { log: options.log, signal: options.signal, env },
      );
    } catch (error) {
      if (options.signal.aborted) throw error;
      const culprit = error instanceof ShimChoiceError ? entryOf(error.pluginLabel) : goEntries[0]!;
      throw error instanceof ShimChoiceError ? await unusableArtifact(error, culprit) : wrapFailure(error, culprit.ref, culprit.shownUrl);
    }
  }

  for (const entry of entries) {
    const { shownUrl, artifact } = entry;
    if (!artifact) continue;
    options.signal.throwIfAborted();
    let opened = false;
    try {
      options.log.debug(`loader: loading plugin '${shownUrl}' from '${artifact.path}'`);
      const hostPath = plan?.isolated.get(shownUrl);
      const plugin = hostPath ? await loadIsolated(artifact.path, hostPath, options.log) : await loadArtifact(artifact, plan?.inProcess, options);
      opened = true;
      const name = plugin.name.trim();
      if (!name) throw new PluginError('plugin name should not be empty');
      options.registry.registerPlugin(name, plugin.actions, `plugin '${name}' (${shownUrl})`);
      options.log.debug(`loader: loaded plugin '${name}' from '${artifact.path}'`);
    } catch (error) {
      if (options.signal.aborted) throw error;
      // A plugin that opened is as it should be: its name or actions are at fault, not the download.
      throw opened ? wrapFailure(error, entry.ref, shownUrl) : await unusableArtifact(error, entry);
    }
  }
}
