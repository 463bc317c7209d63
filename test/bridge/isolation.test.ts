/** What only the process transport does: contain a plugin that ends its process, and start a new one for the next job. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { loadIsolatedGoPlugin } from '../../src/plugins/go/load.js';
import { RunContext } from '../../src/runner/index.js';
import type { GilbertPlugin, JobRunner, Scope } from '../../src/sdk/index.js';
import { fixture, goHost, within } from './helpers.js';

async function runAction(plugin: GilbertPlugin, action: string): Promise<{ messages: string[]; error?: Error }> {
  const { logger, records } = recordingLogger();
  const handler = await within(10_000, Promise.resolve(plugin.actions[action]!({} as Scope, {})));
  try {
    await within(10_000, handler.call(RunContext.root({ log: logger }), {} as JobRunner));
    return { messages: records.map((r) => r.message) };
  } catch (error) {
    return { messages: records.map((r) => r.message), error: error as Error };
  }
}

test('a plugin that ends its host process fails its call; the next call gets a new host process', async () => {
  const plugin = await within(20_000, loadIsolatedGoPlugin(fixture('crash'), { hostPath: goHost, log: recordingLogger().logger }));
  const first = await runAction(plugin, 'pid');
  const crashed = await runAction(plugin, 'exit');
  const second = await runAction(plugin, 'pid');
  assert.ok(crashed.error instanceof PluginError, String(crashed.error));
  assert.match(crashed.error.message, /^Go plugin 'crash' \(action 'crash:exit'\) exited with status 7$/);
  assert.match(crashed.error.hint ?? '', /os\.Exit/);
  assert.deepEqual(crashed.messages, ['last words before the crash'], 'the log line written just before os.Exit arrived');
  const pid = (r: { messages: string[] }) => Number(/pid (\d+)/.exec(r.messages.join('\n'))?.[1]);
  assert.ok(pid(first) > 0 && pid(first) !== process.pid, 'the plugin runs in another process');
  assert.ok(pid(second) > 0 && pid(second) !== pid(first), 'a new host process ran the next call');
});

test('a stale host (another protocol version) is refused with what to do, never misread', async () => {
  const { mkdtemp, writeFile, rm, chmod } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/gilbert-stale-host-`);
  try {
    // a host that answers the handshake with protocol 1
    const stale = `${dir}/host.sh`;
    const hello = 'J{"e":"hello","protocol":1,"build":null}';
    await writeFile(stale, `#!/bin/sh\nprintf '\\${hello.length.toString(8)}\\000\\000\\000%s' '${hello}' >&4\nsleep 5\n`);
    await chmod(stale, 0o755);
    await assert.rejects(within(10_000, loadIsolatedGoPlugin(fixture('bridgetest'), { hostPath: stale, log: recordingLogger().logger })), (error: Error & { hint?: string }) => {
      assert.match(error.message, /speaks protocol 1, this gilbert-ts needs protocol \d+/);
      assert.match(error.hint ?? '', /rebuild/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
