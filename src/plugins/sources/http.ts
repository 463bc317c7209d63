import { httpCachePath, httpStorageDirectory, sweepStaleTemporaries } from '../cache.js';
import { cachedDownload } from './cached-download.js';
import type { PluginArtifact, SourceContext } from './types.js';

/**
 * `http://…` and `https://…`: a Go plugin downloaded once to
 * `<storage>/plugins/http/<md5 of the URL>/plugin.so` and reused from there
 * (also offline). The `sha256` pin is gilbert-ts's, so it is not sent to the server.
 */
export async function resolve(context: SourceContext): Promise<PluginArtifact> {
  const fetchUrl = new URL(context.url.url);
  fetchUrl.searchParams.delete('sha256');
  const destination = httpCachePath(context.url.url, context.env);
  await sweepStaleTemporaries(httpStorageDirectory(context.env), context.log);
  return { kind: 'go', path: await cachedDownload(context, httpStorageDirectory(context.env), destination, fetchUrl.href), downloaded: true };
}
