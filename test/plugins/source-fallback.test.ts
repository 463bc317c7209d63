import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cliEnv, project, runCli } from '../e2e/helpers.js';
import { buildHelloPlugin, fixturesDirectory, scratch } from './helpers.js';
import { ReleaseServer } from './release-server.js';

const run = promisify(execFile);
const owner = 'test-owner';
const repo = 'hello-plugin';
const module = `github.com/${owner}/${repo}`;

/**
 * A github:// release whose binary no Go host can open here is built from
 * the tag's source, fetched as a Go module: a local module proxy
 * (GOPROXY=file://…) holds the source, the fake GitHub API the release.
 */
describe('github:// plugins fall back to their source', { timeout: 900_000 }, () => {
  let work: { dir: string; dispose: () => Promise<void> };
  const server = new ReleaseServer();
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    work = await scratch('gilbert-source-');
    await server.start();
    const localModCache = (await run('go', ['env', 'GOMODCACHE'])).stdout.trim();
    // The module proxy: <module>/@v/{list,v1.0.0.info,.mod,.zip}, the zip holding <module>@v1.0.0/<files>.
    const staged = path.join(work.dir, 'stage', `${module}@v1.0.0`);
    await cp(path.join(fixturesDirectory, 'hello'), staged, { recursive: true });
    await run('go', ['mod', 'edit', `-module=${module}`], { cwd: staged });
    const versions = path.join(work.dir, 'proxy', module, '@v');
    await mkdir(versions, { recursive: true });
    await writeFile(path.join(versions, 'list'), 'v1.0.0\n');
    await writeFile(path.join(versions, 'v1.0.0.info'), JSON.stringify({ Version: 'v1.0.0', Time: '2024-01-01T00:00:00Z' }));
    await cp(path.join(staged, 'go.mod'), path.join(versions, 'v1.0.0.mod'));
    await run('zip', ['-qrD', path.join(versions, 'v1.0.0.zip'), 'github.com'], { cwd: path.join(work.dir, 'stage') });

    // The release binary: built with gilbert-sdk replaced by a local folder, whose sources only its author had, so no host can be built for it.
    const binary = await buildHelloPlugin(work.dir, 'release-binary', {
      prepare: async (source) => {
        await cp(path.join(localModCache, 'github.com/go-gilbert/gilbert-sdk@v0.9.0'), path.join(source, 'sdk'), { recursive: true });
        await run('chmod', ['-R', 'u+w', path.join(source, 'sdk')]);
        await run('go', ['mod', 'edit', '-replace=github.com/go-gilbert/gilbert-sdk=./sdk'], { cwd: source });
      },
    });
    server.releases.set('v1.0.0', [{ name: `${repo}_linux-amd64.so`, content: await readFile(binary) }]);
    // A repository the module proxy does not have: only its tag's source archive, one top folder as GitHub makes it.
    const archived = path.join(work.dir, 'archive', 'test-owner-archive-plugin-0123abc');
    await cp(path.join(fixturesDirectory, 'hello'), archived, { recursive: true });
    await run('go', ['mod', 'edit', '-module=github.com/test-owner/archive-plugin'], { cwd: archived });
    await run('tar', ['-czf', path.join(work.dir, 'archive.tar.gz'), '-C', path.join(work.dir, 'archive'), 'test-owner-archive-plugin-0123abc']);
    server.archives.set('test-owner/archive-plugin/v2.0.0', await readFile(path.join(work.dir, 'archive.tar.gz')));
    env = {
      GILBERT_GITHUB_API: server.base,
      GOPROXY: `file://${path.join(work.dir, 'proxy')},file://${localModCache}/cache/download`,
      GOSUMDB: 'off',
      GOMODCACHE: path.join(work.dir, 'modcache'),
    };
  });
  after(async () => {
    await server.stop();
    if (env.GOMODCACHE) await run('go', ['clean', '-modcache'], { env: { ...process.env, GOMODCACHE: env.GOMODCACHE } }).catch(() => undefined);
    await work?.dispose();
  });

  async function greet(url: string, home: string) {
    const dir = await project(undefined, `plugins:\n  - ${url}\ntasks:\n  greet:\n    - action: hello:greet\n      params: {who: source}\n`);
    try {
      return await runCli(['run', 'greet'], { cwd: dir.dir, env: cliEnv({ ...env, GILBERT_HOME: home }), timeoutMs: 400_000 });
    } finally {
      await dir.cleanup();
    }
  }

  it('builds a release whose binary cannot be loaded from the tag source, says so once, caches and loads it', async () => {
    const home = path.join(work.dir, 'home-fallback');
    const first = await greet(`github://github.com/${owner}/${repo}?version=v1.0.0`, home);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const said = /Building plugin github\.com\/test-owner\/hello-plugin@v1\.0\.0 from its source: the release binary cannot be loaded: it was built with modules replaced by local folders \(github\.com\/go-gilbert\/gilbert-sdk v0\.9\.0 => \.\/sdk/g;
    assert.equal((first.stdout + first.stderr).match(said)?.length, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /hello, source/);
    const again = await greet(`github://github.com/${owner}/${repo}?version=v1.0.0`, home);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /hello, source/);
    assert.doesNotMatch(again.stdout + again.stderr, /from its source|Building/, 'the source build is cached');
  });

  it('?build=source builds from the source without downloading the release binary', async () => {
    const before = server.requests.length;
    const result = await greet(`github://github.com/${owner}/${repo}?build=source`, path.join(work.dir, 'home-asked'));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout + result.stderr, /Building plugin github\.com\/test-owner\/hello-plugin@v1\.0\.0 from its source: asked for by \?build=source/);
    assert.match(result.stdout, /hello, source/);
    assert.deepEqual(server.requests.slice(before).map((request) => request.url).filter((url) => url.includes('/download/')), [], 'no binary was downloaded');
  });

  it("uses the tag's source archive when the module proxy does not have the module", async () => {
    const result = await greet('github://github.com/test-owner/archive-plugin?version=v2.0.0&build=source', path.join(work.dir, 'home-archive'));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout + result.stderr, /The Go module proxy does not have github\.com\/test-owner\/archive-plugin@v2\.0\.0; using the tag's source archive/);
    assert.match(result.stdout, /hello, source/);
    assert.ok(server.requests.some((request) => request.url === '/repos/test-owner/archive-plugin/tarball/v2.0.0'));
  });
});
