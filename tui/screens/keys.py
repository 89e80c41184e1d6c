"""Longer explanations of the key bindings, for `?` help (the bindings themselves stay data)."""

from __future__ import annotations

from textual.screen import Screen

EXPLAIN = {
    "app.focus_next": "switch between the heap table and the goroutine tree",
    "drill": "drill down: a heap row opens callers / callees / heaviest stacks; a goroutine group its full stack",
    "filter": "filter the focused pane: literal text, or re:REGEX in RE2 syntax, as go tool pprof (sticky until cleared with an empty filter)",
    "app.toggle_pause": "pause / resume polling (nothing is fetched while paused)",
    "app.refresh_now": "refresh now (asks first when the goroutine dump is expensive for the target)",
    "sample_type(0)": "heap: inuse space (bytes live now)",
    "sample_type(1)": "heap: inuse objects",
    "sample_type(2)": "heap: alloc space (bytes allocated since start)",
    "sample_type(3)": "heap: alloc objects",
    "sample_type(4)": "heap: alloc bytes per second, between the last two heap profiles",
    "sample_type(5)": "heap: alloc objects per second, between the last two heap profiles",
    "toggle_sort": "heap: sort by flat or by cum",
    "toggle_lines": "heap: function or function + file:line granularity",
    "toggle_diff": "heap: show Δ since the pinned baseline (pprof -base) instead of the current profile",
    "app.pin_baseline": "heap: pin the current profile as the baseline (one is pinned at start and on restart)",
    "app.leak_report": "leak report: verdicts, memory reconciliation, growing groups, heap growth",
    "app.evidence": "incident bundles: listed (time, verdict, size, path); c copies a path, r captures one now "
    "(one is written by itself when a verdict first fails; ▣ marks it on the findings line)",
    "copy_path": "incident bundles: copy the bundle's path to the clipboard (OSC 52: works over SSH)",
    "capture": "incident bundles: capture one now, whatever the verdicts",
    "app.toggle_cpu": "live CPU top: starts rolling profile?seconds=N windows (charged to the budget) and opens the "
    "CPU view; C there stops them",
    "app.contention": "contention: mutex and block profiles, this window and since start (or what to set in the target when they are empty)",
    "app.metrics_picker": "the service's own numbers: every family of its /metrics page with type and help; "
    "enter watches one as a sparkline under the memory ones (--metric SPEC for labels and a statistic)",
    "pin": "metrics: watch the family under the cursor as a sparkline",
    "metrics_filter": "metrics: filter families by name or help (text, or re:REGEX)",
    "contention_kind('mutex')": "contention: the mutex profile (who holds locks others wait for)",
    "contention_kind('block')": "contention: the block profile (where goroutines wait: channels, locks, select)",
    "contention_sample": "contention: delay (time waited) or contentions (how many waits)",
    "contention_scope": "contention: this window (the last two fetches' difference) or since start",
    "contention_sort": "contention: sort by flat or by cum",
    "cycle_grouping": "goroutines: group by wait reason/age/stack, by label (the key most goroutines carry), by creator (and the spawn chain above it), by similar stack (same functions)",
    "zoom": "give the focused pane the whole screen (again to restore); in a flame graph: zoom into the frame",
    "flame": "flame graph (icicle: roots on top) of the heap table's profile, the goroutine tree's stacks, the CPU "
    "window or the contention profile; live, zoom with enter, / highlights, d against a base",
    "out": "flame graph: zoom out one frame (at the top: close)",
    "move('parent')": "flame graph: to the caller (↑ k)",
    "move('child')": "flame graph: to the heaviest callee (↓ j)",
    "move('left')": "flame graph: to the frame on the left (← h)",
    "move('right')": "flame graph: to the frame on the right (→ l)",
    "search": "flame graph: highlight frames whose name holds the text (literal; re:REGEX for RE2) and say their share",
    "callers": "flame graph: callers, callees and heaviest stacks of the function under the cursor",
    "toggle_base": "flame graph: differential, against the pinned baseline (heap), the previous window (CPU) or "
    "the previous fetch (contention), again: (a fleet's heap) the siblings' median; orange grew, blue shrank",
    "vanished": "flame graph: list the frames that vanished since the base",
    "export": "flame graph: write it as .svg, .html (searchable) and .folded files in the current directory",
    "app.save": "save the raw bodies of this snapshot and an SVG screenshot to a new directory here",
    "app.step": "replay: pause and play exactly one poll",
    "app.speed": "replay: speed 1×, 10×, as fast as possible",
    "app.help": "this help",
    "app.quit": "quit",
    "back": "back to where you were",
    "cpu_sort": "CPU: sort by flat or by cum (this window first, then since start)",
    "cpu_filter": "CPU: filter functions: literal text, or re:REGEX (RE2)",
    "cpu_drill": "CPU: callers, callees and heaviest stacks of the function in the newest window",
    "focus_target": "fleet: show the target under the cursor in the dashboard (esc there comes back)",
    "cycle_sort": "fleet: order by findings, target, goroutines, heap",
    "compare": "fleet: the target under the cursor against the median of its siblings: goroutine groups and heap functions with their ratio",
    "copy": "copy the shown stack to the clipboard (OSC 52: works over SSH)",
    "scroll_down": "scroll down",
    "scroll_up": "scroll up",
}

ALWAYS = [
    ("↑ ↓ j k", "move the cursor; pgup/pgdn/home/end jump"),
    ("enter / space", "expand or collapse a goroutine group (enter opens a reason at its biggest bucket)"),
    ("ctrl+p", "command palette: every action by name"),
    ("esc", "close a filter, a dialog or a drill-down"),
    ("ctrl+z", "suspend to the shell (the terminal is given back); fg resumes"),
]


def _key_name(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "escape": "esc", "full_stop": ".", "plus": "+"}.get(key, key)


def _enabled(screen: Screen, action: str) -> bool:
    """False for actions the app disables here (e.g. replay keys while watching live)."""
    name = action.removeprefix("app.")
    target = screen.app if action.startswith("app.") else screen
    return target.check_action(name, ()) is not False


def help_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, explanation) for every enabled binding of ``screen``, then the always-there keys."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for binding in getattr(screen, "BINDINGS", []):
        action = binding.action
        if action in seen or action not in EXPLAIN or not _enabled(screen, action):
            continue
        seen.add(action)
        keys = " ".join(_key_name(k.strip()) for k in binding.key.split(","))
        rows.append((keys, EXPLAIN[action]))
    return rows + ALWAYS


def command_entries(screen: Screen) -> list[tuple[str, str, str]]:
    """(title, explanation, action) for the command palette, one per bound action of ``screen``."""
    entries = []
    seen: set[str] = set()
    for binding in getattr(screen, "BINDINGS", []):
        action = binding.action
        if action in seen or action not in EXPLAIN or action == "app.help" or not _enabled(screen, action):
            continue
        seen.add(action)
        keys = " ".join(_key_name(k.strip()) for k in binding.key.split(","))
        what = EXPLAIN[action].split(":")[-1].strip().split(" (")[0]
        entries.append(
            (
                # the first letter up, the rest as written: "Show Δ since …", not str.capitalize's "Show δ"
                f"{what[:1].upper()}{what[1:]} (key {keys})",
                EXPLAIN[action],
                action,
            )
        )
    return entries
