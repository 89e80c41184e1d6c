package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// A streaming API that starts, for every subscription, a watcher that
// releases the subscription's resources when its context is done. The
// cancel function is only called when a client unsubscribes explicitly,
// which most clients never do (they just go away). Leaking: goroutines
// parked on <-ctx.Done(), plus the contexts in the server's, ~100 a minute.

type subscription struct {
	id     int64
	topic  string
	cancel context.CancelFunc
	buf    []byte
}

// StreamServer owns the subscriptions.
type StreamServer struct {
	base context.Context
	mu   sync.Mutex
	subs map[int64]*subscription

	opened, released atomic.Int64
}

// Subscribe opens a subscription; Unsubscribe (rarely called) ends it.
func (s *StreamServer) Subscribe(id int64, topic string) *subscription {
	ctx, cancel := context.WithCancel(s.base)
	sub := &subscription{id: id, topic: topic, cancel: cancel, buf: make([]byte, 512)}
	s.mu.Lock()
	s.subs[id] = sub
	s.mu.Unlock()
	s.opened.Add(1)
	go s.watchClient(ctx, sub)
	return sub
}

// Unsubscribe ends a subscription.
func (s *StreamServer) Unsubscribe(sub *subscription) { sub.cancel() }

// watchClient releases the subscription once its context is done.
func (s *StreamServer) watchClient(ctx context.Context, sub *subscription) {
	<-ctx.Done()
	s.mu.Lock()
	delete(s.subs, sub.id)
	s.mu.Unlock()
	s.released.Add(1)
}

func startStreamWatch(r *Rand) {
	base, stop := context.WithCancel(context.Background())
	_ = stop // the server's lifetime
	s := &StreamServer{base: base, subs: make(map[int64]*subscription)}
	var next atomic.Int64
	topics := []string{"prices", "orders", "fills", "alerts", "positions"}
	arrivals(r, (80+40*r.Float64())/60, func() {
		sub := s.Subscribe(next.Add(1), topics[r.Intn(len(topics))])
		time.Sleep(r.LogNormal(3*time.Second, 1))
		if r.Intn(10) == 0 { // the few well-behaved clients
			s.Unsubscribe(sub)
		}
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("streams: %d opened, %d released", s.opened.Load(), s.released.Load())
	})
}
