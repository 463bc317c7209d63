import { GilbertError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { cleanStorage, storageDirectory } from '../plugins/cache.js';

/**
 * `gilbert clean`: storage is `$GILBERT_HOME`, else `~/.gilbert`; the
 * project's go:// builds are under `./.gilbert/plugins` of the current
 * directory, where `gilbert run` finds gilbert.yaml (plugins/cache.ts owns the layout).
 */
export async function cleanCommand(options: { all?: boolean; plugins?: boolean }, log: Logger): Promise<void> {
  try {
    await cleanStorage(options, log, process.env, process.cwd());
  } catch (error) {
    if (error instanceof GilbertError) throw error;
    throw new GilbertError(`failed to clean '${storageDirectory()}': ${(error as Error).message}`, {
      cause: error,
      hint: 'check the permissions of the storage directory ($GILBERT_HOME, else ~/.gilbert) and of ./.gilbert',
    });
  }
}
