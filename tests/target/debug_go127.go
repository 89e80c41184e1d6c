//go:debug tracebacklabels=1

//go:build go1.27

// go.mod says go 1.19 (the oldest toolchain we support), which also pins the
// runtime's GODEBUG defaults to 1.19 behaviour. Go 1.27 prints goroutine labels
// in tracebacks by default (tracebacklabels=1) for modules that declare go 1.27;
// opt in here so a 1.27 build behaves like a real 1.27 service.

package main
