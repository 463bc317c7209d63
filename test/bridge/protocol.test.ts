import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { calls, events, PROTOCOL_VERSION, requests, results, shapes } from '../../src/bridge/protocol.js';
import { root } from './helpers.js';

/** The Go host built by `make shim` describes the Go declaration (go-shim/bridge/protocol.go) by reflection. */
const goHost = `${root}go-shim/build/gilbert-go-host`;

test('the Go and TypeScript declarations of the bridge protocol are the same', async () => {
  const { stdout } = await promisify(execFile)(goHost, ['-protocol'], { timeout: 20_000 });
  const go = JSON.parse(stdout) as Record<string, unknown>;
  const ts = { version: PROTOCOL_VERSION, calls, events, requests, results, shapes };
  // one section at a time, so that a failure names the part that differs
  for (const section of Object.keys(ts) as (keyof typeof ts)[]) {
    assert.deepStrictEqual(go[section], JSON.parse(JSON.stringify(ts[section])), `protocol section '${section}' differs between protocol.go and protocol.ts`);
  }
  assert.deepStrictEqual(Object.keys(go).sort(), Object.keys(ts).sort());
});
