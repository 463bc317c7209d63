import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ActionRegistry } from '../../src/actions/registry.js';
import { PluginError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { readGoBuildInfo, type GoBuildInfo } from '../../src/plugins/abi/buildinfo.js';
import { matchingShim } from '../../src/plugins/abi/shim.js';
import { cleanStorage, storageMarkerName, writeAtomically } from '../../src/plugins/cache.js';
import { importPlugins, parsePluginUrl, resolvePluginArtifact } from '../../src/plugins/index.js';
import { fixturesDirectory, ref, resolveOptions, scratch } from './helpers.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('file:// source', { timeout: 60_000 }, () => {
  it('resolves relative paths from the declaring manifest, and absolute paths as given', async () => {
    const project = await scratch();
    try {
      await mkdir(path.join(project.dir, 'sub', 'lib'), { recursive: true });
      await writeFile(path.join(project.dir, 'sub', 'lib', 'x.so'), 'not really a library');
      const imported = path.join(project.dir, 'sub', 'gilbert.yaml');
      const options = resolveOptions(project.dir, {});
      assert.deepEqual(await resolvePluginArtifact(ref('file://./lib/x.so', imported), options), { kind: 'go', path: path.join(project.dir, 'sub', 'lib', 'x.so') });
      assert.deepEqual(await resolvePluginArtifact(ref('file://lib/x.so', imported), options), { kind: 'go', path: path.join(project.dir, 'sub', 'lib', 'x.so') });
      const absolute = `file://${path.join(project.dir, 'sub', 'lib', 'x.so')}`;
      assert.deepEqual(await resolvePluginArtifact(ref(absolute, '/elsewhere/gilbert.yaml'), options), { kind: 'go', path: path.join(project.dir, 'sub', 'lib', 'x.so') });
      await assert.rejects(resolvePluginArtifact(ref('file://./lib/missing.so', imported), options), /plugin file '.*sub\/lib\/missing\.so' does not exist/);
    } finally {
      await project.dispose();
    }
  });

  it('imports a TypeScript plugin and registers its actions as <plugin>:<action> with the URL as origin', async () => {
    const project = await scratch();
    try {
      await writeFile(path.join(project.dir, 'greeter.mjs'), 'export default { name: " greeter ", actions: { hi: () => ({ call: async () => {}, cancel: async () => {} }) } };\n');
      const registry = new ActionRegistry();
      const manifest = path.join(project.dir, 'gilbert.yaml');
      await importPlugins([ref('file://./greeter.mjs', manifest)], { ...resolveOptions(project.dir, {}), registry });
      assert.deepEqual(registry.names(), ['greeter:hi']);
      assert.equal(registry.originOf('greeter:hi'), "plugin 'greeter' (file://./greeter.mjs)");
      await assert.rejects(
        importPlugins([ref('file://./greeter.mjs', manifest)], { ...resolveOptions(project.dir, {}), registry }),
        /^PluginError: failed to load plugin from 'file:\/\/\.\/greeter\.mjs':\naction 'greeter:hi' .* is already defined/,
      );
    } finally {
      await project.dispose();
    }
  });
});

describe('plugin URLs', () => {
  it('rejects unknown schemes with Gilbert\'s message, wrapped with the URL and the manifest line', async () => {
    const location = { file: '/p/gilbert.yaml', line: 4 };
    const error = await importPlugins([{ url: 'ftp://host/x.so', declaredIn: '/p/gilbert.yaml', location }], {
      ...resolveOptions('/p', {}),
      registry: new ActionRegistry(),
    }).then(() => assert.fail('expected a failure'), (thrown: PluginError) => thrown);
    assert.equal(error.message, "failed to load plugin from 'ftp://host/x.so':\nunsupported plugin URL handler: 'ftp'");
    assert.deepEqual(error.location, location);
    assert.ok(error instanceof PluginError);
  });

  it('splits host and path like Gilbert, decoding the location and keeping the query', () => {
    const parsed = parsePluginUrl('github://github.com/acme/my%20plugin?version=v1&token=t');
    assert.equal(parsed.scheme, 'github');
    assert.equal(parsed.location, 'github.com/acme/my plugin');
    assert.equal(parsed.query.get('version'), 'v1');
    assert.equal(parsePluginUrl('file:///abs/x.so').location, '/abs/x.so');
    assert.throws(() => parsePluginUrl('just-a-path.so'), /invalid plugin import URL/);
  });
});

