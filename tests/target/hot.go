package main

// What makes a service slow right now (issue #19): CPU burned in two functions, short-lived
// allocations that churn the GC, and lock and channel contention, each behind a flag, off by
// default (a bare start burns nothing and sets no profile rate, so older captures stay as they are).
//
//	-cpu-burn F         F cores' worth in main.burnCPU, F/4 more in main.burnCPUSmall
//	-alloc-churn-mb N   N MB/s allocated and dropped at once in main.churnAllocs
//	-contend N          N goroutines on one sync.Mutex in main.(*hotLock).work, and
//	                    N/2 (at least 1) receivers on an unbuffered channel in main.blockOnChan
//	-mutex-fraction N   runtime.SetMutexProfileFraction(N) (0: Go's default, no mutex profile)
//	-block-rate N       runtime.SetBlockProfileRate(N) (0: Go's default, no block profile)

import (
	"flag"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var (
	cpuBurn       = flag.Float64("cpu-burn", 0, "cores' worth of CPU burned in main.burnCPU (plus a quarter of that in main.burnCPUSmall)")
	allocChurnMB  = flag.Float64("alloc-churn-mb", 0, "MB/s of short-lived allocations in main.churnAllocs (inuse flat, alloc_space grows)")
	contend       = flag.Int("contend", 0, "goroutines fighting over one sync.Mutex in main.(*hotLock).work, plus receivers blocking on an unbuffered channel in main.blockOnChan")
	mutexFraction = flag.Int("mutex-fraction", 0, "runtime.SetMutexProfileFraction(N); 0 keeps Go's default (mutex profile empty)")
	blockRate     = flag.Int("block-rate", 0, "runtime.SetBlockProfileRate(N) in ns; 0 keeps Go's default (block profile empty)")
)

// startHotPaths starts what the flags above ask for; called from main after flag.Parse.
func startHotPaths() {
	if *mutexFraction > 0 {
		runtime.SetMutexProfileFraction(*mutexFraction)
	}
	if *blockRate > 0 {
		runtime.SetBlockProfileRate(*blockRate)
	}
	if *cpuBurn > 0 {
		startBurners(*cpuBurn, burnCPU)
		startBurners(*cpuBurn/4, burnCPUSmall)
	}
	if *allocChurnMB > 0 {
		go every(*allocChurnMB*(1<<20)/churnChunk, churnAllocs)
	}
	if *contend > 0 {
		startContention(*contend)
	}
}

// ---- CPU: hashing in a loop, duty-cycled so that each burner uses its share of a core ----

const burnPeriod = 10 * time.Millisecond

var burnSink uint64 // keeps the hash live

// startBurners spreads `cores` over goroutines of at most one core each: every burnPeriod, each
// spins for its share of the period, then sleeps the rest.
func startBurners(cores float64, spin func(until time.Time)) {
	for cores > 0 {
		share := cores
		if share > 1 {
			share = 1
		}
		cores -= share
		on := time.Duration(share * float64(burnPeriod))
		go func() {
			for {
				start := time.Now()
				spin(start.Add(on))
				if off := burnPeriod - time.Since(start); off > 0 {
					time.Sleep(off)
				}
			}
		}()
	}
}

// burnCPU hashes (FNV-1a over a counter) until `until`: its own frame holds the CPU time.
//
//go:noinline
func burnCPU(until time.Time) {
	h := uint64(14695981039346656037)
	for time.Now().Before(until) {
		for i := uint64(0); i < 4096; i++ {
			h ^= i
			h *= 1099511628211
		}
	}
	atomic.AddUint64(&burnSink, h)
}

// burnCPUSmall is the same loop under another name, given a quarter of burnCPU's share.
//
//go:noinline
func burnCPUSmall(until time.Time) {
	h := uint64(2166136261)
	for time.Now().Before(until) {
		for i := uint64(0); i < 4096; i++ {
			h = (h ^ i) * 16777619
		}
	}
	atomic.AddUint64(&burnSink, h)
}

// ---- allocation churn: allocated and dropped at once ----

const churnChunk = 4096

var churnSink []byte // the newest chunk only: everything older is garbage

// churnAllocs allocates n chunks of 4 kB and keeps none of them.
//
//go:noinline
func churnAllocs(n int) {
	for i := 0; i < n; i++ {
		b := make([]byte, churnChunk)
		b[i%churnChunk] = byte(i)
		churnSink = b
	}
}

// ---- contention: one mutex held a little while by many, and an unbuffered channel ----

type hotLock struct {
	mu    sync.Mutex
	count int
}

// work takes the lock and holds it ~200 µs (asleep: contention without burning CPU).
//
//go:noinline
func (l *hotLock) work() {
	for {
		l.mu.Lock()
		time.Sleep(200 * time.Microsecond)
		l.count++
		l.mu.Unlock()
		time.Sleep(50 * time.Microsecond)
	}
}

// blockOnChan waits on an unbuffered channel a feeder sends on every 2 ms.
//
//go:noinline
func blockOnChan(ch <-chan int) {
	for v := range ch {
		_ = v
	}
}

func startContention(n int) {
	l := &hotLock{}
	for i := 0; i < n; i++ {
		go l.work()
	}
	ch := make(chan int)
	receivers := n / 2
	if receivers < 1 {
		receivers = 1
	}
	for i := 0; i < receivers; i++ {
		go blockOnChan(ch)
	}
	go func() {
		for i := 0; ; i++ {
			time.Sleep(2 * time.Millisecond)
			ch <- i
		}
	}()
}
