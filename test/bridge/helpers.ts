/** Shared set-up for the bridge tests: real plugins, the real runner and scope. */
import { fileURLToPath } from 'node:url';
import { ActionRegistry } from '../../src/actions/registry.js';
import { recordingLogger, type LogRecord } from '../../src/log/logger.js';
import type { Manifest } from '../../src/manifest/ast.js';
import { loadGoPlugin, loadIsolatedGoPlugin } from '../../src/plugins/go/load.js';
import { TaskRunner } from '../../src/runner/index.js';
import type { Actions, GilbertPlugin, Job } from '../../src/sdk/index.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const fixture = (name: string): string => `${root}test/fixtures/go-plugins/build/${name}.so`;
export const examplePlugin = `${root}examples/hello/plugin/build/gilbert-plugin-example.so`;
/** The Go host process `make shim` builds: the process transport. */
export const goHost = `${root}go-shim/build/gilbert-go-host`;

/**
 * The transport these tests run against: the suite runs once in process
 * (each file) and once over Go host processes (process-transport.test.ts
 * sets GILBERT_TEST_TRANSPORT=process and imports the same files).
 */
export const transport: 'in-process' | 'process' = process.env.GILBERT_TEST_TRANSPORT === 'process' ? 'process' : 'in-process';

/** What an isolated host relays of the plugin's own stdout and stderr, per test process. */
export const relayed = recordingLogger();

/** Opens a Go plugin over the transport under test. */
export function loadPlugin(path: string): Promise<GilbertPlugin> {
  return transport === 'process' ? loadIsolatedGoPlugin(path, { hostPath: goHost, log: relayed.logger }) : loadGoPlugin(path);
}

/** Every awaited promise in these tests is bounded: a hang fails the test instead of the suite. */
export function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A loaded plugin with the real TaskRunner around it, running a manifest built from `tasks`. */
export interface Harness {
  runner: TaskRunner;
  records: LogRecord[];
  registry: ActionRegistry;
  /** runs `tasks[name]` and resolves/rejects with the run */
  run(name: string, options?: { signal?: AbortSignal; vars?: Record<string, string> }): Promise<void>;
  /** messages logged so far, in order */
  messages(): string[];
}

export async function harness(
  tasks: Record<string, Job[]>,
  options: { plugins?: GilbertPlugin[]; extraActions?: Actions; vars?: Record<string, string> } = {},
): Promise<Harness> {
  const plugins = options.plugins ?? [await within(20_000, loadPlugin(fixture('bridgetest')), 'loading bridgetest')];
  const registry = new ActionRegistry();
  for (const p of plugins) registry.registerPlugin(p.name, p.actions, `plugin '${p.name}'`);
  for (const [name, factory] of Object.entries(options.extraActions ?? {})) registry.register(name, factory, 'test');
  const manifest: Manifest = {
    file: `${root}gilbert.yaml`,
    projectDirectory: root,
    vars: options.vars ?? {},
    plugins: [],
    mixins: {},
    tasks: Object.fromEntries(Object.entries(tasks).map(([name, jobs]) => [name, { name, jobs }])),
  };
  const { logger, records } = recordingLogger();
  const runner = new TaskRunner({ manifest, registry, log: logger });
  return {
    runner,
    records,
    registry,
    run: (name, o = {}) => within(20_000, runner.run(name, o), `task '${name}'`),
    messages: () => records.map((r) => r.message),
  };
}