describe('go:// source', { timeout: 300_000 }, () => {
  it('builds the package into <project>/.gilbert/plugins/<md5 of path>/<dir>.so, reuses it, rebuilds on ?rebuild=true', async () => {
    const project = await scratch();
    try {
      await cp(path.join(fixturesDirectory, 'hello'), path.join(project.dir, 'plugins', 'hello'), { recursive: true });
      const manifest = path.join(project.dir, 'gilbert.yaml');
      const expected = path.join(project.dir, '.gilbert', 'plugins', md5('plugins/hello'), 'hello.so');
      const options = resolveOptions(project.dir, process.env, 240_000);
      const built = await resolvePluginArtifact(ref('go://./plugins/hello', manifest), options);
      assert.deepEqual(built, { kind: 'go', path: expected });
      const header = Buffer.alloc(4);
      const { open } = await import('node:fs/promises');
      const file = await open(expected);
      await file.read(header, 0, 4, 0);
      await file.close();
      assert.deepEqual(header, Buffer.from([0x7f, 0x45, 0x4c, 0x46]), 'the build output is an ELF shared object');
      const firstBuild = (await stat(expected)).mtimeMs;

      const reused = await resolvePluginArtifact(ref('go://plugins/hello/', manifest), options);
      assert.equal(reused!.path, expected, 'the same package written differently shares the cache entry');
      assert.equal((await stat(expected)).mtimeMs, firstBuild, 'a cached build is reused');

      await resolvePluginArtifact(ref('go://./plugins/hello?rebuild=true', manifest), options);
      assert.notEqual((await stat(expected)).mtimeMs, firstBuild, 'rebuild=true builds again');
      assert.deepEqual((await readdir(path.dirname(expected))).filter((name) => name.endsWith('.partial')), []);

      const trimmed = { goCommand: 'go', env: { GOFLAGS: '-buildvcs=false' }, flags: ['-trimpath'] };
      const logged = resolveOptions(project.dir, process.env, 240_000);
      await resolvePluginArtifact(ref('go://./plugins/hello', manifest), { ...logged, goBuild: trimmed });
      assert.ok(logged.records.some((r) => /^Rebuilding plugin package .*-trimpath setting differs/.test(r.message)), 'a cached build that no longer fits the shim is rebuilt');
      assert.equal((await readGoBuildInfo(expected))?.settings.get('-trimpath'), 'true');
    } finally {
      await project.dispose();
    }
  });

  it('reports compiler errors and a missing package folder', async () => {
    const project = await scratch();
    try {
      await mkdir(path.join(project.dir, 'broken'));
      await writeFile(path.join(project.dir, 'broken', 'go.mod'), 'module example.com/broken\n\ngo 1.21\n');
      await writeFile(path.join(project.dir, 'broken', 'main.go'), 'package main\n\nfunc GetPluginName() string { return 42 }\n');
      const manifest = path.join(project.dir, 'gilbert.yaml');
      const options = resolveOptions(project.dir, process.env, 120_000);
      await assert.rejects(resolvePluginArtifact(ref('go://./broken', manifest), options), (error: PluginError) => {
        assert.match(error.message, /^failed to build plugin package \(go build -buildmode=plugin .* exited with status 1\):\n.*main\.go:3/s);
        return true;
      });
      assert.deepEqual(await readdir(path.join(project.dir, '.gilbert', 'plugins', md5('broken'))), [], 'a failed build leaves nothing behind');
      await assert.rejects(resolvePluginArtifact(ref('go://./nowhere', manifest), options), /plugin package folder '.*nowhere' does not exist/);
      await assert.rejects(
        resolvePluginArtifact(ref('go://./broken?rebuild=1', manifest), { ...options, goBuild: { goCommand: 'go-that-is-not-installed', env: {}, flags: [] } }),
        /Go toolchain not found: cannot run 'go-that-is-not-installed'/,
      );
    } finally {
      await project.dispose();
    }
  });
});

