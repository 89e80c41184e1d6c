"""The ground floor: errors, limits, text cleaning, bounded gunzip, byte formatting, secret masking, user regexes,
GC and malloc tuning (stdlib only, but google-re2 in user_regex)."""
