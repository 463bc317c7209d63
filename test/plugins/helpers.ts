import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordingLogger } from '../../src/log/logger.js';
import type { PluginRef } from '../../src/manifest/ast.js';
import { CLI, cliEnv, finish, type CliOptions, type CliResult } from '../e2e/helpers.js';

/** A scratch folder for one test, removed by `dispose`. */
export async function scratch(prefix = 'gilbert-plugins-'): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Options for resolvePluginArtifact/importPlugins with a private storage dir and a bounded signal. */
export function resolveOptions(projectDirectory: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000) {
  const { logger, records } = recordingLogger();
  return { log: logger, records, signal: AbortSignal.timeout(timeoutMs), projectDirectory, env };
}

export function ref(url: string, declaredIn: string): PluginRef {
  return { url, declaredIn };
}

export const fixturesDirectory = path.resolve(import.meta.dirname, '../fixtures/plugin-sources');

/** `'…'`-quotes an argument for /bin/sh. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the built CLI with a pseudo-terminal as its stdout and stderr, through
 * util-linux `script` (a missing `script` fails the test: the TTY paths would
 * go untested). The result's stdout holds everything the terminal received.
 */
export async function runCliInTerminal(args: string[], options: CliOptions): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env: options.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return finish(child, options.timeoutMs).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error("util-linux 'script' is needed to give the CLI a terminal (apt-get install bsdutils)", { cause: error });
    throw error;
  });
}
