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

  it("an action named 'toString' with params is an unknown action, for ls and run alike", async () => {
    const { dir, cleanup } = await project(
      undefined,
      `version: "1.0"
tasks:
  t:
  - action: toString
    params: { command: "echo hi" }
  c:
  - action: constructor
    params: { a: 1 }
`,
    );
    try {
      const list = await runCli(['ls'], { cwd: dir });
      assert.equal(list.code, 0, list.stderr);
      for (const [task, action] of [
        ['t', 'toString'],
        ['c', 'constructor'],
      ]) {
        const run = await runCli(['run', task!], { cwd: dir });
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, new RegExp(`no such action handler: '${action}'|action '${action}' doesn't exists?`));
        assert.doesNotMatch(run.stderr, /bug in gilbert-ts|^\s+at /m);
      }
    } finally {
      await cleanup();
    }
  });

  it("a param named '__proto__' stays a param", async () => {
    const { dir, cleanup } = await project(
      undefined,
      `version: "1.0"
tasks:
  t:
  - action: shell
    params: { command: "echo hi", __proto__: x }
`,
    );
    try {
      const result = await runCli(['run', 't', '--dry-run'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /params: \{"command":"echo hi","__proto__":"x"\}/);
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
