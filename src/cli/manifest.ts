import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GilbertError, ManifestError } from '../errors.js';
import type { Manifest } from '../manifest/ast.js';
import { MANIFEST_HINT } from './report.js';

export const MANIFEST_FILE = 'gilbert.yaml';

/** Loads ./gilbert.yaml; a failure that is not already a ManifestError still gets Gilbert's hint. */
export async function loadProjectManifest(): Promise<Manifest> {
  const file = path.resolve(MANIFEST_FILE);
  // anything else at that path (a FIFO, a folder) is for loadManifest to refuse by name
  if (!(await stat(file).then(() => true, () => false))) throw await missingManifest(file);
  const { loadManifest } = await import('../manifest/index.js');
  try {
    return await loadManifest(file);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof GilbertError) throw new ManifestError(error.message, { hint: error.hint ?? MANIFEST_HINT, location: error.location, cause: error });
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
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
