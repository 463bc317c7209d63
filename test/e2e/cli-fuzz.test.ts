// Bounded fuzz of the real CLI: mutated manifests go through `gilbert ls`,
// `run` and `run --dry-run` as child processes. Whatever the input, the CLI
// exits 0 or 1, in time, and never prints a stack trace or "This is a bug".
// Seeds run only harmless commands (echo, true, exit N) and no plugins; the
// seeded PRNG replays a failure, which prints the case.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cliEnv, runCli, type CliResult } from './helpers.js';

const SEED = 20261130;
const ITERATIONS = 100;
const TIME_BUDGET_MS = 60_000;
const CASE_LIMIT_MS = 20_000;
const PARALLEL = 2;

const seeds = [
  `version: "1.0"
vars:
  app: demo
  flag: yes
tasks:
  build:
  - description: "build {{ app }}"
    action: shell
    vars: { who: world }
    params: { command: "echo hello {{ who }} {{ app }}" }
  - task: check
  check:
    description: checks
    jobs:
    - action: shell
      async: true
      params: { command: "true" }
    - mixin: tidy
mixins:
  tidy:
  - action: shell
    if: "true"
    params: { command: "echo tidy" }
`,
  `version: "1.0"
tasks:
  fail:
  - action: shell
    deadline: 2000
    params: { command: "exit 3", silent: false }
  - action: shell
    params:
      command: echo never
      env: { A: "1" }
`,
  `version: "1.0"
vars:
  a: "{{ b }}"
  b: "x"
tasks:
  anchors:
  - action: shell
    params: &p
      command: "echo {{ a }}"
      list: &l [1, 2.5, true, ~, "s"]
      nested: { l: *l, again: *l }
  - action: shell
    params: *p
`,
  `version: "1.0"
tasks:
  __proto__:
  - action: shell
    params: { command: "echo proto" }
  constructor:
  - mixin: toString
  valueOf:
  - action: toString
    params: { a: 1 }
`,
];

const tokens = [
  ':', ': ', '- ', '\n', '\n  ', '\n    - ', '  ', '\t', '#', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '*l', '<<: ', '!!int ', '!!str ',
  '!!binary ', '!custom ', '? ', '|', '>', '---\n', '~', 'yes', 'on', '1.0', '08', '.inf', '-1', '2147483648', '1e400', '0x7fffffffffffffff',
  '__proto__', 'toString', 'constructor', 'valueOf', 'tasks:', 'mixins:', 'vars:', 'imports:', 'version:', 'action: shell', 'task: build',
  'mixin: tidy', 'async: true', 'deadline: 1', 'params:', 'if: false', 'description: d', 'jobs:', '{{ app }}', '{{ missing }}', '{{', '}}',
  '{% echo sub %}', '{%', '%}', '{{{', '}}}', '\u0000', '\ufeff', '\u2028', 'é', 'x'.repeat(300),
];

// mulberry32: a tiny seeded PRNG, so a failure replays with the same seed
let state = SEED >>> 0;
const random = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number): number => Math.floor(random() * max);

function mutate(text: string): string {
  for (let ops = 1 + int(4); ops > 0; ops--) {
    const lines = text.split('\n');
    const at = int(text.length + 1);
    switch (int(7)) {
      case 0:
        text = text.slice(0, at) + pick(tokens) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + int(12));
        break;
      case 2: {
        const i = int(lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        text = lines.join('\n');
        break;
      }
      case 3: {
        const [i, j] = [int(lines.length), int(lines.length)];
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        text = lines.join('\n');
        break;
      }
      case 4: {
        const i = int(lines.length);
        lines[i] = int(2) ? `  ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '');
        text = lines.join('\n');
        break;
      }
      case 5: {
        // a line from another seed
        const other = pick(seeds).split('\n');
        lines.splice(int(lines.length), 0, pick(other));
        text = lines.join('\n');
        break;
      }
      default: {
        // a scalar replaced by a hostile one
        text = text.replace(/: ("[^"\n]*"|[\w.]+)/, `: ${pick(tokens)}`);
      }
    }
  }
  return text;
}

function commandFor(text: string): string[] {
  const task = pick([...(text.match(/^ {2}([\w.-]+):/gm) ?? []).map((line) => line.trim().slice(0, -1)), 'build', 'toString', '__proto__']);
  return pick([['ls'], ['ls', '--json'], ['run', task], ['run', task, '--dry-run'], ['run', task, '--var', `${pick(tokens)}=v`]]);
}

function problem(result: CliResult): string | undefined {
  if (result.code !== 0 && result.code !== 1) return `exit ${result.code} (signal ${result.signal})`;
  const output = `${result.stdout}\n${result.stderr}`;
  if (/This is a bug in gilbert-ts/.test(output)) return 'a "bug in gilbert-ts" report';
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(output)) return 'a stack trace';
  if (/^(TypeError|RangeError|ReferenceError|SyntaxError|Error)\b/m.test(result.stderr)) return 'an uncaught error';
  return undefined;
}

test('fuzz: the CLI exits 0 or 1 without a stack trace on mutated manifests', { timeout: TIME_BUDGET_MS + 60_000 }, async () => {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gilbert-cli-fuzz-')));
  const env = cliEnv({ GILBERT_HOME: path.join(root, 'home') });
  const cases = Array.from({ length: ITERATIONS }, (_, i) => {
    const text = mutate(pick(seeds));
    return { i, text, args: commandFor(text) };
  });
  const deadline = Date.now() + TIME_BUDGET_MS;
  const failures: string[] = [];
  const outcomes = { ok: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length && Date.now() < deadline && failures.length === 0) {
      const { i, text, args } = cases[next++]!;
      const dir = path.join(root, `case-${i}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'gilbert.yaml'), text);
      let result: CliResult;
      try {
        result = await runCli(args, { cwd: dir, env, timeoutMs: CASE_LIMIT_MS });
      } catch (error) {
        failures.push(`case ${i}: gilbert ${args.join(' ')}: ${(error as Error).message.split('\n')[0]}\n--- manifest ---\n${text}`);
        continue;
      }
      const found = problem(result);
      if (found) failures.push(`case ${i}: gilbert ${args.join(' ')}: ${found}\n--- manifest ---\n${text}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
      else outcomes[result.code === 0 ? 'ok' : 'failed']++;
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    assert.deepEqual(failures, []);
    assert.ok(outcomes.ok + outcomes.failed >= 40, `only ${outcomes.ok + outcomes.failed} cases ran within the time budget`);
    // both outcomes must occur, or the mutations are not exercising the CLI
    assert.ok(outcomes.ok > 0 && outcomes.failed > 0, JSON.stringify(outcomes));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
