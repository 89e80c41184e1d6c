package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// An order service in front of a database reached through a connection pool
// (a line protocol over TCP to a loopback "database" in the same process).
// Traffic comes in waves, so the pool grows to its cap under load and its
// reaper closes connections idle for 20 s. Healthy: connections and their
// goroutines come and go, bounded by the pool's cap.

const (
	poolMaxConns = 32
	poolIdleFor  = 20 * time.Second
)

type dbConn struct {
	c        net.Conn
	r        *bufio.Reader
	lastUsed time.Time
}

// ConnPool hands out database connections, opening up to max of them.
type ConnPool struct {
	addr  string
	mu    sync.Mutex
	idle  []*dbConn
	open  int
	freed *sync.Cond
	max   int

	dials, queries atomic.Int64
}

// NewConnPool returns an empty pool for the database at addr.
func NewConnPool(addr string, max int) *ConnPool {
	p := &ConnPool{addr: addr, max: max}
	p.freed = sync.NewCond(&p.mu)
	go p.reap()
	return p
}

// Get returns an idle connection, a new one, or waits for one to be put back.
func (p *ConnPool) Get() (*dbConn, error) {
	p.mu.Lock()
	for {
		if n := len(p.idle); n > 0 {
			c := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.mu.Unlock()
			return c, nil
		}
		if p.open < p.max {
			p.open++
			p.mu.Unlock()
			c, err := net.DialTimeout("tcp", p.addr, 2*time.Second)
			if err != nil {
				p.mu.Lock()
				p.open--
				p.freed.Signal()
				p.mu.Unlock()
				return nil, err
			}
			p.dials.Add(1)
			return &dbConn{c: c, r: bufio.NewReader(c)}, nil
		}
		p.freed.Wait()
	}
}

// Put returns c to the pool (or closes it when it broke).
func (p *ConnPool) Put(c *dbConn, broken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if broken {
		c.c.Close()
		p.open--
	} else {
		c.lastUsed = time.Now()
		p.idle = append(p.idle, c)
	}
	p.freed.Signal()
}

func (p *ConnPool) reap() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for range t.C {
		p.mu.Lock()
		keep := p.idle[:0]
		for _, c := range p.idle {
			if time.Since(c.lastUsed) > poolIdleFor {
				c.c.Close()
				p.open--
			} else {
				keep = append(keep, c)
			}
		}
		for i := len(keep); i < len(p.idle); i++ {
			p.idle[i] = nil
		}
		p.idle = keep
		p.mu.Unlock()
	}
}

// Query sends one statement and reads its one-line answer.
func (p *ConnPool) Query(stmt string) (string, error) {
	c, err := p.Get()
	if err != nil {
		return "", err
	}
	_ = c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintf(c.c, "%s\n", stmt); err != nil {
		p.Put(c, true)
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		p.Put(c, true)
		return "", err
	}
	p.queries.Add(1)
	p.Put(c, false)
	if strings.HasPrefix(line, "ERR") {
		return "", errors.New(strings.TrimSpace(line))
	}
	return strings.TrimSpace(line), nil
}

// fakeDatabase answers every line after a random latency.
func fakeDatabase(r *Rand) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveDatabaseConn(c, r)
		}
	}()
	return ln.Addr().String()
}

func serveDatabaseConn(c net.Conn, r *Rand) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		time.Sleep(r.LogNormal(8*time.Millisecond, 0.8))
		fmt.Fprintf(c, "OK %d rows for %d bytes\n", r.Intn(50), len(line))
	}
}

type orderService struct {
	db  *ConnPool
	rnd *Rand
}

func startConnPool(r *Rand) {
	s := &orderService{db: NewConnPool(fakeDatabase(r), poolMaxConns), rnd: r}
	base := 20 + 20*r.Float64()
	go s.waves(base)
	logEvery(30*time.Second, func() string {
		s.db.mu.Lock()
		open, idle := s.db.open, len(s.db.idle)
		s.db.mu.Unlock()
		return fmt.Sprintf("conn pool: %d open, %d idle, %d dials, %d queries", open, idle, s.db.dials.Load(), s.db.queries.Load())
	})
}

// waves sends requests at a rate that rises and falls every minute or two,
// with a quiet spell now and then (long enough for the reaper).
func (s *orderService) waves(base float64) {
	for {
		rate := base * (0.2 + 1.8*s.rnd.Float64())
		if s.rnd.Intn(4) == 0 {
			rate = 0.5
		}
		until := time.Now().Add(s.rnd.Duration(40*time.Second, 120*time.Second))
		mean := time.Duration(float64(time.Second) / rate)
		for time.Now().Before(until) {
			time.Sleep(s.rnd.Exp(mean))
			go s.placeOrder()
		}
	}
}

func (s *orderService) placeOrder() {
	id := s.rnd.Intn(1 << 30)
	for i := 0; i < 1+s.rnd.Intn(3); i++ {
		if _, err := s.db.Query(fmt.Sprintf("SELECT * FROM order_items WHERE order_id=%d", id)); err != nil {
			return
		}
	}
}
