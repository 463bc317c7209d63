import assert from 'node:assert/strict';
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliEnv, finish, project, spawnCli, waitFor, waitForOutput } from '../../e2e/helpers.js';
import { fixturesDirectory, scratch } from '../helpers.js';

/** Build temporaries under `directory`, two levels deep: Go's `go-build*` work folders and gilbert's GOTMPDIR folders. */
async function buildTemporaries(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (/^(go-build|gilbert-go-)/.test(entry.name)) found.push(entry.name);
    if (entry.isDirectory()) {
      for (const inner of await readdir(path.join(directory, entry.name)).catch(() => [])) if (inner.startsWith('go-build')) found.push(path.join(entry.name, inner));
    }
  }
  return found;
}

describe('Ctrl+C during a go:// build (issue 14, item 12)', { timeout: 300_000 }, () => {
  for (const signals of [1, 2]) {
    it(`${signals === 1 ? 'one SIGINT' : 'a second SIGINT (exit at once)'} removes the build temporaries and leaves no partial plugin`, async () => {
      const work = await project(undefined, 'plugins:\n  - go://./plugins/hello\ntasks:\n  greet:\n    - action: hello:greet\n');
      const temp = await scratch('gilbert-build-cancel-');
      try {
        await cp(path.join(fixturesDirectory, 'hello'), path.join(work.dir, 'plugins', 'hello'), { recursive: true });
        const tmpdir = path.join(temp.dir, 'tmp');
        await mkdir(tmpdir);
        // An empty build cache makes the build long enough to be interrupted mid-way (modules still come from the shared module cache).
        const env = cliEnv({ TMPDIR: tmpdir, GOCACHE: path.join(temp.dir, 'gocache'), GILBERT_HOME: path.join(temp.dir, 'home') });
        const child = spawnCli(['run', 'greet'], { cwd: work.dir, env });
        const done = finish(child, 240_000);
        await waitFor(async () => ((await buildTemporaries(tmpdir)).some((name) => name.includes('go-build')) ? true : undefined), 'go build to create its work folder', 120_000);
        const shuttingDown = waitForOutput(child, 'Shutting down...');
        child.kill('SIGINT');
        if (signals === 2) {
          // Two signals sent at once would merge into one: the second goes once the first is being handled.
          await shuttingDown;
          child.kill('SIGINT');
        }
        const result = await done;
        assert.equal(result.code, 130, result.stdout + result.stderr);
        assert.deepEqual(await buildTemporaries(tmpdir), [], 'no go-build* folder is left in TMPDIR');
        const outputs = await readdir(path.join(work.dir, '.gilbert', 'plugins'), { recursive: true }).catch(() => []);
        assert.deepEqual(outputs.filter((name) => String(name).endsWith('.partial')), []);
      } finally {
        await work.cleanup();
        await temp.dispose();
      }
    });
  }
});
