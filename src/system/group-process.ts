import { spawn, type StdioOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { JobError } from '../errors.js';
import type { OutputFlow } from '../log/flow.js';
import { LineWriter } from '../log/line-writer.js';
import type { Logger } from '../log/logger.js';
import { fastSpawn } from './posix-spawn.js';
import { groupAlive, signalGroup, waitForGroupGone } from './process-group.js';

/**
 * Every child gilbert starts — built-in actions, the shell action, `{% %}`
 * commands — goes through GroupProcess, so that one place decides how a
 * child is started, cancelled, and killed when gilbert exits.
 */

export interface GroupProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Where output goes: 'pipe' (default) logs it as lines through `log`, or
   * hands it to the callbacks; 'inherit' shares gilbert's terminal, and then
   * the child stays in gilbert's process group, because a background group
   * reading the terminal would be stopped by SIGTTIN.
   */
  stdio?: 'pipe' | 'ignore' | 'inherit';
  log?: Logger;
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

/**
 * Groups that may still have running processes, killed if gilbert itself
 * exits first (a second Ctrl+C): a job's children never outlive the CLI.
 */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
});

/** What GroupProcess uses of a child: Node's ChildProcess or posix-spawn's SpawnedChild. */
interface StartedChild {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'error', listener: (error: Error) => void): this;
  once(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

/** A started child, leading its own process group unless it shares the terminal. */
export class GroupProcess {
  /** Settles once the child has exited and closed its output; rejects when it could not start. */
  readonly exited: Promise<ExitStatus>;
  private readonly child: StartedChild;
  private readonly ownGroup: boolean;
  private killed = false;

  constructor(
    readonly command: string,
    readonly args: readonly string[],
    options: GroupProcessOptions,
  ) {
    const stdio = options.stdio ?? 'pipe';
    this.ownGroup = stdio !== 'inherit';
    // posix_spawn where it can (a new session, as `detached`), Node's spawn for the rest
    this.child =
      (stdio !== 'inherit' && fastSpawn(command, args, { cwd: options.cwd, env: options.env, stdio })) ||
      spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        detached: this.ownGroup && process.platform !== 'win32',
        stdio: (stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : stdio) satisfies StdioOptions,
      });
    const out = options.log && new LineWriter(options.log, 'log');
    const err = options.log && new LineWriter(options.log, 'error');
    const holdWhileBackedUp = this.backpressure(options.log?.flow);
    this.child.stdout?.on('data', options.onStdout ?? ((chunk: Buffer) => (out?.write(chunk), holdWhileBackedUp())));
    this.child.stderr?.on('data', options.onStderr ?? ((chunk: Buffer) => (err?.write(chunk), holdWhileBackedUp())));
    const pid = this.child.pid;
    if (this.ownGroup && pid !== undefined) liveGroups.add(pid);
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (error) => {
        if (pid !== undefined) liveGroups.delete(pid);
        reject(error);
      });
      // 'close' (not 'exit'): every byte of output has been delivered by then
      this.child.once('close', (code, signal) => {
        // what the child started may outlive it, and is still killed on exit
        if (pid !== undefined && !groupAlive(pid)) liveGroups.delete(pid);
        out?.end();
        err?.end();
        resolve({ code, signal });
      });
    });
  }

  /**
   * Stops reading the child's pipes while the console is backed up, and
   * resumes on drain: the child then blocks in write(2), as it would on a
   * slow terminal, instead of gilbert queueing its output without bound.
   */
  private backpressure(flow: OutputFlow | undefined): () => void {
    if (!flow) return () => {};
    let held = false;
    return () => {
      if (held || !flow.backedUp) return;
      held = true;
      this.child.stdout?.pause();
      this.child.stderr?.pause();
      void flow.drained().then(() => {
        held = false;
        this.child.stdout?.resume();
        this.child.stderr?.resume();
      });
    };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * How the child ended; a child that could not start is a JobError worded by
   * `describeStartFailure` (each action has Gilbert's wording for it).
   */
  async exitStatus(describeStartFailure: (error: Error) => string): Promise<ExitStatus> {
    try {
      return await this.exited;
    } catch (error) {
      throw new JobError(describeStartFailure(error as Error), { cause: error });
    }
  }

  /** Started and not yet exited (its output may still be draining). */
  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** True once `kill` was called. */
  get wasKilled(): boolean {
    return this.killed;
  }

  /** Kills the whole process group (SIGKILL, as Gilbert's KillProcessGroup). */
  kill(): void {
    this.killed = true;
    this.signal('SIGKILL');
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

  /**
   * SIGTERM to the whole group, SIGKILL after `graceMs` if the child is still
   * there; settles once the group is gone (zombies aside), so that nothing is
   * left running when the caller moves on.
   */
  async terminate(graceMs: number): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    const closed = this.exited.then(
      () => undefined,
      () => undefined,
    );
    if (!this.signal('SIGTERM')) return;
    if (!(await settlesWithin(closed, graceMs))) {
      this.signal('SIGKILL');
      await closed;
    }
    if (!this.ownGroup) return;
    // The child is gone, but what it started may still be exiting (or may
    // have ignored SIGTERM): the group is gone only once init reaps them.
    if (!(await waitForGroupGone(pid, graceMs))) signalGroup(pid, 'SIGKILL');
    if (await waitForGroupGone(pid, graceMs)) liveGroups.delete(pid);
  }

  private signal(signal: NodeJS.Signals): boolean {
    if (!this.ownGroup) return this.child.kill(signal);
    const pid = this.child.pid;
    // a group no longer tracked is gone, and its id may belong to another by now
    return pid !== undefined && liveGroups.has(pid) && signalGroup(pid, signal);
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `NAME=value` list (Scope.environ()) to an env object; a later entry wins, as with Go's exec. */
export function envFromList(entries: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/**
 * Gilbert's support/shell.FormatExitError wording, which its messages embed
 * (build, cover, get-package, `{% %}`). Its `shell` action had its own copy
 * without the colon: `colon: false` gives that one.
 */
export function exitFailureMessage(status: ExitStatus, { colon = true }: { colon?: boolean } = {}): string {
  const prefix = `process finished with non-zero status code${colon ? ':' : ''}`;
  if (status.signal) return `${prefix} -1 (killed by ${status.signal})`;
  return `${prefix} ${status.code}`;
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
  const status = await proc.exitStatus((error) => `${startPrefix}, ${startFailureMessage(proc.command, error)}`);
  if (status.code !== 0) throw new JobError(exitFailureMessage(status));
}
