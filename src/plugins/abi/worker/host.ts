import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../../../errors.js';
import type { LogLevel, Logger } from '../../../log/logger.js';
import type { ActionHandler, ActionParams, Actions, GilbertPlugin, Job, JobContext, JobRunner, Scope, Vars } from '../../../sdk/index.js';
import { WorkerStderr } from './stderr.js';
import { decodeParams, encodeParams, fromWireError, toWireError, type ContextRef, type FromWorker, type ScopeSnapshot, type ToWorker } from './protocol.js';

// Under tsx (tests) this module is .ts and so is its sibling; built, both are .js.
const workerEntry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url));

/** `action`: the plugin action the request is for, named when the worker dies under it. */
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; log?: Logger; action?: string };

/** Variables the worker can read synchronously: locals, and globals as far as environ() shows them. */
function snapshot(id: number, scope: Scope): ScopeSnapshot {
  const locals = scope.vars();
  const environ = scope.environ();
  const globals: Vars = {};
  for (const entry of environ) {
    const equals = entry.indexOf('=');
    const name = entry.slice(0, equals);
    if (equals > 0 && !(name in locals) && scope.global(name) !== undefined) globals[name] = scope.global(name)!;
  }
  return { id, locals, globals, projectDirectory: scope.environment().projectDirectory, environ };
}

/**
 * The main process's side of a shim worker: a child process running its own
 * Go shim for plugins whose ABI differs from the in-process shim's. Their
 * actions are registered here as proxies, so they run in the same job graph.
 * A plugin that ends its process (os.Exit, a panic in a goroutine, a Go
 * runtime fatal error) takes only the worker down: the jobs it was running
 * fail with a message naming the plugin and what happened.
 */
export class ShimWorker {
  private readonly pending = new Map<number, Pending>();
  private readonly scopes = new Map<number, Scope>();
  /** running calls: the worker's runner requests run on their context and runner */
  private readonly calls = new Map<number, { ctx: JobContext; runner: JobRunner; scope: Scope; contexts: Map<number, JobContext> }>();
  /** handlers the worker's plugins created through ActionByName, living here */
  private readonly mainHandlers = new Map<number, ActionHandler>();
  private nextId = 1;
  /** what ended the worker, once it has ended: `exited with status 3`, `crashed: panic: …`, with what to do */
  private ended?: { what: string; hint: string };
  private readonly stderr: WorkerStderr;

  private constructor(
    private readonly child: ChildProcess,
    private readonly actionNames: () => string[],
    private readonly log: Logger,
  ) {
    this.stderr = new WorkerStderr(child);
    child.on('message', (message: FromWorker) => this.onMessage(message));
    // Sends racing the worker's death fail here; its exit is reported below, once.
    child.on('error', (error) => this.log.debug(`shim worker: ${error.message}`));
    child.on('exit', (code, signal) => void this.onExit(code, signal));
    this.updateLiveness();
  }

