import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnv, finish, project, runCli, spawnCli, waitFor, waitForOutput } from '../../e2e/helpers.js';
import { scratch } from '../helpers.js';
import { ReleaseServer } from '../release-server.js';

/** Every file left under `directory` (the storage folder's marker aside). */
async function leftFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && entry.name !== '.gilbert-ts-storage').map((entry) => path.join(entry.parentPath, entry.name));
}

describe('downloads have time limits and a size cap (issue 14, item 10)', { timeout: 120_000 }, () => {
  const server = new ReleaseServer();
  before(() => server.start());
  after(() => server.stop());

  const cases = [
    { route: 'stall', env: { GILBERT_HTTP_TIMEOUT: '1' }, message: /download of 'http:\/\/127\.0\.0\.1:\d+\/stall' received nothing for 1s/, hint: /raise GILBERT_HTTP_TIMEOUT/ },
    { route: 'trickle', env: { GILBERT_DOWNLOAD_TIMEOUT: '1.5' }, message: /download of 'http:\/\/127\.0\.0\.1:\d+\/trickle' took longer than 1\.5s/, hint: /raise GILBERT_DOWNLOAD_TIMEOUT/ },
    { route: 'endless', env: { GILBERT_PLUGIN_MAX_SIZE: '1M' }, message: /download of 'http:\/\/127\.0\.0\.1:\d+\/endless' is over 1 MiB, more than the 1 MiB a plugin may have/, hint: /GILBERT_PLUGIN_MAX_SIZE/ },
    { route: 'announced-huge', env: {}, message: /download of 'http:\/\/127\.0\.0\.1:\d+\/announced-huge' is 50 GiB, more than the 512 MiB a plugin may have/, hint: /GILBERT_PLUGIN_MAX_SIZE/ },
  ];
  for (const { route, env, message, hint } of cases) {
    it(`/${route}: ${Object.keys(env).join(', ') || 'the default size cap'} ends it with a clear error and nothing cached`, async () => {
      const home = await scratch('gilbert-limits-');
      const work = await project(undefined, `plugins:\n  - ${server.base}/${route}\ntasks:\n  t:\n    - action: x:y\n`);
      try {
        const started = Date.now();
        const result = await runCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: home.dir, ...env }), timeoutMs: 30_000 });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, message);
        assert.match(result.stderr, hint);
        assert.doesNotMatch(result.stderr, /This is a bug/);
        assert.ok(Date.now() - started < 20_000, 'ended well before the bound');
        assert.deepEqual(await leftFiles(home.dir), []);
      } finally {
        await work.cleanup();
        await home.dispose();
      }
    });
  }

  it('SIGTERM during a stalled download ends gilbert at once (143), leaving nothing', async () => {
    const home = await scratch('gilbert-limits-');
    const work = await project(undefined, `plugins:\n  - ${server.base}/stall\ntasks:\n  t:\n    - action: x:y\n`);
    try {
      server.requests.length = 0;
      const child = spawnCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: home.dir }) });
      const done = finish(child, 10_000);
      await waitForOutput(child, 'Downloading plugin file from');
      // The request is in flight once the server has seen it.
      await waitFor(() => (server.requests.some((request) => request.url === '/stall') ? true : undefined), 'the download request');
      child.kill('SIGTERM');
      const result = await done;
      assert.equal(result.code, 143, result.stdout + result.stderr);
      assert.doesNotMatch(result.stderr, /This is a bug/);
      assert.deepEqual(await leftFiles(home.dir), []);
    } finally {
      await work.cleanup();
      await home.dispose();
    }
  });
});
