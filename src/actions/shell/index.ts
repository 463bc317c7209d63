import { statSync } from 'node:fs';
import { JobError } from '../../errors.js';
import type { ActionHandler, ActionParams, HandlerFactory, JobContext, Scope } from '../../sdk/index.js';
import { DEFAULT_SHELL, DEFAULT_SHELL_EXEC_PARAM } from '../../scope/index.js';
import { envFromList, exitFailureMessage, GroupProcess } from '../../system/group-process.js';
import { decodeParams, p } from '../params.js';

/** How long a cancelled command gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3000;

const shellShape = (projectDirectory: string) => ({
  command: p.string().default(''),
  silent: p.bool().default(false),
  rawOutput: p.bool().default(false),
  shell: p.string().default(DEFAULT_SHELL),
  shellExecParam: p.string().default(DEFAULT_SHELL_EXEC_PARAM),
  workDir: p.string().default(projectDirectory),
  env: p.stringMap().default({}),
});

/** The params `shell` knows (for checking a manifest's jobs before they run). */
export const paramShape = shellShape('');

function decodeShellParams(scope: Scope, params: ActionParams) {
  return decodeParams(shellShape(scope.environment().projectDirectory), params, { action: 'shell' });
}

type ShellParams = ReturnType<typeof decodeShellParams>;

/** The `shell` action (spec §6): runs a command through the shell, its output through the job's logger. */
export const createHandler: HandlerFactory = (scope, params) => new ShellAction(scope, decodeShellParams(scope, params));

class ShellAction implements ActionHandler {
  private proc?: GroupProcess;
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
      assertDirectory(workDir);
    } catch (error) {
      throw new JobError(`failed to create process to execute command '${params.command}': ${(error as Error).message}`, { cause: error });
    }
    const args = [params.shellExecParam, command];
    const commandLine = [params.shell, ...args].join(' ');
    ctx.log.debug(`shell: exec "${commandLine}"...`);
    if (ctx.signal.aborted) return;

    // The OS environment and the scope's variables (Gilbert passed them to `build` and `{% %}`, not to
    // `shell`: a known bug), then `env`, unexpanded as in Gilbert, winning over both (in Gilbert it could
    // not override a variable the OS environment already had).
    const env = { ...envFromList(this.scope.environ()), ...params.env };
    const raw = params.rawOutput && !params.silent;
    if (raw) ctx.log.debug('shell: raw output enabled');
    // Its own process group, so that cancelling kills everything the command
    // started; raw output shares the terminal, and with it gilbert's group.
    const proc = new GroupProcess(params.shell, args, {
      cwd: workDir,
      env,
      stdio: params.silent ? 'ignore' : raw ? 'inherit' : 'pipe',
      log: ctx.log,
    });
    this.proc = proc;
    const status = await proc.exitStatus((error) => `failed to execute command "${commandLine}": ${goStartError(params.shell, error)}`);
    if (status.code !== 0 && !this.cancelling) throw new JobError(exitFailureMessage(status, { colon: false }));
  }

  /**
   * SIGTERM to the whole group, SIGKILL after a grace period if the shell is
   * still there; resolves once the group is gone, so that a cancelled job
   * leaves no process behind when the runner moves on.
   */
  async cancel(ctx: JobContext): Promise<void> {
    if (!this.proc?.running) return;
    ctx.log.debug('shell: received stop signal');
    this.cancelling = true;
    await this.proc.terminate(KILL_GRACE_MS);
  }
}

/**
 * Synchronous: one stat of a local directory costs microseconds, where the
 * promise version's hop through the thread pool cost each job a wake-up.
 */
function assertDirectory(dir: string): void {
  let info;
  try {
    info = statSync(dir, { throwIfNoEntry: false });
  } catch {
    info = undefined; // ENOTDIR, EACCES: as missing, as before
  }
  if (!info?.isDirectory()) throw new Error(`work directory '${dir}' does not exist`);
}

/** How Go's os/exec worded a start failure (`fork/exec /bin/zsh: no such file or directory`), which Gilbert's message embeds. */
function goStartError(path: string, error: Error): string {
  const words: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory' };
  const code = (error as NodeJS.ErrnoException).code;
  return code && words[code] ? `fork/exec ${path}: ${words[code]}` : error.message;
}
