import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { groupAlive } from '../../src/system/process-group.js';
import { manifest, setup, tempProject, within } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempProject()));
after(() => cleanup());


describe('shell action cancellation', () => {
  it('SIGKILLs a process group that ignores SIGTERM after the grace period', async () => {
    const pidFile = path.join(dir, 'stubborn.pid');
    const m = manifest(dir, {
      tasks: {
        t: [{ action: 'shell', deadline: 300, params: { command: `trap '' TERM; echo $$ > ${pidFile}; while true; do sleep 0.05; done` } }],
      },
    });
    const { runner, lines } = setup(m);
    await within(runner.run('t'), 5000, 'run with a stubborn job');
    assert.ok(lines().includes('    warn: Job deadline exceeded'));
    assert.ok(existsSync(pidFile));
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    // cancel resolves only once the group is gone: the job ends with nothing left behind
    assert.equal(groupAlive(pgid), false);
  });

  it('ends a cancelled command before the job ends, and the job reports the cancel result', async () => {
    const pidFile = path.join(dir, 'sleeper.pid');
    const m = manifest(dir, {
      tasks: { t: [{ action: 'shell', deadline: 200, params: { command: `echo $$ > ${pidFile}; exec sleep 60` } }] },
    });
    const { runner, lines } = setup(m);
    await within(runner.run('t'), 5000, 'run with a sleeping job');
    assert.ok(lines().includes('    warn: Job deadline exceeded'));
    assert.equal(groupAlive(Number(readFileSync(pidFile, 'utf8'))), false);
  });
});
