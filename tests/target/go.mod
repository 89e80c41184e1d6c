module pprof-tui-target

go 1.19
