package bridge

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime/debug"
)

// Serve runs one host call (a pointer to one of hostCalls' structs), in the
// order the host made them. Each is quick: work that runs or waits on plugin
// code goes to its own goroutine, so one slow action never delays another.
// It reports whether it started one (the in-process inbox yields to it then).
func Serve(call any) (spawned bool) {
	switch c := call.(type) {
	case *OpenCall:
		go openPluginCall(c.Call, c.Path)
	case *NewHandlerCall:
		go newHandlerCall(c.Call, c.Plugin, c.Action, c.Scope, c.Params)
	case *CallCall:
		// registered before the next call, so a following cancel finds it
		job := newCallCtx(c.Call, c.Ctx, c.Vars)
		go runCall(c.Call, c.Handler, job, c.Runner)
	case *CancelCall:
		beginCancel(c.Call, c.Ctx)
		go runCancel(c.Call, c.Handler, c.Ctx)
	case *CtxCancelCall:
		if j, ok := contexts.get(c.Ctx); ok {
			j.cancelFromJS()
		}
		return false
	case *ReleaseHandlerCall:
		handlers.drop(c.Handler)
		return false
	case *ReleaseCtxCall:
		contexts.drop(c.Ctx)
		return false
	case *CompleteCall:
		complete(c.Req, c.Ok, c.Data)
		return false
	case *PingCall:
		if !c.ViaGoroutine {
			emitDone(c.Call, nil, nil)
			return false
		}
		go emitDone(c.Call, nil, nil)
	default:
		panic(fmt.Sprintf("bridge: Serve got %T, not a host call", call))
	}
	return true
}

// DecodeCall reads a host call sent as JSON (a transport without a C ABI).
func DecodeCall(op string, data []byte) (any, error) {
	proto, ok := hostCalls[op]
	if !ok {
		return nil, fmt.Errorf("unknown host call %q", op)
	}
	call := reflect.New(reflect.TypeOf(proto)).Interface()
	if err := json.Unmarshal(data, call); err != nil {
		return nil, fmt.Errorf("bad %s call: %w", op, err)
	}
	return call, nil
}

// BuildInfo is runtime/debug.ReadBuildInfo() as JSON: what plugins must match.
func BuildInfo() []byte {
	info, _ := debug.ReadBuildInfo()
	data, _ := json.Marshal(info)
	return data
}

func openPluginCall(call int64, path string) {
	var plug *openPlugin
	err := guard("plugin.Open", func() (err error) { plug, err = openGoPlugin(path); return })
	if err != nil {
		emitDone(call, errorOf(err), nil)
		return
	}
	id := newID()
	plugins.put(id, plug)
	result, _ := json.Marshal(OpenResult{Plugin: id, Name: plug.name, Actions: actionNames(plug.actions)})
	emitDone(call, nil, result)
}

func newHandlerCall(call, pluginID int64, action string, scope int64, params Tagged) {
	id, err := newHandler(pluginID, action, scope, params)
	if err != nil {
		emitDone(call, errorOf(err), nil)
		return
	}
	emitDone(call, nil, []byte(quoteInt(id)))
}

// ServeJSON serves one host call read as a JSON line ({"op": …, …fields}).
// A call that cannot be decoded is answered with an error rather than left
// waiting: its `call` ends with it, its `req` is answered with it.
func ServeJSON(line []byte) {
	var head struct {
		Op   string `json:"op"`
		Call int64  `json:"call"`
		Req  int64  `json:"req"`
	}
	err := json.Unmarshal(line, &head)
	var call any
	if err == nil {
		call, err = DecodeCall(head.Op, line)
	}
	if err == nil {
		Serve(call)
		return
	}
	bad := &WireError{Message: "gilbert-ts bug: the Go host could not read a host call: " + err.Error()}
	switch {
	case head.Call != 0:
		emitDone(head.Call, bad, nil)
	case head.Req != 0:
		complete(head.Req, false, mustJSON(bad))
	}
}

func mustJSON(v any) []byte {
	data, _ := json.Marshal(v)
	return data
}
