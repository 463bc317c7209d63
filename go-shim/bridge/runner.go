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

type runnerArgs struct {
	Runner  int64       `json:"runner,omitempty"`
	Name    string      `json:"name,omitempty"`
	Ctx     int64       `json:"ctx,omitempty"`
	Scope   int64       `json:"scope,omitempty"`
	Job     *jobJSON    `json:"job,omitempty"`
	Factory int64       `json:"factory,omitempty"`
	Handler int64       `json:"handler,omitempty"`
	Params  interface{} `json:"params,omitempty"`
}

// jobJSON is sdk.Job as the TS Job type spells it (periods in milliseconds).
type jobJSON struct {
	Description string      `json:"description,omitempty"`
	Action      string      `json:"action,omitempty"`
	Task        string      `json:"task,omitempty"`
	Mixin       string      `json:"mixin,omitempty"`
	If          string      `json:"if,omitempty"`
	Async       bool        `json:"async,omitempty"`
	Delay       uint        `json:"delay,omitempty"`
	Deadline    uint        `json:"deadline,omitempty"`
	Vars        sdk.Vars    `json:"vars,omitempty"`
	Params      interface{} `json:"params,omitempty"`
}

func jobToJSON(j sdk.Job) *jobJSON {
	out := &jobJSON{
		Description: j.Description, Action: j.ActionName, Task: j.TaskName, Mixin: j.MixinName,
		If: j.Condition, Async: j.Async, Delay: uint(j.Delay), Deadline: uint(j.Deadline), Vars: j.Vars,
	}
	if j.Params != nil {
		out.Params = encodeValue(map[string]interface{}(j.Params))
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
	var factory int64
	if err := ask("runner.actionByName", runnerArgs{Runner: r.id, Name: name}, &factory); err != nil {
		return nil, err
	}
	return tsFactory(factory), nil
}

// RunJob starts the job and reports its result on ctx, like Gilbert's runner.
func (r *tsRunner) RunJob(j sdk.Job, ctx sdk.JobContextAccessor) {
	go func() {
		id, err := ctxID(ctx)
		if err == nil {
			err = ask("runner.runJob", runnerArgs{Runner: r.id, Job: jobToJSON(j), Ctx: id}, nil)
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
	return ask("runner.runTask", runnerArgs{Runner: r.id, Name: name, Ctx: c, Scope: s}, nil)
}

// tsFactory is a TS HandlerFactory (any action gilbert-ts knows) as a Go one.
func tsFactory(factory int64) sdk.HandlerFactory {
	return func(scope sdk.ScopeAccessor, params sdk.ActionParams) (sdk.ActionHandler, error) {
		s, err := scopeID(scope)
		if err != nil {
			return nil, err
		}
		var handler int64
		args := runnerArgs{Factory: factory, Scope: s, Params: encodeValue(map[string]interface{}(params))}
		if err := ask("factory.create", args, &handler); err != nil {
			return nil, err
		}
		h := &tsHandler{id: handler}
		// JS keeps the TS handler until Go can no longer call it. SetFinalizer, not
		// runtime.AddCleanup: the shim must compile with every toolchain from go1.21.
		runtime.SetFinalizer(h, func(h *tsHandler) { emitRaw(evRelease, h.id, []byte("null")) })
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
	return ask("handler.call", runnerArgs{Handler: h.id, Ctx: c, Runner: rid}, nil)
}

func (h *tsHandler) Cancel(ctx sdk.JobContextAccessor) error {
	c, err := ctxID(ctx)
	if err != nil {
		return err
	}
	return ask("handler.cancel", runnerArgs{Handler: h.id, Ctx: c}, nil)
}
