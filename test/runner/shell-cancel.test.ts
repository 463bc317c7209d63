import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KILL_GRACE_MS } from '../../src/actions/shell/index.js';
import { manifest, setup, tempProject, within } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempProject()));
after(() => cleanup());

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

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
    const cancelledAt = Date.now();
    await until(() => !groupAlive(pgid), 'the stubborn group to be killed', KILL_GRACE_MS + 5000);
    assert.ok(Date.now() - cancelledAt <= KILL_GRACE_MS + 5000);
  });
});
