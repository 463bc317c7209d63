package bridge

import (
	"encoding/json"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// The bridge protocol, declared once for Go: every message between the host
// (gilbert-ts) and this package, whatever carries it (the c-shared shim
// through koffi, or the host process over pipes). src/bridge/protocol.ts
// declares the same messages for TypeScript; test/bridge/protocol.test.ts
// compares the two through Describe (cmd/host -protocol prints it).
//
// Field names are the JSON names; ids are int64 (JS numbers, safe below 2^53).
// Ids belong to the side that made the object: host ids (calls, requests'
// answers, contexts, scopes, runners, factories, TS handlers) are positive;
// Go-made contexts are negative, plugins and Go handlers positive.

// ProtocolVersion changes with any change below: a host process speaking
// another version is rebuilt, never read.
const ProtocolVersion = 2

// Tagged is a param value in the tagged encoding (params.go):
// ["i", 1], ["f", 1.5], ["s", ""], ["b", true], ["n"], ["l", [...]], ["m", [[k, v]...]].
type Tagged json.RawMessage

// JSON is any JSON value whose shape the operation defines.
type JSON json.RawMessage

// ---- host → Go: calls -------------------------------------------------------

// OpenCall opens a Go plugin. Done carries OpenResult.
type OpenCall struct {
	Call int64  `json:"call"`
	Path string `json:"path"`
}

type OpenResult struct {
	Plugin  int64    `json:"plugin"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// NewHandlerCall runs the factory of `action` with the host scope `scope`.
// Done carries the new handler's id.
type NewHandlerCall struct {
	Call   int64  `json:"call"`
	Plugin int64  `json:"plugin"`
	Action string `json:"action"`
	Scope  int64  `json:"scope"`
	Params Tagged `json:"params"`
}

// CallCall runs handler.Call with a new job context `ctx` and a JobRunner
// backed by the host runner `runner`. Done carries the job's first result
// (ctx.Result, Cancel's error, or Call's return), as Gilbert's runner saw it.
type CallCall struct {
	Call    int64    `json:"call"`
	Handler int64    `json:"handler"`
	Ctx     int64    `json:"ctx"`
	Runner  int64    `json:"runner"`
	Vars    sdk.Vars `json:"vars"`
}

// CancelCall runs handler.Cancel(ctx); Done carries its error, which also
// becomes the job's result if the job has none yet.
type CancelCall struct {
	Call    int64 `json:"call"`
	Handler int64 `json:"handler"`
	Ctx     int64 `json:"ctx"`
}

// CtxCancelCall: the host context `ctx` was cancelled; cancels the Go context.
type CtxCancelCall struct {
	Ctx int64 `json:"ctx"`
}

// ReleaseHandlerCall and ReleaseCtxCall forget a Go-side object the host is done with.
type ReleaseHandlerCall struct {
	Handler int64 `json:"handler"`
}

type ReleaseCtxCall struct {
	Ctx int64 `json:"ctx"`
}

// CompleteCall answers the request `req`: Data is the answer (ok) or a WireError (not ok).
type CompleteCall struct {
	Req  int64 `json:"req"`
	Ok   bool  `json:"ok"`
	Data JSON  `json:"data"`
}

// PingCall completes at once, from a new goroutine when ViaGoroutine: the
// bridge's own round trip, for `make bench`.
type PingCall struct {
	Call         int64 `json:"call"`
	ViaGoroutine bool  `json:"viaGoroutine"`
}

// ---- Go → host: events --------------------------------------------------------

// DoneEvent ends a host call: Error, or Result (the call's result, or null).
type DoneEvent struct {
	Call   int64      `json:"call"`
	Error  *WireError `json:"error,omitempty"`
	Result JSON       `json:"result,omitempty"`
}

// RequestEvent asks the host for something; Go waits for CompleteCall{Req}.
// Args and the answer are per operation (Requests).
type RequestEvent struct {
	Req  int64  `json:"req"`
	Op   string `json:"op"`
	Args JSON   `json:"args"`
}

// ContextEvent: Go derived context `ctx` from `parent` (Kind "fork" or "child").
type ContextEvent struct {
	Ctx    int64  `json:"ctx"`
	Parent int64  `json:"parent"`
	Kind   string `json:"kind"`
}

// CancelEvent: the plugin cancelled its context `ctx`.
type CancelEvent struct {
	Ctx int64 `json:"ctx"`
}

// VarsEvent: the plugin set the vars of context `ctx`.
type VarsEvent struct {
	Ctx  int64    `json:"ctx"`
	Vars sdk.Vars `json:"vars"`
}

// ReleaseEvent: Go no longer holds the host handler `handler`.
type ReleaseEvent struct {
	Handler int64 `json:"handler"`
}

// LogEvent is one log line of context `ctx`, `depth` sub-loggers down. It is
// the hot path, so it travels as a text record (events.go), not JSON.
type LogEvent struct {
	Ctx     int64  `json:"ctx"`
	Level   string `json:"level"`
	Depth   int64  `json:"depth"`
	Message string `json:"message"`
}

// HelloEvent is the host process's first frame (cmd/host): the protocol it
// speaks and its runtime/debug build info.
type HelloEvent struct {
	Protocol int64 `json:"protocol"`
	Build    JSON  `json:"build"`
}

// ---- errors ---------------------------------------------------------------------

// WireError is an error crossing the boundary, either way. Name is the
// host's error class ("JobError", "PluginError"...) when the error started
// there; Panic and Stack describe a panic in plugin code.
type WireError struct {
	Message  string        `json:"message"`
	Name     string        `json:"name,omitempty"`
	Hint     string        `json:"hint,omitempty"`
	Location *WireLocation `json:"location,omitempty"`
	Panic    bool          `json:"panic,omitempty"`
	Stack    string        `json:"stack,omitempty"`
}

type WireLocation struct {
	File string `json:"file"`
	Line int64  `json:"line"`
}

// ---- Go → host: requests ----------------------------------------------------------

// A Request is an operation Go asks the host for: Args go out in a
// RequestEvent, an A comes back in CompleteCall.Data.
type Request[Args any, A any] struct{ Op string }

type ScopeVarsArgs struct {
	Scope int64    `json:"scope"`
	Vars  sdk.Vars `json:"vars"`
}

type ScopeNameArgs struct {
	Scope int64  `json:"scope"`
	Name  string `json:"name"`
}

type ScopeArgs struct {
	Scope int64 `json:"scope"`
}

type ScopeExpandArgs struct {
	Scope int64    `json:"scope"`
	Exprs []string `json:"exprs"`
}

type Variable struct {
	IsLocal bool   `json:"isLocal"`
	Value   string `json:"value"`
}

type Environment struct {
	ProjectDirectory string `json:"projectDirectory"`
}

type ActionByNameArgs struct {
	Runner int64  `json:"runner"`
	Name   string `json:"name"`
}

type RunJobArgs struct {
	Runner int64   `json:"runner"`
	Job    WireJob `json:"job"`
	Ctx    int64   `json:"ctx"`
}

type RunTaskArgs struct {
	Runner int64  `json:"runner"`
	Name   string `json:"name"`
	Ctx    int64  `json:"ctx"`
	Scope  int64  `json:"scope"`
}

type FactoryCreateArgs struct {
	Factory int64  `json:"factory"`
	Scope   int64  `json:"scope"`
	Params  Tagged `json:"params"`
}

type HandlerCallArgs struct {
	Handler int64 `json:"handler"`
	Ctx     int64 `json:"ctx"`
	Runner  int64 `json:"runner"`
}

type HandlerCancelArgs struct {
	Handler int64 `json:"handler"`
	Ctx     int64 `json:"ctx"`
}

// WireJob is sdk.Job as the TS Job type spells it (periods in milliseconds).
type WireJob struct {
	Description string   `json:"description,omitempty"`
	Action      string   `json:"action,omitempty"`
	Task        string   `json:"task,omitempty"`
	Mixin       string   `json:"mixin,omitempty"`
	If          string   `json:"if,omitempty"`
	Async       bool     `json:"async,omitempty"`
	Delay       int64    `json:"delay,omitempty"`
	Deadline    int64    `json:"deadline,omitempty"`
	Vars        sdk.Vars `json:"vars,omitempty"`
	Params      Tagged   `json:"params,omitempty"`
}

type none = *struct{}

var (
	reqAppendVariables = Request[ScopeVarsArgs, none]{"scope.appendVariables"}
	reqAppendGlobals   = Request[ScopeVarsArgs, none]{"scope.appendGlobals"}
	reqGlobal          = Request[ScopeNameArgs, *string]{"scope.global"}
	reqVariable        = Request[ScopeNameArgs, *Variable]{"scope.variable"}
	reqVars            = Request[ScopeArgs, sdk.Vars]{"scope.vars"}
	reqExpand          = Request[ScopeExpandArgs, []string]{"scope.expand"}
	reqEnvironment     = Request[ScopeArgs, Environment]{"scope.environment"}
	reqEnviron         = Request[ScopeArgs, []string]{"scope.environ"}
	reqActionByName    = Request[ActionByNameArgs, int64]{"runner.actionByName"}
	reqRunJob          = Request[RunJobArgs, none]{"runner.runJob"}
	reqRunTask         = Request[RunTaskArgs, none]{"runner.runTask"}
	reqFactoryCreate   = Request[FactoryCreateArgs, int64]{"factory.create"}
	reqHandlerCall     = Request[HandlerCallArgs, none]{"handler.call"}
	reqHandlerCancel   = Request[HandlerCancelArgs, none]{"handler.cancel"}
)

// The tables Describe reads: every message by its wire name.
var (
	hostCalls = map[string]any{
		"open": OpenCall{}, "newHandler": NewHandlerCall{}, "call": CallCall{}, "cancel": CancelCall{},
		"ctxCancel": CtxCancelCall{}, "releaseHandler": ReleaseHandlerCall{}, "releaseCtx": ReleaseCtxCall{},
		"complete": CompleteCall{}, "ping": PingCall{},
	}
	goEvents = map[string]any{
		"done": DoneEvent{}, "request": RequestEvent{}, "context": ContextEvent{}, "cancel": CancelEvent{},
		"vars": VarsEvent{}, "release": ReleaseEvent{}, "log": LogEvent{}, "hello": HelloEvent{},
	}
	requests = []describable{
		reqAppendVariables, reqAppendGlobals, reqGlobal, reqVariable, reqVars, reqExpand, reqEnvironment, reqEnviron,
		reqActionByName, reqRunJob, reqRunTask, reqFactoryCreate, reqHandlerCall, reqHandlerCancel,
	}
	// what Done carries for each call (null for the others)
	results = map[string]any{"open": OpenResult{}, "newHandler": int64(0)}
	shapes  = map[string]any{
		"error": WireError{}, "location": WireLocation{}, "job": WireJob{}, "variable": Variable{},
		"environment": Environment{}, "openResult": OpenResult{},
	}
)

// Tagged and JSON are raw JSON on the wire, not base64 bytes.
func (m Tagged) MarshalJSON() ([]byte, error)     { return rawJSON(m), nil }
func (m *Tagged) UnmarshalJSON(data []byte) error { *m = append((*m)[:0], data...); return nil }
func (m JSON) MarshalJSON() ([]byte, error)       { return rawJSON(m), nil }
func (m *JSON) UnmarshalJSON(data []byte) error   { *m = append((*m)[:0], data...); return nil }

func rawJSON(m []byte) []byte {
	if len(m) == 0 {
		return []byte("null")
	}
	return m
}
