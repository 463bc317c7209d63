import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recordingLogger } from '../../src/log/logger.js';
import { loadTsPlugin } from '../../src/plugins/ts/load.js';
import { RunContext } from '../../src/runner/context.js';
import { createScope } from '../../src/scope/index.js';
import { IntegralFloat, type JobRunner } from '../../src/sdk/index.js';
import { temporaryDirectory, within } from './ts/helpers.js';

// Its own file, so its own process: the first plugin loaded here is JavaScript,
// which meets the missing `gilbert-ts` before the SDK redirect is registered.

const noRunner = {} as JobRunner;

function context() {
  const { logger, records } = recordingLogger();
  return { ctx: RunContext.root({ log: logger }), records };
}

describe('loadTsPlugin', { timeout: 60_000 }, () => {
  describe('plugins outside the project import gilbert-ts/sdk from the host', () => {
    let dir = '';
    let cleanup = async () => {};
    before(async () => ({ dir, cleanup } = await temporaryDirectory('ts-sdk')));
    after(() => cleanup());

    const source = (name: string) => `import { definePlugin, IntegralFloat } from 'gilbert-ts/sdk';
export default definePlugin({ name: '${name}', actions: { check: (_scope, params) => ({ call(ctx) { ctx.log.log(String(params.f instanceof IntegralFloat)); } }) } });
`;
    // .mjs is ESM (loaded first: the retry path); .ts in a folder without package.json is compiled to CommonJS.
    for (const file of ['esm.mjs', 'cjs-scope.ts']) {
      it(file, async () => {
        const modulePath = path.join(dir, file);
        await writeFile(modulePath, source(file.replace(/\W.*/, '')));
        const plugin = await within(loadTsPlugin(modulePath), 20_000, `loading ${file}`);
        const handler = await plugin.actions.check!(createScope({ projectDirectory: dir }), { f: new IntegralFloat(1) });
        const { ctx, records } = context();
        await within(handler.call(ctx, noRunner), 5_000, 'check');
        assert.deepEqual(records.map((record) => record.message), ['true']);
      });
    }
  });

});
