import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

  it('reads build info from macOS (Mach-O) binaries, fat ones included, and refuses them here by their platform', async () => {
    const source = path.join(work.dir, 'darwin-src');
    await mkdir(source, { recursive: true });
    await writeFile(path.join(source, 'go.mod'), 'module example.com/darwinplain\n\ngo 1.21\n');
    await writeFile(path.join(source, 'main.go'), 'package main\n\nfunc main() {}\n');
    const thin: Record<string, string> = {};
    for (const goarch of ['amd64', 'arm64']) {
      thin[goarch] = path.join(work.dir, `darwin-${goarch}`);
      await run('go', ['build', '-o', thin[goarch]!, '.'], { cwd: source, env: { ...process.env, GOOS: 'darwin', GOARCH: goarch, CGO_ENABLED: '0' }, timeout: 400_000 });
    }
    const arm = (await readGoBuildInfo(thin.arm64!))!;
    assert.equal(arm.goVersion, (await run('go', ['env', 'GOVERSION'])).stdout.trim());
    assert.equal(arm.path, 'example.com/darwinplain');
    assert.equal(arm.settings.get('GOOS'), 'darwin');
    assert.equal(arm.settings.get('GOARCH'), 'arm64');

    // A universal binary as lipo makes it: a big-endian fat header, then each slice at a 16 KiB boundary.
    const slices = [
      { cpu: 0x01000007, content: await readFile(thin.amd64!) },
      { cpu: 0x0100000c, content: await readFile(thin.arm64!) },
    ];
    const align = 1 << 14;
    const header = Buffer.alloc(8 + 20 * slices.length);
    header.writeUInt32BE(0xcafebabe, 0);
    header.writeUInt32BE(slices.length, 4);
    const parts: Buffer[] = [header];
    let offset = header.length;
    slices.forEach((slice, index) => {
      const padding = (align - (offset % align)) % align;
      parts.push(Buffer.alloc(padding));
      offset += padding;
      const at = 8 + 20 * index;
      header.writeUInt32BE(slice.cpu, at);
      header.writeUInt32BE(3, at + 4);
      header.writeUInt32BE(offset, at + 8);
      header.writeUInt32BE(slice.content.length, at + 12);
      header.writeUInt32BE(14, at + 16);
      parts.push(slice.content);
      offset += slice.content.length;
    });
    const fat = path.join(work.dir, 'darwin-universal.so');
    await writeFile(fat, Buffer.concat(parts));
    const hostSlice = process.arch === 'arm64' ? 'arm64' : 'amd64';
    assert.equal((await readGoBuildInfo(fat))?.settings.get('GOARCH'), hostSlice, "a fat binary is read through the host architecture's slice");

    const result = await greet([{ url: `file://${fat}`, name: 'mac' }], 'mac');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.match(result.stderr, new RegExp(`failed to load plugin from 'file://.*darwin-universal\\.so':\\nplugin is built for darwin/${hostSlice}, but this host is linux/`));
    assert.doesNotMatch(result.stderr, /not an ELF/);
  });
});
