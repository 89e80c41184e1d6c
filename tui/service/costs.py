"""Per-endpoint cost tracking: latency, bytes, counts, errors; the target's work they stand for."""

from __future__ import annotations

from collections import deque

from tui.model.snapshot import EndpointCost


class CostTracker:
    def __init__(self) -> None:
        self._stats: dict[str, EndpointCost] = {}

    def _get(self, endpoint: str) -> EndpointCost:
        return self._stats.get(endpoint) or EndpointCost(endpoint)

    def success(self, endpoint: str, latency: float, nbytes: int) -> None:
        s = self._get(endpoint)
        count = s.count + 1
        total = s.total_latency + latency
        self._stats[endpoint] = EndpointCost(
            endpoint, count, s.errors, latency, total / count, total, nbytes, s.total_bytes + nbytes, s.last_error
        )

    def failure(self, endpoint: str, latency: float, message: str) -> None:
        s = self._get(endpoint)
        self._stats[endpoint] = EndpointCost(
            endpoint,
            s.count,
            s.errors + 1,
            s.last_latency,
            s.mean_latency,
            s.total_latency,
            s.last_bytes,
            s.total_bytes,
            message,
        )

    def get(self, endpoint: str) -> EndpointCost:
        return self._get(endpoint)

    def snapshot(self) -> tuple[EndpointCost, ...]:
        return tuple(self._stats[k] for k in sorted(self._stats))


class TargetWork:
    """How long the target worked answering us, as opposed to how long the answers took to arrive.

    A request's latency is the target's work plus the round trip: over a slow link (a bastion
    300 ms from the service) the round trip dominates every cheap answer. The index page is tiny,
    so the lowest of its recent latencies is taken as the round trip and taken off every other
    answer; what is left is work the target did for us (failed requests included: a deadline that
    expired kept the target busy until then).
    """

    def __init__(self, index_endpoint: str, window: int = 8) -> None:
        self.index_endpoint = index_endpoint
        self._index_latencies: deque[float] = deque(maxlen=window)
        self.spent = 0.0

    @property
    def round_trip(self) -> float:
        return min(self._index_latencies, default=0.0)

    def observe(self, endpoint: str, latency: float) -> float:
        """Charge one answer; returns the seconds of target work it stands for."""
        latency = max(latency, 0.0) if latency == latency else 0.0
        if endpoint == self.index_endpoint:
            self._index_latencies.append(latency)
        work = max(latency - self.round_trip, 0.0)
        self.spent += work
        return work
