import type { ActionParams, HandlerFactory, Scope } from '../sdk/index.js';
import { ActionRegistry } from './registry.js';

/**
 * Built-in actions, loaded on first use so that `gilbert ls` and friends
 * never pay for modules they do not run. Each module exports `createHandler`,
 * a HandlerFactory.
 */
const builtinModules: Record<string, () => Promise<{ createHandler: HandlerFactory }>> = {
  shell: () => import('./shell/index.js'),
  build: () => import('./build/index.js'),
  cover: () => import('./cover/index.js'),
  'cover:html': () => import('./cover-html/index.js'),
  'get-package': () => import('./get-package/index.js'),
  'go-get': () => import('./get-package/index.js'),
  watch: () => import('./watch/index.js'),
};

function lazyFactory(load: () => Promise<{ createHandler: HandlerFactory }>): HandlerFactory {
  return async (scope: Scope, params: ActionParams) => (await load()).createHandler(scope, params);
}

/** A registry holding the built-in actions. */
export function createBuiltinRegistry(): ActionRegistry {
  const registry = new ActionRegistry();
  for (const [name, load] of Object.entries(builtinModules)) {
    registry.register(name, lazyFactory(load), 'built-in');
  }
  return registry;
}

export { ActionRegistry };
