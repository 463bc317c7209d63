/**
 * The one module bound to the Go shim's C ABI (native/gilbert_shim.h).
 *
 * Boundary rules (measured in go-bridge-facts.md, all hard requirements):
 *  - the shim is loaded with RTLD_GLOBAL (`global: true`), or the first
 *    plugin.Open aborts the whole process;
 *  - no synchronous FFI call runs or waits on plugin code: every shim export
 *    returns at once and plugin work runs on goroutines, reporting through one
 *    registered callback. This also means no libuv pool thread is held
 *    (koffi `.async()` would hold one per call, ~50 µs each), so a
 *    long-running action costs nothing while it runs;
 *  - Go → TS requests (expand, RunTask, ActionByName, …) wait on a Go channel;
 *    TS answers from its event loop with the quick `gs_complete`;
 *  - a ref'd timer keeps Node alive while Go work is in flight, and is unref'd
 *    when none is, so the CLI exits promptly.
 */
import koffi from 'koffi';
import { JobError, PluginError } from '../errors.js';
import type { ActionHandler, ActionParams, HandlerFactory, JobContext, JobRunner, Logger, Scope, Vars } from '../sdk/index.js';
import {
  decodeJob,
  decodeLogRecord,
  decodeParams,
  encodeAnswer,
  encodeErrorAnswer,
  encodeParams,
  EventKind,
  pluginFrames,
  RECORD_SEP,
  type GoEvent,
  type LogRecordWire,
  type Tagged,
  type WireError,
  type WireJob,
} from './marshal.js';
import { defaultShimPath, parseBuildInfo, requireShim, type ShimBuildInfo } from './shim-path.js';

const ABI_VERSION = 1;

/** A Go plugin the shim opened. */
export interface OpenedPlugin {
  /** the shim's handle */
  id: number;
  /** GetPluginName(), trimmed */
  name: string;
  /** the keys of GetPluginActions(), sorted */
  actions: string[];
}

/** A panic or error from Go plugin code, as the job's error. */
export class GoPluginError extends JobError {
  /** the whole Go stack of a panic (the message has the plugin's frames) */
  readonly goStack?: string;
  constructor(message: string, options: { hint?: string; goStack?: string } = {}) {
    super(message, { hint: options.hint });
    this.goStack = options.goStack;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** what the error becomes: a load failure or a job failure */
  kind: 'load' | 'job';
}

interface CtxEntry {
  ctx: JobContext;
  /** loggers[d] is ctx.log with d sub-loggers: Go's SubLogger depth */
  loggers: Logger[];
  onAbort?: () => void;
}

/** What one Go handler keeps alive on the TS side, released with it. */
interface HandlerRefs {
  scope: number;
  contexts: Set<number>;
  runners: Set<number>;
}

type Fn = (...args: unknown[]) => unknown;

class GoShim {
  private readonly fns: Record<string, Fn> = {};
  private readonly heapStr: ReturnType<typeof koffi.disposable>;
  private readonly callbackPtr: bigint;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly contexts = new Map<number, CtxEntry>();
  private readonly scopes = new Map<number, Scope>();
  private readonly runners = new Map<number, JobRunner>();
  private readonly factories = new Map<number, HandlerFactory>();
  private readonly factoryIds = new Map<HandlerFactory, number>();
  private readonly tsHandlers = new Map<number, ActionHandler>();
  private readonly handlerRefs = new Map<number, HandlerRefs>();
  /** root context of each context: Go-derived contexts are released with their root */
  private readonly ctxRoot = new Map<number, number>();
  private readonly rootHandler = new Map<number, number>();
  private readonly keepAlive: NodeJS.Timeout;
  private inFlight = 0;

