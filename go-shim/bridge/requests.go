package bridge

import (
	"encoding/json"
	"errors"
	"sync"
)

// Requests are Go asking JS for something and waiting for the answer
// (expanding a variable, running a task, ...). The goroutine waits on a
// channel; JS answers later, from its event loop, through gs_complete, which
// only sends on that channel. So no OS thread is held while JS works, and
// JS is never blocked waiting for Go.

type answer struct {
	ok   bool
	data []byte
}

var (
	reqMu   sync.Mutex
	waiting = map[int64]chan answer{}
)

// ask sends request op with args (marshalled to JSON) and decodes the answer
// into out (when not nil).
func ask(op string, args any, out any) error {
	payload, err := json.Marshal(args)
	if err != nil {
		return err
	}
	id := newID()
	ch := make(chan answer, 1)
	reqMu.Lock()
	waiting[id] = ch
	reqMu.Unlock()

	rest := appendJSONString(nil, op)
	rest = append(rest, ',')
	rest = append(rest, payload...)
	emitRaw(evRequest, id, rest)

	a := <-ch
	if !a.ok {
		var msg string
		if json.Unmarshal(a.data, &msg) != nil {
			msg = string(a.data)
		}
		return errors.New(msg)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(a.data, out)
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
