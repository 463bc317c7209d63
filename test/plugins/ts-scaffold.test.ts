import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { GilbertError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { loadTsPlugin } from '../../src/plugins/ts/load.js';
import { RunContext } from '../../src/runner/context.js';
import { nameFromDirectory, scaffoldPlugin } from '../../src/scaffold/index.js';
import { createScope } from '../../src/scope/index.js';
import { repoRoot, temporaryDirectory, within } from './ts/helpers.js';

const run = promisify(execFile);
const noRunner = { actionByName: () => assert.fail('unused'), runJob: async () => {}, runTask: async () => {} };

/** What `npm install` would give the scaffold, taken from this checkout (no registry needed). */
async function linkDevDependencies(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'node_modules/@types'), { recursive: true });
  await symlink(repoRoot, path.join(dir, 'node_modules/gilbert-ts'), 'dir');
  for (const dependency of ['tsx', 'typescript', '@types/node']) {
    await symlink(path.join(repoRoot, 'node_modules', dependency), path.join(dir, 'node_modules', dependency), 'dir');
  }
}

describe('gilbert init --plugin scaffolds', { timeout: 400_000 }, () => {
  let dir = '';
  let cleanup = async () => {};
  before(async () => ({ dir, cleanup } = await temporaryDirectory('scaffold')));
  after(() => cleanup());

  it('ts: writes a plugin that type-checks, passes its own test and runs its action', async () => {
    const project = path.join(dir, 'gilbert-plugin-Hello World');
    const written = await scaffoldPlugin('ts', project);
    assert.deepEqual(written.map((file) => path.relative(project, file)).sort(), ['gilbert.yaml', 'package.json', 'plugin.test.ts', 'plugin.ts', 'tsconfig.json']);
    assert.match(await readFile(path.join(project, 'gilbert.yaml'), 'utf8'), /action: hello-world:hello/);

    await linkDevDependencies(project);
    await within(run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project, timeout: 90_000 }), 90_000, 'tsc');
    // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one instead of printing TAP.
    const { NODE_TEST_CONTEXT: _inner, ...env } = process.env;
    const { stdout } = await within(run(process.execPath, ['--import', 'tsx', '--test', 'plugin.test.ts'], { cwd: project, env, timeout: 60_000 }), 60_000, 'plugin test');
    assert.match(stdout, /# pass 3/);

    const plugin = await within(loadTsPlugin(path.join(project, 'plugin.ts')), 20_000, 'load');
    assert.equal(plugin.name, 'hello-world');
    const { logger, records } = recordingLogger();
    const scope = createScope({ projectDirectory: project, locals: { who: 'TypeScript' } });
    const handler = await plugin.actions.hello!(scope, { name: '{{ who }}' });
    await within(handler.call(RunContext.root({ log: logger }), noRunner), 5_000, 'hello');
    assert.deepEqual(records, [{ level: 'success', depth: 0, message: 'Hello, TypeScript!' }]);
  });

  it('ts: `gilbert init --plugin ts` then `gilbert run hello` works on first try', async () => {
    const project = path.join(dir, 'cli-ts');
    await mkdir(project);
    const cli = path.join(repoRoot, 'dist/cli/main.js');
    const init = await within(run(process.execPath, [cli, 'init', '--plugin', 'ts', '--name', 'greeter', '--no-color'], { cwd: project, timeout: 30_000 }), 30_000, 'init');
    assert.match(init.stdout + init.stderr, /File '.*gilbert\.yaml' successfully created/);
    const hello = await within(run(process.execPath, [cli, 'run', 'hello', '--no-color'], { cwd: project, timeout: 30_000 }), 30_000, 'run hello');
    assert.match(hello.stdout, /Hello, TypeScript!/);
    assert.match(hello.stdout, /Task 'hello' ran successfully/);
  });

  it('names a plugin after any folder: a usable action prefix, Go module path element and npm package name', () => {
    const names = ['go', 'My TS Plugin', '123', 'gilbert-plugin-Hello World', '--x--', '日本', 'a.b'].map((folder) => nameFromDirectory(path.join(dir, folder)));
    assert.deepEqual(names, ['go', 'my-ts-plugin', 'plugin-123', 'hello-world', 'x', 'myplugin', 'a-b']);
    for (const name of names) assert.match(name, /^[a-z][a-z0-9_-]*$/);
  });

  it('never overwrites a file unless forced, and then writes nothing partial', async () => {
    const project = path.join(dir, 'existing');
    await mkdir(project);
    const manifest = path.join(project, 'gilbert.yaml');
    await writeFile(manifest, 'tasks: {}\n');
    await assert.rejects(scaffoldPlugin('ts', project, { name: 'x' }), (error: unknown) => error instanceof GilbertError && error.message.includes(manifest));
    assert.equal(await readFile(manifest, 'utf8'), 'tasks: {}\n');
    await assert.rejects(access(path.join(project, 'plugin.ts')), 'nothing else was written');

    await scaffoldPlugin('ts', project, { name: 'x', force: true });
    assert.match(await readFile(manifest, 'utf8'), /action: x:hello/);
    await assert.rejects(scaffoldPlugin('go', path.join(dir, 'bad'), { name: 'Bad Name' }), /plugin name 'Bad Name' is not usable/);
  });

  it('go: writes a plugin module whose go test passes and that builds as a plugin', async () => {
    const project = path.join(dir, 'gohello');
    const written = await scaffoldPlugin('go', project);
    assert.deepEqual(written.map((file) => path.relative(project, file)).sort(), ['gilbert.yaml', 'go.mod', 'go.sum', 'plugin/main.go', 'plugin/main_test.go']);
    const env = { ...process.env, GOFLAGS: '-buildvcs=false -mod=readonly', CGO_ENABLED: '1' };
    const test = await within(run('go', ['test', './...'], { cwd: project, env, timeout: 150_000 }), 150_000, 'go test');
    assert.match(test.stdout, /^ok\s+example\.com\/gohello\/plugin/m);
  });

  it('go: `gilbert init --plugin go` then `gilbert run hello` builds, loads and runs it; build-plugin writes the .so', async () => {
    const project = path.join(dir, 'cli-go');
    await mkdir(project);
    const cli = path.join(repoRoot, 'dist/cli/main.js');
    const gilbert = (...args: string[]) =>
      within(run(process.execPath, [cli, ...args, '--no-color'], { cwd: project, timeout: 150_000 }), 150_000, `gilbert ${args.join(' ')}`);
    await gilbert('init', '--plugin', 'go', '--name', 'gohello');
    const hello = await gilbert('run', 'hello');
    assert.match(hello.stdout, /^\s+Hello, Go!$/m);
    assert.match(hello.stdout, /Task 'hello' ran successfully/);
    const test = await gilbert('run', 'test');
    assert.match(test.stdout, /ok\s+example\.com\/gohello\/plugin/);
    await gilbert('run', 'build-plugin');
    await access(path.join(project, 'build/gohello.so'));
  });
});
