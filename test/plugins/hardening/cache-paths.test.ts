import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { releaseAssetNames } from '../../../src/plugins/platform.js';
import { cliEnv, project, runCli } from '../../e2e/helpers.js';
import { scratch } from '../helpers.js';
import { ReleaseServer } from '../release-server.js';

const [, genericAsset] = releaseAssetNames('hello');
const asset = genericAsset!;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const fakeLibrary = Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.from('not really a plugin')]);

/** Every file under `directory`, as paths relative to it. */
async function tree(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name))).sort();
}

describe('cache paths come only from sanitised parts (issue 14, item 1)', { timeout: 120_000 }, () => {
  const server = new ReleaseServer();
  before(() => server.start());
  after(() => server.stop());

  it("a release whose tag_name is '../../…' is cached inside the cache, never beside it", async () => {
    const sandbox = await scratch('gilbert-traversal-');
    const work = await project(undefined, 'plugins:\n  - github://github.com/acme/hello\ntasks:\n  t:\n    - action: hello:greet\n');
    try {
      server.releases = new Map([['v1', [{ name: asset, content: fakeLibrary }]]]);
      server.tagNames = new Map([['v1', '../../../../../escaped']]);
      const storage = path.join(sandbox.dir, 'a', 'b', 'storage');
      const result = await runCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: storage, GILBERT_GITHUB_API: server.base }), timeoutMs: 60_000 });
      // The fake library cannot load: what matters is where it was written.
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.deepEqual(await readdir(sandbox.dir), ['a']);
      assert.deepEqual(await readdir(path.join(sandbox.dir, 'a')), ['b']);
      const repository = path.join('plugins', 'github', md5('github.com/acme/hello'));
      const release = '%2E.%2F..%2F..%2F..%2F..%2Fescaped';
      // The download landed in the sanitised release folder (and, not opening as a plugin, was evicted from it again).
      assert.match(result.stdout, new RegExp(`Downloading plugin file from '.*/download/v1/${asset}'`));
      assert.deepEqual(await readdir(path.join(storage, repository)), [release]);
      assert.deepEqual(await tree(storage), ['.gilbert-ts-storage']);
    } finally {
      await work.cleanup();
      await sandbox.dispose();
    }
  });

  it("a user-written ?version=../.. is looked up inside the cache, not where it points", async () => {
    const sandbox = await scratch('gilbert-traversal-');
    const version = '../../../../planted';
    const work = await project(undefined, `plugins:\n  - github://github.com/acme/hello?version=${version}\ntasks:\n  t:\n    - action: hello:greet\n`);
    try {
      server.releases = new Map();
      server.tagNames = new Map();
      const storage = path.join(sandbox.dir, 'storage');
      // Where path.join(<repository folder>, version) points: a "cached" plugin planted outside the cache.
      const planted = path.join(storage, 'plugins', 'github', md5('github.com/acme/hello'), version, asset);
      await mkdir(path.dirname(planted), { recursive: true });
      await writeFile(planted, fakeLibrary);
      const result = await runCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: storage, GILBERT_GITHUB_API: server.base }), timeoutMs: 60_000 });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /release '\.\.\/\.\.\/\.\.\/\.\.\/planted' of acme\/hello not found \(HTTP 404\)/, 'GitHub is asked: the planted file is not taken for a cached release');
      assert.ok(server.requests.some((request) => request.url === `/repos/acme/hello/releases/tags/${encodeURIComponent(version)}`));
      assert.deepEqual(await readFile(planted), fakeLibrary);
    } finally {
      await work.cleanup();
      await sandbox.dispose();
    }
  });

  it('a GILBERT_HOME that is a file is named as such', async () => {
    const sandbox = await scratch('gilbert-traversal-');
    const work = await project(undefined, `plugins:\n  - ${server.base}/files/x.so\ntasks:\n  t:\n    - action: x:y\n`);
    try {
      const file = path.join(sandbox.dir, 'not-a-folder');
      await writeFile(file, 'mine');
      const result = await runCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: file }) });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /cannot keep plugins in '.*not-a-folder\/plugins\/http': it, or a folder in it, is a file/);
      assert.match(result.stderr, /point GILBERT_HOME at a folder/);
      assert.equal(await readFile(file, 'utf8'), 'mine');
    } finally {
      await work.cleanup();
      await sandbox.dispose();
    }
  });
});
