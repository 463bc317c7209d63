import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliEnv, project, runCli } from './helpers.js';

const SIMPLE = `version: "1.0"
tasks:
  build:
    description: Build it
    jobs:
    - description: Build it
      action: shell
      params:
        command: echo building
  lint:
  - description: a plain task is listed as Gilbert listed it
    action: shell
    params:
      command: echo linting
  test:
  - action: shell
    params:
      command: echo a
  - action: shell
    params:
      command: echo b
`;

describe('gilbert CLI commands', () => {
  it('--version and -V print the version line, as `gilbert version` does', async () => {
    const { dir, cleanup } = await project();
    try {
      const version = await runCli(['version'], { cwd: dir });
      for (const flag of ['--version', '-V']) {
        const result = await runCli([flag], { cwd: dir });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, version.stdout);
      }
    } finally {
      await cleanup();
    }
  });

  it('a mistyped task or action gets "did you mean"', async () => {
    const { dir, cleanup } = await project(undefined, SIMPLE.replace('action: shell\n    params:\n      command: echo a', 'action: shel\n    params:\n      command: echo a'));
    try {
      const task = await runCli(['run', 'biuld'], { cwd: dir });
      assert.equal(task.code, 1);
      assert.match(task.stderr, /^ERROR: task 'biuld' doesn't exists\n[^]*did you mean 'build'\?/);
      const action = await runCli(['run', 'test'], { cwd: dir });
      assert.equal(action.code, 1);
      assert.match(action.stderr, /no such action handler: 'shel'\nat gilbert\.yaml:\d+\n[^]*did you mean 'shell'\?/);
    } finally {
      await cleanup();
    }
  });

  it("a plugin's JobError (from gilbert-ts/sdk, another copy of the class than the CLI bundle's) prints its hint, not a stack", async () => {
    const plugin = `import { definePlugin, JobError } from 'gilbert-ts/sdk';
export default definePlugin({ name: 'p', actions: { fail: () => ({
  async call() { throw new JobError('the widget is missing', { hint: 'create the widget first' }); },
  async cancel() {},
}) } });
`;
    const { dir, cleanup } = await project(undefined, 'version: "1.0"\nplugins:\n  - file://./plugin.ts\ntasks:\n  go:\n    - action: p:fail\n');
    try {
      await writeFile(path.join(dir, 'plugin.ts'), plugin);
      const result = await runCli(['run', 'go'], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /the widget is missing/);
      assert.match(result.stderr, /create the widget first/);
      assert.doesNotMatch(result.stderr, /This is a bug|\n\s+at /);
    } finally {
      await cleanup();
    }
  });

  it('version prints "Gilbert version <version> (<commit>)"', async () => {
    const { dir, cleanup } = await project();
    try {
      const result = await runCli(['version'], { cwd: dir });
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Gilbert version \d+\.\d+\.\d+\S* \(\S+\)\n$/);
    } finally {
      await cleanup();
    }
  });

  it('init writes a starter manifest and refuses to overwrite one unless --force', async () => {
    const { dir, cleanup } = await project();
    try {
      const first = await runCli(['init'], { cwd: dir });
      assert.equal(first.code, 0, first.stderr);
      const file = path.join(dir, 'gilbert.yaml');
      assert.match(first.stdout, new RegExp(`File '${file}' successfully created`));
      assert.match(await readFile(file, 'utf8'), /version: "1.0"/);

      await writeFile(file, '# mine\n');
      const second = await runCli(['init'], { cwd: dir });
      assert.equal(second.code, 1);
      assert.match(second.stderr, /^ERROR: file '.*gilbert\.yaml' already exists/);
      assert.match(second.stderr, /gilbert init --force/);
      assert.equal(await readFile(file, 'utf8'), '# mine\n', 'the user manifest is untouched');

      const forced = await runCli(['init', '--force'], { cwd: dir });
      assert.equal(forced.code, 0);
      assert.match(await readFile(file, 'utf8'), /tasks:/);
      const listed = await runCli(['ls', '--json'], { cwd: dir });
      assert.deepEqual(JSON.parse(listed.stdout).tasks, ['build', 'clean', 'cover'], 'the starter manifest loads');
    } finally {
      await cleanup();
    }
  });

  it('ls lists tasks with descriptions; --json and --quiet for scripts', async () => {
    const { dir, cleanup } = await project(undefined, SIMPLE);
    try {
      const file = path.join(dir, 'gilbert.yaml');
      const text = await runCli(['ls'], { cwd: dir });
      assert.equal(text.code, 0);
      assert.equal(text.stdout, `List of defined tasks in '${file}':\n  - build  Build it\n  - lint\n  - test\n`);
      const json = await runCli(['ls', '--json'], { cwd: dir });
      assert.deepEqual(JSON.parse(json.stdout), { file, tasks: ['build', 'lint', 'test'] });
      const quiet = await runCli(['ls', '--quiet'], { cwd: dir });
      assert.equal(quiet.stdout, 'build\nlint\ntest\n');
    } finally {
      await cleanup();
    }
  });

  it('ls says when no tasks are defined', async () => {
    const { dir, cleanup } = await project(undefined, 'version: "1.0"\n');
    try {
      const result = await runCli(['ls'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `No tasks defined in '${path.join(dir, 'gilbert.yaml')}'\n`);
    } finally {
      await cleanup();
    }
  });

  it('a missing manifest is an error with a hint, no stack', async () => {
    const { dir, cleanup } = await project();
    try {
      const result = await runCli(['ls'], { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ERROR: /);
      assert.match(result.stderr, /gilbert\.yaml/);
      assert.match(result.stderr, /^ERROR: manifest file not found at '.*gilbert\.yaml'\n/, "Gilbert's words first");
      assert.match(result.stderr, /create one with 'gilbert init'/, 'a hint follows');
      assert.doesNotMatch(result.stderr, /\n\s+at /);

      // below a project, the hint names the project folder
      await writeFile(path.join(dir, 'gilbert.yaml'), SIMPLE);
      const deeper = path.join(dir, 'src', 'deeper');
      await mkdir(deeper, { recursive: true });
      const below = await runCli(['run', 'build'], { cwd: deeper });
      assert.equal(below.code, 1);
      assert.match(below.stderr, new RegExp(`^ERROR: manifest file not found at '${deeper}/gilbert\\.yaml'`));
      assert.ok(below.stderr.includes(`the nearest gilbert.yaml is in '${dir}'`), below.stderr);
    } finally {
      await cleanup();
    }
  });

  it('clean: nothing without flags, --plugins and --all remove from $GILBERT_HOME', async () => {
    const { dir, cleanup } = await project();
    try {
      const home = path.join(dir, 'home');
      await mkdir(path.join(home, 'plugins', 'http', 'x'), { recursive: true });
      await writeFile(path.join(home, 'keep.txt'), 'x');
      // the marker gilbert-ts writes in a storage folder it creates: clean refuses any other folder
      await writeFile(path.join(home, '.gilbert-ts-storage'), '');
      const env = cliEnv({ GILBERT_HOME: home });
      const none = await runCli(['clean'], { cwd: dir, env });
      assert.equal(none.code, 0);
      assert.match(none.stdout, /Nothing to clear!/);
      assert.ok(existsSync(path.join(home, 'plugins')));
      const plugins = await runCli(['clean', '--plugins'], { cwd: dir, env });
      assert.match(plugins.stdout, /Done!/);
      assert.ok(!existsSync(path.join(home, 'plugins')));
      assert.ok(existsSync(path.join(home, 'keep.txt')));
      const all = await runCli(['clean', '--all'], { cwd: dir, env });
      assert.equal(all.code, 0);
      assert.ok(!existsSync(home));
    } finally {
      await cleanup();
    }
  });

  it('completion prints a bash script that completes task names through ls --quiet', async () => {
    const { dir, cleanup } = await project();
    try {
      const bash = await runCli(['completion', 'bash'], { cwd: dir });
      assert.equal(bash.code, 0);
      assert.match(bash.stdout, /complete -F _gilbert_complete gilbert/);
      assert.match(bash.stdout, /gilbert ls --quiet/);
      const zsh = await runCli(['completion', 'zsh'], { cwd: dir });
      assert.match(zsh.stdout, /bashcompinit/);
      const fish = await runCli(['completion', 'fish'], { cwd: dir });
      assert.equal(fish.code, 1);
      assert.match(fish.stderr, /^ERROR: unsupported shell 'fish'/);
    } finally {
      await cleanup();
    }
  });

  it('colours by level when forced, and --no-color / NO_COLOR turn it off', async () => {
    const { dir, cleanup } = await project(undefined, SIMPLE);
    try {
      const coloured = await runCli(['run', 'build'], { cwd: dir, env: cliEnv({ NO_COLOR: undefined, FORCE_COLOR: '1' }) });
      assert.match(coloured.stdout, /\x1b\[34m {2}- Build it\x1b\[0m/, 'info in blue');
      assert.match(coloured.stdout, /\x1b\[32mTask 'build' ran successfully\x1b\[0m/, 'success in green');
      const flag = await runCli(['run', 'build', '--no-color'], { cwd: dir, env: cliEnv({ NO_COLOR: undefined, FORCE_COLOR: '1' }) });
      assert.doesNotMatch(flag.stdout, /\x1b\[/);
      const env = await runCli(['run', 'build'], { cwd: dir, env: cliEnv({ NO_COLOR: '1', FORCE_COLOR: '1' }) });
      assert.doesNotMatch(env.stdout, /\x1b\[/);
      const failing = await runCli(['run', 'nope'], { cwd: dir, env: cliEnv({ NO_COLOR: undefined, FORCE_COLOR: '1' }) });
      assert.match(failing.stderr, /^\x1b\[31mERROR: task 'nope' doesn't exists\x1b\[0m/, 'errors in red');
    } finally {
      await cleanup();
    }
  });

  it('--verbose shows debug lines', async () => {
    const { dir, cleanup } = await project(undefined, SIMPLE);
    try {
      const quiet = await runCli(['run', 'build'], { cwd: dir });
      assert.doesNotMatch(quiet.stdout, /shell: exec/);
      const verbose = await runCli(['run', 'build', '--verbose'], { cwd: dir });
      assert.match(verbose.stdout, /^ {4}shell: exec "\/bin\/sh -c echo building"\.\.\.$/m);
      const global = await runCli(['--verbose', 'run', 'build'], { cwd: dir });
      assert.match(global.stdout, /shell: exec/);
    } finally {
      await cleanup();
    }
  });
});
