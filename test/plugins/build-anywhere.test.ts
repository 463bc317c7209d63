import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { abiDifferences, defaultShimPath, readGoBuildInfo, shimBuildInfo } from '../../src/plugins/abi/index.js';
import { cliEnv, project, runCli } from '../e2e/helpers.js';
import { buildHelloPlugin, scratch } from './helpers.js';
import { ReleaseServer } from './release-server.js';

const run = promisify(execFile);

/**
 * Plugins built elsewhere, as users get them: on another machine (another
 * module cache), by older toolchains. Each is run through the CLI, so the
 * tests hold whichever transport (in process, or a Go host process) runs it.
 */
describe('Go plugins built anywhere load', { timeout: 1_800_000 }, () => {
  let work: { dir: string; dispose: () => Promise<void> };
  let home: { dir: string; dispose: () => Promise<void> };
  const server = new ReleaseServer();
  let localModCache = '';

  before(async () => {
    work = await scratch('gilbert-anywhere-');
    home = await scratch('gilbert-anywhere-home-');
    await server.start();
    localModCache = (await run('go', ['env', 'GOMODCACHE'])).stdout.trim();
  });
  after(async () => {
    await server.stop();
    await work?.dispose();
    await home?.dispose();
  });

  async function greet(plugins: { url: string; name: string }[], who: string) {
    const manifest = [
      'version: "1.0"',
      'plugins:',
      ...plugins.map((plugin) => `  - ${plugin.url}`),
      'tasks:',
      '  greet:',
      ...plugins.flatMap((plugin) => [`    - action: ${plugin.name}:greet`, `      params: {who: ${who} from ${plugin.name}}`]),
      '',
    ].join('\n');
    const dir = await project(undefined, manifest);
    try {
      return await runCli(['run', 'greet'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs: 600_000 });
    } finally {
      await dir.cleanup();
    }
  }

  it('a plugin built under another module cache (another machine, a CI runner) loads through file:// and http://', async () => {
    // Another GOMODCACHE, filled from the local one through a file:// proxy: same module versions, other build paths.
    const otherCache = path.join(work.dir, 'other-machine', 'pkg', 'mod');
    const plugin = await buildHelloPlugin(work.dir, 'other-machine', {
      pluginName: 'elsewhere',
      env: { GOMODCACHE: otherCache, GOPROXY: `file://${localModCache}/cache/download`, GOSUMDB: 'off' },
    });
    const info = (await readGoBuildInfo(plugin))!;
    assert.equal(info.sourceDirectories?.get('github.com/go-gilbert/gilbert-sdk'), `${otherCache}/github.com/go-gilbert/gilbert-sdk@v0.9.0`, "the plugin's build path is read from its file table");
    assert.deepEqual(
      abiDifferences(info, await shimBuildInfo(defaultShimPath())).map((difference) => difference.what),
      ['build path of github.com/go-gilbert/gilbert-sdk v0.9.0', 'build path of github.com/mitchellh/mapstructure v1.1.2'],
      'only the build paths differ: versions and toolchain are equal',
    );

    const first = await greet([{ url: `file://${plugin}`, name: 'elsewhere' }], 'file');
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /hello, file from elsewhere/);
    assert.match(first.stdout + first.stderr, /Building a Go shim matching plugin .*it differs from the shim in: build path of github\.com\/go-gilbert\/gilbert-sdk v0\.9\.0/);
    assert.doesNotMatch(first.stdout + first.stderr, /different version of package/);

    server.releases.set('v1.0.0', [{ name: 'elsewhere.so', content: await readFile(plugin) }]);
    const downloaded = await greet([{ url: `${server.base}/download/v1.0.0/elsewhere.so`, name: 'elsewhere' }], 'http');
    assert.equal(downloaded.code, 0, downloaded.stderr + downloaded.stdout);
    assert.match(downloaded.stdout, /hello, http from elsewhere/);
    assert.doesNotMatch(downloaded.stdout + downloaded.stderr, /Building a Go shim/, 'the shim built for those build paths is reused');
  });

  it('a vendored plugin (go build -mod=vendor) loads: its modules were compiled from its vendor folder', async () => {
    const source = path.join(work.dir, 'src-vendored');
    const plugin = await buildHelloPlugin(work.dir, 'vendored', { pluginName: 'vendored', prepare: async (dir) => void (await run('go', ['mod', 'vendor'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod' } })), env: { GOFLAGS: '-mod=vendor' } });
    assert.equal((await readGoBuildInfo(plugin))?.sourceDirectories?.get('github.com/go-gilbert/gilbert-sdk'), `${source}/vendor/github.com/go-gilbert/gilbert-sdk`);
    const result = await greet([{ url: `file://${plugin}`, name: 'vendored' }], 'vendor');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /hello, vendor from vendored/);
  });
});
