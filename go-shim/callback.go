package main

/*
#cgo CFLAGS: -I${SRCDIR}/../native
#cgo LDFLAGS: -lpthread
#include <pthread.h>
#include "gilbert_shim.h"
#include "inbox.h"

// cgo cannot call a C function pointer directly.
static inline void gs_call_events(gs_events_fn *fn, char *json, int64_t len) { fn(json, len); }

// The dispatcher sleeps on a condition variable rather than a Go channel:
// exports run on the JS thread, whose Go M keeps its P in a syscall state
// after returning to C, so a goroutine readied there waits for sysmon to
// retake that P (measured: 300-500 µs per round trip). A futex wake-up
// reaches the dispatcher's thread at once.
static pthread_mutex_t gs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gs_cond = PTHREAD_COND_INITIALIZER;
static int gs_flag = 0;

static inline void gs_signal(void) {
	pthread_mutex_lock(&gs_mu);
	gs_flag = 1;
	pthread_cond_signal(&gs_cond);
	pthread_mutex_unlock(&gs_mu);
}

static inline void gs_wait(void) {
	pthread_mutex_lock(&gs_mu);
	while (!gs_flag) pthread_cond_wait(&gs_cond, &gs_mu);
	gs_flag = 0;
	pthread_mutex_unlock(&gs_mu);
}
*/
import "C"

import "unsafe"

// callbackOutlet hands event batches to JS through the registered callback.
type callbackOutlet struct{ fn *C.gs_events_fn }

// Deliver: the batch ends with a NUL byte; it is only read during the call
// (the JS side copies it into a JS string).
// It first waits while JS holds delivery (its console is backed up).
func (o callbackOutlet) Deliver(batch []byte) {
	C.gs_wait_unheld()
	C.gs_call_events(o.fn, (*C.char)(unsafe.Pointer(&batch[0])), C.int64_t(len(batch)-1))
}

func (callbackOutlet) Signal() { C.gs_signal() }
func (callbackOutlet) Wait()   { C.gs_wait() }

// Sync is false: a callback blocks its thread until JS runs it, so one
// dispatcher thread waits, not every goroutine that logs.
func (callbackOutlet) Sync() bool { return false }
