// When one job fails and the others are cancelled, a job that fails while
// being cancelled (here: a panic in its Go Cancel) is shown, not dropped; the
// task still reports the first failure (issue 14, item 14).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { project, runCli } from './helpers.js';

const BRIDGETEST = fileURLToPath(new URL('../fixtures/go-plugins/build/bridgetest.so', import.meta.url));

describe('a sibling of a failing job', () => {
  it('a panic in its Cancel is printed, and the task fails with the first error', async () => {
    assert.ok(existsSync(BRIDGETEST), `${BRIDGETEST} is missing: run 'make fixtures'`);
    const { dir, cleanup } = await project(
      undefined,
      `version: "1.0"
plugins: [file://${BRIDGETEST}]
tasks:
  t:
  - action: bridgetest:panic-cancel
    async: true
    params: { panicOnCancel: true }
  - action: shell
    params: { command: "exit 2" }
`,
    );
    try {
      const result = await runCli(['run', 't'], { cwd: dir });
      assert.equal(result.code, 1, result.stderr);
      // the panic decides the job when Cancel settles first, else it is reported on its own
      assert.match(result.stdout, /ERROR: (async job returned error|cancel failed): panic in Cancel of action 'bridgetest:panic-cancel': boom in Cancel/);
      assert.match(result.stderr, /^ERROR: task 't' returned an error on step 2: .*status code:? 2/);
    } finally {
      await cleanup();
    }
  });
});
