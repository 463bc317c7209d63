import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { finish, project, runCli, spawnCli, waitForOutput } from './helpers.js';

/** Built by `make fixtures`; missing means the suite must fail, not skip. */
const BRIDGETEST = fileURLToPath(new URL('../fixtures/go-plugins/build/bridgetest.so', import.meta.url));
const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/hello/', import.meta.url));

const manifest = `version: "1.0"
plugins:
- file://${BRIDGETEST}
vars:
  who: world
tasks:
  expand:
  - action: bridgetest:expand
    vars:
      a: A
      b: B
    params:
      expr: "hello {{ who }}"
  via-task:
  - action: bridgetest:run-task
    vars:
      x: from-plugin-caller
    params:
      task: inner
  inner:
  - action: shell
    params:
      command: echo "inner says {{ x }}"
  fails:
  - action: bridgetest:fail
  deadline:
  - action: bridgetest:wait
    deadline: 300
  - action: shell
    params:
      command: echo after
  interrupt:
  - action: bridgetest:wait
`;

describe('Go plugins through gilbert run', () => {
  before(() => {
    assert.ok(existsSync(BRIDGETEST), `${BRIDGETEST} is missing: run 'make fixtures'`);
  });

  it('runs a Go plugin action that expands through the runner’s scope', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const result = await runCli(['run', 'expand'], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /expanded: hello world/);
      assert.match(result.stdout, /scanned: A B/);
      assert.match(result.stdout, /Task 'expand' ran successfully/);
    } finally {
      await cleanup();
    }
  });

  it('lets a Go plugin run a task through the JobRunner with its scope vars', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const result = await runCli(['run', 'via-task'], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /inner says from-plugin-caller/);
      assert.match(result.stdout, /task done/);
    } finally {
      await cleanup();
    }
  });

  it('reports a Go action error as a clean CLI error, exit 1', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const result = await runCli(['run', 'fails'], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ERROR: task 'fails' returned an error on step 1: .*the action failed on purpose/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      await cleanup();
    }
  });

  it('calls the Go handler’s Cancel at a deadline and goes on', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const result = await runCli(['run', 'deadline'], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Job deadline exceeded/);
      assert.match(result.stdout, /Cancel called/);
      assert.match(result.stdout, /^ {4}after$/m);
    } finally {
      await cleanup();
    }
  });

  it('SIGINT while a Go action runs: its Cancel is called and the CLI exits 130', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const child = spawnCli(['run', 'interrupt'], { cwd: dir });
      const done = finish(child, 60_000);
      await waitForOutput(child, 'waiting', 60_000);
      child.kill('SIGINT');
      const result = await done;
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stdout, /Cancel called/);
      assert.match(result.stderr, /^ERROR: task cancelled by SIGINT/);
    } finally {
      await cleanup();
    }
  });

  it('runs the example project (examples/hello) end to end', async () => {
    const result = await runCli(['run', 'hello'], { cwd: EXAMPLE_DIR, timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ {4}Hello.*Go plugin/m);
  });
});
