// An action whose promise can never settle fails the job with a clear
// message once nothing else is left to run; the CLI never exits 0 with the
// rest of the task skipped (issue 14, item 5).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { project, runCli } from './helpers.js';

const plugin = `export default {
  name: 'stuck',
  actions: {
    never: () => ({ call: (ctx) => { ctx.log.log('waiting for nothing'); return new Promise(() => {}); } }),
    neverMade: () => new Promise(() => {}),
  },
};
`;

const manifest = `version: "1.0"
plugins: [file://./stuck.mjs]
tasks:
  inOrder:
  - action: shell
    params: { command: echo first }
  - action: stuck:never
  - action: shell
    params: { command: echo third }
  async:
  - action: stuck:never
    async: true
  - action: shell
    params: { command: echo second }
  factory:
  - action: stuck:neverMade
  withDeadline:
  - action: stuck:never
    deadline: 50
  deadlineWhileOthersRun:
  - action: shell
    async: true
    params: { command: "sleep 60" }
  - action: stuck:never
    deadline: 50
`;

const NEVER = /action 'stuck:(never|neverMade)' never finished: its promise is still pending, but nothing is left running that could settle it/;

describe('an action that never settles', () => {
  it('fails at its deadline (plus the cancel grace) even while other jobs keep gilbert busy', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      await writeFile(path.join(dir, 'stuck.mjs'), plugin);
      const result = await runCli(['run', 'deadlineWhileOthersRun'], { cwd: dir, timeoutMs: 45_000 });
      assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /Job deadline exceeded/);
      assert.match(result.stderr, /plugin 'stuck' did not stop within 5 s of its deadline \(action 'stuck:never'\): neither its call nor its cancel finished/);
    } finally {
      await cleanup();
    }
  });

  for (const [task, before, skipped] of [
    ['inOrder', /^ {4}first$/m, /third|ran successfully/],
    ['async', /^ {4}second$/m, /ran successfully/],
    ['factory', /stuck:neverMade/, /ran successfully/],
    ['withDeadline', /Job deadline exceeded/, /ran successfully/],
  ] as const) {
    it(`fails task '${task}' with a clear message, exit 1`, async () => {
      const { dir, cleanup } = await project(undefined, manifest);
      try {
        await writeFile(path.join(dir, 'stuck.mjs'), plugin);
        const result = await runCli(['run', task], { cwd: dir });
        assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
        assert.match(result.stdout, before);
        assert.doesNotMatch(result.stdout, skipped);
        assert.match(result.stderr, NEVER);
        assert.doesNotMatch(result.stderr, /bug in gilbert-ts|^\s+at /m);
      } finally {
        await cleanup();
      }
    });
  }
});
