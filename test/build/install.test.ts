// The first ten minutes, as a newcomer meets them: a clean checkout packs
// into a package (`prepare` builds dist/), `npm install -g` puts `gilbert` on
// the PATH, and from folders with awkward names `gilbert --version` works,
// `init --plugin go` + `run hello` builds and runs a Go plugin, and
// `init --plugin ts` + `npm install && npm test` passes the scaffold's own test.
// Uses the npm registry (gilbert-ts's dependencies, and tsx/typescript for
// the TS scaffold) and the Go module proxy, as a user's machine would.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const execFileAsync = promisify(execFile);

/** What a fresh clone holds that the build reads (node_modules is linked: `npm ci` is not what is tested). */
const checkoutParts = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'scripts', 'native', 'go-shim'];

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end within `timeoutMs`; never rejects, so a failure shows its output. */
function runIn(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: code === null ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr });
    });
  });
}

const show = (result: Result) => `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

describe('the npm package, packed from a clean checkout and installed globally', { timeout: 900_000 }, () => {
  let dir = '';
  let prefix = '';
  let tarball = '';
  let env: NodeJS.ProcessEnv = {};
  const gilbert = (cwd: string, ...args: string[]) => runIn(cwd, 'gilbert', args, env, 300_000);

  before(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-install-')));
    const checkout = path.join(dir, 'checkout');
    await mkdir(checkout);
    for (const part of checkoutParts) {
      await cp(path.join(repo, part), path.join(checkout, part), {
        recursive: true,
        filter: (source) => !path.relative(repo, source).startsWith(path.join('go-shim', 'build')),
      });
    }
    await symlink(path.join(repo, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');

    // A prefix with a space: the installation's path ends up in the TS scaffold's package.json.
    prefix = path.join(dir, 'global prefix');
    env = { ...process.env, NO_COLOR: '1', GILBERT_HOME: path.join(dir, 'home'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    delete env.NODE_TEST_CONTEXT; // else the scaffold's node --test would report to this runner instead of printing
    delete env.FORCE_COLOR;
    delete env.GILBERT_SHIM;
    for (const key of Object.keys(env)) if (key.startsWith('npm_') && !key.startsWith('npm_config_')) delete env[key];
    env.PATH = `${path.join(prefix, 'bin')}${path.delimiter}${env.PATH ?? ''}`;

    const packed = await runIn(checkout, 'npm', ['pack', '--pack-destination', dir], env, 300_000);
    assert.equal(packed.code, 0, `npm pack: ${show(packed)}`);
    tarball = path.join(dir, (await readdir(dir)).find((name) => name.endsWith('.tgz')) ?? assert.fail('npm pack wrote no tarball'));
    const installed = await runIn(dir, 'npm', ['install', '--global', '--prefix', prefix, tarball], env, 300_000);
    assert.equal(installed.code, 0, `npm install -g: ${show(installed)}`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('ships the built CLI, the schema and the Go shim sources, and nothing else of the checkout', async () => {
    const { stdout } = await execFileAsync('tar', ['tzf', tarball], { timeout: 30_000 });
    const files = stdout.split('\n').filter(Boolean);
    for (const needed of ['package/dist/cli/main.js', 'package/dist/cli/gilbert.cjs', 'package/dist/sdk/index.d.ts', 'package/dist/sdk/testing.js', 'package/gilbert.schema.json', 'package/go-shim/go.mod', 'package/native/gilbert_shim.h', 'package/README.md']) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.deepEqual(files.filter((file) => /^package\/(src|test|scripts|node_modules|go-shim\/build)\/|\.build-stamp$|\.so$/.test(file)), []);
  });

  it('gilbert --version works from a folder named 123', async () => {
    const folder = path.join(dir, '123');
    await mkdir(folder);
    const result = await gilbert(folder, '--version');
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /^Gilbert version \d+\.\d+\.\d+\S* \(\S+\)\n$/);
  });

  it('init --plugin go, then run hello, in a folder named go', async () => {
    const folder = path.join(dir, 'go');
    await mkdir(folder);
    const init = await gilbert(folder, 'init', '--plugin', 'go');
    assert.equal(init.code, 0, show(init));
    const hello = await gilbert(folder, 'run', 'hello');
    assert.equal(hello.code, 0, show(hello));
    assert.match(hello.stdout, /^\s+Hello, Go!$/m);
    assert.match(hello.stdout, /Task 'hello' ran successfully/);
  });

  it('init --plugin ts, then npm install && npm test (and run hello), in a folder named "My TS Plugin"', async () => {
    const folder = path.join(dir, 'My TS Plugin');
    await mkdir(folder);
    const init = await gilbert(folder, 'init', '--plugin', 'ts');
    assert.equal(init.code, 0, show(init));
    const pkg = JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8')) as { name: string; devDependencies: Record<string, string> };
    assert.equal(pkg.name, 'gilbert-plugin-my-ts-plugin');
    assert.equal(pkg.devDependencies['gilbert-ts'], `file:${path.join(prefix, 'lib', 'node_modules', 'gilbert-ts')}`);

    const install = await runIn(folder, 'npm', ['install'], env, 300_000);
    assert.equal(install.code, 0, `npm install: ${show(install)}`);
    assert.doesNotMatch(install.stderr, /install-scripts/, 'the scaffold reviews its install scripts (allowScripts)');
    const test = await runIn(folder, 'npm', ['test'], env, 300_000);
    assert.equal(test.code, 0, `npm test: ${show(test)}`);
    assert.match(test.stdout, /^# pass 3$/m);
    assert.match(test.stdout, /^# fail 0$/m);

    const hello = await gilbert(folder, 'run', 'hello');
    assert.equal(hello.code, 0, show(hello));
    assert.match(hello.stdout, /^\s+Hello, TypeScript!$/m);
  });
});
