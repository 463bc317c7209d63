import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { releaseAssetNames } from '../../../src/plugins/platform.js';
import { cliEnv, project, runCli } from '../../e2e/helpers.js';
import { scratch } from '../helpers.js';
import { ReleaseServer } from '../release-server.js';

const SIMPLE = 'tasks:\n  t:\n    - action: shell\n      params:\n        command: echo hi\n';

describe('gilbert clean deletes only folders gilbert-ts made (issue 14, item 2)', { timeout: 120_000 }, () => {
  const server = new ReleaseServer();
  before(() => server.start());
  after(() => server.stop());

  it('GILBERT_HOME=. in a project: --all and --plugins refuse, and the project is intact', async () => {
    const work = await project(undefined, SIMPLE);
    try {
      await mkdir(path.join(work.dir, 'plugins'));
      await writeFile(path.join(work.dir, 'plugins', 'mine.go'), 'package plugins\n');
      for (const flag of ['--all', '--plugins']) {
        const result = await runCli(['clean', flag], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: '.' }) });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, new RegExp(`refusing to delete '${work.dir}': it holds the current folder`));
        assert.doesNotMatch(result.stdout, /Done!/);
      }
      assert.deepEqual((await readdir(work.dir)).sort(), ['gilbert.yaml', 'plugins']);
      assert.ok(existsSync(path.join(work.dir, 'plugins', 'mine.go')));
    } finally {
      await work.cleanup();
    }
  });

  it('GILBERT_HOME=$HOME refuses: it is the home folder', async () => {
    const home = await scratch('gilbert-home-');
    const work = await project(undefined, SIMPLE);
    try {
      await writeFile(path.join(home.dir, '.bashrc'), '# mine\n');
      // even with a marker planted in it
      await writeFile(path.join(home.dir, '.gilbert-ts-storage'), '');
      const result = await runCli(['clean', '--all'], { cwd: work.dir, env: cliEnv({ HOME: home.dir, GILBERT_HOME: home.dir }) });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /refusing to delete '.*': it is your home folder/);
      assert.ok(existsSync(path.join(home.dir, '.bashrc')));
    } finally {
      await work.cleanup();
      await home.dispose();
    }
  });

  it('a GILBERT_HOME folder gilbert-ts did not create is refused with the reason; one it created is deleted', async () => {
    const sandbox = await scratch('gilbert-clean-');
    const work = await project(undefined, `plugins:\n  - ${server.base}/files/plugin.so\n${SIMPLE}`);
    try {
      const foreign = path.join(sandbox.dir, 'documents');
      await mkdir(path.join(foreign, 'plugins'), { recursive: true });
      await writeFile(path.join(foreign, 'plugins', 'notes.txt'), 'mine');
      for (const flag of ['--all', '--plugins']) {
        const refused = await runCli(['clean', flag], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: foreign }) });
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /refusing to delete '.*documents': gilbert-ts did not create it \(it has no '\.gilbert-ts-storage' file\)/);
        assert.match(refused.stderr, /GILBERT_HOME must name a folder used only by gilbert/);
      }
      assert.ok(existsSync(path.join(foreign, 'plugins', 'notes.txt')));

      // A storage folder that a download creates carries the marker, and clean removes it.
      const own = path.join(sandbox.dir, 'storage');
      const [, generic] = releaseAssetNames('x');
      server.files.set('plugin.so', Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.from(generic!)]));
      await runCli(['run', 't'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: own }), timeoutMs: 60_000 });
      assert.ok(existsSync(path.join(own, '.gilbert-ts-storage')), 'the marker');
      const cleaned = await runCli(['clean', '--all'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: own }) });
      assert.equal(cleaned.code, 0, cleaned.stdout + cleaned.stderr);
      assert.match(cleaned.stdout, /Done!/);
      assert.ok(!existsSync(own));
    } finally {
      await work.cleanup();
      await sandbox.dispose();
    }
  });

  it("a project's .gilbert/plugins holding the user's files is refused", async () => {
    const work = await project(undefined, SIMPLE);
    const storage = await scratch('gilbert-clean-storage-');
    try {
      await mkdir(path.join(work.dir, '.gilbert', 'plugins'), { recursive: true });
      await writeFile(path.join(work.dir, '.gilbert', 'plugins', 'my-notes.md'), 'mine');
      await writeFile(path.join(storage.dir, '.gilbert-ts-storage'), '');
      const result = await runCli(['clean', '--plugins'], { cwd: work.dir, env: cliEnv({ GILBERT_HOME: storage.dir }) });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /refusing to delete '.*\.gilbert\/plugins': it holds files gilbert does not make there \('my-notes\.md'\)/);
      assert.ok(existsSync(path.join(work.dir, '.gilbert', 'plugins', 'my-notes.md')));
      assert.ok(existsSync(path.join(storage.dir, '.gilbert-ts-storage')), 'nothing is deleted when one folder is refused');
    } finally {
      await work.cleanup();
      await storage.dispose();
    }
  });
});
