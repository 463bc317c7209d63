import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ActionRegistry } from '../../src/actions/registry.js';
import { PluginError } from '../../src/errors.js';
import { fixture, loadPlugin, within } from './helpers.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gilbert-bridge-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  // every fault above left the host able to load and run a good plugin
  const good = await within(20_000, loadPlugin(fixture('bridgetest')));
  assert.equal(good.name, 'bridgetest');
});

async function loadError(path: string): Promise<PluginError> {
  try {
    await within(20_000, loadPlugin(path));
  } catch (err) {
    assert.ok(err instanceof PluginError, `expected a PluginError, got ${String(err)}`);
    return err;
  }
  throw new Error(`loading ${path} did not fail`);
}

test('a missing file', async () => {
  const err = await loadError(join(dir, 'nope.so'));
  assert.match(err.message, /plugin file '.*nope\.so' not found/);
});

test('a file that is not a shared library', async () => {
  const path = join(dir, 'text.so');
  await writeFile(path, 'not a library\n');
  const err = await loadError(path);
  assert.match(err.message, /'.*text\.so' is not a Go plugin: not an ELF shared library/);
  assert.match(err.hint ?? '', /-buildmode=plugin/);
});

test('a C shared library (which plugin.Open would abort the process on)', async () => {
  const err = await loadError(fixture('notplugin'));
  assert.match(err.message, /notplugin\.so' is not a Go plugin: it has no Go build info/);
});

test('missing GetPluginName symbol', async () => {
  const err = await loadError(fixture('nosymbols'));
  assert.match(err.message, /cannot get plugin name from '.*nosymbols\.so': it does not export GetPluginName\(\) string/);
});

test('symbols with the wrong types', async () => {
  const err = await loadError(fixture('wrongtype'));
  assert.match(err.message, /invalid GetPluginName\(\) symbol signature in '.*wrongtype\.so' \(want func\(\) string, but got func\(\) int\)/);
});

test('an empty (blank) plugin name', async () => {
  const err = await loadError(fixture('noname'));
  assert.match(err.message, /plugin name should not be empty/);
  assert.match(err.message, /noname\.so/);
});

test('a plugin built with -trimpath is diagnosed with what to rebuild', async () => {
  const err = await loadError(fixture('trimpath'));
  assert.match(err.message, /trimpath\.so' does not match gilbert-ts's Go shim: it was built with -trimpath, the shim without/);
  assert.match(err.hint ?? '', /rebuild the plugin with go1\.\d+(\.\d+)? and gilbert-sdk v0\.9\.0 without -trimpath/);
});

test('a plugin built against another gilbert-sdk version names the module and what to rebuild', async () => {
  const err = await loadError(fixture('oldsdk'));
  assert.match(err.message, /oldsdk\.so' does not match gilbert-ts's Go shim: it uses github\.com\/go-gilbert\/gilbert-sdk v0\.8\.6, the shim v0\.9\.0/);
  assert.match(err.hint ?? '', /rebuild the plugin with go1\.\d+(\.\d+)? and gilbert-sdk v0\.9\.0 without -trimpath/);
});

test('duplicate action names across plugins are refused by the registry', async () => {
  const plugin = await within(20_000, loadPlugin(fixture('bridgetest')));
  const registry = new ActionRegistry();
  registry.registerPlugin(plugin.name, plugin.actions, 'first');
  assert.throws(() => registry.registerPlugin(plugin.name, plugin.actions, 'second'), /action 'bridgetest:[a-z-]+' from second is already defined by first/);
});
