/**
 * The bridge protocol, declared once for TypeScript: every message between
 * gilbert-ts (the host) and the Go side, whatever transport carries it (the
 * in-process shim through koffi, or the Go host process over pipes).
 * go-shim/bridge/protocol.go declares the same messages for Go, and
 * test/bridge/protocol.test.ts fails when the two differ: the tables below
 * are data so that they can be compared with what the Go side describes.
 *
 * Type names: "int", "string", "bool", "vars" (map of strings), "tagged" (a
 * param value, see marshal.ts), "json" (any JSON the operation defines),
 * "null", a shape's name, `T[]` a list, `T?` nullable. A field name ending in
 * "?" may be left out.
 *
 * Ids belong to the side that made the object: host ids (calls, requests'
 * answers, contexts, scopes, runners, factories, TS handlers) are positive;
 * Go-made contexts are negative, plugins and Go handlers positive.
 */
import type { Vars } from '../sdk/index.js';

/** Changes with any change below: a Go host process speaking another version is rebuilt, never read. */
export const PROTOCOL_VERSION = 2;

/** Structures used by several messages. */
export const shapes = {
  /** an error crossing the boundary either way: `name` is the host's error class when it started there */
  error: { message: 'string', 'name?': 'string', 'hint?': 'string', 'location?': 'location?', 'panic?': 'bool', 'stack?': 'string' },
  location: { file: 'string', line: 'int' },
  /** sdk.Job as the TS Job type spells it (periods in milliseconds) */
  job: {
    'description?': 'string',
    'action?': 'string',
    'task?': 'string',
    'mixin?': 'string',
    'if?': 'string',
    'async?': 'bool',
    'delay?': 'int',
    'deadline?': 'int',
    'vars?': 'vars',
    'params?': 'tagged',
  },
  variable: { isLocal: 'bool', value: 'string' },
  environment: { projectDirectory: 'string' },
  openResult: { plugin: 'int', name: 'string', actions: 'string[]' },
} as const;

/** Host → Go: calls. Those with a `call` id end with a `done` event. */
export const calls = {
  /** opens a Go plugin; done carries an openResult */
  open: { call: 'int', path: 'string' },
  /** runs the factory of `action` with the host scope `scope`; done carries the handler id */
  newHandler: { call: 'int', plugin: 'int', action: 'string', scope: 'int', params: 'tagged' },
  /** runs handler.Call with a new job context `ctx` and the host runner `runner`; done carries the job's first result */
  call: { call: 'int', handler: 'int', ctx: 'int', runner: 'int', vars: 'vars' },
  /** runs handler.Cancel(ctx); its error also becomes the job's result if it has none yet */
  cancel: { call: 'int', handler: 'int', ctx: 'int' },
  /** the host context `ctx` was cancelled: cancels the Go context */
  ctxCancel: { ctx: 'int' },
  releaseHandler: { handler: 'int' },
  releaseCtx: { ctx: 'int' },
  /** answers request `req`: `data` is the answer (ok) or an error shape (not ok) */
  complete: { req: 'int', ok: 'bool', data: 'json' },
  /** completes at once (from a new goroutine when viaGoroutine): the bridge's own round trip, for `make bench` */
  ping: { call: 'int', viaGoroutine: 'bool' },
} as const;

/** What `done` carries for each call (null for the others). */
export const results = { open: 'openResult', newHandler: 'int' } as const;

/** Go → host: events. `log` is the hot path and travels as a text record (marshal.ts). */
export const events = {
  done: { call: 'int', 'error?': 'error?', 'result?': 'json' },
  /** Go waits for `complete` with this `req`; `args` and the answer are per operation (requests) */
  request: { req: 'int', op: 'string', args: 'json' },
  /** Go derived context `ctx` from `parent`: kind "fork" or "child" */
  context: { ctx: 'int', parent: 'int', kind: 'string' },
  /** the plugin cancelled its context */
  cancel: { ctx: 'int' },
  /** the plugin set its context's vars */
  vars: { ctx: 'int', vars: 'vars' },
  /** Go no longer holds the host handler */
  release: { handler: 'int' },
  log: { ctx: 'int', level: 'string', depth: 'int', message: 'string' },
  /** the Go host process's first frame: its protocol version and runtime/debug build info */
  hello: { protocol: 'int', build: 'json' },
} as const;

