// measure runs one command for `make bench` (bench/timing.mjs) and prints
// what its rusage says, children included: wall µs, user+system CPU µs and
// peak RSS in KB. GNU time has the same figures only to 10 ms.
//
//	measure <command> [args...]   (its output is discarded; exit status kept)
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure <command> [args...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%d %d %d\n", wall.Microseconds(), cpu.Microseconds(), ru.Maxrss)
}
