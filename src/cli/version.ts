import { readFileSync } from 'node:fs';

function readJson(relative: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * `Gilbert version <version> (<commit>)`: the version from package.json, the
 * commit from dist/build-info.json (`{"commit": "…"}`, written at build
 * time) or `unknown`.
 */
export function versionLine(): string {
  const version = readJson('../../package.json')?.version ?? 'dev';
  const commit = readJson('../build-info.json')?.commit ?? 'unknown';
  return `Gilbert version ${String(version)} (${String(commit)})`;
}
