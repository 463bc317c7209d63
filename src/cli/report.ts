import path from 'node:path';
import { GilbertError, ManifestError } from '../errors.js';
import { paint } from '../log/console.js';
import { redactUrls } from '../log/redact.js';

/** Gilbert's advice after any manifest load error. */
export const MANIFEST_HINT = "Check if 'gilbert.yaml' file exists or has correct syntax and check all import statements";

/**
 * Prints an error once, as Gilbert did: `ERROR: <message>` in red. A
 * GilbertError is the user's to fix: message, location and hint, no stack.
 * Anything else is a bug in gilbert-ts and keeps its stack.
 * Returns the exit status.
 */
export function reportError(error: unknown, options: { color: boolean; verbose: boolean; out?: Pick<NodeJS.WritableStream, 'write'> }): number {
  const out = options.out ?? process.stderr;
  const lines: string[] = [];
  if (error instanceof GilbertError) {
    const { location } = error;
    // Messages that already name the place (often as a path relative to the project) are not prefixed again.
    const named = location && error.message.includes(`${path.basename(location.file)}:${location.line}`);
    const where = location && !named ? `${location.file}:${location.line}: ` : '';
    lines.push(`ERROR: ${where}${error.message}`);
    // A manifest error without advice of its own gets Gilbert's.
    const hint = error.hint ?? (error instanceof ManifestError ? MANIFEST_HINT : undefined);
    if (hint) lines.push('', hint);
    if (options.verbose && error.cause instanceof Error && error.cause.stack) lines.push('', `caused by: ${error.cause.stack}`);
  } else {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    lines.push(`ERROR: ${error instanceof Error ? error.message : String(error)}`, '', `This is a bug in gilbert-ts:`, stack);
  }
  out.write(lines.map((line) => paint('error', redactUrls(line), options.color)).join('\n') + '\n');
  return error instanceof GilbertError ? error.exitCode : 1;
}
