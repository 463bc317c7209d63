package bridge

import (
	"fmt"
	"runtime"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// tsRunner is sdk.JobRunner backed by the TS JobRunner the job runs under,
// so a Go plugin can run tasks, jobs and any action (built-in, TS or Go).
type tsRunner struct{ id int64 }

var _ sdk.JobRunner = (*tsRunner)(nil)

func jobToWire(j sdk.Job) WireJob {
	out := WireJob{
		Description: j.Description, Action: j.ActionName, Task: j.TaskName, Mixin: j.MixinName,
		If: j.Condition, Async: j.Async, Delay: int64(j.Delay), Deadline: int64(j.Deadline), Vars: j.Vars,
	}
	if j.Params != nil {
		out.Params = encodeTagged(map[string]interface{}(j.Params))
	}
	return out
}

func ctxID(ctx sdk.JobContextAccessor) (int64, error) {
	if j, ok := ctx.(*jobCtx); ok {
		return j.id, nil
	}
	return 0, fmt.Errorf("gilbert-ts: the job context %T was not made by gilbert-ts (use the context your action received, or one derived from it)", ctx)
}

func scopeID(s sdk.ScopeAccessor) (int64, error) {
	if t, ok := s.(*tsScope); ok {
		return t.id, nil
	}
	return 0, fmt.Errorf("gilbert-ts: the scope %T was not made by gilbert-ts (pass the scope your action's factory received)", s)
}

func runnerID(r sdk.JobRunner) (int64, error) {
	if t, ok := r.(*tsRunner); ok {
		return t.id, nil
	}
	return 0, fmt.Errorf("gilbert-ts: the job runner %T was not made by gilbert-ts", r)
}

func (r *tsRunner) ActionByName(name string) (sdk.HandlerFactory, error) {
	factory, err := reqActionByName.ask(ActionByNameArgs{Runner: r.id, Name: name})
	if err != nil {
		return nil, err
	}
	return tsFactory(factory), nil
}

// RunJob starts the job and reports its result on ctx, like Gilbert's runner.
func (r *tsRunner) RunJob(j sdk.Job, ctx sdk.JobContextAccessor) {
	go func() {
		id, err := ctxID(ctx)
		if err == nil {
			_, err = reqRunJob.ask(RunJobArgs{Runner: r.id, Job: jobToWire(j), Ctx: id})
		}
		ctx.Result(err)
	}()
}

func (r *tsRunner) RunTask(name string, ctx sdk.JobContextAccessor, scope sdk.ScopeAccessor) error {
	c, err := ctxID(ctx)
	if err != nil {
		return err
	}
	s, err := scopeID(scope)
	if err != nil {
		return err
	}
	_, err = reqRunTask.ask(RunTaskArgs{Runner: r.id, Name: name, Ctx: c, Scope: s})
	return err
}

// tsFactory is a TS HandlerFactory (any action gilbert-ts knows) as a Go one.
func tsFactory(factory int64) sdk.HandlerFactory {
	return func(scope sdk.ScopeAccessor, params sdk.ActionParams) (sdk.ActionHandler, error) {
		s, err := scopeID(scope)
		if err != nil {
			return nil, err
		}
		handler, err := reqFactoryCreate.ask(FactoryCreateArgs{Factory: factory, Scope: s, Params: encodeTagged(map[string]interface{}(params))})
		if err != nil {
			return nil, err
		}
		h := &tsHandler{id: handler}
		// The host keeps the TS handler until Go can no longer call it. SetFinalizer, not
		// runtime.AddCleanup: the shim must compile with every toolchain from go1.21.
		runtime.SetFinalizer(h, func(h *tsHandler) { emitEvent("release", ReleaseEvent{Handler: h.id}) })
		return h, nil
	}
}

type tsHandler struct{ id int64 }

func (h *tsHandler) Call(ctx sdk.JobContextAccessor, r sdk.JobRunner) error {
	c, err := ctxID(ctx)
	if err != nil {
		return err
	}
	rid, err := runnerID(r)
	if err != nil {
		return err
	}
	_, err = reqHandlerCall.ask(HandlerCallArgs{Handler: h.id, Ctx: c, Runner: rid})
	return err
}

func (h *tsHandler) Cancel(ctx sdk.JobContextAccessor) error {
	c, err := ctxID(ctx)
	if err != nil {
		return err
	}
	_, err = reqHandlerCancel.ask(HandlerCancelArgs{Handler: h.id, Ctx: c})
	return err
}
