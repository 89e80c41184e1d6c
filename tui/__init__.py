"""pprof-tui: watch a live Go service's heap and goroutines from a terminal."""

__version__ = "0.1.0"
