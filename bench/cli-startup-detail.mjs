// Start-up cost of each common CLI path against `node -e 0`, runs interleaved
// so that a busy machine's drift hits every command alike.
// `node bench/cli-startup-detail.mjs [cli.js ...]` (default dist/cli/main.js);
// several CLIs compare builds side by side. BENCH_RUNS sets the count (default 40).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, timeOnce } from './timing.mjs';

const clis = process.argv.length > 2 ? process.argv.slice(2).map((p) => path.resolve(p)) : [fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))];
const runs = Number(process.env.BENCH_RUNS ?? 40);

const dir = mkdtempSync(path.join(os.tmpdir(), 'gilbert-bench-'));
try {
  writeFileSync(
    path.join(dir, 'gilbert.yaml'),
    ['version: "1.0"', 'tasks:', '  build:', '  - action: shell', '    params:', '      command: echo hi'].join('\n') + '\n',
  );
  const cases = [['node -e 0', ['-e', '0']]];
  for (const cli of clis) {
    const tag = clis.length > 1 ? ` [${path.relative(process.cwd(), cli)}]` : '';
    cases.push([`gilbert ls${tag}`, [cli, 'ls']], [`gilbert version${tag}`, [cli, 'version']], [`gilbert run build (1 shell job)${tag}`, [cli, 'run', 'build']]);
  }
  const samples = cases.map(() => []);
  for (const [, args] of cases) timeOnce(args, dir); // warm the file cache
  for (let i = 0; i < runs; i++) cases.forEach(([, args], c) => samples[c].push(timeOnce(args, dir)));
  const base = median(samples[0]);
  cases.forEach(([name], c) => {
    const m = median(samples[c]);
    console.log(`${name.padEnd(48)} median ${m.toFixed(1).padStart(6)} ms${c ? `  (+${(m - base).toFixed(1)} over node -e 0)` : ''}`);
  });
  console.log(`(${runs} interleaved runs each)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
