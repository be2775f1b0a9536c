"""The CSV export of digest figures: one row per period, stable columns, UTF-8 with a BOM.

Choice: comma-separated (RFC 4180, CRLF line ends), UTF-8 **with** a byte-order mark so Excel reads
accents correctly when the file is opened as-is (LibreOffice and Numbers ignore the BOM, and Python
reads it with `encoding="utf-8-sig"`). Numbers use a dot as decimal separator and days are ISO
`YYYY-MM-DD`. Columns: `period_start`, `period_last_day` (both included), the digest's own figures in
a fixed order, then `<section key>.<figure key>` for the sections other plugins contributed, sorted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plugins.digest.figures import FIGURE_KEYS, Figure
from plugins.digest.periods import Period

BASE_COLUMNS: tuple[str, ...] = ("period_start", "period_last_day", *FIGURE_KEYS)


@dataclass(frozen=True, slots=True)
class Row:
    """One period's figures and its contributed sections' figures."""

    period: Period
    figures: Mapping[str, Figure]
    sections: Mapping[str, Mapping[str, Figure]]


def columns(rows: Sequence[Row]) -> list[str]:
    """The header: base columns, then every `<section>.<figure>` seen in any row, sorted."""
    extra = sorted({f"{key}.{name}" for row in rows for key, figures in row.sections.items() for name in figures})
    return [*BASE_COLUMNS, *extra]


def _cell(value: Figure) -> str:
    return "" if value is None else str(value)


def csv_bytes(rows: Sequence[Row]) -> bytes:
    """The CSV file's bytes (BOM + header + one line per period, oldest first)."""
    header = columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        values: dict[str, Figure] = dict(row.figures)
        for key, figures in row.sections.items():
            values.update({f"{key}.{name}": value for name, value in figures.items()})
        line = [row.period.start.isoformat(), row.period.last_day.isoformat()]
        line += [_cell(values.get(column)) for column in header[2:]]
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
