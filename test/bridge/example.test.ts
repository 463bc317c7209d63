import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examplePlugin, harness, loadPlugin, within } from './helpers.js';

test('the example plugin loads with its name and action', async () => {
  const plugin = await within(20_000, loadPlugin(examplePlugin));
  assert.equal(plugin.name, 'example-plugin');
  assert.deepEqual(Object.keys(plugin.actions), ['hello-world']);
});

test('example-plugin:hello-world logs params.message into the TypeScript logger', async () => {
  const plugin = await within(20_000, loadPlugin(examplePlugin));
  const h = await harness(
    { hello: [{ action: 'example-plugin:hello-world', params: { message: 'Hello, {{ who }}!' } }] },
    { plugins: [plugin] },
  );
  await h.run('hello');
  // params are raw (never expanded by the runner), exactly as Gilbert passed them
  const line = h.records.find((r) => r.message === 'Hello, {{ who }}!');
  assert.ok(line, `message not logged: ${JSON.stringify(h.records)}`);
  assert.equal(line.level, 'info');
  assert.equal(line.depth, 2, 'job output sits under the step line');
});

test('examples/hello/gilbert.yaml loads the plugin via file:// and runs it through the CLI', async () => {
  const { spawn } = await import('node:child_process');
  const { root } = await import('./helpers.js');
  const result = await within(
    30_000,
    new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', `${root}src/cli/main.ts`, 'run', 'hello', '--no-color'], {
        cwd: `${root}examples/hello`,
        env: { ...process.env, NO_COLOR: '1' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    }),
    'gilbert run hello',
  );
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /^ {4}Hello from a Gilbert Go plugin, running inside Node$/m);
  assert.match(result.out, /^ {4}Hello, world! \(Go go1\.\d+/m); // the manifest's var, expanded by the shell action
  assert.match(result.out, /Task 'hello' ran successfully/);
});
