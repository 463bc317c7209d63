package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#include <stdlib.h>
#include "gilbert_shim.h"
*/
import "C"

import (
	"encoding/json"
	"runtime/debug"
	"unsafe"
)

// Every export returns at once: work that runs plugin code or waits for it
// runs on a goroutine and ends with emitDone (ABI rules in native/gilbert_shim.h).

func main() {}

//export gs_init
func gs_init(fn *C.gs_events_fn) C.int64_t {
	events.start(fn)
	return C.GS_ABI_VERSION
}

//export gs_build_info
func gs_build_info() *C.char {
	info, _ := debug.ReadBuildInfo()
	data, _ := json.Marshal(info)
	return C.CString(string(data))
}

//export gs_free
func gs_free(p *C.char) { C.free(unsafe.Pointer(p)) }

//export gs_open
func gs_open(call C.int64_t, path *C.char) {
	p := C.GoString(path)
	go func() {
		var plug *openPlugin
		err := guard("plugin.Open", func() (err error) { plug, err = openGoPlugin(p); return })
		if err != nil {
			emitDone(int64(call), errorOf(err), nil)
			return
		}
		id := newID()
		plugins.put(id, plug)
		result, _ := json.Marshal(map[string]any{"plugin": id, "name": plug.name, "actions": actionNames(plug.actions)})
		emitDone(int64(call), nil, result)
	}()
}

//export gs_new_handler
func gs_new_handler(call C.int64_t, pluginID C.int64_t, action *C.char, scope C.int64_t, params *C.char) {
	name, rawParams := C.GoString(action), []byte(C.GoString(params))
	go func() {
		id, err := newHandler(int64(pluginID), name, int64(scope), rawParams)
		if err != nil {
			emitDone(int64(call), errorOf(err), nil)
			return
		}
		emitDone(int64(call), nil, []byte(quoteInt(id)))
	}()
}

//export gs_call
func gs_call(call C.int64_t, handler C.int64_t, ctx C.int64_t, runner C.int64_t, vars *C.char) {
	// The context is registered before returning, so a gs_ctx_cancel that
	// JS sends right after this call always finds it.
	job := newCallCtx(int64(call), int64(ctx), []byte(C.GoString(vars)))
	go runCall(int64(call), int64(handler), job, int64(runner))
}

//export gs_cancel
func gs_cancel(call C.int64_t, handler C.int64_t, ctx C.int64_t) {
	beginCancel(int64(ctx))
	go runCancel(int64(call), int64(handler), int64(ctx))
}

//export gs_ctx_cancel
func gs_ctx_cancel(ctx C.int64_t) {
	if j, ok := contexts.get(int64(ctx)); ok {
		j.cancelFromJS()
	}
}

//export gs_release_handler
func gs_release_handler(handler C.int64_t) { handlers.drop(int64(handler)) }

//export gs_release_ctx
func gs_release_ctx(ctx C.int64_t) { contexts.drop(int64(ctx)) }

//export gs_complete
func gs_complete(req C.int64_t, ok C.int64_t, data *C.char) {
	complete(int64(req), ok != 0, []byte(C.GoString(data)))
}
