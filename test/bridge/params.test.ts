import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntegralFloat } from '../../src/sdk/index.js';
import { harness } from './helpers.js';

test('params reach the plugin as the Go types yaml.v2 gave Gilbert', async () => {
  const h = await harness({
    t: [
      {
        action: 'bridgetest:types',
        params: {
          int: 42,
          negative: -7,
          float: 1.5,
          integralFloat: new IntegralFloat(2),
          bool: true,
          str: 'text',
          nothing: null,
          list: [1, 'two', 3.25, false],
          nested: { inner: 'v', n: 1 },
        },
      },
    ],
  });
  await h.run('t');
  const lines = h.messages();
  const expect = [
    'params: sdk.ActionParams',
    'int: int 42',
    'negative: int -7',
    'float: float64 1.5',
    'integralFloat: float64 2',
    'bool: bool true',
    'str: string text',
    'nothing: <nil> <nil>',
    'list: []interface {} [1 two 3.25 false]',
    'list[0]: int 1',
    'list[1]: string two',
    'list[2]: float64 3.25',
    'list[3]: bool false',
    'nested.inner: key string, string v',
    'nested.n: key string, int 1',
  ];
  for (const line of expect) assert.ok(lines.includes(line), `missing "${line}" in:\n${lines.join('\n')}`);
  assert.ok(lines.some((l) => l.startsWith('nested: map[interface {}]interface {} ')), 'nested maps are map[interface{}]interface{}');
});

test('params.Unmarshal fills a struct, including sdk.Period, nested structs and tagged maps', async () => {
  const h = await harness({
    t: [
      {
        action: 'bridgetest:unmarshal',
        params: {
          message: 'hi',
          count: 3,
          ratio: 0.5,
          enabled: true,
          delay: 1500,
          tags: ['a', 'b'],
          target: { os: 'linux', arch: 'amd64' },
          environment: { GOOS: 'linux' },
        },
      },
    ],
  });
  await h.run('t');
  const line = h.messages().find((m) => m.startsWith('{Message:'));
  assert.equal(
    line,
    '{Message:hi Count:3 Ratio:0.5 Enabled:true Delay:1500 Tags:[a b] Target:{OS:linux Arch:amd64} Env:map[GOOS:linux]} delay=1.5s',
  );
});

test('an Unmarshal error is the job error, worded as the SDK words it', async () => {
  const h = await harness({ t: [{ action: 'bridgetest:unmarshal', params: { count: 'many' } }] });
  await assert.rejects(h.run('t'), /failed to unmarshal action params, [\s\S]*'Count' expected type 'int', got unconvertible type 'string'/);
});
