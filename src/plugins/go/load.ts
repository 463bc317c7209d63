import { resolve } from 'node:path';
import { connectShim, type GoBridge } from '../../bridge/index.js';
import type { ActionHandler, GilbertPlugin, HandlerFactory, JobContext, JobRunner } from '../../sdk/index.js';

/**
 * Opens a Go plugin (`go build -buildmode=plugin`, gilbert-sdk v0.9.0) and
 * returns it as a TS plugin: each Go action becomes a HandlerFactory whose
 * handlers run the Go code through the shim. Load faults reject with a
 * PluginError naming the file and the cause.
 */
export async function loadGoPlugin(soPath: string, options: { shimPath?: string } = {}): Promise<GilbertPlugin> {
  const shim = connectShim(options.shimPath);
  const opened = await shim.open(resolve(soPath));
  const actions: Record<string, HandlerFactory> = {};
  for (const action of opened.actions ?? []) {
    actions[action] = async (scope, params) => {
      const handler = await shim.newHandler(opened.plugin, action, scope, params);
      return goHandler(shim, handler);
    };
  }
  return { name: opened.name, actions };
}

/**
 * Go handlers are released when their TS wrapper is garbage: Go may call back
 * until then. A wrapper with a call in flight is held here, or it could be
 * collected mid-call (nothing else need reference it) and its contexts
 * released under the running plugin.
 */
const released = new FinalizationRegistry<{ shim: GoBridge; handler: number }>(({ shim, handler }) => shim.releaseHandler(handler));
const inFlight = new Map<ActionHandler, number>();

function hold<T>(wrapper: ActionHandler, work: Promise<T>): Promise<T> {
  inFlight.set(wrapper, (inFlight.get(wrapper) ?? 0) + 1);
  return work.finally(() => {
    const n = inFlight.get(wrapper)! - 1;
    if (n === 0) inFlight.delete(wrapper);
    else inFlight.set(wrapper, n);
  });
}

function goHandler(shim: GoBridge, handler: number): ActionHandler {
  const wrapper: ActionHandler = {
    call: (ctx: JobContext, runner: JobRunner) => hold(wrapper, shim.call(handler, ctx, runner)),
    cancel: (ctx: JobContext) => hold(wrapper, shim.cancel(handler, ctx)),
  };
  released.register(wrapper, { shim, handler });
  return wrapper;
}
