"""What one poll is: Snapshot, history rings, MemStats, the index page, content detection, endpoint parsers."""
