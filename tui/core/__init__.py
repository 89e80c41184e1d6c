"""The ground floor: errors, limits, text cleaning, bounded gunzip, GC and malloc tuning (stdlib only)."""
