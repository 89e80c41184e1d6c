// Command target is a small Go service used by pprof-tui's tests: it serves
// net/http/pprof and, behind switches, leaks heap and goroutines and parks
// goroutines in assorted wait states. A bare start is an idle service.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cacheRate := flag.Float64("cache-leak-rate", 0, "LFU cache reads/second (each read leaks a hit record)")
	chanRate := flag.Float64("chan-leak-rate", 0, "goroutines/second leaked blocked on [chan send]")
	chanInitial := flag.Int("chan-leak-initial", 0, "goroutines leaked on [chan send] at start")
	parked := flag.Bool("parked", false, "park a few goroutines in each of many wait states")
	labels := flag.Bool("labels", false, "park goroutines that carry pprof labels")
	deep := flag.Int("deep", 0, "park goroutines at the bottom of a recursion this deep")
	idlePool := flag.Int("idle-pool", 0, "steady pool of workers waiting on a work channel")
	burst := flag.Int("burst", 0, "goroutines started per burst (block ~3 s, then finish)")
	burstEvery := flag.Duration("burst-every", 10*time.Second, "interval between bursts")
	heapSteadyMB := flag.Int("heap-steady-mb", 0, "MB of heap allocated once and kept (flat heap)")
	slowLeak := flag.Float64("slow-leak-kb-per-min", 0, "kB/minute leaked in 64-byte records (below the heap sampling rate)")
	staircase := flag.Float64("staircase-rate", 0, "64-byte records/second appended to a slice that doubles when full (main.appendTo[...])")
	warmupMB := flag.Int("warmup-mb", 0, "MB a cache fills over -warmup-for, then holds (warm-up, then a plateau)")
	warmupFor := flag.Duration("warmup-for", 150*time.Second, "how long the -warmup-mb cache takes to fill")
	sawtoothMB := flag.Int("sawtooth-mb", 0, "MB a batch grows by over each -sawtooth-period, then releases")
	sawtoothPeriod := flag.Duration("sawtooth-period", time.Minute, "period of the -sawtooth-mb batch")
	mainSelect := flag.Bool("main-select", false, "serve from a goroutine and park main in select {}")
	spawnTree := flag.Int("spawn-tree", 0, "a spawner starting this many workers, each starting two helpers (spawn.go)")
	tenantRate := flag.Float64("tenant-requests", 0, "labelled requests/second: tenant acme's never end, beta's take 2 s (spawn.go)")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}

	if *heapSteadyMB > 0 {
		allocSteady(*heapSteadyMB)
	}
	if *chanInitial > 0 {
		(&Dispatcher{}).fanOut(*chanInitial)
	}
	if *chanRate > 0 {
		d := &Dispatcher{}
		go every(*chanRate, d.fanOut)
	}
	if *cacheRate > 0 {
		c := NewLFUCache()
		go every(*cacheRate, c.readSome)
	}
	if *parked {
		startParked()
	}
	if *labels {
		startLabeled()
	}
	if *deep > 0 {
		startDeep(*deep)
	}
	if *idlePool > 0 {
		startIdlePool(*idlePool)
	}
	if *burst > 0 {
		b := &Burst{size: *burst}
		go b.loop(*burstEvery)
	}
	if *slowLeak > 0 {
		startSlowLeak(*slowLeak)
	}
	if *staircase > 0 {
		startStaircase(*staircase)
	}
	if *warmupMB > 0 && *warmupFor > 0 {
		startWarmup(*warmupMB, *warmupFor)
	}
	if *sawtoothMB > 0 && *sawtoothPeriod > 0 {
		startSawtooth(*sawtoothMB, *sawtoothPeriod)
	}

	if *spawnTree > 0 {
		startSpawnTree(*spawnTree)
	}
	if *tenantRate > 0 {
		startTenants(*tenantRate)
	}
	startHotPaths() // hot.go: -cpu-burn, -alloc-churn-mb, -contend, -mutex-fraction, -block-rate
	startMetrics()  // metrics.go: -metrics, -fgprof, -requests, -latency-ms, -latency-drift-ms-per-min

	fmt.Printf("LISTENING %s\n", ln.Addr().String())
	_ = os.Stdout.Sync()
	if *mainSelect {
		go serve(ln)
		select {}
	}
	serve(ln)
}

