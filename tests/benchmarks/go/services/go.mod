module pprof-tui-services

go 1.19
