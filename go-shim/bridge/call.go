package bridge

import (
	"fmt"

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

// newCallCtx makes a call's job context. The JS call completes with the job's
// first result: ctx.Result/Success from the plugin, Cancel's error, or Call's
// return value — whichever comes first, as Gilbert's runner saw it.
func newCallCtx(call, ctxID int64, vars sdk.Vars) *jobCtx {
	if vars == nil {
		vars = sdk.Vars{}
	}
	return newRootCtx(ctxID, vars, func(err error) { emitDone(call, errorOf(err), nil) })
}

func runCall(_, handlerID int64, ctx *jobCtx, runner int64) {
	entry, ok := handlers.get(handlerID)
	if !ok {
		ctx.Result(fmt.Errorf("gilbert-ts bug: unknown handler %d", handlerID))
		return
	}
	err := guard("Call of action '"+entry.action+"'", func() error {
		return entry.handler.Call(ctx, &tsRunner{id: runner})
	})
	if ctx.outcome.cancelling.Load() {
		return // Cancel's result is the job's
	}
	ctx.Result(err)
}

// beginCancel marks the job as cancelling and cancels its context before
// gs_cancel returns, so Call cannot report first merely because the context
// it waits on is done.
func beginCancel(ctxID int64) {
	if ctx, ok := contexts.get(ctxID); ok {
		if ctx.outcome != nil {
			ctx.outcome.cancelling.Store(true)
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
	emitDone(call, errorOf(err), nil)
}
