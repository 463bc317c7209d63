import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './harness.js';

export const cliPath = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A running `gilbert` process whose output tests can wait on. */
export class Cli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private listeners: (() => void)[] = [];

  constructor(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (to: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this[to] += chunk.toString();
      this.listeners.forEach((notify) => notify());
    };
    this.child.stdout!.on('data', collect('stdout'));
    this.child.stderr!.on('data', collect('stderr'));
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Waits until the output matches `pattern`; returns the match. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    return within(
      new Promise<RegExpMatchArray>((resolve) => {
        const check = () => {
          const match = this.output.match(pattern);
          if (!match) return;
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve(match);
        };
        this.listeners.push(check);
        check();
      }),
      ms,
      `output matching ${pattern}`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; output so far:\n${this.output}`);
    });
  }

  async finish(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    try {
      return await within(this.exited, ms, 'gilbert exiting');
    } catch (error) {
      this.child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}; output:\n${this.output}`);
    }
  }
}

/** Runs `gilbert <args>` to completion. */
export async function gilbert(args: string[], cwd: string, ms = 120_000) {
  const cli = new Cli(args, cwd);
  const { code } = await cli.finish(ms);
  return { code, stdout: cli.stdout, stderr: cli.stderr, output: cli.output };
}
