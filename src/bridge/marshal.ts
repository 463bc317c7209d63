/**
 * Every encoding rule of the bridge protocol (protocol.ts), in one place:
 * params, jobs, event batches, errors. Transports only carry what this
 * module encodes.
 */
import { CancelledError, GilbertError, JobError, ManifestError, PluginError } from '../errors.js';
import { IntegralFloat } from '../sdk/index.js';
import type { ActionParams, Job, LogLevel, ParamValue, SourceLocation } from '../sdk/index.js';
import type { GoEvent, LogEvent, Tagged, WireError, WireJob } from './protocol.js';

// ---- params -----------------------------------------------------------------

/*
 * A param value on the wire (protocol.ts: Tagged) is `[tag, payload]`.
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

export function encodeParams(params: ActionParams | undefined): Tagged {
  return encodeValue(params ?? {});
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

// ---- event batches (Go → TS) ------------------------------------------------

/**
 * Go sends events in batches: records separated by RS (U+001E), in the
 * order goroutines made them (one dispatcher, one queue), so a job's log
 * lines and its completion arrive in order.
 *
 * A log event is a text record, `L<ctx>US<level digit><depth>US<message>`
 * (US = U+001F): logging is the hot path (≥ 1,000,000 lines/s wanted) and
 * slicing a string is several times cheaper than JSON.parse per line. NUL,
 * RS and US inside a message arrive as U+FFFD (they would break the framing,
 * and do not occur in terminal text). Every other event is `J` + its JSON
 * object, `e` naming it.
 */
export const RECORD_SEP = '\x1e';
export const UNIT_SEP = '\x1f';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'log', 'success', 'warn', 'error'];

/** A log event as decoded from its text record. */
export interface LogRecordWire extends LogEvent {
  level: LogLevel;
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

/** Decodes a `J` record. */
export function decodeEventRecord(rec: string): GoEvent {
  return JSON.parse(rec.slice(1)) as GoEvent;
}

// ---- errors -----------------------------------------------------------------

/** The Go side's own frames, which bury the plugin's line in a panic stack. */
const shimFrame = /^github\.com\/gilbert-ts\/go-shim\/bridge\.(guard|runCall|runCancel|newHandler|lookupName|lookupActions)/;

/**
 * The frames of a Go panic stack that belong to the plugin: the part between
 * the `panic(...)` frame and the bridge's recovery wrapper.
 */
export function pluginFrames(stack: string): string {
  const lines = stack.split('\n');
  const start = lines.findIndex((l) => /^panic\(/.test(l));
  const body = start >= 0 ? lines.slice(start + 2) : lines.slice(1);
  const out: string[] = [];
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (shimFrame.test(body[i]!)) break;
    out.push(body[i]!, body[i + 1]!);
  }
  return out.join('\n');
}

/** A panic or error from Go plugin code, as the job's error. */
export class GoPluginError extends JobError {
  /** the whole Go stack of a panic (the message has the plugin's frames) */
  readonly goStack?: string;
  constructor(message: string, options: { hint?: string; goStack?: string; location?: SourceLocation } = {}) {
    super(message, { hint: options.hint, location: options.location });
    this.goStack = options.goStack;
  }
}

const hostErrorClasses: Record<string, new (message: string, options: { hint?: string; location?: SourceLocation }) => GilbertError> = {
  JobError,
  PluginError,
  ManifestError,
  GilbertError,
};

/** An error as it crosses to Go: what it needs to come back out as the same error. */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { message: String(err) };
  const wire: WireError = { message: err.message, name: err.name };
  if (err instanceof GilbertError) {
    if (err.hint) wire.hint = err.hint;
    if (err.location) wire.location = { file: err.location.file, line: err.location.line };
  }
  return wire;
}

/**
 * An error from Go. One that started on the host keeps its class, hint and
 * location; a panic keeps its value and the plugin's frames (the whole Go
 * stack in goStack); a load failure is a PluginError.
 */
export function fromWireError(e: WireError, kind: 'load' | 'job'): Error {
  const location = e.location ?? undefined;
  const hint = e.hint ?? undefined;
  if (kind === 'load') return new PluginError(e.message, { hint, location });
  if (e.name === 'CancelledError') return new CancelledError('cancel', e.message);
  const HostClass = e.name ? hostErrorClasses[e.name] : undefined;
  if (HostClass) return new HostClass(e.message, { hint, location });
  if (e.panic && e.stack) {
    const frames = pluginFrames(e.stack);
    return new GoPluginError(frames ? `${e.message}\n${frames}` : e.message, { hint, goStack: e.stack });
  }
  return new GoPluginError(e.message, { hint, location });
}
