"""Leak diagnosis: trends, verdicts, heap baseline, memory reconciliation, the tracker and its feed."""
