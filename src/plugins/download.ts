import { open } from 'node:fs/promises';
import { PluginError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { writeAtomically } from './cache.js';
import { downloadProgress } from './sources/progress.js';

export interface FetchOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** redirects followed before giving up; a loop must end in an error, not a hang */
  maxRedirects?: number;
}

/** Hides `token=` values (GitHub tokens in plugin URLs) from anything shown to the user. */
export function redactSecrets(text: string): string {
  return text.replace(/([?&]token=)[^&#\s'"]*/gi, '$1***');
}

/** The server could not be reached at all (as opposed to answering with an error): cached artifacts may stand in. */
export class NetworkError extends PluginError {}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * fetch() with redirects followed by hand, so that their number is bounded and
 * credentials are dropped when a redirect leaves the origin (GitHub sends
 * asset downloads to a storage host that rejects a foreign Authorization).
 */
export async function fetchWithRedirects(url: string, options: FetchOptions): Promise<{ response: Response; url: string }> {
  const maxRedirects = options.maxRedirects ?? 10;
  let current = new URL(url);
  let headers = { ...options.headers };
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw new NetworkError(`cannot reach '${current.origin}${current.pathname}': ${describeFailure(error)}`, {
        hint: 'check the network connection and the plugin URL',
      });
    }
    const location = response.headers.get('location');
    if (!redirectStatuses.has(response.status) || !location) return { response, url: current.href };
    await response.body?.cancel();
    if (redirects >= maxRedirects) {
      throw new PluginError(`too many redirects (more than ${maxRedirects}) while fetching '${redactSecrets(url)}'`, {
        hint: 'the server redirects in a loop: check the URL',
      });
    }
    const next = new URL(location, current);
    if (next.origin !== current.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    }
    current = next;
  }
}

export interface DownloadOptions extends FetchOptions {
  log: Logger;
  /** runs on the complete temporary file before it is moved into place (e.g. a sha256 check) */
  verify?: (temporaryPath: string) => Promise<void>;
}

/**
 * Downloads `url` to `destination` atomically. A body shorter than its
 * Content-Length (a dropped connection) is an error and leaves nothing behind.
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions): Promise<void> {
  const { response, url: fetchedUrl } = await fetchWithRedirects(url, options);
  const finalUrl = redactSecrets(fetchedUrl);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new PluginError(`download of '${finalUrl}' failed: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
      hint: response.status === 404 ? 'check that the URL points to an existing file' : undefined,
    });
  }
  const lengthHeader = response.headers.get('content-length');
  const expectedLength = lengthHeader === null ? undefined : Number(lengthHeader);
  const body = response.body;
  await writeAtomically(destination, async (temporaryPath) => {
    const bar = downloadProgress(expectedLength ?? 0);
    const file = await open(temporaryPath, 'w');
    let received = 0;
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        received += chunk.length;
        bar?.update(received);
      }
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw new PluginError(`download of '${finalUrl}' was cut short after ${received} bytes${expectedLength === undefined ? '' : ` of ${expectedLength}`}: ${describeFailure(error)}`, {
        hint: 'run the command again; if it keeps failing, the server is dropping the connection',
      });
    } finally {
      bar?.stop();
      await file.close();
    }
    if (expectedLength !== undefined && received !== expectedLength) {
      throw new PluginError(`download of '${finalUrl}' was cut short: got ${received} of ${expectedLength} bytes`, {
        hint: 'run the command again; if it keeps failing, the server is sending broken responses',
      });
    }
    await options.verify?.(temporaryPath);
  });
  options.log.debug(`Downloaded '${finalUrl}' to '${destination}'`);
}

/** GETs a JSON document; returns the HTTP status with the parsed body (undefined when not JSON). */
export async function fetchJson(url: string, options: FetchOptions): Promise<{ status: number; body: unknown }> {
  const { response } = await fetchWithRedirects(url, options);
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: undefined };
  }
}
