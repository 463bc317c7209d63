import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegralFloat, type Actions, type ParamValue } from '../../src/sdk/index.js';
import { recordingLogger } from '../../src/log/logger.js';
import { RunContext } from '../../src/runner/index.js';
import { createScope } from '../../src/scope/index.js';
import { fixture, harness, loadPlugin, root, within } from './helpers.js';

/** A TS action recording the params it was made with and the context it ran in. */
function recorder(): { actions: Actions; calls: { params: Record<string, ParamValue>; vars: Record<string, string> }[] } {
  const calls: { params: Record<string, ParamValue>; vars: Record<string, string> }[] = [];
  return {
    calls,
    actions: {
      'ts:record': (_scope, params) => ({
        call: async (ctx) => {
          calls.push({ params, vars: { ...ctx.vars } });
          ctx.log.info(`ts action ran with ${JSON.stringify(params)}`);
        },
        cancel: async () => {},
      }),
      'ts:fail': () => ({
        call: async () => {
          throw new Error('ts action failed');
        },
        cancel: async () => {},
      }),
    },
  };
}

test('ExpandVariables and Scan are answered by the TypeScript scope', async () => {
  const h = await harness(
    { t: [{ action: 'bridgetest:expand', vars: { a: 'A', b: 'B', who: 'world' }, params: { expr: 'hello {{ who }} from {% echo shell %}' } }] },
  );
  await h.run('t');
  assert.ok(h.messages().includes('expanded: hello world from shell'), h.messages().join('\n'));
  assert.ok(h.messages().includes('scanned: A B'));
});

test('an expansion error reaches the plugin as an error', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:expand', params: { expr: '{% exit 3 %}' } }] });
  await assert.rejects(h.run('t'), /expand failed: /);
});

test('every ScopeAccessor method, and ctx.Vars/SetVars', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:scope', vars: { v: '1' } }] }, { vars: { g: 'G' } });
  await h.run('t', { vars: { cli: 'x' } });
  const lines = h.messages();
  for (const line of [
    'global g2=global ok=true',
    'var missing ok=false',
    'var added=local local=true ok=true',
    'vars added=local',
    `project=${root}`,
    'environ has g2=true',
    'ctx vars=map[cli:x]',
  ]) {
    assert.ok(lines.includes(line), `missing "${line}" in\n${lines.join('\n')}`);
  }
});

test('RunTask runs a TypeScript-side task and returns when it is done', async () => {
  const rec = recorder();
  const h = await harness(
    {
      main: [{ action: 'bridgetest:run-task', params: { task: 'sub' } }],
      sub: [{ action: 'ts:record', params: { from: 'sub' } }],
      failing: [{ action: 'bridgetest:run-task', params: { task: 'bad' } }],
      bad: [{ action: 'ts:fail' }],
    },
    { extraActions: rec.actions },
  );
  await h.run('main');
  assert.equal(rec.calls.length, 1);
  const lines = h.messages();
  assert.ok(lines.indexOf('task done') > lines.findIndex((l) => l.startsWith('ts action ran')));
  await assert.rejects(h.run('failing'), /RunTask: .*ts action failed/);
});

test('ActionByName gives Go a TS action (params keep their types) and a Go action', async () => {
  const rec = recorder();
  const h = await harness(
    {
      ts: [{ action: 'bridgetest:by-name', params: { action: 'ts:record', params: { n: 1, f: 2.5, whole: new IntegralFloat(3), s: 'x', l: [true] } } }],
      go: [{ action: 'bridgetest:by-name', params: { action: 'bridgetest:types', params: { n: 1, whole: new IntegralFloat(3) } } }],
      missing: [{ action: 'bridgetest:by-name', params: { action: 'nope:nothing' } }],
    },
    { extraActions: rec.actions },
  );
  await h.run('ts');
  assert.equal(rec.calls.length, 1);
  const p = rec.calls[0]!.params;
  assert.equal(p.n, 1);
  assert.equal(p.f, 2.5);
  assert.ok(p.whole instanceof IntegralFloat && p.whole.value === 3, 'a Go float64 comes back as an IntegralFloat');
  assert.deepEqual([p.s, p.l], ['x', [true]]);
  assert.ok(h.messages().includes('by-name done'));

  await h.run('go');
  assert.ok(h.messages().includes('n: int 1'));
  assert.ok(h.messages().includes('whole: float64 3'), 'a float64 survives Go → TS → Go');

  await assert.rejects(h.run('missing'), /ActionByName: no such action handler: 'nope:nothing'/);
});

