"""Pure model: frozen records and functions over them (top, diff, memstats, snapshots)."""
