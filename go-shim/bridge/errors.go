package bridge

import (
	"fmt"
	"runtime/debug"
	"strconv"
)

// bridgeError is an error as JS receives it: a message, plus, for a panic in
// plugin code, the panic value and the goroutine's stack.
type bridgeError struct {
	Message string
	Panic   bool
	Stack   string
	Hint    string
}

func errorOf(err error) *bridgeError {
	if err == nil {
		return nil
	}
	if be, ok := err.(*bridgeError); ok {
		return be
	}
	return &bridgeError{Message: err.Error()}
}

func (e *bridgeError) Error() string { return e.Message }

func (e *bridgeError) appendJSON(b []byte) []byte {
	if e == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"message":`...)
	b = appendJSONString(b, e.Message)
	if e.Panic {
		b = append(b, `,"panic":true,"stack":`...)
		b = appendJSONString(b, e.Stack)
	}
	if e.Hint != "" {
		b = append(b, `,"hint":`...)
		b = appendJSONString(b, e.Hint)
	}
	return append(b, '}')
}

// recovered turns a recovered panic value into the job's error. The stack is
// taken inside the deferred call, so it still shows the plugin's frames.
func recovered(what string, value any) *bridgeError {
	return &bridgeError{
		Message: fmt.Sprintf("panic in %s: %v", what, value),
		Panic:   true,
		Stack:   string(debug.Stack()),
	}
}

// guard runs plugin code and converts a panic into an error.
func guard(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(what, r)
		}
	}()
	return fn()
}

func quoteInt(n int64) string { return strconv.FormatInt(n, 10) }
