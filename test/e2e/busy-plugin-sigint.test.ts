// A second Ctrl+C ends gilbert even while a TypeScript plugin blocks the
// event loop, and takes the job process groups with it (issue 14, item 11).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, cliEnv, finish, processGroupAlive, project, waitFor } from './helpers.js';

const plugin = `import { writeFileSync } from 'node:fs';
export default {
  name: 'busy',
  actions: {
    spin: () => ({
      call() {
        writeFileSync('busy.marker', '');
        for (;;) {}
      },
    }),
  },
};
`;

const manifest = `version: "1.0"
plugins: [file://./busy.mjs]
tasks:
  t:
  - action: shell
    async: true
    params: { command: "echo $$ > shell.pid; sleep 60" }
  - action: shell
    params: { command: "while [ ! -e shell.pid ]; do sleep 0.02; done" }
  - action: busy:spin
`;

/** Whether any process of the group still has `signal` pending, i.e. not yet delivered (Linux /proc). */
function pendingInGroup(pgid: number, signal: number): boolean {
  const bit = 1n << BigInt(signal - 1);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      for (const field of ['SigPnd', 'ShdPnd']) {
        const mask = BigInt(`0x${new RegExp(`${field}:\\s+([0-9a-f]+)`).exec(status)?.[1] ?? '0'}`);
        if (mask & bit) return true;
      }
    } catch {
      // exited while we looked
    }
  }
  return false;
}

describe('a second Ctrl+C while a TS plugin blocks the event loop', () => {
  it('ends gilbert and kills its job process groups', async () => {
    const { dir, cleanup } = await project(undefined, manifest);
    try {
      await writeFile(path.join(dir, 'busy.mjs'), plugin);
      // its own process group, so that the signals reach the group, as a terminal's Ctrl+C does
      const child = spawn(process.execPath, [CLI, 'run', 't'], { cwd: dir, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const done = finish(child, 30_000);
      const group = child.pid!;
      await waitFor(() => (existsSync(path.join(dir, 'busy.marker')) ? true : undefined), 'the plugin to start spinning', 20_000);
      const shellGroup = Number(readFileSync(path.join(dir, 'shell.pid'), 'utf8'));
      assert.ok(processGroupAlive(shellGroup), 'the async shell job runs');

      const SIGINT = 2;
      process.kill(-group, 'SIGINT');
      // two signals sent back to back can merge into one: send the second once the first was delivered
      await waitFor(() => (pendingInGroup(group, SIGINT) ? undefined : true), 'the first SIGINT to be delivered');
      const second = Date.now();
      process.kill(-group, 'SIGINT');
      const result = await done;
      const took = Date.now() - second;

      assert.equal(result.signal, 'SIGKILL', `exit ${result.code}\n${result.stdout}\n${result.stderr}`);
      assert.match(result.stderr, /still busy after a second Ctrl\+C/);
      assert.ok(took < 5000, `ended ${took} ms after the second Ctrl+C`);
      await waitFor(() => (processGroupAlive(shellGroup) ? undefined : true), 'the job process group to be killed', 5000);
    } finally {
      await cleanup();
    }
  });
});
