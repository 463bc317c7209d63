/** Files of `gilbert init --plugin ts`: a TypeScript plugin that gilbert loads without a build step. */
export function typeScriptPluginFiles(name: string): Record<string, string> {
  return {
    'plugin.ts': `import type { PluginDefinition } from 'gilbert-ts/sdk';

/**
 * The ${name} plugin. Each action is used in gilbert.yaml as "${name}:<action>".
 * An action factory receives the job's scope and its raw params and returns a
 * handler; \`call\` runs the action and \`cancel\` (optional) stops it.
 */
const plugin: PluginDefinition = {
  name: '${name}',
  actions: {
    hello: async (scope, params) => {
      // Params arrive as written in YAML: expand the ones that may hold {{ vars }}.
      const who = await scope.expand(String(params.name ?? 'world'));
      return {
        call(ctx) {
          ctx.log.success(greeting(who));
        },
      };
    },
  },
};

export function greeting(who: string): string {
  return \`Hello, \${who}!\`;
}

export default plugin;
`,
    'plugin.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobContext, JobRunner, Scope } from 'gilbert-ts/sdk';
import plugin from './plugin.js';

// Just enough of a scope, job context and runner for this action.
const scope = { expand: async (text: string) => text.replace('{{ who }}', 'tests') } as unknown as Scope;
const runner = {} as JobRunner;

test('${name}:hello greets the expanded name', async () => {
  const lines: string[] = [];
  const log = { success: (message: string) => lines.push(message) };
  const ctx = { log, signal: new AbortController().signal } as unknown as JobContext;

  const handler = await plugin.actions.hello!(scope, { name: '{{ who }}' });
  await handler.call(ctx, runner);

  assert.deepEqual(lines, ['Hello, tests!']);
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
    - description: Run the plugin's tests (after npm install)
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
        scripts: { test: 'node --import tsx --test plugin.test.ts', typecheck: 'tsc --noEmit' },
        devDependencies: { 'gilbert-ts': '^0.1.0', tsx: '^4.19.0', typescript: '^5.6.0', '@types/node': '^20.0.0' },
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
