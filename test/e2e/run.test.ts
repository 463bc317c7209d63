import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { project, runCli } from './helpers.js';

/** Runs `gilbert <args>` in a fresh project holding `manifest`. */
async function run(manifest: string, args: string[], check: (result: Awaited<ReturnType<typeof runCli>>, dir: string) => Promise<void> | void) {
  const { dir, cleanup } = await project(undefined, manifest);
  try {
    await check(await runCli(args, { cwd: dir }), dir);
  } finally {
    await cleanup();
  }
}

describe('gilbert run', () => {
  it('prints Gilbert’s lines: task start, steps, indented output, success', async () => {
    const manifest = `version: "1.0"
vars:
  name: world
tasks:
  hello:
  - description: greet {{ name }}
    action: shell
    params:
      command: |
        echo "hello {{ name }}"

        echo "to stderr" >&2
  - action: shell
    params:
      command: printf 'no newline'
`;
    await run(manifest, ['run', 'hello'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        "Running task 'hello'...\n  - [1/2] greet world\n    hello world\n    to stderr\n  - [2/2] shell\n    no newline\nTask 'hello' ran successfully\n\n",
      );
      assert.equal(result.stderr, '');
    });
  });

  it('--var overrides manifest and job vars; malformed entries are ignored', async () => {
    const manifest = `version: "1.0"
vars:
  a: manifest
tasks:
  show:
  - action: shell
    vars:
      b: job
    params:
      command: echo "a={{ a }} b={{ b }} eq={{ eq }}"
`;
    await run(manifest, ['run', 'show', '--var', 'a=cli', '--var', ' b = spaced', '--var', 'eq=x=y', '--var', 'malformed'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {4}a=cli b= spaced eq=x=y$/m);
    });
  });

  it('--dry-run prints the steps with expanded vars and runs nothing', async () => {
    const manifest = `version: "1.0"
vars:
  out: dry.txt
mixins:
  touch:
  - description: touch {{ file }}
    action: shell
    params:
      command: touch {{ file }}
tasks:
  build:
  - mixin: touch
    vars:
      file: "{{ out }}"
  - action: shell
    if: test -e {{ out }}
    params:
      command: touch {{ out }}
`;
    await run(manifest, ['run', 'build', '--dry-run'], (result, dir) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /- \[1\/2\] touch/);
      assert.match(result.stdout, /var file = dry\.txt/);
      assert.match(result.stdout, /- touch dry\.txt/);
      assert.match(result.stdout, /if: test -e dry\.txt/);
      assert.match(result.stdout, /params: \{"command":"touch dry\.txt"\}/);
      assert.ok(!existsSync(path.join(dir, 'dry.txt')), 'nothing ran');
    });
  });

  it('skips a job whose `if` fails, logging it', async () => {
    const manifest = `version: "1.0"
tasks:
  t:
  - action: shell
    if: "false"
    params:
      command: echo never
  - action: shell
    if: test -d {{ PROJECT }}
    params:
      command: echo ran
`;
    await run(manifest, ['run', 't'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {4}step was skipped$/m);
      assert.doesNotMatch(result.stdout, /never/);
      assert.match(result.stdout, /^ {4}ran$/m);
    });
  });

  it('runs async jobs and waits for them before the task ends', async () => {
    const manifest = `version: "1.0"
tasks:
  t:
  - action: shell
    async: true
    params:
      command: while [ ! -e go ]; do sleep 0.02; done; echo async done
  - action: shell
    params:
      command: touch go; echo sync done
`;
    await run(manifest, ['run', 't'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Waiting for 1 async job\(s\) to complete/);
      assert.ok(result.stdout.indexOf('async done') < result.stdout.indexOf("Task 't' ran successfully"));
    });
  });

  it('runs many async jobs at once without Node warnings on stderr', async () => {
    const jobs = Array.from({ length: 15 }, (_, i) => `  - action: shell\n    async: true\n    params:\n      command: echo job-${i}\n`).join('');
    await run(`version: "1.0"\ntasks:\n  t:\n${jobs}`, ['run', 't'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /Waiting for 15 async job\(s\) to complete/);
      assert.match(result.stdout, /^ {4}job-14$/m);
    });
  });

  it('fails the task on an async failure with Gilbert’s messages, exit 1', async () => {
    const manifest = `version: "1.0"
tasks:
  t:
  - action: shell
    async: true
    params:
      command: exit 3
  - action: shell
    params:
      command: echo sync
`;
    await run(manifest, ['run', 't'], (result) => {
      assert.equal(result.code, 1);
      assert.match(result.stdout, /ERROR: async job returned error: process finished with non-zero status code 3/);
      assert.equal(result.stderr, 'ERROR: async job returned error - process finished with non-zero status code 3\n');
    });
  });

  it('cancels a job at its deadline and goes on, warning', async () => {
    const manifest = `version: "1.0"
tasks:
  t:
  - action: shell
    deadline: 300
    params:
      command: sleep 30
  - action: shell
    params:
      command: echo after
`;
    const started = Date.now();
    await run(manifest, ['run', 't'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {4}Job deadline exceeded$/m);
      assert.match(result.stdout, /^ {4}after$/m);
      assert.ok(Date.now() - started < 10_000);
    });
  });

  it('reports a failing step with the sub-task step and exit status', async () => {
    const manifest = `version: "1.0"
mixins:
  m:
  - action: shell
    params:
      command: "true"
  - action: shell
    params:
      command: exit 7
tasks:
  t:
  - mixin: m
`;
    await run(manifest, ['run', 't'], (result) => {
      assert.equal(result.code, 1);
      assert.equal(result.stderr, "ERROR: task 't' returned an error on step 1: process finished with non-zero status code 7 (sub-task step 2)\n");
    });
  });

  it('shell params: workDir, env, silent, shell, shellExecParam, rawOutput, {% %} expressions', async () => {
    const manifest = `version: "1.0"
tasks:
  t:
  - action: shell
    params:
      workDir: "{{ PROJECT }}/sub"
      command: mkdir -p ../sub && pwd > ../where.txt
  - action: shell
    params:
      env:
        FROM_PARAM: param-value
      command: echo "$FROM_PARAM" > env.txt
  - action: shell
    params:
      silent: true
      command: echo hidden
  - action: shell
    params:
      command: echo "{% echo computed %}"
  - action: shell
    params:
      shell: /bin/bash
      shellExecParam: -c
      command: "[[ 1 == 1 ]] && echo bashy"
  - action: shell
    params:
      rawOutput: true
      command: echo raw-line
`;
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(path.join(dir, 'sub'));
      const result = await runCli(['run', 't'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await readFile(path.join(dir, 'where.txt'), 'utf8')).trim(), path.join(dir, 'sub'));
      assert.equal(await readFile(path.join(dir, 'env.txt'), 'utf8'), 'param-value\n');
      assert.doesNotMatch(result.stdout, /hidden/);
      assert.match(result.stdout, /^ {4}computed$/m);
      assert.match(result.stdout, /^ {4}bashy$/m);
      assert.match(result.stdout, /^raw-line$/m, 'raw output goes straight to the terminal, undecorated');
    } finally {
      await cleanup();
    }
  });

  it('imports: the importing file wins, deepest merged first', async () => {
    const { dir, cleanup } = await project('imports');
    try {
      const result = await runCli(['run', 'show'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /who=root shared=common deep=deeper/);
      assert.match(result.stdout, /greet from common/);
      assert.match(result.stdout, /imported task ran/);
      assert.doesNotMatch(result.stdout, /must not run/);
    } finally {
      await cleanup();
    }
  });

  it('runs the {{{ }}} template pass before YAML', async () => {
    const manifest = `{{{ $targets := slice "dev" "prod" }}}
version: "1.0"
tasks:
  deploy:
{{{ range $targets }}}
  - action: shell
    params:
      command: echo deploy-{{{ . }}} {{ PROJECT }}
{{{ end }}}
`;
    await run(manifest, ['run', 'deploy'], (result, dir) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^ {4}deploy-dev ${dir}$`, 'm'));
      assert.match(result.stdout, /^ {4}deploy-prod /m);
      assert.match(result.stdout, /- \[2\/2\] shell/);
    });
  });

  it('a task job runs another task with the caller’s vars', async () => {
    const manifest = `version: "1.0"
tasks:
  outer:
  - task: inner
    vars:
      greeting: from-outer
  inner:
  - action: shell
    params:
      command: echo "{{ greeting }}"
`;
    await run(manifest, ['run', 'outer'], (result) => {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ {6}from-outer$/m);
    });
  });
});
