import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobError } from '../../src/errors.js';
import { exitFailureMessage, GroupProcess, runToCompletion } from '../../src/system/group-process.js';
import { goArch, goOs } from '../../src/system/go-platform.js';
import { groupAlive } from '../../src/system/process-group.js';

/** Rejects when `promise` has not settled within `ms`, so a hang fails the test rather than the suite. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts `script` under /bin/sh in its own group; resolves once it printed its first line (it is set up by then). */
async function startShell(script: string): Promise<{ proc: GroupProcess; pid: number }> {
  let announce!: () => void;
  const ready = new Promise<void>((resolve) => (announce = resolve));
  const proc = new GroupProcess('/bin/sh', ['-c', script], { cwd: '/', env: process.env, onStdout: () => announce() });
  await within(ready, 5000, 'the shell to start');
  assert.ok(proc.pid !== undefined);
  return { proc, pid: proc.pid };
}

describe('GroupProcess', () => {
  it('terminate: a shell that ignores SIGTERM is SIGKILLed after the grace period, with its group', async () => {
    const { proc, pid } = await startShell(`trap '' TERM; (trap '' TERM; exec sleep 60) & echo ready; while true; do sleep 0.05; done`);
    const started = Date.now();
    await within(proc.terminate(200), 5000, 'terminate');
    assert.ok(Date.now() - started >= 200, 'SIGKILL waited for the grace period');
    assert.equal((await proc.exited).signal, 'SIGKILL');
    assert.equal(groupAlive(pid), false);
  });

  it('terminate: what the shell started and left behind ignoring SIGTERM is killed before terminate settles', async () => {
    // the shell obeys SIGTERM; the sleeper does not, and holds no pipe that would delay the shell's close
    const { proc, pid } = await startShell(`(trap '' TERM; exec sleep 60) >/dev/null 2>&1 & echo ready; wait`);
    await within(proc.terminate(200), 5000, 'terminate');
    assert.equal((await proc.exited).signal, 'SIGTERM');
    assert.equal(groupAlive(pid), false);
  });

  it('terminate: a command that obeys SIGTERM ends without waiting for the grace period', async () => {
    const { proc, pid } = await startShell('echo ready; exec sleep 60');
    const started = Date.now();
    await within(proc.terminate(10_000), 5000, 'terminate');
    assert.ok(Date.now() - started < 5000);
    assert.equal(groupAlive(pid), false);
    assert.equal((await proc.exited).signal, 'SIGTERM');
  });

  it('stop: kills the whole group, including what the child started, and settles once the output is closed', async () => {
    const { proc, pid } = await startShell('sleep 60 & echo ready; wait');
    await within(proc.stop(), 5000, 'stop');
    assert.equal(proc.wasKilled, true);
    assert.equal(proc.running, false);
    assert.equal((await proc.exited).signal, 'SIGKILL');
    assert.equal(groupAlive(pid), false);
  });

  it('reports a child that cannot start through `exited`', async () => {
    const proc = new GroupProcess('gilbert-no-such-command', [], { cwd: '/', env: process.env });
    await assert.rejects(within(proc.exited, 5000, 'exited'), { code: 'ENOENT' });
  });
});

describe('runToCompletion', () => {
  it('is a JobError that says what to do when the command is not in PATH', async () => {
    const proc = new GroupProcess('gilbert-no-such-command', [], { cwd: '/', env: process.env });
    await assert.rejects(within(runToCompletion(proc, 'failed to start it'), 5000, 'runToCompletion'), (error: unknown) => {
      assert.ok(error instanceof JobError);
      assert.equal(error.message, "failed to start it, 'gilbert-no-such-command' was not found in PATH; install it or add it to PATH");
      return true;
    });
  });

  it('is a JobError in Gilbert wording when the command fails, and settles quietly when it succeeds', async () => {
    const failing = new GroupProcess('/bin/sh', ['-c', 'exit 3'], { cwd: '/', env: process.env });
    await assert.rejects(within(runToCompletion(failing, 'unused'), 5000, 'runToCompletion'), {
      name: 'JobError',
      message: 'process finished with non-zero status code: 3',
    });
    await within(runToCompletion(new GroupProcess('/bin/sh', ['-c', 'exit 0'], { cwd: '/', env: process.env }), 'unused'), 5000, 'runToCompletion');
  });
});

describe('exitFailureMessage', () => {
  it("uses Gilbert's wording for exit codes and signals", () => {
    assert.equal(exitFailureMessage({ code: 3, signal: null }), 'process finished with non-zero status code: 3');
    assert.equal(exitFailureMessage({ code: null, signal: 'SIGKILL' }), 'process finished with non-zero status code: -1 (killed by SIGKILL)');
    // the shell action's own copy of the message had no colon
    assert.equal(exitFailureMessage({ code: 3, signal: null }, { colon: false }), 'process finished with non-zero status code 3');
  });
});

describe('Go platform names', () => {
  it("maps Node's names to GOOS/GOARCH and knows nothing else", () => {
    assert.equal(goOs('win32'), 'windows');
    assert.equal(goOs('sunos'), 'solaris');
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('ia32'), '386');
    assert.equal(goArch('mipsel'), 'mipsle');
    assert.equal(goOs('android'), undefined);
    assert.equal(goOs('constructor'), undefined);
    assert.equal(goArch('toString'), undefined);
  });
});
