import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PluginError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { parseNpmUrl, resolveNpmPlugin } from '../../src/plugins/sources/npm.js';
import { loadTsPlugin } from '../../src/plugins/ts/load.js';
import { RunContext } from '../../src/runner/context.js';
import { createScope } from '../../src/scope/index.js';
import { temporaryDirectory, tsFixtures, within } from './ts/helpers.js';

const run = promisify(execFile);

describe('npm:// plugins', { timeout: 120_000 }, () => {
  let dir = '';
  let cleanup = async () => {};
  let tarball = '';
  let storage = '';

  before(async () => {
    ({ dir, cleanup } = await temporaryDirectory('ts-npm'));
    storage = path.join(dir, 'storage');
    const { stdout } = await within(
      run('npm', ['pack', '--silent', '--pack-destination', dir, path.join(tsFixtures, 'npm-plugin')], { timeout: 60_000 }),
      60_000,
      'npm pack',
    );
    tarball = path.join(dir, stdout.trim().split('\n').pop()!);
  });
  after(() => cleanup());

  it('installs a packed package from a local tarball, loads it, and reuses the install', async () => {
    const { logger, records } = recordingLogger();
    const options = { log: logger, signal: AbortSignal.timeout(60_000), pluginStorageDirectory: storage };
    const folder = await within(resolveNpmPlugin(new URL(`npm://${tarball}`), options), 60_000, 'npm install');
    assert.match(folder, /node_modules[/\\]gilbert-plugin-npm-fixture$/);
    assert.ok(records.some((r) => r.message === `Installing npm plugin '${tarball}'`));

    const plugin = await within(loadTsPlugin(folder), 20_000, 'loading the installed plugin');
    assert.equal(plugin.name, 'fromnpm');
    const { logger: jobLog, records: jobRecords } = recordingLogger();
    const ctx = RunContext.root({ log: jobLog });
    const handler = await plugin.actions.version!(createScope({ projectDirectory: dir }), {});
    await within(handler.call(ctx, { actionByName: () => assert.fail(), runJob: async () => {}, runTask: async () => {} }), 5_000, 'call');
    assert.deepEqual(jobRecords.map((r) => r.message), ['gilbert-plugin-npm-fixture 1.2.3']);

    // Second resolution: no npm run, same folder, and no temporary folder left behind.
    const again = recordingLogger();
    const second = await within(resolveNpmPlugin(`npm://${tarball}`, { ...options, log: again.logger }), 10_000, 'reuse');
    assert.equal(second, folder);
    assert.ok(!again.records.some((r) => r.message.startsWith('Installing')), 'reused without installing');
    const npmDirectory = path.join(storage, 'npm');
    assert.deepEqual((await readdir(npmDirectory)).filter((name) => name.startsWith('.')), []);

    // ?update=true reinstalls into the same place.
    const updated = recordingLogger();
    const third = await within(resolveNpmPlugin(`npm://${tarball}?update=true`, { ...options, log: updated.logger }), 60_000, 'update');
    assert.equal(third, folder);
    assert.ok(updated.records.some((r) => r.message.startsWith('Installing')));
    assert.equal((await readdir(npmDirectory)).length, 1);
  });

  it('an interrupted install leaves nothing that looks installed', async () => {
    const controller = new AbortController();
    const scratch = path.join(dir, 'interrupted');
    const pending = resolveNpmPlugin(`npm://${tarball}`, { log: recordingLogger().logger, signal: controller.signal, pluginStorageDirectory: scratch });
    controller.abort();
    await assert.rejects(within(pending, 30_000, 'aborted install'), /cancelled/);
    const left = await readdir(path.join(scratch, 'npm')).catch(() => []);
    assert.deepEqual(left, []);
    await rm(scratch, { recursive: true, force: true });
  });

  it('a missing tarball is a PluginError naming it', async () => {
    const missing = path.join(dir, 'nope-1.0.0.tgz');
    await assert.rejects(
      within(resolveNpmPlugin(`npm://${missing}`, { log: recordingLogger().logger, signal: AbortSignal.timeout(10_000), pluginStorageDirectory: storage }), 10_000),
      (error: unknown) => error instanceof PluginError && error.message.includes(missing),
    );
  });

  it('reads package specs that URL parsing would mangle', () => {
    const base = '/project';
    const cases: Array<[string, string, string | undefined]> = [
      ['npm://gilbert-plugin-x', 'gilbert-plugin-x', undefined],
      ['npm://gilbert-plugin-x@1.2.3', 'gilbert-plugin-x@1.2.3', undefined],
      ['npm://gilbert-plugin-x?version=%5E1.2', 'gilbert-plugin-x@^1.2', undefined],
      ['npm://@scope/plugin@1.0.0', '@scope/plugin@1.0.0', undefined],
      ['npm:///abs/plugin-1.0.0.tgz', '/abs/plugin-1.0.0.tgz', '/abs/plugin-1.0.0.tgz'],
      ['npm://./plugins/p.tgz', '/project/plugins/p.tgz', '/project/plugins/p.tgz'],
    ];
    for (const [written, install, localPath] of cases) {
      for (const form of [written, new URL(written)]) {
        const spec = parseNpmUrl(form, base);
        assert.equal(spec.install, install, `${String(form)} (${typeof form})`);
        assert.equal(spec.localPath, localPath, String(form));
      }
    }
    // `file:` survives only in the written form (a URL object reads `file` as a host).
    assert.equal(parseNpmUrl('npm://file:/abs/p.tgz', base).localPath, '/abs/p.tgz');
    assert.equal(parseNpmUrl('npm://x?update=true', base).update, true);
    assert.throws(() => parseNpmUrl('npm://Not A Name', base), /is not an npm package name/);
  });
});