  /** `actionNames` lists the registry's actions when a call starts, for the plugin's ActionByName. */
  static start(actionNames: () => string[], log: Logger): ShimWorker {
    const child = fork(workerEntry, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
    child.unref();
    // The pipe must not keep the CLI alive any more than the idle worker does.
    (child.stderr as unknown as { unref(): void }).unref();
    return new ShimWorker(child, actionNames, log);
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const crash = await this.stderr.crashReport();
    if (crash.trace) this.log.debug(`shim worker: Go trace of the crash:\n${crash.trace}`);
    const others = "its other actions in this run fail the same way. Report it to the plugin's author";
    if (crash.headline) {
      this.ended = { what: `crashed: ${crash.headline}`, hint: `the plugin's Go code hit a panic or fatal error no recover caught (run with --verbose for the Go trace); ${others}` };
    } else if (signal) {
      this.ended = { what: `was killed by ${signal}`, hint: `something outside killed it (out of memory?), or the plugin did; ${others}` };
    } else {
      this.ended = { what: `exited with status ${code}`, hint: `the plugin called os.Exit (or the worker itself failed: see any output above); ${others}` };
    }
    for (const pending of this.pending.values()) pending.reject(this.endedError(pending.action));
    this.pending.clear();
    this.updateLiveness();
  }

  private endedError(action: string | undefined): PluginError {
    const plugin = action?.split(':')[0];
    const what = plugin ? `Go plugin '${plugin}' (action '${action}')` : 'a Go plugin';
    return new PluginError(`${what} ended its shim worker process, which ${this.ended!.what}`, { hint: this.ended!.hint });
  }

  /** Only in-flight requests keep the main process alive; an idle worker never holds up the CLI's exit. */
  private updateLiveness(): void {
    const channel = this.child.channel as { ref(): void; unref(): void } | null | undefined;
    if (this.pending.size > 0) channel?.ref();
    else channel?.unref();
  }

  private send(message: ToWorker): void {
    if (!this.ended && this.child.connected) this.child.send(message);
  }

  private request(message: Record<string, unknown> & { t: ToWorker['t'] }, log?: Logger, action?: string): Promise<unknown> {
    if (this.ended) return Promise.reject(this.endedError(action));
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, log, action }));
    this.updateLiveness();
    this.send({ ...message, id } as ToWorker);
    return done.finally(() => this.updateLiveness());
  }

  private onMessage(message: FromWorker): void {
    switch (message.t) {
      case 'result': {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(fromWireError(message.error!));
        return;
      }
      case 'log': {
        let log = this.pending.get(message.call)?.log;
        for (let depth = 0; log && depth < message.depth; depth++) log = log.subLogger();
        log?.write(message.level as LogLevel, message.message);
        return;
      }
      case 'append': {
        const scope = this.scopes.get(message.scope);
        if (message.kind === 'locals') scope?.appendVariables(message.vars);
        else scope?.appendGlobals(message.vars);
        return;
      }
      case 'setVars': {
        const call = this.calls.get(message.call);
        if (call) this.contextFor(call, message).vars = message.vars;
        return;
      }
      case 'expand':
      case 'runJob':
      case 'runTask':
      case 'create':
      case 'handlerCall':
      case 'handlerCancel':
        this.answer(message).then(
          (value) => this.send({ t: 'answer', id: message.id, ok: true, value }),
          (error: unknown) => this.send({ t: 'answer', id: message.id, ok: false, error: toWireError(error) }),
        );
        return;
    }
  }

  /** The main process's context for a worker context: the call's own, or a child made once per worker context. */
  private contextFor(call: { ctx: JobContext; contexts: Map<number, JobContext> }, ref: ContextRef): JobContext {
    if (ref.context === ref.call) return call.ctx;
    let ctx = call.contexts.get(ref.context);
    if (!ctx) {
      const parent = call.contexts.get(ref.parent) ?? call.ctx;
      ctx = parent.child();
      call.contexts.set(ref.context, ctx);
    }
    return ctx;
  }

  private async answer(message: Extract<FromWorker, { t: 'expand' | 'runJob' | 'runTask' | 'create' | 'handlerCall' | 'handlerCancel' }>): Promise<unknown> {
    if (message.t === 'expand') {
      const scope = this.scopes.get(message.scope);
      if (!scope) throw new PluginError('the scope is gone');
      return scope.expandAll(message.texts);
    }
    const call = this.calls.get(message.call);
    if (!call) throw new PluginError('the action that asked to run a job has finished');
    const ctx = this.contextFor(call, message);
    switch (message.t) {
      case 'runJob':
        return call.runner.runJob(decodeParams(message.job) as unknown as Job, ctx);
      case 'runTask':
        return call.runner.runTask(message.name, ctx, (message.scope !== undefined && this.scopes.get(message.scope)) || call.scope);
      case 'create': {
        const factory = call.runner.actionByName(message.name);
        const scope = (message.scope !== undefined && this.scopes.get(message.scope)) || call.scope;
        const id = this.nextId++;
        this.mainHandlers.set(id, await factory(scope, decodeParams(message.params) as ActionParams));
        return id;
      }
      case 'handlerCall':
      case 'handlerCancel': {
        const handler = this.mainHandlers.get(message.handler);
        if (!handler) throw new PluginError('the action handler is gone');
        return message.t === 'handlerCall' ? handler.call(ctx, call.runner) : handler.cancel(ctx);
      }
    }
  }

  /** Opens `paths` with `shimPath` in the worker; returns proxies of the plugins. */
  async load(shimPath: string, paths: string[]): Promise<GilbertPlugin[]> {
    const loaded = (await this.request({ t: 'load', shimPath, paths })) as { name: string; actions: string[] }[];
    return loaded.map(({ name, actions }) => ({ name, actions: this.proxyActions(name.trim(), actions) }));
  }

  private proxyActions(plugin: string, names: string[]): Actions {
    const actions: Actions = {};
    for (const action of names) {
      actions[action] = async (scope, params) => {
        const scopeId = this.nextId++;
        this.scopes.set(scopeId, scope);
        const name = `${plugin}:${action}`;
        const handler = (await this.request({ t: 'create', plugin, action, params: encodeParams(params), scope: snapshot(scopeId, scope) }, undefined, name)) as number;
        return this.proxyHandler(handler, scope, name);
      };
    }
    return actions;
  }

  private proxyHandler(handler: number, scope: Scope, action: string): ActionHandler {
    const callIds = new WeakMap<JobContext, number>();
    const call = async (ctx: JobContext, runner: JobRunner) => {
      const id = this.nextId;
      callIds.set(ctx, id);
      this.calls.set(id, { ctx, runner, scope, contexts: new Map() });
      // One microtask later, as the in-process bridge does: a runner reacting to the same abort calls cancel() first.
      const onAbort = () => queueMicrotask(() => this.send({ t: 'abort', call: id, reason: toWireError(ctx.signal.reason) }));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await this.request({ t: 'call', handler, vars: ctx.vars, isChild: ctx.isChild, actions: this.actionNames() }, ctx.log, action);
      } finally {
        this.calls.delete(id);
        ctx.signal.removeEventListener('abort', onAbort);
      }
    };
    const cancel = async (ctx: JobContext) => {
      await this.request({ t: 'cancel', handler, call: callIds.get(ctx), vars: ctx.vars, isChild: ctx.isChild }, ctx.log, action);
    };
    return { call, cancel };
  }
}
