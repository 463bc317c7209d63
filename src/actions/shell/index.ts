import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { JobError } from '../../errors.js';
import { LineWriter } from '../../log/line-writer.js';
import type { ActionHandler, ActionParams, HandlerFactory, JobContext, Scope } from '../../sdk/index.js';
import { DEFAULT_SHELL, DEFAULT_SHELL_EXEC_PARAM, describeExit, groupAlive, killGroup } from '../../scope/index.js';
import { decodeParams, p } from '../params.js';

/** How long a cancelled command gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3000;

function decodeShellParams(scope: Scope, params: ActionParams) {
  return decodeParams(
    {
      command: p.string().default(''),
      silent: p.bool().default(false),
      rawOutput: p.bool().default(false),
      shell: p.string().default(DEFAULT_SHELL),
      shellExecParam: p.string().default(DEFAULT_SHELL_EXEC_PARAM),
      workDir: p.string().default(scope.environment().projectDirectory),
      env: p.stringMap().default({}),
    },
    params,
    { action: 'shell' },
  );
}

type ShellParams = ReturnType<typeof decodeShellParams>;

/** Groups of commands still running: killed if the CLI exits first (a second Ctrl+C), so none outlives it. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

/** The `shell` action (spec §6): runs a command through the shell, its output through the job's logger. */
export const createHandler: HandlerFactory = (scope, params) => new ShellAction(scope, decodeShellParams(scope, params));

class ShellAction implements ActionHandler {
  private child?: ChildProcess;
  /** set by cancel: the job's result is then cancel's (Gilbert), not the killed command's exit status */
  private cancelling = false;

  constructor(
    private readonly scope: Scope,
    private readonly params: ShellParams,
  ) {}

  async call(ctx: JobContext): Promise<void> {
    const { params } = this;
    let command: string;
    let workDir: string;
    try {
      [command, workDir] = await this.scope.expandAll([params.command, params.workDir]);
      await assertDirectory(workDir);
    } catch (error) {
      throw new JobError(`failed to create process to execute command '${params.command}': ${(error as Error).message}`, { cause: error });
    }
    const args = [params.shellExecParam, command];
    const commandLine = [params.shell, ...args].join(' ');
    ctx.log.debug(`shell: exec "${commandLine}"...`);
    if (ctx.signal.aborted) return;

    // Gilbert passed `env` on top of the OS environment, unexpanded.
    const env = { ...process.env, ...params.env };
    const raw = params.rawOutput && !params.silent;
    if (raw) ctx.log.debug('shell: raw output enabled');
    // Its own process group, so that cancelling kills everything the command
    // started. Raw output keeps the terminal's group: a background group
    // reading the terminal would be stopped by SIGTTIN.
    const child = spawn(params.shell, args, {
      cwd: workDir,
      env,
      detached: !raw,
      stdio: params.silent ? 'ignore' : raw ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const group = raw ? undefined : child.pid;
    if (group !== undefined) liveGroups.add(group);
    const out = new LineWriter(ctx.log, 'log');
    const err = new LineWriter(ctx.log, 'error');
    child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));

    await new Promise<void>((resolve, reject) => {
      child.once('error', (error) => reject(new JobError(`failed to execute command "${commandLine}": ${error.message}`, { cause: error })));
      child.once('close', (exitCode, signal) => {
        if (group !== undefined && !groupAlive(group)) liveGroups.delete(group);
        out.end();
        err.end();
        if (exitCode === 0 || this.cancelling) resolve();
        else reject(new JobError(describeExit({ exitCode, signal })));
      });
    });
  }

  /**
   * SIGTERM to the whole group, SIGKILL after a grace period if the shell is
   * still there; resolves once the shell has closed, so that a cancelled job
   * leaves no process behind when the runner moves on.
   */
  async cancel(ctx: JobContext): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    ctx.log.debug('shell: received stop signal');
    const pid = child.pid;
    const kill = (signal: NodeJS.Signals) => (this.params.rawOutput ? child.kill(signal) : killGroup(pid, signal));
    this.cancelling = true;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    if (!kill('SIGTERM')) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), KILL_GRACE_MS);
    });
    const timedOut = await Promise.race([closed.then(() => false), graceOver]);
    clearTimeout(timer);
    if (timedOut) {
      kill('SIGKILL');
      await closed;
    }
    if (this.params.rawOutput) return;
    // The shell is gone, but what it started may still be exiting (or may
    // have ignored SIGTERM): the group is gone only once init reaps them.
    if (!(await groupGone(pid, KILL_GRACE_MS))) killGroup(pid, 'SIGKILL');
    await groupGone(pid, KILL_GRACE_MS);
  }
}

/** Polls (the only way to watch a process group) until the group is gone; false after `ms`. */
async function groupGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (groupAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`work directory '${dir}' does not exist`);
}
