import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FIXTURES, project, runCli } from './helpers.js';

/**
 * Every bad manifest gives one clear error through the CLI (with --strict):
 * exit 1, `ERROR: ` first, the file and line where there is one, never a stack.
 * Each file is run as ./gilbert.yaml with `gilbert run build`, its folder
 * copied beside it so that imports resolve.
 */
/** Each file: what the message says (Gilbert's words first) and the `at` line after it, where there is one. */
const expected: Record<string, [RegExp, string | undefined]> = {
  '01-malformed-yaml': [/bad indentation/, 'gilbert.yaml:5'],
  '02-tab-indent': [/tab/, 'gilbert.yaml:3'],
  '03-tasks-not-map': [/'tasks' must be a map/, 'gilbert.yaml:2'],
  '04-task-not-list': [/task 'build' must be a list of jobs/, 'gilbert.yaml:3'],
  '05-vars-not-map': [/'vars' must be a map/, 'gilbert.yaml:2'],
  '06-var-value-map': [/variable 'a' in 'vars' must be a string/, 'gilbert.yaml:3'],
  '07-unknown-job-field': [/unknown field 'comand'/, 'gilbert.yaml:5'],
  '08-unknown-top-level': [/unknown top-level key 'task'/, 'gilbert.yaml:2'],
  '09-action-and-task': [/sets 'action', 'task'/, 'gilbert.yaml:4'],
  '10-action-and-mixin': [/sets 'action', 'mixin'/, 'gilbert.yaml:7'],
  '11-no-handler': [/no task handler defined/, 'gilbert.yaml:4'],
  '12-unknown-task-job': [/task 'missing' doesn't exists/, 'gilbert.yaml:4'],
  '13-unknown-mixin': [/mixin 'missing' doesn't exists/, 'gilbert.yaml:4'],
  '14-unknown-action': [/no such action handler: 'nosuch'/, 'gilbert.yaml:4'],
  '15-undefined-variable': [/variable 'nothere' is undefined/, undefined],
  '16-import-cycle': [/import cycle: .*a\.yaml.*b\.yaml.*a\.yaml/, undefined],
  '17-missing-import': [/does-not-exist\.yaml/, 'gilbert.yaml:3'],
  '18-task-recursion': [/^ERROR: recursion without end: task 'build' -> task 'build'/, undefined],
  '19-mixin-recursion': [/^ERROR: recursion without end: task 'build' -> mixin 'm' -> mixin 'm'/, undefined],
  '20-mutual-recursion': [/^ERROR: recursion without end: task 'build' -> task 'other' -> task 'build'/, undefined],
  '21-async-not-bool': [/'async' .* must be a boolean/, 'gilbert.yaml:5'],
  '22-delay-not-number': [/'delay' .*milliseconds/, 'gilbert.yaml:5'],
  '23-deadline-negative': [/'deadline' .*milliseconds/, 'gilbert.yaml:5'],
  '24-params-not-map': [/'params' .* must be a map/, 'gilbert.yaml:5'],
  '25-job-vars-list': [/'vars' of job 1/, 'gilbert.yaml:5'],
  '26-plugins-not-list': [/'plugins' must be a list/, 'gilbert.yaml:2'],
  '27-unsupported-plugin-scheme': [/failed to load plugin from 'ftp:\/\/example\.com\/x\.so':\nunsupported plugin URL handler: 'ftp'\n[^]*at gilbert\.yaml:3/, undefined],
  '28-template-syntax': [/template syntax error/, 'gilbert.yaml:1'],
  '29-template-unknown-func': [/function "nosuchfunc" not defined/, undefined],
  '30-template-shell-fails': [/shell "exit 3".*exit status 3/, undefined],
  '31-template-unclosed': [/template syntax error.*unexpected EOF/, undefined],
  '32-job-not-map': [/job 1 of task 'build' must be a map/, 'gilbert.yaml:4'],
  '33-description-map': [/'description' .* must be a string/, 'gilbert.yaml:5'],
  '34-shell-command-list': [/failed to create action handler instance of 'shell': shell: param 'command' must be a string, got list/, undefined],
  '35-shell-unknown-param': [/unknown param 'comand' of action 'shell' in job 1 of task 'build', did you mean 'command'\?/, undefined],
  '36-shell-workdir-missing': [/work directory '\/definitely\/not\/here' does not exist/, undefined],
  '37-shell-env-not-map': [/param 'env' must be a map of strings/, undefined],
  '38-shell-silent-string': [/param 'silent' must be a bool/, undefined],
  '39-if-not-string': [/'if' .* must be a string/, 'gilbert.yaml:5'],
  '40-empty-task-name-job': [/no task handler defined/, 'gilbert.yaml:4'],
  '41-self-referencing-var': [/variable 'a' refers to itself \(a -> b -> a\)/, undefined],
  '42-shell-expression-fails': [/failed to eval inline script: process finished with non-zero status code: 9/, undefined],
  '43-step-fails': [/^ERROR: task 'build' returned an error on step 1: process finished with non-zero status code 5$/m, undefined],
  '44-version-list': [/'version' must be a string/, 'gilbert.yaml:1'],
  '45-yaml-anchor-unknown': [/alias "nope"/, 'gilbert.yaml:3'],
  '46-import-not-list': [/'imports' must be a list/, 'gilbert.yaml:2'],
  '47-broken-import': [/cannot read file '\.\/47-broken-import\.d\/broken\.yaml' imported by '.*gilbert\.yaml'/, undefined],
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
    // --strict: what Gilbert tolerated (unknown fields, empty tasks…) is an error here too
    return await runCli(['run', 'build', '--strict'], { cwd: work, timeoutMs: 20_000 });
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
      const [message, at] = expected[file.replace(/\.ya?ml$/, '')]!;
      assert.match(result.stderr, message);
      if (at) assert.match(result.stderr, new RegExp(`^at ${at.replace(/\./g, '\\.')}$`, 'm'), 'the location on a line of its own');
    });
  }

  for (const file of manifestsIn(sharedDir)) {
    it(`manifests/bad/${file}`, async () => assertCleanError(await runBad(sharedDir, file)));
  }
});
