import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PluginError } from '../../errors.js';
import { cacheSegment, githubAssetPath, githubCacheDirectory, githubReleaseDirectory, githubStorageDirectory, reallyInsideRoot, sweepStaleTemporaries, verifyCachedFile } from '../cache.js';
import { fetchJson, NetworkError } from '../download.js';
import { genericAssetUsable, goPlatform, releaseAssetNames, type GoPlatform } from '../platform.js';
import { cachedDownload } from './cached-download.js';
import type { PluginArtifact, SourceContext } from './types.js';

/** What `github://<host>[/<prefix>]/<owner>/<repo>?version=&token=&protocol=` names. */
export interface GithubRepository {
  host: string;
  owner: string;
  repo: string;
  /** `host/owner/repo` (with any prefix): the cache key, as Gilbert formed it */
  location: string;
  apiBase: string;
  /** a tag, or `latest` */
  version: string;
  token?: string;
}

interface ReleaseAsset {
  name: string;
  browser_download_url: string;
  url: string;
}

interface Release {
  tag_name: string;
  assets: ReleaseAsset[];
}

export function parseGithubUrl(location: string, query: URLSearchParams, env: NodeJS.ProcessEnv): GithubRepository {
  const [host = '', ...segments] = location.split('/').filter(Boolean);
  if (!host) throw new PluginError('please specify github host (e.g github.com)');
  if (segments.length < 2) {
    throw new PluginError("bad GitHub repo path format (expected: 'github.com/owner/repo_name')");
  }
  const [owner, repo] = segments.slice(-2) as [string, string];
  const prefix = segments.slice(0, -2).map((segment) => `/${segment}`).join('');
  const protocol = query.get('protocol') || 'https';
  // GitHub Enterprise serves its API under /api/v3 on its own host; the variable points tests (or a mirror) elsewhere.
  const apiBase = env.GILBERT_GITHUB_API || (host === 'github.com' ? 'https://api.github.com' : `${protocol}://${host}${prefix}/api/v3`);
  return {
    host,
    owner,
    repo,
    location: path.posix.join(host, ...segments),
    apiBase: apiBase.replace(/\/+$/, ''),
    version: query.get('version') || 'latest',
    token: query.get('token') || undefined,
  };
}

function apiHeaders(repository: GithubRepository, accept = 'application/vnd.github+json'): Record<string, string> {
  const headers: Record<string, string> = { accept, 'user-agent': 'gilbert-ts' };
  if (repository.token) headers.authorization = `Bearer ${repository.token}`;
  return headers;
}

async function fetchRelease(repository: GithubRepository, signal: AbortSignal): Promise<Release> {
  const { owner, repo, version } = repository;
  const releasePath = version === 'latest' ? 'releases/latest' : `releases/tags/${encodeURIComponent(version)}`;
  const url = `${repository.apiBase}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/${releasePath}`;
  const { status, body } = await fetchJson(url, { signal, headers: apiHeaders(repository) });
  const what = version === 'latest' ? 'the latest release' : `release '${version}'`;
  const failure = (detail: string, hint: string) =>
    new PluginError(`failed to get release information from GitHub, ${detail}`, { hint });
  if (status === 404) {
    throw failure(`${what} of ${owner}/${repo} not found (HTTP 404)`, 'check the owner, repository and version in the URL; a private repository needs `&token=<token>`');
  }
  if (status === 401 || status === 403 || status === 429) {
    throw failure(`GitHub refused the request (HTTP ${status})`, repository.token ? 'check that the token is valid and can read the repository' : 'GitHub limits anonymous API calls: add `&token=<personal access token>` to the plugin URL');
  }
  const release = body as Partial<Release> | undefined;
  if (status !== 200 || typeof release?.tag_name !== 'string' || !Array.isArray(release.assets)) {
    throw failure(`unexpected answer from ${repository.apiBase} (HTTP ${status})`, 'check the GitHub host in the URL');
  }
  return release as Release;
}

/** The asset for this host, preferring a libc-specific build; refuses a glibc build on a musl host. */
export function chooseAsset(repository: GithubRepository, release: Release, host: GoPlatform = goPlatform()): ReleaseAsset {
  const [preferred, generic] = releaseAssetNames(repository.repo, host);
  const byName = new Map(release.assets.map((asset) => [asset.name, asset]));
  const found = byName.get(preferred!) ?? (generic && genericAssetUsable(host) ? byName.get(generic) : undefined);
  if (found) return found;
  const names = release.assets.map((asset) => asset.name).join(', ') || 'none';
  if (generic && byName.has(generic)) {
    throw new PluginError(`release '${release.tag_name}' of ${repository.owner}/${repository.repo} has only '${generic}', which is built against glibc; this host uses musl libc, where it cannot load`, {
      hint: `ask the plugin's author to publish '${preferred}', or build the plugin from source with go://`,
    });
  }
  throw new PluginError(`repository does not contain release for platform ${host.goos} ${host.goarch}`, {
    hint: `looked for ${[preferred, generic].filter(Boolean).map((name) => `'${name}'`).join(' or ')} in release '${release.tag_name}'; it has: ${names}`,
  });
}

/** A cached asset of the release in `directory` usable on this host, if any, that still has its recorded checksum. */
async function cachedAsset(directory: string, repository: GithubRepository, host: GoPlatform, context: SourceContext): Promise<string | undefined> {
  const [preferred, generic] = releaseAssetNames(repository.repo, host);
  for (const name of genericAssetUsable(host) ? [preferred, generic] : [preferred]) {
    if (!name) continue;
    const file = await reallyInsideRoot(githubStorageDirectory(context.env), path.join(directory, cacheSegment(name)));
    if (await verifyCachedFile(file, context.log)) return file;
  }
  return undefined;
}

