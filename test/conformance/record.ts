/**
 * Re-records the golden files from a native Gilbert v1.1.0 binary:
 *   make conformance NATIVE_GILBERT=/path/to/gilbert [CASES=name-prefix]
 * Its output is a fact about native Gilbert, committed as is; gilbert-ts's
 * deliberate differences live in intended/, never in golden/.
 */
import { existsSync } from 'node:fs';
import { GOLDEN, loadCases, runCase, writeOutcome } from './harness.js';

const native = process.env.NATIVE_GILBERT;
if (!native || !existsSync(native)) {
  process.stderr.write(`NATIVE_GILBERT must name a native Gilbert v1.1.0 binary (got '${native ?? ''}')\n`);
  process.exit(1);
}
const only = process.env.CASES ?? '';
for (const testCase of await loadCases()) {
  if (!testCase.name.startsWith(only)) continue;
  if (testCase.native?.startsWith('skip')) {
    process.stdout.write(`${testCase.name}: not recorded, ${testCase.native}\n`);
    continue;
  }
  const outcome = await runCase(testCase, [native], 180_000);
  await writeOutcome(GOLDEN, testCase.name, outcome);
  process.stdout.write(`${testCase.name}: exit ${outcome.code}\n`);
}
