import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoPluginError } from '../../src/bridge/index.js';
import { harness } from './helpers.js';

/** The job error a failing run carries (the runner wraps it; the Go error is the cause or the message). */
async function failure(run: Promise<void>): Promise<Error> {
  try {
    await run;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the run did not fail');
}

function goError(err: Error): GoPluginError | undefined {
  for (let e: unknown = err; e; e = (e as Error).cause) if (e instanceof GoPluginError) return e;
  return undefined;
}

test('a panic in Call is the job error, with the panic value and the plugin frames; the host lives on', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:panic-call' }], ok: [{ action: 'bridgetest:noop' }] });
  const err = await failure(h.run('t'));
  assert.match(err.message, /panic in Call of action 'bridgetest:panic-call': boom in Call/);
  assert.match(err.message, /bridgetest/, 'the message shows where in the plugin it panicked');
  assert.doesNotMatch(err.message, /go-shim\/bridge\.guard/, "the shim's own frames are left out");
  const go = goError(err);
  if (go) assert.match(go.goStack ?? '', /goroutine \d+/);
  await h.run('ok'); // the Go runtime and the host survived
});

test('a panic in a factory is the job error', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:panic-factory' }] });
  const err = await failure(h.run('t'));
  assert.match(err.message, /panic in factory of action 'bridgetest:panic-factory': boom in factory/);
});

test('a panic in Cancel is the job error', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:panic-cancel', deadline: 50, params: { panicOnCancel: true } }] });
  const err = await failure(h.run('t'));
  assert.match(err.message, /panic in Cancel of action 'bridgetest:panic-cancel': boom in Cancel/);
});
