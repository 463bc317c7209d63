import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBuiltinRegistry } from '../../src/actions/index.js';
import type { ActionRegistry } from '../../src/actions/registry.js';
import { recordingLogger, type LogRecord } from '../../src/log/logger.js';
import type { Manifest } from '../../src/manifest/ast.js';
import type { Job } from '../../src/sdk/index.js';
import { TaskRunner } from '../../src/runner/index.js';

/** Rejects when `promise` does not settle within `ms`: no test waits forever. */
export function within<T>(promise: Promise<T>, ms = 10_000, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function tempProject(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-runner-')));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function manifest(dir: string, parts: { tasks: Record<string, Job[]>; mixins?: Record<string, Job[]>; vars?: Record<string, string> }): Manifest {
  return {
    file: path.join(dir, 'gilbert.yaml'),
    projectDirectory: dir,
    vars: parts.vars ?? {},
    plugins: [],
    tasks: Object.fromEntries(Object.entries(parts.tasks).map(([name, jobs]) => [name, { name, jobs }])),
    mixins: Object.fromEntries(Object.entries(parts.mixins ?? {}).map(([name, jobs]) => [name, { name, jobs }])),
  };
}

export function setup(m: Manifest, registry: ActionRegistry = createBuiltinRegistry()): { runner: TaskRunner; records: LogRecord[]; lines: () => string[] } {
  const { logger, records } = recordingLogger();
  const runner = new TaskRunner({ manifest: m, registry, log: logger });
  const lines = () => records.filter((r) => r.level !== 'debug').map((r) => `${'  '.repeat(r.depth)}${r.level}: ${r.message}`);
  return { runner, records, lines };
}
