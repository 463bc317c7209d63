import { open } from 'node:fs/promises';
import { PluginError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { redactUrls } from '../log/redact.js';
import { writeAtomically } from './cache.js';
import { formatBytes, pluginLimits, type PluginLimits } from './limits.js';
import { downloadProgress } from './sources/progress.js';

export interface FetchOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** redirects followed before giving up; a loop must end in an error, not a hang */
  maxRedirects?: number;
  /** where the limits are read from (limits.ts); process.env by default */
  env?: NodeJS.ProcessEnv;
}

/** The server could not be reached at all (as opposed to answering with an error): cached artifacts may stand in. */
export class NetworkError extends PluginError {}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** A release JSON is a few kilobytes; anything this big is not one. */
const maxJsonBytes = 16 * 1024 * 1024;

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The time limits of one transfer: nothing received for `idleTimeoutMs`, or
 * `totalTimeoutMs` in all, aborts `signal` with a PluginError naming the
 * setting to raise. The caller's own signal (Ctrl+C) aborts it too.
 */
class TransferClock {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private idle?: NodeJS.Timeout;
  private readonly total: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly limits: PluginLimits,
    callerSignal: AbortSignal,
  ) {
    this.signal = AbortSignal.any([callerSignal, this.controller.signal]);
    this.total = setTimeout(() => this.expire(`took longer than ${limits.totalTimeoutMs / 1000}s`, 'GILBERT_DOWNLOAD_TIMEOUT'), limits.totalTimeoutMs);
    this.touch();
  }

  /** Something arrived: the idle limit starts again. */
  touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.expire(`received nothing for ${this.limits.idleTimeoutMs / 1000}s`, 'GILBERT_HTTP_TIMEOUT'), this.limits.idleTimeoutMs);
  }

  /** The limit that ended the transfer, if one did (as opposed to the caller's cancel). */
  get expired(): PluginError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as PluginError) : undefined;
  }

  stop(): void {
    clearTimeout(this.idle);
    clearTimeout(this.total);
  }

  private expire(what: string, setting: string): void {
    this.controller.abort(
      new PluginError(`download of '${redactUrls(this.url)}' ${what}`, {
        hint: `check the network and the server; on a slow link, raise ${setting} (seconds)`,
      }),
    );
  }
}

/** `http://user:pass@host/…` as Go's http client sent it: the credentials in an Authorization header, not in the URL fetch() refuses. */
function moveCredentialsToHeader(url: URL, headers: Record<string, string>): void {
  if (!url.username && !url.password) return;
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  url.username = '';
  url.password = '';
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
  moveCredentialsToHeader(current, headers);
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason ?? error;
      throw new NetworkError(`cannot reach '${current.origin}${current.pathname}': ${describeFailure(error)}`, {
        hint: 'check the network connection and the plugin URL',
      });
    }
    const location = response.headers.get('location');
    if (!redirectStatuses.has(response.status) || !location) return { response, url: current.href };
    await response.body?.cancel();
    if (redirects >= maxRedirects) {
      throw new PluginError(`too many redirects (more than ${maxRedirects}) while fetching '${redactUrls(url)}'`, {
        hint: 'the server redirects in a loop: check the URL',
      });
    }
    const next = new URL(location, current);
    if (next.origin !== current.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
    }
    moveCredentialsToHeader(next, headers);
    current = next;
  }
}

export interface DownloadOptions extends FetchOptions {
  log: Logger;
  /** runs on the complete temporary file before it is moved into place (e.g. a sha256 check) */
  verify?: (temporaryPath: string) => Promise<void>;
}

function tooLarge(shownUrl: string, size: string, limits: PluginLimits): PluginError {
  return new PluginError(`download of '${shownUrl}' is ${size}, more than the ${formatBytes(limits.maxPluginBytes)} a plugin may have`, {
    hint: 'check that the URL points to a Go plugin; a larger plugin needs GILBERT_PLUGIN_MAX_SIZE raised (e.g. GILBERT_PLUGIN_MAX_SIZE=2G)',
  });
}

