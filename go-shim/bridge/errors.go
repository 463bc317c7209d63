package bridge

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
)

// WireError is also the Go error for one that crossed the boundary or that
// the bridge made itself: a host error answered to a request keeps its class,
// hint and location, so that returned from a plugin's Call it reaches the
// host again as it left.
func (e *WireError) Error() string { return e.Message }

// errorOf is err as it crosses to the host. An error wrapping a WireError
// (fmt.Errorf("...: %w", err)) keeps its own message and the wrapped class,
// hint and location.
func errorOf(err error) *WireError {
	if err == nil {
		return nil
	}
	var we *WireError
	if errors.As(err, &we) {
		if we.Message == err.Error() {
			return we
		}
		copied := *we
		copied.Message = err.Error()
		return &copied
	}
	return &WireError{Message: err.Error()}
}

// recovered turns a recovered panic value into the job's error. The stack is
// taken inside the deferred call, so it still shows the plugin's frames.
func recovered(what string, value any) *WireError {
	return &WireError{
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
