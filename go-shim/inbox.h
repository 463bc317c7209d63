/* Private to the shim: the queue between the C entry points (inbox.c) and the
 * Go goroutine that serves them (inbox.go). */
#ifndef GILBERT_SHIM_INBOX_H
#define GILBERT_SHIM_INBOX_H
#include <stdint.h>

enum gs_op {
	GS_OP_OPEN = 1,
	GS_OP_NEW_HANDLER,
	GS_OP_CALL,
	GS_OP_CANCEL,
	GS_OP_CTX_CANCEL,
	GS_OP_RELEASE_HANDLER,
	GS_OP_RELEASE_CTX,
	GS_OP_COMPLETE,
	GS_OP_PING,
};

typedef struct gs_msg {
	int64_t op, a, b, c, d;
	char *s1, *s2; /* malloc'd copies, owned by whoever takes the message */
	struct gs_msg *next;
} gs_msg;

/* Blocks until a message is queued, then moves it into *out. */
void gs_inbox_next(gs_msg *out);

/* Blocks while JS holds event delivery (gs_hold). */
void gs_wait_unheld(void);

#endif
