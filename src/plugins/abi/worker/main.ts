/**
 * Entry of a shim worker process: loads one Go shim and the Go plugins
 * that need it, and runs their factories and handlers for the main
 * process, which owns the job graph. Scope expansion goes back to the main
 * process (it owns the variables and runs `{% %}` there); logs and results
 * flow back as messages; cancellation flows in.
 */
import { JobError } from '../../../errors.js';
import { SinkLogger, type LogLevel, type Logger } from '../../../log/logger.js';
import type { ActionHandler, ActionParams, GilbertPlugin, Job, JobContext, JobRunner, Scope, Vars } from '../../../sdk/index.js';
import { decodeParams, encodeParams, fromWireError, toWireError, type ContextRef, type FromWorker, type ScopeSnapshot, type ToWorker } from './protocol.js';

const send = (message: FromWorker) => process.send!(message);
const plugins = new Map<string, GilbertPlugin>();
const handlers = new Map<number, ActionHandler>();
/** Running calls by id: Cancel gets the very context Call got, and its logs follow it there. */
const runningCalls = new Map<number, { controller: AbortController; ctx: JobContext; logTarget: { id: number } }>();
const pendingAnswers = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextId = 1;

type Question = Extract<FromWorker, { t: 'expand' | 'runJob' | 'runTask' | 'create' | 'handlerCall' | 'handlerCancel' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function ask(message: DistributiveOmit<Question, 'id'>): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pendingAnswers.set(id, { resolve, reject });
    send({ ...message, id } as Question);
  });
}

const scopeIds = new WeakMap<Scope, number>();

function remoteScope(snapshot: ScopeSnapshot): Scope {
  const locals = { ...snapshot.locals };
  const globals = { ...snapshot.globals };
  const scope: Scope = {
    appendVariables(vars) {
      Object.assign(locals, vars);
      send({ t: 'append', scope: snapshot.id, kind: 'locals', vars });
      return scope;
    },
    appendGlobals(vars) {
      Object.assign(globals, vars);
      send({ t: 'append', scope: snapshot.id, kind: 'globals', vars });
      return scope;
    },
    global: (name) => globals[name],
    variable: (name) => (name in locals ? { isLocal: true, value: locals[name]! } : name in globals ? { isLocal: false, value: globals[name]! } : undefined),
    vars: () => ({ ...locals }),
    expand: async (text) => ((await ask({ t: 'expand', scope: snapshot.id, texts: [text] })) as string[])[0]!,
    expandAll: async (texts) => (await ask({ t: 'expand', scope: snapshot.id, texts: [...texts] })) as string[],
    environment: () => ({ projectDirectory: snapshot.projectDirectory }),
    environ: () => [...snapshot.environ],
  };
  scopeIds.set(scope, snapshot.id);
  return scope;
}

class WorkerContext implements JobContext {
  constructor(
    readonly log: Logger,
    private readonly controller: AbortController,
    readonly isChild: boolean,
    private currentVars: Vars,
    /** the call this context belongs to: runner requests run on the main process's context of that call */
    readonly callId: number,
    readonly contextId = callId,
    readonly parentId = callId,
  ) {}
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get vars(): Vars {
    return this.currentVars;
  }
  /** SetVars: the main process's context gets them too, for the jobs it runs next. */
  set vars(vars: Vars) {
    this.currentVars = vars;
    send({ t: 'setVars', call: this.callId, context: this.contextId, parent: this.parentId, vars });
  }
  isAlive(): boolean {
    return !this.signal.aborted;
  }
  cancel(reason: unknown = new JobError('job cancelled')): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }
  timeout(ms: number): void {
    setTimeout(() => this.cancel(new JobError(`job deadline exceeded (${ms}ms)`)), ms).unref();
  }
  fork(): JobContext {
    return new WorkerContext(this.log.subLogger(), this.controller, true, this.vars, this.callId, nextId++, this.contextId);
  }
  child(): JobContext {
    const controller = new AbortController();
    this.signal.addEventListener('abort', () => controller.abort(this.signal.reason), { once: true });
    return new WorkerContext(this.log.subLogger(), controller, true, this.vars, this.callId, nextId++, this.contextId);
  }
}

