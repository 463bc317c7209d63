// loadManifest on the good fixtures: typed tree, yaml.v2 scalar rules, locations, imports.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadManifest } from '../../src/manifest/index.js';
import { IntegralFloat } from '../../src/sdk/index.js';

/** Variable tables have no prototype (a var may be called `constructor`). */
const table = (entries: Record<string, string>): Record<string, string> => Object.assign(Object.create(null) as Record<string, string>, entries);

const good = resolve(import.meta.dirname, '../fixtures/manifests/good');
const floats = (values: unknown): number[] => {
  assert.ok(Array.isArray(values));
  return values.map((value) => {
    assert.ok(value instanceof IntegralFloat, `${String(value)} should be an IntegralFloat`);
    return value.value;
  });
};

test('basic manifest: every field typed, with locations', async () => {
  const file = join(good, 'basic/gilbert.yaml');
  const manifest = await loadManifest(file);
  assert.equal(manifest.file, file);
  assert.equal(manifest.projectDirectory, join(good, 'basic'));
  assert.equal(manifest.version, '1.0');
  // string fields take the scalar's text as written, like yaml.v2 does for Go string fields
  assert.deepEqual({ ...manifest.vars }, { appName: 'demo', enabled: 'yes', count: '010', ratio: '1.0', empty: '' });
  assert.deepEqual(
    manifest.plugins.map((plugin) => [plugin.url, plugin.declaredIn, plugin.location?.line]),
    [
      ['file://./plugins/example.so', file, 10],
      ['go://./tools/plugin', file, 11],
    ],
  );
  const [compile, runTest, greet] = manifest.tasks.build!.jobs;
  assert.deepEqual(compile, {
    location: { file, line: 20 },
    description: 'compile {{ appName }}',
    action: 'shell',
    if: 'test -d .',
    async: true,
    delay: 10,
    deadline: 1000,
    vars: table({ goos: 'linux', cgo: 'no' }),
    params: { command: 'go build -o build/{{ appName }} ./...', env: { CGO_ENABLED: 0 }, silent: false },
  });
  assert.deepEqual(runTest, { location: { file, line: 34 }, task: 'test' });
  assert.deepEqual(greet, { location: { file, line: 35 }, mixin: 'greet', vars: table({ who: 'world' }) });
  assert.equal(manifest.tasks.build!.location?.line, 19);
  assert.equal(manifest.tasks.test!.description, 'Runs the tests');
  assert.deepEqual(manifest.tasks.test!.jobs[0]!.location, { file, line: 41 });
  assert.equal(manifest.mixins.greet!.jobs[0]!.params!.command, 'echo hello {{ who }}');
  assert.equal(manifest.mixins.greet!.location?.line, 13);
});

test('scalars resolve as gopkg.in/yaml.v2 does', async () => {
  const manifest = await loadManifest(join(good, 'scalars/gilbert.yaml'));
  assert.deepEqual({ ...manifest.vars }, { yesText: 'yes', onText: 'On', intText: '0x1F', floatText: '1.0', nullText: '', quoted: 'yes' });
  const job = manifest.tasks.scalars!.jobs[0]!;
  assert.equal(job.description, 'yes');
  const params = job.params!;
  assert.deepEqual(params.bools, [...Array(11).fill(true), ...Array(11).fill(false)]);
  assert.deepEqual(params.notBools, ['yEs', 'tRUE', 'oN', 'yes', 'no']);
  assert.deepEqual(params.ints, [0, 42, -7, 5, 31, 15, 15, 5, 1000, -16]);
  assert.deepEqual(floats(params.integralFloats), [1, 1000, 8, 1, -2, Infinity, -Infinity]);
  assert.deepEqual(params.floats, [1.5, 0.5, -0.25, 0.0015, new IntegralFloat(6.02e23)]);
  assert.deepEqual(params.nulls, [null, null, null, null]);
  assert.deepEqual(params.strings, ['2019-01-02', '1.2.3', '0x', '+', '12abc', '_1', '1']);
  assert.deepEqual(params.nested, { key: 'value', list: ['a', { b: 'c' }] });
  // map keys keep their text: `yes:` is the key "yes", `1.0:` the key "1.0"
  assert.equal(params.yes, 'key text stays');
  assert.equal(params['1.0'], 'float key');
  assert.ok(params.nan instanceof IntegralFloat && Number.isNaN(params.nan.value));
});

