import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { DeadlineExceededError, RunContext } from '../../src/runner/index.js';
import { within } from './helpers.js';

function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('RunContext', () => {
  it('cancelling a parent cancels its children, not the other way round', () => {
    const root = RunContext.root({ log: recordingLogger().logger });
    const child = root.child();
    const grandchild = child.child();
    grandchild.cancel();
    assert.equal(grandchild.isAlive(), false);
    assert.equal(child.isAlive(), true);
    root.cancel(new CancelledError('SIGTERM'));
    assert.equal(child.signal.aborted, true);
    assert.ok(child.signal.reason instanceof CancelledError);
    assert.equal((child.signal.reason as CancelledError).exitCode, 143);
  });

  it('follows the signal it was created from', () => {
    const controller = new AbortController();
    const root = RunContext.root({ log: recordingLogger().logger, signal: controller.signal });
    controller.abort('stop');
    assert.equal(root.signal.reason, 'stop');
    const late = RunContext.root({ log: recordingLogger().logger, signal: controller.signal });
    assert.equal(late.signal.aborted, true, 'an already aborted signal aborts at once');
  });

  it('fork shares the signal with a deeper logger; child gets its own', () => {
    const { logger } = recordingLogger();
    const root = RunContext.root({ log: logger, vars: { a: '1' } });
    const fork = root.fork();
    assert.equal(fork.signal, root.signal);
    assert.equal(fork.log.depth, 1);
    assert.equal(fork.isChild, true);
    assert.deepEqual(fork.vars, { a: '1' });
    const child = root.child();
    assert.notEqual(child.signal, root.signal);
    assert.equal(child.log.depth, 1);
    fork.cancel();
    assert.equal(root.signal.aborted, true, 'a fork is the same job');
  });

  it('timeout warns and cancels with a deadline error; finish disarms it', async () => {
    const { logger, records } = recordingLogger();
    const ctx = RunContext.root({ log: logger });
    ctx.timeout(20);
    const reason = await within(aborted(ctx.signal), 2000, 'deadline');
    assert.ok(reason instanceof DeadlineExceededError);
    assert.deepEqual(records.map((r) => [r.level, r.message]), [['warn', 'Job deadline exceeded']]);

    const finished = RunContext.root({ log: logger });
    finished.timeout(10);
    finished.finish();
    const other = RunContext.root({ log: logger });
    other.timeout(40);
    await within(aborted(other.signal), 2000, 'second deadline');
    assert.equal(finished.signal.aborted, false, 'a finished job is not cancelled by its old deadline');
  });
});
