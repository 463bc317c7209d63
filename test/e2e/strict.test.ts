// Tolerant by default, strict on request: what Gilbert v1.1.0 loaded still
// loads, each problem a warning on stderr (once, with file:line and "did you
// mean"); --strict and GILBERT_STRICT=1 make the same problems errors.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliEnv, project, runCli } from './helpers.js';

const TOLERATED = `version: "1.0"
imports:
  - ./common.yaml
  - ./common.yaml
tasks:
  t:
  - action: shell
    param: {command: "echo never"}
  - action: shell
    params: {command: "echo ok", comand: "echo typo"}
  legacy:
  - plugin: shell
    params: {command: "echo never"}
`;

const COMMON = `version: "1.0"
tasks:
  empty: []
`;

async function tolerated(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const created = await project(undefined, TOLERATED);
  await writeFile(path.join(created.dir, 'common.yaml'), COMMON);
  return created;
}

const WARNINGS = [
  "WARNING: gilbert.yaml:8: unknown field 'param' in job 1 of task 't', did you mean 'params'?",
  "WARNING: gilbert.yaml:12: 'plugin' in job 1 of task 'legacy' is the old name of 'action', which Gilbert v1.1.0 ignores: this job has no action and fails when it runs",
  "WARNING: common.yaml:3: task 'empty' has no jobs",
  "WARNING: gilbert.yaml:9: unknown param 'comand' of action 'shell' in job 2 of task 't', did you mean 'command'?",
];

describe('tolerant by default, strict on request', () => {
  it('loads what Gilbert loaded, printing each warning once on stderr; the run goes on', async () => {
    const { dir, cleanup } = await tolerated();
    try {
      const result = await runCli(['run', 't'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stderr.trimEnd().split('\n'), WARNINGS, 'every warning, once, in load order (an import listed twice warns once)');
      assert.match(result.stdout, /^ {4}ok$/m);
      assert.doesNotMatch(result.stdout, /never|typo/);

      const listed = await runCli(['ls', '--json'], { cwd: dir });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout).tasks, ['empty', 'legacy', 't'], 'stdout stays JSON');
      assert.match(listed.stderr, /^WARNING: /m);

      const empty = await runCli(['run', 'empty'], { cwd: dir });
      assert.equal(empty.code, 0, 'an empty task runs and succeeds, as in Gilbert');
    } finally {
      await cleanup();
    }
  });

  it('fails a legacy plugin: job only when it runs, with the location on its own line', async () => {
    const { dir, cleanup } = await tolerated();
    try {
      const result = await runCli(['run', 'legacy'], { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ERROR: task 'legacy' returned an error on step 1: no task handler defined, .*\nat gilbert\.yaml:12$/m);
    } finally {
      await cleanup();
    }
  });

  for (const [how, args, env] of [
    ['--strict', ['run', 't', '--strict'], {}],
    ['--strict before the command', ['--strict', 'ls'], {}],
    ['GILBERT_STRICT=1', ['run', 't'], { GILBERT_STRICT: '1' }],
  ] as const) {
    it(`${how} makes the first problem an error, before anything runs`, async () => {
      const { dir, cleanup } = await tolerated();
      try {
        const result = await runCli([...args], { cwd: dir, env: cliEnv(env) });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assert.match(result.stderr, /^ERROR: (failed to parse manifest file:\n {2})?unknown field 'param' in job 1 of task 't', did you mean 'params'\?/);
        assert.match(result.stderr, /^at gilbert\.yaml:8$/m);
        assert.doesNotMatch(result.stderr, /^WARNING/m);
        assert.doesNotMatch(result.stdout, /Running task/);
      } finally {
        await cleanup();
      }
    });
  }

  it('--strict fails on an unknown param of a built-in action', async () => {
    const { dir, cleanup } = await project(undefined, 'version: "1.0"\ntasks:\n  t:\n  - action: build\n    params: {outputPth: ./x}\n');
    try {
      const result = await runCli(['run', 't', '--strict'], { cwd: dir });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ERROR: failed to parse manifest file:\n {2}unknown param 'outputPth' of action 'build' in job 1 of task 't', did you mean 'outputPath'\?\n[^]*^at gilbert\.yaml:4$/m);
      assert.match(result.stderr, /known params: source, buildMode, outputPath/);
    } finally {
      await cleanup();
    }
  });
});
