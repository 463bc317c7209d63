import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnv, project, runCli } from '../e2e/helpers.js';
import { fixturesDirectory, scratch } from './helpers.js';

describe('go:// rebuilds when its sources change', { timeout: 900_000 }, () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let home: { dir: string; dispose: () => Promise<void> };
  const manifest = (query = '') => `version: "1.0"\nplugins:\n  - go://./plugin${query}\ntasks:\n  greet:\n    - action: hello:greet\n      params: {who: edits}\n`;

  before(async () => {
    home = await scratch('gilbert-go-edits-home-');
    dir = await project(undefined, manifest());
    await cp(path.join(fixturesDirectory, 'hello'), path.join(dir.dir, 'plugin'), { recursive: true });
  });
  after(async () => {
    await dir?.cleanup();
    await home?.dispose();
  });

  const greet = async () => {
    // --verbose: builds are logged at debug level, as Gilbert did
    const result = await runCli(['run', 'greet', '--verbose'], { cwd: dir.dir, env: cliEnv({ GILBERT_HOME: home.dir }), timeoutMs: 400_000 });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    return result.stdout + result.stderr;
  };
  const edit = async (file: string, change: (text: string) => string) => {
    const target = path.join(dir.dir, 'plugin', file);
    await writeFile(target, change(await readFile(target, 'utf8')));
  };

  it('builds once, reuses the build while nothing changes, rebuilds after an edit of a Go file, go.mod or go.sum', async () => {
    const first = await greet();
    assert.match(first, /Building plugin package '.*plugin'/);
    assert.match(first, /hello, edits/);

    const unchanged = await greet();
    assert.doesNotMatch(unchanged, /Building|Rebuilding/, 'an unchanged package is not rebuilt');

    await edit('main.go', (text) => text.replace('"hello, %s"', '"howdy, %s"'));
    const edited = await greet();
    assert.match(edited, /Rebuilding plugin package '.*plugin': its sources changed since it was built/);
    assert.match(edited, /howdy, edits/, 'the edited source runs, not the stale build');
    assert.doesNotMatch(await greet(), /Rebuilding/);

    await edit('go.mod', (text) => `${text}\n// a comment\n`);
    assert.match(await greet(), /Rebuilding plugin package .*its sources changed/, 'go.mod is part of the key');
    await edit('go.sum', (text) => `${text}\n`);
    assert.match(await greet(), /Rebuilding plugin package .*its sources changed/, 'go.sum is part of the key');

    await writeFile(path.join(dir.dir, 'plugin', 'notes.md'), 'not a build input');
    await writeFile(path.join(dir.dir, 'plugin', 'greet_test.go'), 'package main\n');
    assert.doesNotMatch(await greet(), /Rebuilding/, 'files go build ignores do not cause a rebuild');
  });

  it('?rebuild=true still forces a rebuild', async () => {
    await writeFile(path.join(dir.dir, 'gilbert.yaml'), manifest('?rebuild=true'));
    const forced = await greet();
    assert.match(forced, /Building plugin package/);
    assert.match(forced, /howdy, edits/);
  });
});