  constructor(readonly path: string) {
    // RTLD_GLOBAL: plugins bind to this runtime's symbols (facts §1).
    const lib = koffi.load(path, { global: true });
    const EventsFn = koffi.proto('void gs_events_fn(const char *json, int64_t len)');
    const decls: Record<string, string> = {
      gs_init: 'int64_t gs_init(gs_events_fn *events)',
      gs_free: 'void gs_free(void *p)',
      gs_open: 'void gs_open(int64_t call, const char *path)',
      gs_new_handler: 'void gs_new_handler(int64_t call, int64_t plugin, const char *action, int64_t scope, const char *params)',
      gs_call: 'void gs_call(int64_t call, int64_t handler, int64_t ctx, int64_t runner, const char *vars)',
      gs_cancel: 'void gs_cancel(int64_t call, int64_t handler, int64_t ctx)',
      gs_ctx_cancel: 'void gs_ctx_cancel(int64_t ctx)',
      gs_release_handler: 'void gs_release_handler(int64_t handler)',
      gs_release_ctx: 'void gs_release_ctx(int64_t ctx)',
      gs_complete: 'void gs_complete(int64_t req, int64_t ok, const char *json)',
      gs_ping: 'void gs_ping(int64_t call, int64_t via_goroutine)',
    };
    for (const [name, decl] of Object.entries(decls)) this.fns[name] = lib.func(decl) as Fn;
    this.heapStr = koffi.disposable('gs_heap_str', 'str', this.fns.gs_free!);
    this.fns.gs_build_info = lib.func('gs_build_info', this.heapStr, []) as Fn;

    this.callbackPtr = koffi.register((json: string) => this.onEvents(json), koffi.pointer(EventsFn));
    const abi = Number(this.fns.gs_init!(this.callbackPtr));
    if (abi !== ABI_VERSION) {
      throw new PluginError(`the Go shim at '${path}' speaks ABI ${abi}, this gilbert-ts needs ${ABI_VERSION}`, {
        hint: 'rebuild it with `make shim`',
      });
    }
    // Pending Promises do not keep Node alive (facts §5): this timer does,
    // ref'd only while Go work is in flight.
    this.keepAlive = setInterval(() => {}, 1 << 30);
    this.keepAlive.unref();
  }

  buildInfo(): ShimBuildInfo {
    return parseBuildInfo(this.fns.gs_build_info!() as string);
  }

  open(soPath: string): Promise<OpenedPlugin> {
    return this.start('load', (call) => this.fns.gs_open!(call, soPath)).then((r) => {
      const { plugin, name, actions } = r as { plugin: number; name: string; actions: string[] };
      return { id: plugin, name, actions };
    });
  }

  async newHandler(plugin: number, action: string, scope: Scope, params: ActionParams): Promise<number> {
    const scopeId = this.id();
    this.scopes.set(scopeId, scope);
    try {
      const handler = (await this.start('job', (call) =>
        this.fns.gs_new_handler!(call, plugin, action, scopeId, encodeParams(params)),
      )) as number;
      this.handlerRefs.set(handler, { scope: scopeId, contexts: new Set(), runners: new Set() });
      return handler;
    } catch (err) {
      this.scopes.delete(scopeId);
      throw err;
    }
  }

  call(handler: number, ctx: JobContext, runner: JobRunner): Promise<void> {
    const refs = this.handlerRefs.get(handler);
    const ctxId = this.addContext(ctx, handler);
    const runnerId = this.id();
    this.runners.set(runnerId, runner);
    refs?.runners.add(runnerId);
    return this.start('job', (call) => {
      this.fns.gs_call!(call, handler, ctxId, runnerId, JSON.stringify(ctx.vars ?? {}));
      if (ctx.signal.aborted) this.fns.gs_ctx_cancel!(ctxId);
    }).then(
      () => this.detachAbort(ctxId),
      (err: unknown) => {
        this.detachAbort(ctxId);
        throw err;
      },
    );
  }

  /** The job has its result: its signal need not reach Go any more (and must not pile up listeners). */
  private detachAbort(ctxId: number): void {
    const entry = this.contexts.get(ctxId);
    if (entry?.onAbort) entry.ctx.signal.removeEventListener('abort', entry.onAbort);
    if (entry) entry.onAbort = undefined;
  }

  cancel(handler: number, ctx: JobContext): Promise<void> {
    const ctxId = this.ctxIdOf(ctx, handler);
    return this.start('job', (call) => this.fns.gs_cancel!(call, handler, ctxId)).then(() => undefined);
  }

  /** The bridge's own round trip, without plugin code (for the benchmark). */
  ping(viaGoroutine: boolean): Promise<void> {
    return this.start('job', (call) => this.fns.gs_ping!(call, viaGoroutine ? 1 : 0)).then(() => undefined);
  }

  /** Forgets a handler and every TS object Go could reach through it. */
  releaseHandler(handler: number): void {
    const refs = this.handlerRefs.get(handler);
    this.fns.gs_release_handler!(handler);
    if (!refs) return;
    this.handlerRefs.delete(handler);
    this.scopes.delete(refs.scope);
    for (const r of refs.runners) this.runners.delete(r);
    for (const c of refs.contexts) this.dropContext(c);
  }

