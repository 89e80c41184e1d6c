package main

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// An API gateway that tracks in-flight requests by request ID (for
// cancellation and the admin page), and the same shape with the bug: the
// request log that never deletes its entries.

type callState struct {
	id       string
	route    string
	tenant   string
	started  time.Time
	deadline time.Time
	headers  map[string]string
	done     bool
}

// InflightTable holds the requests being served, keyed by request ID.
type InflightTable struct {
	mu    sync.Mutex
	calls map[string]*callState
	seq   int64
	rnd   *Rand

	expired, finished int
}

// begin registers a new request and returns its ID.
//
//go:noinline
func (t *InflightTable) begin(route, tenant string, timeout time.Duration) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	id := "req-" + strconv.FormatInt(t.seq, 36) + "-" + strconv.Itoa(t.rnd.Intn(1e6))
	now := time.Now()
	t.calls[id] = &callState{
		id: id, route: route, tenant: tenant, started: now, deadline: now.Add(timeout),
		headers: map[string]string{"user-agent": "svc-client/" + strconv.Itoa(t.rnd.Intn(30)), "x-trace": id + "-" + tenant},
	}
	return id
}

// end forgets a finished request.
func (t *InflightTable) end(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.calls, id)
	t.finished++
}

// sweep drops requests past their deadline (their handlers gave up).
func (t *InflightTable) sweep() {
	for {
		time.Sleep(10 * time.Second)
		now := time.Now()
		t.mu.Lock()
		for id, c := range t.calls {
			if now.After(c.deadline) {
				delete(t.calls, id)
				t.expired++
			}
		}
		t.mu.Unlock()
	}
}

var gatewayRoutes = []string{"/v1/orders", "/v1/orders/{id}", "/v1/users/{id}", "/v1/search", "/v2/cart", "/healthz"}

func startInflightMap(r *Rand) {
	t := &InflightTable{calls: make(map[string]*callState), rnd: r}
	go t.sweep()
	arrivals(r, 30+20*r.Float64(), func() {
		id := t.begin(gatewayRoutes[r.Intn(len(gatewayRoutes))], "tenant-"+strconv.Itoa(r.Intn(200)), 30*time.Second)
		latency := r.LogNormal(120*time.Millisecond, 1.2)
		if latency > 30*time.Second { // the handler gives up; the sweeper removes it
			time.Sleep(30 * time.Second)
			return
		}
		time.Sleep(latency)
		t.end(id)
	})
	logEvery(30*time.Second, func() string {
		t.mu.Lock()
		defer t.mu.Unlock()
		return fmt.Sprintf("inflight: %d now, %d finished, %d expired", len(t.calls), t.finished, t.expired)
	})
}

// RequestTracker is the same table with a bug: complete marks a request done
// but nothing ever deletes it (the cleanup was meant to happen in a log
// shipper that was never wired up).
type RequestTracker struct {
	InflightTable
}

// complete marks the request finished, and keeps it.
func (t *RequestTracker) complete(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.calls[id]; ok {
		c.done = true
	}
	t.finished++
}

// record registers a request with its request ID.
//
//go:noinline
func (t *RequestTracker) record(route, tenant string) string {
	return t.begin(route, tenant, time.Minute)
}

func startRequestLog(r *Rand) {
	t := &RequestTracker{InflightTable{calls: make(map[string]*callState), rnd: r}}
	arrivals(r, 25+15*r.Float64(), func() {
		id := t.record(gatewayRoutes[r.Intn(len(gatewayRoutes))], "tenant-"+strconv.Itoa(r.Intn(200)))
		time.Sleep(r.LogNormal(80*time.Millisecond, 1.0))
		t.complete(id)
	})
	logEvery(30*time.Second, func() string {
		t.mu.Lock()
		defer t.mu.Unlock()
		return fmt.Sprintf("request log: %d entries, %d finished", len(t.calls), t.finished)
	})
}
