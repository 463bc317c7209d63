/**
 * A Go job with `deadline: 1` (issue 14, item 13): its log lines always come
 * out, and before its result; nothing it logs (its Cancel line) comes after
 * the task's success line. Run many times: the faults were races (7 and 3 of
 * 20 runs).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { project, runCli } from './helpers.js';

const BRIDGETEST = fileURLToPath(new URL('../fixtures/go-plugins/build/bridgetest.so', import.meta.url));
const RUNS = 12;

describe('a Go job with deadline: 1', { timeout: 300_000 }, () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await project(
      undefined,
      [
        'version: "1.0"',
        'plugins:',
        `- file://${BRIDGETEST}`,
        'tasks:',
        '  wait:',
        '  - action: bridgetest:wait',
        '    deadline: 1',
        '  levels:',
        '  - action: bridgetest:levels',
        '    deadline: 1',
        '',
      ].join('\n'),
    );
  });
  after(() => dir?.cleanup());

  /** The lines of a successful run, after checking that the success line is the last one. */
  async function run(task: string): Promise<string[]> {
    const result = await runCli(['run', task], { cwd: dir.dir, timeoutMs: 30_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = result.stdout.trimEnd().split('\n').map((line) => line.trim());
    assert.equal(lines.at(-1), `Task '${task}' ran successfully`, `nothing after the success line:\n${result.stdout}`);
    return lines;
  }

  it('an action waiting for its context: Call runs and logs, Cancel runs and logs, all before the end', async () => {
    for (let i = 0; i < RUNS; i++) {
      const lines = await run('wait');
      for (const expected of ['waiting', 'Cancel called', 'context done: context canceled, alive: false', 'Job deadline exceeded']) {
        assert.ok(lines.includes(expected), `run ${i + 1}: '${expected}' is missing:\n${lines.join('\n')}`);
      }
    }
  });

  it('an action that ends by itself: every line it logs, and its Cancel line when the deadline came first, before the end', async () => {
    for (let i = 0; i < RUNS; i++) {
      const lines = await run('levels');
      for (const expected of ['log1', 'sub sub warn', 'fork info']) {
        assert.ok(lines.includes(expected), `run ${i + 1}: '${expected}' is missing:\n${lines.join('\n')}`);
      }
    }
  });
});
