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
    // strict: what Gilbert tolerated is an error too
    const error = await loadManifest(join(badDir, name), { strict: true }).then(
      () => assert.fail(`${name} loaded without error`),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ManifestError, `not a ManifestError: ${String(error)}`);
    assert.ok(error.message.includes(expected.message), `message:\n${error.message}\nexpected to contain:\n${expected.message}`);
    assert.deepEqual(error.location, { file: join(badDir, expected.file ?? name), line: expected.line });
    // Gilbert's wording first; the location travels beside the message
    assert.match(error.message, /^(failed to parse manifest file:\n {2}|failed to resolve imports in manifest file - )/);
    assert.ok((error.hint && error.hint.length > 0) || error.message.includes('[Error in file]'), 'a user error carries a hint or shows the text');
    assert.equal(error.exitCode, 1);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');

    // Without strict, what Gilbert loaded loads, the problem a warning at the same place
    const tolerant = await loadManifest(join(badDir, name)).then(
      (manifest) => manifest,
      () => undefined,
    );
    if (tolerant) {
      const warning = tolerant.warnings?.find((item) => expected.message.includes(item.message) || item.message.includes(expected.message));
      assert.ok(warning, `loaded without strict but no warning like '${expected.message}': ${JSON.stringify(tolerant.warnings)}`);
      assert.deepEqual(warning.location, { file: join(badDir, expected.file ?? name), line: expected.line });
    }
  });
}

test('what Gilbert loaded loads without strict: unknown fields, empty tasks, several handlers, the legacy plugin key', async () => {
  const tolerated = [];
  for (const name of Object.keys(expectations).filter((key) => !key.startsWith('_'))) {
    if (await loadManifest(join(badDir, name)).then(() => true, () => false)) tolerated.push(name);
  }
  for (const name of ['unknown-top-level-key.yaml', 'task-empty.yaml', 'task-empty-list.yaml', 'job-unknown-field.yaml']) {
    assert.ok(tolerated.includes(name), `${name} should load with a warning; tolerated: ${tolerated.join(', ')}`);
  }
  assert.ok(!tolerated.includes('yaml-bad-indent.yaml') && !tolerated.includes('tasks-list.yaml'), 'real errors stay errors');
});

test('a missing manifest names the path', async () => {
  await assert.rejects(loadManifest(join(badDir, 'does-not-exist.yaml')), (error: unknown) => {
    assert.ok(error instanceof ManifestError);
    assert.equal(error.message, `manifest file not found at '${join(badDir, 'does-not-exist.yaml')}'`);
    return true;
  });
});
