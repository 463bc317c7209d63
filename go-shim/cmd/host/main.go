// Command host is the bridge protocol's second transport: a Go process that
// opens plugins and serves the host calls it reads (stage 2). With
// -protocol it prints the protocol's description (bridge.Describe), which
// test/bridge/protocol.test.ts compares with src/bridge/protocol.ts.
package main

import (
	"flag"
	"os"

	"github.com/gilbert-ts/go-shim/bridge"
)

func main() {
	describe := flag.Bool("protocol", false, "print the bridge protocol's description as JSON and exit")
	flag.Parse()
	if *describe {
		os.Stdout.Write(append(bridge.Describe(), '\n'))
		return
	}
	os.Stderr.WriteString("gilbert-ts Go host: run by gilbert-ts, not by hand\n")
	os.Exit(2)
}
