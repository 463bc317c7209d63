/*
 * The whole ABI between Node (src/bridge/in-process.ts, through koffi) and the
 * Go shim (go-shim/, built with -buildmode=c-shared): the in-process
 * transport of the bridge protocol (src/bridge/protocol.ts,
 * go-shim/bridge/protocol.go), one function per host call. The shim includes this
 * header through cgo, so a change here that the Go side does not follow fails
 * its build.
 *
 * Rules (see docs in src/bridge/in-process.ts and ../shared go-bridge-facts):
 *  - The shim is loaded with RTLD_GLOBAL, or plugin.Open aborts the process.
 *  - Every function here returns at once: anything that runs or waits on
 *    plugin code runs on a goroutine, and reports through the events
 *    callback. So JS may call all of them synchronously, and no libuv pool
 *    thread is held by plugin work however long it runs.
 *  - Go talks to JS only through the one events callback: a JSON array of
 *    events (log lines, completions, requests, context notices), batched by
 *    one dispatcher goroutine, in the order they were produced. The format of
 *    events and of payloads lives in src/bridge/marshal.ts and
 *    go-shim/bridge/events.go.
 *  - Strings are NUL-terminated UTF-8. Ids are allocated by the side that
 *    owns the object: JS ids (calls, requests answers, contexts, scopes,
 *    runners, factories, handlers) are positive; Go-created contexts get
 *    negative ids.
 */
#ifndef GILBERT_SHIM_H
#define GILBERT_SHIM_H

#include <stdint.h>

/* Receives a batch: `len` bytes of JSON at `json` (NUL-terminated), valid only
 * during the call. Called from a Go thread; koffi runs it on the JS thread and
 * the Go thread waits, so batches never overlap. */
typedef void gs_events_fn(char *json, int64_t len);

/* Installs the events callback and starts the dispatcher. Returns the ABI
 * version (GS_ABI_VERSION); calling it twice replaces the callback. */
#define GS_ABI_VERSION 3
int64_t gs_init(gs_events_fn *events);

/* JSON of runtime/debug.ReadBuildInfo() of the shim: Go version, module
 * versions, build settings. Free with gs_free. */
char *gs_build_info(void);
void gs_free(char *p);

/* Opens a Go plugin. Completion `call` carries {plugin, name, actions}. */
void gs_open(int64_t call, char *path);

/* Runs the plugin's factory for `action` with the JS scope `scope` and the
 * tagged params JSON. Completion carries {handler}. */
void gs_new_handler(int64_t call, int64_t plugin, char *action, int64_t scope, char *params);

/* Runs handler.Call with a new job context `ctx` (JS id; vars as JSON) and a
 * JobRunner backed by the JS runner `runner`. Completes with the job's first
 * result (ctx.Result, or Call's return), as Gilbert's runner saw it. */
void gs_call(int64_t call, int64_t handler, int64_t ctx, int64_t runner, char *vars);

/* Runs handler.Cancel(ctx); completes with its error. Its error also becomes
 * the job's result if the job has none yet. */
void gs_cancel(int64_t call, int64_t handler, int64_t ctx);

/* The JS context `ctx` was cancelled: cancels the Go context.Context. */
void gs_ctx_cancel(int64_t ctx);

/* Forgets a Go-side object (handler or context) once JS is done with it. */
void gs_release_handler(int64_t handler);
void gs_release_ctx(int64_t ctx);

/* Answers Go's request `req`: ok=1 with a JSON result, ok=0 with an error
 * message. Only hands the answer to the waiting goroutine. */
void gs_complete(int64_t req, int64_t ok, char *json);

/* Completes `call` at once (from a new goroutine when via_goroutine != 0):
 * measures the bridge's own round trip, for `make bench`. */
void gs_ping(int64_t call, int64_t via_goroutine);

/* Backpressure: JS holds (on=1) while its console is backed up (a slow pipe
 * reader) and lets go (on=0) once it drained. While held, no batch is
 * delivered; Go's outbox then fills to its cap and the plugin goroutines that
 * log wait for room, as a program writing to a full pipe would. Plain C:
 * only sets a flag. */
void gs_hold(int64_t on);

#endif
