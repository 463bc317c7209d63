import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runTask, tempProject } from './harness.js';

// A small module from the Go module proxy; the shared module cache keeps re-runs fast.
const MODULE = 'golang.org/x/mod@v0.20.0';

describe('get-package action (also named go-get)', () => {
  it('adds a module from the module proxy to the project', async () => {
    const project = await tempProject();
    try {
      await writeFile(path.join(project.dir, 'go.mod'), 'module example.com/getter\n\ngo 1.21\n');
      const { error, log } = await runTask(project.dir, { deps: [{ action: 'go-get', params: { packages: [MODULE], verbose: true } }] }, 'deps');
      assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
      assert.ok(log.messages().includes(`Downloading package '${MODULE}'`));
      assert.match(await readFile(path.join(project.dir, 'go.mod'), 'utf8'), /golang\.org\/x\/mod v0\.20\.0/);
    } finally {
      await project.cleanup();
    }
  });

  it("fails naming the package and showing go's message", async () => {
    const project = await tempProject();
    try {
      await writeFile(path.join(project.dir, 'go.mod'), 'module example.com/getter\n\ngo 1.21\n');
      const { error } = await runTask(project.dir, { deps: [{ action: 'go-get', params: { packages: ['example.invalid/nothing@v1.0.0'] } }] }, 'deps');
      assert.match(String(error), /failed to get package 'example\.invalid\/nothing@v1\.0\.0', process finished with non-zero status code: 1\n.*example\.invalid/s);
    } finally {
      await project.cleanup();
    }
  });

  it('rejects an empty package list and a mistyped flag', async () => {
    const project = await tempProject();
    try {
      for (const action of ['get-package', 'go-get']) {
        const empty = await runTask(project.dir, { deps: [{ action }] }, 'deps');
        assert.match(String(empty.error), /no packages to install/);
      }
      const typo = await runTask(project.dir, { deps: [{ action: 'go-get', params: { packages: ['x'], verbose: 'yes' } }] }, 'deps');
      assert.match(String(typo.error), /get-package: param 'verbose' must be a bool \(true or false\), got string/);
    } finally {
      await project.cleanup();
    }
  });
});
