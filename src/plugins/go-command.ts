import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GroupProcess, type ExitStatus } from '../system/group-process.js';

export interface GoCommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** each chunk of stdout and stderr, as it comes */
  onOutput?: (chunk: string) => void;
}

export interface GoCommandResult {
  status?: ExitStatus;
  /** set when the command could not start (e.g. ENOENT: no toolchain) */
  startError?: NodeJS.ErrnoException;
  /** stdout and stderr, interleaved */
  output: string;
}

/**
 * GOTMPDIR folders of builds still running. A second Ctrl+C exits at once:
 * the job groups are killed by GroupProcess's exit hook, registered first,
 * and their folders go here, after it.
 */
const liveTemporaries = new Set<string>();
process.once('exit', () => {
  for (const directory of liveTemporaries) rmSync(directory, { recursive: true, force: true });
});

/**
 * Runs the Go tool for a plugin or shim build so that a cancel leaves
 * nothing behind: the tool leads its own process group (compile and link
 * children included), and its work folders go to a private GOTMPDIR that is
 * removed once the whole group is gone. Killed by SIGTERM, `go build` exits
 * without removing its `go-build*` folder; here that folder dies with ours.
 * A cancel ends the group (SIGTERM, SIGKILL after a second) and rethrows the
 * signal's reason.
 */
export async function runGoCommand(command: string, args: string[], options: GoCommandOptions): Promise<GoCommandResult> {
  options.signal.throwIfAborted();
  const temporary = await mkdtemp(path.join(os.tmpdir(), 'gilbert-go-'));
  liveTemporaries.add(temporary);
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    options.onOutput?.(text);
  };
  try {
    const child = new GroupProcess(command, args, { cwd: options.cwd, env: { ...options.env, GOTMPDIR: temporary }, onStdout: collect, onStderr: collect });
    let stopping: Promise<void> | undefined;
    const cancel = () => (stopping = child.terminate(1000));
    options.signal.addEventListener('abort', cancel, { once: true });
    try {
      const status = await child.exited;
      options.signal.throwIfAborted();
      return { status, output };
    } catch (error) {
      options.signal.throwIfAborted();
      return { startError: error as NodeJS.ErrnoException, output };
    } finally {
      options.signal.removeEventListener('abort', cancel);
      // the group outlives its leader for a moment: its temporaries go only once it is gone
      await stopping;
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
    liveTemporaries.delete(temporary);
  }
}
