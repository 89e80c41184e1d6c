package main

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// An API client that caches an OAuth-style token and refreshes it under its
// mutex. The refresh call has no deadline; a while into the run the auth
// server stops answering (it accepts the connection and never replies), the
// refresh never returns, and every request after it queues on the mutex.
// Leaking: a convoy of goroutines in sync.Mutex.Lock, ~120 a minute.

// TokenSource hands out the current token, refreshing it when expired.
type TokenSource struct {
	mu      sync.Mutex
	authURL string
	token   string
	expires time.Time
	ttl     time.Duration

	refreshes, served atomic.Int64
}

// Token returns a valid token.
func (s *TokenSource) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.expires) {
		s.served.Add(1)
		return s.token
	}
	tok, err := s.refresh()
	if err != nil {
		return ""
	}
	s.token, s.expires = tok, time.Now().Add(s.ttl)
	s.served.Add(1)
	return s.token
}

// refresh asks the auth server for a new token (no deadline: the bug).
func (s *TokenSource) refresh() (string, error) {
	c, err := net.Dial("tcp", s.authURL)
	if err != nil {
		return "", err
	}
	defer c.Close()
	fmt.Fprintf(c, "GRANT client_credentials\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	s.refreshes.Add(1)
	return line, nil
}

// authServer answers grants until hangAfter, then accepts and stays silent.
func authServer(r *Rand, hangAfter time.Duration) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hangAt := time.Now().Add(hangAfter)
	var silent []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if time.Now().After(hangAt) {
				silent = append(silent, c) // held open, never answered
				continue
			}
			go func(c net.Conn) {
				defer c.Close()
				_, _ = bufio.NewReader(c).ReadString('\n')
				time.Sleep(r.LogNormal(20*time.Millisecond, 0.5))
				fmt.Fprintf(c, "tok-%x\n", r.Intn(1<<30))
			}(c)
		}
	}()
	return ln.Addr().String()
}

func startTokenConvoy(r *Rand) {
	ttl := r.Duration(10*time.Second, 20*time.Second)
	s := &TokenSource{authURL: authServer(r, r.Duration(15*time.Second, 40*time.Second)), ttl: ttl}
	arrivals(r, (100+40*r.Float64())/60, func() {
		if tok := s.Token(); tok != "" {
			time.Sleep(r.LogNormal(30*time.Millisecond, 0.7)) // the call the token was for
		}
	})
	logEvery(30*time.Second, func() string {
		return fmt.Sprintf("token source: %d refreshes, %d served", s.refreshes.Load(), s.served.Load())
	})
}
