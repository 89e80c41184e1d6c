package main

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"time"
)

// A search front-end that fans a query out to its shards and answers with
// the first results in by a 150 ms deadline. Each shard query sends its
// result on an unbuffered channel; once the front-end has answered, nobody
// receives any more, and every straggling shard blocks on its send for ever.
// Leaking: goroutines in [chan send], ~100 a minute.

type shardResult struct {
	shard int
	hits  []string
}

// SearchService queries the shards of an index.
type SearchService struct {
	shards int
	rnd    *Rand

	searches, partial atomic.Int64
}

// Search returns what the shards answered within the deadline.
func (s *SearchService) Search(q string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	results := make(chan shardResult)
	for i := 0; i < s.shards; i++ {
		go s.queryShard(i, q, results)
	}
	var hits []string
	for got := 0; got < s.shards; got++ {
		select {
		case r := <-results:
			hits = append(hits, r.hits...)
		case <-ctx.Done():
			s.partial.Add(1)
			sort.Strings(hits)
			return hits
		}
	}
	sort.Strings(hits)
	return hits
}

// queryShard asks one shard and sends its answer.
func (s *SearchService) queryShard(shard int, q string, results chan<- shardResult) {
	time.Sleep(s.rnd.LogNormal(60*time.Millisecond, 0.9)) // the shard's latency
	hits := make([]string, 0, 8)
	for i := 0; i < 1+s.rnd.Intn(8); i++ {
		hits = append(hits, fmt.Sprintf("%s#%d.%d", q, shard, i))
	}
	results <- shardResult{shard: shard, hits: hits}
}

func startSearchFanout(r *Rand) {
	s := &SearchService{shards: r.Between(4, 6), rnd: r}
	words := []string{"laptop", "charger", "usb-c", "monitor", "desk", "chair", "lamp", "keyboard"}
	arrivals(r, 1.6+0.8*r.Float64(), func() {
		s.searches.Add(1)
		s.Search(words[r.Intn(len(words))])
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("search: %d searches, %d answered partially", s.searches.Load(), s.partial.Load())
	})
}
