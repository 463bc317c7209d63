import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionRegistry } from '../../src/actions/registry.js';
import { GilbertError, PluginError } from '../../src/errors.js';
import { recordingLogger } from '../../src/log/logger.js';
import { loadTsPlugin } from '../../src/plugins/ts/load.js';
import { RunContext } from '../../src/runner/context.js';
import { createScope } from '../../src/scope/index.js';
import { IntegralFloat, type JobRunner } from '../../src/sdk/index.js';
import { temporaryDirectory, tsFixtures, within } from './ts/helpers.js';

const noRunner: JobRunner = {
  actionByName: (name) => {
    throw new GilbertError(`action '${name}' not available in this test`);
  },
  runJob: () => Promise.reject(new Error('not used')),
  runTask: () => Promise.reject(new Error('not used')),
};

function context() {
  const { logger, records } = recordingLogger();
  return { ctx: RunContext.root({ log: logger }), records };
}

describe('loadTsPlugin', { timeout: 60_000 }, () => {
  it('runs a .ts plugin without a build step, with the host SDK and expanded params', async () => {
    const plugin = await within(loadTsPlugin(path.join(tsFixtures, 'greeter.ts')), 20_000, 'loading greeter.ts');
    assert.equal(plugin.name, 'greeter');
    assert.deepEqual(Object.keys(plugin.actions).sort(), ['forward', 'greet', 'wait']);

    const scope = createScope({ projectDirectory: tsFixtures, locals: { person: 'Ada' } });
    const handler = await plugin.actions.greet!(scope, { who: '{{ person }}', count: new IntegralFloat(2) });
    const { ctx, records } = context();
    await within(handler.call(ctx, noRunner), 5_000, 'greet');
    assert.deepEqual(records, [
      { level: 'info', depth: 0, message: 'hello, Ada' },
      { level: 'log', depth: 1, message: 'integral float: true' },
    ]);
  });

  it('gives a handler without cancel one that reports the outcome of call', async () => {
    const plugin = await loadTsPlugin(path.join(tsFixtures, 'greeter.ts'));
    const handler = await plugin.actions.wait!(createScope({ projectDirectory: tsFixtures }), {});
    const { ctx } = context();
    const call = handler.call(ctx, noRunner);
    ctx.cancel();
    await assert.rejects(within(handler.cancel(ctx), 5_000, 'default cancel'), /wait stopped: cancelled/);
    await assert.rejects(within(call, 5_000, 'call'), /wait stopped: cancelled/);
  });

  it('loads JavaScript plugins: named ESM exports, CommonJS, and a package folder', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['named.mjs', 'named', 'echo', 'echo: hi'],
      ['legacy.cjs', 'legacy', 'ping', 'pong'],
      ['folder-plugin', 'folder', 'where', 'loaded through package.json exports'],
    ];
    for (const [file, name, action, expected] of cases) {
      const plugin = await within(loadTsPlugin(path.join(tsFixtures, file)), 10_000, `loading ${file}`);
      assert.equal(plugin.name, name, file);
      const { ctx, records } = context();
      const handler = await plugin.actions[action]!(createScope({ projectDirectory: tsFixtures }), { text: 'hi' });
      await within(handler.call(ctx, noRunner), 5_000, action);
      assert.deepEqual(records.map((record) => record.message), [expected], file);
      // The completed handler's own cancel resolves when call has finished.
      await within(handler.cancel(ctx), 5_000, 'cancel');
    }
  });

  describe('shape errors name the file and what is wrong', () => {
    let dir = '';
    let cleanup = async () => {};
    before(async () => ({ dir, cleanup } = await temporaryDirectory('ts-shape')));
    after(() => cleanup());

    const cases: Array<[string, string, RegExp]> = [
      ['nothing.mjs', 'export const unrelated = 1;', /exports no plugin/],
      ['empty-name.mjs', "export default { name: '  ', actions: {} };", /plugin name should not be empty/],
      ['number-name.mjs', 'export default { name: 42, actions: {} };', /exports a number \(42\) as its name, expected a string/],
      ['no-actions.mjs', "export default { name: 'x' };", /exports undefined as its actions, expected an object of action factories/],
      ['bad-action.mjs', "export default { name: 'x', actions: { go: 'run' } };", /action 'go' of plugin 'x' .* is a string \(run\), expected a factory function/],
      ['syntax.ts', 'export default { name: "x", actions: { ', /failed to import plugin '.*syntax\.ts'/],
    ];
    for (const [file, source, message] of cases) {
      it(file, async () => {
        const modulePath = path.join(dir, file);
        await writeFile(modulePath, source);
        const error = await within(loadTsPlugin(modulePath).then(() => undefined, (e: unknown) => e), 10_000, file);
        assert.ok(error instanceof PluginError, `expected a PluginError, got ${String(error)}`);
        assert.match(error.message, message);
        assert.ok(error.message.includes(modulePath), `message names the file: ${error.message}`);
      });
    }

    it('a missing file', async () => {
      await assert.rejects(loadTsPlugin(path.join(dir, 'missing.ts')), (error: unknown) => {
        return error instanceof PluginError && /plugin file '.*missing\.ts' not found/.test(error.message);
      });
    });

    it('a factory that returns no handler fails when the action is created, naming plugin and action', async () => {
      const modulePath = path.join(dir, 'no-handler.mjs');
      await writeFile(modulePath, "export default { name: 'nohandler', actions: { make: () => 'oops' } };");
      const plugin = await loadTsPlugin(modulePath);
      await assert.rejects(
        async () => plugin.actions.make!(createScope({ projectDirectory: dir }), {}),
        (error: unknown) => error instanceof GilbertError && /action 'make' of plugin 'nohandler' .* returned a string \(oops\) instead of a handler/.test(error.message),
      );
    });

    it('two plugins with one name: the registry error names both sources', async () => {
      const copy = path.join(dir, 'other-greeter.mjs');
      await writeFile(copy, "export default { name: 'greeter', actions: { greet: () => ({ call() {} }) } };");
      const registry = new ActionRegistry();
      const first = await loadTsPlugin(path.join(tsFixtures, 'greeter.ts'));
      const second = await loadTsPlugin(copy);
      registry.registerPlugin(first.name, first.actions, "plugin 'greeter' (file://./greeter.ts)");
      assert.throws(
        () => registry.registerPlugin(second.name, second.actions, `plugin 'greeter' (file://${copy})`),
        (error: unknown) =>
          error instanceof GilbertError && error.message.includes('file://./greeter.ts') && error.message.includes(`file://${copy}`),
      );
    });
  });
});
