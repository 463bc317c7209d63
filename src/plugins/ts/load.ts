import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GilbertError, PluginError } from '../../errors.js';
import type { Actions, GilbertPlugin, HandlerFactory } from '../../sdk/index.js';
import { resolvePluginEntry } from './entry.js';
import { describe, wrapFactory } from './handler.js';
import { isMissingSdkError, redirectCjsSdkRequires, redirectEsmSdkImports } from './sdk-hook.js';

const typeScriptExtensions = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Loads a TypeScript or JavaScript plugin: a `.ts/.mts/.cts` file (compiled
 * in memory by tsx, no build step), a `.js/.mjs/.cjs` file, or a folder
 * holding a package (its package.json `exports`/`main`, else an index file).
 *
 * The module exports `{ name, actions }` as its default export, or `name`
 * and `actions` as named exports. Every factory is wrapped so that the
 * runner always receives a complete ActionHandler.
 */
export async function loadTsPlugin(modulePath: string): Promise<GilbertPlugin> {
  const entry = await resolvePluginEntry(modulePath);
  const source = `'${entry}'`;
  const moduleNamespace = await importModule(entry);
  return checkPlugin(pickPluginExport(moduleNamespace, source), source, entry);
}

/**
 * Checks what a plugin exports and wraps every factory, so that the runner
 * always receives a complete ActionHandler. `source` and `entry` name the
 * plugin in errors.
 */
export function checkPlugin(exported: { name?: unknown; actions?: unknown }, source: string, entry: string): GilbertPlugin {
  if (typeof exported.name !== 'string') {
    throw new PluginError(`plugin ${source} exports ${describe(exported.name)} as its name, expected a string`);
  }
  const name = exported.name.trim();
  if (name === '') {
    throw new PluginError(`plugin name should not be empty (plugin ${source})`);
  }
  return { name, actions: checkActions(exported.actions, `'${name}' (${entry})`) };
}

async function importModule(entry: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(entry).href;
  redirectCjsSdkRequires();
  try {
    if (typeScriptExtensions.has(path.extname(entry))) {
      // tsx starts the module-hooks thread anyway, so the SDK redirect comes at no extra cost.
      redirectEsmSdkImports();
      // tsx (and esbuild behind it) is loaded only when a TypeScript plugin is used.
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    try {
      return (await import(url)) as Record<string, unknown>;
    } catch (error) {
      if (!isMissingSdkError(error)) throw error;
      redirectEsmSdkImports();
      // A fresh URL: the failed import stays cached under the first one.
      return (await import(`${url}?gilbert-ts-sdk`)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof GilbertError) throw error;
    throw new PluginError(`failed to import plugin '${entry}': ${firstLines((error as Error)?.message ?? String(error))}`, {
      cause: error,
    });
  }
}

function pickPluginExport(moduleNamespace: Record<string, unknown>, source: string): { name?: unknown; actions?: unknown } {
  const fallback = moduleNamespace.default;
  if ('name' in moduleNamespace && 'actions' in moduleNamespace) return moduleNamespace;
  if (fallback && typeof fallback === 'object') {
    const candidate = fallback as { name?: unknown; actions?: unknown; default?: unknown };
    if ('name' in candidate || 'actions' in candidate) return candidate;
    // A CommonJS module compiled from `export default` nests the plugin once more.
    if (candidate.default && typeof candidate.default === 'object') return candidate.default;
  }
  throw new PluginError(`plugin ${source} exports no plugin`, {
    hint: 'export `{ name, actions }` as the default export (e.g. `export default definePlugin({...})`), or export `name` and `actions`',
  });
}

function checkActions(actions: unknown, source: string): Actions {
  if (!actions || typeof actions !== 'object' || Array.isArray(actions)) {
    throw new PluginError(`plugin ${source} exports ${describe(actions)} as its actions, expected an object of action factories`);
  }
  const checked: Actions = {};
  for (const [action, factory] of Object.entries(actions)) {
    if (typeof factory !== 'function') {
      throw new PluginError(`action '${action}' of plugin ${source} is ${describe(factory)}, expected a factory function (scope, params) => handler`);
    }
    if (action.trim() === '') throw new PluginError(`plugin ${source} has an action with an empty name`);
    checked[action] = wrapFactory(factory as HandlerFactory, action, source);
  }
  return checked;
}

/** Import errors (esbuild's in particular) can be long; the first lines say what and where. */
function firstLines(message: string): string {
  const lines = message.split('\n');
  return lines.length > 8 ? [...lines.slice(0, 8), '…'].join('\n') : message;
}
