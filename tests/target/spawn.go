package main

import (
	"context"
	"runtime/pprof"
	"time"
)

// Goroutines created by goroutines, and labelled request paths: what `goroutines --group-by
// creator` and `--group-by label:tenant` are for (tests/fixtures/pivots/).

var spawnHeld = make(chan struct{}) // never closed, kept in a global: the spawn tree is not leaked

// startSpawnTree starts a spawner that starts `workers` workers, each of which starts two helpers:
// "created by main.spawnWorker in goroutine W", W "created by main.spawner in goroutine S", S
// "created by main.startSpawnTree in goroutine 1".
func startSpawnTree(workers int) {
	go spawner(workers)
}

//go:noinline
func spawner(workers int) {
	for i := 0; i < workers; i++ {
		go spawnWorker()
	}
	<-spawnHeld
}

//go:noinline
func spawnWorker() {
	for j := 0; j < 2; j++ {
		go spawnHelper()
	}
	<-spawnHeld
}

//go:noinline
func spawnHelper() { <-spawnHeld }

// startTenants accepts `rate` requests a second, alternating tenants acme and beta, each served
// under pprof labels {tenant, path} by a goroutine that starts an upstream call (which inherits
// the labels). acme's requests never finish (they wait on a channel nothing else holds: leaked,
// and growing); beta's finish after two seconds.
func startTenants(rate float64) {
	go acceptLoop(rate)
}

//go:noinline
func acceptLoop(rate float64) {
	n := 0
	every(rate, func(k int) {
		for i := 0; i < k; i++ {
			n++
			if n%2 == 0 {
				go handleRequest("acme", "/api/orders", 0)
			} else {
				go handleRequest("beta", "/api/items", 2*time.Second)
			}
		}
	})
}

//go:noinline
func handleRequest(tenant, path string, after time.Duration) {
	labels := pprof.Labels("tenant", tenant, "path", path)
	pprof.Do(context.Background(), labels, func(ctx context.Context) {
		reply := make(chan struct{})
		go callUpstream(reply, after)
		<-reply
	})
}

//go:noinline
func callUpstream(reply chan struct{}, after time.Duration) {
	if after <= 0 {
		<-make(chan struct{}) // a request that never ends
	}
	time.Sleep(after)
	close(reply)
}
