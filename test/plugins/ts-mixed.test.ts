import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, temporaryDirectory, tsFixtures, within } from './ts/helpers.js';

/**
 * One manifest with a Go plugin, a TypeScript plugin from a file and one from
 * an npm package, run through the CLI: nested calls both ways, cancellation
 * through nested calls, and the order of their logs.
 */

const cli = path.join(repoRoot, 'dist/cli/main.js');
const goPlugin = path.join(repoRoot, 'test/fixtures/go-plugins/build/bridgetest.so');

const manifest = (tarball: string, pidFile: string) => `version: "1.0"
plugins:
  - file://${goPlugin}
  - file://${path.join(tsFixtures, 'greeter.ts')}
  - npm://${tarball}
tasks:
  ts-to-builtin-and-npm:
    - action: greeter:forward
      params:
        action: shell
        params:
          command: echo shell via TS
    - action: greeter:forward
      params:
        action: fromnpm:version
  go-to-ts:
    - action: bridgetest:by-name
      params:
        action: greeter:greet
        params:
          who: Go
  go-to-builtin:
    - action: bridgetest:by-name
      params:
        action: shell
        params:
          command: echo shell via Go
  go-runs-ts-task:
    - action: bridgetest:run-task
      params:
        task: ts-task
  ts-task:
    - action: fromnpm:version
    - action: greeter:greet
      params:
        who: a task run by Go
  ts-to-go:
    - action: greeter:forward
      params:
        action: bridgetest:levels
  cancel-ts-to-shell:
    - action: greeter:forward
      deadline: 500
      params:
        action: shell
        params:
          command: sleep 60 & echo $! > ${pidFile}; wait
  cancel-ts-to-go:
    - action: greeter:forward
      deadline: 500
      params:
        action: bridgetest:wait
  cancel-go-to-ts:
    - action: bridgetest:by-name
      deadline: 500
      params:
        action: greeter:wait
  collision:
    - action: greeter:greet
`;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, '--no-color'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 150_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The lines that match, in order: proves ordering without depending on unrelated lines. */
function linesMatching(text: string, patterns: RegExp[]): string[] {
  return text.split('\n').filter((line) => patterns.some((pattern) => pattern.test(line))).map((line) => line.trimEnd());
}

