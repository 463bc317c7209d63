package bridge

import (
	"encoding/json"
	"sync"
)

// Requests are Go asking the host for something and waiting for the answer
// (expanding a variable, running a task, ...). The goroutine waits on a
// channel; the host answers later, from its event loop, with CompleteCall,
// which only sends on that channel. So no OS thread is held while the host
// works, and the host never waits for Go.

type answer struct {
	ok   bool
	data []byte
}

var (
	reqMu   sync.Mutex
	waiting = map[int64]chan answer{}
)

// ask sends the request and decodes the answer. A failed request is the
// host's WireError (its class, hint and location kept).
func (r Request[Args, A]) ask(args Args) (A, error) {
	var out A
	payload, err := json.Marshal(args)
	if err != nil {
		return out, err
	}
	id := newID()
	ch := make(chan answer, 1)
	reqMu.Lock()
	waiting[id] = ch
	reqMu.Unlock()
	emitEvent("request", RequestEvent{Req: id, Op: r.Op, Args: payload})

	a := <-ch
	if !a.ok {
		return out, answerError(a.data)
	}
	if err := json.Unmarshal(a.data, &out); err != nil {
		return out, &WireError{Message: "gilbert-ts bug: bad answer to " + r.Op + ": " + err.Error()}
	}
	return out, nil
}

func answerError(data []byte) error {
	var we WireError
	if json.Unmarshal(data, &we) == nil && we.Message != "" {
		return &we
	}
	var msg string
	if json.Unmarshal(data, &msg) != nil {
		msg = string(data)
	}
	return &WireError{Message: msg}
}

func complete(id int64, ok bool, data []byte) {
	reqMu.Lock()
	ch := waiting[id]
	delete(waiting, id)
	reqMu.Unlock()
	if ch != nil {
		ch <- answer{ok: ok, data: data}
	}
}
