// The JSON Schema of gilbert.yaml (src/manifest/schema.ts) against the
// validator it is generated from: for every manifest fixture, a real JSON
// Schema validator (ajv) and gilbert's own validator must agree on whether
// the file is valid. The shipped file and `gilbert schema` must be that schema.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { schemaFileUrl, manifestSchema, manifestSchemaText } from '../../src/manifest/schema.js';
import { renderTemplate } from '../../src/manifest/template/index.js';
import { InvalidManifest, validateManifest } from '../../src/manifest/validate.js';
import { YamlScalar, parseYaml } from '../../src/manifest/yaml.js';
import { scaffoldPlugin } from '../../src/scaffold/index.js';
import { IntegralFloat } from '../../src/sdk/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const validateWithSchema = ajv.compile(manifestSchema());

class NotJson extends Error {}

/** The parsed YAML as an editor's YAML parser hands it to a schema validator: plain JSON values. */
function plain(value: unknown, ancestors = new Set<object>()): unknown {
  if (value instanceof YamlScalar) return plain(value.value);
  if (value instanceof IntegralFloat) return value.value;
  if (value === null || typeof value !== 'object') return value;
  // an alias to one of its own parents: no JSON value, so nothing for a schema to say
  if (ancestors.has(value)) throw new NotJson();
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => plain(item, ancestors));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item, ancestors)]));
  } finally {
    ancestors.delete(value);
  }
}

type Verdict = { parsed: unknown; valid: boolean; error?: string } | undefined;

/** gilbert's verdict on one file alone; undefined when it fails before validation (template, YAML syntax). */
async function validatorVerdict(file: string): Promise<Verdict> {
  let text = await readFile(file, 'utf8');
  let sourceLine = (line: number) => line;
  try {
    if (text.includes('{{{')) ({ text, sourceLine } = renderTemplate(text, { name: path.basename(file), cwd: path.dirname(file) }));
  } catch {
    return undefined;
  }
  let parsed;
  let json: unknown;
  try {
    parsed = parseYaml(text, file);
    json = plain(parsed.root);
  } catch {
    return undefined;
  }
  try {
    // the schema says what a manifest should be: the validator's strict verdict (by default it only warns about what Gilbert tolerated)
    validateManifest(parsed, file, text, sourceLine, { strict: true });
    return { parsed: json, valid: true };
  } catch (error) {
    if (!(error instanceof InvalidManifest)) throw error;
    return { parsed: json, valid: false, error: error.message };
  }
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name)).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the JSON Schema of gilbert.yaml', () => {
  it('compiles under ajv strict mode', () => {
    assert.equal(typeof validateWithSchema, 'function');
  });

  it('agrees with the validator on every manifest fixture and example', async () => {
    const files = [
      ...(await yamlFiles(path.join(repo, 'test/fixtures/manifests'))),
      ...(await yamlFiles(path.join(repo, 'test/fixtures/e2e'))),
      ...(await yamlFiles(path.join(repo, 'examples'))),
    ].sort();
    let valid = 0;
    let invalid = 0;
    for (const file of files) {
      const verdict = await validatorVerdict(file);
      if (!verdict) continue;
      const schemaValid = validateWithSchema(verdict.parsed);
      const where = path.relative(repo, file);
      assert.equal(
        schemaValid,
        verdict.valid,
        verdict.valid ? `${where} is valid, but the schema rejects it: ${ajv.errorsText(validateWithSchema.errors)}` : `${where} is invalid (${verdict.error}), but the schema accepts it`,
      );
      if (verdict.valid) valid++;
      else invalid++;
    }
    // the fixtures hold dozens of each; a glob gone wrong must not pass with none
    assert.ok(valid >= 20, `only ${valid} valid manifests checked`);
    assert.ok(invalid >= 30, `only ${invalid} invalid manifests checked`);
  });

  it('accepts the manifests gilbert init and both plugin scaffolds write', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gilbert-schema-'));
    try {
      for (const kind of ['ts', 'go'] as const) {
        const project = path.join(dir, kind);
        await scaffoldPlugin(kind, project);
        const manifest = path.join(project, 'gilbert.yaml');
        const text = await readFile(manifest, 'utf8');
        assert.equal(text.split('\n')[0], `# yaml-language-server: $schema=${schemaFileUrl()}`);
        const verdict = await validatorVerdict(manifest);
        assert.ok(verdict?.valid);
        assert.ok(validateWithSchema(verdict.parsed), ajv.errorsText(validateWithSchema.errors));
      }
      const { STARTER_MANIFEST } = await import('../../src/cli/init.js');
      assert.ok(validateWithSchema(plain(parseYaml(STARTER_MANIFEST, 'gilbert.yaml').root)), ajv.errorsText(validateWithSchema.errors));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects what gilbert rejects, naming the place', () => {
    const check = (yaml: string) => {
      const ok = validateWithSchema(plain(parseYaml(yaml, 'x.yaml').root));
      return ok ? 'valid' : ajv.errorsText(validateWithSchema.errors);
    };
    assert.equal(check('tasks:\n  a:\n    - action: shell\n      async: yes\n      delay: 1e3\n'), 'valid');
    assert.match(check('tasks:\n  a:\n    - action: shell\n      asnyc: true\n'), /must NOT have additional properties/);
    assert.match(check('tasks:\n  a:\n    - action: shell\n      task: b\n'), /must match exactly one schema in oneOf/);
    assert.match(check('tasks:\n  a:\n    - description: nothing to run\n'), /oneOf/);
    assert.match(check('tasks:\n  a: []\n'), /fewer than 1 items|oneOf/);
    assert.match(check('vars:\n  a: [1]\n'), /\/vars\/a must be/);
    assert.match(check('plugins:\n  - ""\n'), /\/plugins\/0/);
    assert.match(check('tasks:\n  a:\n    - action: shell\n      deadline: -1\n'), /must be >= 0/);
  });

  it('is what `gilbert schema` prints and what the package ships', async () => {
    const { stdout } = await run(process.execPath, [path.join(repo, 'dist/cli/main.js'), 'schema'], { timeout: 30_000 });
    assert.equal(stdout, manifestSchemaText());
    assert.equal(await readFile(fileURLToPath(schemaFileUrl()), 'utf8'), stdout, 'gilbert.schema.json is stale: run make build');
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, string> };
    assert.ok(pkg.files.includes('gilbert.schema.json'));
    assert.equal(pkg.exports['./gilbert.schema.json'], './gilbert.schema.json');
  });
});
