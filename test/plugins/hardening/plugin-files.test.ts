import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliEnv, project, runCli } from '../../e2e/helpers.js';
import { scratch } from '../helpers.js';
import { ReleaseServer } from '../release-server.js';

const examplePlugin = path.resolve(import.meta.dirname, '../../../examples/hello/plugin/build/gilbert-plugin-example.so');
const cLibrary = path.resolve(import.meta.dirname, '../../fixtures/go-plugins/build/notplugin.so');
const helloTask = 'tasks:\n  hello:\n    - action: example-plugin:hello-world\n      params:\n        message: hello from the cached plugin\n';

describe('file:// plugins must be regular files of bounded size (issue 14, item 7)', { timeout: 60_000 }, () => {
  let fifoDir: { dir: string; dispose: () => Promise<void> };
  before(async () => {
    fifoDir = await scratch('gilbert-fifo-');
    await promisify(execFile)('mkfifo', [path.join(fifoDir.dir, 'plugin.so')]);
    await mkdir(path.join(fifoDir.dir, 'package'));
    await promisify(execFile)('mkfifo', [path.join(fifoDir.dir, 'package', 'package.json')]);
  });
  after(() => fifoDir.dispose());

  for (const [what, target, kind] of [
    ['a FIFO', () => path.join(fifoDir.dir, 'plugin.so'), 'a named pipe'],
    ['/dev/zero', () => '/dev/zero', 'a character device'],
    ['/dev/urandom', () => '/dev/urandom', 'a character device'],
    ['a package folder whose package.json is a FIFO', () => path.join(fifoDir.dir, 'package'), 'a named pipe'],
  ] as const) {
    it(`refuses ${what} at once, with what it is`, async () => {
      const work = await project(undefined, `plugins:\n  - file://${target()}\n${helloTask}`);
      try {
        // A hang here would be cut by the bound and fail the test.
        const result = await runCli(['run', 'hello'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: path.join(work.dir, 'home') }), timeoutMs: 15_000 });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, new RegExp(`plugin '${target()}(/package\\.json)?' is not a regular file \\(it is ${kind}\\)`));
        assert.doesNotMatch(result.stderr, /This is a bug/);
      } finally {
        await work.cleanup();
      }
    });
  }

  it('refuses a file over GILBERT_PLUGIN_MAX_SIZE, naming the setting', async () => {
    const work = await project(undefined, `plugins:\n  - file://./big.so\n${helloTask}`);
    try {
      await writeFile(path.join(work.dir, 'big.so'), Buffer.alloc(3000));
      const result = await runCli(['run', 'hello'], { cwd: work.dir, env: cliEnv({ GILBERT_PLUGIN_MAX_SIZE: '2k' }) });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /plugin file '.*big\.so' is 2\.9 KiB, more than the 2 KiB a plugin may have/);
      assert.match(result.stderr, /GILBERT_PLUGIN_MAX_SIZE/);
      const invalid = await runCli(['run', 'hello'], { cwd: work.dir, env: cliEnv({ GILBERT_PLUGIN_MAX_SIZE: 'lots' }) });
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /GILBERT_PLUGIN_MAX_SIZE='lots' is not a valid setting/);
    } finally {
      await work.cleanup();
    }
  });
});

