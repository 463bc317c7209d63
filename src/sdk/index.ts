/**
 * gilbert-ts plugin SDK: the TypeScript face of github.com/go-gilbert/gilbert-sdk v0.9.0.
 *
 * Every part of gilbert-ts speaks these types: built-in actions, TypeScript
 * plugins, the Go bridge (which adapts Go plugins to them) and the runner.
 * Plugin authors import them as `gilbert-ts/sdk`.
 *
 * Mapping to the Go SDK:
 *   sdk.Actions / HandlerFactory / ActionHandler  -> Actions / HandlerFactory / ActionHandler
 *   sdk.JobRunner                                 -> JobRunner (Promise-based)
 *   sdk.JobContextAccessor                        -> JobContext (AbortSignal instead of context.Context)
 *   sdk.ScopeAccessor                             -> Scope (expansion is async: `{% %}` runs a shell)
 *   sdk.Logger                                    -> Logger
 */

export type { Logger, LogLevel } from '../log/logger.js';
import type { Logger } from '../log/logger.js';

/** A set of variables (sdk.Vars). */
export type Vars = Record<string, string>;

const integralFloatBrand = Symbol.for('gilbert-ts.IntegralFloat');

/**
 * A YAML float whose value is integral, such as `1.0` or `1e3`.
 *
 * Gilbert decoded params with gopkg.in/yaml.v2, which gives Go plugins a
 * float64 for `1.0` and an int for `1`. A JS number cannot tell the two apart,
 * so the manifest loader boxes integral floats in this class; the Go bridge
 * marshals it as float64 and every other number by `Number.isInteger`.
 * TypeScript actions can treat it as a number (`Number(x)` or `+x`).
 */
export class IntegralFloat {
  /**
   * A plugin may load its own copy of this module (its own gilbert-ts, or a
   * loader's namespaced copy); the brand keeps `instanceof` true across copies.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[integralFloatBrand] === true;
  }
  readonly [integralFloatBrand] = true;
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
  toString(): string {
    return Number.isFinite(this.value) ? this.value.toFixed(1) : String(this.value);
  }
}

/** A param value as written in YAML: what Gilbert's yaml.v2 decoding could produce. */
export type ParamValue =
  | string
  | number
  | boolean
  | null
  | IntegralFloat
  | ParamValue[]
  | { [key: string]: ParamValue };

/** Raw action params (sdk.ActionParams): never expanded by the runner; actions expand what they need. */
export type ActionParams = Record<string, ParamValue>;

/** Where something was declared in a manifest, for error messages. */
export interface SourceLocation {
  file: string;
  /** 1-based line number */
  line: number;
}

/** One step of a task (sdk.Job). */
export interface Job {
  description?: string;
  action?: string;
  task?: string;
  mixin?: string;
  /** shell command; the job runs only when it exits 0 */
  if?: string;
  async?: boolean;
  /** milliseconds to wait before the job starts */
  delay?: number;
  /** milliseconds after which the job is cancelled */
  deadline?: number;
  vars?: Vars;
  params?: ActionParams;
  /** where the job was declared (absent for jobs built by plugins) */
  location?: SourceLocation;
}

/** Information about the project (sdk.ProjectEnvironment). */
export interface ProjectEnvironment {
  projectDirectory: string;
}

/** Variables visible to a job and the expression evaluator (sdk.ScopeAccessor). */
export interface Scope {
  /** Adds local variables (overwriting) and returns this scope. */
  appendVariables(vars: Vars): Scope;
  /** Adds global variables (overwriting) and returns this scope. */
  appendGlobals(vars: Vars): Scope;
  global(name: string): string | undefined;
  /** Looks a name up in locals first, then globals. */
  variable(name: string): { isLocal: boolean; value: string } | undefined;
  /** The local variables. */
  vars(): Vars;
  /** Expands `{{ var }}` and `{% command %}` expressions. */
  expand(expression: string): Promise<string>;
  /** Expands several strings (sdk.ScopeAccessor.Scan). */
  expandAll(expressions: readonly string[]): Promise<string[]>;
  environment(): ProjectEnvironment;
  /** The OS environment plus the scope's globals and locals, as `NAME=value`. */
  environ(): string[];
}

/** The running job's context (sdk.JobContextAccessor). */
export interface JobContext {
  readonly log: Logger;
  /** Aborted when the job is cancelled: by the user, a deadline, or a failing sibling. */
  readonly signal: AbortSignal;
  readonly isChild: boolean;
  /** Variables carried by the context (e.g. `--var`, or the caller's job vars). */
  vars: Vars;
  isAlive(): boolean;
  /** Cancels this context and every context derived from it. */
  cancel(reason?: unknown): void;
  /** Cancels this context after `ms` milliseconds. */
  timeout(ms: number): void;
  /** Same job and signal, separate sub-logger (sdk ForkContext). */
  fork(): JobContext;
  /** A child context: cancelled with this one, but cancellable on its own (sdk ChildContext). */
  child(): JobContext;
}

/** What runs jobs for an action (sdk.JobRunner). */
export interface JobRunner {
  /** Throws when no action has that name. */
  actionByName(name: string): HandlerFactory;
  /** Runs one job in the given context; settles with its result. */
  runJob(job: Job, ctx: JobContext): Promise<void>;
  /** Runs a task by name with the scope's locals added to each job. */
  runTask(name: string, ctx: JobContext, scope: Scope): Promise<void>;
}

/**
 * A created action (sdk.ActionHandler). As in Go, `cancel` is part of the
 * handler: write `async cancel() {}` when `call` never blocks, or when it
 * stops by itself on `ctx.signal`.
 */
export interface ActionHandler {
  /** Runs the action; rejects with the job's error. */
  call(ctx: JobContext, runner: JobRunner): Promise<void>;
  /** Called when the job's context is cancelled while `call` runs; its outcome is the job's result. */
  cancel(ctx: JobContext): Promise<void>;
}

/** Creates an action handler from the job's scope and raw params (sdk.HandlerFactory). */
export type HandlerFactory = (scope: Scope, params: ActionParams) => ActionHandler | Promise<ActionHandler>;

/** Action name -> factory (sdk.Actions). */
export type Actions = Record<string, HandlerFactory>;

/**
 * A plugin: what a TypeScript plugin module exports (its default export, or
 * `name` and `actions` as named exports), and what the runner registers for
 * a Go plugin. Its actions are called `<name>:<action>` in gilbert.yaml.
 */
export interface GilbertPlugin {
  name: string;
  actions: Actions;
}

/** Helper for plugin authors: gives a plugin its type, and its factories their parameter types. */
export function definePlugin<T extends GilbertPlugin>(plugin: T): T {
  return plugin;
}

// The errors the runner tells apart: a plugin may throw them (a JobError with
// a hint prints that hint under the error) and tests may check for them.
export { GilbertError, ManifestError, JobError, PluginError, CancelledError } from '../errors.js';
