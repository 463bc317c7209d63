package bridge

import (
	"sync"
	"sync/atomic"
)

// table holds Go objects JS refers to by id. Go objects never cross the
// boundary as pointers: cgo forbids C (and JS) from keeping Go pointers.
type table[T any] struct {
	mu   sync.Mutex
	byID map[int64]T
}

func newTable[T any]() *table[T] { return &table[T]{byID: map[int64]T{}} }

func (t *table[T]) put(id int64, v T) {
	t.mu.Lock()
	t.byID[id] = v
	t.mu.Unlock()
}

func (t *table[T]) get(id int64) (T, bool) {
	t.mu.Lock()
	v, ok := t.byID[id]
	t.mu.Unlock()
	return v, ok
}

func (t *table[T]) drop(id int64) {
	t.mu.Lock()
	delete(t.byID, id)
	t.mu.Unlock()
}

var (
	plugins  = newTable[*openPlugin]()
	handlers = newTable[*handlerEntry]()
	contexts = newTable[*jobCtx]()
	nextID   atomic.Int64 // Go-allocated ids: plugins and handlers positive, contexts negated
)

func newID() int64 { return nextID.Add(1) }
