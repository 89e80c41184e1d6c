"""A FlameTree as files for the incident ticket: folded stacks, a static SVG, a searchable HTML page.

Every name came from the target: it is cleaned (``tui.core.textsafe.clean``: control characters and
bidi overrides made visible), cut to ``MAX_NAME`` characters, masked (``tui.core.masking.mask_text``:
secret values the caller knows), and escaped for XML/HTML (``xml.sax.saxutils``/``html``); the SVG
holds at most ``MAX_FRAMES`` frames (the narrowest go first), so a hostile profile cannot make a file
a browser chokes on. Folded stacks (Brendan Gregg's ``a;b;c value``) keep every stack: their values
add up to the profile's total; a ``;`` inside a name is written as ``；`` (U+FF1B) so it cannot split a
frame.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from tui.core.masking import mask_text
from tui.core.textsafe import clean
from tui.heap.flame import ROOT, FlameTree, folded_ids, vanished
from tui.heap.flame_stacks import Int64s
from tui.heap.profile import Profile
from tui.heap.units import format_value

MAX_NAME = 500  # characters of a frame's name in a file
MAX_FRAMES = 20_000  # frames drawn in an SVG
MAX_VANISHED = 20  # frames listed as vanished since the base
SVG_WIDTH = 1200
FRAME_HEIGHT = 17
MIN_PX = 0.2  # frames narrower than this are not drawn (their value stays in their parent)
CHAR_PX = 7.0  # width of a character of the 12px monospace font, for fitting names

# Okabe-Ito (colour-blind safe): vermillion/orange for growth, blues for decrease, grey for no change
GROW = ("#f3c8a8", "#ec9a5f", "#d55e00")
SHRINK = ("#bfdcf2", "#56b4e9", "#0072b2")
SAME = "#d9d9d9"
WARM = ("#f5b041", "#eb984e", "#f4d03f", "#e59866", "#f8c471", "#edbb99", "#f0b27a", "#fad7a0")


@dataclass(frozen=True, slots=True)
class FlameTitle:
    what: str  # "heap profile of 127.0.0.1:6060", a file name
    when: str  # "2026-12-07 22:30:00 UTC"
    sample_type: str
    base: str = ""  # "against the pinned baseline (22:01:10)": a differential graph


def profile_kind(profile: Profile) -> str:
    """What a profile is, from its sample types: "heap profile", "CPU profile", ..."""
    types = {st.type for st in profile.sample_types}
    if "inuse_space" in types:
        default = profile.sample_types[profile.default_sample_index].type if profile.sample_types else ""
        return "allocs profile" if default.startswith("alloc") else "heap profile"
    if "cpu" in types:
        return "CPU profile"
    if "delay" in types or "contentions" in types:
        return "contention profile"
    if "goroutine" in types:
        return "goroutine profile"
    return "profile"


def profile_title(profile: Profile, *, source: str = "", sample_type: str = "", base: str = "") -> FlameTitle:
    """The title of a profile's flame graph: what (kind and source), when (its time), which sample type."""
    kind = profile_kind(profile)
    when = ""
    if profile.time_nanos > 0:
        moment = datetime.fromtimestamp(profile.time_nanos / 1e9, tz=timezone.utc)
        when = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return FlameTitle(f"{kind} of {source}" if source else kind, when, sample_type, base)


def safe_name(name: str, masks: tuple[bytes, ...] = ()) -> str:
    """A frame's name fit for a file: cleaned, bounded, secrets masked."""
    return mask_text(clean(name, MAX_NAME), masks)


def folded_text(tree: FlameTree, masks: tuple[bytes, ...] = ()) -> str:
    """One line per distinct stack, root first: ``frame;frame;frame value``."""
    frames = [safe_name(name, masks).replace(";", "\uff1b") for name in tree.names]
    lines = [";".join([frames[i] for i in path]) + f" {value}" for path, value in folded_ids(tree) if path]
    root_self = int(tree.self_values[ROOT])
    if root_self:
        lines.append(f"[no frames] {root_self}")  # samples without a stack keep their value
    return "\n".join(lines) + ("\n" if lines else "")


