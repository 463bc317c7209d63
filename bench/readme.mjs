// Last step of `make bench`: writes the figures of bench/.out/runs.json and
// bench/.out/bridge.json (either may be missing) into the README's benchmark
// table, between its `bench:begin` and `bench:end` markers, with the machine,
// its load and the date, so that the table always says where it comes from.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const readme = new URL('../README.md', import.meta.url);
const read = (name) => {
  const file = new URL(`.out/${name}`, import.meta.url);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};
const runs = read('runs.json');
const bridge = read('bridge.json');
if (!runs) throw new Error('bench/.out/runs.json is missing: run bench/runs.mjs first');

const f = (n, digits = 1) => (n === undefined || n === null || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const { ms, cpuMs, rssMb } = runs;
const native = (value) => (runs.native ? value : 'not measured (`NATIVE_GILBERT` unset)');
/** wall over `node -e 0`, and CPU over it: on a loaded machine the CPU figure is the stabler */
const over = (name) => `node + ${f(ms[name] - ms.node0)} ms (CPU node + ${f(cpuMs[name] - cpuMs.node0)} ms)`;
const nativeRun = (name) => native(`${f(ms[name])} ms (CPU ${f(cpuMs[name])} ms)`);
const signed = (n) => `${n < 0 ? '−' : '+'} ${f(Math.abs(n))}`;
const ratio = (a, b) => (runs.native ? `${f(a / b, 2)}×` : '—');

const rows = [
  ['`node -e 0` (the floor)', `${f(ms.node0)} ms (CPU ${f(cpuMs.node0)} ms), ${f(rssMb.node0)} MB`, '—', ''],
  ['`gilbert ls` start-up', over('ls'), '—', '≤ node + 30 ms'],
  ['1-job run (`echo hi`)', over('one'), nativeRun('nativeOne'), '≤ node + 20 ms'],
  ['run using one Go plugin', over('plugin'), nativeRun('nativePlugin'), '≤ node + 35 ms'],
  ['run using one isolated Go plugin (`?isolate=true`)', ms.pluginIsolated === undefined ? 'not measured' : `in-process ${signed(ms.pluginIsolated - ms.plugin)} ms (CPU ${signed(cpuMs.pluginIsolated - cpuMs.plugin)} ms), ${f(rssMb.pluginIsolated)} MB`, '—', '≤ in-process + 40 ms'],
  ['marginal cost of a shell job, wall (100 jobs − 1 job) / 99', `${f(runs.marginalMs, 2)} ms (${ratio(runs.marginalMs, runs.nativeMarginalMs)} native)`, native(`${f(runs.nativeMarginalMs, 2)} ms`), '≤ 1.2× native'],
  ['marginal cost of a shell job, CPU', `${f(runs.marginalCpuMs, 2)} ms (${ratio(runs.marginalCpuMs, runs.nativeMarginalCpuMs)} native)`, native(`${f(runs.nativeMarginalCpuMs, 2)} ms`), ''],
  ['peak RSS, 100 shell jobs', `${f(rssMb.many)} MB (node + ${f(rssMb.many - rssMb.node0)})`, native(`${f(rssMb.nativeMany)} MB`), '≤ node + 20 MB'],
  ['peak RSS, one Go plugin', `${f(rssMb.plugin)} MB (node + ${f(rssMb.plugin - rssMb.node0)})`, native(`${f(rssMb.nativePlugin)} MB`), '≤ node + 20 MB + the plugin'],
];
if (bridge) {
  rows.push(
    ['Go no-op action round trip', `${f(bridge.roundTripUs, 1)} µs, CPU ${f(bridge.roundTripCpuUs, 1)} µs (all threads)`, `${f(bridge.native?.roundTripUs, 3)} µs (Go host)`, '≤ 20 µs'],
    ['log lines/s from 8 plugin goroutines', f(bridge.linesPerSec, 0), `${f(bridge.native?.linesPerSec, 0)} (Go host)`, '≥ 1,000,000'],
    ['Go plugin open / shim load', `${f(bridge.openMs, 2)} ms / ${f(bridge.shimLoadMs, 2)} ms`, `${f(bridge.native?.openMs, 2)} ms (Go host)`, '≤ 5 ms open'],
  );
}

const table = [
  `\`make bench\` on ${runs.date}: ${runs.machine};`,
  `load average ${runs.load.join(' → ')} while it ran (other work shares the machine: the`,
  `runs are interleaved, ${runs.rounds} rounds, medians; compare figures of the same run, not across runs).`,
  '',
  '| figure | gilbert-ts | native Gilbert v1.1.0 | target |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');

const text = readFileSync(readme, 'utf8');
const begin = '<!-- bench:begin (written by bench/readme.mjs) -->';
const end = '<!-- bench:end -->';
const from = text.indexOf(begin);
const to = text.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} block`);
writeFileSync(readme, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
console.log('README.md: benchmark table updated');
