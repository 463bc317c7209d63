// Child process of fuzz.test.ts: loads thousands of random and mutated
// manifests and reports progress line by line, so the parent can kill it and
// show the input if one case hangs. The template `shell` function is disabled.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ManifestError } from '../../src/errors.js';
import { loadManifest } from '../../src/manifest/index.js';

const [seedArg, iterationsArg, budgetArg, workDir] = process.argv.slice(2);
const maxIterations = Number(iterationsArg);
const deadline = Date.now() + Number(budgetArg);

// mulberry32: a tiny seeded PRNG, so a failure replays with the same seed
let state = Number(seedArg) >>> 0;
const random = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number): number => Math.floor(random() * max);

const fixtures = resolve(import.meta.dirname, '../fixtures/manifests');
const seeds: string[] = [];
const collect = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path);
    else if (name.endsWith('.yaml')) seeds.push(readFileSync(path, 'utf8'));
  }
};
collect(fixtures);
seeds.push(
  '{{{ range $i, $v := slice 1 2 }}}{{{ if eq $i 0 }}}a{{{ else }}}b{{{ end }}}{{{ end }}}',
  'vars:\n  x: {{{ printf "%d-%s" 1 "a" | len }}}\n',
  'a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n',
);

const tokens = [
  '{{{', '}}}', '{{{-', ' -}}}', '{{{/*', '*/}}}', '{{{ end }}}', '{{{ else }}}', '{{{ range', '{{{ if', '{{{ with',
  ' $x := ', ' $x ', ' | ', '(', ')', ' slice ', ' yaml ', ' split "," ', ' printf "%v" ', ' len ', ' index ',
  ' shell "echo x" ', ' eq ', ' and ', ' not ', ' "str" ', ' `raw` ', " 'c' ", ' 1e3 ', ' 0x1F ', ' -1 ', ' nil ', ' . ', ' .Field ',
  ' break ', ' continue ', '{{ var }}', '{% cmd %}',
  ':', ': ', '- ', '\n', '\n  ', '\n    - ', '  ', '\t', '#', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '<<: ', '!!int ',
  '!!float ', '!!str ', '!!binary ', '!custom ', '? ', '|', '>', '---\n', '...\n', '~', 'yes', 'no', 'on', '1.0', '08', '.inf',
  'tasks:', 'mixins:', 'vars:', 'imports:', 'plugins:', 'version:', 'action: shell', 'task: build', 'mixin: m',
  'async: true', 'delay: -1', 'deadline: 5', 'params:', 'if: true', 'description: d', 'jobs:', '\u0000', '\ufeff', '\u2028', 'é',
];

function mutate(text: string): string {
  const at = (): number => int(text.length + 1);
  for (let ops = 1 + int(4); ops > 0; ops--) {
    const lines = text.split('\n');
    switch (int(8)) {
      case 0: {
        const i = at();
        text = text.slice(0, i) + pick(tokens) + text.slice(i);
        break;
      }
      case 1: {
        const i = at();
        text = text.slice(0, i) + text.slice(i + 1 + int(20));
        break;
      }
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
        const i = at();
        text = text.slice(0, i) + String.fromCharCode(int(128)) + text.slice(i + 1);
        break;
      }
      case 5: {
        const i = int(lines.length);
        lines[i] = ' '.repeat(int(9)) + (lines[i] ?? '').trimStart();
        text = lines.join('\n');
        break;
      }
      case 6:
        text = text.slice(0, at());
        break;
      default:
        text += '\n' + pick(seeds);
    }
  }
  return text;
}

function randomInput(): string {
  let text = '';
  for (let n = int(40); n > 0; n--) text += pick(tokens);
  return text;
}

const file = join(workDir!, 'case.yaml');
let count = 0;
let slowest = 0;
const outcomes = { loaded: 0, rejected: 0 };
while (count < maxIterations && Date.now() < deadline) {
  const input = random() < 0.2 ? randomInput() : mutate(pick(seeds));
  writeFileSync(file, input);
  const started = performance.now();
  try {
    await loadManifest(file, { allowTemplateShell: false, env: {} });
    outcomes.loaded++;
  } catch (error) {
    if (!(error instanceof ManifestError)) {
      process.stdout.write(`CRASH ${JSON.stringify({ input, error: error instanceof Error ? error.stack : String(error) })}\n`);
      process.exit(1);
    }
    outcomes.rejected++;
  }
  const elapsed = performance.now() - started;
  slowest = Math.max(slowest, elapsed);
  count++;
  process.stdout.write(`P ${count} ${elapsed.toFixed(1)}\n`);
}
process.stdout.write(`DONE ${JSON.stringify({ count, slowest, ...outcomes })}\n`);
