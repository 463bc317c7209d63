import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildArguments } from '../../src/actions/build/index.js';
import { decodeParams } from '../../src/actions/params.js';
import { createScope } from '../../src/scope/index.js';
import { runTask, tempProject } from './harness.js';

const run = promisify(execFile);

async function header(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    await handle.read(buffer, 0, bytes, 0);
    return buffer;
  } finally {
    await handle.close();
  }
}

describe('build action', () => {
  let project: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    project = await tempProject('app');
  });
  after(() => project.cleanup());

  it('builds with -X variables whose expressions are expanded, read back from the binary', async () => {
    const { error, log } = await runTask(
      project.dir,
      {
        build: [
          {
            action: 'build',
            vars: { release: '1.2.3' },
            params: {
              outputPath: '{{ BUILD }}/app',
              variables: { 'main.version': '{{ release }}', 'main.commit': '{% echo abc def %}' },
              params: { stripDebugInfo: true },
            },
          },
        ],
      },
      'build',
    );
    assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
    const { stdout } = await run(path.join(project.dir, 'build', 'app'), [], { timeout: 10_000 });
    assert.equal(stdout.trim(), 'version=1.2.3 commit=abc def sum=5');
  });

  it('cross-builds with target os/arch set as GOOS/GOARCH', async () => {
    const { error, log } = await runTask(
      project.dir,
      {
        cross: [
          { action: 'build', params: { outputPath: 'out/app.exe', target: { os: 'windows', arch: 'amd64' } } },
          { action: 'build', params: { outputPath: 'out/app-arm64', target: { os: 'linux', arch: 'arm64' } } },
        ],
      },
      'cross',
    );
    assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
    assert.equal((await header(path.join(project.dir, 'out/app.exe'), 2)).toString('latin1'), 'MZ');
    const elf = await header(path.join(project.dir, 'out/app-arm64'), 20);
    assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
    assert.equal(elf.readUInt16LE(18), 183, 'e_machine should be EM_AARCH64');
  });

  it('builds a Go plugin with buildMode: plugin', async () => {
    const plugin = await tempProject('plugin');
    try {
      const { error, log } = await runTask(plugin.dir, { so: [{ action: 'build', params: { buildMode: 'plugin', outputPath: 'greeting.so' } }] }, 'so');
      assert.equal(error, undefined, String(error) + '\n' + log.messages().join('\n'));
      const elf = await header(path.join(plugin.dir, 'greeting.so'), 18);
      assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
      assert.equal(elf.readUInt16LE(16), 3, 'e_type should be ET_DYN (a shared object)');
    } finally {
      await plugin.cleanup();
    }
  });

  it('fails with the exit status and the compiler output when go build fails', async () => {
    const { error, log } = await runTask(project.dir, { broken: [{ action: 'build', params: { source: './does-not-exist' } }] }, 'broken');
    assert.match(String(error), /process finished with non-zero status code: 1/);
    assert.ok(log.records.some((r) => r.level === 'error' && /does-not-exist/.test(r.message)), 'go build stderr is logged as errors');
  });

  it('reports a wrong param type naming the action and the param', async () => {
    const { error } = await runTask(project.dir, { bad: [{ action: 'build', params: { target: { os: ['linux'] } } }] }, 'bad');
    assert.match(String(error), /build: param 'target\.os' must be a string, got list/);
    // unknown params are ignored when the job runs, as Gilbert's mapstructure did (the CLI warns about them at load)
    const { paramShape } = await import('../../src/actions/build/index.js');
    assert.equal(decodeParams(paramShape, { buildmod: 'plugin' }, { action: 'build' }).buildMode, '');
    assert.throws(() => decodeParams(paramShape, { buildmod: 'plugin' }, { action: 'build', strict: true }), /build: unknown param 'buildmod'/);
  });

  it('orders go build arguments as Gilbert did, quoting -X values with spaces', async () => {
    const scope = createScope({ projectDirectory: project.dir });
    const options = decodeParams(
      (await import('../../src/actions/build/index.js')).paramShape,
      {
        source: './cmd',
        outputPath: 'bin/app',
        buildMode: 'pie',
        tags: ['netgo', 'osusergo'],
        variables: { 'main.name': 'a b' },
        params: { stripDebugInfo: true, linkerFlags: ['-extldflags=-static'] },
      },
      { action: 'build' },
    );
    assert.deepEqual(await buildArguments(options, scope), [
      'build',
      '-o',
      'bin/app',
      '-ldflags',
      "-s -w -X 'main.name=a b' -extldflags=-static",
      '-buildmode',
      'pie',
      '-tags',
      'netgo,osusergo',
      './cmd',
    ]);
  });
});