describe('cached plugins are verified before they are opened (issue 14, item 9)', { timeout: 180_000 }, () => {
  const server = new ReleaseServer();
  let home: { dir: string; dispose: () => Promise<void> };
  before(async () => {
    server.files.set('example.so', await readFile(examplePlugin));
    server.files.set('c-library.so', await readFile(cLibrary));
    server.files.set('login.so', Buffer.from('<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n'));
    await server.start();
    home = await scratch('gilbert-verify-home-');
  });
  after(async () => {
    await server.stop();
    await home.dispose();
  });

  /** Gilbert's cache folder for a plugin downloaded from `url`. */
  const httpEntry = (url: string) => path.join(home.dir, 'plugins', 'http', createHash('md5').update(url).digest('hex'));
  /** A project whose `hello` task uses the plugin served as `name`, and a run of it with this suite's storage. */
  async function projectUsing(name: string, timeoutMs: number) {
    const url = `${server.base}/files/${name}`;
    const work = await project(undefined, `plugins:\n  - ${url}\n${helloTask}`);
    const run = () => runCli(['run', 'hello'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs });
    return { url, work, run };
  }

  /** The example plugin over http, run once so that it is in the cache; `run` runs it again. */
  async function runOnceCached() {
    const { url, work, run } = await projectUsing('example.so', 120_000);
    const first = await run();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    return { work, run, cached: path.join(httpEntry(url), 'plugin.so') };
  }

  it('a corrupted cached plugin is reported, evicted and downloaded again, then runs', async () => {
    const { work, run, cached } = await runOnceCached();
    try {
      // Bit flips in the middle of the library, where its code and data are.
      const file = await open(cached, 'r+');
      const { size } = await file.stat();
      const bytes = Buffer.alloc(4096);
      await file.read(bytes, 0, bytes.length, Math.floor(size / 2));
      for (let i = 0; i < bytes.length; i += 7) bytes[i] ^= 0x55;
      await file.write(bytes, 0, bytes.length, Math.floor(size / 2));
      await file.close();
      const downloads = () => server.requests.filter((request) => request.url === '/files/example.so').length;
      const before = downloads();

      const second = await run();
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /Cached plugin '.*plugin\.so' is corrupted: its sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was recorded when it was written; removing it, then downloading or building it again/);
      assert.equal(downloads(), before + 1, 'fetched again');
      assert.match(second.stdout, /hello from the cached plugin/);
      assert.deepEqual(await readFile(cached), await readFile(examplePlugin));
    } finally {
      await work.cleanup();
    }
  });

  it('a cached plugin unchanged since it was hashed is not hashed again; one written since is', async () => {
    const { work, run, cached } = await runOnceCached();
    try {
      const record = `${cached}.sha256`;
      const [sha256, identity] = (await readFile(record, 'utf8')).trim().split('\n');
      assert.match(sha256!, /^[0-9a-f]{64}$/);
      assert.match(identity!, /^\d+:\d+:\d+:\d+:\d+$/, 'the record holds the identity of the file it hashed');
      // A wrong sum beside the same identity goes unnoticed: proof that the file was not hashed again.
      await writeFile(record, `${'0'.repeat(64)}\n${identity}\n`);
      const second = await run();
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.doesNotMatch(second.stdout, /corrupted/);
      // Writing the file (even the same bytes) changes its identity, so it is hashed and the wrong sum is caught.
      await writeFile(cached, await readFile(cached));
      const third = await run();
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.match(third.stdout, /Cached plugin '.*plugin\.so' is corrupted: its sha256 is [0-9a-f]{64}, but 0{64} was recorded/);
      assert.match(third.stdout, /hello from the cached plugin/);
    } finally {
      await work.cleanup();
    }
  });

  it('a page that is not a plugin is not cached, and the message says what came instead of advising a rebuild', async () => {
    const { url, work, run } = await projectUsing('login.so', 60_000);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await run();
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /did not send a Go plugin: the file is not a shared library \(it starts with '<!DOCTYPE html> <html><body>Please sign/);
        assert.match(result.stderr, /nothing was cached/);
        assert.doesNotMatch(result.stderr, /rebuild/i);
      }
      assert.equal(server.requests.filter((request) => request.url === '/files/login.so').length, 2, 'asked again on the next run');
      const entry = httpEntry(url);
      assert.deepEqual(existsSync(entry) ? await readdir(entry) : [], []);
    } finally {
      await work.cleanup();
    }
  });

  it('a shared library that does not open as a Go plugin is dropped from the cache and fetched again next time', async () => {
    const { url, work, run } = await projectUsing('c-library.so', 60_000);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await run();
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /is not a Go plugin/);
        assert.match(result.stderr, /the downloaded file was removed from the cache, so the next run fetches it again/);
      }
      assert.equal(server.requests.filter((request) => request.url === '/files/c-library.so').length, 2, 'asked again on the next run');
      const entry = httpEntry(url);
      assert.deepEqual(await readdir(entry), []);
    } finally {
      await work.cleanup();
    }
  });
});
