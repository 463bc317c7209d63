import { GroupProcess } from '../system/group-process.js';

/** The shell Gilbert used for `{% %}`, `if` and the shell action on Unix. */
export const DEFAULT_SHELL = '/bin/sh';
export const DEFAULT_SHELL_EXEC_PARAM = '-c';

export interface ShellResult {
  /** null when the process was killed by a signal */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved as they arrived (Go's CombinedOutput) */
  output: string;
}

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs `command` through /bin/sh in its own process group and collects its
 * combined output. On abort the whole group is killed, so a `{% sleep 100 %}`
 * does not outlive a cancelled run. Rejects only when the shell cannot start.
 */
export async function runShellCaptured(command: string, options: ShellOptions): Promise<ShellResult> {
  const chunks: Buffer[] = [];
  const collect = (chunk: Buffer) => chunks.push(chunk);
  const proc = new GroupProcess(DEFAULT_SHELL, [DEFAULT_SHELL_EXEC_PARAM, command], {
    cwd: options.cwd,
    env: options.env,
    onStdout: collect,
    onStderr: collect,
  });
  const onAbort = () => proc.kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { code, signal } = await proc.exited;
    return { exitCode: code, signal, output: Buffer.concat(chunks).toString('utf8') };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
