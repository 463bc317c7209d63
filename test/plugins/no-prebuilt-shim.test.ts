import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliEnv, finish } from '../e2e/helpers.js';
import { scratch } from './helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const examplePlugin = path.join(repo, 'examples/hello/plugin/build/gilbert-plugin-example.so');

/**
 * An installation as npm leaves it when no shim was built at install time:
 * dist/, the shim's sources and the header, but no go-shim/build. The first Go
 * plugin must then get a shim built to match it, cached for the next run.
 */
describe('an installation without a prebuilt Go shim', { timeout: 600_000 }, () => {
  let dir = '';
  let dispose: () => Promise<void> = async () => {};
  let cli = '';
  let project = '';
  let home = '';

  before(async () => {
    ({ dir, dispose } = await scratch('gilbert-noshim-'));
    const pkg = path.join(dir, 'pkg');
    await mkdir(pkg);
    for (const part of ['dist', 'native', 'package.json']) await cp(path.join(repo, part), path.join(pkg, part), { recursive: true });
    await cp(path.join(repo, 'go-shim'), path.join(pkg, 'go-shim'), {
      recursive: true,
      filter: (source) => path.relative(path.join(repo, 'go-shim'), source).split(path.sep)[0] !== 'build',
    });
    await symlink(path.join(repo, 'node_modules'), path.join(pkg, 'node_modules'));
    cli = path.join(pkg, 'dist/cli/main.js');
    project = path.join(dir, 'project');
    home = path.join(dir, 'home');
    await mkdir(project);
    await writeFile(
      path.join(project, 'gilbert.yaml'),
      `version: "1.0"\nplugins:\n  - file://${examplePlugin}\ntasks:\n  hello:\n    - action: example-plugin:hello-world\n      params:\n        message: hello without a prebuilt shim\n`,
    );
  });
  after(() => dispose());

  const run = () => {
    const env = cliEnv({ GILBERT_HOME: home, GILBERT_SHIM: undefined });
    return finish(spawn(process.execPath, [cli, 'run', 'hello'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] }), 300_000);
  };

  it('builds a matching shim on first use, then reuses it', async () => {
    const first = await run();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /Building a Go shim matching plugin/);
    assert.match(first.stdout, /hello without a prebuilt shim/);
    const shims = await readdir(path.join(home, 'shims'));
    const built = shims.filter((name) => !name.startsWith('.'));
    assert.equal(built.length, 1, `one cached shim in ${shims.join(', ')}`);
    // c-shared writes a C header beside its output: none may be left in the cache (issue 14, item 12)
    assert.deepEqual((await readdir(path.join(home, 'shims', built[0]!))).sort(), ['libgilbert_shim.so', 'libgilbert_shim.so.sha256']);

    const second = await run();
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.doesNotMatch(second.stdout, /Building a Go shim/);
    assert.match(second.stdout, /hello without a prebuilt shim/);
  });

  it('still requires a shim named by GILBERT_SHIM to exist', async () => {
    const env = cliEnv({ GILBERT_HOME: home, GILBERT_SHIM: path.join(dir, 'missing.so') });
    const result = await finish(spawn(process.execPath, [cli, 'run', 'hello'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] }), 60_000);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the Go shim '.*missing\.so' is missing/);
  });
});
