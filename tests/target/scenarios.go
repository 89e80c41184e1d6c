package main

// Programs for the diagnosis benchmark (tests/benchmarks/bench_diagnosis.py): each is one
// flag, off by default. Two are leaks the tracker should name (a slow leak in small objects,
// below the 512 kB heap sampling rate; a doubling slice that grows in steps), three are heap
// shapes that are not leaks (a cache that warms up then plateaus, a sawtooth that returns to
// its floor) and would fool a naive trend.

import (
	"sync"
	"time"
)

// ---- slow heap leak: small records on a list nobody trims ----

// auditEntry is 64 bytes: far below the heap profile's 512 kB sampling rate, so only one
// allocation in ~8000 is sampled and the profile moves in coarse, irregular steps.
type auditEntry struct {
	next *auditEntry
	at   int64
	user [48]byte
}

// AuditTrail remembers every request, forever.
type AuditTrail struct {
	mu   sync.Mutex
	head *auditEntry
	n    int
}

// record holds the leaking allocation.
//
//go:noinline
func (a *AuditTrail) record(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := 0; i < n; i++ {
		e := &auditEntry{next: a.head, at: time.Now().UnixNano()}
		e.user[0] = byte(a.n)
		a.head = e
		a.n++
	}
}

const auditEntrySize = 64

func startSlowLeak(kbPerMin float64) {
	a := &AuditTrail{}
	go every(kbPerMin*1024/60/auditEntrySize, a.record)
}

// ---- doubling slice: flat for minutes, then a jump ----

// freqRecord is 64 bytes and holds no pointers.
type freqRecord struct {
	key   uint64
	at    int64
	count uint32
	_     [44]byte
}

// appendTo is the classic hand-rolled generic append: when the slice is full it doubles the
// capacity. The backing array is the leak; its frame reads main.appendTo[...].
//
//go:noinline
func appendTo[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		grown := make([]T, len(s), 2*cap(s)+1)
		copy(grown, s)
		s = grown
	}
	return append(s, v)
}

// freqTable counts use by keeping every increment.
type freqTable struct {
	mu      sync.Mutex
	history []freqRecord
	n       uint64
}

//go:noinline
func (f *freqTable) increment(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < n; i++ {
		f.n++
		f.history = appendTo(f.history, freqRecord{key: f.n % 64, at: time.Now().UnixNano(), count: uint32(f.n)})
	}
}

func startStaircase(rate float64) {
	f := &freqTable{}
	go every(rate, f.increment)
}

// ---- cache warm-up: fills fast, then plateaus ----

const warmValueSize = 2048

// WarmCache loads values until it holds its working set, then only serves them.
type WarmCache struct {
	mu     sync.Mutex
	values map[int][]byte
	limit  int
	reads  int
}

// load fills a missing key (the warm-up allocation) or reads a present one.
//
//go:noinline
func (w *WarmCache) load(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := 0; i < n; i++ {
		if len(w.values) < w.limit {
			v := make([]byte, warmValueSize)
			v[0] = byte(len(w.values))
			w.values[len(w.values)] = v
			continue
		}
		w.reads++
		_ = w.values[w.reads%w.limit][0]
	}
}

// startWarmup fills mb megabytes of values over warmFor, then keeps reading them.
func startWarmup(mb int, warmFor time.Duration) {
	limit := mb << 20 / warmValueSize
	w := &WarmCache{values: make(map[int][]byte), limit: limit}
	go every(float64(limit)/warmFor.Seconds(), w.load)
}

// ---- sawtooth: a batch that grows for a period, then is flushed ----

const batchItemSize = 4096

// Batcher buffers items and drops them all at the end of each period.
type Batcher struct {
	mu    sync.Mutex
	items [][]byte
}

//go:noinline
func (b *Batcher) add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := 0; i < n; i++ {
		item := make([]byte, batchItemSize)
		item[0] = byte(len(b.items))
		b.items = append(b.items, item)
	}
}

//go:noinline
func (b *Batcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.items = nil
}

// startSawtooth grows the batch by mb megabytes over each period, then releases it.
func startSawtooth(mb int, period time.Duration) {
	b := &Batcher{}
	go every(float64(mb<<20/batchItemSize)/period.Seconds(), b.add)
	go func() {
		for range time.Tick(period) {
			b.flush()
		}
	}()
}
