/**
 * `make bench` (transports part): the bridge protocol over each transport,
 * the in-process shim and the Go host process, on the same plugin:
 *   round trip   — handler.call of a no-op Go action, awaited, one at a time
 *   memory       — 10,000 × (factory + call) of a no-op action: heap and RSS
 *                  after 1,000 and after 10,000 (GC forced), which must stay
 *                  flat: handlers and contexts are released when calls settle
 * Usage: node --expose-gc --import tsx bench/bridge-transports.ts <plugin.so> <gilbert-go-host>
 */
import { performance } from 'node:perf_hooks';
import { SinkLogger } from '../src/log/logger.js';
import { loadGoPlugin, loadIsolatedGoPlugin } from '../src/plugins/go/load.js';
import { RunContext } from '../src/runner/index.js';
import type { GilbertPlugin, JobRunner, Scope } from '../src/sdk/index.js';
import { createScope } from '../src/scope/index.js';

const [soPath, hostPath] = process.argv.slice(2);
if (!soPath || !hostPath) throw new Error('usage: bridge-transports.ts <plugin.so> <gilbert-go-host>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const log = new SinkLogger(() => undefined);
const scope: Scope = createScope({ projectDirectory: process.cwd() });
const runner = {} as JobRunner;

async function measure(plugin: GilbertPlugin) {
  const ctx = RunContext.root({ log });
  const noop = await plugin.actions.noop!(scope, {});
  for (let i = 0; i < 2000; i++) await noop.call(ctx, runner); // warm-up
  const calls = 20_000;
  let t = performance.now();
  for (let i = 0; i < calls; i++) await noop.call(ctx, runner);
  const roundTripUs = ((performance.now() - t) * 1000) / calls;

  const memory = async () => {
    // finalizers (the GC backstop releasing handlers) run after the GC that found them
    for (let i = 0; i < 3; i++) {
      gc!();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const m = process.memoryUsage();
    return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
  };
  const repeat = async (n: number) => {
    for (let i = 0; i < n; i++) await (await plugin.actions.noop!(scope, {})).call(RunContext.root({ log }), runner);
  };
  await repeat(1000);
  const after1k = await memory();
  await repeat(9000);
  const after10k = await memory();
  return { roundTripUs, after1k, after10k };
}

const inProcess = await measure(await loadGoPlugin(soPath));
const isolated = await measure(await loadIsolatedGoPlugin(soPath, { hostPath, log }));

const f = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log('bridge transports (same plugin)      in-process      Go host process');
console.log(`  round trip, no-op action (µs)  ${f(inProcess.roundTripUs).padStart(12)}  ${f(isolated.roundTripUs).padStart(19)}`);
for (const [label, key] of [['heap', 'heapMb'], ['RSS', 'rssMb']] as const) {
  const cell = (r: typeof inProcess) => `${f(r.after1k[key])} → ${f(r.after10k[key])}`;
  console.log(`  ${`${label} MB, 1,000 → 10,000 calls`.padEnd(30)} ${cell(inProcess).padStart(12)}  ${cell(isolated).padStart(19)}`);
}
process.exit(0); // the idle host process would end with us anyway
