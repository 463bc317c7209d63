package bridge

/*
#include "gilbert_shim.h"
*/
import "C"

import (
	"strconv"
	"sync"
	"unicode/utf8"
)

// A batch is records separated by RS (0x1e), in the order goroutines made
// them. A log line is a text record, the hot path:
//
//	"L" ctx US level-digit depth US message      (US = 0x1f)
//
// every other event is "J" followed by a JSON array whose first element is
// its kind (see src/bridge/marshal.ts, which holds the decoding rules).
const (
	evDone    = 1 // [1, call, error|null, result]
	evRequest = 2 // [2, req, op, args]
	evContext = 3 // [3, ctx, parentCtx, "fork"|"child"]
	evNotice  = 4 // [4, ctx, "cancel"|"vars", payload]
	evRelease = 5 // [5, tsHandler, null]: Go dropped its last reference
)

const (
	recordSep = 0x1e
	unitSep   = 0x1f
)

// Log levels as one digit, indexes into LOG_LEVELS in marshal.ts.
var levelDigit = map[string]byte{"debug": '0', "info": '1', "log": '2', "success": '3', "warn": '4', "error": '5'}

// The outbox batches events from every goroutine. One dispatcher goroutine
// sends each batch through one callback call: a callback blocks its OS thread
// until JS has run it, so one thread (not one per logging goroutine) waits,
// and one queue keeps every goroutine's events in the order it made them.
type outbox struct {
	mu      sync.Mutex
	pending []byte // records, RS-separated
	fn      *C.gs_events_fn

	delivering sync.Mutex // held while a batch is in JS: one at a time, in order
	spare      []byte     // the last delivered buffer, reused for the next batch
}

var events = &outbox{}

// start installs the callback; true the first time (the dispatcher starts then).
func (o *outbox) start(fn *C.gs_events_fn) bool {
	o.mu.Lock()
	first := o.fn == nil
	o.fn = fn
	o.mu.Unlock()
	if first {
		go o.dispatch()
	}
	return first
}

// push appends one encoded event; encode writes it into the shared buffer so
// a log line costs no allocation of its own. Only the first event of a batch
// wakes the dispatcher; the rest ride along.
func (o *outbox) push(encode func(b []byte) []byte) {
	if o.append(encode) {
		signalDispatcher()
	}
}

// pushNow is push for a completion: the goroutine that finished delivers the
// batch itself when nobody else is delivering, which saves a thread hand-off
// on every call's round trip. The batch still holds everything queued before
// it, in order, and only one goroutine delivers at a time.
func (o *outbox) pushNow(encode func(b []byte) []byte) {
	first := o.append(encode)
	if o.delivering.TryLock() {
		o.flush()
		o.delivering.Unlock()
		return
	}
	if first {
		signalDispatcher()
	}
}

func (o *outbox) append(encode func(b []byte) []byte) (first bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	first = len(o.pending) == 0
	if !first {
		o.pending = append(o.pending, recordSep)
	}
	o.pending = encode(o.pending)
	return first
}

func (o *outbox) dispatch() {
	for {
		waitForEvents()
		o.delivering.Lock()
		o.flush()
		o.delivering.Unlock()
	}
}

// flush delivers what is pending; the caller holds o.delivering. Two buffers
// alternate: one collects while JS reads the other, so they must never be
// the same array (spare is taken, or left alone when there is nothing to send).
func (o *outbox) flush() {
	o.mu.Lock()
	if len(o.pending) == 0 {
		o.mu.Unlock()
		return
	}
	batch, fn := o.pending, o.fn
	o.pending, o.spare = o.spare[:0], nil
	o.mu.Unlock()
	batch = append(batch, 0)
	deliver(fn, batch)
	o.mu.Lock()
	o.spare = batch
	o.mu.Unlock()
}

func emitLog(ctx int64, level string, depth int, msg string) {
	events.push(func(b []byte) []byte {
		b = append(b, 'L')
		b = strconv.AppendInt(b, ctx, 10)
		b = append(b, unitSep, levelDigit[level])
		b = strconv.AppendInt(b, int64(depth), 10)
		b = append(b, unitSep)
		return appendLogText(b, msg)
	})
}

// appendLogText copies a message into a text record. The three bytes that
// would break the framing (NUL ends the C string, RS and US separate) become
// U+FFFD; they do not occur in text meant for a terminal.
func appendLogText(b []byte, msg string) []byte {
	start := 0
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c == 0 || c == recordSep || c == unitSep {
			b = append(b, msg[start:i]...)
			b = append(b, "\ufffd"...)
			start = i + 1
		}
	}
	return append(b, msg[start:]...)
}

// emitDone reports the end of a JS-initiated call; result is pre-encoded JSON.
func emitDone(call int64, err *bridgeError, result []byte) {
	events.pushNow(func(b []byte) []byte {
		b = append(b, "J[1,"...)
		b = strconv.AppendInt(b, call, 10)
		b = append(b, ',')
		b = err.appendJSON(b)
		b = append(b, ',')
		if result == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, result...)
		}
		return append(b, ']')
	})
}

func emitRaw(kind int, id int64, rest []byte) {
	events.push(func(b []byte) []byte {
		b = append(b, 'J', '[')
		b = strconv.AppendInt(b, int64(kind), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, id, 10)
		b = append(b, ',')
		b = append(b, rest...)
		return append(b, ']')
	})
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string; invalid UTF-8 becomes U+FFFD
// (what encoding/json does) so JS always receives valid JSON.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
