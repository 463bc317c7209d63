import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { JobError } from '../../errors.js';
import { LineWriter } from '../../log/line-writer.js';
import type { ActionHandler, ActionParams, HandlerFactory, JobContext, Scope } from '../../sdk/index.js';
import { DEFAULT_SHELL, DEFAULT_SHELL_EXEC_PARAM, describeExit, killGroup } from '../../scope/index.js';
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
  private killTimer?: NodeJS.Timeout;

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
        this.onExit();
        if (exitCode === 0) resolve();
        else reject(new JobError(describeExit({ exitCode, signal })));
      });
    });
  }

  /** SIGTERM to the whole group now, SIGKILL after a grace period if anything of it is left. */
  async cancel(ctx: JobContext): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    ctx.log.debug('shell: received stop signal');
    const pid = child.pid;
    const signalled = this.params.rawOutput ? child.kill('SIGTERM') : killGroup(pid, 'SIGTERM');
    if (!signalled) return;
    this.killTimer = setTimeout(() => {
      if (this.params.rawOutput) child.kill('SIGKILL');
      else killGroup(pid, 'SIGKILL');
    }, KILL_GRACE_MS);
  }

  /** The shell is gone; keep the SIGKILL only if some of its group survived the SIGTERM. */
  private onExit(): void {
    const pid = this.child?.pid;
    if (this.killTimer && pid !== undefined && !this.params.rawOutput && !groupAlive(pid)) {
      clearTimeout(this.killTimer);
    }
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`work directory '${dir}' does not exist`);
}
