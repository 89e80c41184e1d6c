"""Heap (pprof protobuf) profiles: decode bytes -> Profile tables; node sums, top, peek, diff, units."""
