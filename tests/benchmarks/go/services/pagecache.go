package main

import (
	"bytes"
	"container/list"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// A storefront's rendered-page cache: a byte-bounded LRU of product pages
// (8–24 kB each, 30 MB in all). A hot set of popular products is requested
// most of the time, the rest comes from a long tail, so the cache fills in
// about three minutes and then evicts. Healthy: the live heap is flat once it
// is full, although the sampled heap profile of renderProductPage wanders.

const pageCacheBytes = 30 << 20

type product struct {
	id       int
	name     string
	price    int
	sections int
}

type cachedPage struct {
	key  int
	body []byte
}

// PageCache is an LRU bounded by the bytes of its pages.
type PageCache struct {
	mu    sync.Mutex
	max   int
	bytes int
	order *list.List // front: most recently used
	pages map[int]*list.Element

	hits, misses, evictions int
}

// NewPageCache returns a cache holding up to max bytes of pages.
func NewPageCache(max int) *PageCache {
	return &PageCache{max: max, order: list.New(), pages: make(map[int]*list.Element)}
}

// Get returns the cached page for id, rendering and storing it on a miss.
func (c *PageCache) Get(id int, render func() []byte) []byte {
	c.mu.Lock()
	if el, ok := c.pages[id]; ok {
		c.order.MoveToFront(el)
		c.hits++
		body := el.Value.(*cachedPage).body
		c.mu.Unlock()
		return body
	}
	c.misses++
	c.mu.Unlock()

	body := render()

	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.pages[id]; ok { // rendered concurrently
		return el.Value.(*cachedPage).body
	}
	c.pages[id] = c.order.PushFront(&cachedPage{key: id, body: body})
	c.bytes += cap(body) // what the page holds in memory: its buffer, not only its length
	for c.bytes > c.max {
		last := c.order.Back()
		p := last.Value.(*cachedPage)
		c.order.Remove(last)
		delete(c.pages, p.key)
		c.bytes -= cap(p.body)
		c.evictions++
	}
	return body
}

func (c *PageCache) status() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("page cache: %d pages, %.1f MB, hits %d misses %d evictions %d",
		len(c.pages), float64(c.bytes)/(1<<20), c.hits, c.misses, c.evictions)
}

type storefront struct {
	cache   *PageCache
	rnd     *Rand
	hotSet  int
	hotFrac float64
	tail    func() uint64
}

func startPageCache(r *Rand) {
	s := &storefront{
		cache:   NewPageCache(pageCacheBytes),
		rnd:     r,
		hotSet:  r.Between(150, 400),
		hotFrac: 0.40 + 0.15*r.Float64(),
		tail:    r.Zipf(1.05, 400000),
	}
	rate := 30 + 10*r.Float64()
	arrivals(r, rate, s.serveProduct)
	logEvery(30*time.Second, s.cache.status)
}

func (s *storefront) serveProduct() {
	var id int
	if s.rnd.Float64() < s.hotFrac {
		id = s.rnd.Intn(s.hotSet)
	} else {
		id = s.hotSet + int(s.tail())
	}
	page := s.cache.Get(id, func() []byte { return renderProductPage(s.lookup(id)) })
	_, _ = io.Copy(io.Discard, bytes.NewReader(page))
}

func (s *storefront) lookup(id int) product {
	// the catalogue is deterministic per id: the same product renders the same size
	return product{
		id:       id,
		name:     fmt.Sprintf("Product %d", id),
		price:    199 + (id*7919)%50000,
		sections: 8 + (id*104729)%17, // 8..24 sections of ~1 kB
	}
}

// renderProductPage renders a page of 8–24 kB.
//
//go:noinline
func renderProductPage(p product) []byte {
	var b bytes.Buffer
	b.WriteString("<!doctype html><html><head><title>")
	b.WriteString(p.name)
	b.WriteString("</title></head><body>\n")
	for i := 0; i < p.sections; i++ {
		b.WriteString(`<section class="spec"><h2>Section `)
		b.WriteString(strconv.Itoa(i))
		b.WriteString("</h2><p>")
		for j := 0; j < 14; j++ {
			b.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ")
			b.WriteString(strconv.Itoa(p.price + j))
		}
		b.WriteString("</p></section>\n")
	}
	b.WriteString("<footer>rendered ")
	b.WriteString(time.Now().UTC().Format(time.RFC3339))
	b.WriteString("</footer></body></html>\n")
	return b.Bytes()
}