describe('storage', () => {
  it('gilbert clean: nothing, --plugins, --all, the project\'s go:// builds included', async () => {
    const home = await scratch();
    const projectDir = await scratch();
    try {
      const env = { GILBERT_HOME: home.dir };
      const goBuild = path.join(projectDir.dir, '.gilbert', 'plugins', md5('plugins/hello'), 'hello.so');
      const seed = async () => {
        await mkdir(path.join(home.dir, 'plugins', 'http', 'abc'), { recursive: true });
        await writeFile(path.join(home.dir, 'plugins', 'http', 'abc', 'plugin.so'), 'x');
        await mkdir(path.join(home.dir, 'shims', 'key'), { recursive: true });
        await mkdir(path.dirname(goBuild), { recursive: true });
        await writeFile(goBuild, 'x');
      };
      await seed();
      await writeFile(path.join(home.dir, 'other'), 'kept by --plugins');
      // as prepareStorage leaves it when gilbert-ts creates the folder (clean refuses a folder without it)
      await writeFile(path.join(home.dir, storageMarkerName), '');
      await writeFile(path.join(projectDir.dir, 'gilbert.yaml'), 'tasks: {}\n');
      const { logger, records } = recordingLogger();
      await cleanStorage({}, logger, env, projectDir.dir);
      assert.deepEqual(records.map((r) => `${r.level} ${r.message}`), ['log Nothing to clear!', 'success Done!'], "Gilbert's messages");
      assert.ok((await stat(goBuild)).isFile(), 'nothing is removed without a flag');

      records.length = 0;
      await cleanStorage({ plugins: true }, logger, env, projectDir.dir);
      const shown = () => records.filter((r) => r.level !== 'debug').map((r) => r.message);
      assert.deepEqual(shown(), ['Clearing downloaded plugins...', 'Done!']);
      assert.deepEqual((await readdir(home.dir)).sort(), [storageMarkerName, 'other'], 'downloaded plugins and built shims are gone');
      assert.deepEqual(await readdir(projectDir.dir), ['gilbert.yaml'], 'so is ./.gilbert/plugins (and the .gilbert it leaves empty)');

      await seed();
      records.length = 0;
      await cleanStorage({ all: true }, logger, env, projectDir.dir);
      assert.deepEqual(shown(), ['Clearing Gilbert storage...', 'Done!']);
      await assert.rejects(stat(home.dir), /ENOENT/);
      assert.deepEqual(await readdir(projectDir.dir), ['gilbert.yaml']);
    } finally {
      await home.dispose();
      await projectDir.dispose();
    }
  });

  it('sweeps .partial files and .build-* folders older than an hour when a source uses its cache', async () => {
    const home = await scratch();
    const projectDir = await scratch();
    try {
      const env = { GILBERT_HOME: home.dir };
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      const leave = async (file: string, age?: Date, folder = false) => {
        await mkdir(folder ? file : path.dirname(file), { recursive: true });
        if (folder) await writeFile(path.join(file, 'go.mod'), 'module x\n');
        else await writeFile(file, 'half');
        if (age) await utimes(file, age, age);
        return file;
      };
      const stale = [
        await leave(path.join(projectDir.dir, '.gilbert', 'plugins', 'aa', 'hello.so.1-ab.partial'), twoHoursAgo),
        await leave(path.join(home.dir, 'plugins', 'http', 'bb', 'plugin.so.2-cd.partial'), twoHoursAgo),
        await leave(path.join(home.dir, 'plugins', 'github', 'cc', 'v1.0.0', 'x_linux-amd64.so.3-ef.partial'), twoHoursAgo),
        await leave(path.join(home.dir, 'shims', '.build-old'), twoHoursAgo, true),
        await leave(path.join(home.dir, 'shims', 'key', 'libgilbert_shim.so.4-01.partial'), twoHoursAgo),
      ];
      const fresh = [
        await leave(path.join(projectDir.dir, '.gilbert', 'plugins', 'aa', 'hello.so.5-23.partial')),
        await leave(path.join(home.dir, 'shims', '.build-running'), undefined, true),
        await leave(path.join(home.dir, 'plugins', 'http', 'bb', 'plugin.so'), twoHoursAgo),
      ];
      const manifest = path.join(projectDir.dir, 'gilbert.yaml');
      const options = resolveOptions(projectDir.dir, env);
      // Each source sweeps its own cache even when it then fails: the folder, the server and the toolchain are missing here.
      await assert.rejects(resolvePluginArtifact(ref('go://./nowhere', manifest), options), /does not exist/);
      await assert.rejects(resolvePluginArtifact(ref('http://127.0.0.1:9/x.so', manifest), options), /cannot reach/);
      await assert.rejects(resolvePluginArtifact(ref('github://github.com/acme/x', manifest), { ...options, env: { ...env, GILBERT_GITHUB_API: 'http://127.0.0.1:9' } }), /cannot reach/);
      const plugin: GoBuildInfo = { goVersion: 'go1.20.1', deps: new Map(), settings: new Map() };
      await assert.rejects(matchingShim(plugin, { log: options.log, signal: options.signal, env, pluginLabel: 'x' }), /older than Go 1\.21/);
      for (const file of stale) await assert.rejects(stat(file), /ENOENT/, `${file} is swept`);
      for (const file of fresh) await stat(file);
      assert.ok(options.records.some((r) => r.level === 'debug' && /^Removed '.*\.partial', left by a download or build that did not finish$/.test(r.message)));
    } finally {
      await home.dispose();
      await projectDir.dispose();
    }
  });

  it('writes atomically: a failing writer leaves neither the file nor a partial', async () => {
    const dir = await scratch();
    try {
      const target = path.join(dir.dir, 'deep', 'plugin.so');
      await assert.rejects(
        writeAtomically(target, async (temporary) => {
          await writeFile(temporary, 'half a plugin');
          throw new Error('killed mid-way');
        }),
        /killed mid-way/,
      );
      assert.deepEqual(await readdir(path.dirname(target)), []);
      await writeAtomically(target, (temporary) => writeFile(temporary, 'whole'));
      assert.deepEqual((await readdir(path.dirname(target))).sort(), ['plugin.so', 'plugin.so.sha256'], 'the file and its checksum record');
    } finally {
      await dir.dispose();
    }
  });
});
