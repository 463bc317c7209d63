import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { releaseAssetNames } from '../../src/plugins/platform.js';
import { cliEnv, project, runCli } from '../e2e/helpers.js';
import { fixturesDirectory, runCliInTerminal, scratch } from './helpers.js';
import { ReleaseServer } from './release-server.js';

const run = promisify(execFile);

const greetTask = (who: string) => `tasks:\n  greet:\n    - action: hello:greet\n      params:\n        who: ${who}\n`;

describe('fetched and built Go plugins run through the CLI', { timeout: 600_000 }, () => {
  const server = new ReleaseServer();
  let work: { dir: string; dispose: () => Promise<void> };
  let home: { dir: string; dispose: () => Promise<void> };

  before(async () => {
    work = await scratch('gilbert-fetched-');
    home = await scratch('gilbert-fetched-home-');
    const plugin = path.join(work.dir, 'hello.so');
    await run('go', ['build', '-buildmode=plugin', '-o', plugin, '.'], {
      cwd: path.join(fixturesDirectory, 'hello'),
      env: { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '1' },
      timeout: 300_000,
    });
    const [, generic] = releaseAssetNames('hello');
    server.releases.set('v1.2.3', [{ name: generic!, content: await readFile(plugin) }]);
    await server.start();
  });
  after(async () => {
    await server.stop();
    await work?.dispose();
    await home?.dispose();
  });

  it('downloads a GitHub release asset and runs its action', async () => {
    const dir = await project(undefined, `plugins:\n  - github://github.com/acme/hello?version=v1.2.3\n${greetTask('release')}`);
    try {
      const env = cliEnv({ GILBERT_HOME: home.dir, GILBERT_GITHUB_API: server.base });
      // With a terminal, so that the download's progress bar is drawn.
      const result = await runCliInTerminal(['run', 'greet'], { cwd: dir.dir, env, timeoutMs: 120_000 });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /\d+% \| ETA: \d+s \| \d+\/\d+/, 'the download progress bar');
      assert.match(result.stdout, /hello, release/);
      assert.match(result.stdout, /Task 'greet' ran successfully/);
    } finally {
      await dir.cleanup();
    }
  });

  it('builds a go:// plugin with the shim\'s toolchain and flags and runs its action', async () => {
    const dir = await project(undefined, `plugins:\n  - go://./plugins/hello\n${greetTask('source')}`);
    try {
      await cp(path.join(fixturesDirectory, 'hello'), path.join(dir.dir, 'plugins', 'hello'), { recursive: true });
      const env = cliEnv({ GILBERT_HOME: home.dir });
      const result = await runCli(['run', 'greet'], { cwd: dir.dir, env, timeoutMs: 300_000 });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /hello, source/);
      assert.doesNotMatch(result.stdout + result.stderr, /Building a Go shim/, 'a go:// plugin is built to fit the default shim');
    } finally {
      await dir.cleanup();
    }
  });
});
