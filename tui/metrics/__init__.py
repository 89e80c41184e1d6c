"""The service's own numbers: Prometheus text / OpenMetrics pages (/metrics) cut into families,
parsed by prometheus-client, and turned into the series we watch (quantiles from histogram bucket
deltas, reset-aware counter rates, gauges). Pure: no I/O, no httpx, no textual."""