  // ---- ids and contexts ----------------------------------------------------

  private id(): number {
    return this.nextId++;
  }

  private ctxIdOf(ctx: JobContext, handler: number): number {
    for (const id of this.handlerRefs.get(handler)?.contexts ?? []) {
      if (this.contexts.get(id)?.ctx === ctx) return id;
    }
    return 0; // unknown: the shim answers "nothing to cancel"
  }

  private addContext(ctx: JobContext, handler: number, id = this.id(), root = id): number {
    const entry: CtxEntry = { ctx, loggers: [ctx.log] };
    // A TS-side cancel (user, deadline, failing sibling) cancels the Go
    // context, but only after every promise reaction to the same abort has
    // run (setImmediate, not a microtask): a runner, or a TS action that
    // forwards its cancel to this Go handler through a few awaits, calls
    // handler.cancel first, and Cancel must see the job still running.
    entry.onAbort = () => setImmediate(() => this.fns.gs_ctx_cancel!(id));
    ctx.signal.addEventListener('abort', entry.onAbort, { once: true });
    this.contexts.set(id, entry);
    this.ctxRoot.set(id, root);
    if (id === root) this.rootHandler.set(id, handler);
    this.handlerRefs.get(handler)?.contexts.add(id);
    return id;
  }

  private dropContext(id: number): void {
    const entry = this.contexts.get(id);
    if (entry?.onAbort) entry.ctx.signal.removeEventListener('abort', entry.onAbort);
    this.contexts.delete(id);
    this.ctxRoot.delete(id);
    this.rootHandler.delete(id);
    this.fns.gs_release_ctx!(id);
  }

  private context(id: number): JobContext {
    const entry = this.contexts.get(id);
    if (!entry) throw new Error(`gilbert-ts: job context ${id} is gone (the job already ended)`);
    return entry.ctx;
  }

  // ---- calls into Go -------------------------------------------------------

  private start(kind: Pending['kind'], begin: (call: number) => void): Promise<unknown> {
    const call = this.id();
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(call, { resolve, reject, kind }));
    if (this.inFlight++ === 0) this.keepAlive.ref();
    try {
      begin(call);
    } catch (err) {
      this.settle(call);
      throw err;
    }
    return done;
  }

  private settle(call: number): Pending | undefined {
    const p = this.pending.get(call);
    if (!p) return undefined;
    this.pending.delete(call);
    if (--this.inFlight === 0) this.keepAlive.unref();
    return p;
  }

  // ---- events from Go ------------------------------------------------------

