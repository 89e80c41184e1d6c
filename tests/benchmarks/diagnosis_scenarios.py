"""The diagnosis benchmark's scenarios: one tests/target invocation each, and what a correct
verdict on it is (tests/benchmarks/bench_diagnosis.py scores, record_diagnosis.py records).

A leak scenario names the verdicts that count as finding it (kind and label prefix) and how soon
one must fire; a no-leak scenario expects no verdict at all. The goals come from the issue
"Findings an on-call engineer can trust": fast leaks (>= 1 MB/min, >= 100 goroutines/min) named
within 2 minutes, the staircase within 10, no false verdict on a no-leak scenario over 10
minutes, no verdict flapping in any run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Expect:
    """A verdict that names the leak: one of `kinds`, label starting with one of `labels`."""

    kinds: tuple[str, ...]
    labels: tuple[str, ...]

    def matches(self, kind: str, label: str) -> bool:
        return kind in self.kinds and label.startswith(self.labels)

    def describe(self) -> str:
        return f"{'/'.join(self.kinds)} {' or '.join(self.labels)}"


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    flags: tuple[str, ...]
    what: str
    expect: Expect | None = None  # None: a no-leak scenario, every verdict is false
    within_s: float | None = None  # a leak must be named this soon (None: within the run)

    @property
    def leak(self) -> bool:
        return self.expect is not None


HEAP_GROWING = ("growing",)
GOROUTINE_LEAK = ("growing", "leaked")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "fast_heap_leak",
        ("-cache-leak-rate", "250"),
        "LFU cache: every Get appends an 80 B hit record (~1.2 MB/min)",
        Expect(HEAP_GROWING, ("main.(*LFUCache).increment",)),
        within_s=120,
    ),
    Scenario(
        "slow_heap_leak",
        ("-slow-leak-kb-per-min", "200"),
        "200 kB/min in 64 B records, below the 512 kB heap sampling rate",
        Expect(HEAP_GROWING, ("main.(*AuditTrail).record",)),
    ),
    Scenario(
        "staircase",
        ("-staircase-rate", "250"),
        "a slice doubled by main.appendTo[...]: jumps at ~1.1, 2.2, 4.4, 8.7 min",
        Expect(HEAP_GROWING, ("main.appendTo[", "main.(*freqTable).increment")),
        within_s=600,
    ),
    Scenario(
        "chan_leak",
        ("-chan-leak-rate", "2"),
        "120 goroutines/min blocked on [chan send] forever",
        Expect(GOROUTINE_LEAK, ("main.(*Dispatcher).deliver",)),
        within_s=120,
    ),
    Scenario("burst_drains", ("-burst", "200", "-burst-every", "10s"), "200 goroutines every 10 s, done after 3 s"),
    Scenario("steady_pool", ("-idle-pool", "64"), "64 workers waiting on a work channel"),
    Scenario("select_main", ("-main-select",), "main parked in select {} after starting the server"),
    Scenario("idle_server", (), "an HTTP server and nothing else"),
    Scenario(
        "cache_warmup", ("-warmup-mb", "24", "-warmup-for", "150s"), "a cache fills 24 MB over 2.5 min, then plateaus"
    ),
    Scenario(
        "sawtooth", ("-sawtooth-mb", "16", "-sawtooth-period", "1m"), "a batch grows 16 MB over a minute, then released"
    ),
)

BY_NAME = {s.name: s for s in SCENARIOS}
