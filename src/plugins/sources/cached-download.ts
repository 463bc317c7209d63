import { redactUrls } from '../../log/redact.js';
import { evictCachedFile, prepareStorage, reallyInsideRoot, verifyCachedFile, verifySha256 } from '../cache.js';
import { checkPluginLibrary, downloadFile } from '../download.js';
import type { SourceContext } from './types.js';

/**
 * Gives `destination` (which must lie inside the cache `root`), downloading
 * `downloadUrl` into it unless a verified copy is already there: a cached
 * file must still have the sha256 recorded when it was written, and a
 * `sha256=` pin in the plugin URL is checked on it too. A cached file that
 * fails either is fetched again; a download that is not a shared library or
 * fails the pin is never moved into the cache.
 */
export async function cachedDownload(
  context: SourceContext,
  root: string,
  destination: string,
  downloadUrl: string | (() => Promise<{ url: string; headers?: Record<string, string> }>),
): Promise<string> {
  await reallyInsideRoot(root, destination);
  const pin = context.url.query.get('sha256') ?? undefined;
  const shownUrl = redactUrls(context.url.url);
  if (await verifyCachedFile(destination, context.log)) {
    if (!pin) return destination;
    try {
      await verifySha256(destination, pin, shownUrl);
      return destination;
    } catch {
      context.log.warn(`Cached plugin '${destination}' does not match the sha256 pin; downloading it again`);
      await evictCachedFile(destination);
    }
  }
  await prepareStorage(context.env);
  const target = typeof downloadUrl === 'string' ? { url: downloadUrl } : await downloadUrl();
  context.log.log(`Downloading plugin file from '${redactUrls(target.url)}'...`);
  await downloadFile(target.url, destination, {
    signal: context.signal,
    log: context.log,
    headers: target.headers,
    env: context.env,
    verify: async (temporary) => {
      await checkPluginLibrary(temporary, target.url);
      if (pin) await verifySha256(temporary, pin, shownUrl);
    },
  });
  return destination;
}
