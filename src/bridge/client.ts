/**
 * The host side of the bridge protocol (protocol.ts), above any transport:
 * the TS objects Go refers to by id (contexts, scopes, runners, factories,
 * TS handlers), the calls in flight, and the answers to Go's requests. A
 * transport (in-process.ts: koffi; the Go host process: process.ts) only
 * carries host calls one way and event batches the other.
 */
import { NotStoppedError, PluginError, stopGraceMs } from '../errors.js';
import type { OutputFlow } from '../log/flow.js';
import type { ActionHandler, ActionParams, HandlerFactory, JobContext, JobRunner, Logger, Scope } from '../sdk/index.js';
import { decodeEventRecord, decodeJob, decodeLogRecord, decodeParams, encodeParams, fromWireError, RECORD_SEP, toWireError, type LogRecordWire } from './marshal.js';
import type { Answer, CallName, CallResult, GoEvent, GoRequest, HostCall, RequestOp, Shape } from './protocol.js';

/** What carries the protocol. It must never run or wait on plugin code in `send`. */
export interface Transport {
  /** Hands one host call to Go and returns at once. */
  send(call: HostCall): void;
  /** Go work is in flight (true) or not: keep the process alive while it is, and only then. */
  setBusy(busy: boolean): void;
  /** A plugin did not stop when cancelled: end what runs it if the transport can (a host process), else leave it be. */
  abandon?(): void;
  /**
   * Takes no event batch until `until` settles: the console is backed up (a
   * slow pipe reader), and Go's side must feel it — its queue fills and the
   * plugin goroutines that log wait, instead of gilbert buffering without bound.
   */
  hold(until: Promise<void>): void;
}

/**
 * How long a cancelled Go job may take to stop: its Cancel to return, and
 * its Call to notice its context (1 s instead when a signal cancelled the
 * run: stopGraceMs). After that it fails ("did not stop"), and what runs it
 * is abandoned (in process: its goroutine; isolated: its host process is killed).
 */
export const CANCEL_GRACE_MS = 5000;
/** The bridge gives up a little before the runner's own guard (runner/task-runner.ts) so that its message, which knows the transport, is the job's. */
const GIVE_UP_EARLY_MS = 100;

/** What ended the Go side: the errors of the calls in flight say `Go plugin 'p' (action 'p:a') <what>`. */
export interface HostEnded {
  what: string;
  hint: string;
}

/** What a transport reports to the bridge. */
export interface TransportSink {
  /** one batch of event records (marshal.ts), in order */
  batch(text: string): void;
  /** the Go side is gone, after its last batch: every call in flight fails, and every later one */
  ended(how: HostEnded): void;
}

/** A Go plugin the Go side opened. */
export type OpenedPlugin = Shape<'openResult'>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** what the error becomes: a load failure or a job failure */
  kind: 'load' | 'job';
  /** `plugin:action` the call runs, for the message when the Go side dies under it */
  action?: string;
}

interface CtxEntry {
  ctx: JobContext;
  /** loggers[d] is ctx.log with d sub-loggers: Go's SubLogger depth */
  loggers: Logger[];
  onAbort?: () => void;
  /** the job was given up on (did not stop): what it logs later is dropped, it would follow its end */
  abandoned?: boolean;
}

/** What one Go handler keeps alive on the TS side, released with it. */
interface HandlerRefs {
  scope: number;
  contexts: Set<number>;
  runners: Set<number>;
}

export class GoBridge {
  readonly transport: Transport;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly contexts = new Map<number, CtxEntry>();
  /** event delivery is held until the console drains (Transport.hold) */
  private holding = false;
  private readonly scopes = new Map<number, Scope>();
  private readonly runners = new Map<number, JobRunner>();
  private readonly factories = new Map<number, HandlerFactory>();
  private readonly factoryIds = new Map<HandlerFactory, number>();
  private readonly tsHandlers = new Map<number, ActionHandler>();
  private readonly handlerRefs = new Map<number, HandlerRefs>();
  /** root context of each context: Go-derived contexts are released with their root */
  private readonly ctxRoot = new Map<number, number>();
  private readonly rootHandler = new Map<number, number>();
  /** opened plugins' names, and the `plugin:action` of each Go handler */
  private readonly pluginNames = new Map<number, string>();
  private readonly handlerActions = new Map<number, string>();
  /** set once the Go side is gone */
  private endedHow?: HostEnded;
  /** per job context: its call in flight, and the cancel of it in flight */
  private readonly jobCalls = new Map<number, number>();
  private readonly cancels = new Map<number, Promise<unknown>>();

