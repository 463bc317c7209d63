// The differential conformance suite: gilbert-ts against what native Gilbert
// v1.1.0 printed for the same case (golden/, recorded by `make conformance
// NATIVE_GILBERT=…`), or against intended/ where gilbert-ts deliberately
// differs — each such case is a row of the README's table.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { combined, GOLDEN, INTENDED, loadCases, matches, readOutcome, runCase } from './harness.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const cases = await loadCases();

/** The case names in the README's table of deliberate differences. */
function readmeTableCases(): Set<string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('<!-- conformance:begin -->');
  const end = text.indexOf('<!-- conformance:end -->');
  assert.ok(start >= 0 && end > start, 'README has the conformance table between its markers');
  return new Set([...text.slice(start, end).matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1]!));
}

describe('conformance with native Gilbert v1.1.0', () => {
  it('has at least 80 cases, each with a golden from native or an intended outcome listed in the README', async () => {
    assert.ok(cases.length >= 80, `only ${cases.length} cases`);
    const listed = readmeTableCases();
    for (const testCase of cases) {
      const golden = await readOutcome(GOLDEN, testCase.name);
      const intended = await readOutcome(INTENDED, testCase.name);
      if (testCase.native?.startsWith('skip')) assert.ok(intended, `${testCase.name}: not recorded from native, so it needs intended/${testCase.name}.json`);
      else assert.ok(golden, `${testCase.name}: no golden; run make conformance NATIVE_GILBERT=…`);
      if (intended) assert.ok(listed.has(testCase.name), `${testCase.name} differs from native on purpose but is not in the README table`);
    }
    for (const name of listed) assert.ok(existsSync(`${INTENDED}/${name}.json`), `README lists ${name}, which has no intended outcome`);
  });

  describe('cases', { concurrency: 2 }, () => {
    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.about.split('\n')[0]}`, async () => {
        const expected = (await readOutcome(INTENDED, testCase.name)) ?? (await readOutcome(GOLDEN, testCase.name));
        assert.ok(expected, `no expected outcome for ${testCase.name}`);
        const actual = await runCase(testCase, [process.execPath, CLI], 120_000);
        if (!matches(expected, actual, testCase.compare)) {
          assert.equal(actual.code, expected.code, `exit status\n--- output:\n${combined(actual)}`);
          assert.equal(combined(actual), combined(expected));
        }
      });
    }
  });
});
