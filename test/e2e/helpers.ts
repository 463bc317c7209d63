import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI (`make build`); a missing build fails the tests rather than skipping them. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/e2e/', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Environment for the CLI under test: no colour unless a test asks, no user storage. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  Object.assign(env, extra);
  for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key];
  return env;
}

/** Starts the CLI; the caller owns the child. */
export function spawnCli(args: string[], options: CliOptions): ChildProcess {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'make build' first`);
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output until it exits; kills it and rejects after the timeout. */
export function finish(child: ChildProcess, timeoutMs = 20_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs}ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return finish(spawnCli(args, options), options.timeoutMs);
}

/** A temporary project folder, optionally seeded from test/fixtures/e2e/<fixture>. */
export async function project(fixture?: string, manifest?: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-e2e-')));
  if (fixture) await cp(path.join(FIXTURES, fixture), dir, { recursive: true });
  if (manifest !== undefined) await writeFile(path.join(dir, 'gilbert.yaml'), manifest);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls for a condition with a bound: for files a child writes, not for timing. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves when `child` prints `marker` on stdout (bounded). */
export function waitForOutput(child: ChildProcess, marker: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no '${marker}' within ${timeoutMs}ms; got:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(marker)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
  });
}

/** Running (not zombie) members of the group: see groupAlive. */
export { groupAlive as processGroupAlive } from '../../src/system/process-group.js';
