"""Default bounds for everything that comes from a target (stdlib only).

All are overridable through Config; these are the defaults documented in the
README's "Limits and safety" section.
"""

MiB = 1024 * 1024

# Go caps a goroutine?debug=2 dump at 64 MB; allow a little above it.
MAX_BODY_BYTES = 72 * MiB
# gzip'd profiles are decompressed into at most this many bytes (no gzip bombs).
MAX_DECOMPRESSED_BYTES = 256 * MiB
# Goroutines parsed from one dump; the rest are counted, not kept.
MAX_GOROUTINES = 2_000_000
# Frames kept per goroutine stack (Go itself elides beyond 100).
MAX_FRAMES = 1024
# Longest single line/string kept from the target; longer ones are truncated.
MAX_TEXT_LINE = 4096
# Raw (full-resolution) points kept per history series; older time is kept as 10 s and 2 min buckets.
HISTORY_POINTS = 600
# History series kept at once (the least recently updated is dropped for a new one).
HISTORY_SERIES = 256
