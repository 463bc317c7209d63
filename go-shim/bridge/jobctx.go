package bridge

import (
	"context"
	"sync"
	"time"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// jobCtx is sdk.JobContextAccessor with Gilbert's RunContext semantics, kept
// in Go so that Context(), Errors() and IsAlive() answer without a round trip.
// JS hears about what it must mirror: cancellation, new vars, and contexts
// derived by ForkContext/ChildContext (so they can be passed back to
// RunJob/RunTask and TS actions).
type jobCtx struct {
	id      int64 // the JS context id (negative when Go created it)
	log     *logger
	ctx     context.Context
	cancel  context.CancelFunc
	isChild bool

	mu       sync.Mutex
	finished bool
	errCh    chan error
	ownsCh   bool // errCh is ours (buffered, nobody may read it): never block sending
	wg       *sync.WaitGroup
	vars     sdk.Vars
	once     sync.Once

	// outcome is shared by a job's context and its forks: the first Result
	// among them is the job's result, as for Gilbert's runner reading the
	// shared error channel.
	outcome *outcome
}

var _ sdk.JobContextAccessor = (*jobCtx)(nil)

func newRootCtx(id int64, vars sdk.Vars, out *outcome) *jobCtx {
	ctx, cancel := context.WithCancel(context.Background())
	j := &jobCtx{
		id: id, log: &logger{ctx: id}, ctx: ctx, cancel: cancel,
		errCh: make(chan error, 1), ownsCh: true, vars: vars,
		outcome: out,
	}
	contexts.put(id, j)
	return j
}

func (j *jobCtx) Log() sdk.Logger { return j.log }
func (j *jobCtx) IsChild() bool   { return j.isChild }
func (j *jobCtx) Context() context.Context {
	return j.ctx
}

func (j *jobCtx) IsAlive() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return !j.finished
}

func (j *jobCtx) Errors() chan error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.errCh
}

func (j *jobCtx) SetErrorChannel(ch chan error) {
	j.mu.Lock()
	j.errCh, j.ownsCh = ch, false
	j.mu.Unlock()
}

func (j *jobCtx) Vars() sdk.Vars {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.vars
}

func (j *jobCtx) SetVars(v sdk.Vars) {
	j.mu.Lock()
	j.vars = v
	j.mu.Unlock()
	emitEvent("vars", VarsEvent{Ctx: j.id, Vars: v})
}

func (j *jobCtx) SetWaitGroup(wg *sync.WaitGroup) {
	j.mu.Lock()
	j.wg = wg
	j.mu.Unlock()
}

// derive registers a context made from j, and tells JS to make the matching
// TS context (fork or child) before any request can name it.
func (j *jobCtx) derive(kind string, d *jobCtx) *jobCtx {
	d.id = -newID()
	d.isChild = true
	d.log = &logger{ctx: j.log.ctx, depth: j.log.depth + 1}
	d.vars = j.Vars()
	contexts.put(d.id, d)
	emitEvent("context", ContextEvent{Ctx: d.id, Parent: j.id, Kind: kind})
	return d
}

// ForkContext: same job, context, error channel and cancel; own sub-logger.
func (j *jobCtx) ForkContext() sdk.JobContextAccessor {
	j.mu.Lock()
	d := &jobCtx{ctx: j.ctx, cancel: j.cancel, errCh: j.errCh, ownsCh: j.ownsCh, wg: j.wg, outcome: j.outcome}
	j.mu.Unlock()
	return j.derive("fork", d)
}

// ChildContext: cancelled with j, cancellable alone, with its own error channel.
func (j *jobCtx) ChildContext() sdk.JobContextAccessor {
	ctx, cancel := context.WithCancel(j.ctx)
	return j.derive("child", &jobCtx{ctx: ctx, cancel: cancel, errCh: make(chan error, 1), ownsCh: true})
}

// Timeout cancels the context after d unless it finished first; like
// Gilbert, it warns "Job deadline exceeded".
func (j *jobCtx) Timeout(d time.Duration) {
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			if j.IsAlive() {
				j.log.Warn("Job deadline exceeded")
				j.Cancel()
			}
		case <-j.ctx.Done():
		}
	}()
}

func (j *jobCtx) Success() { j.Result(nil) }

// Result reports the context's result once: to its error channel (which a
// plugin may be reading), to its wait group, and, for a job's own contexts,
// as the job's outcome.
func (j *jobCtx) Result(err error) {
	j.once.Do(func() {
		j.mu.Lock()
		j.finished = true
		ch, owns, wg, out := j.errCh, j.ownsCh, j.wg, j.outcome
		j.mu.Unlock()
		if out != nil {
			out.report(err)
		}
		if owns {
			select {
			case ch <- err:
			default:
			}
		} else if ch != nil {
			sendGuarded(ch, err)
		}
		if wg != nil {
			wg.Done()
		}
	})
}

// Cancel cancels the Go context at once and tells JS, whose TS context then
// aborts (and cancels what runs in it on the TS side).
func (j *jobCtx) Cancel() {
	j.mu.Lock()
	j.finished = true
	j.mu.Unlock()
	// JS hears first: once the context is done, Call may return and its job
	// end (and be released) before a later event could reach it.
	emitEvent("cancel", CancelEvent{Ctx: j.id})
	j.cancel()
}

// cancelFromJS: the TS context aborted; no need to tell JS back.
func (j *jobCtx) cancelFromJS() {
	j.mu.Lock()
	j.finished = true
	j.mu.Unlock()
	j.cancel()
}

// sendGuarded sends on a channel the plugin gave (SetErrorChannel): one it
// has closed already must not panic the goroutine that reports the result
// (a bridge goroutine for RunJob), which would end the process.
func sendGuarded(ch chan error, err error) {
	defer func() { _ = recover() }()
	ch <- err
}
