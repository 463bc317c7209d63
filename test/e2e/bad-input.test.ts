import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FIXTURES, project, runCli } from './helpers.js';

/**
 * Every bad manifest gives one clear error through the CLI: exit 1,
 * `ERROR: ` first, the file and line where there is one, never a stack.
 * Each file is run as ./gilbert.yaml with `gilbert run build`, its folder
 * copied beside it so that imports resolve.
 */
const expected: Record<string, RegExp> = {
  '01-malformed-yaml': /gilbert\.yaml:5: .*bad indentation/,
  '02-tab-indent': /gilbert\.yaml:3: .*tab/,
  '03-tasks-not-map': /gilbert\.yaml:2: 'tasks' must be a map/,
  '04-task-not-list': /gilbert\.yaml:3: task 'build' must be a list of jobs/,
  '05-vars-not-map': /gilbert\.yaml:2: 'vars' must be a map/,
  '06-var-value-map': /gilbert\.yaml:3: variable 'a' in 'vars' must be a string/,
  '07-unknown-job-field': /gilbert\.yaml:5: unknown field 'comand'/,
  '08-unknown-top-level': /gilbert\.yaml:2: unknown top-level key 'task'/,
  '09-action-and-task': /gilbert\.yaml:4: .*sets 'action', 'task'/,
  '10-action-and-mixin': /gilbert\.yaml:7: .*sets 'action', 'mixin'/,
  '11-no-handler': /gilbert\.yaml:4: no task handler defined/,
  '12-unknown-task-job': /task 'missing' doesn't exists \(.*gilbert\.yaml:4\)/,
  '13-unknown-mixin': /mixin 'missing' doesn't exists \(.*gilbert\.yaml:4\)/,
  '14-unknown-action': /action 'nosuch' doesn't exists \(.*gilbert\.yaml:4\)/,
  '15-undefined-variable': /variable 'nothere' is undefined/,
  '16-import-cycle': /import cycle: .*a\.yaml.*b\.yaml.*a\.yaml/,
  '17-missing-import': /gilbert\.yaml:3: .*does-not-exist\.yaml/,
  '18-task-recursion': /^ERROR: recursion without end: task 'build' -> task 'build'/,
  '19-mixin-recursion': /^ERROR: recursion without end: task 'build' -> mixin 'm' -> mixin 'm'/,
  '20-mutual-recursion': /^ERROR: recursion without end: task 'build' -> task 'other' -> task 'build'/,
  '21-async-not-bool': /gilbert\.yaml:5: 'async' .* must be a boolean/,
  '22-delay-not-number': /gilbert\.yaml:5: 'delay' .*milliseconds/,
  '23-deadline-negative': /gilbert\.yaml:5: 'deadline' .*milliseconds/,
  '24-params-not-map': /gilbert\.yaml:5: 'params' .* must be a map/,
  '25-job-vars-list': /gilbert\.yaml:5: 'vars' of job 1/,
  '26-plugins-not-list': /gilbert\.yaml:2: 'plugins' must be a list/,
  '27-unsupported-plugin-scheme': /gilbert\.yaml:3: failed to load plugin from 'ftp:\/\/example\.com\/x\.so': unsupported plugin URL handler: 'ftp'/,
  '28-template-syntax': /gilbert\.yaml:1: template syntax error/,
  '29-template-unknown-func': /function "nosuchfunc" not defined/,
  '30-template-shell-fails': /shell "exit 3".*exit status 3/,
  '31-template-unclosed': /template syntax error.*unexpected EOF/,
  '32-job-not-map': /gilbert\.yaml:4: job 1 of task 'build' must be a map/,
  '33-description-map': /gilbert\.yaml:5: 'description' .* must be a string/,
  '34-shell-command-list': /failed to create action handler instance of 'shell': shell: param 'command' must be a string, got list/,
  '35-shell-unknown-param': /shell: unknown param 'comand'/,
  '36-shell-workdir-missing': /work directory '\/definitely\/not\/here' does not exist/,
  '37-shell-env-not-map': /param 'env' must be a map of strings/,
  '38-shell-silent-string': /param 'silent' must be a bool/,
  '39-if-not-string': /gilbert\.yaml:5: 'if' .* must be a string/,
  '40-empty-task-name-job': /gilbert\.yaml:4: no task handler defined/,
  '41-self-referencing-var': /variable 'a' refers to itself \(a -> b -> a\)/,
  '42-shell-expression-fails': /failed to eval inline script: process finished with non-zero status code: 9/,
  '43-step-fails': /^ERROR: task 'build' returned an error on step 1: process finished with non-zero status code: 5$/m,
  '44-version-list': /gilbert\.yaml:1: 'version' must be a string/,
  '45-yaml-anchor-unknown': /gilbert\.yaml:3: .*alias "nope"/,
  '46-import-not-list': /gilbert\.yaml:2: 'imports' must be a list/,
  '47-broken-import': /broken\.yaml:\d+: .*imported by gilbert\.yaml:3/,
};

const ownDir = path.join(FIXTURES, 'bad');
/** The manifest engineer's bad manifests, when present: held to the same rules, without message checks. */
const sharedDir = fileURLToPath(new URL('../fixtures/manifests/bad/', import.meta.url));

function manifestsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

async function runBad(dir: string, file: string) {
  const { dir: work, cleanup } = await project();
  try {
    await cp(dir, work, { recursive: true });
    await copyFile(path.join(dir, file), path.join(work, 'gilbert.yaml'));
    return await runCli(['run', 'build'], { cwd: work, timeoutMs: 20_000 });
  } finally {
    await cleanup();
  }
}

function assertCleanError(result: Awaited<ReturnType<typeof runCli>>): void {
  assert.equal(result.code, 1, `exit status; stderr:\n${result.stderr}`);
  assert.match(result.stderr, /^ERROR: /);
  assert.doesNotMatch(result.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
  assert.doesNotMatch(result.stderr, /bug in gilbert-ts/);
  assert.equal(result.stderr.match(/^ERROR: /gm)?.length, 1, 'printed once');
  assert.doesNotMatch(result.stdout, /ran successfully/);
}

describe('bad input through the CLI', { concurrency: 2 }, () => {
  it('has an expectation for each of its own bad manifests (at least 40)', () => {
    const files = manifestsIn(ownDir).map((f) => f.replace(/\.ya?ml$/, ''));
    assert.deepEqual(files, Object.keys(expected).sort());
    assert.ok(files.length >= 40);
  });

  for (const file of manifestsIn(ownDir)) {
    it(file, async () => {
      const result = await runBad(ownDir, file);
      assertCleanError(result);
      assert.match(result.stderr, expected[file.replace(/\.ya?ml$/, '')]);
    });
  }

  for (const file of manifestsIn(sharedDir)) {
    it(`manifests/bad/${file}`, async () => assertCleanError(await runBad(sharedDir, file)));
  }
});
