// Names that are also members of Object.prototype are ordinary names:
// task, mixin and variable tables have no prototype (issue 14, item 8).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project, runCli } from './helpers.js';

const manifest = `version: "1.0"
vars:
  constructor: from-a-var
tasks:
  __proto__:
  - action: shell
    params: { command: "echo proto {{ constructor }}" }
  viaMixin:
  - mixin: toString
`;

describe('names shared with Object.prototype', () => {
  for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
    it(`'gilbert run ${name}' is an unknown task, not a crash`, async () => {
      const { dir, cleanup } = await project(undefined, manifest);
      try {
        const result = await runCli(['run', name], { cwd: dir });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, new RegExp(`^ERROR: task '${name}' doesn't exists?\\b`));
        assert.doesNotMatch(result.stderr, /bug in gilbert-ts|^\s+at /m);
      } finally {
        await cleanup();
      }
    });
  }

  it("a mixin named 'toString' that does not exist is the usual error", async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const result = await runCli(['run', 'viaMixin'], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^ERROR: task 'viaMixin' returned an error on step 1: mixin 'toString' doesn't exists?\b/);
      assert.match(result.stderr, /gilbert\.yaml:9\b/);
      assert.doesNotMatch(result.stderr, /bug in gilbert-ts|^\s+at /m);
    } finally {
      await cleanup();
    }
  });

  it("a task named '__proto__' runs, sees a var named 'constructor', and is listed", async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const run = await runCli(['run', '__proto__'], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ {4}proto from-a-var$/m);
      assert.match(run.stdout, /Task '__proto__' ran successfully/);
      const list = await runCli(['ls', '--json'], { cwd: dir });
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout).tasks, ['__proto__', 'viaMixin']);
      const withVar = await runCli(['run', '__proto__', '--var', 'constructor=from-the-cli'], { cwd: dir });
      assert.match(withVar.stdout, /^ {4}proto from-the-cli$/m);
    } finally {
      await cleanup();
    }
  });
});
