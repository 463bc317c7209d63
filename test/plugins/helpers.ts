import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);

/**
 * Builds the hello fixture as a plugin `<work>/<name>.so`, the way a plugin
 * author elsewhere might have: with other flags, environment (GOTOOLCHAIN,
 * GOMODCACHE, …), gilbert-sdk version or plugin name.
 */
export async function buildHelloPlugin(
  work: string,
  name: string,
  options: { flags?: string[]; env?: NodeJS.ProcessEnv; sdk?: string; pluginName?: string; goLine?: string; prepare?: (source: string) => Promise<void> } = {},
): Promise<string> {
  const source = path.join(work, `src-${name}`);
  await cp(path.join(fixturesDirectory, 'hello'), source, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=mod -modcacherw -buildvcs=false', CGO_ENABLED: '1', ...options.env };
  const edits = [...(options.sdk ? [`-require=github.com/go-gilbert/gilbert-sdk@${options.sdk}`] : []), ...(options.goLine ? [`-go=${options.goLine}`] : [])];
  if (edits.length) await run('go', ['mod', 'edit', ...edits], { cwd: source, env, timeout: 120_000 });
  await options.prepare?.(source);
  const output = path.join(work, `${name}.so`);
  const ldflags = options.pluginName ? [`-ldflags=-X main.pluginName=${options.pluginName}`] : [];
  await run('go', ['build', '-buildmode=plugin', ...(options.flags ?? []), ...ldflags, '-o', output, '.'], { cwd: source, env, timeout: 400_000 });
  return output;
}

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
