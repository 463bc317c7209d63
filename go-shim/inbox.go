package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#include <stdlib.h>
#include "inbox.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"unsafe"

	"github.com/gilbert-ts/go-shim/bridge"
	sdk "github.com/go-gilbert/gilbert-sdk"
)

// serveInbox turns the calls JS made through the C entry points (inbox.c)
// into the protocol's host calls, in the order JS made them.
func serveInbox() {
	spawned := false
	for {
		var m C.gs_msg
		if spawned {
			// Let the goroutine just started run now, on this thread: left in
			// this P's queue while the inbox blocks in C, it would wait for
			// another thread to steal it (measured: +40-100 µs per call).
			runtime.Gosched()
		}
		C.gs_inbox_next(&m)
		s1, s2 := takeString(m.s1), takeString(m.s2)
		spawned = bridge.Serve(hostCall(&m, s1, s2))
	}
}

func hostCall(m *C.gs_msg, s1, s2 string) any {
	a, b, c, d := int64(m.a), int64(m.b), int64(m.c), int64(m.d)
	switch m.op {
	case C.GS_OP_OPEN:
		return &bridge.OpenCall{Call: a, Path: s1}
	case C.GS_OP_NEW_HANDLER:
		return &bridge.NewHandlerCall{Call: a, Plugin: b, Action: s1, Scope: c, Params: bridge.Tagged(s2)}
	case C.GS_OP_CALL:
		var vars sdk.Vars
		_ = json.Unmarshal([]byte(s1), &vars)
		return &bridge.CallCall{Call: a, Handler: b, Ctx: c, Runner: d, Vars: vars}
	case C.GS_OP_CANCEL:
		return &bridge.CancelCall{Call: a, Handler: b, Ctx: c}
	case C.GS_OP_CTX_CANCEL:
		return &bridge.CtxCancelCall{Ctx: a}
	case C.GS_OP_RELEASE_HANDLER:
		return &bridge.ReleaseHandlerCall{Handler: a}
	case C.GS_OP_RELEASE_CTX:
		return &bridge.ReleaseCtxCall{Ctx: a}
	case C.GS_OP_COMPLETE:
		return &bridge.CompleteCall{Req: a, Ok: b != 0, Data: bridge.JSON(s1)}
	default: // C.GS_OP_PING
		return &bridge.PingCall{Call: a, ViaGoroutine: b != 0}
	}
}

func takeString(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.free(unsafe.Pointer(p))
	return s
}
