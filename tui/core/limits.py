"""Default bounds for everything that comes from a target (stdlib only).

All are overridable through Config; these are the defaults documented in the
README's "Limits and safety" section.
"""

from __future__ import annotations

from dataclasses import dataclass

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

# ---- work per parse: bounds on what the bytes make us build, checked while parsing -------------
# Each is a Config field and a flag; over one, a parse keeps the first N, counts the rest and carries
# a LimitNote saying so (or, for tables whose rows others point at, refuses with LimitExceeded).
# Chosen so that any answer within the byte bounds above parses in under ~500 MB (measured by
# tests/benchmarks/bench_hostile_sizes.py) while real services are never cut: the real captures in
# tests/fixtures hold <= 60 distinct goroutine stacks, <= 250 heap samples and <= 500 locations;
# big services run to thousands of distinct stacks and ~100k heap samples.

# Distinct goroutine stacks kept per dump (debug=2 / debug=1 / proto); goroutines on other stacks are
# counted, not grouped. Their frames are bounded too: FRAMES_PER_STACK x this, in all.
MAX_STACKS = 20_000
FRAMES_PER_STACK = 16
# Distinct wait reasons per dump (Go has ~40; a crafted dump gave 1.4 M goroutines one each, a group
# per reason): the goroutines of the rest are grouped under one "(other wait reasons)". A fixed bound.
MAX_REASONS = 256
# Samples kept per heap/allocs profile (the first ones; the rest are counted); the location ids of
# their distinct stacks are bounded to FRAMES_PER_SAMPLE x this.
MAX_SAMPLES = 500_000
FRAMES_PER_SAMPLE = 16
# Locations, functions and mappings per profile (each); strings and location lines: 4x. Samples point
# at them, so a profile over it is refused (LimitExceeded), not cut.
MAX_LOCATIONS = 500_000
TABLE_FACTOR = 4
# Sample types per profile (Go writes 1-4): a fixed bound.
MAX_SAMPLE_TYPES = 64


@dataclass(frozen=True, slots=True)
class LimitNote:
    """A work limit one parse reached: the first ``limit`` items were kept, the rest only counted.

    ``str(note)`` is the sentence for text output, JSON and logs; ``short`` fits a status line."""

    what: str  # "distinct stacks", "samples"
    limit: int
    flag: str  # the flag that raises it: "--max-stacks"
    left_out: int = 0  # what was counted, not kept (goroutines, samples)
    left_out_unit: str = ""  # "goroutines", "samples"
    detail: str = ""  # what reached the limit when not `what` alone
    kept: str = ""  # what was kept, when not "the first <limit>"

    def __str__(self) -> str:
        reached = f" ({self.detail})" if self.detail else ""
        text = f"over the limit: more than {self.limit:,} {self.what}{reached}, "
        text += self.kept or f"keeping the first {self.limit:,}"
        if self.left_out:
            text += f" ({self.left_out:,} {self.left_out_unit} {'left out' if not self.kept else 'in them'})"
        return f"{text}; raise {self.flag}" if self.flag else f"{text} (a fixed bound)"

    @property
    def short(self) -> str:
        """``1,260,000 goroutines over --max-stacks``: for a status line."""
        over = self.flag or f"{self.limit:,} {self.what}"
        if self.left_out:
            return f"{self.left_out:,} {self.left_out_unit} over {over}"
        return f"{self.what} over {over}"


def over_limit_message(what: str, count: int, limit: int, flag: str) -> str:
    """The LimitExceeded message for a table that cannot be cut (samples point into it)."""
    return f"over the limit: {count:,} {what}, more than {limit:,}; raise {flag}"
