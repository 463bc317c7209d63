// Whole `gilbert` runs against `node -e 0` (Node's own start-up, a floor we
// cannot go under) and, when NATIVE_GILBERT names a Gilbert v1.1.0 binary,
// against native Gilbert running the same manifests. Every case runs once per
// round, rounds interleaved, so that a busy machine's drift hits all alike;
// figures are medians. Writes bench/.out/runs.json for bench/readme.mjs.
//   node bench/runs.mjs           BENCH_RUNS rounds (default 15)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRun, median } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'dist/cli/main.js');
const goPlugin = path.join(root, 'examples/hello/plugin/build/gilbert-plugin-example.so');
const native = process.env.NATIVE_GILBERT ? path.resolve(process.env.NATIVE_GILBERT) : undefined;
const rounds = Number(process.env.BENCH_RUNS ?? 15);
const JOBS = 100;

const dir = mkdtempSync(path.join(os.tmpdir(), 'gilbert-bench-'));
const project = (name, lines) => {
  mkdirSync(path.join(dir, name));
  writeFileSync(path.join(dir, name, 'gilbert.yaml'), ['version: "1.0"', ...lines].join('\n') + '\n');
  return path.join(dir, name);
};
const one = project('one', ['tasks:', '  build:', '  - action: shell', '    params:', '      command: echo hi']);
const manyJobs = [];
for (let i = 0; i < JOBS; i++) {
  manyJobs.push('  - action: shell');
  if (i % 10 === 0) manyJobs.push('    async: true');
  manyJobs.push('    params:', `      command: echo job ${i}`);
}
const many = project('many', ['tasks:', '  many:', ...manyJobs]);
const plugin = project('plugin', ['plugins:', `  - file://${goPlugin}`, 'tasks:', '  hello:', '  - action: "example-plugin:hello-world"', '    params:', '      message: hi']);

const node = (args) => [process.execPath, args];
const ts = (args) => [process.execPath, [cli, ...args]];
const gilbert = (args) => native && [native, args];
/** name → [file, args] and the project it runs in; cases without a command are skipped */
const cases = {
  node0: { cmd: node(['-e', '0']), cwd: one },
  ls: { cmd: ts(['ls']), cwd: one },
  one: { cmd: ts(['run', 'build']), cwd: one },
  nativeOne: { cmd: gilbert(['run', 'build']), cwd: one },
  many: { cmd: ts(['run', 'many']), cwd: many },
  nativeMany: { cmd: gilbert(['run', 'many']), cwd: many },
  plugin: { cmd: ts(['run', 'hello']), cwd: plugin },
  pluginIsolated: { cmd: ts(['run', 'hello', '--isolate']), cwd: plugin },
  nativePlugin: { cmd: gilbert(['run', 'hello']), cwd: plugin },
};
const active = Object.entries(cases).filter(([, c]) => c.cmd);

try {
  const load = [os.loadavg()[0]];
  for (const [, c] of active) measureRun(...c.cmd, c.cwd); // warm the file cache
  const samples = Object.fromEntries(active.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) for (const [name, c] of active) samples[name].push(measureRun(...c.cmd, c.cwd));
  load.push(os.loadavg()[0]);
  const pick = (key) => Object.fromEntries(Object.entries(samples).map(([name, runs]) => [name, median(runs.map((run) => run[key]))]));
  const ms = pick('ms');
  const cpuMs = pick('cpuMs');
  const rssMb = pick('rssMb');

  const marginal = (m, o) => (m - o) / (JOBS - 1);
  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus()[0]?.model.trim()} × ${os.availableParallelism()}, Linux ${os.release()}, Node ${process.versions.node}`,
    load: load.map((l) => Number(l.toFixed(1))),
    rounds,
    native: Boolean(native),
    ms,
    cpuMs,
    rssMb,
    marginalMs: marginal(ms.many, ms.one),
    nativeMarginalMs: native ? marginal(ms.nativeMany, ms.nativeOne) : undefined,
    marginalCpuMs: marginal(cpuMs.many, cpuMs.one),
    nativeMarginalCpuMs: native ? marginal(cpuMs.nativeMany, cpuMs.nativeOne) : undefined,
  };
  mkdirSync(path.join(root, 'bench/.out'), { recursive: true });
  writeFileSync(path.join(root, 'bench/.out/runs.json'), JSON.stringify(result, null, 2) + '\n');

  const f = (n, digits = 1) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  const row = (label, name, nativeName, base = 'node0') => {
    const over = (table) => (name === base ? '' : ` (+${f(table[name] - table[base])})`);
    const nat = (table) => (native && nativeName ? `  native ${f(table[nativeName])}` : '');
    console.log(`  ${label.padEnd(32)} wall ${f(ms[name])}${over(ms)}${nat(ms)};  cpu ${f(cpuMs[name])}${over(cpuMs)}${nat(cpuMs)};  rss ${f(rssMb[name])} MB${over(rssMb)}${nat(rssMb)}`);
  };
  console.log(`runs (ms, medians of ${rounds} interleaved rounds; "+" is over node -e 0), load average ${load.join(' → ')} on ${os.availableParallelism()} cores`);
  row('node -e 0', 'node0');
  row('gilbert ls', 'ls');
  row('1-job run', 'one', 'nativeOne');
  row('run using one Go plugin', 'plugin', 'nativePlugin');
  row('same, plugin isolated', 'pluginIsolated', undefined, 'plugin');
  row(`${JOBS} shell jobs (10 async)`, 'many', 'nativeMany');
  const ratio = (a, b) => (native ? `; native ${f(b, 2)}; ratio ${f(a / b, 2)}× (target ≤ 1.2×)` : '');
  console.log(`  marginal cost of a shell job     wall ${f(result.marginalMs, 2)}${ratio(result.marginalMs, result.nativeMarginalMs)}`);
  console.log(`                                   cpu ${f(result.marginalCpuMs, 2)}${ratio(result.marginalCpuMs, result.nativeMarginalCpuMs)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
