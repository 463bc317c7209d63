/**
 * Every marshalling rule between TypeScript and the Go shim, in one place.
 * The C ABI (native/gilbert_shim.h) passes only ids and NUL-terminated UTF-8
 * JSON; this module decides what that JSON holds.
 */
import { IntegralFloat } from '../sdk/index.js';
import type { ActionParams, Job, LogLevel, ParamValue, Vars } from '../sdk/index.js';

// ---- params -----------------------------------------------------------------

/**
 * A param value on the wire: `[tag, payload]`.
 *
 * Why tags and not plain JSON: Go plugins type-assert their params
 * (`params["n"].(int)`) and mapstructure decodes by Go type, so each value
 * must arrive as the Go type gopkg.in/yaml.v2 gave Gilbert's plugins, and
 * plain JSON cannot say `int 1` versus `float64 1.0`, nor keep map keys typed.
 *
 *   "i" int       — a JS number that is a safe integer (yaml.v2: `1` → int)
 *   "f" float64   — any other number, and every IntegralFloat (yaml.v2: `1.0`
 *                   → float64); NaN/±Infinity travel as strings, JSON has none
 *   "s" string, "b" bool, "n" nil
 *   "l" []interface{}
 *   "m" map[interface{}]interface{} for nested maps, as [[key, value]...] with
 *       tagged keys; the top level becomes sdk.ActionParams (map[string]…).
 *
 * Integers beyond 2^53 cannot reach here intact: the YAML loader already holds
 * them as JS numbers, so they go as float64 (the closest faithful value).
 */
export type Tagged =
  | ['i', number]
  | ['f', number | string]
  | ['s', string]
  | ['b', boolean]
  | ['n']
  | ['l', Tagged[]]
  | ['m', [Tagged, Tagged][]];

export function encodeValue(value: ParamValue | undefined): Tagged {
  if (value === null || value === undefined) return ['n'];
  if (value instanceof IntegralFloat) return encodeFloat(value.value);
  switch (typeof value) {
    case 'string':
      return ['s', value];
    case 'boolean':
      return ['b', value];
    case 'number':
      return Number.isSafeInteger(value) ? ['i', value] : encodeFloat(value);
  }
  if (Array.isArray(value)) return ['l', value.map(encodeValue)];
  return ['m', Object.entries(value).map(([k, v]): [Tagged, Tagged] => [['s', k], encodeValue(v)])];
}

function encodeFloat(n: number): Tagged {
  return Number.isFinite(n) ? ['f', n] : ['f', String(n)];
}

export function encodeParams(params: ActionParams | undefined): string {
  return JSON.stringify(encodeValue(params ?? {}));
}

/**
 * The inverse, for params a Go plugin hands to TypeScript (ActionByName
 * factories, RunJob). A Go float64 that is integral becomes an IntegralFloat,
 * so passing it back to a Go action keeps it a float64; map keys become
 * strings (TS params are plain objects).
 */
export function decodeValue(t: Tagged): ParamValue {
  switch (t[0]) {
    case 'n':
      return null;
    case 'i':
    case 's':
    case 'b':
      return t[1];
    case 'f': {
      const n = typeof t[1] === 'string' ? Number(t[1]) : t[1];
      return Number.isInteger(n) ? new IntegralFloat(n) : n;
    }
    case 'l':
      return t[1].map(decodeValue);
    case 'm': {
      const out: { [key: string]: ParamValue } = {};
      for (const [k, v] of t[1]) out[String(decodeValue(k))] = decodeValue(v);
      return out;
    }
  }
}

export function decodeParams(t: Tagged | null | undefined): ActionParams {
  if (!t) return {};
  const v = decodeValue(t);
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof IntegralFloat) ? v : {};
}

/** sdk.Job as the shim sends it (periods are milliseconds, as in TS Job; params tagged with their Go types). */
export type WireJob = Omit<Job, 'vars' | 'params' | 'location'> & {
  vars?: Vars | null;
  params?: Tagged | null;
};

