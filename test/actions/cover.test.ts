import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runTask, tempProject, within } from './harness.js';

/** Settles when `file` is created (renamed into place) in its folder. */
function fileAppears(file: string, ms: number): Promise<void> {
  const watcher = watch(path.dirname(file));
  const appeared = new Promise<void>((resolve) => watcher.on('change', (_event, name) => name === path.basename(file) && resolve()));
  return within(appeared, ms, `${file} appearing`).finally(() => watcher.close());
}

/** gbcover* folders in the temp dir: the profile must not be left behind. */
async function profileFolders(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('gbcover'));
}

describe('cover action', () => {
  let app: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    app = await tempProject('app');
  });
  after(() => app.cleanup());

  it('reports coverage per package, sorted by coverage descending, and passes above the threshold', async () => {
    const leftoversBefore = await profileFolders();
    const { error, log } = await runTask(app.dir, { cover: [{ action: 'cover', params: { threshold: 30, packages: ['./...'] } }] }, 'cover');
    assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
    const messages = log.messages();
    const report = messages[messages.indexOf('Coverage report:') + 1]!;
    assert.deepEqual(report.split('\n'), ['  - example.com/app/calc: 50.00%', '  - example.com/app: 0.00%', '  - example.com/app/notests: 0.00%']);
    assert.ok(messages.includes('Total coverage: 33.33%'), messages.join('\n'));
    assert.ok(messages.includes("2 packages don't have tests."), messages.join('\n'));
    assert.deepEqual(await profileFolders(), leftoversBefore, 'the coverage profile is removed');
  });

  it('fails below the threshold, with the report', async () => {
    const { error, log } = await runTask(app.dir, { cover: [{ action: 'cover', params: { threshold: 50, packages: ['./...'] } }] }, 'cover');
    assert.match(String(error), /code coverage is below 50\.00% \(got 33\.33%\)/);
    assert.ok(log.messages().includes('Total coverage: 33.33%'));
  });

  it('prints the full report per function, sorted by name ascending, and lists packages without tests', async () => {
    const { error, log } = await runTask(
      app.dir,
      {
        cover: [
          {
            action: 'cover',
            params: { packages: ['./calc', './notests'], fullReport: true, showUncovered: true, reportCoverage: true, sort: { by: 'name', desc: false } },
          },
        ],
      },
      'cover',
    );
    assert.equal(error, undefined, String(error));
    const messages = log.messages();
    const report = messages[messages.indexOf('Coverage report:') + 1]!;
    assert.deepEqual(report.split('\n'), [
      "  Package 'example.com/app/calc' - 50.00%",
      '    - Add: 100.00%',
      '    - Mul: 0.00%',
      "  Package 'example.com/app/notests' - 0.00%",
      '    - Noop: 0.00%',
    ]);
    assert.ok(messages.includes('1 packages without tests:'));
    assert.ok(messages.includes('  - example.com/app/notests'));
  });

  it('fails the job with the failing tests and their output', async () => {
    const failing = await tempProject('failing');
    try {
      const { error, log } = await runTask(failing.dir, { cover: [{ action: 'cover' }] }, 'cover');
      assert.match(String(error), /test execution failed \(process finished with non-zero status code: 1/);
      const errors = log.records.filter((r) => r.level === 'error').map((r) => r.message);
      assert.ok(errors.includes('Failed to check test coverage, test run failed with 1 errors.'), errors.join('\n'));
      assert.ok(
        errors.some((m) => m.includes('Package "example.com/failing":') && m.includes('TestAnswer') && m.includes('Answer() = 41, want 42')),
        errors.join('\n'),
      );
    } finally {
      await failing.cleanup();
    }
  });

  it("rejects a threshold out of range and an unknown sort key in Gilbert's words", async () => {
    const high = await runTask(app.dir, { cover: [{ action: 'cover', params: { threshold: 120 } }] }, 'cover');
    assert.match(String(high.error), /coverage threshold should be between 0 and 100 \(got 120\.000000\)/);
    const sort = await runTask(app.dir, { cover: [{ action: 'cover', params: { sort: { by: 'size' } } }] }, 'cover');
    assert.match(String(sort.error), /unsupported sort key 'size' \(expected coverage or name\)/);
  });
});

describe('cover:html action', () => {
  it('writes the HTML report and prints its path when no browser can be opened', async () => {
    const app = await tempProject('app');
    try {
      const headless = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
      const { error, log } = await runTask(app.dir, { html: [{ action: 'cover:html', params: { outputPath: 'build/coverage.html' } }] }, 'html', {
        env: headless,
      });
      assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
      const report = path.join(app.dir, 'build', 'coverage.html');
      assert.ok(log.messages().includes(`Coverage report written to '${report}'`), log.messages().join('\n'));
      assert.ok((await stat(report)).size > 0);
      const html = await readFile(report, 'utf8');
      assert.match(html, /<html/);
      assert.match(html, /calc\.go/);
    } finally {
      await app.cleanup();
    }
  });
});

describe('cover action on code that does not compile', () => {
  it("shows the compiler's message under the package", async () => {
    const failing = await tempProject('failing');
    try {
      await writeFile(path.join(failing.dir, 'broken_test.go'), 'package failing\n\nfunc broken() int { return "x" }\n');
      const { error, log } = await runTask(failing.dir, { cover: [{ action: 'cover' }] }, 'cover');
      assert.match(String(error), /process finished with non-zero status code: 1/);
      const errors = log.records.filter((r) => r.level === 'error').map((r) => r.message).join('\n');
      assert.match(errors, /\[Test Execution Error\]/);
      assert.match(errors, /broken_test\.go:3:\d+: cannot use "x"/);
    } finally {
      await failing.cleanup();
    }
  });
});

describe('cover:html with a browser', () => {
  it('hands the report to xdg-open when a display is set', async () => {
    const app = await tempProject('app');
    let report = '';
    try {
      // a real xdg-open stand-in on PATH that records what it was asked to open
      const bin = path.join(app.dir, 'bin');
      const opened = path.join(app.dir, 'opened.txt');
      await mkdir(bin);
      await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
      const env = { ...process.env, DISPLAY: ':0', PATH: `${bin}${path.delimiter}${process.env.PATH}` };
      const openedNow = fileAppears(opened, 10_000);
      const { error, log } = await runTask(app.dir, { html: [{ action: 'cover:html', params: { packages: ['./calc'] } }] }, 'html', { env });
      assert.equal(error, undefined, String(error));
      assert.ok(log.messages().includes('Opening report...'));
      await openedNow;
      report = await readFile(opened, 'utf8');
      assert.match(report, /coverage\.html$/);
      assert.match(await readFile(report, 'utf8'), /<html/);
    } finally {
      if (report) await rm(path.dirname(report), { recursive: true, force: true });
      await app.cleanup();
    }
  });
});
