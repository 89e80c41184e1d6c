"""The ground floor: errors, limits, text cleaning, bounded gunzip, byte formatting, GC and malloc tuning (stdlib only)."""
