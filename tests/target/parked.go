package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

// held keeps every primitive the parked goroutines wait on reachable, so the
// leak detector does not report them: they are parked, not leaked.
var held struct {
	chA, chB, recv, labeled, deep chan struct{}
	mu                            sync.Mutex
	rw                            sync.RWMutex
	wg                            sync.WaitGroup
	cond                          *sync.Cond
	conns                         []net.Conn
	pipe                          [2]int
}

const parkedEach = 3

func init() {
	held.chA = make(chan struct{})
	held.chB = make(chan struct{})
	held.recv = make(chan struct{})
	held.labeled = make(chan struct{})
	held.deep = make(chan struct{})
	held.cond = sync.NewCond(&sync.Mutex{})
}

func startParked() {
	held.mu.Lock() // never unlocked: Lock waiters park
	held.rw.Lock() // never unlocked: RLock waiters park
	held.wg.Add(1) // never Done: Wait parks
	for i := 0; i < parkedEach; i++ {
		go parkSelect()
		go parkChanReceive()
		go parkMutex()
		go parkRWMutex()
		go parkWaitGroup()
		go parkCond()
		go parkSleep()
		go parkSelectNoCases()
		go parkNilChanReceive()
	}
	startIOWait()
	startSyscall()
}

//go:noinline
func parkSelect() {
	select {
	case <-held.chA:
	case <-held.chB:
	}
}

//go:noinline
func parkChanReceive() { <-held.recv }

//go:noinline
func parkMutex() { held.mu.Lock() }

//go:noinline
func parkRWMutex() { held.rw.RLock() }

//go:noinline
func parkWaitGroup() { held.wg.Wait() }

//go:noinline
func parkCond() {
	held.cond.L.Lock()
	for {
		held.cond.Wait()
	}
}

//go:noinline
func parkSleep() { time.Sleep(24 * time.Hour) }

//go:noinline
func parkSelectNoCases() { select {} }

//go:noinline
func parkNilChanReceive() {
	var ch chan int
	<-ch
}

// startIOWait parks readers on idle loopback TCP connections ([IO wait]).
func startIOWait() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "io-wait listen:", err)
		return
	}
	for i := 0; i < parkedEach; i++ {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "io-wait dial:", err)
			return
		}
		server, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "io-wait accept:", err)
			return
		}
		held.conns = append(held.conns, client, server)
		go readIdleConn(client)
	}
	_ = ln.Close()
}

//go:noinline
func readIdleConn(c net.Conn) {
	buf := make([]byte, 1)
	_, _ = c.Read(buf)
}

// startSyscall parks goroutines in a raw blocking read on a pipe ([syscall]).
func startSyscall() {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fmt.Fprintln(os.Stderr, "pipe:", err)
		return
	}
	held.pipe = fds
	for i := 0; i < 2; i++ {
		go readPipe(fds[0])
	}
}

//go:noinline
func readPipe(fd int) {
	buf := make([]byte, 1)
	_, _ = syscall.Read(fd, buf)
}

// startLabeled parks goroutines that carry pprof labels.
func startLabeled() {
	labels := pprof.Labels("worker", "cache", "req", "a-b c")
	for i := 0; i < parkedEach; i++ {
		go pprof.Do(context.Background(), labels, labeledWorker)
	}
}

//go:noinline
func labeledWorker(ctx context.Context) {
	<-held.labeled
}

// startDeep parks goroutines at the bottom of deep recursions.
func startDeep(depth int) {
	for i := 0; i < 2; i++ {
		go recurse(depth)
	}
	go ping(depth)
}

//go:noinline
func recurse(n int) {
	if n <= 0 {
		<-held.deep
		return
	}
	recurse(n - 1)
}

//go:noinline
func ping(n int) {
	if n <= 0 {
		<-held.deep
		return
	}
	pong(n - 1)
}

//go:noinline
func pong(n int) {
	if n <= 0 {
		<-held.deep
		return
	}
	ping(n - 1)
}
