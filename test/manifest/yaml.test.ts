// Plain scalar resolution, case by case, against gopkg.in/yaml.v2's resolve().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolvePlainScalar } from '../../src/manifest/yaml.js';
import { IntegralFloat } from '../../src/sdk/index.js';

const float = (value: number): IntegralFloat => new IntegralFloat(value);

const cases: [string, unknown][] = [
  // null: "", ~ and three spellings of null
  ['', null], ['~', null], ['null', null], ['Null', null], ['NULL', null], ['nULL', undefined],
  // booleans: only the spellings in yaml.v2's table
  ['y', true], ['Y', true], ['yes', true], ['Yes', true], ['YES', true], ['on', true], ['On', true], ['ON', true], ['True', true],
  ['n', false], ['NO', false], ['off', false], ['Off', false], ['FALSE', false], ['yEs', undefined], ['oN', undefined], ['tRUE', undefined],
  // ints: strconv.ParseInt(s, 0, 64) after removing underscores
  ['0', 0], ['-7', -7], ['+5', 5], ['0x1F', 31], ['0X1f', 31], ['-0x10', -16], ['0o17', 15], ['017', 15], ['0777', 511], ['0b101', 5],
  ['-0b11', -3], ['1_000', 1000], ['1__0', 10], ['0x_1F', 31], ['9223372036854775807', 9223372036854775807],
  ['18446744073709551615', 18446744073709551615],
  // floats: integral ones are boxed so Go plugins get float64
  ['1.0', float(1)], ['1.', float(1)], ['1e3', float(1000)], ['-2.0', float(-2)], ['08', float(8)], ['089', float(89)],
  ['18446744073709551616', float(18446744073709551616)], ['1.5', 1.5], ['.5', 0.5], ['-.5', -0.5], ['+.5', 0.5], ['1_000.5', 1000.5],
  ['1.5e-3', 0.0015], ['.inf', float(Infinity)], ['-.Inf', float(-Infinity)], ['+.INF', float(Infinity)],
  // strings
  ['.', undefined], ['0x', undefined], ['-', undefined], ['+', undefined], ['1e', undefined], ['12abc', undefined], ['_1', undefined],
  ['1.2.3', undefined], ['2019-01-02', undefined], ['2019-01-02T10:00:00Z', undefined], ['abc', undefined], ['.nan.', undefined],
];

for (const [text, expected] of cases) {
  test(`plain scalar ${JSON.stringify(text)}`, () => {
    assert.deepEqual(resolvePlainScalar(text), expected);
  });
}

test('.nan is a NaN float', () => {
  const value = resolvePlainScalar('.NaN');
  assert.ok(value instanceof IntegralFloat && Number.isNaN(value.value));
});
