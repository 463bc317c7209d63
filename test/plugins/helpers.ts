import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordingLogger } from '../../src/log/logger.js';
import type { PluginRef } from '../../src/manifest/ast.js';

/** A scratch folder for one test, removed by `dispose`. */
export async function scratch(prefix = 'gilbert-plugins-'): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Options for resolvePluginArtifact/importPlugins with a private storage dir and a bounded signal. */
export function resolveOptions(projectDirectory: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000) {
  const { logger, records } = recordingLogger();
  return { log: logger, records, signal: AbortSignal.timeout(timeoutMs), projectDirectory, env };
}

export function ref(url: string, declaredIn: string): PluginRef {
  return { url, declaredIn };
}

export const fixturesDirectory = path.resolve(import.meta.dirname, '../fixtures/plugin-sources');