function contextOf(ctx: JobContext): ContextRef {
  if (!(ctx instanceof WorkerContext)) throw new JobError('a Go plugin in a shim worker passed a context that is not its own to the JobRunner');
  return { call: ctx.callId, context: ctx.contextId, parent: ctx.parentId };
}

/** A handler created in the main process (a built-in, a TS plugin, another Go runtime's plugin), driven from here. */
function mainProcessHandler(handler: number): ActionHandler {
  return {
    call: async (ctx) => void (await ask({ t: 'handlerCall', handler, ...contextOf(ctx) })),
    cancel: async (ctx) => void (await ask({ t: 'handlerCancel', handler, ...contextOf(ctx) })),
  };
}

/** The JobRunner a worker's plugin sees during one call: everything runs in the main process's job graph. */
function runnerFor(callId: number, actions: ReadonlySet<string>): JobRunner {
  const runner: JobRunner = {
    actionByName(name) {
      if (!actions.has(name)) throw new JobError(`no such action handler: '${name}'`);
      return async (scope, params) => {
        const ref = { call: callId, context: callId, parent: callId };
        const handler = (await ask({ t: 'create', ...ref, name, scope: scopeIds.get(scope), params: encodeParams(params) })) as number;
        return mainProcessHandler(handler);
      };
    },
    runJob: async (job: Job, ctx: JobContext) => {
      await ask({ t: 'runJob', ...contextOf(ctx), job: encodeParams(job as unknown as ActionParams) });
    },
    runTask: async (name: string, ctx: JobContext, scope: Scope) => {
      await ask({ t: 'runTask', ...contextOf(ctx), name, scope: scopeIds.get(scope) });
    },
  };
  return runner;
}

async function handle(message: ToWorker): Promise<unknown> {
  switch (message.t) {
    case 'load': {
      const { loadGoPlugin } = await import('../../go/load.js');
      const loaded = [];
      for (const path of message.paths) {
        const plugin = await loadGoPlugin(path, { shimPath: message.shimPath });
        plugins.set(plugin.name.trim(), plugin);
        loaded.push({ name: plugin.name, actions: Object.keys(plugin.actions) });
      }
      return loaded;
    }
    case 'create': {
      const factory = plugins.get(message.plugin)?.actions[message.action];
      if (!factory) throw new JobError(`worker has no action '${message.plugin}:${message.action}'`);
      const handler = await factory(remoteScope(message.scope), decodeParams(message.params) as Record<string, never>);
      const id = nextId++;
      handlers.set(id, handler);
      return id;
    }
    case 'call':
    case 'cancel': {
      const handler = handlers.get(message.handler);
      if (!handler) throw new JobError('the action handler is gone');
      const running = message.t === 'cancel' && message.call !== undefined ? runningCalls.get(message.call) : undefined;
      if (running) {
        running.logTarget.id = message.id;
        return handler.cancel(running.ctx);
      }
      const controller = new AbortController();
      const logTarget = { id: message.id };
      const sink = (level: LogLevel, depth: number, text: string) => send({ t: 'log', call: logTarget.id, level, depth, message: text });
      const ctx = new WorkerContext(new SinkLogger(sink), controller, message.isChild, message.vars, message.id);
      if (message.t === 'cancel') return handler.cancel(ctx);
      runningCalls.set(message.id, { controller, ctx, logTarget });
      try {
        return await handler.call(ctx, runnerFor(message.id, new Set(message.actions)));
      } finally {
        runningCalls.delete(message.id);
      }
    }
    default:
      return undefined;
  }
}

process.on('message', (message: ToWorker) => {
  if (message.t === 'answer') {
    const pending = pendingAnswers.get(message.id);
    pendingAnswers.delete(message.id);
    if (message.ok) pending?.resolve(message.value);
    else pending?.reject(fromWireError(message.error!));
    return;
  }
  if (message.t === 'abort') {
    runningCalls.get(message.call)?.controller.abort(fromWireError(message.reason));
    return;
  }
  handle(message).then(
    (value) => send({ t: 'result', id: message.id, ok: true, value }),
    (error: unknown) => send({ t: 'result', id: message.id, ok: false, error: toWireError(error) }),
  );
});
// The main process is gone: nothing is left to run for.
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl+C reaches the whole process group, this worker too. The
// main process owns cancellation: it calls the handlers' Cancel through this
// worker, which must outlive the signal to run them, and ends it by disconnecting.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
