"""What to watch: `NAME{label="x",code!="200"}:p99`, the `--metric` flag's and the picker's form.

NAME is a family as the page's TYPE line names it (a sample's `_total`, `_bucket`, `_count`, `_sum`
suffix is taken off when the page has no family of that name). Matchers: `=`, `!=`, `=~`, `!~`
(regexes through RE2, matched against the whole value as PromQL does). STAT: `p50`, `p99`, `p999`
(`pNN` for any quantile of a histogram or summary), `rate` (per second: a counter, or a histogram's
observations), `errors` (per second: a counter's label sets whose `code`/`status` is 5xx, or whose
`grpc_code` is not OK), `value` (a gauge: the selected label sets summed). Left out, STAT is the
family's natural one (histogram and summary p99, counter rate, gauge value).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tui.core.user_regex import UserPatternError, UserRegex
from tui.metrics.parse import Labels

STATS = ("rate", "errors", "value")
_NAME = r"[A-Za-z_:][A-Za-z0-9_:]*"
# Metric names may hold ':' (recording rules): a last `:STAT` is the statistic only when it is one.
_SPEC = re.compile(rf"^\s*({_NAME}?)\s*(?:\{{(.*)\}})?\s*(?::\s*(p\d{{1,4}}|rate|errors|value))?\s*$", re.S | re.I)
_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_QUANTILE = re.compile(r"^p(\d{1,4})$")
MAX_SPEC = 512


@functools.lru_cache(maxsize=64)
def _anchored(pattern: str) -> UserRegex:
    return UserRegex(f"^(?:{pattern})$")


@dataclass(frozen=True, slots=True)
class Matcher:
    label: str
    op: str  # "=", "!=", "=~", "!~"
    value: str

    def matches(self, labels: Labels) -> bool:
        value = dict(labels).get(self.label, "")
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        return _anchored(self.value).search(value) == (self.op == "=~")

    @property
    def text(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.label}{self.op}"{escaped}"'


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    family: str
    matchers: tuple[Matcher, ...] = ()
    stat: str = ""  # "" = the family's natural statistic

    @property
    def text(self) -> str:
        sel = "{" + ",".join(m.text for m in self.matchers) + "}" if self.matchers else ""
        return f"{self.family}{sel}" + (f":{self.stat}" if self.stat else "")

    @property
    def key(self) -> str:
        """Its history series' key."""
        return "metric:" + self.text

    def keep(self, labels: Labels) -> bool:
        return all(m.matches(labels) for m in self.matchers)

    def with_stat(self, stat: str) -> SeriesSpec:
        return SeriesSpec(self.family, self.matchers, stat)


def quantile_of(stat: str) -> float | None:
    """0.99 for "p99", 0.999 for "p999", 0.5 for "p50"; None for other statistics."""
    m = _QUANTILE.match(stat)
    if not m:
        return None
    digits = m.group(1)
    return int(digits) / 10 ** max(2, len(digits))


def parse_spec(text: str) -> SeriesSpec:
    """Parse `NAME{label="x"}:p99` (ValueError saying what is wrong)."""
    if len(text) > MAX_SPEC:
        raise ValueError(f"metric spec longer than {MAX_SPEC} characters")
    m = _SPEC.match(text)
    if not m:
        raise ValueError(
            f'{text!r}: expected NAME, NAME{{label="value"}} or NAME:STAT (e.g. http_request_duration_seconds:p99)'
        )
    name, selector, stat = m.group(1), m.group(2), (m.group(3) or "").lower()
    matchers: list[Matcher] = []
    rest = (selector or "").strip()
    while rest:
        mm = _MATCHER.match(rest)
        if not mm:
            raise ValueError(f'{text!r}: bad label matcher near {rest[:40]!r} (use label="value", !=, =~, !~)')
        value = re.sub(r"\\(.)", r"\1", mm.group(3))
        if mm.group(2) in ("=~", "!~"):
            try:
                UserRegex(value)
            except UserPatternError as exc:
                raise ValueError(f"{text!r}: {exc}") from None
        matchers.append(Matcher(mm.group(1), mm.group(2), value))
        rest = rest[mm.end() :].strip()
    if stat and stat not in STATS and quantile_of(stat) is None:
        raise ValueError(f"{text!r}: unknown statistic {stat!r} (p50, p99, p999, rate, errors, value)")
    return SeriesSpec(name, tuple(matchers), stat)
