package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A session service where every client session runs a heartbeat on its own
// ticker for as long as the session lives (5–90 s), and stops it when the
// session ends. Healthy: the number of sessions (and tickers, goroutines)
// is flat.

type session struct {
	id      int64
	beats   int
	expires time.Time
	closed  chan struct{}
}

type sessionHub struct {
	rnd            *Rand
	live, ended    atomic.Int64
	beatsDelivered atomic.Int64
}

func startHeartbeats(r *Rand) {
	h := &sessionHub{rnd: r}
	var next int64
	arrivals(r, 1.5+1.5*r.Float64(), func() {
		s := &session{id: atomic.AddInt64(&next, 1), closed: make(chan struct{})}
		lifetime := r.Duration(5*time.Second, 90*time.Second)
		time.AfterFunc(lifetime, func() { close(s.closed) })
		h.keepAlive(s, r.Duration(500*time.Millisecond, 2*time.Second))
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("heartbeat: %d live sessions, %d ended, %d beats", h.live.Load(), h.ended.Load(), h.beatsDelivered.Load())
	})
}

// keepAlive sends a heartbeat every period until the session closes.
func (h *sessionHub) keepAlive(s *session, period time.Duration) {
	h.live.Add(1)
	defer h.live.Add(-1)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.beats++
			h.beatsDelivered.Add(1)
		case <-s.closed:
			h.ended.Add(1)
			return
		}
	}
}
