// delay and deadline beyond setTimeout's 2^31-1 ms are chained timers, not
// 1 ms (issue 14, item 6).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finish, project, runCli, spawnCli, waitForOutput } from './helpers.js';

const TOO_LONG_FOR_ONE_TIMER = 2 ** 31;

describe('delay and deadline of 2^31 ms or more', () => {
  it('a deadline of 2^31 ms does not cut the job off at once', async () => {
    const { dir, cleanup } = await project(
      undefined,
      `version: "1.0"
tasks:
  t:
  - action: shell
    deadline: ${TOO_LONG_FOR_ONE_TIMER}
    params: { command: "sleep 0.2; echo finished" }
`,
    );
    try {
      const result = await runCli(['run', 't'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /deadline exceeded/);
      assert.match(result.stdout, /^ {4}finished$/m);
    } finally {
      await cleanup();
    }
  });

  it('a delay of 2^31 ms still waits (until Ctrl+C)', async () => {
    const { dir, cleanup } = await project(
      undefined,
      `version: "1.0"
tasks:
  t:
  - action: shell
    delay: ${TOO_LONG_FOR_ONE_TIMER * 3 + 5}
    params: { command: "echo RAN" }
`,
    );
    try {
      const child = spawnCli(['run', 't', '--verbose'], { cwd: dir });
      const done = finish(child, 20_000);
      await waitForOutput(child, `waiting ${TOO_LONG_FOR_ONE_TIMER * 3 + 5}ms`);
      child.kill('SIGINT');
      const result = await done;
      assert.equal(result.code, 130, result.stderr);
      assert.doesNotMatch(result.stdout, /RAN/);
    } finally {
      await cleanup();
    }
  });
});
