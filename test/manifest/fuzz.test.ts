// Bounded fuzz of loadManifest: random and mutated manifests must load or fail
// with a ManifestError, never crash, and never take long. The cases run in a
// child process so that a hanging case can be killed and shown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

const SEED = 20190601;
const ITERATIONS = 3000;
const TIME_BUDGET_MS = 30_000;
/** no single case may take longer than this (the worker reports each case) */
const CASE_LIMIT_MS = 5_000;

test('fuzz: loadManifest only ever fails with ManifestError, and quickly', { timeout: TIME_BUDGET_MS + 60_000 }, async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'gilbert-fuzz-'));
  try {
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, 'fuzz-worker.ts'), String(SEED), String(ITERATIONS), String(TIME_BUDGET_MS), workDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => worker.on('close', (code) => resolveExit(code)));

    let summary: { count: number; slowest: number; loaded: number; rejected: number } | undefined;
    let crash: { input: string; error: string } | undefined;
    let slowCase: string | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const armWatchdog = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        slowCase = readFileSync(join(workDir, 'case.yaml'), 'utf8');
        worker.kill('SIGKILL');
      }, CASE_LIMIT_MS + 10_000); // generous: covers the worker's start-up too
    };
    armWatchdog();
    for await (const line of createInterface({ input: worker.stdout })) {
      armWatchdog();
      if (line.startsWith('CRASH ')) crash = JSON.parse(line.slice(6));
      else if (line.startsWith('DONE ')) summary = JSON.parse(line.slice(5));
      else if (line.startsWith('P ') && Number(line.split(' ')[2]) > CASE_LIMIT_MS) slowCase = readFileSync(join(workDir, 'case.yaml'), 'utf8');
    }
    clearTimeout(watchdog);
    const code = await exited;

    assert.equal(slowCase, undefined, `a case took longer than ${CASE_LIMIT_MS} ms:\n${slowCase}`);
    assert.equal(crash, undefined, `loadManifest crashed with a non-ManifestError:\n${crash?.error}\ninput:\n${JSON.stringify(crash?.input)}`);
    assert.equal(code, 0, `fuzz worker failed:\n${stderr}`);
    assert.ok(summary, 'the worker reported its summary');
    assert.ok(summary.count >= 500, `only ${summary.count} cases ran within the time budget`);
    // both outcomes must occur, or the mutations are not exercising the loader
    assert.ok(summary.loaded > 0 && summary.rejected > 0, JSON.stringify(summary));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
