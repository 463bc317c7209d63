// Shared by the benchmarks: one run's wall and CPU time and peak RSS; medians.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env, NO_COLOR: '1' };
/** bench/measure (built by `make bench`): reports a run's rusage to the microsecond */
const measureTool = fileURLToPath(new URL('.out/measure', import.meta.url));

/**
 * One `<file> <args>` run in `cwd` (output discarded), through bench/measure:
 * wall and user+system CPU milliseconds and peak RSS in MB, children
 * included; throws if the run fails.
 */
export function measureRun(file, args, cwd) {
  const result = spawnSync(measureTool, [file, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${result.status ?? result.error ?? result.signal}): ${result.stderr}`);
  const [wallUs, cpuUs, rssKb] = result.stdout.trim().split(' ').map(Number);
  return { ms: wallUs / 1000, cpuMs: cpuUs / 1000, rssMb: rssKb / 1024 };
}

/** Milliseconds one `node <args>` run takes in `cwd`; throws if it fails. */
export function timeOnce(args, cwd) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
