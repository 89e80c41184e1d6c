"""The poll scheduler: per-endpoint cadence, the stop-the-world budget, costs, backoff, restart detection."""
