"""The diagnosis benchmark's scenarios: one Go program invocation each, and what a correct
verdict on it is (tests/benchmarks/bench_diagnosis.py scores, record_diagnosis.py records).

Two programs: our test target (tests/target, flags switch its leaks on) and the services of
tests/benchmarks/go/services (`-service NAME -seed N`: thirteen small services shaped like
production code, six healthy and seven leaking, written to be run on code the leak rules were
not tuned on). A services scenario is repeated with different seeds (`--seeds N`); a target
scenario ignores the seed (its repeats differ only in timing).

A leak scenario names the verdicts that count as finding it: one of its kinds, and either a label
starting with one of its label prefixes (the service's own first frame) or a known-shape hint
containing one of its hint words. Label prefixes in `symptoms` name internals (net/http, context,
sync): a verdict there shows the leak was flagged but not named, scored apart. A no-leak scenario
expects no failing verdict at all. Goals (issues "Findings an on-call engineer can trust" and
#24): fast leaks (>= 1 MB/min, >= 100 goroutines/min) named within 2 minutes, the others within
3 (the staircase within 10), no failing verdict on a no-leak scenario over 10 minutes, no failing
verdict labelled `runtime.`, no verdict flapping in any run.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET = "target"  # tests/target
SERVICES = "services"  # tests/benchmarks/go/services


@dataclass(frozen=True, slots=True)
class Expect:
    """A verdict that names the leak: one of `kinds`, and a label starting with one of `labels`
    or a hint containing one of `hints` (case-insensitive). `symptoms`: label prefixes of
    verdicts that flag the leak by its internals only (counted apart, not as named)."""

    kinds: tuple[str, ...]
    labels: tuple[str, ...]
    hints: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()

    def matches(self, kind: str, label: str, hint: str = "") -> bool:
        if kind not in self.kinds:
            return False
        if label.startswith(self.labels):
            return True
        return bool(hint) and any(h.lower() in hint.lower() for h in self.hints)

    def symptom(self, kind: str, label: str) -> bool:
        return kind in self.kinds and bool(self.symptoms) and label.startswith(self.symptoms)

    def describe(self) -> str:
        text = f"{'/'.join(self.kinds)} {' or '.join(self.labels)}"
        if self.hints:
            text += f" or hint ~ {' / '.join(self.hints)}"
        return text


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    flags: tuple[str, ...]
    what: str
    expect: Expect | None = None  # None: a no-leak scenario, every failing verdict is false
    within_s: float | None = None  # a leak must be named this soon (None: within the run)
    program: str = TARGET

    @property
    def leak(self) -> bool:
        return self.expect is not None

    def argv(self, seed: int) -> list[str]:
        """The program's arguments for one seed (tests/target has no seed)."""
        if self.program == SERVICES:
            return [*self.flags, "-seed", str(seed)]
        return list(self.flags)


def service(name: str, what: str, expect: Expect | None = None, within_s: float | None = None) -> Scenario:
    """A scenario of tests/benchmarks/go/services: `-service NAME` (the scenario is NAME with _)."""
    return Scenario(name.replace("-", "_"), ("-service", name), what, expect, within_s, SERVICES)


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
    # ---- tests/benchmarks/go/services: healthy ----
    service(
        "page-cache",
        "byte-bounded LRU of rendered pages (8-24 kB, 30 MB cap), hot set + long tail: fills in ~2-3 min, then evicts",
    ),
    service("long-poll", "~600 long-poll clients connect in the first 3 s, then mostly idle (buffers surface late)"),
    service("conn-pool", "a TCP connection pool (cap 32) under waves of load; a reaper closes idle connections"),
    service("batch-jobs", "every 15-75 s a batch job: 5-40 MB dataset, 50-400 workers, all released after"),
    service("inflight-map", "a map of in-flight requests keyed by request ID, deleted on completion (+ a sweeper)"),
    service("heartbeat", "each session (5-90 s) runs a heartbeat on its own ticker, stopped when it ends"),
    # ---- tests/benchmarks/go/services: leaking ----
    service(
        "inventory-client",
        "HTTP client returns early on 503 without resp.Body.Close(): ~30 leaked connections/min",
        Expect(
            GOROUTINE_LEAK + HEAP_GROWING,
            ("main.(*InventoryClient)",),
            hints=("bodies not closed", "body"),
            symptoms=("net/http.", "bufio."),
        ),
        within_s=180,
    ),
    service(
        "upload-progress",
        "a progress reporter per upload loops on a ticker nobody stops: ~50 goroutines/min",
        Expect(GOROUTINE_LEAK, ("main.(*upload).reportProgress",), hints=("ticker",), symptoms=("time.",)),
        within_s=180,
    ),
    service(
        "stream-watch",
        "a watcher per subscription waits on <-ctx.Done(); cancel is almost never called: ~100 goroutines/min",
        Expect(
            GOROUTINE_LEAK + HEAP_GROWING,
            ("main.(*StreamServer)",),
            hints=("never cancelled", "context"),
            symptoms=("context.",),
        ),
        within_s=120,
    ),
    service(
        "token-convoy",
        "a token refresh under a mutex hangs (no deadline) 15-40 s in: ~120 goroutines/min queue on the lock",
        Expect(
            GOROUTINE_LEAK,
            ("main.(*TokenSource).Token",),
            hints=("lock held", "mutex"),
            symptoms=("sync.", "internal/sync."),
        ),
        within_s=180,
    ),
    service(
        "ingest-index",
        "a dedup index keeps a 40-byte sub-slice of every 64-512 kB frame: ~2 MB/min",
        Expect(HEAP_GROWING, ("main.(*Ingestor)",), hints=("sub-slice", "subslice"), symptoms=("io.",)),
        within_s=120,
    ),
    service(
        "request-log",
        "a map keyed by request ID, never deleted (~30 requests/s, ~0.5 kB each): ~1 MB/min",
        Expect(
            HEAP_GROWING,
            ("main.(*InflightTable).begin", "main.(*RequestTracker)"),
            hints=("map",),
            symptoms=("strconv.", "internal/runtime/maps.", "runtime."),
        ),
        within_s=180,
    ),
    service(
        "search-fanout",
        "shard queries send on an unbuffered channel nobody reads after the 150 ms deadline: ~100 goroutines/min",
        Expect(GOROUTINE_LEAK, ("main.(*SearchService).queryShard",), hints=("receiver gone", "chan send")),
        within_s=120,
    ),
)

BY_NAME = {s.name: s for s in SCENARIOS}