test('RunJob runs a job in a child context and reports on its Errors() channel', async () => {
  const rec = recorder();
  const h = await harness({ t: [{ action: 'bridgetest:run-job', params: { action: 'ts:record' } }], bad: [{ action: 'bridgetest:run-job', params: { action: 'ts:fail' } }] }, { extraActions: rec.actions });
  await h.run('t');
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0]!.params.n, 1);
  assert.ok(rec.calls[0]!.params.f instanceof IntegralFloat);
  assert.ok(h.messages().includes('job result: <nil>'), h.messages().join('\n'));
  await assert.rejects(h.run('bad'), /ts action failed/);
});

test('ChildContext, SetWaitGroup, SetErrorChannel, IsChild and a child Cancel that spares its parent', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:contexts' }] });
  await h.run('t');
  const lines = h.messages();
  for (const line of [
    'root child=false, child child=true',
    'child cancelled: true, root alive: true, root err: <nil>',
    'child errors: child result',
    'custom channel: <nil>',
  ]) {
    assert.ok(lines.includes(line), `missing "${line}" in\n${lines.join('\n')}`);
  }
});

test('SetVars from Go updates the TypeScript context', async () => {
  const plugin = await within(20_000, loadPlugin(fixture('bridgetest')));
  const ctx = RunContext.root({ log: recordingLogger().logger, vars: { before: '1' } });
  const scope = createScope({ projectDirectory: root });
  const handler = await within(5000, Promise.resolve(plugin.actions.scope!(scope, {})));
  await within(5000, handler.call(ctx, { actionByName() { throw new Error('unused'); }, runJob: async () => {}, runTask: async () => {} }));
  assert.deepEqual(ctx.vars, { set: 'by-plugin' });
});

test('300 runs calling back into TS with GC forced throughout: no event lost or garbled, nothing released early', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  const h = await harness({ t: [{ action: 'bridgetest:run-job', params: { action: 'bridgetest:noop' } }] });
  const timer = setInterval(gc, 1);
  try {
    for (let i = 0; i < 300; i++) await h.run('t');
  } finally {
    clearInterval(timer);
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
  assert.equal(h.messages().filter((m) => m === 'job result: <nil>').length, 300);
});

test('errors are symmetric: a TS error that comes back out through Go keeps its class, hint and location', async () => {
  const { GoPluginError } = await import('../../src/bridge/index.js');
  const { JobError } = await import('../../src/errors.js');
  const typed: Actions = {
    'ts:typed': () => ({
      call: async () => {
        throw new JobError('typed failure', { hint: 'do this instead', location: { file: 'gilbert.yaml', line: 7 } });
      },
      cancel: async () => {},
    }),
  };
  const h = await harness({ t: [{ action: 'bridgetest:run-job', params: { action: 'ts:typed' } }] }, { extraActions: typed });
  const err = await h.run('t').then(
    () => assert.fail('the run did not fail'),
    (e: unknown) => e as Error,
  );
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e);
  const back = chain.find((e) => /typed failure/.test(e.message) && (e as { hint?: string }).hint === 'do this instead');
  assert.ok(back, `the hint came back: ${chain.map((e) => `${e.name}: ${e.message} [${(e as { hint?: string }).hint}]`).join(' <- ')}`);
  assert.ok(back instanceof JobError && !(back instanceof GoPluginError), `its class came back: ${back.name}`);
  assert.deepEqual((back as InstanceType<typeof JobError>).location, { file: 'gilbert.yaml', line: 7 });
});
