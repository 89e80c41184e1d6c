"""Goroutine dumps: debug=1, debug=2 and proto parsers; grouping by reason -> age -> stack; match keys."""
