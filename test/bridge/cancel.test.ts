import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordingLogger } from '../../src/log/logger.js';
import { RunContext } from '../../src/runner/index.js';
import type { JobRunner, Scope } from '../../src/sdk/index.js';
import { fixture, harness, loadPlugin, root, transport, within } from './helpers.js';

/** Resolves when a record matching `re` is logged. */
function logged(records: { message: string }[], re: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (records.some((r) => re.test(r.message)) ? resolve() : setImmediate(check));
    check();
  });
}

test('cancel by request: Cancel is called, Context() is done, and the call returns', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:wait' }] });
  const stop = new AbortController();
  const run = h.run('t', { signal: stop.signal });
  await within(10_000, logged(h.records, /^waiting$/), 'the action to start');
  stop.abort();
  await assert.rejects(run);
  const lines = h.messages();
  assert.ok(lines.includes('Cancel called'), lines.join('\n'));
  await within(10_000, logged(h.records, /^context done: context canceled, alive: false$/), 'Call to see Context() done');
});

test('cancel by timeout: a job deadline cancels the Go context and calls Cancel', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:wait', deadline: 100 }] });
  const started = Date.now();
  await h.run('t').catch(() => undefined);
  assert.ok(Date.now() - started < 5000);
  assert.ok(h.messages().includes('Cancel called'), h.messages().join('\n'));
  await within(10_000, logged(h.records, /^context done: context canceled/), 'Call to return');
});

test("the plugin's own ctx.Timeout cancels its context, warns like Gilbert, and cancels the TS context", async () => {
  const plugin = await within(20_000, loadPlugin(fixture('bridgetest')));
  const { logger, records } = recordingLogger();
  const ctx = RunContext.root({ log: logger });
  const handler = await within(5000, Promise.resolve(plugin.actions['self-timeout']!({} as Scope, { ms: 30 })));
  await assert.rejects(within(5000, handler.call(ctx, {} as JobRunner)), /timed out: context canceled/);
  assert.ok(records.some((r) => r.level === 'warn' && r.message === 'Job deadline exceeded'));
  await within(5000, new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve()))));
});

test('ctx.Cancel() from the plugin: Context() is done at once and IsAlive() is false', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:self-cancel' }] });
  await h.run('t').catch(() => undefined);
  assert.ok(h.messages().includes('after Cancel: err=context canceled alive=false'), h.messages().join('\n'));
});

test('a Cancel error becomes the job error', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:wait', deadline: 50, params: { cancelError: 'could not stop' } }] });
  await assert.rejects(h.run('t'), /could not stop/);
});

test('an error returned by Call fails the job with its message', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:fail' }] });
  await assert.rejects(h.run('t'), /task 't' returned an error on step 1: the action failed on purpose/);
});

test('the first result wins: ctx.Success() then an error return is a success, as in Gilbert', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:success-first' }] });
  await h.run('t');
});

test('a factory error fails the job', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:fail-factory' }] });
  await assert.rejects(h.run('t'), /bad params/);
});

test('long-running actions hold no libuv pool thread: fs still works while 8 Go calls wait', async () => {
  const { readFile } = await import('node:fs/promises');
  const plugin = await within(20_000, loadPlugin(fixture('bridgetest')));
  const contexts = Array.from({ length: 8 }, () => RunContext.root({ log: recordingLogger().logger }));
  const handlers = await Promise.all(contexts.map(() => Promise.resolve(plugin.actions.wait!({} as Scope, {}))));
  const calls = handlers.map((h, i) => h.call(contexts[i]!, {} as JobRunner));
  // 8 > the 4 threads of libuv's pool: were each call holding one, this read would queue behind them forever.
  const text = await within(5000, readFile(`${root}test/fixtures/go-plugins/go.mod`, 'utf8'), 'a file read while Go actions run');
  assert.match(text, /gilbert-sdk/);
  for (const ctx of contexts) ctx.cancel();
  await within(5000, Promise.all(calls), 'the waiting calls to return after cancel');
});

for (const action of ['block-cancel', 'ignore-context']) {
  test(`a plugin that will not stop (${action}) fails its job once the grace period is over`, async () => {
    const crash = await within(20_000, loadPlugin(fixture('crash')));
    const h = await harness({ t: [{ action: `crash:${action}`, deadline: 50 }] }, { plugins: [crash] });
    const started = Date.now();
    await assert.rejects(h.run('t'), (error: Error & { hint?: string }) => {
      assert.match(error.message, /plugin 'crash' did not stop within 5 s of being cancelled/);
      assert.match(error.hint ?? '', transport === 'process' ? /host process was killed/ : /goroutine was left running/);
      return true;
    });
    assert.ok(Date.now() - started >= 4900, 'not before the grace period');
    assert.ok(h.messages().includes('stuck'));
  });
}
