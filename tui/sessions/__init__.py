"""Background sessions: a poller that outlives the terminal, and the UIs that attach to it."""
