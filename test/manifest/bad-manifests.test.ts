// Every manifest under test/fixtures/manifests/bad/ must fail to load with a
// ManifestError whose message and location match expectations.json.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { ManifestError } from '../../src/errors.js';
import { loadManifest } from '../../src/manifest/index.js';

const badDir = resolve(import.meta.dirname, '../fixtures/manifests/bad');
const expectations = JSON.parse(readFileSync(join(badDir, 'expectations.json'), 'utf8')) as Record<
  string,
  { message: string; line: number; file?: string }
>;
// Messages show paths relative to the working directory, as the CLI would from the project folder.
process.chdir(badDir);

test('every bad fixture has an expectation, and there are at least 40', () => {
  const fixtures = readdirSync(badDir).filter((name) => name.endsWith('.yaml'));
  assert.ok(fixtures.length >= 40, `only ${fixtures.length} bad manifests`);
  assert.deepEqual(fixtures.filter((name) => !expectations[name]), []);
});

for (const [name, expected] of Object.entries(expectations)) {
  if (name.startsWith('_')) continue;
  test(`bad manifest ${name}`, async () => {
    const error = await loadManifest(join(badDir, name)).then(
      () => assert.fail(`${name} loaded without error`),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ManifestError, `not a ManifestError: ${String(error)}`);
    assert.ok(error.message.includes(expected.message), `message:\n${error.message}\nexpected to contain:\n${expected.message}`);
    assert.deepEqual(error.location, { file: join(badDir, expected.file ?? name), line: expected.line });
    assert.ok(error.message.startsWith(`${expected.file ?? name}:${expected.line}: `), `message should start with file:line: ${error.message}`);
    assert.ok(error.hint && error.hint.length > 0, 'a user error carries a hint');
    assert.equal(error.exitCode, 1);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');
  });
}

test('a missing manifest names the path', async () => {
  await assert.rejects(loadManifest(join(badDir, 'does-not-exist.yaml')), (error: unknown) => {
    assert.ok(error instanceof ManifestError);
    assert.match(error.message, /manifest file not found at 'does-not-exist\.yaml'/);
    return true;
  });
});
