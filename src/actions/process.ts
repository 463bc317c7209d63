import { spawn, type ChildProcess } from 'node:child_process';
import { JobError } from '../errors.js';
import { LineWriter } from '../log/line-writer.js';
import type { Logger } from '../log/logger.js';

/**
 * Child processes for the built-in actions, as Gilbert ran them: each child
 * leads its own process group (Setpgid), so cancelling a job kills the whole
 * group — `go build` or `go test` and every compiler or test binary they
 * started — and not just the direct child.
 */

export interface ProcessOptions {
  cwd: string;
  /** `NAME=value` entries (Scope.environ() plus additions); a later entry wins, as with Go's exec */
  env: readonly string[];
  log: Logger;
  /** stdout handling: logged as plain lines (default), or handed to a callback */
  onStdout?: (chunk: Buffer) => void;
  /** stderr handling: logged as error lines (default), or handed to a callback */
  onStderr?: (chunk: Buffer) => void;
}

/** How a child ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Process groups still alive, killed if gilbert itself exits first: a job's children never outlive the CLI. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** `NAME=value` list to an env object; later entries override earlier ones. */
export function envFromList(entries: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** A started child in its own process group. */
export class GroupProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private killed = false;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    options: ProcessOptions,
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: envFromList(options.env),
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new LineWriter(options.log, 'log');
    const err = new LineWriter(options.log, 'error');
    this.child.stdout!.on('data', options.onStdout ?? ((chunk: Buffer) => out.write(chunk)));
    this.child.stderr!.on('data', options.onStderr ?? ((chunk: Buffer) => err.write(chunk)));
    if (this.child.pid !== undefined) liveGroups.add(this.child.pid);
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (error) => {
        this.forget();
        reject(error);
      });
      // 'close' (not 'exit'): every byte of output has been delivered by then
      this.child.once('close', (code, signal) => {
        this.forget();
        out.end();
        err.end();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once `kill` was called. */
  get wasKilled(): boolean {
    return this.killed;
  }

  /** Kills the whole process group (SIGKILL, as Gilbert's KillProcessGroup). */
  kill(): void {
    this.killed = true;
    if (this.child.pid !== undefined && liveGroups.has(this.child.pid)) killGroup(this.child.pid);
  }

  /**
   * Kills the group and settles once the child has closed its output, which
   * also means nothing it started still holds the pipes: a cancelled job
   * reports back only when its processes are gone.
   */
  async stop(): Promise<void> {
    this.kill();
    await this.exited.catch(() => undefined);
  }

  private forget(): void {
    if (this.child.pid !== undefined) liveGroups.delete(this.child.pid);
  }
}

/** Gilbert's shell.FormatExitError wording. */
export function exitFailureMessage(status: ExitStatus): string {
  if (status.signal) return `process finished with non-zero status code: -1 (killed by ${status.signal})`;
  return `process finished with non-zero status code: ${status.code}`;
}

/** Why a child could not start, in words a user can act on. */
export function startFailureMessage(command: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `'${command}' was not found in PATH; install it or add it to PATH`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a child to completion; rejects with a JobError on start failure
 * (`<startPrefix>, <reason>`) or a non-zero exit.
 */
export async function runToCompletion(proc: GroupProcess, startPrefix: string): Promise<void> {
  let status: ExitStatus;
  try {
    status = await proc.exited;
  } catch (error) {
    throw new JobError(`${startPrefix}, ${startFailureMessage(proc.command, error)}`, { cause: error });
  }
  if (status.code !== 0) throw new JobError(exitFailureMessage(status));
}
