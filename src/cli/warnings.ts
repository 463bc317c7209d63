import type { ManifestWarning } from '../manifest/ast.js';
import { paint, shouldUseColor } from '../log/console.js';
import { displayLocation } from './report.js';

/** `--strict` or GILBERT_STRICT (any value but empty, 0 or false): what Gilbert tolerated is an error. */
export function isStrict(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag) return true;
  const value = (env.GILBERT_STRICT ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/**
 * Prints each warning once, to stderr (stdout stays what Gilbert printed, so
 * `ls --json` stays JSON): `WARNING: gilbert.yaml:5: unknown field …`.
 */
export function printWarnings(warnings: readonly ManifestWarning[], options: { noColor?: boolean } = {}): void {
  const color = shouldUseColor(process.stderr, Boolean(options.noColor));
  const seen = new Set<string>();
  for (const warning of warnings) {
    const line = `WARNING: ${displayLocation(warning.location)}: ${warning.message}`;
    if (seen.has(line)) continue;
    seen.add(line);
    process.stderr.write(`${paint('warn', line, color)}\n`);
  }
}
