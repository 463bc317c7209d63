import path from 'node:path';
import { GilbertError, ManifestError } from '../errors.js';
import type { Manifest } from '../manifest/ast.js';
import { MANIFEST_HINT } from './report.js';

export const MANIFEST_FILE = 'gilbert.yaml';

/** Loads ./gilbert.yaml; a failure that is not already a ManifestError still gets Gilbert's hint. */
export async function loadProjectManifest(): Promise<Manifest> {
  const file = path.resolve(MANIFEST_FILE);
  const { loadManifest } = await import('../manifest/index.js');
  try {
    return await loadManifest(file);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    if (error instanceof GilbertError) throw new ManifestError(error.message, { hint: error.hint ?? MANIFEST_HINT, location: error.location, cause: error });
    throw error;
  }
}
