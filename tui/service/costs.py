"""Per-endpoint cost tracking: latency, bytes, counts, errors."""

from __future__ import annotations

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
