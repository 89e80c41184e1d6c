"""One family's block of a /metrics page parsed by prometheus-client into our records.

prometheus-client (the Prometheus project's own Python client) parses both exposition formats:
label escaping, `NaN`/`+Inf`, timestamps, exemplars, OpenMetrics' `_created` and `# EOF`. Its
parsers raise ValueError (and, on some malformed input, other exceptions): anything it raises is a
ParseError here, naming the family, never a crash. Bounds: a block longer than ``max_block``
characters is cut at a line before it, at most ``max_series`` samples are kept, and any line over
``max_line`` characters refuses the family (the parser scans a line several times).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.errors import ParseError
from tui.metrics.page import MetricsPage

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

MAX_SERIES = 20_000  # samples kept per family (a histogram's buckets are samples)
MAX_BLOCK = 4 * 1024 * 1024  # characters of one family's lines handed to the parser
MAX_LINE = 64 * 1024

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs


@dataclass(frozen=True, slots=True)
class Sample:
    name: str  # the sample's own name: "x_bucket", "x_count", "x_total", "x"
    labels: Labels
    value: float


@dataclass(frozen=True, slots=True)
class MetricFamily:
    name: str
    type: str
    help: str
    samples: tuple[Sample, ...]
    cut: int = 0  # samples past max_series (or lines past max_block): left out


def _long_line(block: str, max_line: int) -> bool:
    return re.search(r"[^\n]{" + str(max_line + 1) + "}", block) is not None


def parse_family(
    page: MetricsPage, name: str, *, max_series: int = MAX_SERIES, max_block: int = MAX_BLOCK, max_line: int = MAX_LINE
) -> MetricFamily:
    """Parse the lines of family ``name`` (a key of ``page.families``)."""
    info = page.families[name]
    block = page.block(name)
    return parse_block(block, name, info.type, info.help, page.openmetrics, max_series, max_block, max_line)


def parse_block(
    block: str,
    name: str,
    kind: str,
    help_text: str,
    openmetrics: bool,
    max_series: int = MAX_SERIES,
    max_block: int = MAX_BLOCK,
    max_line: int = MAX_LINE,
) -> MetricFamily:
    cut_lines = 0
    if len(block) > max_block:
        keep = block.rfind("\n", 0, max_block) + 1
        cut_lines = block.count("\n", keep) + 1
        block = block[:keep]
    if _long_line(block, max_line):
        raise ParseError(f"/metrics: {name[:80]}: a line over {max_line} characters", kind="metrics")
    samples: list[Sample] = []
    cut = cut_lines
    try:
        for family in _families(block, openmetrics):
            for s in family.samples:
                if len(samples) >= max_series:
                    cut += 1
                    continue
                value = float(s.value)
                labels = tuple(sorted((str(k), str(v)) for k, v in s.labels.items()))
                samples.append(Sample(str(s.name), labels, value))
    except Exception as exc:  # the parser's ValueError, and whatever else malformed input provokes
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ParseError(f"/metrics: {name[:80]}: {detail}", kind="metrics") from None
    return MetricFamily(name, kind, help_text, tuple(samples), cut)


def _families(block: str, openmetrics: bool) -> Iterable[Metric]:
    if openmetrics:  # the OpenMetrics parser wants the page's "# EOF" last
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_families

        return om_families((block if block.endswith("\n") or not block else block + "\n") + "# EOF\n")
    from prometheus_client.parser import text_string_to_metric_families

    return text_string_to_metric_families(block)


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
