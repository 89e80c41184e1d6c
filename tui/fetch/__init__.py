"""HTTP access to a target: one httpx.AsyncClient per target, limits, auth, TLS."""
