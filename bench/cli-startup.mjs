// `gilbert ls` start time against `node -e 0`, and 100 shell jobs (10 async) end to end.
// Run by `make bench` after `make build`; prints medians in milliseconds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, timeOnce } from './timing.mjs';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);

function measure(args, cwd, count) {
  timeOnce(args, cwd); // warm the file cache
  return median(Array.from({ length: count }, () => timeOnce(args, cwd)));
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'gilbert-bench-'));
try {
  writeFileSync(
    path.join(dir, 'gilbert.yaml'),
    ['version: "1.0"', 'tasks:', '  build:', '  - action: shell', '    params:', '      command: echo hi'].join('\n') + '\n',
  );
  // Alternating the two keeps a busy machine's drift out of the difference.
  timeOnce(['-e', '0'], dir);
  timeOnce([cli, 'ls'], dir);
  const baseline = [];
  const listing = [];
  const versions = [];
  const oneJob = [];
  for (let i = 0; i < runs; i++) {
    baseline.push(timeOnce(['-e', '0'], dir));
    listing.push(timeOnce([cli, 'ls'], dir));
    versions.push(timeOnce([cli, 'version'], dir));
    oneJob.push(timeOnce([cli, 'run', 'build'], dir));
  }
  const node0 = median(baseline);
  const ls = median(listing);
  console.log(`startup: node -e 0 median ${node0.toFixed(1)} ms; gilbert ls median ${ls.toFixed(1)} ms; overhead ${(ls - node0).toFixed(1)} ms (target <= 30 ms, ${runs} runs each)`);
  const over = (values) => `median ${median(values).toFixed(1)} ms (${(median(values) - node0 >= 0 ? '+' : '') + (median(values) - node0).toFixed(1)})`;
  console.log(`startup: gilbert version ${over(versions)}; gilbert run of a 1-job shell task ${over(oneJob)}`);

  const jobs = ['version: "1.0"', 'tasks:', '  many:'];
  for (let i = 0; i < 100; i++) {
    jobs.push('  - action: shell');
    if (i % 10 === 0) jobs.push('    async: true');
    jobs.push('    params:', `      command: echo job ${i}`);
  }
  writeFileSync(path.join(dir, 'gilbert.yaml'), jobs.join('\n') + '\n');
  const many = measure([cli, 'run', 'many'], dir, Math.max(3, Math.floor(runs / 6)));
  console.log(`100 shell jobs (10 async) end to end: median ${many.toFixed(0)} ms (${(many / 100).toFixed(1)} ms per job incl. startup)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
