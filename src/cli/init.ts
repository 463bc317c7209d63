import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GilbertError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { schemaComment } from '../manifest/schema.js';
import { MANIFEST_FILE } from './manifest.js';

/** Gilbert's `init` boilerplate, as its yaml.v2 marshalling wrote it. */
export const STARTER_MANIFEST = `version: "1.0"
vars:
  appVersion: 1.0.0
tasks:
  build:
  - description: Build project
    action: build
  clean:
  - description: Remove vendor files
    if: file ./vendor
    action: shell
    params:
      command: rm -rf ./vendor
  cover:
  - description: Check project coverage
    action: cover
    params:
      packages:
      - ./...
      reportCoverage: true
      threshold: 60
`;

/**
 * Writes ./gilbert.yaml, headed by the line that points editors at the JSON
 * Schema. Unlike Gilbert, never over an existing one unless `--force`.
 */
export async function initCommand(options: { force?: boolean }, log: Logger): Promise<void> {
  const file = path.resolve(MANIFEST_FILE);
  log.debug(`current working directory is '${process.cwd()}'`);
  try {
    await writeFile(file, schemaComment() + STARTER_MANIFEST, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new GilbertError(`file '${file}' already exists`, { hint: "use 'gilbert init --force' to overwrite it" });
    }
    throw new GilbertError(`failed to write '${file}': ${(error as Error).message}`, { cause: error });
  }
  log.success(`File '${file}' successfully created`);
  log.info("Use 'gilbert run build' to build the project");
}
