import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { PluginError } from '../../src/errors.js';
import { githubCacheDirectory, httpCachePath } from '../../src/plugins/cache.js';
import { downloadFile } from '../../src/plugins/download.js';
import { importPlugins, resolvePluginArtifact } from '../../src/plugins/index.js';
import { releaseAssetNames } from '../../src/plugins/platform.js';
import { ActionRegistry } from '../../src/actions/registry.js';
import { ReleaseServer } from './release-server.js';
import { ref, resolveOptions, scratch } from './helpers.js';

const [preferredAsset, genericAsset] = releaseAssetNames('hello');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const elf = (text: string) => Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.from(text)]);

describe('github:// and http(s):// sources', { timeout: 120_000 }, () => {
  const server = new ReleaseServer();
  let home: { dir: string; dispose: () => Promise<void> };
  let env: NodeJS.ProcessEnv;
  const manifest = '/nonexistent-project/gilbert.yaml';
  // Only a shared library is cached: the fake assets start like one.
  const v1 = elf('plugin bytes of v1.0.0');
  const v2 = elf('plugin bytes of v2.0.0 '.repeat(1000));

  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await home?.dispose();
    home = await scratch();
    env = { GILBERT_HOME: home.dir, GILBERT_GITHUB_API: server.base };
    server.requests.length = 0;
    server.releases = new Map([
      ['v2.0.0', [{ name: genericAsset ?? preferredAsset!, content: v2 }, { name: 'hello_plan9-386.so', content: Buffer.from('x') }]],
      ['v1.0.0', [{ name: genericAsset ?? preferredAsset!, content: v1 }]],
      ['v0.1.0', [{ name: 'hello_plan9-386.so', content: Buffer.from('x') }]],
    ]);
  });
  after(async () => {
    await home?.dispose();
  });

  const resolve = (url: string) => resolvePluginArtifact(ref(url, manifest), resolveOptions('/nonexistent-project', env));

  it('downloads the latest release asset into the Gilbert cache layout', async () => {
    const artifact = await resolve('github://github.com/acme/hello');
    const expected = path.join(home.dir, 'plugins', 'github', createHash('md5').update('github.com/acme/hello').digest('hex'), 'v2.0.0', genericAsset ?? preferredAsset!);
    assert.deepEqual(artifact, { kind: 'go', path: expected, downloaded: true });
    assert.deepEqual(await readFile(expected), v2);
    assert.ok(server.requests.some((request) => request.url === '/repos/acme/hello/releases/latest'));
  });

  it('downloads a pinned version, and uses the cache without the network afterwards', async () => {
    const artifact = await resolve('github://github.com/acme/hello?version=v1.0.0');
    assert.deepEqual(await readFile(artifact!.path), v1);
    server.requests.length = 0;
    const again = await resolve('github://github.com/acme/hello?version=v1.0.0');
    assert.equal(again!.path, artifact!.path);
    assert.equal(server.requests.length, 0, 'a cached pinned release must not hit the API');
  });

  it('reports a missing release (404) with what to check', async () => {
    await assert.rejects(resolve('github://github.com/acme/hello?version=v9.9.9'), (error: PluginError) => {
      assert.match(error.message, /^failed to get release information from GitHub, release 'v9\.9\.9' of acme\/hello not found \(HTTP 404\)$/);
      assert.match(error.hint ?? '', /token/);
      return true;
    });
  });

  it('reports a release without an asset for this platform, naming what it has', async () => {
    await assert.rejects(resolve('github://github.com/acme/hello?version=v0.1.0'), (error: PluginError) => {
      assert.equal(error.message, `repository does not contain release for platform ${process.platform === 'win32' ? 'windows' : process.platform} ${process.arch === 'x64' ? 'amd64' : process.arch}`);
      assert.match(error.hint ?? '', /hello_plan9-386\.so/);
      return true;
    });
  });

  it('sends the token as an Authorization header and never shows it', async () => {
    const token = 'ghp_SECRETtoken123';
    const options = resolveOptions('/nonexistent-project', env);
    await resolvePluginArtifact(ref(`github://github.com/acme/hello?version=v1.0.0&token=${token}`, manifest), options);
    const apiCall = server.requests.find((request) => request.url.startsWith('/repos/'));
    assert.equal(apiCall?.headers.authorization, `Bearer ${token}`);
    const assetCall = server.requests.find((request) => request.url.startsWith('/api-assets/'));
    assert.equal(assetCall?.headers.authorization, `Bearer ${token}`, 'with a token the API asset URL is used');

    const failing = resolveOptions('/nonexistent-project', env);
    const url = `github://github.com/acme/hello?token=${token}&version=v9.9.9`;
    const error = await importPlugins([ref(url, manifest)], { ...failing, registry: new ActionRegistry() }).then(
      () => assert.fail('expected a failure'),
      (thrown: PluginError) => thrown,
    );
    assert.match(error.message, /^failed to load plugin from 'github:\/\/github\.com\/acme\/hello\?token=\*\*\*&version=v9\.9\.9':\n/);
    const shown = [error.message, error.hint, ...options.records.map((r) => r.message), ...failing.records.map((r) => r.message)].join('\n');
    assert.ok(!shown.includes(token), `token leaked into: ${shown}`);
  });

  it('uses the newest cached release for `latest` when GitHub cannot be reached', async () => {
    const online = await resolve('github://github.com/acme/hello');
    const offlineEnv = { ...env, GILBERT_GITHUB_API: 'http://127.0.0.1:9' };
    const options = resolveOptions('/nonexistent-project', offlineEnv);
    const offline = await resolvePluginArtifact(ref('github://github.com/acme/hello', manifest), options);
    assert.equal(offline!.path, online!.path);
    assert.ok(options.records.some((r) => r.level === 'warn' && /cannot be reached/.test(r.message)));
    await assert.rejects(
      resolvePluginArtifact(ref('github://github.com/acme/other', manifest), resolveOptions('/nonexistent-project', offlineEnv)),
      /cannot reach 'http:\/\/127\.0\.0\.1:9/,
    );
  });

  it('downloads http(s) plugins to <storage>/plugins/http/<md5 of URL>/plugin.so, following a redirect', async () => {
    const url = `${server.base}/redirect-to/download/v1.0.0/${genericAsset ?? preferredAsset}`;
    const artifact = await resolve(url);
    assert.deepEqual(artifact, { kind: 'go', path: httpCachePath(url, env), downloaded: true });
    assert.equal(artifact!.path, path.join(home.dir, 'plugins', 'http', createHash('md5').update(url).digest('hex'), 'plugin.so'));
    assert.deepEqual(await readFile(artifact!.path), v1);
  });

  it('drops the Authorization header when a redirect leaves the origin', async () => {
    const target = path.join(home.dir, 'direct.so');
    const { recordingLogger } = await import('../../src/log/logger.js');
    await downloadFile(`${server.base}/cross-origin/download/v1.0.0/${genericAsset ?? preferredAsset}`, target, {
      signal: AbortSignal.timeout(20_000),
      log: recordingLogger().logger,
      headers: { authorization: 'Bearer secret' },
    });
    assert.deepEqual(await readFile(target), v1);
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer secret');
    assert.equal(server.requests.at(-1)!.headers.host?.startsWith('localhost'), true);
    assert.equal(server.requests.at(-1)!.headers.authorization, undefined);
  });

  it('rejects a truncated body and leaves nothing in the cache', async () => {
    const url = `${server.base}/truncated`;
    await assert.rejects(resolve(url), /was cut short/);
    assert.deepEqual(await readdir(path.dirname(httpCachePath(url, env))), []);
  });

  it('ends a redirect loop with an error', async () => {
    await assert.rejects(resolve(`${server.base}/loop`), /too many redirects \(more than 10\)/);
  });

  it('verifies a sha256 pin before use, on downloads and on cached files', async () => {
    const assetUrl = `${server.base}/download/v1.0.0/${genericAsset ?? preferredAsset}`;
    const wrong = `${assetUrl}?sha256=${'0'.repeat(64)}`;
    await assert.rejects(resolve(wrong), /sha256 of the plugin from .* is [0-9a-f]{64}, but the URL pins 0{64}/);
    assert.deepEqual(await readdir(path.dirname(httpCachePath(wrong, env))), [], 'a download failing its pin is not cached');

    const pinned = `${assetUrl}?sha256=${sha256(v1)}`;
    const artifact = await resolve(pinned);
    assert.ok(!server.requests.at(-1)!.url.includes('sha256'), 'the pin is not sent to the server');
    await writeFile(artifact!.path, 'tampered');
    const options = resolveOptions('/nonexistent-project', env);
    await resolvePluginArtifact(ref(pinned, manifest), options);
    assert.deepEqual(await readFile(artifact!.path), v1, 'a tampered cached file is downloaded again');
    assert.ok(options.records.some((r) => r.level === 'warn' && /is corrupted: its sha256 is/.test(r.message)));
  });

  it('reuses cached downloads with the server stopped', async () => {
    const url = `${server.base}/download/v1.0.0/${genericAsset ?? preferredAsset}`;
    const first = await resolve(url);
    const pinned = await resolve('github://github.com/acme/hello?version=v1.0.0');
    await server.stop();
    try {
      assert.deepEqual(await resolve(url), first);
      assert.deepEqual(await resolve('github://github.com/acme/hello?version=v1.0.0'), pinned);
    } finally {
      await server.start();
    }
  });
});

describe('github:// release assets and the C library', () => {
  it('prefers a libc-specific asset and never picks a glibc build on a musl host', async () => {
    const { chooseAsset } = await import('../../src/plugins/sources/github.js');
    const repository = { host: 'github.com', owner: 'acme', repo: 'hello', location: 'github.com/acme/hello', apiBase: '', version: 'latest' };
    const asset = (name: string) => ({ name, url: name, browser_download_url: name });
    const musl = { goos: 'linux', goarch: 'amd64', libc: 'musl' as const };
    const glibc = { goos: 'linux', goarch: 'amd64', libc: 'glibc' as const };
    const both = { tag_name: 'v1', assets: [asset('hello_linux-amd64.so'), asset('hello_linux-amd64-musl.so')] };
    assert.equal(chooseAsset(repository, both, musl).name, 'hello_linux-amd64-musl.so');
    assert.equal(chooseAsset(repository, both, glibc).name, 'hello_linux-amd64.so');
    const genericOnly = { tag_name: 'v1', assets: [asset('hello_linux-amd64.so')] };
    assert.throws(() => chooseAsset(repository, genericOnly, musl), /built against glibc; this host uses musl libc, where it cannot load/);
  });
});
