import type { SourceLocation } from './sdk/index.js';

const errorKinds = Symbol.for('gilbert-ts.errorKinds');

/**
 * An error meant for the user: the CLI prints `ERROR: <message>` (plus the
 * hint) without a stack trace and exits with `exitCode`. Anything that is not
 * a GilbertError reaching the CLI is a bug and is printed with its stack.
 */
export class GilbertError extends Error {
  /**
   * A plugin's `gilbert-ts/sdk` is the host's SDK module, which the CLI bundle
   * does not share: an error class from there is another copy of this one.
   * `instanceof` therefore checks the class names an error was built with.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const kinds = (value as { [errorKinds]?: unknown } | null)?.[errorKinds];
    return Array.isArray(kinds) && kinds.includes(this.name);
  }

  readonly exitCode: number;
  readonly hint?: string;
  readonly location?: SourceLocation;
  /** the names of this error's class and its GilbertError ancestors */
  readonly [errorKinds]: readonly string[];

  constructor(message: string, options: { exitCode?: number; hint?: string; location?: SourceLocation; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    const kinds: string[] = [];
    for (let kind: Function = new.target; kind !== Error && kind; kind = Object.getPrototypeOf(kind) as Function) kinds.push(kind.name);
    this[errorKinds] = kinds;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** The manifest (or an import) cannot be read, templated, parsed or validated. */
export class ManifestError extends GilbertError {}

/** A job, task or action failed while running. */
export class JobError extends GilbertError {}

/** A cancelled action whose call and cancel did not finish within its grace (stopGraceMs). */
export class NotStoppedError extends JobError {}

/** A plugin cannot be found, fetched, built, matched or loaded. */
export class PluginError extends GilbertError {}

/** The run was cancelled by a signal: exit 130 for SIGINT, 143 for SIGTERM. */
export class CancelledError extends GilbertError {
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM' | 'cancel' = 'cancel', message = 'job cancelled') {
    super(message, { exitCode: signalName === 'SIGINT' ? 130 : signalName === 'SIGTERM' ? 143 : 1 });
  }
}

/**
 * How long a plugin action cancelled for `reason` may take to stop before it
 * fails as stuck (and the bridge abandons it). A user's Ctrl+C or SIGTERM
 * wants the run over promptly: 1 s. A deadline or a failing sibling leaves
 * `usualMs`, since the run goes on and a plugin that stops cleanly is worth
 * waiting for. The one place that decides, for the runner and the bridge.
 */
export const SIGNAL_STOP_GRACE_MS = 1_000;

export function stopGraceMs(reason: unknown, usualMs: number): number {
  return bySignal(reason) ? SIGNAL_STOP_GRACE_MS : usualMs;
}

/** Whether a cancellation came from SIGINT or SIGTERM: the run then ends with that signal's error. */
export function bySignal(reason: unknown): boolean {
  return reason instanceof CancelledError && reason.signalName !== 'cancel';
}