  /** Runs on the JS thread while the Go dispatcher waits: quick, never throws. */
  private onEvents(batch: string): void {
    for (const rec of batch.split(RECORD_SEP)) {
      try {
        if (rec.charCodeAt(0) === 76 /* L */) this.onLog(decodeLogRecord(rec));
        else this.onEvent(JSON.parse(rec.slice(1)) as GoEvent);
      } catch (err) {
        process.emitWarning(`gilbert-ts: failed to handle a Go shim event: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  private onLog(line: LogRecordWire): void {
    const entry = this.contexts.get(line.ctx);
    if (entry) loggerAt(entry, line.depth).write(line.level, line.message);
  }

  private onEvent(ev: GoEvent): void {
    switch (ev[0]) {
      case EventKind.Done: {
        const p = this.settle(ev[1]);
        if (!p) return;
        if (ev[2]) p.reject(toError(ev[2], p.kind));
        else p.resolve(ev[3]);
        return;
      }
      case EventKind.Request: {
        const [, req, op, args] = ev;
        this.answer(op, args).then(
          (value) => this.fns.gs_complete!(req, 1, encodeAnswer(value)),
          (err: unknown) => this.fns.gs_complete!(req, 0, encodeErrorAnswer(err)),
        );
        return;
      }
      case EventKind.Context: {
        const [, id, parent, kind] = ev;
        const parentCtx = this.context(parent);
        const root = this.ctxRoot.get(parent) ?? parent;
        this.addContext(kind === 'fork' ? parentCtx.fork() : parentCtx.child(), this.rootHandler.get(root) ?? 0, id, root);
        return;
      }
      case EventKind.Notice: {
        const entry = this.contexts.get(ev[1]);
        if (!entry) return;
        if (ev[2] === 'cancel') entry.ctx.cancel();
        else entry.ctx.vars = (ev[3] as Vars | null) ?? {};
        return;
      }
      case EventKind.Release:
        this.tsHandlers.delete(ev[1]);
        return;
    }
  }

  // ---- requests from Go ----------------------------------------------------

  private async answer(op: string, a: Record<string, unknown>): Promise<unknown> {
    const scope = (): Scope => {
      const s = this.scopes.get(a.scope as number);
      if (!s) throw new Error('gilbert-ts: the scope is gone (its action was released)');
      return s;
    };
    const runner = (): JobRunner => {
      const r = this.runners.get(a.runner as number);
      if (!r) throw new Error('gilbert-ts: the job runner is gone (its job was released)');
      return r;
    };
    switch (op) {
      case 'scope.appendVariables':
        scope().appendVariables((a.vars as Vars) ?? {});
        return null;
      case 'scope.appendGlobals':
        scope().appendGlobals((a.vars as Vars) ?? {});
        return null;
      case 'scope.global':
        return scope().global(a.name as string) ?? null;
      case 'scope.variable':
        return scope().variable(a.name as string) ?? null;
      case 'scope.vars':
        return scope().vars();
      case 'scope.expand':
        return scope().expandAll((a.exprs as string[]) ?? []);
      case 'scope.environment':
        return scope().environment();
      case 'scope.environ':
        return scope().environ();
      case 'runner.actionByName':
        return this.factoryId(runner().actionByName(a.name as string));
      case 'runner.runJob':
        return runner().runJob(decodeJob(a.job as WireJob), this.context(a.ctx as number));
      case 'runner.runTask':
        return runner().runTask(a.name as string, this.context(a.ctx as number), scope());
      case 'factory.create': {
        const factory = this.factories.get(a.factory as number);
        if (!factory) throw new Error('gilbert-ts: unknown action factory');
        const handler = await factory(scope(), decodeParams(a.params as Tagged));
        const id = this.id();
        this.tsHandlers.set(id, handler);
        return id;
      }
      case 'handler.call':
        return this.tsHandler(a.handler as number).call(this.context(a.ctx as number), runner());
      case 'handler.cancel':
        return this.tsHandler(a.handler as number).cancel(this.context(a.ctx as number));
    }
    throw new Error(`gilbert-ts bug: the Go shim asked for unknown operation '${op}'`);
  }

  private factoryId(factory: HandlerFactory): number {
    let id = this.factoryIds.get(factory);
    if (id === undefined) {
      id = this.id();
      this.factoryIds.set(factory, id);
      this.factories.set(id, factory);
    }
    return id;
  }

  private tsHandler(id: number): ActionHandler {
    const h = this.tsHandlers.get(id);
    if (!h) throw new Error('gilbert-ts: the action handler is gone');
    return h;
  }
}

function loggerAt(entry: CtxEntry, depth: number): Logger {
  while (entry.loggers.length <= depth) entry.loggers.push(entry.loggers[entry.loggers.length - 1]!.subLogger());
  return entry.loggers[depth]!;
}

function toError(e: WireError, kind: Pending['kind']): Error {
  if (kind === 'load') return new PluginError(e.message, { hint: e.hint });
  if (e.panic && e.stack) {
    const frames = pluginFrames(e.stack);
    return new GoPluginError(frames ? `${e.message}\n${frames}` : e.message, { hint: e.hint, goStack: e.stack });
  }
  return new GoPluginError(e.message, { hint: e.hint });
}

let shim: GoShim | undefined;

/**
 * The process's Go shim, loaded on first use. One per process: each c-shared
 * Go library carries its own runtime, and plugins must bind to exactly one
 * (facts §7), so asking for a second, different shim is an error.
 */
export function connectShim(shimPath: string = defaultShimPath()): GoShim {
  if (shim) {
    if (shim.path !== shimPath) {
      throw new PluginError(`a Go shim is already loaded from '${shim.path}'; cannot load a second one from '${shimPath}'`, {
        hint: 'one process has one Go runtime: use one shim (unset $GILBERT_SHIM or the shimPath option)',
      });
    }
    return shim;
  }
  shim = new GoShim(requireShim(shimPath));
  return shim;
}

export type { GoShim };
