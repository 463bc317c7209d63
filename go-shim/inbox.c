// The C ABI entry points of native/gilbert_shim.h that JS calls on its main
// thread. They are plain C on purpose: entering Go from a thread Go did not
// create costs a cgocallback, which on the process's main thread makes glibc
// parse /proc/self/maps (pthread_getattr_np) on every call — measured at
// 0.4-0.9 ms per call. Here a call copies its arguments into a queue and
// wakes the Go goroutine that serves it (inbox.go): about a microsecond.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "gilbert_shim.h"
#include "inbox.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static gs_msg *head = NULL, *tail = NULL;

static char *copy(const char *s) { return s ? strdup(s) : NULL; }

static void post(int64_t op, int64_t a, int64_t b, int64_t c, int64_t d, const char *s1, const char *s2) {
	gs_msg *m = malloc(sizeof *m);
	m->op = op; m->a = a; m->b = b; m->c = c; m->d = d;
	m->s1 = copy(s1); m->s2 = copy(s2);
	m->next = NULL;
	pthread_mutex_lock(&mu);
	if (tail) tail->next = m; else head = m;
	tail = m;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mu);
}

void gs_inbox_next(gs_msg *out) {
	pthread_mutex_lock(&mu);
	while (!head) pthread_cond_wait(&cond, &mu);
	gs_msg *m = head;
	head = m->next;
	if (!head) tail = NULL;
	pthread_mutex_unlock(&mu);
	*out = *m;
	free(m);
}

void gs_open(int64_t call, char *path) { post(GS_OP_OPEN, call, 0, 0, 0, path, NULL); }
void gs_new_handler(int64_t call, int64_t plugin, char *action, int64_t scope, char *params) {
	post(GS_OP_NEW_HANDLER, call, plugin, scope, 0, action, params);
}
void gs_call(int64_t call, int64_t handler, int64_t ctx, int64_t runner, char *vars) {
	post(GS_OP_CALL, call, handler, ctx, runner, vars, NULL);
}
void gs_cancel(int64_t call, int64_t handler, int64_t ctx) { post(GS_OP_CANCEL, call, handler, ctx, 0, NULL, NULL); }
void gs_ctx_cancel(int64_t ctx) { post(GS_OP_CTX_CANCEL, ctx, 0, 0, 0, NULL, NULL); }
void gs_release_handler(int64_t handler) { post(GS_OP_RELEASE_HANDLER, handler, 0, 0, 0, NULL, NULL); }
void gs_release_ctx(int64_t ctx) { post(GS_OP_RELEASE_CTX, ctx, 0, 0, 0, NULL, NULL); }
void gs_complete(int64_t req, int64_t ok, char *json) { post(GS_OP_COMPLETE, req, ok, 0, 0, json, NULL); }
void gs_ping(int64_t call, int64_t via_goroutine) { post(GS_OP_PING, call, via_goroutine, 0, 0, NULL, NULL); }

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cond = PTHREAD_COND_INITIALIZER;
static int held = 0;

void gs_hold(int64_t on) {
	pthread_mutex_lock(&hold_mu);
	held = on != 0;
	if (!held) pthread_cond_broadcast(&hold_cond);
	pthread_mutex_unlock(&hold_mu);
}

void gs_wait_unheld(void) {
	pthread_mutex_lock(&hold_mu);
	while (held) pthread_cond_wait(&hold_cond, &hold_mu);
	pthread_mutex_unlock(&hold_mu);
}