func serve(ln net.Listener) {
	if err := http.Serve(ln, handler()); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// every calls fn(n) ten times a second so that the n's sum to rate per second.
func every(rate float64, fn func(n int)) {
	const tick = 100 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	owed := 0.0
	for range t.C {
		owed += rate * tick.Seconds()
		if n := int(owed); n > 0 {
			owed -= float64(n)
			fn(n)
		}
	}
}

// ---- heap leak: an LFU cache whose Get appends a hit record on every read ----

type hit struct {
	at    int64
	key   string
	extra [48]byte
}

type cacheEntry struct {
	value []byte
	hits  []*hit
}

// LFUCache counts use by remembering every hit — and never forgets one.
type LFUCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
	next    int
}

// NewLFUCache returns an empty cache.
func NewLFUCache() *LFUCache {
	return &LFUCache{entries: make(map[string]*cacheEntry)}
}

// Get returns the value for key, creating it on first use.
func (c *LFUCache) Get(key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{value: []byte(key)}
		c.entries[key] = e
	}
	c.increment(e, key)
	return e.value
}

// increment holds the leaking allocation: one record (and slice growth) per read.
//
//go:noinline
func (c *LFUCache) increment(e *cacheEntry, key string) {
	e.hits = append(e.hits, &hit{at: time.Now().UnixNano(), key: key})
}

var cacheKeys = func() []string {
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprintf("user:%d", i)
	}
	return keys
}()

func (c *LFUCache) readSome(n int) {
	for i := 0; i < n; i++ {
		c.next++
		c.Get(cacheKeys[c.next%len(cacheKeys)])
	}
}

// ---- steady heap ----

var steadyHeap [][]byte

//go:noinline
func allocSteady(mb int) {
	for i := 0; i < mb; i++ {
		chunk := make([]byte, 1<<20)
		for j := range chunk {
			chunk[j] = byte(j)
		}
		steadyHeap = append(steadyHeap, chunk)
	}
}

// ---- goroutine leak: sends on a channel nobody will ever read ----

// Dispatcher fans each message out to a deliver goroutine.
type Dispatcher struct{}

// fanOut starts n deliveries on a channel local to this call: once it
// returns the channel is unreachable and the senders are provably leaked.
//
//go:noinline
func (d *Dispatcher) fanOut(n int) {
	results := make(chan int)
	for i := 0; i < n; i++ {
		go d.route(results, i, i%4)
	}
}

// route picks a shard, then delivers (one more frame: realistic stack depth).
//
//go:noinline
func (d *Dispatcher) route(out chan<- int, v int, shard int) {
	d.deliver(out, v+shard)
}

//go:noinline
func (d *Dispatcher) deliver(out chan<- int, v int) {
	out <- v
}

// ---- steady pool ----

var work = make(chan func())

func startIdlePool(n int) {
	for i := 0; i < n; i++ {
		go poolWorker(i)
	}
}

//go:noinline
func poolWorker(id int) {
	for job := range work {
		job()
	}
	_ = id
}

// ---- bursts that drain ----

// Burst periodically starts short-lived goroutines.
type Burst struct{ size int }

func (b *Burst) loop(every time.Duration) {
	for {
		done := make(chan struct{})
		for i := 0; i < b.size; i++ {
			go b.handle(done)
		}
		time.AfterFunc(3*time.Second, func() { close(done) })
		time.Sleep(every)
	}
}

//go:noinline
func (b *Burst) handle(done <-chan struct{}) {
	<-done
}
