import type { Logger } from '../../log/logger.js';
import type { PluginRef } from '../../manifest/ast.js';

/** What a source hands over: a file or folder ready to load, and which loader it needs. */
export type PluginArtifact = { kind: 'go'; path: string; /** a cache entry from github:// or http(s):// */ downloaded?: boolean } | { kind: 'ts'; path: string };

/** A `plugins:` URL split the way Gilbert's url.Parse saw it. */
export interface PluginUrl {
  /** as written in the manifest */
  url: string;
  scheme: string;
  /** everything between `scheme://` and `?`, percent-decoded (host and path joined) */
  location: string;
  query: URLSearchParams;
}

/** How to run the Go toolchain so that what it builds loads into the shim in use. */
export interface GoBuildSettings {
  /** the `go` command to run */
  goCommand: string;
  /** added to the environment (GOTOOLCHAIN, GOFLAGS, CGO_ENABLED, …) */
  env: Record<string, string>;
  /** extra `go build` flags that change package contents, e.g. `-trimpath` */
  flags: string[];
}

export interface SourceContext {
  ref: PluginRef;
  url: PluginUrl;
  projectDirectory: string;
  log: Logger;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** settings for go:// builds; the default toolchain with GOFLAGS=-buildvcs=false when absent */
  goBuild?: GoBuildSettings;
}

/** One URL scheme: resolves a URL to an artifact, downloading or building it when needed. */
export interface PluginSource {
  resolve(context: SourceContext): Promise<PluginArtifact>;
}
