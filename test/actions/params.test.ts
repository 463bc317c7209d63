import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeParams, p, ParamError, unknownParams } from '../../src/actions/params.js';
import { GilbertError } from '../../src/errors.js';
import { IntegralFloat, type ActionParams } from '../../src/sdk/index.js';

const ctx = { action: 'build', location: { file: 'gilbert.yaml', line: 12 } };

const buildShape = {
  source: p.string().default(''),
  buildMode: p.string(),
  target: p.object({ os: p.string(), arch: p.string() }),
  variables: p.stringMap().default({}),
  tags: p.stringList().default([]),
  params: p.object({ stripDebugInfo: p.bool().default(false), linkerFlags: p.stringList().default([]) }),
};

function errorOf(fn: () => unknown): ParamError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ParamError, `expected a ParamError, got ${String(error)}`);
    assert.ok(error instanceof GilbertError);
    assert.equal(error.exitCode, 1);
    return error;
  }
  assert.fail('expected an error');
}

describe('decodeParams', () => {
  it('decodes nested params, filling defaults for what is absent', () => {
    const options = decodeParams(buildShape, { source: './cmd', target: { os: 'windows' }, tags: ['a', 'b'] }, ctx);
    assert.deepEqual(options, {
      source: './cmd',
      buildMode: undefined,
      target: { os: 'windows', arch: undefined },
      variables: {},
      tags: ['a', 'b'],
      params: { stripDebugInfo: false, linkerFlags: [] },
    });
  });

  it('matches field names case-insensitively, as mapstructure did', () => {
    const options = decodeParams(buildShape, { BuildMode: 'plugin', PARAMS: { stripdebuginfo: true } }, ctx);
    assert.equal(options.buildMode, 'plugin');
    assert.equal(options.params.stripDebugInfo, true);
  });

  it('treats null like an absent param (mapstructure leaves the field alone)', () => {
    const options = decodeParams(buildShape, { source: null, tags: null }, ctx);
    assert.equal(options.source, '');
    assert.deepEqual(options.tags, []);
  });

  it('gives each decode its own copy of list defaults', () => {
    const first = decodeParams(buildShape, {}, ctx);
    first.tags.push('x');
    assert.deepEqual(decodeParams(buildShape, {}, ctx).tags, []);
  });

  it('names the action, dotted param, expected and actual type and the location on a wrong type', () => {
    const error = errorOf(() => decodeParams(buildShape, { target: { os: ['linux'] } }, ctx));
    assert.equal(error.message, "build: param 'target.os' must be a string, got list");
    assert.deepEqual(error.location, { file: 'gilbert.yaml', line: 12 }, 'the location travels beside the message');
    assert.equal(error.param, 'target.os');
  });

  it('ignores an unknown param, as mapstructure did; strict rejects it and lists the known ones', () => {
    assert.equal(decodeParams(buildShape, { target: { oss: 'linux', os: 'plan9' } }, ctx).target.os, 'plan9');
    const error = errorOf(() => decodeParams(buildShape, { target: { oss: 'linux' } }, { ...ctx, strict: true }));
    assert.match(error.message, /^build: unknown param 'target\.oss' \(known params: os, arch\)$/);
  });

  it('lists unknown params, nested ones included, matching keys case-insensitively', () => {
    const found = unknownParams(buildShape, { Source: '.', sourc: 'x', target: { OS: 'linux', oss: 'x' }, variables: { anything: 'goes' } });
    assert.deepEqual(
      found.map((item) => item.path),
      ['sourc', 'target.oss'],
    );
    assert.deepEqual(found[1]!.known, ['os', 'arch']);
  });

  it('rejects two spellings of the same field', () => {
    const error = errorOf(() => decodeParams(buildShape, { source: 'a', Source: 'b' }, ctx));
    assert.match(error.message, /'source' and 'Source' both set 'source'/);
  });

  it('does not coerce between scalar types (mapstructure default is not weakly typed)', () => {
    assert.match(errorOf(() => decodeParams(buildShape, { source: 12 }, ctx)).message, /'source' must be a string, got number/);
    assert.match(
      errorOf(() => decodeParams(buildShape, { params: { stripDebugInfo: 'yes' } }, ctx)).message,
      /'params\.stripDebugInfo' must be a bool \(true or false\), got string/,
    );
    assert.match(errorOf(() => decodeParams(buildShape, { tags: 'a' }, ctx)).message, /'tags' must be a list of strings, got string/);
    assert.match(errorOf(() => decodeParams(buildShape, { tags: ['a', 1] }, ctx)).message, /'tags\[1\]' must be a string, got number/);
    assert.match(errorOf(() => decodeParams(buildShape, { variables: { 'main.x': true } }, ctx)).message, /'variables\.main\.x' must be a string, got bool/);
    assert.match(errorOf(() => decodeParams(buildShape, { target: 'linux' }, ctx)).message, /'target' must be a map, got string/);
  });

  it('accepts numbers for number params, including integral floats, and checks ranges', () => {
    const shape = { threshold: p.number({ min: 0, max: 100 }).default(0), count: p.int({ min: 1 }) };
    const cover = { action: 'cover' };
    assert.equal(decodeParams(shape, { threshold: 12.5 }, cover).threshold, 12.5);
    assert.equal(decodeParams(shape, { threshold: new IntegralFloat(50) }, cover).threshold, 50);
    assert.equal(decodeParams(shape, { count: new IntegralFloat(3) }, cover).count, 3);
    assert.equal(errorOf(() => decodeParams(shape, { threshold: 120 }, cover)).message, "cover: param 'threshold' must be between 0 and 100, got 120");
    assert.equal(errorOf(() => decodeParams(shape, { count: 1.5 }, cover)).message, "cover: param 'count' must be an integer, got 1.5");
    assert.equal(errorOf(() => decodeParams(shape, { count: 0 }, cover)).message, "cover: param 'count' must be at least 1, got 0");
    assert.equal(errorOf(() => decodeParams(shape, { threshold: '50' }, cover)).message, "cover: param 'threshold' must be a number, got string");
  });

  it('decodes periods as whole, non-negative milliseconds', () => {
    const shape = { debounceTime: p.period().default(500) };
    const watch = { action: 'watch' };
    assert.equal(decodeParams(shape, {}, watch).debounceTime, 500);
    assert.equal(decodeParams(shape, { debounceTime: 200 }, watch).debounceTime, 200);
    assert.match(errorOf(() => decodeParams(shape, { debounceTime: -1 }, watch)).message, /'debounceTime' must be at least 0, got -1/);
  });

  it('checks enums and quotes the offending value', () => {
    const shape = { sort: p.object({ by: p.enum(['coverage', 'name'] as const).default('coverage') }) };
    assert.equal(decodeParams(shape, {}, { action: 'cover' }).sort.by, 'coverage');
    assert.equal(decodeParams(shape, { sort: { by: 'name' } }, { action: 'cover' }).sort.by, 'name');
    assert.equal(
      errorOf(() => decodeParams(shape, { sort: { by: 'size' } }, { action: 'cover' })).message,
      "cover: param 'sort.by' must be one of 'coverage', 'name', got 'size'",
    );
  });

  it('reports a missing required param, with a custom message when given', () => {
    const shape = { run: p.any().required('job to run is not defined'), path: p.string().required() };
    const watch = { action: 'watch' };
    assert.equal(errorOf(() => decodeParams(shape, { path: '.' }, watch)).message, 'job to run is not defined', "Gilbert's own message, as it was");
    assert.equal(errorOf(() => decodeParams(shape, { run: {} }, watch)).message, "watch: param 'path' is required");
    const raw: ActionParams = { run: { action: 'shell', params: { command: 'true' } }, path: '.' };
    assert.deepEqual(decodeParams(shape, raw, watch).run, raw.run);
  });

  it('accepts absent params as an empty map', () => {
    assert.deepEqual(decodeParams({ verbose: p.bool().default(false) }, undefined, { action: 'go-get' }), { verbose: false });
  });
});
