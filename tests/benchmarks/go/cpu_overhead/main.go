// cpu_overhead: what Go's CPU profiler costs a process, measured on fixed work (so the cost shows
// as more CPU time, not hidden in a loop that runs until a deadline). Alternates rounds of the same
// work with and without pprof.StartCPUProfile (the profile built and gzip'd at Stop, as the
// profile?seconds=N handler does) and prints the process CPU time of each (getrusage).
// Used by tests/benchmarks/bench_cpu_overhead.py.
package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/pprof"
	"syscall"
	"time"
)

var sink uint64

//go:noinline
func work(n int) {
	x := sink
	for i := 0; i < n; i++ {
		x ^= uint64(i)
		x *= 1099511628211
	}
	sink = x
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func main() {
	rounds := flag.Int("rounds", 6, "pairs of rounds (off, on)")
	seconds := flag.Float64("seconds", 2, "CPU seconds of work per round (calibrated)")
	flag.Parse()
	// calibrate: iterations for the asked CPU seconds
	c0 := cpuSeconds()
	n := 0
	for cpuSeconds()-c0 < 0.3 {
		work(1_000_000)
		n++
	}
	iters := int(float64(n) * 1_000_000 * *seconds / (cpuSeconds() - c0))
	for r := 0; r < *rounds; r++ {
		for _, on := range []bool{false, true} {
			c := cpuSeconds()
			if on {
				if err := pprof.StartCPUProfile(io.Discard); err != nil {
					panic(err)
				}
			}
			work(iters)
			if on {
				pprof.StopCPUProfile()
			}
			fmt.Printf("%v %.4f\n", on, cpuSeconds()-c)
		}
	}
}
