package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// A notification service with long-poll clients: ~600 subscribers connect
// in the first seconds, each holding a request open until an event for its
// channel arrives or the poll times out (50–90 s), then polling again on the
// same keep-alive connection. Events are rare, so the process is mostly idle
// and collects garbage seldom. Healthy: the connections' buffers are all
// allocated at start-up (they may surface in the heap profile a few GC cycles
// later), the goroutine count is flat.

type notifier struct {
	mu      sync.Mutex
	waiting map[int][]chan event // channel id -> parked polls
	rnd     *Rand
	served  atomic.Int64
	events  atomic.Int64
}

type event struct {
	Channel int    `json:"channel"`
	Seq     int64  `json:"seq"`
	Kind    string `json:"kind"`
}

const longPollChannels = 64

func startLongPoll(r *Rand) {
	n := &notifier{waiting: make(map[int][]chan event), rnd: r}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/poll", n.handlePoll)
	base := loopbackServer(mux, 5*time.Minute)

	tr := &http.Transport{MaxIdleConns: 2000, MaxIdleConnsPerHost: 2000, IdleConnTimeout: 5 * time.Minute}
	client := &http.Client{Transport: tr, Timeout: 3 * time.Minute}
	subscribers := r.Between(560, 640)
	for i := 0; i < subscribers; i++ {
		go subscribe(client, base, i%longPollChannels, r)
	}
	go n.publish()
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("long-poll: %d subscribers, %d polls answered, %d events", subscribers, n.served.Load(), n.events.Load())
	})
}

func (n *notifier) handlePoll(w http.ResponseWriter, req *http.Request) {
	var ch int
	_, _ = fmt.Sscanf(req.URL.Query().Get("channel"), "%d", &ch)
	wake := make(chan event, 1)
	n.mu.Lock()
	n.waiting[ch] = append(n.waiting[ch], wake)
	n.mu.Unlock()

	timeout := time.NewTimer(n.rnd.Duration(50*time.Second, 90*time.Second))
	defer timeout.Stop()
	var out []event
	select {
	case ev := <-wake:
		out = append(out, ev)
	case <-timeout.C:
		n.forget(ch, wake)
	case <-req.Context().Done():
		n.forget(ch, wake)
		return
	}
	n.served.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (n *notifier) forget(ch int, wake chan event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	list := n.waiting[ch]
	for i, c := range list {
		if c == wake {
			n.waiting[ch] = append(list[:i], list[i+1:]...)
			break
		}
	}
}

// publish wakes every poll parked on a random channel, now and then.
func (n *notifier) publish() {
	var seq int64
	for {
		time.Sleep(n.rnd.Exp(4 * time.Second))
		ch := n.rnd.Intn(longPollChannels)
		seq++
		n.mu.Lock()
		polls := n.waiting[ch]
		delete(n.waiting, ch)
		n.mu.Unlock()
		for _, wake := range polls {
			wake <- event{Channel: ch, Seq: seq, Kind: "updated"}
		}
		n.events.Add(1)
	}
}

func subscribe(client *http.Client, base string, channel int, r *Rand) {
	time.Sleep(r.Duration(0, 3*time.Second)) // everybody connects in the first seconds
	url := fmt.Sprintf("%s/v1/poll?channel=%d", base, channel)
	for {
		resp, err := client.Get(url)
		if err != nil {
			time.Sleep(r.Duration(time.Second, 5*time.Second))
			continue
		}
		var events []event
		_ = json.NewDecoder(resp.Body).Decode(&events)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
