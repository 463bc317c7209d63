import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { finish, processGroupAlive, project, spawnCli, waitFor, waitForOutput } from './helpers.js';

const manifest = `version: "1.0"
tasks:
  serve:
  - action: shell
    async: true
    params:
      command: echo $$ > shell.pid; sleep 60 & sleep 60; wait
  - action: shell
    params:
      command: while [ ! -e shell.pid ]; do sleep 0.02; done; echo READY; sleep 60
`;

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  describe(`${signal} during a run`, () => {
    it(`cancels running jobs, kills their process groups and exits ${code}`, async () => {
      const { dir, cleanup } = await project(undefined, manifest);
      try {
        const child = spawnCli(['run', 'serve'], { cwd: dir });
        const done = finish(child, 20_000);
        await waitForOutput(child, 'READY');
        const pidFile = path.join(dir, 'shell.pid');
        const asyncGroup = await waitFor(() => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined), 'the async shell pid');
        assert.ok(processGroupAlive(asyncGroup), 'the async job runs before the signal');
        child.kill(signal);
        const result = await done;
        assert.equal(result.code, code, result.stderr);
        assert.match(result.stderr, new RegExp(`^ERROR: task cancelled by ${signal}`));
        assert.doesNotMatch(result.stdout, /ran successfully/);
        await waitFor(() => (processGroupAlive(asyncGroup) ? undefined : true), 'the async job process group to be gone', 5000);
      } finally {
        await cleanup();
      }
    });
  });
}

describe('a second SIGINT', () => {
  it('exits 130 at once and still kills a job group that ignores SIGTERM', async () => {
    const stubborn = `version: "1.0"
tasks:
  stubborn:
  - action: shell
    params:
      command: trap '' TERM; echo $$ > shell.pid; echo READY; while true; do sleep 0.05; done
`;
    const { dir, cleanup } = await project(undefined, stubborn);
    try {
      const child = spawnCli(['run', 'stubborn'], { cwd: dir });
      const done = finish(child, 20_000);
      await waitForOutput(child, 'READY');
      const group = Number(readFileSync(path.join(dir, 'shell.pid'), 'utf8'));
      child.kill('SIGINT');
      await waitForOutput(child, 'Shutting down...');
      child.kill('SIGINT');
      const result = await done;
      assert.equal(result.code, 130);
      await waitFor(() => (processGroupAlive(group) ? undefined : true), 'the stubborn group to be killed', 2000);
    } finally {
      await cleanup();
    }
  });
});
