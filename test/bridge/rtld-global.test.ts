/**
 * The shim must be loaded with RTLD_GLOBAL: without it the first plugin.Open
 * makes the Go runtime throw and the whole process dies, which no try/catch
 * can report. These tests run in child processes for that reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { defaultShimPath } from '../../src/bridge/shim-path.js';
import { examplePlugin, fixture, root, within } from './helpers.js';

function runChild(source: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return within(
    30_000,
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
        cwd: root,
        env: { ...process.env, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    }),
    'child process',
  );
}

test('the bridge always loads the shim with { global: true }', async () => {
  // Spy on koffi.load inside a fresh process, then open and run a plugin.
  const source = `
    import koffi from 'koffi';
    const seen = [];
    const load = koffi.load;
    koffi.load = (path, options) => { seen.push({ path, options }); return load(path, options); };
    const { loadGoPlugin } = await import('./src/plugins/go/load.ts');
    const { shimBuildInfo } = await import('./src/bridge/shim-path.ts');
    const plugin = await loadGoPlugin(${JSON.stringify(examplePlugin)});
    await shimBuildInfo();
    console.log(JSON.stringify({ seen, name: plugin.name }));
  `;
  const { code, stdout, stderr } = await runChild(source);
  assert.equal(code, 0, stderr);
  const { seen, name } = JSON.parse(stdout.trim().split('\n').pop()!) as { seen: { path: string; options?: { global?: boolean } }[]; name: string };
  assert.equal(name, 'example-plugin');
  assert.ok(seen.length >= 1, 'the shim was loaded through koffi.load');
  for (const call of seen) assert.equal(call.options?.global, true, `koffi.load(${call.path}) without global: true`);
});

test('why: loading the shim without RTLD_GLOBAL kills the process at plugin.Open', async () => {
  // Re-measures go-bridge-facts §1 with this shim: a regression is fatal, not an error.
  const source = `
    import koffi from 'koffi';
    const lib = koffi.load(${JSON.stringify(defaultShimPath())});
    const init = lib.func('int64_t gs_init(void *events)');
    const open = lib.func('void gs_open(int64_t call, const char *path)');
    const cb = koffi.register(() => {}, koffi.pointer(koffi.proto('void ev(const char *json, int64_t len)')));
    init(cb);
    open(1, ${JSON.stringify(examplePlugin)});
    setTimeout(() => { console.log('survived'); process.exit(0); }, 5000);
  `;
  const { code, stdout, stderr } = await runChild(source);
  assert.notEqual(code, 0);
  assert.doesNotMatch(stdout, /survived/);
  assert.match(stderr, /no plugin module data/);
});

test('a missing shim is a PluginError that says how to build it', async () => {
  const source = `
    const { loadGoPlugin } = await import('./src/plugins/go/load.ts');
    try {
      await loadGoPlugin(${JSON.stringify(examplePlugin)});
      console.log('loaded');
    } catch (err) {
      console.log(JSON.stringify({ name: err.name, message: err.message, hint: err.hint }));
    }
  `;
  const { code, stdout, stderr } = await runChild(source, { GILBERT_SHIM: '/nonexistent/libgilbert_shim.so' });
  assert.equal(code, 0, stderr);
  const err = JSON.parse(stdout.trim()) as { name: string; message: string; hint: string };
  assert.equal(err.name, 'PluginError');
  assert.match(err.message, /the Go plugin shim is missing: '\/nonexistent\/libgilbert_shim\.so' does not exist/);
  assert.match(err.hint, /make shim/);
});

test('a process exits promptly once Go work ends: nothing stays ref-d', async () => {
  const source = `
    const { loadGoPlugin } = await import('./src/plugins/go/load.ts');
    const plugin = await loadGoPlugin(${JSON.stringify(examplePlugin)});
    console.log(plugin.name);
  `;
  const started = Date.now();
  const { code, stdout, stderr } = await runChild(source);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /example-plugin/);
  assert.ok(Date.now() - started < 15_000);
});

test('the process stays alive while a Go call is in flight, with nothing else keeping it', async () => {
  // self-timeout waits on its own Go timer: no JS timer or I/O is pending
  // meanwhile, so only the bridge's keep-alive can hold the process open.
  const source = `
    const { loadGoPlugin } = await import('./src/plugins/go/load.ts');
    const { RunContext } = await import('./src/runner/index.ts');
    const { recordingLogger } = await import('./src/log/logger.ts');
    const plugin = await loadGoPlugin(${JSON.stringify(fixture('bridgetest'))});
    const handler = await plugin.actions['self-timeout']({}, { ms: 300 });
    const started = Date.now();
    const err = await handler.call(RunContext.root({ log: recordingLogger().logger }), {}).catch((e) => e);
    console.log('finished after', Date.now() - started, String(err.message));
  `;
  const { code, stdout, stderr } = await runChild(source);
  assert.equal(code, 0, stderr);
  const m = /finished after (\d+) timed out/.exec(stdout);
  assert.ok(m, stdout + stderr);
  assert.ok(Number(m[1]) >= 250);
});
