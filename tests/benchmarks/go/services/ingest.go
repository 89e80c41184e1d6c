package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// An event ingester that reads framed messages (64–512 kB each) and keeps,
// for de-duplication, every message's 40-byte ID — as a sub-slice of the
// frame it was read into. Each remembered ID keeps its whole frame alive.
// Leaking: ~2 MB a minute, all in readFrame's buffers.

// Ingestor reads frames from a source and remembers their IDs.
type Ingestor struct {
	mu   sync.Mutex
	seen map[uint64][]byte // hash of the ID -> the ID (aliasing the frame)

	frames, dupes atomic.Int64
	bytesIn       atomic.Int64
}

// readFrame reads one length-prefixed frame into a new buffer.
//
//go:noinline
func (in *Ingestor) readFrame(src io.Reader, size int) ([]byte, error) {
	buf := make([]byte, size)
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, err
	}
	in.bytesIn.Add(int64(size))
	return buf, nil
}

// remember records the frame's ID; it reports false for a duplicate.
func (in *Ingestor) remember(frame []byte) bool {
	id := frame[:40] // the bug: a sub-slice, not a copy
	h := uint64(14695981039346656037)
	for _, b := range id {
		h = (h ^ uint64(b)) * 1099511628211
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, dup := in.seen[h]; dup {
		in.dupes.Add(1)
		return false
	}
	in.seen[h] = id
	return true
}

type frameSource struct {
	rnd *Rand
	seq int64
}

// next returns a reader over one frame of a random size.
func (f *frameSource) next() (io.Reader, int) {
	f.seq++
	size := f.rnd.Between(64<<10, 512<<10)
	head := fmt.Sprintf("%-40s", fmt.Sprintf("evt-%016x-%d", f.seq, f.rnd.Intn(1e9)))
	return io.MultiReader(bytes.NewReader([]byte(head)), io.LimitReader(zeros{}, int64(size-len(head)))), size
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

func startIngestIndex(r *Rand) {
	in := &Ingestor{seen: make(map[uint64][]byte)}
	src := &frameSource{rnd: r}
	var mu sync.Mutex
	arrivals(r, (6+6*r.Float64())/60, func() {
		mu.Lock()
		rd, size := src.next()
		mu.Unlock()
		frame, err := in.readFrame(rd, size)
		if err != nil {
			return
		}
		if in.remember(frame) {
			in.frames.Add(1)
			time.Sleep(r.Duration(10*time.Millisecond, 200*time.Millisecond)) // process it
		}
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("ingest: %d frames, %d dupes, %.1f MB read", in.frames.Load(), in.dupes.Load(), float64(in.bytesIn.Load())/(1<<20))
	})
}
