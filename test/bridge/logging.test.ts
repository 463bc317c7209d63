import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harness } from './helpers.js';

test('every log level, Format, Write, ErrorWriter and sub-loggers arrive with level and depth', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:levels' }] });
  await h.run('t');
  const base = 2; // the job's logger: task → step → job
  // the runner's own debug line after each job (Gilbert's 'job: result received') is not the plugin's
  const got = h.records.filter((r) => r.depth >= base && r.message !== 'job: result received').map((r) => [r.level, r.depth - base, r.message]);
  assert.deepEqual(got, [
    ['log', 0, 'log1'],
    ['log', 0, 'logf 2'],
    ['debug', 0, 'debug'],
    ['debug', 0, 'debugf x'],
    ['info', 0, 'info'],
    ['info', 0, 'infof true'],
    ['success', 0, 'success'],
    ['success', 0, 'successf 1.5'],
    ['warn', 0, 'warn'],
    ['warn', 0, 'warnf "q"'],
    ['error', 0, 'error'],
    ['error', 0, 'errorf 3'],
    ['info', 1, 'sub info'],
    ['warn', 2, 'sub sub warn'],
    ['log', 0, 'format 007'],
    ['log', 0, 'written line 1'],
    ['log', 0, 'written line 2'],
    ['error', 0, 'stderr line'],
    ['info', 1, 'fork info'],
  ]);
});

test('1,000 goroutines logging at once: every line arrives, each goroutine in order', async () => {
  const goroutines = 1000;
  const lines = 50;
  const h = await harness({ t: [{ action: 'bridgetest:flood', params: { goroutines, lines } }] });
  await h.run('t');
  const next = new Array<number>(goroutines).fill(0);
  let count = 0;
  for (const r of h.records) {
    const m = /^g(\d+) (\d+)$/.exec(r.message);
    if (!m) continue;
    const g = Number(m[1]);
    assert.equal(Number(m[2]), next[g], `goroutine ${g} out of order`);
    next[g]!++;
    count++;
  }
  assert.equal(count, goroutines * lines);
  // all of them before the run ended: the job's completion came after its lines
  assert.ok(next.every((n) => n === lines));
});
