import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { PluginError } from '../../src/errors.js';
import { abiDifferences, defaultShimPath, readGoBuildInfo, shimBuildInfo } from '../../src/plugins/abi/index.js';
import { loadGoPlugin } from '../../src/plugins/go/load.js';
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

  /** The hello plugin built under another GOMODCACHE, filled from the local one through a file:// proxy: same module versions, other build paths. */
  let otherCache = '';
  let otherMachinePlugin: Promise<string> | undefined;
  const builtOnOtherMachine = () =>
    (otherMachinePlugin ??= buildHelloPlugin(work.dir, 'other-machine', {
      pluginName: 'elsewhere',
      env: { GOMODCACHE: (otherCache = path.join(work.dir, 'other-machine', 'pkg', 'mod')), GOPROXY: `file://${localModCache}/cache/download`, GOSUMDB: 'off' },
    }));

  it('a plugin built under another module cache (another machine, a CI runner) loads through file:// and http://', async () => {
    const plugin = await builtOnOtherMachine();
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

  it('says what differs and what to do when no shim can be built for it; never "different version" for equal versions', async () => {
    const plugin = await builtOnOtherMachine();
    const bareHome = await scratch('gilbert-anywhere-nogo-');
    const dir = await project(undefined, `plugins:\n  - file://${plugin}\ntasks:\n  greet:\n    - action: elsewhere:greet\n`);
    try {
      // No Go toolchain on PATH and nothing cached: the shim it needs cannot be built.
      const result = await runCli(['run', 'greet'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: bareHome.dir, PATH: path.dirname(process.execPath) }), timeoutMs: 120_000 });
      assert.equal(result.code, 1, result.stderr + result.stdout);
      const sdkFolder = 'github\\.com/go-gilbert/gilbert-sdk@v0\\.9\\.0';
      assert.match(result.stderr, /no matching Go shim can be made: no Go toolchain found .*\nIt differs from gilbert-ts's Go shim in:\n/);
      assert.match(result.stderr, new RegExp(`\\n  - build path of github\\.com/go-gilbert/gilbert-sdk v0\\.9\\.0: plugin ${otherCache}/${sdkFolder}, shim ${localModCache}/${sdkFolder}\\n`));
      assert.match(result.stderr, /install Go >= 1\.21 .*; or rebuild the plugin on this machine/, 'what to do about it');
      assert.doesNotMatch(result.stderr, /different version/);
    } finally {
      await dir.cleanup();
      await bareHome.dispose();
    }

    // The shim's own check, for a plugin opened without that planning (as a library user of the bridge might): Go's "different version" is explained.
    const error = await loadGoPlugin(plugin).then(() => assert.fail('it must not open'), (thrown: PluginError) => thrown);
    assert.match(error.message, /does not match gilbert-ts's Go shim: Go's plugin\.Open says package github\.com\/\S+ differs, although the toolchain, module versions and build flags are equal; so it was compiled from other source paths/);
    assert.doesNotMatch(error.message, /was built with a different version/);
    assert.match(error.hint ?? '', /-trimpath/);
  });

  it('plugins built by go1.21, go1.22 and go1.23 load beside a go1.26 one, each with a shim its toolchain compiles', async () => {
    const toolchains = ['go1.21.13', 'go1.22.12', 'go1.23.12'];
    const plugins = [{ url: `file://${await buildHelloPlugin(work.dir, 'current', { pluginName: 'current' })}`, name: 'current' }];
    for (const toolchain of toolchains) {
      const name = `built_${toolchain.replace(/\W/g, '_')}`;
      const plugin = await buildHelloPlugin(work.dir, name, { pluginName: name, env: { GOTOOLCHAIN: toolchain } });
      assert.equal((await readGoBuildInfo(plugin))?.goVersion, toolchain, 'go1.21+ plugins carry build info');
      plugins.push({ url: `file://${plugin}`, name });
    }
    const first = await greet(plugins, 'toolchains');
    assert.equal(first.code, 0, first.stderr + first.stdout);
    for (const plugin of plugins) assert.match(first.stdout, new RegExp(`hello, toolchains from ${plugin.name}\\n`));
    for (const toolchain of toolchains) assert.match(first.stdout + first.stderr, new RegExp(`Building a Go shim matching plugin '.*built_${toolchain.replace(/\W/g, '_')}\\.so' \\(${toolchain.replace(/\./g, '\\.')}, .*it differs from the shim in: Go toolchain`));
    const again = await greet(plugins, 'again');
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.doesNotMatch(again.stdout + again.stderr, /Building a Go shim/, 'the shims are cached');
    assert.equal(again.stdout.match(/hello, again from /g)?.length, plugins.length);
  });

  it('a plugin built by go1.21.0 to go1.21.6 runs in a Go host process: a shim built by those toolchains would die inside Node', async () => {
    const plugin = await buildHelloPlugin(work.dir, 'go1210', { pluginName: 'go1210', env: { GOTOOLCHAIN: 'go1.21.0' } });
    const result = await greet([{ url: `file://${plugin}`, name: 'go1210' }], 'old');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /hello, old from go1210/);
    assert.doesNotMatch(result.stdout + result.stderr, /morestack/);
  });

  it('two plugins built from the same Go package path: an error naming both, the package and what to rename', async () => {
    const twins = [];
    for (const name of ['twin_one', 'twin_two']) twins.push({ url: `file://${await buildHelloPlugin(work.dir, name, { pluginName: name })}`, name });
    const result = await greet(twins, 'twins');
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.match(result.stderr, /plugins 'file:\/\/.*twin_one\.so' and 'file:\/\/.*twin_two\.so' are both built from the Go package 'example\.com\/gilbert-ts\/fixtures\/hello', and Go opens a package path only once per process/);
    assert.match(result.stderr, /give one of them its own module path \(the `module` line of its go\.mod/);
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
