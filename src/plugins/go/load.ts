import { resolve } from 'node:path';
import { connectShim, type GoBridge } from '../../bridge/index.js';
import { connectHost, type HostBridge } from '../../bridge/process.js';
import type { OpenedPlugin } from '../../bridge/client.js';
import type { Logger } from '../../log/logger.js';
import type { ActionHandler, GilbertPlugin, HandlerFactory, JobContext, JobRunner } from '../../sdk/index.js';

/**
 * Opens a Go plugin (`go build -buildmode=plugin`, gilbert-sdk v0.9.0) in
 * this process, through the in-process shim, and returns it as a TS plugin:
 * each Go action becomes a HandlerFactory whose handlers run the Go code.
 * Load faults reject with a PluginError naming the file and the cause.
 */
export async function loadGoPlugin(soPath: string, options: { shimPath?: string } = {}): Promise<GilbertPlugin> {
  const shim = connectShim(options.shimPath);
  const opened = await shim.open(resolve(soPath));
  return asPlugin(opened, async () => ({ bridge: shim, plugin: opened.plugin }));
}

/**
 * Opens a Go plugin in a Go host process of its own (go-shim/cmd/host): the
 * same protocol over pipes. Whatever the plugin does to its process fails
 * only the jobs it was running; the next job starts a new host process and
 * opens the plugin there again.
 */
export async function loadIsolatedGoPlugin(soPath: string, options: { hostPath: string; log: Logger }): Promise<GilbertPlugin> {
  const path = resolve(soPath);
  let current: { bridge: HostBridge; opened: Promise<OpenedPlugin> } | undefined;
  const host = () => {
    if (!current || current.bridge.ended) {
      const bridge = connectHost({ hostPath: options.hostPath, log: options.log });
      const opened = Promise.all([bridge.transport.ready, bridge.open(path)]).then(([, opened]) => opened);
      current = { bridge, opened };
    }
    return current;
  };
  const first = host();
  const opened = await first.opened;
  return asPlugin(opened, async () => {
    const { bridge, opened: reopened } = host();
    return { bridge, plugin: (await reopened).plugin };
  });
}

function asPlugin(opened: OpenedPlugin, bridgeFor: () => Promise<{ bridge: GoBridge; plugin: number }>): GilbertPlugin {
  const actions: Record<string, HandlerFactory> = {};
  for (const action of opened.actions ?? []) {
    actions[action] = async (scope, params) => {
      const { bridge, plugin } = await bridgeFor();
      const handler = await bridge.newHandler(plugin, action, scope, params);
      return goHandler(bridge, handler);
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
const released = new FinalizationRegistry<{ bridge: GoBridge; handler: number }>(({ bridge, handler }) => bridge.releaseHandler(handler));
const inFlight = new Map<ActionHandler, number>();

function hold<T>(wrapper: ActionHandler, work: Promise<T>): Promise<T> {
  inFlight.set(wrapper, (inFlight.get(wrapper) ?? 0) + 1);
  return work.finally(() => {
    const n = inFlight.get(wrapper)! - 1;
    if (n === 0) inFlight.delete(wrapper);
    else inFlight.set(wrapper, n);
  });
}

function goHandler(bridge: GoBridge, handler: number): ActionHandler {
  const wrapper: ActionHandler = {
    call: (ctx: JobContext, runner: JobRunner) => hold(wrapper, bridge.call(handler, ctx, runner)),
    cancel: (ctx: JobContext) => hold(wrapper, bridge.cancel(handler, ctx)),
  };
  released.register(wrapper, { bridge, handler });
  return wrapper;
}
