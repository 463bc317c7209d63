/**
 * The in-process transport of the bridge protocol: the one module bound to
 * the Go shim's C ABI (native/gilbert_shim.h), through koffi.
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
import { PluginError } from '../errors.js';
import { GoBridge, type Transport, type TransportSink } from './client.js';
import type { HostCall } from './protocol.js';
import { defaultShimPath, parseBuildInfo, requireShim, type ShimBuildInfo } from './shim-path.js';

/** GS_ABI_VERSION of native/gilbert_shim.h. */
const ABI_VERSION = 3;

type Fn = (...args: unknown[]) => unknown;

class InProcessTransport implements Transport {
  private readonly fns: Record<string, Fn> = {};
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    readonly path: string,
    sink: TransportSink,
  ) {
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
      gs_hold: 'void gs_hold(int64_t on)',
    };
    for (const [name, decl] of Object.entries(decls)) this.fns[name] = lib.func(decl) as Fn;
    const heapStr = koffi.disposable('gs_heap_str', 'str', this.fns.gs_free!);
    this.fns.gs_build_info = lib.func('gs_build_info', heapStr, []) as Fn;

    const callback = koffi.register((json: string) => sink.batch(json), koffi.pointer(EventsFn));
    const abi = Number(this.fns.gs_init!(callback));
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

  setBusy(busy: boolean): void {
    if (busy) this.keepAlive.ref();
    else this.keepAlive.unref();
  }

  /** Go's next batch waits in C (gs_wait_unheld) until `until` settles. */
  hold(until: Promise<void>): void {
    this.fns.gs_hold!(1);
    void until.finally(() => this.fns.gs_hold!(0));
  }

  /** Each call is one C entry point, which only queues it for Go (go-shim/inbox.c). */
  send(c: HostCall): void {
    const f = this.fns;
    switch (c.op) {
      case 'open':
        return void f.gs_open!(c.call, c.path);
      case 'newHandler':
        return void f.gs_new_handler!(c.call, c.plugin, c.action, c.scope, JSON.stringify(c.params));
      case 'call':
        return void f.gs_call!(c.call, c.handler, c.ctx, c.runner, JSON.stringify(c.vars));
      case 'cancel':
        return void f.gs_cancel!(c.call, c.handler, c.ctx);
      case 'ctxCancel':
        return void f.gs_ctx_cancel!(c.ctx);
      case 'releaseHandler':
        return void f.gs_release_handler!(c.handler);
      case 'releaseCtx':
        return void f.gs_release_ctx!(c.ctx);
      case 'complete':
        return void f.gs_complete!(c.req, c.ok ? 1 : 0, JSON.stringify(c.data));
      case 'ping':
        return void f.gs_ping!(c.call, c.viaGoroutine ? 1 : 0);
    }
  }
}

/** The process's in-process bridge: the shim's transport beside its client. */
export interface ShimBridge extends GoBridge {
  readonly transport: InProcessTransport;
}

let shim: ShimBridge | undefined;

/**
 * The process's Go shim, loaded on first use. One per process: each c-shared
 * Go library carries its own runtime, and plugins must bind to exactly one
 * (facts §7), so asking for a second, different shim is an error.
 */
export function connectShim(shimPath: string = defaultShimPath()): ShimBridge {
  if (shim) {
    if (shim.transport.path !== shimPath) {
      throw new PluginError(`a Go shim is already loaded from '${shim.transport.path}'; cannot load a second one from '${shimPath}'`, {
        hint: 'one process has one Go runtime: use one shim (unset $GILBERT_SHIM or the shimPath option)',
      });
    }
    return shim;
  }
  const path = requireShim(shimPath);
  shim = new GoBridge((sink) => new InProcessTransport(path, sink)) as ShimBridge;
  return shim;
}
