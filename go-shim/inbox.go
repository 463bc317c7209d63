package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#include <stdlib.h>
#include "inbox.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// serveInbox runs the calls JS made through the C entry points (inbox.c), in
// the order JS made them. Each is quick: work that runs or waits on plugin
// code goes to its own goroutine, so one slow action never delays another.
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
		a, b, c, d := int64(m.a), int64(m.b), int64(m.c), int64(m.d)
		spawned = m.op == C.GS_OP_OPEN || m.op == C.GS_OP_NEW_HANDLER || m.op == C.GS_OP_CALL || m.op == C.GS_OP_CANCEL || (m.op == C.GS_OP_PING && b != 0)
		switch m.op {
		case C.GS_OP_OPEN:
			go openPluginCall(a, s1)
		case C.GS_OP_NEW_HANDLER:
			go newHandlerCall(a, b, s1, c, []byte(s2))
		case C.GS_OP_CALL:
			// registered before the next message, so a following cancel finds it
			job := newCallCtx(a, c, []byte(s1))
			go runCall(a, b, job, d)
		case C.GS_OP_CANCEL:
			beginCancel(c)
			go runCancel(a, b, c)
		case C.GS_OP_CTX_CANCEL:
			if j, ok := contexts.get(a); ok {
				j.cancelFromJS()
			}
		case C.GS_OP_RELEASE_HANDLER:
			handlers.drop(a)
		case C.GS_OP_RELEASE_CTX:
			contexts.drop(a)
		case C.GS_OP_COMPLETE:
			complete(a, b != 0, []byte(s1))
		case C.GS_OP_PING:
			if b != 0 {
				go emitDone(a, nil, nil)
			} else {
				emitDone(a, nil, nil)
			}
		}
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
