"""The CSV exports of digest figures: one row per period (`metrics_csv`), and one row per period and group
(`groups_csv`), with a stable English header, UTF-8 with a BOM.

Choice: comma-separated (RFC 4180, CRLF line ends), UTF-8 **with** a byte-order mark so Excel reads
accents correctly when the file is opened as-is (LibreOffice and Numbers ignore the BOM, and Python
reads it with `encoding="utf-8-sig"`). Days are ISO `YYYY-MM-DD`. Numbers are unformatted: a dot as
decimal separator, no thousands separator, shares as fractions from 0 to 1, durations in seconds. An
empty cell means no data (a period before the bot saw the community, a figure it cannot compute), never
zero. Columns: `period_start`, `period_last_day` (both included), then `<section key>.<metric key>` for
every metric, in the digest's order (its sections in order, each section's metrics in order); the group
file has `period_start`, `period_last_day`, `group` (its name), then each `<metric key>`.

A text cell that a spreadsheet would read as a formula (a group named `=HYPERLINK(...)`) is written with a
leading apostrophe, which spreadsheets show as text.

`Row` and `csv_bytes` take the digest's own figures untyped (as the digest service gave them before its
own figures were sections): they are written with the same columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.plugin import DigestSection
from plugins.digest.figures import ENGAGEMENT_KEYS, REACH_KEYS, Figure
from plugins.digest.periods import Period

PERIOD_COLUMNS: tuple[str, ...] = ("period_start", "period_last_day")
GROUP_COLUMNS: tuple[str, ...] = (*PERIOD_COLUMNS, "group")

# The digest's own figures are its sections `reach` and `engagement`.
OWN_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (("reach", REACH_KEYS), ("engagement", ENGAGEMENT_KEYS))
BASE_COLUMNS: tuple[str, ...] = (*PERIOD_COLUMNS, *(f"{key}.{name}" for key, names in OWN_SECTIONS for name in names))


@dataclass(frozen=True, slots=True)
class Row:
    """One period's own figures (untyped) and its contributed sections' figures: the older form of a
    `PeriodRow`, written with the same columns."""

    period: Period
    figures: Mapping[str, Figure]
    sections: Mapping[str, Mapping[str, Figure]]

    def typed(self) -> PeriodRow:
        """The same figures as sections: the own figures under `reach` and `engagement`."""
        own = [DigestSection(key, key, {name: self.figures.get(name) for name in names}) for key, names in OWN_SECTIONS]
        return PeriodRow(self.period, [*own, *(DigestSection(k, k, dict(v)) for k, v in self.sections.items())])


def columns(rows: Sequence[Row]) -> list[str]:
    """The header of `csv_bytes`."""
    return metric_columns([row.typed() for row in rows])


def csv_bytes(rows: Sequence[Row]) -> bytes:
    """The figures CSV of untyped rows (see `metrics_csv`)."""
    return metrics_csv([row.typed() for row in rows])


# ------------------------------------------------------------ typed metrics


@dataclass(frozen=True, slots=True)
class PeriodRow:
    """One period's sections (each with its metrics); no sections at all is a period with no data."""

    period: Period
    sections: Sequence[DigestSection]


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One group's section over one period."""

    period: Period
    group: str
    section: DigestSection


def number(value: object) -> str:
    """A figure as a spreadsheet reads it: `12`, `0.45`, `720`; empty for no data (never `0`)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""  # not a number is no data
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")  # never an exponent (`1e-05`)
    return ""


def text_cell(value: str) -> str:
    """Member-written text in a cell: one line, and never read as a formula."""
    flat = " ".join(value.splitlines())
    return "'" + flat if flat[:1] in ("=", "+", "-", "@", "\t") else flat


def _ordered(keys: Sequence[Sequence[str]]) -> list[str]:
    """The union of several ordered key lists, in order of first appearance."""
    return list(dict.fromkeys(key for group in keys for key in group))


def metric_columns(rows: Sequence[PeriodRow]) -> list[str]:
    """The header: the period's days, then `<section>.<metric>` in the digest's order (the latest period's
    order first; a column only older periods had comes after)."""
    names = [[f"{section.key}.{key}" for section in row.sections for key in section.values()] for row in reversed(rows)]
    return [*PERIOD_COLUMNS, *_ordered(names)]


def _write(header: Sequence[str], lines: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def metrics_csv(rows: Sequence[PeriodRow]) -> bytes:
    """The figures CSV: one line per period, oldest first."""
    header = metric_columns(rows)
    lines = []
    for row in sorted(rows, key=lambda r: r.period.start):
        values = {f"{s.key}.{key}": value for s in row.sections for key, value in s.values().items()}
        days = [row.period.start.isoformat(), row.period.last_day.isoformat()]
        lines.append(days + [number(values.get(column)) for column in header[len(PERIOD_COLUMNS) :]])
    return _write(header, lines)


def groups_csv(rows: Sequence[GroupRow]) -> bytes:
    """The per-group CSV: one line per period and group (oldest period first, groups by name)."""
    header = [*GROUP_COLUMNS, *_ordered([list(row.section.values()) for row in rows])]
    lines = []
    for row in sorted(rows, key=lambda r: (r.period.start, r.group.casefold(), r.group)):
        values = row.section.values()
        days = [row.period.start.isoformat(), row.period.last_day.isoformat(), text_cell(row.group)]
        lines.append(days + [number(values.get(column)) for column in header[len(GROUP_COLUMNS) :]])
    return _write(header, lines)