/**
 * Downloads `url` to `destination` atomically, within the limits of
 * limits.ts (time without data, total time, size). A body shorter than its
 * Content-Length (a dropped connection) is an error and leaves nothing behind.
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions): Promise<void> {
  const limits = pluginLimits(options.env);
  const clock = new TransferClock(url, limits, options.signal);
  const failed = (error: unknown) => (options.signal.aborted ? (options.signal.reason ?? error) : (clock.expired ?? error));
  try {
    const { response, url: fetchedUrl } = await fetchWithRedirects(url, { ...options, signal: clock.signal }).catch((error: unknown) => {
      throw failed(error);
    });
    const finalUrl = redactUrls(fetchedUrl);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new PluginError(`download of '${finalUrl}' failed: HTTP ${response.status} ${response.statusText}`.trimEnd(), {
        hint: response.status === 404 ? 'check that the URL points to an existing file' : undefined,
      });
    }
    const lengthHeader = response.headers.get('content-length');
    const expectedLength = lengthHeader === null ? undefined : Number(lengthHeader);
    if (expectedLength !== undefined && expectedLength > limits.maxPluginBytes) {
      await response.body.cancel();
      throw tooLarge(finalUrl, formatBytes(expectedLength), limits);
    }
    const body = response.body;
    await writeAtomically(destination, async (temporaryPath) => {
      const bar = downloadProgress(expectedLength ?? 0);
      const file = await open(temporaryPath, 'w');
      let received = 0;
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          clock.touch();
          received += chunk.length;
          if (received > limits.maxPluginBytes) throw tooLarge(finalUrl, `over ${formatBytes(limits.maxPluginBytes)}`, limits);
          await file.write(chunk);
          bar?.update(received);
        }
      } catch (error) {
        if (error instanceof PluginError || options.signal.aborted || clock.expired) throw failed(error);
        throw new PluginError(`download of '${finalUrl}' was cut short after ${received} bytes${expectedLength === undefined ? '' : ` of ${expectedLength}`}: ${describeFailure(error)}`, {
          hint: 'run the command again; if it keeps failing, the server is dropping the connection',
        });
      } finally {
        bar?.stop();
        await file.close();
        // an early exit (size, timeout) leaves the rest unread: close the connection
        await body.cancel().catch(() => undefined);
      }
      if (expectedLength !== undefined && received !== expectedLength) {
        throw new PluginError(`download of '${finalUrl}' was cut short: got ${received} of ${expectedLength} bytes`, {
          hint: 'run the command again; if it keeps failing, the server is sending broken responses',
        });
      }
      await options.verify?.(temporaryPath);
    });
    options.log.debug(`Downloaded '${finalUrl}' to '${destination}'`);
  } finally {
    clock.stop();
  }
}

/** GETs a JSON document (within the download time limits, at most 16 MiB); returns the HTTP status with the parsed body (undefined when not JSON). */
export async function fetchJson(url: string, options: FetchOptions): Promise<{ status: number; body: unknown }> {
  const clock = new TransferClock(url, pluginLimits(options.env), options.signal);
  try {
    const { response } = await fetchWithRedirects(url, { ...options, signal: clock.signal });
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
      clock.touch();
      size += chunk.length;
      if (size > maxJsonBytes) {
        await response.body?.cancel();
        throw new PluginError(`the answer of '${redactUrls(url)}' is larger than ${formatBytes(maxJsonBytes)}: it is not release information`, {
          hint: 'check the GitHub host in the plugin URL (and GILBERT_GITHUB_API, if set)',
        });
      }
      chunks.push(chunk);
    }
    try {
      return { status: response.status, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    } catch {
      return { status: response.status, body: undefined };
    }
  } catch (error) {
    if (error instanceof PluginError) throw error;
    throw options.signal.aborted ? (options.signal.reason ?? error) : (clock.expired ?? error);
  } finally {
    clock.stop();
  }
}

/** ELF (Linux) and Mach-O (macOS) magic numbers: a plugin is a shared library. */
const libraryMagics = [0x7f454c46, 0xcffaedfe, 0xcefaedfe, 0xfeedfacf, 0xfeedface];

/**
 * Refuses a downloaded file that is no shared library (an HTML error page,
 * a login form, a JSON message), before it enters the cache: cached, it
 * would fail on every run with advice about rebuilding the plugin.
 */
export async function checkPluginLibrary(file: string, url: string): Promise<void> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(64);
  let length = 0;
  try {
    ({ bytesRead: length } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  if (length >= 4 && libraryMagics.includes(head.readUInt32BE(0))) return;
  const text = head.subarray(0, length).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim();
  throw new PluginError(`'${redactUrls(url)}' did not send a Go plugin: the file is not a shared library${length ? ` (it starts with '${text.slice(0, 40)}')` : ' (it is empty)'}`, {
    hint: 'check the URL (and any login the server needs): it must point at a .so built with `go build -buildmode=plugin`; nothing was cached',
  });
}
