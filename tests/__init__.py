"""Test package: makes `tests.conftest` importable and keeps tests/tui from shadowing the real `tui`."""
