import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GilbertError, ManifestError } from '../errors.js';
import type { Manifest } from '../manifest/ast.js';
import { MANIFEST_HINT } from './report.js';

export const MANIFEST_FILE = 'gilbert.yaml';

/**
 * Loads ./gilbert.yaml and checks the built-in actions' params; a failure
 * that is not already a ManifestError becomes one. What Gilbert tolerated is
 * printed as warnings, or is an error when `strict`.
 */
export async function loadProjectManifest(options: { strict?: boolean; noColor?: boolean } = {}): Promise<Manifest> {
  const file = path.resolve(MANIFEST_FILE);
  // anything else at that path (a FIFO, a folder) is for loadManifest to refuse by name
  if (!(await stat(file).then(() => true, () => false))) throw await missingManifest(file);
  const { loadManifest } = await import('../manifest/index.js');
  try {
    const manifest = await loadManifest(file, { strict: options.strict });
    const { checkBuiltinParams } = await import('../runner/check-params.js');
    const warnings = [...(manifest.warnings ?? []), ...(await checkBuiltinParams(manifest, { strict: options.strict }))];
    if (warnings.length > 0) {
      const { printWarnings } = await import('./warnings.js');
      printWarnings(warnings, { noColor: options.noColor });
    }
    return manifest;
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof GilbertError) throw new ManifestError(error.message, { hint: error.hint, location: error.location, cause: error });
    throw error;
  }
}

/** Gilbert's message, with what a newcomer needs next: `gilbert init`, or the project folder they are below. */
async function missingManifest(file: string): Promise<ManifestError> {
  const hints = ["create one with 'gilbert init' (or 'gilbert init --plugin ts|go' for a plugin project)"];
  const parent = await nearestManifestAbove(path.dirname(file));
  if (parent) hints.unshift(`the nearest ${MANIFEST_FILE} is in '${parent}': run gilbert there (cd '${parent}')`);
  return new ManifestError(`manifest file not found at '${file}'`, { hint: hints.join('; or ') });
}

async function nearestManifestAbove(directory: string): Promise<string | undefined> {
  for (let dir = path.dirname(directory); ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, MANIFEST_FILE))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  // anything by that name: the loader says why a FIFO or a folder is not a manifest
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Gilbert's `run` ends manifest and plugin load errors with its advice
 * (`ls` does not): the same text, as part of the message.
 */
export function withManifestAdvice(error: unknown): unknown {
  if (!(error instanceof GilbertError)) return error;
  return new ManifestError(`${error.message}\n\n${MANIFEST_HINT}`, { hint: error.hint, location: error.location, exitCode: error.exitCode, cause: error });
}
