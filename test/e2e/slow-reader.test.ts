// A reader that falls behind loses nothing: gilbert stops reading the job's
// output while stdout is backed up (memory stays bounded), and it exits only
// once stdout has been flushed, with the true exit code (issue 14, item 4).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { project, spawnCli } from './helpers.js';

const LINES = 1_000_000;
/** longer than gilbert lets a finished run linger (5 s in src/cli/main.ts): the reader starts after it */
const READER_STARTS_AFTER_MS = 6500;

// 'big' starts its output job second: gilbert starts its first child and later ones differently (src/system)
const manifest = `version: "1.0"
tasks:
  big:
  - action: shell
    params: { command: "true" }
  - action: shell
    params: { command: "seq 1 ${LINES}" }
  bigThenFail:
  - action: shell
    params: { command: "seq 1 ${LINES}; exit 3" }
`;

const BRIDGETEST = fileURLToPath(new URL('../fixtures/go-plugins/build/bridgetest.so', import.meta.url));
const GO_GOROUTINES = 4;
const GO_LINES = 500_000; // per goroutine: ~34 MB of output in all

/** A Go plugin's goroutines logging as fast as they can, in process and isolated. */
const goManifest = (isolate: boolean) => `version: "1.0"
plugins:
  - file://${BRIDGETEST}${isolate ? '?isolate=true' : ''}
tasks:
  flood:
  - action: bridgetest:flood
    params: { goroutines: ${GO_GOROUTINES}, lines: ${GO_LINES} }
`;

/** Resident memory of a running process in MiB (Linux), or undefined once it is gone. */
function rssMiB(pid: number): number | undefined {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** Reads nothing for `ms`, then everything; bounded. */
async function lateReader(child: ChildProcess, ms: number): Promise<{ lines: string[]; stderr: string; code: number | null; rssBeforeReading?: number }> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // the slow reader is the scenario, not synchronisation: nothing is read during this time
  child.stdout!.pause();
  await delay(ms);
  const rssBeforeReading = rssMiB(child.pid!);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdout!.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await closed;
  clearTimeout(timer);
  return { lines: Buffer.concat(chunks).toString().split('\n'), stderr, code, rssBeforeReading };
}

describe('a slow reader of stdout', () => {
  it('gets every line and the exit code, while gilbert holds the job back instead of buffering', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      const [ok, failed] = await Promise.all([
        lateReader(spawnCli(['run', 'big'], { cwd: dir }), READER_STARTS_AFTER_MS),
        lateReader(spawnCli(['run', 'bigThenFail'], { cwd: dir }), READER_STARTS_AFTER_MS),
      ]);

      assert.equal(ok.code, 0, ok.stderr);
      const numbers = ok.lines.filter((line) => /^ {4}\d+$/.test(line));
      assert.equal(numbers.length, LINES, 'every line of the job arrives');
      assert.equal(numbers.at(-1)?.trim(), String(LINES));
      assert.match(ok.lines.at(-3) ?? '', /Task 'big' ran successfully/);
      assert.equal(ok.lines.at(-2), '', "a blank line follows the success line, as in Gilbert");
      // the job's ~7 MB of output were held back in its pipe, not queued in gilbert
      assert.ok(ok.rssBeforeReading !== undefined, 'gilbert is still running, waiting for its reader');
      assert.ok(ok.rssBeforeReading < 150, `gilbert's memory stays bounded: ${ok.rssBeforeReading} MiB`);

      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(failed.lines.filter((line) => /^ {4}\d+$/.test(line)).length, LINES);
      assert.match(failed.stderr, /status code:? 3/);
    } finally {
      await cleanup();
    }
  });

  for (const isolate of [false, true]) {
    it(`gets every line a Go plugin logs, while its goroutines wait instead of gilbert buffering (${isolate ? 'isolated' : 'in process'})`, async () => {
      const { dir, cleanup } = await project(undefined, goManifest(isolate));
      try {
        const run = await lateReader(spawnCli(['run', 'flood'], { cwd: dir }), READER_STARTS_AFTER_MS);
        assert.equal(run.code, 0, run.stderr);
        const logged = run.lines.filter((line) => /^ {4}g\d \d+$/.test(line));
        assert.equal(logged.length, GO_GOROUTINES * GO_LINES, 'every line the plugin logged arrives');
        assert.match(run.lines.at(-3) ?? '', /Task 'flood' ran successfully/);
        assert.ok(run.rssBeforeReading !== undefined, 'gilbert is still running, waiting for its reader');
        // the output waits in the plugin (its goroutines block), not in gilbert's memory
        assert.ok(run.rssBeforeReading < 150, `gilbert's memory stays bounded: ${run.rssBeforeReading} MiB`);
      } finally {
        await cleanup();
      }
    });
  }
});
