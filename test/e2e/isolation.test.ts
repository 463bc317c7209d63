/**
 * Isolation (issue: one bridge protocol, two transports): a Go plugin run in a
 * Go host process of its own. The crash catalogue — every way a plugin can end
 * its process — fails only the jobs it was running: one ERROR naming the
 * plugin and the action, exit 1, its last log line first, no Go trace
 * without --verbose, other plugins' jobs unaffected, and a new host for the
 * plugin's next job.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { cliEnv, project, runCli, type CliResult } from './helpers.js';

const plugin = (name: string) => fileURLToPath(new URL(`../fixtures/go-plugins/build/${name}.so`, import.meta.url));
const CRASH = plugin('crash');
const BRIDGETEST = plugin('bridgetest');

function manifest(crashUrl: string, jobs: string): string {
  return `version: "1.0"\nplugins:\n- ${crashUrl}\n- file://${BRIDGETEST}\ntasks:\n${jobs}`;
}

async function run(text: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const dir = await project(undefined, text);
  try {
    return await runCli(args, { cwd: dir.dir, env: cliEnv(env), timeoutMs: 60_000 });
  } finally {
    await dir.cleanup();
  }
}

const catalogue: [action: string, ending: RegExp][] = [
  ['goroutine-panic', /Go plugin 'crash' \(action 'crash:goroutine-panic'\) crashed: panic: boom in a goroutine of the plugin$/m],
  ['exit', /Go plugin 'crash' \(action 'crash:exit'\) exited with status 7$/m],
  ['fatal', /Go plugin 'crash' \(action 'crash:fatal'\) exited with status 1 after writing: \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d cannot go on$/m],
  ['stack-overflow', /Go plugin 'crash' \(action 'crash:stack-overflow'\) crashed: fatal error: stack overflow$/m],
  ['kill-self', /Go plugin 'crash' \(action 'crash:kill-self'\) was killed by SIGKILL$/m],
];

describe('isolated Go plugins: the crash catalogue', { timeout: 300_000 }, () => {
  for (const [action, ending] of catalogue) {
    it(`${action}: fails only its job, names the plugin and the action, last log line first, exit 1`, async () => {
      const text = manifest(`file://${CRASH}?isolate=true`, [
        '  t:',
        '  - action: bridgetest:levels',
        '  - action: bridgetest:wait',
        '    async: true',
        `  - action: crash:${action}`,
        '  after:',
        '  - action: crash:ok',
        '',
      ].join('\n'));
      const result = await run(text, ['run', 't']);
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 1, output);
      assert.match(result.stderr, ending);
      assert.equal(output.match(/ERROR/g)?.length, 1, `one ERROR line:\n${output}`);
      const lastWords = result.stdout.indexOf('last words before the crash');
      assert.ok(lastWords >= 0, `the plugin's last log line was delivered:\n${output}`);
      assert.match(output, /Cancel called/, "the in-process plugin's running job was cancelled as for any failure");
      assert.doesNotMatch(output, /goroutine \d+ \[|\.go:\d+/, 'no Go trace without --verbose');
      assert.doesNotMatch(output, /This is a bug/);
    });
  }

  it('a goroutine panic shows the Go trace with --verbose', async () => {
    const text = manifest(`file://${CRASH}?isolate=true`, '  t:\n  - action: crash:goroutine-panic\n');
    const result = await run(text, ['run', 't', '--verbose']);
    assert.equal(result.code, 1);
    assert.match(result.stdout + result.stderr, /Go trace of the crash:[\s\S]*panic: boom in a goroutine of the plugin[\s\S]*goroutine \d+/);
  });

  it("the plugin's own stdout is ours, its stderr reaches ours", async () => {
    const text = manifest(`file://${CRASH}`, '  t:\n  - action: crash:print\n');
    const result = await run(text, ['run', 't', '--isolate']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /plugin wrote to stdout/);
    assert.match(result.stderr, /plugin wrote to stderr/);
  });

  it('GILBERT_ISOLATE=1 and --isolate isolate every Go plugin; without them a plugin runs in process', async () => {
    const text = manifest(`file://${CRASH}`, '  t:\n  - action: crash:pid\n');
    const pidOf = (r: CliResult) => Number(/pid (\d+)/.exec(r.stdout)?.[1]);
    const inProcess = await run(text, ['run', 't', '--verbose']);
    const isolatedByEnv = await run(text, ['run', 't', '--verbose'], { GILBERT_ISOLATE: '1' });
    const isolatedByFlag = await run(text, ['run', 't', '--verbose', '--isolate']);
    for (const r of [inProcess, isolatedByEnv, isolatedByFlag]) assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(inProcess.stdout, /runs isolated in a Go host process/);
    assert.match(isolatedByEnv.stdout, /runs isolated in a Go host process/);
    assert.match(isolatedByFlag.stdout, /runs isolated in a Go host process/);
    assert.ok(pidOf(inProcess) > 0 && pidOf(isolatedByEnv) > 0 && pidOf(isolatedByEnv) !== pidOf(isolatedByFlag));
  });
});
