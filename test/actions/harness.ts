import { cp, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuiltinRegistry } from '../../src/actions/index.js';
import { SinkLogger, type LogRecord } from '../../src/log/logger.js';
import type { Manifest } from '../../src/manifest/ast.js';
import { TaskRunner } from '../../src/runner/index.js';
import type { Job } from '../../src/sdk/index.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/go-modules/', import.meta.url));

/** Rejects when `promise` does not settle within `ms`: no test waits forever. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A temp copy of a fixture Go module (or an empty folder), removed by `cleanup`. */
export async function tempProject(fixture?: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-actions-')));
  if (fixture) await cp(path.join(fixturesDir, fixture), dir, { recursive: true });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function manifest(dir: string, tasks: Record<string, Job[]>): Manifest {
  return {
    file: path.join(dir, 'gilbert.yaml'),
    projectDirectory: dir,
    vars: {},
    plugins: [],
    mixins: {},
    tasks: Object.fromEntries(Object.entries(tasks).map(([name, jobs]) => [name, { name, jobs }])),
  };
}

/** A log that tests can wait on: `waitFor` settles when a matching line is logged. */
export class WatchedLog {
  readonly records: LogRecord[] = [];
  private waiters: { test: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];
  readonly logger = new SinkLogger((level, depth, message) => {
    const record = { level, depth, message };
    this.records.push(record);
    this.waiters = this.waiters.filter((w) => !(w.test(record) && (w.resolve(record), true)));
  });

  /** Messages at every level but debug. */
  messages(): string[] {
    return this.records.filter((r) => r.level !== 'debug').map((r) => r.message);
  }

  count(pattern: RegExp): number {
    return this.records.filter((r) => pattern.test(r.message)).length;
  }

  /** Waits for the `nth` (1-based, counting lines already logged) line matching `pattern`. */
  waitFor(pattern: RegExp, ms: number, nth = 1): Promise<LogRecord> {
    let seen = this.count(pattern);
    if (seen >= nth) return Promise.resolve(this.records.filter((r) => pattern.test(r.message))[nth - 1]!);
    const promise = new Promise<LogRecord>((resolve) => {
      this.waiters.push({
        test: (r) => pattern.test(r.message) && ++seen >= nth,
        resolve,
      });
    });
    return within(promise, ms, `log line ${pattern} (#${nth})`);
  }
}

/** Runs one task of an in-memory manifest with the real runner and built-in actions. */
export async function runTask(
  dir: string,
  tasks: Record<string, Job[]>,
  task: string,
  options: { signal?: AbortSignal; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
) {
  const log = new WatchedLog();
  const runner = new TaskRunner({ manifest: manifest(dir, tasks), registry: createBuiltinRegistry(), log: log.logger, env: options.env });
  let error: unknown;
  try {
    await within(runner.run(task, { signal: options.signal }), options.timeoutMs ?? 120_000, `task '${task}'`);
  } catch (e) {
    error = e;
  }
  return { error, log };
}

/** Starts a task and hands back its log while it runs (for watch). */
export function startTask(dir: string, tasks: Record<string, Job[]>, task: string, signal: AbortSignal) {
  const log = new WatchedLog();
  const runner = new TaskRunner({ manifest: manifest(dir, tasks), registry: createBuiltinRegistry(), log: log.logger });
  const done = runner.run(task, { signal }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { log, done };
}

/** Alive and not a zombie waiting to be reaped. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Settles once `pid` is gone. A killed process's exit is not an event this
 * test can subscribe to (it is not our child), so /proc is checked on a
 * short interval, bounded by `ms`.
 */
export async function gone(pid: number, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await within(
      new Promise<void>((resolve) => {
        const check = async () => ((await isRunning(pid)) ? (timer = setTimeout(check, 25)) : resolve());
        void check();
      }),
      ms,
      `process ${pid} exiting`,
    );
  } finally {
    clearTimeout(timer);
  }
}

