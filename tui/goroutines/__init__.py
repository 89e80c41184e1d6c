"""goroutine dump parsers (debug=1, debug=2, proto) and grouping by reason -> age -> stack."""
