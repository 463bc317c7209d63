/**
 * Development aid: runs gilbert-ts on the cases and prints where it differs
 * from the expectation (intended/ if present, else golden/).
 *   node --import tsx test/conformance/compare.ts [name-prefix]
 */
import { fileURLToPath } from 'node:url';
import { combined, GOLDEN, INTENDED, loadCases, readOutcome, runCase } from './harness.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const only = process.argv[2] ?? '';
let failed = 0;
for (const testCase of await loadCases()) {
  if (!testCase.name.startsWith(only)) continue;
  const expected = (await readOutcome(INTENDED, testCase.name)) ?? (await readOutcome(GOLDEN, testCase.name));
  const actual = await runCase(testCase, [process.execPath, CLI]);
  if (!expected) {
    process.stdout.write(`?? ${testCase.name}: no golden\n`);
    continue;
  }
  if (expected.code === actual.code && combined(expected) === combined(actual)) continue;
  failed++;
  process.stdout.write(`## ${testCase.name}: exit ${expected.code} vs ours ${actual.code}\n--- expected\n${combined(expected)}--- ours\n${combined(actual)}\n`);
}
process.stdout.write(`${failed} differ\n`);
