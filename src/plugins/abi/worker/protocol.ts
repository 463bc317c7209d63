import { CancelledError, GilbertError, JobError, PluginError } from '../../../errors.js';
import { IntegralFloat, type ActionParams, type ParamValue, type Vars } from '../../../sdk/index.js';

/**
 * Messages between the main process and a shim worker: a child process
 * holding the one Go runtime that fits plugins the main process's shim
 * cannot open (facts §7: one Go runtime per process). Requests carry an id;
 * the worker answers a request with `result`, the main process answers the
 * worker's requests with `answer`.
 */

export interface WireError {
  name: string;
  message: string;
  hint?: string;
  exitCode?: number;
}

export interface ScopeSnapshot {
  id: number;
  locals: Vars;
  globals: Vars;
  projectDirectory: string;
  environ: string[];
}

export type ToWorker =
  | { t: 'load'; id: number; shimPath: string; paths: string[] }
  | { t: 'create'; id: number; plugin: string; action: string; params: unknown; scope: ScopeSnapshot }
  /** `actions`: what the main registry holds, so that the plugin's ActionByName can answer at once */
  | { t: 'call'; id: number; handler: number; vars: Vars; isChild: boolean; actions: string[] }
  /** `call`: the id of the call whose context the handler's Cancel must receive, as the SDK gives it */
  | { t: 'cancel'; id: number; handler: number; call?: number; vars: Vars; isChild: boolean }
  | { t: 'abort'; call: number; reason: WireError }
  | { t: 'answer'; id: number; ok: boolean; value?: unknown; error?: WireError };

export type FromWorker =
  | { t: 'result'; id: number; ok: boolean; value?: unknown; error?: WireError }
  | { t: 'log'; call: number; level: string; depth: number; message: string }
  | { t: 'expand'; id: number; scope: number; texts: string[] }
  | { t: 'append'; scope: number; kind: 'locals' | 'globals'; vars: Vars }
  /**
   * JobRunner calls of a running action, on the main process's context of
   * `call`, or (`context` != `call`) a child of it standing for the worker
   * context `context`, derived from `parent`.
   */
  | ({ t: 'runJob'; id: number; job: unknown } & ContextRef)
  | ({ t: 'runTask'; id: number; name: string; scope?: number } & ContextRef)
  | ({ t: 'create'; id: number; name: string; scope?: number; params: unknown } & ContextRef)
  | ({ t: 'handlerCall' | 'handlerCancel'; id: number; handler: number } & ContextRef)
  | ({ t: 'setVars'; vars: Vars } & ContextRef);

export interface ContextRef {
  call: number;
  context: number;
  parent: number;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof GilbertError) return { name: error.name, message: error.message, hint: error.hint, exitCode: error.exitCode };
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(wire: WireError): Error {
  if (wire.name === 'CancelledError') return new CancelledError('cancel', wire.message);
  const ErrorClass = wire.name === 'PluginError' ? PluginError : JobError;
  return new ErrorClass(wire.message, { hint: wire.hint, exitCode: wire.exitCode });
}

/** JSON would turn an IntegralFloat (YAML `1.0`) into an integer; Go plugins must still see a float64. */
export function encodeParams(value: ParamValue | ActionParams): unknown {
  if (value instanceof IntegralFloat) return { $integralFloat: value.value };
  if (Array.isArray(value)) return value.map(encodeParams);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeParams(item)]));
  return value;
}

export function decodeParams(value: unknown): ParamValue {
  if (Array.isArray(value)) return value.map(decodeParams);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$integralFloat === 'number' && Object.keys(record).length === 1) return new IntegralFloat(record.$integralFloat);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, decodeParams(item)]));
  }
  return value as ParamValue;
}
