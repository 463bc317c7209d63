import { PluginError } from '../../errors.js';
import type { PluginSource, PluginUrl } from './types.js';

export type { GoBuildSettings, PluginArtifact, PluginSource, PluginUrl, SourceContext } from './types.js';

/** Scheme → source, loaded on first use so that a manifest without plugins pays nothing. */
const sources: Record<string, () => Promise<PluginSource>> = {
  file: () => import('./file.js'),
  go: () => import('./go.js'),
  github: () => import('./github.js'),
  http: () => import('./http.js'),
  https: () => import('./http.js'),
  npm: () => import('./npm.js'),
};

export const supportedSchemes = Object.keys(sources);

/**
 * Splits a `plugins:` entry like Gilbert's url.Parse did for its handlers:
 * the scheme, then host and path joined (so `file://./x.so` and
 * `file:///abs/x.so` both work), then the query.
 */
export function parsePluginUrl(url: string): PluginUrl {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(url.trim());
  if (!match) {
    throw new PluginError('invalid plugin import URL', { hint: `expected <scheme>://…, one of: ${supportedSchemes.join(', ')}` });
  }
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!.replace(/^\/\//, '').replace(/#.*$/s, '');
  const queryStart = rest.indexOf('?');
  const rawLocation = queryStart < 0 ? rest : rest.slice(0, queryStart);
  let location: string;
  try {
    location = decodeURIComponent(rawLocation);
  } catch {
    throw new PluginError(`invalid plugin import URL (bad percent-encoding in '${rawLocation}')`);
  }
  return { url, scheme, location, query: new URLSearchParams(queryStart < 0 ? '' : rest.slice(queryStart + 1)) };
}

export async function sourceFor(scheme: string): Promise<PluginSource> {
  const load = sources[scheme];
  if (!load) {
    throw new PluginError(`unsupported plugin URL handler: '${scheme}'`, { hint: `supported: ${supportedSchemes.map((s) => `${s}://`).join(', ')}` });
  }
  return load();
}