def change_level(new: int, base: int) -> int:
    """-3..3: how much a frame changed against its base (sign: direction; 0: within 5 %)."""
    if new == base:
        return 0
    ratio = abs(new - base) / max(abs(new), abs(base), 1)
    level = 1 if ratio < 0.25 else 2 if ratio < 0.6 else 3
    if ratio < 0.05:
        return 0
    return level if new > base else -level


def diff_colour(level: int) -> str:
    if level == 0:
        return SAME
    return (GROW if level > 0 else SHRINK)[abs(level) - 1]


def warm_colour(name: str) -> str:
    """A stable colour per package (the name up to its last '/' then first '.')."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    package = name[: dot if dot > 0 else len(name)]
    return WARM[zlib.crc32(package.encode("utf-8", "replace")) % len(WARM)]


def _drawn(tree: FlameTree, width: float) -> Int64s:
    """Nodes wide enough to draw (at most MAX_FRAMES, the widest), root included."""
    span = max(tree.width_of(ROOT), 1)
    px = np.maximum(tree.values, 0) * (width / span)
    keep = np.flatnonzero(px >= MIN_PX)
    if len(keep) > MAX_FRAMES:
        keep = np.sort(keep[np.argsort(-px[keep], kind="stable")[:MAX_FRAMES]])
    return keep


def _describe(tree: FlameTree, node: int, name: str) -> str:
    value = int(tree.values[node])
    unit = tree.unit
    share = value / tree.total * 100 if tree.total else 0.0
    text = (
        f"{name} · {format_value(value, unit)} ({share:.2f} %) · self {format_value(int(tree.self_values[node]), unit)}"
    )
    if tree.base_values is not None:
        base = int(tree.base_values[node])
        text += f" · base {format_value(base, unit)} · Δ {format_value(value - base, unit)}"
    return text


def flame_svg(tree: FlameTree, title: FlameTitle, masks: tuple[bytes, ...] = (), *, search: bool = False) -> str:
    """A self-contained static SVG: root on top, names as text, a <title> per frame with its numbers."""
    width = SVG_WIDTH
    span = max(tree.width_of(ROOT), 1)
    nodes = _drawn(tree, width - 20).tolist()
    depth = int(tree.depth[nodes].max()) if nodes else 0
    top = 60 if tree.base_values is None else 78
    height = top + (depth + 1) * FRAME_HEIGHT + 30
    scale = (width - 20) / span
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="16">{_x(safe_name(title.what, masks))}</text>',
        f'<text x="10" y="42" fill="#333">{_x(_subtitle(tree, title, masks))}</text>',
    ]
    if tree.base_values is not None:
        head.append(_legend_svg(top - 12))
    body: list[str] = []
    names = tree.names
    for n in nodes:
        raw = "all" if n == ROOT else names[tree.name_of[n]]
        name = safe_name(raw, masks)
        x = 10 + float(tree.x[n]) * scale
        w = max(float(tree.values[n]) * scale, 0.0)
        y = top + int(tree.depth[n]) * FRAME_HEIGHT
        if tree.base_values is not None:
            fill = diff_colour(change_level(int(tree.values[n]), int(tree.base_values[n])))
        else:
            fill = "#e0e0e0" if n == ROOT else warm_colour(name)
        label = _fit(name, w)
        attrs = (
            f' data-n="{_x(name)}" data-v="{max(int(tree.values[n]), 0)}" data-i="{n}" data-p="{int(tree.parent[n])}"'
            if search and n != ROOT
            else ""
        )
        body.append(
            f"<g{attrs}><title>{_x(_describe(tree, n, name))}</title>"
            f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{FRAME_HEIGHT - 1}" fill="{fill}" rx="1"/>'
            + (f'<text x="{x + 3:.2f}" y="{y + 12}">{_x(label)}</text>' if label else "")
            + "</g>"
        )
    foot = [
        f'<text x="10" y="{height - 10}" fill="#555">{len(nodes):,} of {len(tree):,} frames drawn '
        f"(narrower than {MIN_PX} px left out)</text>"
    ]
    gone = vanished(tree, MAX_VANISHED)
    if gone:
        y = height
        foot.append(f'<text x="10" y="{y + 6}" font-size="14">vanished since the base (base value, path):</text>')
        for i, (path, value) in enumerate(gone):
            text = f"−{format_value(value, tree.unit)}  " + " → ".join(safe_name(n, masks) for n in path)
            foot.append(f'<text x="20" y="{y + 24 + i * 16}" fill="{SHRINK[2]}">{_x(text[:400])}</text>')
        extra = 30 + len(gone) * 16
        head[0] = (
            head[0]
            .replace(f'height="{height}"', f'height="{height + extra}"')
            .replace(f'viewBox="0 0 {width} {height}"', f'viewBox="0 0 {width} {height + extra}"')
        )
        head[1] = head[1].replace(f'height="{height}"', f'height="{height + extra}"')
    return "\n".join(head + body + foot + ["</svg>"]) + "\n"


def _subtitle(tree: FlameTree, title: FlameTitle, masks: tuple[bytes, ...]) -> str:
    parts = [title.sample_type, title.when, f"total {format_value(tree.total, tree.unit)}"]
    if title.base:
        parts.append(title.base)
    return safe_name(" · ".join(p for p in parts if p), masks)


def _legend_svg(y: int) -> str:
    items = [
        ("grew", GROW[2]),
        ("grew a little", GROW[0]),
        ("unchanged (±5 %)", SAME),
        ("shrank a little", SHRINK[0]),
        ("shrank", SHRINK[2]),
    ]
    out = []
    x = 10
    for label, colour in items:
        out.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/><text x="{x + 16}" y="{y}">{label}</text>'
        )
        x += 24 + len(label) * 7
    return "".join(out)


def _fit(name: str, px: float) -> str:
    room = int((px - 6) / CHAR_PX)
    if room < 3:
        return ""
    return name if len(name) <= room else name[: room - 2] + ".."


def _x(text: str) -> str:
    return html.escape(text, quote=True)


SEARCH_JS = """
const box = document.getElementById('q'), out = document.getElementById('share');
const frames = Array.from(document.querySelectorAll('g[data-n]'));
const byId = new Map(frames.map(g => [g.dataset.i, g]));
const total = Number(document.body.dataset.total) || 1;
box.addEventListener('input', () => {
  const q = box.value; let sum = 0;
  const hit = g => q !== '' && g.dataset.n.includes(q);
  for (const g of frames) {
    const on = hit(g);
    g.querySelector('rect').style.fill = on ? '#cc79a7' : '';
    if (!on) continue;
    let up = byId.get(g.dataset.p), inside = false;
    while (up && !inside) { inside = hit(up); up = byId.get(up.dataset.p); }
    if (!inside) sum += Number(g.dataset.v);
  }
  out.textContent = q === '' ? '' : (100 * sum / total).toFixed(2) + ' % of the total matches';
});
"""


def flame_html(tree: FlameTree, title: FlameTitle, masks: tuple[bytes, ...] = ()) -> str:
    """The SVG in a page with a search box: literal text; matching frames turn purple and the share
    of the total they hold (each stack counted once) is said."""
    svg = flame_svg(tree, title, masks, search=True)
    heading = _x(safe_name(title.what, masks))
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{heading}</title>"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'\">"
        "<style>body{font-family:monospace;margin:8px} #q{width:30em}</style></head>\n"
        f'<body data-total="{max(tree.width_of(ROOT), 1)}">'
        '<p>search (literal text): <input id="q" autocomplete="off"> <span id="share"></span></p>\n'
        f"{svg}<script>{SEARCH_JS}</script></body></html>\n"
    )


def export_flame(tree: FlameTree, path_suffix: str, title: FlameTitle, masks: tuple[bytes, ...] = ()) -> str:
    """The file's text for its suffix (.svg, .html, .folded); ValueError for another."""
    suffix = path_suffix.lower()
    if suffix == ".svg":
        return flame_svg(tree, title, masks)
    if suffix in (".html", ".htm"):
        return flame_html(tree, title, masks)
    if suffix in (".folded", ".txt"):
        return folded_text(tree, masks)
    raise ValueError(f"unknown flame graph format {path_suffix!r} (use .svg, .html or .folded)")


__all__: Sequence[str] = ("FlameTitle", "export_flame", "flame_html", "flame_svg", "folded_text")