test('template pass runs before YAML; locations point at the template lines', async () => {
  const file = join(good, 'template/gilbert.yaml');
  const manifest = await loadManifest(file);
  assert.deepEqual({ ...manifest.vars }, { platforms: '["linux","darwin","windows"]', commit: 'abc123' });
  const jobs = manifest.tasks['build-all']!.jobs;
  assert.deepEqual(
    jobs.map((job) => [job.description, job.params!.command, job.location!.line]),
    [
      ['build for linux (0)', 'GOOS=linux go build -o build/{{ name }}-linux', 9],
      ['build for darwin (1)', 'GOOS=darwin go build -o build/{{ name }}-darwin', 9],
      ['build for windows (2)', 'GOOS=windows go build -o build/{{ name }}-windows', 9],
    ],
  );
  assert.deepEqual(
    manifest.tasks.words!.jobs.map((job) => job.params!.command ?? job.params!.targets),
    [['linux', 'darwin', 'windows'], 'echo alpha', 'echo beta'],
  );
});

test('imports: importer wins, deepest merged first, plugins concatenated, diamond merged once', async () => {
  const root = join(good, 'imports/gilbert.yaml');
  const common = join(good, 'imports/lib/common.yaml');
  const other = join(good, 'imports/lib/other.yaml');
  const base = join(good, 'imports/lib/deeper/base.yaml');
  const manifest = await loadManifest(root);
  assert.deepEqual({ ...manifest.vars }, { owner: 'root', shared: 'common', fromBase: 'base', fromOther: 'other' });
  assert.deepEqual(
    manifest.plugins.map((plugin) => [plugin.url, plugin.declaredIn]),
    [
      ['file://root.so', root],
      ['file://common.so', common],
      ['file://base.so', base],
      ['file://other.so', other],
    ],
  );
  assert.equal(manifest.tasks.build!.jobs[0]!.params!.command, 'echo root build');
  assert.equal(manifest.tasks.lint!.jobs[0]!.params!.command, 'echo common lint');
  assert.equal(manifest.tasks.base!.jobs[0]!.location!.file, base);
  assert.equal(manifest.tasks.other!.jobs[0]!.location!.file, other);
  assert.equal(manifest.mixins.hello!.jobs[0]!.params!.command, 'echo common hello');
});

test('an empty manifest loads with no tasks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-manifest-'));
  try {
    writeFileSync(join(dir, 'gilbert.yaml'), '# nothing yet\n');
    const manifest = await loadManifest(join(dir, 'gilbert.yaml'));
    assert.deepEqual([{ ...manifest.tasks }, { ...manifest.mixins }, { ...manifest.vars }, manifest.plugins], [{}, {}, {}, []]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('template shell commands see options.env and run in the manifest folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-manifest-'));
  try {
    writeFileSync(join(dir, 'gilbert.yaml'), 'vars:\n  where: {{{ shell "printf %s $(pwd)" }}}\n  token: {{{ shell "printf %s $TOKEN" }}}\n');
    const manifest = await loadManifest(join(dir, 'gilbert.yaml'), { env: { PATH: process.env.PATH, TOKEN: 't-42' } });
    assert.deepEqual({ ...manifest.vars }, { where: dir, token: 't-42' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('YAML merge keys and anchors work as in yaml.v2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-manifest-'));
  try {
    writeFileSync(
      join(dir, 'gilbert.yaml'),
      'mixins:\n  base: &job\n    - action: shell\n      params: &params\n        shell: /bin/bash\ntasks:\n  a:\n    - action: shell\n      params:\n        <<: *params\n        command: echo a\n  b: *job\n',
    );
    const manifest = await loadManifest(join(dir, 'gilbert.yaml'));
    assert.deepEqual(manifest.tasks.a!.jobs[0]!.params, { shell: '/bin/bash', command: 'echo a' });
    assert.equal(manifest.tasks.b!.jobs[0]!.action, 'shell');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a repeated key replaces the earlier one, as yaml.v2 (non-strict) did for Gilbert', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-manifest-'));
  try {
    writeFileSync(join(dir, 'gilbert.yaml'), 'vars:\n  name: first\n  name: second\ntasks:\n  build:\n    - action: one\n  build:\n    - action: two\n');
    const manifest = await loadManifest(join(dir, 'gilbert.yaml'));
    assert.equal(manifest.vars.name, 'second');
    assert.equal(manifest.tasks.build!.jobs[0]!.action, 'two');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('template shell commands of imported files also run in the project folder, as Gilbert ran them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gilbert-manifest-'));
  try {
    writeFileSync(join(dir, 'gilbert.yaml'), 'imports:\n  - sub/inc.yaml\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub/inc.yaml'), 'vars:\n  where: {{{ shell "printf %s $(pwd)" }}}\n');
    const manifest = await loadManifest(join(dir, 'gilbert.yaml'));
    assert.equal(manifest.vars.where, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
