// Command gilbert-go-host is the bridge protocol's second transport: a Go
// process that opens one plugin and serves host calls (go-shim/bridge) over
// two pipes the host gives it (src/bridge/process.ts):
//
//	fd 3  host calls in, one JSON object per line
//	fd 4  event batches out, each framed by a 4-byte little-endian length;
//	      the first is the handshake (bridge.Hello)
//
// fd 1 and 2 are left to the plugin. With -protocol it prints the protocol's
// description (bridge.Describe), which test/bridge/protocol.test.ts compares
// with src/bridge/protocol.ts.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gilbert-ts/go-shim/bridge"
)

func main() {
	describe := flag.Bool("protocol", false, "print the bridge protocol's description as JSON and exit")
	flag.Parse()
	if *describe {
		os.Stdout.Write(append(bridge.Describe(), '\n'))
		return
	}
	calls, events := os.NewFile(3, "calls"), os.NewFile(4, "events")
	if calls == nil || events == nil {
		os.Stderr.WriteString("gilbert-go-host is started by gilbert-ts (it needs the protocol pipes on fd 3 and 4)\n")
		os.Exit(2)
	}
	// A terminal's Ctrl+C reaches the whole process group, this process too.
	// gilbert-ts owns cancellation: it calls the plugin's Cancel through this
	// process, which must outlive the signal to run it. (Notify, not Ignore:
	// an ignored signal would stay ignored in the plugin's own children.)
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGTERM)

	out := &pipeOutlet{w: events}
	out.Deliver(append(bridge.Hello(), 0))
	bridge.Start(out)

	in := bufio.NewReaderSize(calls, 64<<10)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 1 {
			bridge.ServeJSON(line)
		}
		if err == io.EOF {
			os.Exit(0) // gilbert-ts is gone or done with us
		}
		if err != nil {
			os.Exit(3)
		}
	}
}

// pipeOutlet writes each batch as one frame, on the goroutine that made its
// last event (Sync): once a plugin's Log returns, the line is in the pipe,
// even if the plugin's next statement ends the process.
type pipeOutlet struct {
	w     *os.File
	frame []byte // reused: Deliver is called by one goroutine at a time
}

func (o *pipeOutlet) Deliver(batch []byte) {
	body := batch[:len(batch)-1] // without the NUL a C string would need
	o.frame = binary.LittleEndian.AppendUint32(o.frame[:0], uint32(len(body)))
	o.frame = append(o.frame, body...)
	if _, err := o.w.Write(o.frame); err != nil {
		os.Exit(0) // gilbert-ts is gone: nobody is left to serve
	}
}

func (o *pipeOutlet) Signal()    {}
func (o *pipeOutlet) Wait()      {}
func (o *pipeOutlet) Sync() bool { return true }
