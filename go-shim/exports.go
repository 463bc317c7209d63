package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#include <stdlib.h>
#include "gilbert_shim.h"
*/
import "C"

import (
	"unsafe"

	"github.com/gilbert-ts/go-shim/bridge"
)

// The in-process transport of the bridge protocol (go-shim/bridge): the C ABI
// of native/gilbert_shim.h, loaded into Node by koffi. The few Go exports are
// called once or rarely; the per-call entry points are C (inbox.c), served
// by serveInbox; see there for why.

func main() {}

//export gs_init
func gs_init(fn *C.gs_events_fn) C.int64_t {
	if bridge.Start(callbackOutlet{fn}) {
		go serveInbox()
	}
	return C.GS_ABI_VERSION
}

//export gs_build_info
func gs_build_info() *C.char {
	return C.CString(string(bridge.BuildInfo()))
}

//export gs_free
func gs_free(p *C.char) { C.free(unsafe.Pointer(p)) }
