package main

// The service's own numbers, written by hand (stdlib only, no client library: the tests cannot fetch
// Go modules): a Prometheus text-format /metrics page with a request-duration histogram, request
// counters and some of Go's runtime metrics under client_golang's names, behind -metrics; and a
// /debug/fgprof that answers like fgprof's handler to a bad duration (HTTP 400 "bad seconds") behind
// -fgprof. Synthetic requests (-requests per second) are observed into the histogram with a latency
// of -latency-ms, rising by -latency-drift-ms-per-min, and 1 in 50 fails with code 500.

import (
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	metricsOn    = flag.Bool("metrics", false, "serve a Prometheus /metrics page (request histogram, counters, runtime metrics)")
	fgprofOn     = flag.Bool("fgprof", false, "register /debug/fgprof (answers ?seconds=0 with 400 \"bad seconds\", as fgprof does)")
	requestRate  = flag.Float64("requests", 0, "synthetic requests/second observed into http_request_duration_seconds")
	latencyMs    = flag.Float64("latency-ms", 30, "median latency of the synthetic requests")
	latencyDrift = flag.Float64("latency-drift-ms-per-min", 0, "the latency rises by this much every minute")
)

var bounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type series struct {
	buckets []uint64 // per bound, not cumulative; the last is +Inf
	sum     float64
	count   uint64
}

type requestMetrics struct {
	mu       sync.Mutex
	start    time.Time
	byLabels map[string]*series // `handler="/api",code="200"`
	totals   map[string]uint64
}

var reqs = &requestMetrics{start: time.Now(), byLabels: map[string]*series{}, totals: map[string]uint64{}}

func (m *requestMetrics) observe(handler, code string, seconds float64) {
	key := fmt.Sprintf("code=%q,handler=%q", code, handler)
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.byLabels[key]
	if s == nil {
		s = &series{buckets: make([]uint64, len(bounds)+1)}
		m.byLabels[key] = s
	}
	i := sort.SearchFloat64s(bounds, seconds) // the first bound >= seconds
	s.buckets[i]++
	s.sum += seconds
	s.count++
	m.totals[key]++
}

func startRequests(rate float64) {
	rng := rand.New(rand.NewSource(1))
	handlers := []string{"/api/items", "/api/users", "/healthz"}
	go every(rate, func(n int) {
		minutes := time.Since(reqs.start).Minutes()
		median := (*latencyMs + *latencyDrift*minutes) / 1000
		for i := 0; i < n; i++ {
			code := "200"
			if rng.Intn(50) == 0 {
				code = "500"
			}
			// log-normal around the median: a tail a few times the median
			seconds := median * math.Exp(rng.NormFloat64()*0.5)
			reqs.observe(handlers[rng.Intn(len(handlers))], code, seconds)
		}
	})
}

func writeMetrics(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	reqs.mu.Lock()
	keys := make([]string, 0, len(reqs.byLabels))
	for k := range reqs.byLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString("# HELP http_request_duration_seconds Time to serve a request.\n# TYPE http_request_duration_seconds histogram\n")
	for _, k := range keys {
		s := reqs.byLabels[k]
		var cum uint64
		for i, bound := range bounds {
			cum += s.buckets[i]
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{%s,le=%q} %d\n", k, strconv.FormatFloat(bound, 'g', -1, 64), cum)
		}
		cum += s.buckets[len(bounds)]
		fmt.Fprintf(&b, "http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", k, cum)
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{%s} %g\n", k, s.sum)
		fmt.Fprintf(&b, "http_request_duration_seconds_count{%s} %d\n", k, s.count)
	}
	b.WriteString("# HELP http_requests_total Requests served, by status code.\n# TYPE http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "http_requests_total{%s} %d\n", k, reqs.totals[k])
	}
	reqs.mu.Unlock()
	writeRuntime(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// writeRuntime: a few of Go's runtime metrics under the names client_golang gives them.
func writeRuntime(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	samples := []metrics.Sample{{Name: "/sched/latencies:seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(samples)
	if samples[0].Value.Kind() == metrics.KindFloat64Histogram {
		h := samples[0].Value.Float64Histogram()
		b.WriteString("# HELP go_sched_latencies_seconds Distribution of the time goroutines have spent in the scheduler in a runnable state before actually running.\n# TYPE go_sched_latencies_seconds histogram\n")
		var cum uint64
		for i, c := range h.Counts {
			cum += c
			upper := h.Buckets[i+1]
			if math.IsInf(upper, 1) {
				continue
			}
			fmt.Fprintf(b, "go_sched_latencies_seconds_bucket{le=%q} %d\n", strconv.FormatFloat(upper, 'g', -1, 64), cum)
		}
		fmt.Fprintf(b, "go_sched_latencies_seconds_bucket{le=\"+Inf\"} %d\ngo_sched_latencies_seconds_sum NaN\ngo_sched_latencies_seconds_count %d\n", cum, cum)
	}
	if samples[1].Value.Kind() == metrics.KindUint64 {
		fmt.Fprintf(b, "# HELP go_gc_cycles_total_gc_cycles_total Count of all completed GC cycles.\n# TYPE go_gc_cycles_total_gc_cycles_total counter\ngo_gc_cycles_total_gc_cycles_total %d\n", samples[1].Value.Uint64())
	}
}

func fgprofHandler(w http.ResponseWriter, r *http.Request) {
	seconds, err := strconv.Atoi(r.URL.Query().Get("seconds"))
	if err != nil || seconds <= 0 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad seconds: %d: %v\n", seconds, err)
		return
	}
	http.Error(w, "the test target answers only the registration probe", http.StatusNotImplemented)
}

func startMetrics() {
	if *metricsOn {
		http.HandleFunc("/metrics", writeMetrics)
	}
	if *fgprofOn {
		http.HandleFunc("/debug/fgprof", fgprofHandler)
	}
	if *requestRate > 0 {
		startRequests(*requestRate)
	}
}