/** The most recently downloaded release in the cache: what `latest` means when GitHub cannot be reached. */
async function newestCachedAsset(repositoryDirectory: string, repository: GithubRepository, host: GoPlatform, context: SourceContext): Promise<string | undefined> {
  const tags = await readdir(repositoryDirectory).catch(() => [] as string[]);
  const candidates: { file: string; mtime: number }[] = [];
  for (const tag of tags) {
    const file = await cachedAsset(path.join(repositoryDirectory, tag), repository, host, context);
    if (file) candidates.push({ file, mtime: (await stat(file)).mtimeMs });
  }
  return candidates.sort((a, b) => b.mtime - a.mtime)[0]?.file;
}

/**
 * `github://github.com/<owner>/<repo>`: downloads the release asset
 * `<repo>_<GOOS>-<GOARCH>.so` to `<storage>/plugins/github/<md5>/<tag>/`.
 * A pinned version found in the cache is used without asking GitHub; for
 * `latest`, GitHub is asked, and when it cannot be reached the newest
 * cached release is used with a warning.
 */
async function resolveReleaseAsset(context: SourceContext, repository: GithubRepository): Promise<{ artifact: PluginArtifact; tag: string }> {
  const host = goPlatform();
  const repositoryDirectory = githubCacheDirectory(repository.location, context.env);
  await sweepStaleTemporaries(githubStorageDirectory(context.env), context.log);
  if (repository.version !== 'latest') {
    const cached = await cachedAsset(githubReleaseDirectory(repository.location, repository.version, context.env), repository, host, context);
    // GitHub is asked only when the cached file fails a sha256 pin.
    if (cached) return { tag: repository.version, artifact: { kind: 'go', downloaded: true, path: await cachedDownload(context, githubStorageDirectory(context.env), cached, async () => downloadTarget(repository, chooseAsset(repository, await fetchRelease(repository, context.signal), host))) } };
  }
  let release: Release;
  try {
    release = await fetchRelease(repository, context.signal);
  } catch (error) {
    const offline = error instanceof NetworkError;
    const cached = offline && repository.version === 'latest' ? await newestCachedAsset(repositoryDirectory, repository, host, context) : undefined;
    if (!cached) throw error;
    context.log.warn(`GitHub cannot be reached; using the cached '${cached}'`);
    return { tag: path.basename(path.dirname(cached)), artifact: { kind: 'go', path: cached, downloaded: true } };
  }
  const asset = chooseAsset(repository, release, host);
  // tag_name comes from the server: sanitised like any outside text, so `../..` cannot leave the cache.
  const destination = githubAssetPath(repository.location, release.tag_name, asset.name, context.env);
  context.log.info(`Using release '${release.tag_name}' of ${repository.owner}/${repository.repo} (${asset.name})`);
  return { tag: release.tag_name, artifact: { kind: 'go', downloaded: true, path: await cachedDownload(context, githubStorageDirectory(context.env), destination, async () => downloadTarget(repository, asset)) } };
}

/** The Go module a repository's source is: `<host>/<owner>/<repo>`, as `go get` names GitHub repositories. */
function moduleOf(repository: GithubRepository): string {
  return `${repository.host}/${repository.owner}/${repository.repo}`;
}

/**
 * `github://github.com/<owner>/<repo>`: the release asset (resolveReleaseAsset).
 * When that binary cannot be opened by any Go host gilbert-ts can build (no
 * build info, a toolchain older than go1.21, modules replaced by local
 * folders), or when `?build=source` asks, the
 * plugin is built from the release tag's source instead, fetched as a Go
 * module through GOPROXY, and cached beside the release.
 */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const repository = parseGithubUrl(context.url.location, context.url.query, context.env);
  const fromSource = async (tag: string, reason: string): Promise<PluginArtifact> => {
    const { buildFromModuleSource } = await import('./from-source.js');
    const directory = githubReleaseDirectory(repository.location, tag, context.env);
    await mkdir(directory, { recursive: true });
    const archive = { url: `${repository.apiBase}/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}/tarball/${encodeURIComponent(tag)}`, headers: apiHeaders(repository) };
    return { kind: 'go', path: await buildFromModuleSource({ module: moduleOf(repository), version: tag, directory, name: repository.repo, reason, context, archive }) };
  };
  if (context.url.query.get('build') === 'source') {
    const tag = repository.version === 'latest' ? (await fetchRelease(repository, context.signal)).tag_name : repository.version;
    return fromSource(tag, 'asked for by ?build=source');
  }
  const { artifact, tag } = await resolveReleaseAsset(context, repository);
  const { whySourceIsNeeded } = await import('./from-source.js');
  const reason = await whySourceIsNeeded(artifact.path);
  return reason ? fromSource(tag, `the release binary cannot be loaded: ${reason}`) : artifact;
}

function downloadTarget(repository: GithubRepository, asset: ReleaseAsset): { url: string; headers?: Record<string, string> } {
  // With a token, the API's asset URL is used: it works for private repositories, where the browser URL does not.
  return repository.token
    ? { url: asset.url, headers: apiHeaders(repository, 'application/octet-stream') }
    : { url: asset.browser_download_url };
}
