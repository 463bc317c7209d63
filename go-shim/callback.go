package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#include "gilbert_shim.h"

// cgo cannot call a C function pointer directly.
static inline void gs_call_events(gs_events_fn *fn, char *json, int64_t len) { fn(json, len); }
*/
import "C"

import "unsafe"

// deliver hands one batch to JS. The slice must end with a NUL byte; it is
// only read during the call (the JS side copies it into a JS string).
func deliver(fn *C.gs_events_fn, batch []byte) {
	C.gs_call_events(fn, (*C.char)(unsafe.Pointer(&batch[0])), C.int64_t(len(batch)-1))
}
