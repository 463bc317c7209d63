import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redactUrls } from '../../../src/log/redact.js';
import { cliEnv, project, runCli, type CliResult } from '../../e2e/helpers.js';
import { scratch } from '../helpers.js';
import { ReleaseServer } from '../release-server.js';

const secrets = ['pa55word', 'T0KEN1', 'T0KEN2', 'hunter2', 'T0KEN3', 'T0KEN4', 's3cret', 'SIGNED5'];

function assertNoSecret(result: CliResult, what: string): void {
  const shown = result.stdout + result.stderr;
  for (const secret of secrets) assert.ok(!shown.includes(secret), `${what}: '${secret}' leaked into:\n${shown}`);
}

describe('redactUrls', () => {
  it('hides userinfo and token-like query values, percent-encoded names included', () => {
    assert.equal(redactUrls("from 'http://alice:pa55word@host/x.so'"), "from 'http://***@host/x.so'");
    assert.equal(redactUrls('https://ghp_abc@github.com/o/r'), 'https://***@github.com/o/r');
    assert.equal(redactUrls('github://github.com/o/r?version=v1&token=abc'), 'github://github.com/o/r?version=v1&token=***');
    assert.equal(redactUrls('x?tok%65n=abc&Access_Token=def&X-Amz-Signature=ghi&sha256=00'), 'x?tok%65n=***&Access_Token=***&X-Amz-Signature=***&sha256=00');
    assert.equal(redactUrls('x?tok%2565n=abc'), 'x?tok%2565n=***', 'double encoding');
    assert.equal(redactUrls('a?b=1&amp;password=p'), 'a?b=1&amp;password=***', 'HTML-escaped &');
    assert.equal(redactUrls('npm://gilbert-plugin-x@1.2.3'), 'npm://gilbert-plugin-x@1.2.3', 'an npm version is no userinfo');
    assert.equal(redactUrls('password=x and a=b'), 'password=x and a=b', 'not URL-shaped: left alone');
  });
});

describe('no output path shows a URL credential (issue 14, item 3)', { timeout: 120_000 }, () => {
  const server = new ReleaseServer();
  let home: { dir: string; dispose: () => Promise<void> };
  before(async () => {
    await server.start();
    home = await scratch('gilbert-redact-home-');
    server.files.set('page.so', Buffer.from('<!DOCTYPE html><html>Sign in</html>'));
  });
  after(async () => {
    await server.stop();
    await home.dispose();
  });

  const manifest = (pluginUrl: string) =>
    [
      'plugins:',
      `  - ${pluginUrl}`,
      'tasks:',
      '  deploy?token=T0KEN4:',
      '    - description: upload to https://bob:hunter2@example.com/x?token=T0KEN3',
      '      action: shell',
      '      params:',
      "        command: echo 'https://example.com/a?X-Amz-Signature=SIGNED5'",
      '',
    ].join('\n');

  it('run, run --verbose and the error of a failing plugin download', async () => {
    const pluginUrl = `${server.base.replace('//', '//alice:pa55word@')}/files/page.so?tok%65n=T0KEN1&access_token=T0KEN2`;
    const work = await project(undefined, manifest(pluginUrl));
    try {
      for (const args of [['run', 'deploy?token=T0KEN4'], ['--verbose', 'run', 'deploy?token=T0KEN4'], ['run', '--verbose', 'deploy?token=T0KEN4']]) {
        const result = await runCli(args, { cwd: work.dir, env: cliEnv({ GILBERT_HOME: home.dir }) });
        assert.equal(result.code, 1, result.stdout + result.stderr);
        assertNoSecret(result, args.join(' '));
        assert.match(result.stdout, /Downloading plugin file from 'http:\/\/\*\*\*@127\.0\.0\.1:\d+\/files\/page\.so\?tok(?:%65|e)n=\*\*\*&access_token=\*\*\*'/);
        assert.match(result.stderr, /failed to load plugin from 'http:\/\/\*\*\*@127\.0\.0\.1:\d+\/files\/page\.so\?tok%65n=\*\*\*&access_token=\*\*\*':\n.*did not send a Go plugin/);
      }
      const download = server.requests.find((request) => request.url.startsWith('/files/page.so'));
      assert.equal(download?.headers.authorization, `Basic ${Buffer.from('alice:pa55word').toString('base64')}`, 'userinfo is sent as Basic auth, as Go did');
    } finally {
      await work.cleanup();
    }
  });

  it('run of a task that succeeds, --dry-run, ls, ls --json and an unsupported plugin URL', async () => {
    const work = await project(undefined, manifest('file://./nothing.so').replace(/plugins:\n.*\n/, ''));
    const badPlugin = await project(undefined, manifest('ftp://carol:s3cret@example.com/x.so?token=T0KEN1'));
    try {
      const env = cliEnv({ GILBERT_HOME: home.dir });
      const ran = await runCli(['run', 'deploy?token=T0KEN4'], { cwd: work.dir, env });
      assert.equal(ran.code, 0, ran.stdout + ran.stderr);
      assertNoSecret(ran, 'run');
      assert.match(ran.stdout, /X-Amz-Signature=\*\*\*/);
      assert.match(ran.stdout, /Task 'deploy\?token=\*\*\*' ran successfully/);

      const dry = await runCli(['run', '--dry-run', 'deploy?token=T0KEN4'], { cwd: work.dir, env });
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assertNoSecret(dry, '--dry-run');
      assert.match(dry.stdout, /upload to https:\/\/\*\*\*@example\.com\/x\?token=\*\*\*/);

      for (const args of [['ls'], ['ls', '--json'], ['ls', '-q']]) {
        const listed = await runCli(args, { cwd: work.dir, env });
        assert.equal(listed.code, 0, listed.stdout + listed.stderr);
        assertNoSecret(listed, args.join(' '));
        assert.match(listed.stdout, /deploy\?token=\*\*\*/);
      }

      const failed = await runCli(['run', 'deploy?token=T0KEN4'], { cwd: badPlugin.dir, env });
      assert.equal(failed.code, 1);
      assertNoSecret(failed, 'unsupported plugin URL');
      assert.match(failed.stderr, /failed to load plugin from 'ftp:\/\/\*\*\*@example\.com\/x\.so\?token=\*\*\*'/);
    } finally {
      await work.cleanup();
      await badPlugin.cleanup();
    }
  });
});
