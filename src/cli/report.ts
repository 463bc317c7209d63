import path from 'node:path';
import { GilbertError } from '../errors.js';
import { paint } from '../log/console.js';
import { redactUrls } from '../log/redact.js';
import type { SourceLocation } from '../sdk/index.js';

/** Gilbert's advice after a manifest or plugin load error under `run` (it is part of Gilbert's message). */
export const MANIFEST_HINT = "Check if 'gilbert.yaml' file exists or has correct syntax and check all import statements";

/**
 * Prints an error once: `ERROR: <message>` in red, the message in Gilbert's
 * words. What gilbert-ts adds comes after it, on lines of its own: where
 * (`at gilbert.yaml:12`) and a hint. A GilbertError is the user's to fix: no
 * stack. Anything else is a bug in gilbert-ts and keeps its stack.
 * Returns the exit status.
 */
export function reportError(error: unknown, options: { color: boolean; verbose: boolean; out?: Pick<NodeJS.WritableStream, 'write'> }): number {
  const out = options.out ?? process.stderr;
  const lines: string[] = [];
  if (error instanceof GilbertError) {
    lines.push(`ERROR: ${error.message}`);
    if (error.location) lines.push(`at ${displayLocation(error.location)}`);
    if (error.hint) lines.push('', error.hint);
    if (options.verbose && error.cause instanceof Error && error.cause.stack) lines.push('', `caused by: ${error.cause.stack}`);
  } else {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    lines.push(`ERROR: ${error instanceof Error ? error.message : String(error)}`, '', `This is a bug in gilbert-ts:`, stack);
  }
  out.write(lines.map((line) => paint('error', redactUrls(line), options.color)).join('\n') + '\n');
  return error instanceof GilbertError ? error.exitCode : 1;
}

/** `file:line`, the file relative to the working directory when it is inside it. */
export function displayLocation(location: SourceLocation): string {
  const relative = path.relative(process.cwd(), location.file);
  const file = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : location.file;
  return `${file}:${location.line}`;
}
