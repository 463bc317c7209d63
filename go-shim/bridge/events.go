package bridge

import (
	"encoding/json"
	"strconv"
	"sync"
)

// A batch is records separated by RS (0x1e), in the order goroutines made
// them. A log line (LogEvent) is a text record, the hot path:
//
//	"L" ctx US level-digit depth US message      (US = 0x1f)
//
// every other event is "J" followed by a JSON object whose "e" is its name in
// goEvents (protocol.go) and whose other fields are its struct's.
const (
	recordSep = 0x1e
	unitSep   = 0x1f
)

// Outlet is how a transport takes events: Deliver gets one batch at a time,
// in order, ending with a NUL byte (not part of the batch); Signal wakes the
// dispatcher, which sleeps in Wait. When Sync, nothing waits for the
// dispatcher: the goroutine that made an event delivers it before going on,
// so an event is out of the process before the plugin's next statement
// (which may be os.Exit).
type Outlet interface {
	Deliver(batch []byte)
	Signal()
	Wait()
	Sync() bool
}

// Log levels as one digit, indexes into LOG_LEVELS in marshal.ts.
var levelDigit = map[string]byte{"debug": '0', "info": '1', "log": '2', "success": '3', "warn": '4', "error": '5'}

// The outbox batches events from every goroutine. One dispatcher goroutine
// sends each batch through one callback call: a callback blocks its OS thread
// until JS has run it, so one thread (not one per logging goroutine) waits,
// and one queue keeps every goroutine's events in the order it made them.
type outbox struct {
	mu      sync.Mutex
	pending []byte // records, RS-separated
	out     Outlet

	delivering sync.Mutex // held while a batch is in JS: one at a time, in order
	spare      []byte     // the last delivered buffer, reused for the next batch
	room       *sync.Cond // on mu: signalled when a flush empties pending
}

// maxPending bounds what waits for the dispatcher. Past it, a goroutine that
// makes an event waits until the dispatcher takes the batch: a plugin logging
// faster than the console drains (a slow pipe reader holds delivery, see
// gs_hold) is slowed down instead of buffered without bound. Only the
// dispatcher drains pending, and it never makes events, so waiting here
// cannot deadlock it.
const maxPending = 1 << 20

var events = newOutbox()

func newOutbox() *outbox {
	o := &outbox{}
	o.room = sync.NewCond(&o.mu)
	return o
}

// Start installs the transport's outlet; true the first time (the dispatcher
// starts then, and the caller starts serving host calls).
func Start(out Outlet) bool { return events.start(out) }

func (o *outbox) start(out Outlet) bool {
	o.mu.Lock()
	first := o.out == nil
	o.out = out
	o.mu.Unlock()
	if first && !out.Sync() {
		go o.dispatch()
	}
	return first
}

// push appends one encoded event; encode writes it into the shared buffer so
// a log line costs no allocation of its own. Only the first event of a batch
// wakes the dispatcher; the rest ride along.
func (o *outbox) push(encode func(b []byte) []byte) {
	if first, out := o.append(encode); out.Sync() {
		o.delivering.Lock()
		o.flush()
		o.delivering.Unlock()
	} else if first {
		out.Signal()
	}
}

// pushNow is push for a completion: the goroutine that finished delivers the
// batch itself when nobody else is delivering, which saves a thread hand-off
// on every call's round trip. The batch still holds everything queued before
// it, in order, and only one goroutine delivers at a time.
func (o *outbox) pushNow(encode func(b []byte) []byte) {
	first, out := o.append(encode)
	if out.Sync() {
		o.delivering.Lock()
	} else if !o.delivering.TryLock() {
		if first {
			out.Signal()
		}
		return
	}
	o.flush()
	o.delivering.Unlock()
}

func (o *outbox) append(encode func(b []byte) []byte) (first bool, out Outlet) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.pending) > maxPending && o.out != nil && !o.out.Sync() {
		o.room.Wait()
	}
	first, out = len(o.pending) == 0, o.out
	if !first {
		o.pending = append(o.pending, recordSep)
	}
	o.pending = encode(o.pending)
	return first, out
}

func (o *outbox) dispatch() {
	o.mu.Lock()
	out := o.out
	o.mu.Unlock()
	for {
		out.Wait()
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
	batch, out := o.pending, o.out
	o.pending, o.spare = o.spare[:0], nil
	o.room.Broadcast()
	o.mu.Unlock()
	batch = append(batch, 0)
	out.Deliver(batch)
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

// emitDone reports the end of a host call (DoneEvent); result is encoded
// JSON or nil. Written by hand: it is on every call's round trip.
func emitDone(call int64, err *WireError, result []byte) {
	var errJSON []byte
	if err != nil {
		errJSON, _ = json.Marshal(err)
	}
	events.pushNow(func(b []byte) []byte {
		b = append(b, `J{"e":"done","call":`...)
		b = strconv.AppendInt(b, call, 10)
		if errJSON != nil {
			b = append(b, `,"error":`...)
			b = append(b, errJSON...)
		}
		if result != nil {
			b = append(b, `,"result":`...)
			b = append(b, result...)
		}
		return append(b, '}')
	})
}

// Hello is the host process's handshake record (HelloEvent), sent before anything else.
func Hello() []byte {
	body, _ := json.Marshal(HelloEvent{Protocol: ProtocolVersion, Build: BuildInfo()})
	return append([]byte(`J{"e":"hello",`), body[1:]...)
}

// emitEvent sends one of goEvents (but log and done): its struct's JSON with "e" first.
func emitEvent(name string, ev any) {
	body, err := json.Marshal(ev)
	if err != nil || len(body) < 2 {
		panic("bridge: cannot encode event " + name + ": " + err.Error())
	}
	events.push(func(b []byte) []byte {
		b = append(b, `J{"e":"`...)
		b = append(b, name...)
		b = append(b, '"')
		if len(body) > 2 {
			b = append(b, ',')
		}
		return append(b, body[1:]...)
	})
}
