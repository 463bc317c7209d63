import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnv, project, runCli } from '../e2e/helpers.js';
import { fixturesDirectory, runCliInTerminal, scratch } from './helpers.js';

// rebuild=true: every run builds, so every run has a build to show.
const manifest = 'plugins:\n  - go://./plugins/hello?rebuild=true\ntasks:\n  greet:\n    - action: hello:greet\n      params: {who: progress}\n';
const spinnerLine = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building plugin \.\/plugins\/hello with go1\.\d+(\.\d+)? \(\d+s\)/;

describe('go:// build progress', { timeout: 300_000 }, () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let home: { dir: string; dispose: () => Promise<void> };
  before(async () => {
    dir = await project(undefined, manifest);
    home = await scratch('gilbert-progress-home-');
    await cp(path.join(fixturesDirectory, 'hello'), path.join(dir.dir, 'plugins', 'hello'), { recursive: true });
  });
  after(async () => {
    await dir?.cleanup();
    await home?.dispose();
  });

  it('draws a spinner with the phase and elapsed time when stderr is a terminal', async () => {
    const result = await runCliInTerminal(['run', 'greet'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs: 240_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, spinnerLine);
    assert.match(result.stdout, /hello, progress/);
  });

  it('only logs a line (with --verbose, as Gilbert) when stderr is not a terminal', async () => {
    const result = await runCli(['run', 'greet', '--verbose'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs: 240_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /Building plugin package '.*plugins\/hello'\.\.\./);
    assert.doesNotMatch(result.stdout + result.stderr, /building plugin \.\/plugins/);
    assert.ok(!(result.stdout + result.stderr).includes('\x1b['), 'no terminal control codes in redirected output');
    assert.match(result.stdout, /hello, progress/);
  });
});
