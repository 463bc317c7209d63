import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The differential conformance suite: each case is a small project (files),
 * a command line and an environment. `record.ts` runs native Gilbert v1.1.0
 * on every case and stores what it printed as a golden file; the test runs
 * gilbert-ts on the same case and compares. A golden is a fact about native
 * Gilbert; where gilbert-ts deliberately differs (a native bug we fix), the
 * case has an `intended/<case>.json` and a row in the README's table.
 */

export const ROOT = fileURLToPath(new URL('./', import.meta.url));
export const CASES = path.join(ROOT, 'cases');
export const GOLDEN = path.join(ROOT, 'golden');
export const INTENDED = path.join(ROOT, 'intended');

export interface Case {
  name: string;
  /** the comment lines at the top: what the case shows */
  about: string;
  args: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  /** shell run in the project folder before the command (e.g. `git init`) */
  setup?: string;
  /** `native: skip (why)`: native cannot be recorded (it hangs); the case has only an intended outcome */
  native?: string;
  /** `compare: streams`: only the exit status and which stream carries output (help texts: another CLI library) */
  compare?: string;
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Case file format:
 *   # what it shows
 *   args: run build --var a=b         (whitespace-separated; or a JSON array)
 *   env: NAME=value NAME2=value       (optional)
 *   setup: shell command              (optional)
 *   native: skip (why)                (optional: not recorded from native)
 *   compare: streams                  (optional: exit status and streams only)
 *   === gilbert.yaml
 *   …file content…
 *   === docs/common.yaml
 *   …
 */
export function parseCase(name: string, text: string): Case {
  const lines = text.split('\n');
  const about: string[] = [];
  const header: Record<string, string> = {};
  const files: Record<string, string> = {};
  let current: string | undefined;
  for (const line of lines) {
    const file = /^=== (\S+)\s*$/.exec(line);
    if (file) {
      current = file[1];
      files[current] = '';
      continue;
    }
    if (current !== undefined) {
      files[current] += `${line}\n`;
      continue;
    }
    if (line.startsWith('#')) about.push(line.replace(/^#\s?/, ''));
    else if (line.trim() !== '') {
      const at = line.indexOf(':');
      if (at < 0) throw new Error(`${name}: header line without 'key:': ${line}`);
      header[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  for (const key of Object.keys(files)) files[key] = files[key].replace(/\n+$/, '\n');
  const rawArgs = header.args ?? '';
  const args = rawArgs.startsWith('[') ? (JSON.parse(rawArgs) as string[]) : rawArgs.split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  for (const pair of (header.env ?? '').split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { name, about: about.join('\n'), args, env, files, setup: header.setup, native: header.native, compare: header.compare };
}

export async function loadCases(): Promise<Case[]> {
  const names = (await readdir(CASES)).filter((name) => name.endsWith('.case')).sort();
  return Promise.all(names.map(async (file) => parseCase(file.replace(/\.case$/, ''), await readFile(path.join(CASES, file), 'utf8'))));
}

/** The variables a case sees: the tools it needs and nothing of the user's that would leak into output. */
function caseEnv(project: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: path.join(project, '.home'), GILBERT_HOME: path.join(project, '.home', '.gilbert'), LANG: 'C', TERM: 'dumb' };
  for (const [key, value] of Object.entries(process.env)) if (key.startsWith('GO') && key !== 'GOOS' && key !== 'GOARCH') env[key] = value;
  env.GOPATH = process.env.GOPATH ?? path.join(os.homedir(), 'go');
  // Go writes its build cache under HOME unless told: keep the user's, as `go` itself would.
  env.GOCACHE = process.env.GOCACHE ?? path.join(os.homedir(), '.cache', 'go-build');
  env.GOMODCACHE = process.env.GOMODCACHE ?? path.join(env.GOPATH, 'pkg', 'mod');
  env.GOFLAGS = '-buildvcs=false';
  return { ...env, ...extra };
}

/** Runs one case with the given `gilbert` command (argv prefix) in a fresh temp project. */
export async function runCase(testCase: Case, command: string[], timeoutMs = 30_000): Promise<Outcome> {
  const project = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-conformance-')));
  try {
    await mkdir(path.join(project, '.home'));
    for (const [file, content] of Object.entries(testCase.files)) {
      await mkdir(path.dirname(path.join(project, file)), { recursive: true });
      await writeFile(path.join(project, file), content);
    }
    const env = caseEnv(project, testCase.env);
    if (testCase.setup) await exec(['/bin/sh', '-c', testCase.setup], project, env, timeoutMs);
    const outcome = await exec([...command, ...testCase.args], project, env, timeoutMs);
    return normalise(outcome, project, env);
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}

function exec(argv: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} did not exit within ${timeoutMs}ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What differs between two runs of the same thing: temp paths, home, GOPATH, colours, durations, the version. */
export function normaliseText(text: string, project: string, env: NodeJS.ProcessEnv): string {
  let out = text.replace(/\x1b\[[0-9;]*m/g, '');
  out = out.split(project).join('<PROJECT>');
  if (env.GOPATH) out = out.split(env.GOPATH).join('<GOPATH>');
  out = out.replace(/\b\d+(\.\d+)?(ns|µs|ms|s)\b/g, '<DURATION>');
  // which build it is says nothing about behaviour
  out = out.replace(/^Gilbert version .*$/gm, 'Gilbert version <VERSION>');
  return out;
}

function normalise(outcome: Outcome, project: string, env: NodeJS.ProcessEnv): Outcome {
  return { code: outcome.code, stdout: normaliseText(outcome.stdout, project, env), stderr: normaliseText(outcome.stderr, project, env) };
}

export async function readOutcome(folder: string, name: string): Promise<Outcome | undefined> {
  try {
    return JSON.parse(await readFile(path.join(folder, `${name}.json`), 'utf8')) as Outcome;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function writeOutcome(folder: string, name: string, outcome: Outcome): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, `${name}.json`), `${JSON.stringify(outcome, null, 2)}\n`);
}

/**
 * How outputs are compared. Native Gilbert writes everything to stdout;
 * gilbert-ts writes the final `ERROR:` line and its hint to stderr (a README
 * choice), so the two streams are compared as one: stdout, then stderr.
 */
export function combined(outcome: Outcome): string {
  return outcome.stdout + outcome.stderr;
}

/**
 * Whether gilbert-ts's outcome matches the expected one: the same exit
 * status, and the same output (stdout then stderr), except that after a
 * failure gilbert-ts may add lines of its own (where: `at gilbert.yaml:4`,
 * and a hint) after Gilbert's text, on stderr. Warnings about what Gilbert
 * tolerated are stderr lines too, but they are not waved through: a case
 * that warns has an intended outcome.
 */
export function matches(expected: Outcome, actual: Outcome, mode?: string): boolean {
  if (expected.code !== actual.code) return false;
  if (mode === 'streams') return (expected.stdout === '') === (actual.stdout === '') && (expected.stderr === '') === (actual.stderr === '');
  const want = combined(expected);
  const got = combined(actual);
  if (got === want) return true;
  if (expected.code === 0 || !got.startsWith(want)) return false;
  const added = got.slice(want.length);
  return actual.stderr.endsWith(added) && !/^WARNING: /m.test(added);
}
