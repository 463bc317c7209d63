package bridge

import (
	"fmt"
	"sync"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

type handlerEntry struct {
	handler sdk.ActionHandler
	action  string
}

func newHandler(pluginID int64, action string, scope int64, rawParams Tagged) (int64, error) {
	plug, ok := plugins.get(pluginID)
	if !ok {
		return 0, fmt.Errorf("gilbert-ts bug: unknown plugin handle %d", pluginID)
	}
	factory, ok := plug.actions[action]
	if !ok {
		return 0, fmt.Errorf("plugin '%s' has no action '%s'", plug.name, action)
	}
	params, err := decodeParams([]byte(rawParams))
	if err != nil {
		return 0, err
	}
	var h sdk.ActionHandler
	err = guard(fmt.Sprintf("factory of action '%s:%s'", plug.name, action), func() (err error) {
		h, err = factory(&tsScope{id: scope}, params)
		return err
	})
	if err != nil {
		return 0, err
	}
	if h == nil {
		return 0, fmt.Errorf("factory of action '%s:%s' returned no handler and no error", plug.name, action)
	}
	id := newID()
	handlers.put(id, &handlerEntry{handler: h, action: plug.name + ":" + action})
	return id, nil
}

// newCallCtx makes a call's job context.
func newCallCtx(call, ctxID int64, vars sdk.Vars) *jobCtx {
	if vars == nil {
		vars = sdk.Vars{}
	}
	return newRootCtx(ctxID, vars, &outcome{call: call})
}

func runCall(_, handlerID int64, ctx *jobCtx, runner int64) {
	entry, ok := handlers.get(handlerID)
	if !ok {
		ctx.Result(fmt.Errorf("gilbert-ts bug: unknown handler %d", handlerID))
		ctx.outcome.callReturned()
		return
	}
	err := guard("Call of action '"+entry.action+"'", func() error {
		return entry.handler.Call(ctx, &tsRunner{id: runner})
	})
	if !ctx.outcome.isCancelling() {
		ctx.Result(err) // when cancelling, Cancel's result is the job's
	}
	ctx.outcome.callReturned()
}

// beginCancel marks the job as cancelling and cancels its context before
// the host's cancel call returns, so Call cannot report first merely because
// the context it waits on is done.
func beginCancel(call, ctxID int64) {
	if ctx, ok := contexts.get(ctxID); ok {
		if ctx.outcome != nil {
			ctx.outcome.beginCancel(call)
		}
		ctx.cancelFromJS()
	}
}

func runCancel(call, handlerID, ctxID int64) {
	entry, hok := handlers.get(handlerID)
	ctx, cok := contexts.get(ctxID)
	if !hok || !cok {
		emitDone(call, nil, nil) // the job already ended and was released: nothing to cancel
		return
	}
	err := guard("Cancel of action '"+entry.action+"'", func() error { return entry.handler.Cancel(ctx) })
	ctx.Result(err)
	if ctx.outcome == nil { // a context the plugin derived: no job of its own
		emitDone(call, errorOf(err), nil)
		return
	}
	ctx.outcome.cancelReturned(err)
}

// outcome is a job's result and when to report it. It is shared by the job's
// context and its forks: the first Result among them is the job's result, as
// for Gilbert's runner reading the shared error channel.
//
// Nothing the job logs may reach the host after its end: so once the host
// asked for Cancel, the call ends only when both Call and Cancel have
// returned (a plugin that never does is the host's grace period to handle),
// and the cancel call ends right after it. Without a cancel, the call ends
// with the first result, even if Call goes on (ctx.Success() first).
type outcome struct {
	call int64 // the host call that ends with the job's result

	mu         sync.Mutex
	known      bool // the job has its first result, err
	err        error
	returned   bool  // Call returned
	cancelling bool  // the host asked for Cancel, in cancelCall
	cancelCall int64 //
	cancelled  bool  // ... and Cancel returned cancelErr
	cancelErr  error
	callSent   bool
	cancelSent bool
}

func (o *outcome) isCancelling() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cancelling
}

func (o *outcome) report(err error) {
	o.mu.Lock()
	if !o.known {
		o.known, o.err = true, err
	}
	o.finish()
}

func (o *outcome) callReturned() {
	o.mu.Lock()
	o.returned = true
	o.finish()
}

func (o *outcome) beginCancel(call int64) {
	o.mu.Lock()
	o.cancelling, o.cancelCall = true, call
	o.mu.Unlock()
}

func (o *outcome) cancelReturned(err error) {
	o.mu.Lock()
	o.cancelled, o.cancelErr = true, err
	o.finish()
}

// finish sends what is due, in order (the call, then the cancel); it is
// called with o.mu held and releases it.
func (o *outcome) finish() {
	sendCall := o.known && !o.callSent && (!o.cancelling || (o.returned && o.cancelled))
	if sendCall {
		o.callSent = true
	}
	sendCancel := o.cancelling && o.cancelled && o.callSent && !o.cancelSent
	if sendCancel {
		o.cancelSent = true
	}
	err, cancelCall, cancelErr := o.err, o.cancelCall, o.cancelErr
	o.mu.Unlock()
	if sendCall {
		emitDone(o.call, errorOf(err), nil)
	}
	if sendCancel {
		emitDone(cancelCall, errorOf(cancelErr), nil)
	}
}
