import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBuiltinRegistry } from '../../src/actions/index.js';
import { CancelledError, GilbertError } from '../../src/errors.js';
import { RecursionError } from '../../src/runner/index.js';
import type { ActionParams, JobContext, Scope } from '../../src/sdk/index.js';
import { manifest, setup, tempProject, within } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempProject()));
after(() => cleanup());

describe('task runner', () => {
  it('runs steps in order, announcing them and logging shell output at job depth', async () => {
    const m = manifest(dir, {
      tasks: {
        build: [
          { description: 'first {{ what }}', action: 'shell', vars: { what: 'step' }, params: { command: 'echo one; echo two >&2' } },
          { action: 'shell', params: { command: 'echo three' } },
        ],
      },
    });
    const { runner, lines } = setup(m);
    await within(runner.run('build'));
    assert.deepEqual(lines(), [
      "log: Running task 'build'...",
      '  info: - [1/2] first step',
      '    log: one',
      '    error: two',
      '  info: - [2/2] shell',
      '    log: three',
    ]);
  });

  it('announces a single step without a counter', async () => {
    const { runner, lines } = setup(manifest(dir, { tasks: { one: [{ action: 'shell', params: { command: 'true' } }] } }));
    await within(runner.run('one'));
    assert.deepEqual(lines(), ["log: Running task 'one'...", '  info: - shell']);
  });

  it('layers vars: manifest globals < job vars < --var; mixins and tasks get the caller vars', async () => {
    const out = path.join(dir, 'vars.txt');
    const m = manifest(dir, {
      vars: { a: 'manifest', b: 'manifest', c: 'manifest' },
      mixins: { write: [{ action: 'shell', params: { command: `echo "{{ a }} {{ b }} {{ c }} {{ m }}" >> ${out}` } }] },
      tasks: {
        main: [
          { mixin: 'write', vars: { b: 'job', m: 'mixin-job' } },
          { task: 'sub', vars: { b: 'caller', m: 'task-job' } },
        ],
        sub: [{ action: 'shell', vars: { m: 'own' }, params: { command: `echo "{{ a }} {{ b }} {{ c }} {{ m }}" >> ${out}` } }],
      },
    });
    const { runner } = setup(m);
    await within(runner.run('main', { vars: { c: 'cli' } }));
    assert.equal(await readFile(out, 'utf8'), 'manifest job cli mixin-job\nmanifest caller cli task-job\n');
  });

  it('passes raw params to the factory, never expanded', async () => {
    const registry = createBuiltinRegistry();
    let seen: ActionParams | undefined;
    registry.register('probe', (_scope: Scope, params: ActionParams) => {
      seen = params;
      return { call: async () => {}, cancel: async () => {} };
    }, 'test');
    const params = { text: '{{ undefined_var }}', nested: { list: ['{% echo x %}'] } };
    const { runner } = setup(manifest(dir, { tasks: { t: [{ action: 'probe', params }] } }), registry);
    await within(runner.run('t'));
    assert.deepEqual(seen, params);
  });

  it('skips a job whose `if` fails or cannot be expanded', async () => {
    const marker = path.join(dir, 'if-ran');
    const m = manifest(dir, {
      tasks: {
        t: [
          { action: 'shell', if: 'test -e /definitely/not/here', params: { command: `touch ${marker}` } },
          { action: 'shell', if: 'echo {{ nope }}', params: { command: `touch ${marker}` } },
          { action: 'shell', if: 'test -d {{ PROJECT }}', params: { command: 'echo ran' } },
        ],
      },
    });
    const { runner, lines } = setup(m);
    await within(runner.run('t'));
    assert.equal(existsSync(marker), false);
    const text = lines();
    assert.equal(text.filter((l) => l === '    info: step was skipped').length, 2);
    assert.ok(text.includes("    warn: Failed to parse value inside 'if' expression, job will be skipped"));
    assert.ok(text.includes('    log: ran'));
  });

  it('reports a failing step with Gilbert’s wording and the exit status', async () => {
    const m = manifest(dir, {
      mixins: { failing: [{ action: 'shell', params: { command: 'true' } }, { action: 'shell', params: { command: 'exit 4' } }] },
      tasks: { t: [{ action: 'shell', params: { command: 'true' } }, { mixin: 'failing' }, { action: 'shell', params: { command: 'echo never' } }] },
    });
    const { runner, lines } = setup(m);
    await assert.rejects(within(runner.run('t')), (error: Error) => {
      assert.ok(error instanceof GilbertError);
      assert.equal(error.message, "task 't' returned an error on step 2: process finished with non-zero status code 4 (sub-task step 2)");
      return true;
    });
    assert.ok(!lines().includes('    log: never'));
    assert.ok(lines().includes('    info: - [2/2] shell'), 'mixin steps are announced one level deeper');
  });

  it('names unknown actions, mixins and tasks with the job location', async () => {
    const location = { file: path.join(dir, 'gilbert.yaml'), line: 7 };
    // Gilbert's words in the message; the location beside it, for the CLI's `at` line
    const cases: [object, RegExp][] = [
      [{ action: 'nope', location }, /^task 't' returned an error on step 1: no such action handler: 'nope'$/],
      [{ mixin: 'nope', location }, /^task 't' returned an error on step 1: mixin 'nope' doesn't exists$/],
      [{ task: 'nope', location }, /^task 't' returned an error on step 1: task 'nope' doesn't exists$/],
      [{ location }, /no task handler defined/],
    ];
    for (const [job, pattern] of cases) {
      const { runner } = setup(manifest(dir, { tasks: { t: [job] } }));
      await assert.rejects(within(runner.run('t')), (error: unknown) => {
        assert.ok(error instanceof GilbertError);
        assert.match(error.message, pattern);
        assert.deepEqual(error.location, location);
        return true;
      });
    }
    const { runner } = setup(manifest(dir, { tasks: { t: [] } }));
    await assert.rejects(within(runner.run('missing')), /task 'missing' doesn't exists/);
  });

  it('detects recursion without end and names the chain once', async () => {
    const m = manifest(dir, { mixins: { m: [{ task: 'a' }] }, tasks: { a: [{ task: 'b' }], b: [{ mixin: 'm' }] } });
    const { runner } = setup(m);
    await assert.rejects(within(runner.run('a')), (error: Error) => {
      assert.ok(error instanceof RecursionError);
      assert.match(error.message, /^recursion without end: task 'a' -> task 'b' -> mixin 'm' -> task 'a' -> /);
      assert.doesNotMatch(error.message, /sub-task step/);
      return true;
    });
  });

  it('waits for async jobs, and an async failure fails the task and cancels the others', async () => {
    const registry = createBuiltinRegistry();
    let cancelled = 0;
    registry.register('forever', () => {
      let stop: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      return {
        call: () => stopped,
        cancel: async () => {
          cancelled++;
          stop();
        },
      };
    }, 'test');
    const m = manifest(dir, {
      tasks: {
        t: [
          { action: 'forever', async: true },
          { action: 'shell', async: true, params: { command: 'exit 2' } },
          { action: 'forever' },
        ],
      },
    });
    const { runner, lines } = setup(m, registry);
    await assert.rejects(within(runner.run('t')), /^Error: async job returned error - process finished with non-zero status code 2$|async job returned error - process finished with non-zero status code 2/);
    assert.equal(cancelled, 2, 'both running jobs had cancel called');
    assert.ok(lines().includes('  error: ERROR: async job returned error: process finished with non-zero status code 2'));
    assert.ok(lines().includes('  log: Waiting for 2 async job(s) to complete'));
  });

  it('cancels a job at its deadline, killing the shell process group', async () => {
    const pidFile = path.join(dir, 'deadline.pid');
    const m = manifest(dir, {
      tasks: { t: [{ action: 'shell', deadline: 300, params: { command: `sleep 30 & echo $! > ${pidFile}; wait` } }, { action: 'shell', params: { command: 'echo after' } }] },
    });
    const { runner, lines } = setup(m);
    const started = Date.now();
    await within(runner.run('t'), 8000, 'deadline run');
    assert.ok(Date.now() - started < 5000);
    assert.ok(lines().includes('    warn: Job deadline exceeded'));
    assert.ok(lines().includes('    log: after'), "the cancel outcome (success) decides, as in Gilbert");
    const pid = Number(await readFile(pidFile, 'utf8'));
    await within(waitUntilGone(pid), 5000, 'grandchild exit');
  });

  it('rejects with the signal reason when the run is cancelled, after calling cancel', async () => {
    const registry = createBuiltinRegistry();
    let cancelCalled = false;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    registry.register('wait', () => {
      let stop: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      return {
        call: async (ctx: JobContext) => {
          assert.equal(ctx.isAlive(), true);
          started();
          await stopped;
        },
        cancel: async () => {
          cancelCalled = true;
          stop();
        },
      };
    }, 'test');
    const controller = new AbortController();
    const { runner } = setup(manifest(dir, { tasks: { t: [{ action: 'wait' }, { action: 'shell', params: { command: 'echo no' } }] } }), registry);
    const run = runner.run('t', { signal: controller.signal });
    await within(running);
    controller.abort(new CancelledError('SIGINT'));
    await assert.rejects(within(run), (error: Error) => error instanceof CancelledError && error.exitCode === 130);
    assert.equal(cancelCalled, true);
  });

  it('waits `delay` ms before a job', async () => {
    const { runner } = setup(manifest(dir, { tasks: { t: [{ action: 'shell', delay: 150, params: { command: 'true' } }] } }));
    const started = Date.now();
    await within(runner.run('t'));
    assert.ok(Date.now() - started >= 140);
  });

  it('is the JobRunner plugins call: runTask with scope locals, runJob, actionByName', async () => {
    const out = path.join(dir, 'plugin.txt');
    const registry = createBuiltinRegistry();
    registry.register('caller', (scope: Scope) => ({
      call: async (ctx, r) => {
        assert.equal(typeof r.actionByName('shell'), 'function');
        assert.throws(() => r.actionByName('nope'), /no such action handler: 'nope'/);
        await r.runTask('sub', ctx.child(), scope);
        await r.runJob({ action: 'shell', params: { command: `echo job >> ${out}` } }, ctx.child());
      },
      cancel: async () => {},
    }), 'test');
    const m = manifest(dir, {
      tasks: { t: [{ action: 'caller', vars: { greeting: 'hello' } }], sub: [{ action: 'shell', params: { command: `echo {{ greeting }} >> ${out}` } }] },
    });
    const { runner } = setup(m, registry);
    await within(runner.run('t'));
    assert.equal(await readFile(out, 'utf8'), 'hello\njob\n');
  });
});

async function waitUntilGone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
