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
import { readFileSync } from 'node:fs';
import { cliEnv, finish, project, runCli, spawnCli, waitFor, waitForOutput, type CliResult } from './helpers.js';

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

/** Whether `pid` is a running process (a zombie, or none at all, is not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

// Ctrl+C must end the run promptly even when a plugin will not stop: a signal
// gives it 1 s, not the 5 s a deadline or a failing sibling gives (issue 9).
describe('a signal while a Go plugin will not stop', { timeout: 120_000 }, () => {
  for (const [isolate, signal, code] of [
    [false, 'SIGINT', 130],
    [true, 'SIGINT', 130],
    [true, 'SIGTERM', 143],
  ] as const) {
    it(`${signal}, ${isolate ? 'isolated' : 'in process'}: exits ${code} within about a second, naming the plugin`, async () => {
      const url = `file://${CRASH}${isolate ? '?isolate=true' : ''}`;
      const { dir, cleanup } = await project(undefined, manifest(url, '  t:\n  - action: crash:pid\n  - action: crash:block-cancel\n'));
      try {
        const child = spawnCli(['run', 't'], { cwd: dir, env: cliEnv() });
        const done = finish(child, 60_000);
        let pid = 0;
        child.stdout?.on('data', (chunk: Buffer) => (pid ||= Number(/pid (\d+)/.exec(chunk.toString())?.[1] ?? 0)));
        await waitForOutput(child, 'stuck', 30_000);
        const signalled = Date.now();
        child.kill(signal);
        const result = await done;
        const took = Date.now() - signalled;
        assert.equal(result.code, code, result.stdout + result.stderr);
        assert.ok(took < 3500, `exited ${took} ms after ${signal}: the 5 s grace, not the signal's`);
        assert.match(result.stdout, /Cancel called/);
        assert.match(result.stderr, new RegExp(`^ERROR: task cancelled by ${signal}`));
        assert.match(result.stdout, /ERROR: plugin 'crash' did not stop within 1 s of being cancelled/);
        assert.match(result.stdout, isolate ? /host process was killed/ : /goroutine was left running/);
        assert.ok(pid > 0, result.stdout);
        // in process the pid is the CLI's own; isolated, the host's: gone with the run either way
        await waitFor(() => (running(pid) ? undefined : true), `process ${pid} to be gone`, 5_000);
      } finally {
        await cleanup();
      }
    });
  }
});
