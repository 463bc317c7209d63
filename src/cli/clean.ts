import type { Logger } from '../log/logger.js';
import { cleanStorage } from '../plugins/cache.js';

/** `gilbert clean`: storage is `$GILBERT_HOME`, else `~/.gilbert` (plugins/cache.ts owns the layout). */
export async function cleanCommand(options: { all?: boolean; plugins?: boolean }, log: Logger): Promise<void> {
  await cleanStorage(options, log);
}
