"""Rewrite SERIALIZED in tui/heap/upb_views.py from its build_file_descriptor().

    python3 scripts/gen_views.py

Runs the builder from the module's source, without importing the module (whose import
loads SERIALIZED, so a stale one could not be replaced by importing it).
tests/unit/test_profile_views.py checks that the two agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ROOT / "tui/heap/upb_views.py"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    source = VIEWS.read_text()
    start = source.index("SERIALIZED = (\n")
    end = source.index("\n)\n", start)
    namespace: dict = {"__name__": "views_builder"}
    exec(compile(source[:start], str(VIEWS), "exec"), namespace)  # the builder, not the loader
    blob = namespace["build_file_descriptor"]()
    lines = [f"    {blob[i : i + 70]!r}" for i in range(0, len(blob), 70)]
    VIEWS.write_text(source[:start] + "SERIALIZED = (\n" + "\n".join(lines) + source[end:])
    print(f"{VIEWS.relative_to(ROOT)}: SERIALIZED is {len(blob)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
