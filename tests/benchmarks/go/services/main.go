// Command services runs one of several small services shaped like production
// code, for pprof-tui's diagnosis benchmark (tests/benchmarks/bench_diagnosis.py).
// Half of them are healthy, half leak the way real services do; none of them
// knows it is being measured. Each serves net/http/pprof on -addr and prints
// "LISTENING host:port" once it does. Every size, interval and key
// distribution is drawn from -seed, so two seeds are two different runs of
// the same code.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// services maps a -service name to the function that starts it. Each starts
// its own goroutines and returns at once.
var services = map[string]func(r *Rand){
	// healthy
	"page-cache":   startPageCache,
	"long-poll":    startLongPoll,
	"conn-pool":    startConnPool,
	"batch-jobs":   startBatchJobs,
	"inflight-map": startInflightMap,
	"heartbeat":    startHeartbeats,
	// leaking
	"inventory-client": startInventoryClient,
	"upload-progress":  startUploadProgress,
	"stream-watch":     startStreamWatch,
	"token-convoy":     startTokenConvoy,
	"ingest-index":     startIngestIndex,
	"request-log":      startRequestLog,
	"search-fanout":    startSearchFanout,
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address for net/http/pprof")
	name := flag.String("service", "", "which service to run: "+strings.Join(serviceNames(), ", "))
	seed := flag.Int64("seed", 1, "seed for every size, interval and key distribution")
	flag.Parse()

	start, ok := services[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown -service %q: one of %s\n", *name, strings.Join(serviceNames(), ", "))
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	start(NewRand(*seed))
	fmt.Printf("LISTENING %s\n", ln.Addr().String())
	_ = os.Stdout.Sync()
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

func serviceNames() []string {
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rand is a math/rand source safe for the many goroutines of a service.
type Rand struct {
	mu sync.Mutex
	r  *rand.Rand
}

// NewRand returns a Rand seeded with seed.
func NewRand(seed int64) *Rand { return &Rand{r: rand.New(rand.NewSource(seed))} }

// Intn returns a number in [0, n).
func (r *Rand) Intn(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Intn(n)
}

// Between returns a number in [lo, hi].
func (r *Rand) Between(lo, hi int) int { return lo + r.Intn(hi-lo+1) }

// Float64 returns a number in [0, 1).
func (r *Rand) Float64() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Float64()
}

// Duration returns a duration in [lo, hi].
func (r *Rand) Duration(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(r.Float64()*float64(hi-lo))
}

// Exp returns an exponentially distributed duration with the given mean
// (Poisson arrivals).
func (r *Rand) Exp(mean time.Duration) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.r.ExpFloat64() * float64(mean))
}

// LogNormal returns a latency around median with the given spread (sigma).
func (r *Rand) LogNormal(median time.Duration, sigma float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(float64(median) * math.Exp(sigma*r.r.NormFloat64()))
}

// Zipf returns a generator of ranks in [0, n) where low ranks are frequent.
func (r *Rand) Zipf(s float64, n uint64) func() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	z := rand.NewZipf(rand.New(rand.NewSource(r.r.Int63())), s, 1, n-1)
	var mu sync.Mutex
	return func() uint64 {
		mu.Lock()
		defer mu.Unlock()
		return z.Uint64()
	}
}

// arrivals calls fn in its own goroutine at Poisson arrivals of perSecond on
// average, for ever: the requests a service receives.
func arrivals(r *Rand, perSecond float64, fn func()) {
	mean := time.Duration(float64(time.Second) / perSecond)
	go func() {
		for {
			time.Sleep(r.Exp(mean))
			go fn()
		}
	}()
}

// loopbackServer serves h on 127.0.0.1 and returns its base URL: the other
// side of a service's outgoing calls, in the same process.
func loopbackServer(h http.Handler, idle time.Duration) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: h, IdleTimeout: idle, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String()
}

// logEvery writes status() to stderr every period: the service's own log line
// (the recorder keeps it beside the recording).
func logEvery(period time.Duration, status func() string) {
	go func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for range t.C {
			fmt.Fprintln(os.Stderr, time.Now().UTC().Format("15:04:05"), status())
		}
	}()
}
