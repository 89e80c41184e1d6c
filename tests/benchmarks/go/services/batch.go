package main

import (
	"fmt"
	"hash/crc32"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// A reporting service that runs batch jobs in bursts: every so often a job
// loads a dataset (5–40 MB of records), fans it out to 50–400 workers that
// aggregate it, writes the summary and drops everything. Between jobs the
// service is idle. Healthy: heap and goroutines rise during a job and return
// to the baseline after it.

type record struct {
	account string
	region  int
	amount  int64
	payload []byte
}

type batchRunner struct {
	rnd      *Rand
	jobs     atomic.Int64
	lastSize atomic.Int64
	summary  map[int]int64 // kept between jobs: one entry per region
	mu       sync.Mutex
}

func startBatchJobs(r *Rand) {
	b := &batchRunner{rnd: r, summary: make(map[int]int64)}
	go b.schedule()
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("batch jobs: %d done, last dataset %.1f MB", b.jobs.Load(), float64(b.lastSize.Load())/(1<<20))
	})
}

func (b *batchRunner) schedule() {
	for {
		time.Sleep(b.rnd.Duration(15*time.Second, 75*time.Second))
		b.runJob()
	}
}

func (b *batchRunner) runJob() {
	data := b.loadDataset(b.rnd.Between(5, 40) << 20)
	workers := b.rnd.Between(50, 400)
	work := make(chan []record)
	var wg sync.WaitGroup
	partials := make([]map[int]int64, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			partials[i] = b.aggregate(work)
		}(i)
	}
	const chunk = 200
	for i := 0; i < len(data); i += chunk {
		end := i + chunk
		if end > len(data) {
			end = len(data)
		}
		work <- data[i:end]
	}
	close(work)
	wg.Wait()
	b.mu.Lock()
	for _, p := range partials {
		for region, sum := range p {
			b.summary[region] += sum
		}
	}
	b.mu.Unlock()
	b.jobs.Add(1)
}

// loadDataset builds about size bytes of records, as if read from storage.
//
//go:noinline
func (b *batchRunner) loadDataset(size int) []record {
	var out []record
	total := 0
	for total < size {
		n := b.rnd.Between(200, 2000)
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(i * 31)
		}
		out = append(out, record{account: fmt.Sprintf("acct-%08d", b.rnd.Intn(1e8)), region: b.rnd.Intn(40), amount: int64(n), payload: payload})
		total += n
	}
	b.lastSize.Store(int64(total))
	return out
}

func (b *batchRunner) aggregate(work <-chan []record) map[int]int64 {
	sums := make(map[int]int64)
	for recs := range work {
		keys := make([]string, 0, len(recs))
		for _, rec := range recs {
			sums[rec.region] += rec.amount + int64(crc32.ChecksumIEEE(rec.payload)%7)
			keys = append(keys, rec.account)
		}
		sort.Strings(keys)
		time.Sleep(time.Duration(len(recs)) * 50 * time.Microsecond) // the rest of the work is I/O
	}
	return sums
}