/** Go → host: requests, each with its args and the answer Go decodes. */
export const requests = {
  'scope.appendVariables': { args: { scope: 'int', vars: 'vars' }, answer: 'null' },
  'scope.appendGlobals': { args: { scope: 'int', vars: 'vars' }, answer: 'null' },
  'scope.global': { args: { scope: 'int', name: 'string' }, answer: 'string?' },
  'scope.variable': { args: { scope: 'int', name: 'string' }, answer: 'variable?' },
  'scope.vars': { args: { scope: 'int' }, answer: 'vars' },
  'scope.expand': { args: { scope: 'int', exprs: 'string[]' }, answer: 'string[]' },
  'scope.environment': { args: { scope: 'int' }, answer: 'environment' },
  'scope.environ': { args: { scope: 'int' }, answer: 'string[]' },
  'runner.actionByName': { args: { runner: 'int', name: 'string' }, answer: 'int' },
  'runner.runJob': { args: { runner: 'int', job: 'job', ctx: 'int' }, answer: 'null' },
  'runner.runTask': { args: { runner: 'int', name: 'string', ctx: 'int', scope: 'int' }, answer: 'null' },
  'factory.create': { args: { factory: 'int', scope: 'int', params: 'tagged' }, answer: 'int' },
  'handler.call': { args: { handler: 'int', ctx: 'int', runner: 'int' }, answer: 'null' },
  'handler.cancel': { args: { handler: 'int', ctx: 'int' }, answer: 'null' },
} as const;

// ---- the TypeScript types the tables stand for --------------------------------

/**
 * A param value on the wire: `[tag, payload]` (encoding rules in marshal.ts).
 */
export type Tagged =
  | ['i', number]
  | ['f', number | string]
  | ['s', string]
  | ['b', boolean]
  | ['n']
  | ['l', Tagged[]]
  | ['m', [Tagged, Tagged][]];

type Shapes = typeof shapes;

/** The TS type of a type name. Go maps and slices may be nil, so they may arrive as null. */
export type TypeOf<N> = N extends `${infer T}?`
  ? TypeOf<T> | null
  : N extends `${infer T}[]`
    ? TypeOf<T>[] | null
    : N extends 'int'
      ? number
      : N extends 'string'
        ? string
        : N extends 'bool'
          ? boolean
          : N extends 'vars'
            ? Vars | null
            : N extends 'tagged'
              ? Tagged
              : N extends 'json'
                ? unknown
                : N extends 'null'
                  ? null
                  : N extends keyof Shapes
                    ? Fields<Shapes[N]>
                    : never;

type RequiredFields<S> = { -readonly [K in keyof S as K extends `${string}?` ? never : K]: TypeOf<S[K]> };
type OptionalFields<S> = { -readonly [K in keyof S as K extends `${infer B}?` ? B : never]?: TypeOf<S[K]> };
/** The TS object type of a table row. */
export type Fields<S> = RequiredFields<S> & OptionalFields<S>;

export type Shape<N extends keyof Shapes> = Fields<Shapes[N]>;
export type WireError = Shape<'error'>;
export type WireJob = Shape<'job'>;

type Calls = typeof calls;
export type CallName = keyof Calls;
/** A host → Go call, discriminated by `op`. */
export type HostCall = { [K in CallName]: { op: K } & Fields<Calls[K]> }[CallName];
export type CallResult<K extends CallName> = K extends keyof typeof results ? TypeOf<(typeof results)[K]> : null;

type Events = typeof events;
/** A Go → host event, discriminated by `e`. */
export type GoEvent = { [K in keyof Events]: { e: K } & Fields<Events[K]> }[keyof Events];
export type LogEvent = Fields<Events['log']>;

type Requests = typeof requests;
export type RequestOp = keyof Requests;
/** A Go → host request, discriminated by `op`. */
export type GoRequest = { [K in RequestOp]: { op: K; args: Fields<Requests[K]['args']> } }[RequestOp];
export type Answer<K extends RequestOp> = TypeOf<Requests[K]['answer']>;
