import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Cli, cliPath, gilbert } from './cli.js';
import { gone, tempProject } from './harness.js';

const exampleSource = fileURLToPath(new URL('../../examples/hello/plugin/', import.meta.url));

describe('built-in actions through the gilbert CLI', () => {
  it('needs the built CLI (make build)', async () => {
    await access(cliPath);
  });

  it('builds a binary with expanded -X variables and runs it', async () => {
    const project = await tempProject('app');
    try {
      await writeFile(
        path.join(project.dir, 'gilbert.yaml'),
        [
          'version: "1.0"',
          'vars:',
          '  appVersion: 2.0.1',
          'tasks:',
          '  build:',
          '    - action: build',
          '      params:',
          '        outputPath: "{{ BUILD }}/app"',
          '        variables:',
          '          main.version: "{{ appVersion }}"',
          '          main.commit: "{% printf deadbeef %}"',
          '  run:',
          '    - action: shell',
          '      params:',
          '        command: "{{ BUILD }}/app"',
          '',
        ].join('\n'),
      );
      const built = await gilbert(['run', 'build'], project.dir);
      assert.equal(built.code, 0, built.output);
      assert.match(built.output, /Task 'build' ran successfully/);
      const { stdout } = await promisify(execFile)(path.join(project.dir, 'build', 'app'), [], { timeout: 10_000 });
      assert.equal(stdout.trim(), 'version=2.0.1 commit=deadbeef sum=5');
    } finally {
      await project.cleanup();
    }
  });

  it('builds a Go plugin with buildMode: plugin, which the bridge then loads and runs', async () => {
    const project = await tempProject();
    try {
      const pluginDir = path.join(project.dir, 'plugin');
      await cp(exampleSource, pluginDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
      await writeFile(
        path.join(pluginDir, 'gilbert.yaml'),
        'version: "1.0"\ntasks:\n  build:\n    - action: build\n      params:\n        buildMode: plugin\n        outputPath: ./build/example.so\n',
      );
      const built = await gilbert(['run', 'build'], pluginDir);
      assert.equal(built.code, 0, built.output);

      const userDir = path.join(project.dir, 'user');
      await mkdir(userDir);
      await writeFile(
        path.join(userDir, 'gilbert.yaml'),
        [
          'version: "1.0"',
          'plugins:',
          '  - file://../plugin/build/example.so',
          'tasks:',
          '  hello:',
          "    - action: 'example-plugin:hello-world'",
          '      params:',
          '        message: built by the build action',
          '',
        ].join('\n'),
      );
      const ran = await gilbert(['run', 'hello'], userDir);
      assert.equal(ran.code, 0, ran.output);
      assert.match(ran.output, /built by the build action/);
    } finally {
      await project.cleanup();
    }
  });

  it('exits 1 with the job, the param and the file:line on a param error', async () => {
    const project = await tempProject();
    try {
      await writeFile(
        path.join(project.dir, 'gilbert.yaml'),
        'version: "1.0"\ntasks:\n  cover:\n    - action: cover\n      params:\n        threshold: 120\n  watch:\n    - action: watch\n      params:\n        path: .\n',
      );
      const cover = await gilbert(['run', 'cover'], project.dir);
      assert.equal(cover.code, 1);
      assert.match(cover.output, /ERROR: .*coverage threshold should be between 0 and 100 \(got 120\.000000\)\nat gilbert\.yaml:4\n/);
      assert.doesNotMatch(cover.output, /\n\s+at /, 'no stack trace for a user error');
      const watch = await gilbert(['run', 'watch'], project.dir);
      assert.equal(watch.code, 1);
      assert.match(watch.output, /ERROR: .*failed to create action handler instance of 'watch': job to run is not defined/);
    } finally {
      await project.cleanup();
    }
  });

  it('watch stops on SIGINT, leaving no process behind', async () => {
    const project = await tempProject();
    try {
      await mkdir(path.join(project.dir, 'src'));
      await writeFile(
        path.join(project.dir, 'gilbert.yaml'),
        [
          'version: "1.0"',
          'tasks:',
          '  dev:',
          '    - action: watch',
          '      params:',
          '        path: src/...',
          '        debounceTime: 100',
          '        run:',
          '          action: shell',
          '          params:',
          '            command: echo started $$; exec sleep 60',
          '',
        ].join('\n'),
      );
      const cli = new Cli(['run', 'dev'], project.dir);
      const pid = Number((await cli.waitFor(/started (\d+)/, 20_000))[1]);
      cli.child.kill('SIGINT');
      const { code } = await cli.finish(15_000);
      assert.equal(code, 130, cli.output);
      await gone(pid, 5_000);
    } finally {
      await project.cleanup();
    }
  });
});
