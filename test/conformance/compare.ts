/**
 * Development aid: runs gilbert-ts on the cases and prints where it differs
 * from the expectation (intended/ if present, else golden/).
 *   node --import tsx test/conformance/compare.ts [name-prefix]
 *   node --import tsx test/conformance/compare.ts --accept name…   (writes gilbert-ts's outcome to intended/:
 *     only for a deliberate difference, which then needs its README row)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { combined, GOLDEN, INTENDED, loadCases, matches, readOutcome, runCase, writeOutcome } from './harness.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const accept = process.argv[2] === '--accept' ? process.argv.slice(3) : undefined;
const only = accept ? '' : (process.argv[2] ?? '');
let failed = 0;
for (const testCase of await loadCases()) {
  if (!testCase.name.startsWith(only)) continue;
  if (accept) {
    if (!accept.includes(testCase.name)) continue;
    await writeOutcome(INTENDED, testCase.name, await runCase(testCase, [process.execPath, CLI], 120_000));
    process.stdout.write(`accepted ${testCase.name}\n`);
    continue;
  }
  const expected = (await readOutcome(INTENDED, testCase.name)) ?? (await readOutcome(GOLDEN, testCase.name));
  const actual = await runCase(testCase, [process.execPath, CLI]);
  if (!expected) {
    process.stdout.write(`?? ${testCase.name}: no golden\n`);
    continue;
  }
  if (matches(expected, actual, testCase.compare)) continue;
  failed++;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-diff-'));
  writeFileSync(path.join(dir, 'expected'), combined(expected));
  writeFileSync(path.join(dir, 'ours'), combined(actual));
  const diff = spawnSync('diff', ['-u', 'expected', 'ours'], { cwd: dir, encoding: 'utf8' }).stdout;
  process.stdout.write(`## ${testCase.name}: exit ${expected.code} vs ours ${actual.code}\n${diff.split('\n').slice(2).join('\n')}\n`);
}
process.stdout.write(`${failed} differ\n`);
