// The cap on param values (issue 14, item 14): a long list is called long,
// and only a real alias expansion is blamed on YAML aliases.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManifestError } from '../../src/errors.js';
import { loadManifest } from '../../src/manifest/index.js';
import { InvalidManifest, MAX_PARAM_VALUES, validateManifest } from '../../src/manifest/validate.js';

test('a list of a million values written out is "more than N values", not an alias expansion', () => {
  // built in memory: parsing a million-item YAML list takes seconds, and the cap is the validator's
  const items = new Array<number>(MAX_PARAM_VALUES).fill(0);
  const root = { version: '1.0', tasks: { t: [{ action: 'shell', params: { items } }] } };
  assert.throws(
    () => validateManifest({ root, lines: new WeakMap() }, '/p/gilbert.yaml', ''),
    (error: unknown) => {
      assert.ok(error instanceof InvalidManifest);
      assert.equal(error.message, `params hold more than ${MAX_PARAM_VALUES} values`);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /alias/i);
      return true;
    },
  );
});

test('an alias bomb is blamed on aliases, quickly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-params-cap-'));
  try {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const file = join(dir, 'gilbert.yaml');
    writeFileSync(file, `version: "1.0"\ntasks:\n  t:\n  - action: shell\n    params:\n      ${levels.join('\n      ')}\n`);
    await assert.rejects(loadManifest(file), (error: Error) => {
      assert.match(error.message, new RegExp(`params expand to more than ${MAX_PARAM_VALUES} values through YAML aliases`));
      assert.equal((error as ManifestError).location?.line, 5);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
