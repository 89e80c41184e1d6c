"""Who started whom, from a debug=2 dump's text (the creator pivot's spawn chains): the "created by F in
goroutine N" line of a stack (`split_creator`), and each creating goroutine's own creator, up to
MAX_SPAWN_DEPTH, found in the dump (`resolve_spawn`: a few ids by str.find, many in one regex pass)."""

from __future__ import annotations

import re

from tui.goroutines.debug2 import _CREATED_BY
from tui.goroutines.grouping import MAX_SPAWN_DEPTH
from tui.goroutines.textparse import make_frame

IN_GOROUTINE = " in goroutine "
# Past this many creating goroutines to look up one by one (str.find), one pass over the dump.
_SPAWN_FINDS = 16
_SPAWN_ALL = re.compile(
    r"\ngoroutine (\d+) [^\n]*\n(?:(?!goroutine \d)[^\n]+\n)*?created by ([^\n]*?) in goroutine (\d+)\n"
)


def split_creator(stack_text: str) -> tuple[str, int | None]:
    """(the stack text without " in goroutine N" of its created-by line, N or None)."""
    i = stack_text.rfind("created by ")
    if i < 0 or (i > 0 and stack_text[i - 1] != "\n"):
        return stack_text, None
    j = stack_text.find("\n", i)
    j = len(stack_text) if j < 0 else j
    k = stack_text.rfind(IN_GOROUTINE, i, j)
    if k < 0:
        return stack_text, None
    digits = stack_text[k + len(IN_GOROUTINE) : j]
    if not digits or not digits.isascii() or not digits.isdigit():
        return stack_text, None
    return stack_text[:k] + stack_text[j:], int(digits[:20])


def _created_by(block: str, max_line: int) -> tuple[str, int | None]:
    """(created-by function, creator id) of one block's text ("", None without a created-by line)."""
    i = block.rfind("\ncreated by ")
    if i < 0:
        return "", None
    j = block.find("\n", i + 1)
    m = _CREATED_BY.match(block[i + 1 : len(block) if j < 0 else j])
    if m is None:
        return "", None
    return make_frame(m.group(1), None, max_line).func, int(m.group(2)[:20]) if m.group(2) else None


def resolve_spawn(text: str, creator_ids: set[int], *, max_line: int) -> dict[int, tuple[str, int | None]]:
    """goroutine id -> (its created-by function, its creator's id) for ``creator_ids`` and their
    creators up to MAX_SPAWN_DEPTH; ids not in the dump are left out. A few ids are found one by one
    (str.find); many, in one regex pass over the whole dump."""
    spawn: dict[int, tuple[str, int | None]] = {}
    wanted = set(creator_ids)
    finds = 0
    for _ in range(MAX_SPAWN_DEPTH):
        if not wanted:
            break
        if finds + len(wanted) > _SPAWN_FINDS:
            return _spawn_all(text, creator_ids, max_line)
        found: set[int] = set()
        for gid in wanted:
            finds += 1
            entry = _find_creator(text, gid, max_line)
            if entry is None:
                continue
            spawn[gid] = entry
            if entry[1] is not None:
                found.add(entry[1])
        wanted = found - spawn.keys()
    return spawn


def _find_creator(text: str, gid: int, max_line: int) -> tuple[str, int | None] | None:
    """(created-by function, creator id) of goroutine ``gid``, found by str.find; None if absent."""
    head = f"goroutine {gid} "
    at = 0 if text.startswith(head) else text.find("\n" + head)
    if at < 0:
        return None
    ends = [e for e in (text.find("\n\n", at + 1), text.find("\ngoroutine ", at + 1)) if e >= 0]
    return _created_by(text[at : min(ends, default=len(text))], max_line)


def _spawn_all(text: str, creator_ids: set[int], max_line: int) -> dict[int, tuple[str, int | None]]:
    """Every goroutine's created-by in one pass; then the creators on the chains that have none
    (main, runtime goroutines: a few) by str.find, at most _SPAWN_FINDS (the rest count as gone)."""
    spawn: dict[int, tuple[str, int | None]] = {}
    funcs: dict[str, str] = {}
    for ids, func, cid in _SPAWN_ALL.findall("\n" + text):
        name = funcs.get(func)
        if name is None:
            name = funcs[func] = make_frame(func, None, max_line).func
        spawn[int(ids[:20])] = (name, int(cid[:20]))
    missing: set[int] = set()
    for start in creator_ids:
        step: int | None = start
        for _ in range(MAX_SPAWN_DEPTH):
            if step is None or step in missing:
                break
            entry = spawn.get(step)
            if entry is None:
                missing.add(step)
                break
            step = entry[1]
    for gid in sorted(missing)[:_SPAWN_FINDS]:
        entry = _find_creator(text, gid, max_line)
        if entry is not None:
            spawn[gid] = entry
    return spawn
