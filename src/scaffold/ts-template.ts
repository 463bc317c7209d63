import type { ScaffoldContext } from './index.js';

/**
 * Files of `gilbert init --plugin ts`: a TypeScript plugin that gilbert loads
 * without a build step, with a test written against the real SDK types and
 * the test kit (gilbert-ts/sdk/testing).
 *
 * gilbert-ts is not on the npm registry: package.json depends on the running
 * installation through a `file:` URL (npm links it, nothing is copied), so
 * the scaffold's tests always speak the version that runs the plugin. The
 * other dev dependencies (tsx, typescript, @types/node) come from the registry.
 */
export function typeScriptPluginFiles(name: string, context: ScaffoldContext): Record<string, string> {
  return {
    'plugin.ts': `import { definePlugin, JobError } from 'gilbert-ts/sdk';

/**
 * The ${name} plugin. Each action is used in gilbert.yaml as "${name}:<action>".
 * An action factory receives the job's scope and its raw params and returns a
 * handler: \`call\` runs the action, \`cancel\` stops it when the job is cancelled.
 */
export default definePlugin({
  name: '${name}',
  actions: {
    hello: async (scope, params) => {
      const name = params.name ?? 'world';
      if (typeof name !== 'string') {
        throw new JobError(\`param 'name' must be a string, got \${JSON.stringify(name)}\`, { hint: 'write e.g. name: "{{ who }}"' });
      }
      // Params arrive as written in YAML: expand the ones that may hold {{ vars }}.
      const who = await scope.expand(name);
      return {
        async call(ctx) {
          ctx.log.success(greeting(who));
        },
        // call never blocks, so there is nothing to stop
        async cancel() {},
      };
    },
  },
});

export function greeting(who: string): string {
  return \`Hello, \${who}!\`;
}
`,
    'plugin.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobError } from 'gilbert-ts/sdk';
import { runAction } from 'gilbert-ts/sdk/testing';
import plugin from './plugin.js';

// runAction runs the action as \`gilbert run\` would: a real scope, the real runner.
test('${name}:hello greets the name it is given, with vars expanded', async () => {
  const run = await runAction(plugin, 'hello', { params: { name: '{{ who }}' }, vars: { who: 'tests' } });
  assert.equal(run.error, undefined);
  assert.deepEqual(run.log, [{ level: 'success', depth: 0, message: 'Hello, tests!' }]);
});

test('${name}:hello greets the world by default', async () => {
  const run = await runAction(plugin, 'hello');
  assert.deepEqual(run.lines, ['Hello, world!']);
});

test('${name}:hello rejects a name that is not text', async () => {
  const run = await runAction(plugin, 'hello', { params: { name: ['a', 'list'] } });
  assert.ok(run.error instanceof JobError);
  assert.match(run.error.message, /param 'name' must be a string/);
});
`,
    'gilbert.yaml': `version: "1.0"
vars:
  who: TypeScript
plugins:
  # gilbert compiles the TypeScript plugin in memory: no build step
  - file://./plugin.ts
tasks:
  hello:
    - description: Greet from the ${name} plugin
      action: ${name}:hello
      params:
        name: "{{ who }}"
  test:
    - description: Type-check the plugin and run its tests (after npm install)
      action: shell
      params:
        command: npm test
`,
    'package.json': `${JSON.stringify(
      {
        name: `gilbert-plugin-${name}`,
        version: '0.1.0',
        private: true,
        type: 'module',
        main: 'plugin.ts',
        scripts: { test: 'tsc && node --import tsx --test plugin.test.ts' },
        devDependencies: {
          // the gilbert-ts that wrote this scaffold (it is not on the registry)
          // a plain path: npm does not decode a file:// URL (a space would stay %20)
          'gilbert-ts': `file:${context.packageRoot}`,
          tsx: '^4.19.0',
          typescript: '^5.6.0',
          '@types/node': '^20.0.0',
        },
        // npm ≥ 11.16 asks which dependencies may run install scripts. esbuild's (under tsx) and
        // koffi's (under gilbert-ts) check for their prebuilt binaries; gilbert-ts's `prepare` builds
        // only in a source checkout. npm names a file: dependency by its spec.
        allowScripts: { esbuild: true, koffi: true, [`file:${context.packageRoot}`]: true },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: ['*.ts'],
      },
      null,
      2,
    )}\n`,
  };
}
