import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, setLongTimeout } from '../../src/runner/long-timer.js';

test('a timer longer than setTimeout can hold fires once, after the whole time', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  const ms = MAX_TIMER_MS * 2 + 10;
  setLongTimeout(() => fired++, ms);
  t.mock.timers.tick(MAX_TIMER_MS);
  t.mock.timers.tick(MAX_TIMER_MS);
  t.mock.timers.tick(9);
  assert.equal(fired, 0, 'not before its time');
  t.mock.timers.tick(1);
  assert.equal(fired, 1);
  t.mock.timers.tick(MAX_TIMER_MS * 3);
  assert.equal(fired, 1, 'only once');
});

test('clear stops a chained timer at any link', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  const timer = setLongTimeout(() => fired++, MAX_TIMER_MS + 5);
  t.mock.timers.tick(MAX_TIMER_MS + 1);
  timer.clear();
  t.mock.timers.tick(MAX_TIMER_MS);
  assert.equal(fired, 0);
});
