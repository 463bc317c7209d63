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

// The few Go exports: called once or rarely. The per-call entry points are
// C (inbox.c), served by serveInbox; see there for why.

func main() {}

//export gs_init
func gs_init(fn *C.gs_events_fn) C.int64_t {
	if events.start(fn) {
		go serveInbox()
	}
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

func openPluginCall(call int64, path string) {
	var plug *openPlugin
	err := guard("plugin.Open", func() (err error) { plug, err = openGoPlugin(path); return })
	if err != nil {
		emitDone(call, errorOf(err), nil)
		return
	}
	id := newID()
	plugins.put(id, plug)
	result, _ := json.Marshal(map[string]any{"plugin": id, "name": plug.name, "actions": actionNames(plug.actions)})
	emitDone(call, nil, result)
}

func newHandlerCall(call, pluginID int64, action string, scope int64, params []byte) {
	id, err := newHandler(pluginID, action, scope, params)
	if err != nil {
		emitDone(call, errorOf(err), nil)
		return
	}
	emitDone(call, nil, []byte(quoteInt(id)))
}