  /** `connect` makes the transport, giving it where to report. */
  constructor(connect: (sink: TransportSink) => Transport) {
    this.transport = connect({ batch: (text) => this.onBatch(text), ended: (how) => this.onEnded(how) });
  }

  /** True once the Go side is gone (a host process died): every call fails, a new bridge is needed. */
  get ended(): boolean {
    return this.endedHow !== undefined;
  }

  async open(soPath: string): Promise<OpenedPlugin> {
    const opened = await this.start('load', (call) => ({ op: 'open', call, path: soPath }));
    this.pluginNames.set(opened.plugin, opened.name);
    return opened;
  }

  async newHandler(plugin: number, action: string, scope: Scope, params: ActionParams): Promise<number> {
    const scopeId = this.id();
    this.scopes.set(scopeId, scope);
    try {
      const label = `${this.pluginNames.get(plugin) ?? '?'}:${action}`;
      const handler = await this.start('job', (call) => ({ op: 'newHandler', call, plugin, action, scope: scopeId, params: encodeParams(params) }), label);
      this.handlerActions.set(handler, label);
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
    const done = this.start('job', (call) => ({ op: 'call', call, handler, ctx: ctxId, runner: runnerId, vars: ctx.vars ?? {} }), this.handlerActions.get(handler), (call) => this.jobCalls.set(ctxId, call));
    if (ctx.signal.aborted) this.transport.send({ op: 'ctxCancel', ctx: ctxId });
    // A job ends after any cancel of it: what its Cancel logs comes before its end.
    const ended = async () => {
      this.jobCalls.delete(ctxId);
      await this.cancels.get(ctxId)?.catch(() => undefined);
      this.releaseJob(handler, ctxId, runnerId);
    };
    return done.then(ended, async (err: unknown) => {
      await ended();
      throw err;
    });
  }

  /**
   * The job has ended (its call and any cancel of it settled): its contexts,
   * those Go derived from it, and its runner are released on both sides at
   * once, rather than when GC finds the handler unreachable.
   */
  private releaseJob(handler: number, ctxId: number, runnerId: number): void {
    const refs = this.handlerRefs.get(handler);
    for (const id of [...(refs?.contexts ?? [ctxId])]) {
      if (this.ctxRoot.get(id) !== ctxId) continue;
      this.dropContext(id);
      refs?.contexts.delete(id);
    }
    this.runners.delete(runnerId);
    refs?.runners.delete(runnerId);
  }

  /**
   * Runs the handler's Cancel on the job of `ctx`. It settles once Cancel has
   * returned and, for a job still running, once Call has too; a plugin that
   * takes longer than its grace (CANCEL_GRACE_MS) fails the job and is abandoned.
   */
  async cancel(handler: number, ctx: JobContext): Promise<void> {
    const ctxId = this.ctxIdOf(ctx, handler);
    const action = this.handlerActions.get(handler);
    let cancelCall = 0;
    const cancelled = this.start('job', (call) => ({ op: 'cancel', call, handler, ctx: ctxId }), action, (call) => (cancelCall = call));
    if (ctxId !== 0) this.cancels.set(ctxId, cancelled);
    const graceMs = stopGraceMs(ctx.signal.reason, CANCEL_GRACE_MS);
    const grace = setTimeout(() => this.giveUp(ctxId, cancelCall, action, graceMs), graceMs - GIVE_UP_EARLY_MS);
    try {
      await cancelled;
    } finally {
      clearTimeout(grace);
      if (this.cancels.get(ctxId) === cancelled) this.cancels.delete(ctxId);
    }
  }

  /** A cancelled job that did not stop in time: it fails, and is left to itself (or its host process killed). */
  private giveUp(ctxId: number, cancelCall: number, action: string | undefined, graceMs: number): void {
    const plugin = action?.split(':')[0] ?? 'a Go plugin';
    const error = () =>
      new NotStoppedError(`plugin '${plugin}' did not stop within ${graceMs / 1000} s of being cancelled`, {
        hint: `its Cancel did not return, or its Call ignored its context (ctx.Context()); report it to the plugin's author. ${
          this.transport.abandon ? 'Its Go host process was killed' : 'Its goroutine was left running; run it isolated (?isolate=true) to have it killed'
        }`,
      });
    const entry = this.contexts.get(ctxId);
    if (entry) entry.abandoned = true;
    for (const call of [this.jobCalls.get(ctxId), cancelCall]) if (call) this.settle(call)?.reject(error());
    this.transport.abandon?.();
  }

  /** The bridge's own round trip, without plugin code (for the benchmark). */
  async ping(viaGoroutine: boolean): Promise<void> {
    await this.start('job', (call) => ({ op: 'ping', call, viaGoroutine }));
  }

  /** Forgets a handler and every TS object Go could reach through it. */
  releaseHandler(handler: number): void {
    const refs = this.handlerRefs.get(handler);
    this.handlerActions.delete(handler);
    if (!this.ended) this.transport.send({ op: 'releaseHandler', handler });
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
    return 0; // unknown: Go answers "nothing to cancel"
  }

  private addContext(ctx: JobContext, handler: number, id = this.id(), root = id): number {
    const entry: CtxEntry = { ctx, loggers: [ctx.log] };
    // A TS-side cancel (user, deadline, failing sibling) cancels the Go
    // context, but only after every promise reaction to the same abort has
    // run (setImmediate, not a microtask): a runner, or a TS action that
    // forwards its cancel to this Go handler through a few awaits, calls
    // handler.cancel first, and Cancel must see the job still running.
    entry.onAbort = () => setImmediate(() => this.transport.send({ op: 'ctxCancel', ctx: id }));
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
    if (!this.ended) this.transport.send({ op: 'releaseCtx', ctx: id });
  }

  private context(id: number): JobContext {
    const entry = this.contexts.get(id);
    if (!entry) throw new Error(`gilbert-ts: job context ${id} is gone (the job already ended)`);
    return entry.ctx;
  }

  // ---- calls into Go -------------------------------------------------------

  private start<K extends CallName>(
    kind: Pending['kind'],
    make: (call: number) => Extract<HostCall, { op: K; call: number }>,
    action?: string,
    onId?: (call: number) => void,
  ): Promise<CallResult<K>> {
    if (this.endedHow) return Promise.reject(this.endedError(action));
    const call = this.id();
    onId?.(call);
    const done = new Promise<CallResult<K>>((resolve, reject) =>
      this.pending.set(call, { resolve: resolve as (value: unknown) => void, reject, kind, action }),
    );
    if (this.pending.size === 1) this.transport.setBusy(true);
    try {
      this.transport.send(make(call));
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
    if (this.pending.size === 0) this.transport.setBusy(false);
    return p;
  }

  private onEnded(how: HostEnded): void {
    this.endedHow = how;
    for (const call of [...this.pending.keys()]) {
      const p = this.settle(call)!;
      p.reject(this.endedError(p.action));
    }
    // nothing Go held can call back any more
    for (const entry of this.contexts.values()) if (entry.onAbort) entry.ctx.signal.removeEventListener('abort', entry.onAbort);
  }

  private endedError(action: string | undefined): PluginError {
    const how = this.endedHow!;
    const plugin = action?.split(':')[0] ?? [...this.pluginNames.values()][0];
    const what = plugin ? `Go plugin '${plugin}'${action ? ` (action '${action}')` : ''}` : 'the Go plugin host';
    return new PluginError(`${what} ${how.what}`, { hint: how.hint });
  }

  // ---- events from Go ------------------------------------------------------

  /** Runs on the JS thread, maybe while a Go thread waits: quick, never throws. */
  private onBatch(batch: string): void {
    let backedUp: OutputFlow | undefined;
    for (const rec of batch.split(RECORD_SEP)) {
      try {
        if (rec.charCodeAt(0) === 76 /* L */) backedUp = this.onLog(decodeLogRecord(rec)) ?? backedUp;
        else this.onEvent(decodeEventRecord(rec));
      } catch (err) {
        process.emitWarning(`gilbert-ts: failed to handle a Go bridge event: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    if (backedUp && !this.holding) {
      this.holding = true;
      this.transport.hold(backedUp.drained().then(() => void (this.holding = false)));
    }
  }

  /** Writes a log line; returns its console's flow when that is now backed up. */
  private onLog(line: LogRecordWire): OutputFlow | undefined {
    const entry = this.contexts.get(line.ctx);
    if (!entry || entry.abandoned) return undefined;
    const logger = loggerAt(entry, line.depth);
    logger.write(line.level, line.message);
    const flow = (logger as { flow?: OutputFlow }).flow;
    return flow?.backedUp ? flow : undefined;
  }

  private onEvent(ev: GoEvent): void {
    switch (ev.e) {
      case 'done': {
        const p = this.settle(ev.call);
        if (!p) return;
        if (ev.error) p.reject(fromWireError(ev.error, p.kind));
        else p.resolve(ev.result ?? null);
        return;
      }
      case 'request': {
        const req = ev.req;
        this.answer({ op: ev.op, args: ev.args } as GoRequest).then(
          (value) => this.ended || this.transport.send({ op: 'complete', req, ok: true, data: value ?? null }),
          (err: unknown) => this.ended || this.transport.send({ op: 'complete', req, ok: false, data: toWireError(err) }),
        );
        return;
      }
      case 'context': {
        if (!this.contexts.has(ev.parent)) return; // derived after its job ended: nothing can use it
        const parentCtx = this.context(ev.parent);
        const root = this.ctxRoot.get(ev.parent) ?? ev.parent;
        this.addContext(ev.kind === 'fork' ? parentCtx.fork() : parentCtx.child(), this.rootHandler.get(root) ?? 0, ev.ctx, root);
        return;
      }
      case 'cancel':
        this.contexts.get(ev.ctx)?.ctx.cancel();
        return;
      case 'vars': {
        const entry = this.contexts.get(ev.ctx);
        if (entry) entry.ctx.vars = ev.vars ?? {};
        return;
      }
      case 'release':
        this.tsHandlers.delete(ev.handler);
        return;
      case 'log':
      case 'hello':
        return; // logs travel as text records (onLog); the transport reads the handshake
    }
  }

  // ---- requests from Go ----------------------------------------------------

  private async answer(req: GoRequest): Promise<Answer<RequestOp>> {
    const scope = (id: number): Scope => {
      const s = this.scopes.get(id);
      if (!s) throw new Error('gilbert-ts: the scope is gone (its action was released)');
      return s;
    };
    const runner = (id: number): JobRunner => {
      const r = this.runners.get(id);
      if (!r) throw new Error('gilbert-ts: the job runner is gone (its job was released)');
      return r;
    };
    switch (req.op) {
      case 'scope.appendVariables':
        scope(req.args.scope).appendVariables(req.args.vars ?? {});
        return null;
      case 'scope.appendGlobals':
        scope(req.args.scope).appendGlobals(req.args.vars ?? {});
        return null;
      case 'scope.global':
        return scope(req.args.scope).global(req.args.name) ?? null;
      case 'scope.variable':
        return scope(req.args.scope).variable(req.args.name) ?? null;
      case 'scope.vars':
        return scope(req.args.scope).vars();
      case 'scope.expand':
        return scope(req.args.scope).expandAll(req.args.exprs ?? []);
      case 'scope.environment':
        return scope(req.args.scope).environment();
      case 'scope.environ':
        return scope(req.args.scope).environ();
      case 'runner.actionByName':
        return this.factoryId(runner(req.args.runner).actionByName(req.args.name));
      case 'runner.runJob':
        await runner(req.args.runner).runJob(decodeJob(req.args.job), this.context(req.args.ctx));
        return null;
      case 'runner.runTask':
        await runner(req.args.runner).runTask(req.args.name, this.context(req.args.ctx), scope(req.args.scope));
        return null;
      case 'factory.create': {
        const factory = this.factories.get(req.args.factory);
        if (!factory) throw new Error('gilbert-ts: unknown action factory');
        const handler = await factory(scope(req.args.scope), decodeParams(req.args.params));
        const id = this.id();
        this.tsHandlers.set(id, handler);
        return id;
      }
      case 'handler.call':
        await this.tsHandler(req.args.handler).call(this.context(req.args.ctx), runner(req.args.runner));
        return null;
      case 'handler.cancel':
        await this.tsHandler(req.args.handler).cancel(this.context(req.args.ctx));
        return null;
    }
    throw new PluginError(`gilbert-ts bug: the Go side asked for unknown operation '${(req as { op: string }).op}'`);
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
