import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Job } from '../../src/sdk/index.js';
import { gone, runTask, startTask, tempProject, within } from './harness.js';

function watchTask(run: Job, extra: Record<string, unknown> = {}): Record<string, Job[]> {
  return { watch: [{ action: 'watch', params: { path: 'src/...', debounceTime: 150, run: run as never, ...extra } }] };
}

async function watchedProject() {
  const project = await tempProject();
  await mkdir(path.join(project.dir, 'src', 'sub'), { recursive: true });
  await mkdir(path.join(project.dir, 'src', 'ignored'), { recursive: true });
  return project;
}

describe('watch action', () => {
  it('runs the job at start and once per debounced burst, ignoring ignored and hidden files', async () => {
    const project = await watchedProject();
    const stop = new AbortController();
    const { log, done } = startTask(project.dir, watchTask({ description: 'echo', action: 'shell', params: { command: 'echo ran' } }, { ignore: ['src/ignored/**'] }), 'watch', stop.signal);
    try {
      await log.waitFor(/^- 'echo' finished$/, 15_000, 1);

      // a burst: three changes well inside one debounce period
      for (const name of ['a.go', 'b.go', 'sub/c.go']) await writeFile(path.join(project.dir, 'src', name), 'package x\n');
      await log.waitFor(/^- 'echo' finished$/, 15_000, 2);

      // ignored changes, then one that counts: events arrive in order, so once the
      // last one is seen the ignored ones were seen (and dropped) before it
      await writeFile(path.join(project.dir, 'src', 'ignored', 'x.go'), 'package x\n');
      await writeFile(path.join(project.dir, 'src', '.hidden'), 'x');
      await writeFile(path.join(project.dir, 'src', 'sub', 'x-go-tmp-umask'), 'x');
      await writeFile(path.join(project.dir, 'src', 'last.go'), 'package x\n');
      await log.waitFor(/^- 'echo' finished$/, 15_000, 3);

      assert.equal(log.count(/^- Starting 'echo'$/), 3, log.messages().join('\n'));
      const events = log.records.filter((r) => r.level === 'debug' && r.message.startsWith('event: ')).map((r) => r.message);
      assert.ok(events.some((e) => e.endsWith(path.join('src', 'last.go'))), events.join('\n'));
      assert.ok(!events.some((e) => /ignored|\.hidden|go-tmp-umask/.test(e)), events.join('\n'));
      assert.ok(log.messages().includes("watcher is watching for changes in 'src/...'"));
    } finally {
      stop.abort();
      await within(done, 10_000, 'watch stopping');
      await project.cleanup();
    }
  });

  it('cancels the run in progress on a new change, killing its process, and stops cleanly when cancelled', async () => {
    const project = await watchedProject();
    const stop = new AbortController();
    const run = { description: 'long', action: 'shell', params: { command: 'echo started $$; exec sleep 60' } };
    const { log, done } = startTask(project.dir, watchTask(run), 'watch', stop.signal);
    try {
      const first = Number(/started (\d+)/.exec((await log.waitFor(/^started \d+$/, 15_000, 1)).message)![1]);

      await writeFile(path.join(project.dir, 'src', 'a.go'), 'package x\n');
      const second = Number(/started (\d+)/.exec((await log.waitFor(/^started \d+$/, 15_000, 2)).message)![1]);
      assert.notEqual(first, second);
      await gone(first, 5_000);
      assert.equal(log.count(/^- 'long' cancelled$/), 1);

      stop.abort();
      await within(done, 10_000, 'watch stopping');
      await gone(second, 5_000);
      assert.equal(log.count(/^- Starting 'long'$/), 2);
    } finally {
      stop.abort();
      await project.cleanup();
    }
  });

  it('watches only the folder itself when the path has no trailing ...', async () => {
    const project = await watchedProject();
    const stop = new AbortController();
    const { log, done } = startTask(project.dir, watchTask({ action: 'shell', params: { command: 'true' } }, { path: 'src' }), 'watch', stop.signal);
    try {
      await log.waitFor(/^- 'shell' finished$/, 15_000, 1);
      await writeFile(path.join(project.dir, 'src', 'sub', 'deep.go'), 'package x\n');
      await writeFile(path.join(project.dir, 'src', 'top.go'), 'package x\n');
      await log.waitFor(/^- 'shell' finished$/, 15_000, 2);
      const events = log.records.filter((r) => r.message.startsWith('event: ')).map((r) => r.message);
      assert.ok(events.some((e) => e.endsWith('top.go')), events.join('\n'));
      assert.ok(!events.some((e) => e.endsWith('deep.go')), events.join('\n'));
    } finally {
      stop.abort();
      await within(done, 10_000, 'watch stopping');
      await project.cleanup();
    }
  });

  it('asks for the job and the path', async () => {
    const project = await watchedProject();
    try {
      const noRun = await runTask(project.dir, { watch: [{ action: 'watch', params: { path: 'src' } }] }, 'watch');
      assert.match(String(noRun.error), /failed to create action handler instance of 'watch': job to run is not defined/);
      const noPath = await runTask(project.dir, { watch: [{ action: 'watch', params: { run: { action: 'shell' } } }] }, 'watch');
      assert.match(String(noPath.error), /please set path to watch in 'path' parameter/);
      const badDebounce = await runTask(project.dir, watchTask({ action: 'shell' }, { debounceTime: 'soon' }), 'watch');
      assert.match(String(badDebounce.error), /watch: param 'debounceTime' must be a number of milliseconds, got string/);
      const missingDir = await runTask(project.dir, watchTask({ action: 'shell' }, { path: 'nope/...' }), 'watch');
      assert.match(String(missingDir.error), /failed to initialize watcher for 'nope\/\.\.\.'/);
    } finally {
      await project.cleanup();
    }
  });
});
