package main

// -echo-auth: a target that echoes its callers' credentials back through pprof, the way a careless
// service or proxy might (tests that incident bundles, recordings and exports mask them).

import (
	"context"
	"flag"
	"net/http"
	"runtime/pprof"
	"sync"
)

var echoAuth = flag.Bool("echo-auth", false, "echo each request's Authorization and X-Api-Key values back: one goroutine per distinct value, parked with it as a pprof label (goroutine profiles and dumps show it)")

var echoed sync.Map

// handler is the server's handler: http.DefaultServeMux (net/http/pprof), wrapped with the echo when asked.
func handler() http.Handler {
	if !*echoAuth {
		return http.DefaultServeMux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, name := range []string{"Authorization", "X-Api-Key"} {
			if v := r.Header.Get(name); v != "" {
				if _, seen := echoed.LoadOrStore(v, true); !seen {
					ready := make(chan struct{})
					go pprof.Do(context.Background(), pprof.Labels("echo", v), func(context.Context) {
						close(ready)
						select {}
					})
					<-ready
				}
			}
		}
		http.DefaultServeMux.ServeHTTP(w, r)
	})
}
