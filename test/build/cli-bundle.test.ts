import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// dist/cli/main.js is the start-up bundle of scripts/bundle-cli.mjs (`make build`).
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const entry = path.join(dist, 'cli', 'main.js');
const run = promisify(execFile);
const bound = { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } };

describe('CLI start-up bundle', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), 'gilbert-bundle-'));
  });
  after(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('ships a V8 code cache that a plain node start accepts', async () => {
    // The wrapper must be byte for byte the entry's, or V8 would reject the cache.
    const entrySource = await readFile(entry, 'utf8');
    const header = /const wrapped = `(\(function \([^)]*\) \{)\$\{readFileSync\(bundle, 'utf8'\)\}\\n\}\)`;/.exec(entrySource)?.[1];
    assert.ok(header, 'dist/cli/main.js builds its wrapper as scripts/cli-entry.cjs does');
    const probe = `
      const { readFileSync } = require('node:fs'); const vm = require('node:vm');
      const bundle = ${JSON.stringify(path.join(dist, 'cli', 'gilbert.cjs'))};
      const script = new vm.Script(${JSON.stringify(header)} + readFileSync(bundle, 'utf8') + '\\n})', { filename: bundle, cachedData: readFileSync(bundle + '.cache') });
      process.stdout.write(String(script.cachedDataRejected));`;
    const { stdout } = await run(process.execPath, ['-e', probe], bound);
    assert.equal(stdout, 'false');
  });

  it('still starts when the code cache is missing or unusable (another Node, a damaged file)', async () => {
    const cli = path.join(project, 'copy', 'cli');
    await mkdir(cli, { recursive: true });
    for (const name of ['main.js', 'package.json', 'gilbert.cjs']) await copyFile(path.join(dist, 'cli', name), path.join(cli, name));
    await writeFile(path.join(project, 'gilbert.yaml'), 'version: "1.0"\ntasks:\n  only:\n  - action: shell\n    params:\n      command: "true"\n');
    const cache = await readFile(path.join(dist, 'cli', 'gilbert.cjs.cache'));
    for (const damaged of [undefined, cache.subarray(0, cache.length >> 1), Buffer.from('not a code cache')]) {
      await rm(path.join(cli, 'gilbert.cjs.cache'), { force: true });
      if (damaged) await writeFile(path.join(cli, 'gilbert.cjs.cache'), damaged);
      const { stdout, stderr } = await run(process.execPath, [path.join(cli, 'main.js'), 'ls', '-q'], { ...bound, cwd: project });
      assert.equal(stdout, 'only\n');
      assert.equal(stderr, '');
    }
  });

  it('finds package.json and build-info.json from inside the bundle', async () => {
    const { version } = JSON.parse(await readFile(path.join(dist, '..', 'package.json'), 'utf8')) as { version: string };
    const { commit } = JSON.parse(await readFile(path.join(dist, 'build-info.json'), 'utf8')) as { commit: string };
    const { stdout } = await run(process.execPath, [entry, 'version'], { ...bound, cwd: project });
    assert.equal(stdout, `Gilbert version ${version} (${commit})\n`);
  });

  it('loads a TypeScript plugin through the entry import(), its SDK sharing IntegralFloat with the bundled loader', async () => {
    await writeFile(
      path.join(project, 'plugin.ts'),
      [
        "import { definePlugin, IntegralFloat } from 'gilbert-ts/sdk';",
        'export default definePlugin({',
        "  name: 'hello',",
        '  actions: {',
        '    greet: (_scope, params) => ({',
        '      call(ctx) {',
        '        ctx.log.log(`hi ${String(params.who)}; integral float: ${params.count instanceof IntegralFloat}`);',
        '      },',
        '    }),',
        '  },',
        '});',
      ].join('\n') + '\n',
    );
    await writeFile(
      path.join(project, 'gilbert.yaml'),
      'version: "1.0"\nplugins:\n  - file://./plugin.ts\ntasks:\n  t:\n  - action: hello:greet\n    params:\n      who: bundle\n      count: 1.0\n',
    );
    const { stdout } = await run(process.execPath, [entry, 'run', 't'], { ...bound, cwd: project });
    assert.match(stdout, /hi bundle; integral float: true/);
  });
});
