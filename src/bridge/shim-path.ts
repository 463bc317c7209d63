import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../errors.js';

/** The package root: this file is src/bridge/ (tsx) or dist/bridge/ (built). */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `$GILBERT_SHIM`, else the shim `make shim` builds inside the package. */
export function defaultShimPath(): string {
  return process.env.GILBERT_SHIM || resolve(packageRoot, 'go-shim', 'build', 'libgilbert_shim.so');
}

/** Throws a PluginError saying how to build the shim when it is missing. */
export function requireShim(path: string): string {
  if (!existsSync(path)) {
    throw new PluginError(`the Go plugin shim is missing: '${path}' does not exist`, {
      hint:
        'build it with `make shim` in the gilbert-ts folder (needs Go with cgo and gcc: ' +
        '`cd go-shim && go build -buildmode=c-shared -o build/libgilbert_shim.so .`), ' +
        'or point $GILBERT_SHIM at a built libgilbert_shim.so',
    });
  }
  return path;
}

/** What runtime/debug.ReadBuildInfo says about the running shim: plugins must match it. */
export interface ShimBuildInfo {
  /** e.g. "go1.26.8" */
  goVersion: string;
  /** the shim module's path */
  path: string;
  /** module path → version, e.g. "github.com/go-gilbert/gilbert-sdk" → "v0.9.0" */
  modules: Record<string, string>;
  /** build settings, e.g. "-trimpath" → "true", "CGO_ENABLED" → "1" ("-trimpath" absent when not used) */
  settings: Record<string, string>;
}

interface GoBuildInfo {
  GoVersion: string;
  Path: string;
  Deps?: { Path: string; Version: string }[] | null;
  Settings?: { Key: string; Value: string }[] | null;
}

export function parseBuildInfo(json: string): ShimBuildInfo {
  const info = JSON.parse(json) as GoBuildInfo;
  return {
    goVersion: info.GoVersion,
    path: info.Path,
    modules: Object.fromEntries((info.Deps ?? []).map((d) => [d.Path, d.Version])),
    settings: Object.fromEntries((info.Settings ?? []).map((s) => [s.Key, s.Value])),
  };
}

/**
 * The running shim's build info (loads the shim if needed). Plugin sources
 * use it for ABI matching: a plugin must be built by `goVersion`, with the
 * same `modules` versions and the same `-trimpath` setting.
 */
export async function shimBuildInfo(shimPath?: string): Promise<ShimBuildInfo> {
  const { connectShim } = await import('./in-process.js');
  return connectShim(shimPath ?? defaultShimPath()).transport.buildInfo();
}