/** Running, not a zombie waiting for init to reap it (the CLI may exit before init does). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe('Go and TypeScript plugins in one manifest', { timeout: 400_000 }, () => {
  let dir = '';
  let cleanup = async () => {};
  let env: NodeJS.ProcessEnv = {};
  const pidFile = () => path.join(dir, 'sleep.pid');

  before(async () => {
    ({ dir, cleanup } = await temporaryDirectory('mixed'));
    const { stdout } = await within(
      promisify(execFile)('npm', ['pack', '--silent', '--pack-destination', dir, path.join(tsFixtures, 'npm-plugin')], { timeout: 60_000 }),
      60_000,
      'npm pack',
    );
    const tarball = path.join(dir, stdout.trim().split('\n').pop()!);
    await writeFile(path.join(dir, 'gilbert.yaml'), manifest(tarball, pidFile()));
    env = { ...process.env, GILBERT_HOME: path.join(dir, 'home') };
  });
  after(() => cleanup());

  const run = (task: string) => within(runCli(dir, env, 'run', task), 150_000, `gilbert run ${task}`);

  it('a TS action runs a built-in and an npm plugin action through actionByName, logs nested in order', async () => {
    const result = await run('ts-to-builtin-and-npm');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(linesMatching(result.stdout, [/^\s+(forwarding|back from|shell via TS|gilbert-plugin-npm-fixture)/]), [
      '    forwarding to shell',
      '      shell via TS',
      '    back from shell',
      '    forwarding to fromnpm:version',
      '      gilbert-plugin-npm-fixture 1.2.3',
      '    back from fromnpm:version',
    ]);
  });

  it("Go's ActionByName reaches a TS action and a built-in", async () => {
    const toTs = await run('go-to-ts');
    assert.equal(toTs.code, 0, toTs.stdout + toTs.stderr);
    assert.deepEqual(linesMatching(toTs.stdout, [/hello, Go|by-name done/]), ['      hello, Go', '    by-name done']);

    const toBuiltin = await run('go-to-builtin');
    assert.equal(toBuiltin.code, 0, toBuiltin.stdout + toBuiltin.stderr);
    assert.deepEqual(linesMatching(toBuiltin.stdout, [/shell via Go|by-name done/]), ['      shell via Go', '    by-name done']);
  });

  it("Go's RunTask runs a task of TS actions, one from npm", async () => {
    const result = await run('go-runs-ts-task');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(linesMatching(result.stdout, [/npm-fixture|hello, a task|\[\d\/2\]|task done/]).map((line) => line.trim()), [
      '- [1/2] fromnpm:version',
      'gilbert-plugin-npm-fixture 1.2.3',
      '- [2/2] greeter:greet',
      'hello, a task run by Go',
      'task done',
    ]);
  });

  it("a TS action's actionByName runs a Go action, whose logs nest under it", async () => {
    const result = await run('ts-to-go');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = linesMatching(result.stdout + result.stderr, [/forwarding|back from|^\s+(log1|logf 2|info|success|warn)$/]);
    assert.deepEqual(lines, ['    forwarding to bridgetest:levels', '      log1', '      logf 2', '      info', '      success', '      warn', '    back from bridgetest:levels']);
  });

  it('a deadline on a TS job cancels the shell it runs through actionByName: no process left', async () => {
    const result = await run('cancel-ts-to-shell');
    // As in Gilbert, the job's result is what Cancel reports: the shell was stopped, so it succeeds.
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Job deadline exceeded\n\s+forward cancelled/);
    const pid = Number((await readFile(pidFile(), 'utf8')).trim());
    assert.ok(pid > 0);
    assert.equal(isAlive(pid), false, `sleep (pid ${pid}) was left running`);
  });

  it("a deadline on a TS job runs the inner Go handler's Cancel", async () => {
    const result = await run('cancel-ts-to-go');
    const output = result.stdout + result.stderr;
    assert.deepEqual(linesMatching(output, [/forwarding|waiting$|forward cancelled|context done/]).map((line) => line.trim()), [
      'forwarding to bridgetest:wait',
      'waiting',
      'forward cancelled',
      'context done: context canceled, alive: false',
    ]);
    // Go's Cancel runs too; the job may already have ended by then (its Call returned first, as Gilbert allowed).
    assert.match(output, /^\s+Cancel called$/m);
  });

  it('a deadline on a Go job reaches the TS action it called through ActionByName', async () => {
    const result = await run('cancel-go-to-ts');
    const output = result.stdout + result.stderr;
    assert.match(output, /waiting for cancellation/);
    assert.match(output, /wait saw the abort/);
    assert.match(output, /Cancel called/);
  });

  it('two plugins named alike: the error names both sources', async () => {
    const copy = path.join(dir, 'copy-of-greeter.mjs');
    await writeFile(copy, "export default { name: 'greeter', actions: { greet: () => ({ call() {} }) } };");
    const project = path.join(dir, 'collision');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(project);
    await writeFile(
      path.join(project, 'gilbert.yaml'),
      `version: "1.0"\nplugins:\n  - file://${path.join(tsFixtures, 'greeter.ts')}\n  - file://${copy}\ntasks:\n  t:\n    - action: greeter:greet\n`,
    );
    const result = await within(runCli(project, env, 'run', 't'), 150_000, 'collision run');
    assert.equal(result.code, 1);
    const output = result.stdout + result.stderr;
    assert.match(output, /ERROR: .*greeter\.ts.*copy-of-greeter\.mjs|ERROR: .*copy-of-greeter\.mjs.*greeter\.ts/s);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
  });
});
