package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A file-upload service that reports each upload's progress to a metrics
// sink on a ticker. The reporter loops on the ticker for ever: nobody stops
// the ticker and the loop has no way out when the upload completes.
// Leaking: one goroutine (and one live ticker) per upload, ~50 a minute.

type upload struct {
	id   int64
	size int64
	sent atomic.Int64
}

// ProgressSink keeps the latest progress of a fixed number of upload slots.
type ProgressSink struct {
	slots     [256]atomic.Int64
	published atomic.Int64
}

func (p *ProgressSink) publish(id, sent, size int64) {
	p.slots[id%int64(len(p.slots))].Store(sent * 100 / (size + 1))
	p.published.Add(1)
}

// reportProgress publishes u's progress every period.
func (u *upload) reportProgress(sink *ProgressSink, period time.Duration) {
	t := time.NewTicker(period)
	for range t.C {
		sink.publish(u.id, u.sent.Load(), u.size)
	}
}

func (u *upload) receive(r *Rand) {
	for u.sent.Load() < u.size {
		time.Sleep(r.Duration(100*time.Millisecond, 500*time.Millisecond))
		u.sent.Add(int64(r.Between(64<<10, 1<<20)))
	}
}

func startUploadProgress(r *Rand) {
	sink := &ProgressSink{}
	var next, done atomic.Int64
	arrivals(r, (40+20*r.Float64())/60, func() {
		u := &upload{id: next.Add(1), size: int64(r.Between(1<<20, 64<<20))}
		go u.reportProgress(sink, r.Duration(2*time.Second, 5*time.Second))
		u.receive(r)
		done.Add(1)
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("uploads: %d started, %d done, %d progress reports", next.Load(), done.Load(), sink.published.Load())
	})
}
