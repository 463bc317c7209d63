import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../../../errors.js';
import type { LogLevel, Logger } from '../../../log/logger.js';
import type { ActionHandler, Actions, GilbertPlugin, JobContext, Scope, Vars } from '../../../sdk/index.js';
import { encodeParams, fromWireError, toWireError, type FromWorker, type ScopeSnapshot, type ToWorker } from './protocol.js';

// Under tsx (tests) this module is .ts and so is its sibling; built, both are .js.
const workerEntry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url));

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; log?: Logger };

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
 */
export class ShimWorker {
  private readonly pending = new Map<number, Pending>();
  private readonly scopes = new Map<number, Scope>();
  private nextId = 1;
  private exited?: string;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromWorker) => this.onMessage(message));
    child.on('exit', (code, signal) => {
      this.exited = `the shim worker process exited (${signal ?? `status ${code}`})`;
      for (const pending of this.pending.values()) pending.reject(new PluginError(this.exited));
      this.pending.clear();
    });
    this.updateLiveness();
  }

  static start(): ShimWorker {
    const child = fork(workerEntry, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    child.unref();
    return new ShimWorker(child);
  }

  /** Only in-flight requests keep the main process alive; an idle worker never holds up the CLI's exit. */
  private updateLiveness(): void {
    const channel = this.child.channel as { ref(): void; unref(): void } | null | undefined;
    if (this.pending.size > 0) channel?.ref();
    else channel?.unref();
  }

  private request(message: Record<string, unknown> & { t: ToWorker['t'] }, log?: Logger): Promise<unknown> {
    if (this.exited) return Promise.reject(new PluginError(this.exited));
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, log }));
    this.updateLiveness();
    this.child.send({ ...message, id } as ToWorker);
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
      case 'expand': {
        const scope = this.scopes.get(message.scope);
        const answer = scope ? scope.expandAll(message.texts) : Promise.reject(new PluginError('the scope is gone'));
        answer.then(
          (value) => this.child.send({ t: 'answer', id: message.id, ok: true, value } satisfies ToWorker),
          (error: unknown) => this.child.send({ t: 'answer', id: message.id, ok: false, error: toWireError(error) } satisfies ToWorker),
        );
        return;
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
        const handler = (await this.request({ t: 'create', plugin, action, params: encodeParams(params), scope: snapshot(scopeId, scope) })) as number;
        return this.proxyHandler(handler);
      };
    }
    return actions;
  }

  private proxyHandler(handler: number): ActionHandler {
    const callIds = new WeakMap<JobContext, number>();
    const call = async (ctx: JobContext) => {
      const id = this.nextId;
      callIds.set(ctx, id);
      // One microtask later, as the in-process bridge does: a runner reacting to the same abort calls cancel() first.
      const onAbort = () => queueMicrotask(() => this.child.send({ t: 'abort', call: id, reason: toWireError(ctx.signal.reason) } satisfies ToWorker));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await this.request({ t: 'call', handler, vars: ctx.vars, isChild: ctx.isChild }, ctx.log);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }
    };
    const cancel = async (ctx: JobContext) => {
      await this.request({ t: 'cancel', handler, call: callIds.get(ctx), vars: ctx.vars, isChild: ctx.isChild }, ctx.log);
    };
    return { call, cancel };
  }
}
