import { rm } from 'node:fs/promises';
import { fileExists, verifySha256 } from '../cache.js';
import { downloadFile, redactSecrets } from '../download.js';
import type { SourceContext } from './types.js';

/**
 * Gives `destination`, downloading `downloadUrl` into it unless it is already
 * there. A `sha256=` pin in the plugin URL is checked on the cached file too:
 * a cached file that fails it is fetched again, a download that fails it is
 * never moved into the cache.
 */
export async function cachedDownload(
  context: SourceContext,
  destination: string,
  downloadUrl: string | (() => Promise<{ url: string; headers?: Record<string, string> }>),
): Promise<string> {
  const pin = context.url.query.get('sha256') ?? undefined;
  if (await fileExists(destination)) {
    if (!pin) return destination;
    try {
      await verifySha256(destination, pin, redactSecrets(context.url.url));
      return destination;
    } catch {
      context.log.warn(`Cached plugin '${destination}' does not match the sha256 pin; downloading it again`);
      await rm(destination, { force: true });
    }
  }
  const target = typeof downloadUrl === 'string' ? { url: downloadUrl } : await downloadUrl();
  context.log.log(`Downloading plugin file from '${redactSecrets(target.url)}'...`);
  await downloadFile(target.url, destination, {
    signal: context.signal,
    log: context.log,
    headers: target.headers,
    verify: pin ? (temporary) => verifySha256(temporary, pin, redactSecrets(context.url.url)) : undefined,
  });
  return destination;
}
