// Manifests and imports must be regular files of bounded size: a FIFO or a
// device must not hang `gilbert ls` or `run` (issue 14, item 7).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_MANIFEST_BYTES } from '../../src/manifest/read-source.js';
import { project, runCli } from './helpers.js';

const importing = (target: string) => `version: "1.0"
imports: [${JSON.stringify(target)}]
tasks:
  t:
  - action: shell
    params: { command: "echo hi" }
`;

describe('imports that are not regular files', () => {
  for (const command of [['ls'], ['run', 't']]) {
    it(`a FIFO import fails 'gilbert ${command.join(' ')}' at once, naming it`, async () => {
      const { dir, cleanup } = await project(undefined, importing('./pipe.yaml'));
      try {
        execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
        const result = await runCli(command, { cwd: dir, timeoutMs: 10_000 });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /gilbert\.yaml:2\b/);
        assert.match(result.stderr, /cannot read file '\.\/pipe\.yaml' imported by '.*gilbert\.yaml', it is a FIFO \(named pipe\), not a regular file/);
      } finally {
        await cleanup();
      }
    });
  }

  for (const [device, kind] of [
    ['/dev/zero', 'a device'],
    ['/dev/urandom', 'a device'],
    ['/tmp', 'a directory'],
  ] as const) {
    it(`an import of ${device} is refused as ${kind}`, async () => {
      const { dir, cleanup } = await project(undefined, importing(device));
      try {
        const result = await runCli(['ls'], { cwd: dir, timeoutMs: 10_000 });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, new RegExp(`cannot read file '${device}' imported by '.*gilbert\\.yaml', it is ${kind}, not a regular file`));
      } finally {
        await cleanup();
      }
    });
  }

  it('gilbert.yaml itself as a FIFO is refused, not waited on', async () => {
    const { dir, cleanup } = await project();
    try {
      execFileSync('mkfifo', [path.join(dir, 'gilbert.yaml')]);
      const result = await runCli(['ls'], { cwd: dir, timeoutMs: 10_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /cannot read manifest file '.*gilbert\.yaml': it is a FIFO \(named pipe\), not a regular file/);
    } finally {
      await cleanup();
    }
  });

  it('an import larger than the cap is refused without reading it', async () => {
    const { dir, cleanup } = await project(undefined, importing('./huge.yaml'));
    try {
      writeFileSync(path.join(dir, 'huge.yaml'), '');
      truncateSync(path.join(dir, 'huge.yaml'), MAX_MANIFEST_BYTES + 1); // sparse: no disk used
      const result = await runCli(['ls'], { cwd: dir, timeoutMs: 10_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /cannot read file '\.\/huge\.yaml' imported by '.*gilbert\.yaml', it is larger than 16 MiB, the most a manifest may hold/);
    } finally {
      await cleanup();
    }
  });
});
