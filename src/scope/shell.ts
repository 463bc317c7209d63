import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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
export function runShellCaptured(command: string, options: ShellOptions): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEFAULT_SHELL, [DEFAULT_SHELL_EXEC_PARAM, command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const onAbort = () => killGroup(child.pid, 'SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group is still running. A killed process whose
 * parent died first stays a zombie until init reaps it, and `kill(-pgid, 0)`
 * still counts it; on Linux /proc tells running processes from zombies.
 */
export function groupAlive(pgid: number): boolean {
  if (process.platform !== 'linux') return killGroup(pgid, 0 as unknown as NodeJS.Signals);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // fields after the parenthesised command name: state ppid pgrp …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** Gilbert's `shell.FormatExitError` text, which its messages embed. */
export function describeExit(result: Pick<ShellResult, 'exitCode' | 'signal'>): string {
  if (result.signal) return `process finished with non-zero status code: -1 (killed by ${result.signal})`;
  return `process finished with non-zero status code: ${result.exitCode}`;
}