export function decodeJob(j: WireJob): Job {
  const job: Job = {};
  if (j.description) job.description = j.description;
  if (j.action) job.action = j.action;
  if (j.task) job.task = j.task;
  if (j.mixin) job.mixin = j.mixin;
  if (j.if) job.if = j.if;
  if (j.async) job.async = true;
  if (j.delay) job.delay = j.delay;
  if (j.deadline) job.deadline = j.deadline;
  if (j.vars) job.vars = j.vars;
  if (j.params) job.params = decodeParams(j.params);
  return job;
}

// ---- events (Go → TS) -------------------------------------------------------

/**
 * Go sends a batch per callback: records separated by RS (U+001E), in the
 * order goroutines made them (one dispatcher, one queue), so a job's log
 * lines and its completion arrive in order.
 *
 * A log line is a text record, `L<ctx>US<level digit><depth>US<message>`
 * (US = U+001F): logging is the hot path (≥ 1,000,000 lines/s wanted) and
 * slicing a string is several times cheaper than JSON.parse of an array per
 * line. NUL, RS and US inside a message arrive as U+FFFD (they would break
 * the framing, and do not occur in terminal text). Every other event is
 * `J` + a JSON array whose first element is its kind.
 */
export const RECORD_SEP = '\x1e';
export const UNIT_SEP = '\x1f';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'log', 'success', 'warn', 'error'];

export interface LogRecordWire {
  ctx: number;
  level: LogLevel;
  depth: number;
  message: string;
}

/** Decodes an `L` record (without checking its first character). */
export function decodeLogRecord(rec: string): LogRecordWire {
  const a = rec.indexOf(UNIT_SEP);
  const b = rec.indexOf(UNIT_SEP, a + 2);
  return {
    ctx: Number(rec.slice(1, a)),
    level: LOG_LEVELS[rec.charCodeAt(a + 1) - 48] ?? 'log',
    depth: Number(rec.slice(a + 2, b)),
    message: rec.slice(b + 1),
  };
}

export enum EventKind {
  /** [1, call, error | null, result]: a JS-initiated call ended */
  Done = 1,
  /** [2, request, op, args]: Go waits for gs_complete(request, ok, json) */
  Request = 2,
  /** [3, ctx, parentCtx, "fork" | "child"]: Go derived a context */
  Context = 3,
  /** [4, ctx, "cancel" | "vars", payload]: Go changed a context */
  Notice = 4,
  /** [5, tsHandler, null]: Go no longer holds that TS handler */
  Release = 5,
}

export type GoEvent =
  | [EventKind.Done, number, WireError | null, unknown]
  | [EventKind.Request, number, string, Record<string, unknown>]
  | [EventKind.Context, number, number, 'fork' | 'child']
  | [EventKind.Notice, number, 'cancel' | 'vars', unknown]
  | [EventKind.Release, number, null];

/** An error from Go: a panic carries its value in `message` and the goroutine's stack. */
export interface WireError {
  message: string;
  panic?: boolean;
  stack?: string;
  hint?: string;
}

/**
 * The frames of a Go panic stack that belong to the plugin: the part between
 * the `panic(...)` frame and the shim's recovery wrapper. The full stack
 * includes the Go runtime and the shim, which only bury the plugin's line.
 */
export function pluginFrames(stack: string): string {
  const lines = stack.split('\n');
  const start = lines.findIndex((l) => /^panic\(/.test(l));
  const body = start >= 0 ? lines.slice(start + 2) : lines.slice(1);
  const out: string[] = [];
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (/^main\.(guard|runCall|runCancel|newHandler|lookupName|lookupActions)/.test(body[i]!)) break;
    out.push(body[i]!, body[i + 1]!);
  }
  return out.join('\n');
}

// ---- answers (TS → Go) ------------------------------------------------------

/** Answers are JSON; `undefined` (a void TS method) travels as null. */
export function encodeAnswer(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Go gets an error answer as a JSON string: the message, which becomes its error text. */
export function encodeErrorAnswer(err: unknown): string {
  return JSON.stringify(err instanceof Error ? err.message : String(err));
}
