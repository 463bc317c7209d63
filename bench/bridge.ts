/**
 * `make bench` (bridge part): the Go bridge measured from TypeScript, beside
 * bench/bridge-native (the same plugin called by a Go host: the floor).
 *   round trip  — handler.call of a no-op Go action, awaited, one at a time
 *   log lines/s — 8 plugin goroutines × 125,000 lines into a TS Logger
 *   open        — loading the shim, then opening the plugin
 * Usage: node --import tsx bench/bridge.ts <plugin.so> [native.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { connectShim } from '../src/bridge/index.js';
import { SinkLogger } from '../src/log/logger.js';
import { loadGoPlugin } from '../src/plugins/go/load.js';
import { RunContext } from '../src/runner/index.js';
import type { JobRunner, Scope } from '../src/sdk/index.js';
import { createScope } from '../src/scope/index.js';

const [soPath, nativeJson] = process.argv.slice(2);
if (!soPath) throw new Error('usage: bridge.ts <plugin.so> [native.json]');

let t = performance.now();
connectShim();
const shimLoadMs = performance.now() - t;
t = performance.now();
const plugin = await loadGoPlugin(soPath);
const openMs = performance.now() - t;

let lines = 0;
const ctx = RunContext.root({ log: new SinkLogger(() => void lines++) });
const scope: Scope = createScope({ projectDirectory: process.cwd() });
const runner = {} as JobRunner;

const noop = await plugin.actions.noop!(scope, {});
for (let i = 0; i < 2000; i++) await noop.call(ctx, runner); // warm-up
const calls = 50_000;
// process-wide CPU (every thread: Node's and Go's): what a round trip costs the machine, spinning included
const cpuBefore = process.cpuUsage();
t = performance.now();
for (let i = 0; i < calls; i++) await noop.call(ctx, runner);
const roundTripUs = ((performance.now() - t) * 1000) / calls;
const cpu = process.cpuUsage(cpuBefore);
const roundTripCpuUs = (cpu.user + cpu.system) / calls;

const creates = 10_000;
t = performance.now();
for (let i = 0; i < creates; i++) await (await plugin.actions.noop!(scope, {})).call(ctx, runner);
const createCallUs = ((performance.now() - t) * 1000) / creates;

const goroutines = 8;
const perGoroutine = 125_000;
const flood = await plugin.actions.flood!(scope, { goroutines, lines: perGoroutine });
lines = 0;
t = performance.now();
await flood.call(ctx, runner);
const floodS = (performance.now() - t) / 1000;
if (lines !== goroutines * perGoroutine) throw new Error(`lost log lines: ${lines}`);
const linesPerSec = lines / floodS;

const native = nativeJson ? (JSON.parse(readFileSync(nativeJson, 'utf8')) as { openMs: number; roundTripUs: number; linesPerSec: number }) : undefined;
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits }));
const rows: [string, string, string, string][] = [
  ['round trip, no-op action (µs)', fmt(roundTripUs, 2), fmt(native?.roundTripUs, 3), '≤ 20'],
  ['CPU per round trip, all threads (µs)', fmt(roundTripCpuUs, 2), '-', 'reported'],
  ['factory + call, no-op (µs)', fmt(createCallUs, 2), '-', '-'],
  ['log lines/s from 8 goroutines', fmt(linesPerSec, 0), fmt(native?.linesPerSec, 0), '≥ 1,000,000'],
  ['plugin open (ms)', fmt(openMs, 2), fmt(native?.openMs, 2), '≤ 5'],
  ['shim load, once per process (ms)', fmt(shimLoadMs, 2), '-', '-'],
];
const header: [string, string, string, string] = ['bridge benchmark', 'TypeScript', 'native Go', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));

const out = new URL('.out/', import.meta.url);
mkdirSync(out, { recursive: true });
const figures = { roundTripUs, roundTripCpuUs, createCallUs, linesPerSec, openMs, shimLoadMs, native };
writeFileSync(new URL('bridge.json', out), JSON.stringify(figures, null, 2) + '\n');
