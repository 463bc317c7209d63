// bridge-native is the floor for `make bench`: the same plugin and actions
// as bench/bridge.ts, opened and called natively by a Go host, with the
// cheapest possible job context and a logger that only counts lines.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"plugin"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bridge-native <plugin.so>")
		os.Exit(2)
	}
	start := time.Now()
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sym, _ := p.Lookup("GetPluginActions")
	actions := sym.(func() sdk.Actions)()
	openTime := time.Since(start)

	const calls = 200_000
	noop, _ := actions["noop"](nil, sdk.ActionParams{})
	ctx := newCtx()
	start = time.Now()
	for i := 0; i < calls; i++ {
		if err := noop.Call(ctx, nil); err != nil {
			panic(err)
		}
	}
	roundTrip := time.Since(start) / calls

	const goroutines, lines = 8, 125_000
	flood, _ := actions["flood"](nil, sdk.ActionParams{"goroutines": goroutines, "lines": lines})
	start = time.Now()
	_ = flood.Call(ctx, nil)
	linesPerSec := float64(goroutines*lines) / time.Since(start).Seconds()
	if got := ctx.log.n.Load(); got != goroutines*lines {
		panic(fmt.Sprintf("lost lines: %d", got))
	}

	_ = json.NewEncoder(os.Stdout).Encode(map[string]float64{
		"openMs": float64(openTime.Microseconds()) / 1000, "roundTripUs": float64(roundTrip.Nanoseconds()) / 1000, "linesPerSec": linesPerSec,
	})
}

type countLogger struct{ n *atomic.Int64 }

func (l countLogger) put(args ...interface{}) { _ = fmt.Sprint(args...); l.n.Add(1) }
func (l countLogger) putf(f string, args ...interface{}) {
	_ = fmt.Sprintf(f, args...)
	l.n.Add(1)
}
func (l countLogger) SubLogger() sdk.Logger                    { return l }
func (l countLogger) Format(f string, a ...interface{}) string { return fmt.Sprintf(f, a...) }
func (l countLogger) Log(a ...interface{})                     { l.put(a...) }
func (l countLogger) Logf(f string, a ...interface{})          { l.putf(f, a...) }
func (l countLogger) Debug(a ...interface{})                   { l.put(a...) }
func (l countLogger) Debugf(f string, a ...interface{})        { l.putf(f, a...) }
func (l countLogger) Warn(a ...interface{})                    { l.put(a...) }
func (l countLogger) Warnf(f string, a ...interface{})         { l.putf(f, a...) }
func (l countLogger) Error(a ...interface{})                   { l.put(a...) }
func (l countLogger) Errorf(f string, a ...interface{})        { l.putf(f, a...) }
func (l countLogger) Info(a ...interface{})                    { l.put(a...) }
func (l countLogger) Infof(f string, a ...interface{})         { l.putf(f, a...) }
func (l countLogger) Success(a ...interface{})                 { l.put(a...) }
func (l countLogger) Successf(f string, a ...interface{})      { l.putf(f, a...) }
func (l countLogger) Write(d []byte) (int, error)              { l.n.Add(1); return len(d), nil }
func (l countLogger) ErrorWriter() io.Writer                   { return l }

type benchCtx struct {
	log countLogger
	ctx context.Context
	err chan error
}

func newCtx() *benchCtx {
	return &benchCtx{log: countLogger{n: new(atomic.Int64)}, ctx: context.Background(), err: make(chan error, 1)}
}

func (c *benchCtx) Log() sdk.Logger                      { return c.log }
func (c *benchCtx) IsAlive() bool                        { return true }
func (c *benchCtx) IsChild() bool                        { return false }
func (c *benchCtx) Context() context.Context             { return c.ctx }
func (c *benchCtx) Errors() chan error                   { return c.err }
func (c *benchCtx) SetErrorChannel(ch chan error)        { c.err = ch }
func (c *benchCtx) Vars() sdk.Vars                       { return sdk.Vars{} }
func (c *benchCtx) SetVars(sdk.Vars)                     {}
func (c *benchCtx) SetWaitGroup(*sync.WaitGroup)         {}
func (c *benchCtx) ForkContext() sdk.JobContextAccessor  { return c }
func (c *benchCtx) ChildContext() sdk.JobContextAccessor { return c }
func (c *benchCtx) Timeout(time.Duration)                {}
func (c *benchCtx) Success()                             {}
func (c *benchCtx) Result(error)                         {}
func (c *benchCtx) Cancel()                              {}
