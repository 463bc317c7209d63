import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fastSpawn, posixSpawnAvailable, type SpawnedChild } from '../../src/system/posix-spawn.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output until 'close'; fails the test instead of hanging. */
function finish(child: SpawnedChild, ms = 10_000): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not close within ${ms} ms`)), ms);
    child.once('error', reject);
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function start(script: string, options: { env?: NodeJS.ProcessEnv; cwd?: string; stdio?: 'pipe' | 'ignore' } = {}): SpawnedChild {
  const child = fastSpawn('/bin/sh', ['-c', script], { cwd: options.cwd ?? '/', env: options.env ?? process.env, stdio: options.stdio ?? 'pipe' });
  assert.ok(child, 'posix_spawn is available on Linux: the fast path must not silently fall back');
  return child;
}

describe('posix-spawn', { skip: process.platform !== 'linux' && 'posix_spawn path is Linux-only' }, () => {
  it('is available on Linux (koffi, and posix_spawn with addchdir_np in its libc)', () => {
    assert.equal(posixSpawnAvailable(), true);
  });

  it('separates stdout and stderr and reports the exit code after the output', async () => {
    const result = await finish(start('echo out; echo err >&2; exit 7'));
    assert.deepEqual(result, { code: 7, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs in the given directory with the given environment only', async () => {
    const result = await finish(start('pwd; echo "$ONLY_THIS"; echo "${HOME-unset}"', { cwd: os.tmpdir(), env: { ONLY_THIS: 'yes', PATH: process.env.PATH } }));
    assert.equal(result.stdout, `${os.tmpdir()}\nyes\nunset\n`);
  });

  it("leads a new session, reads /dev/null, and inherits neither Node's ignored signals (SIGPIPE) nor a signal mask", async () => {
    const child = start('read line; echo "[$line]"; grep -E "^Sig(Blk|Ign)" /proc/self/status; sleep 0.2');
    const pid = child.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    assert.equal(Number(pgrp), pid, 'its own process group');
    assert.equal(Number(session), pid, 'its own session (Node: detached)');
    assert.equal(readlinkSync(`/proc/${pid}/fd/0`), '/dev/null');
    const [line, blocked, ignored] = (await finish(child)).stdout.trim().split('\n');
    assert.equal(line, '[]');
    assert.equal(blocked, 'SigBlk:\t0000000000000000');
    // glibc's posix_spawn leaves only its own internal signals (32, 33) ignored, never one a program uses
    assert.equal(BigInt(`0x${ignored!.split('\t')[1]}`) & 0x7fffffffn, 0n, ignored); // signals 1–31
  });

  it("looks a bare command up in the child's PATH, not gilbert's", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gilbert-posix-spawn-'));
    try {
      writeFileSync(path.join(dir, 'only-here'), '#!/bin/sh\necho found "$@"\n');
      chmodSync(path.join(dir, 'only-here'), 0o755);
      const child = fastSpawn('only-here', ['it'], { cwd: '/', env: { PATH: `/nonexistent:${dir}` }, stdio: 'pipe' })!;
      assert.equal((await finish(child)).stdout, 'found it\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a command that is not found is an 'error' in Node's words, without a pid", async () => {
    const child = fastSpawn('no-such-command-h13', ['x'], { cwd: '/', env: process.env, stdio: 'pipe' })!;
    assert.equal(child.pid, undefined);
    await assert.rejects(finish(child), (error: NodeJS.ErrnoException) => {
      assert.equal(error.message, 'spawn no-such-command-h13 ENOENT');
      assert.equal(error.code, 'ENOENT');
      return true;
    });
  });

  it('reports a child that closed its output long before it exited, and one killed by a signal', async () => {
    const late = finish(start('exec >&- 2>&-; sleep 0.3; exit 3'));
    const child = start('echo up; exec sleep 60');
    const killed = finish(child);
    child.stdout!.once('data', () => process.kill(-child.pid!, 'SIGKILL'));
    assert.deepEqual(await late, { code: 3, signal: null, stdout: '', stderr: '' });
    assert.deepEqual(await killed, { code: null, signal: 'SIGKILL', stdout: 'up\n', stderr: '' });
  });

  it('keeps the output and status of many children running at once apart', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => finish(start(`sleep 0.0${i % 5}; echo ${i}; exit ${i}`))));
    results.forEach((result, i) => assert.deepEqual(result, { code: i, signal: null, stdout: `${i}\n`, stderr: '' }));
  });

  it("'ignore' sends both outputs to /dev/null", async () => {
    const child = start('echo lost; echo lost >&2; exit 2', { stdio: 'ignore' });
    assert.equal(child.stdout, null);
    assert.deepEqual(await finish(child), { code: 2, signal: null, stdout: '', stderr: '' });
  });
});
