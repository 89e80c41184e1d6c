"""Subcommands: each module exposes register(subparsers) and sets a run(args) -> int handler."""
