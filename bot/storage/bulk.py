"""Many rows in one SQL statement: the rows travel as one JSON parameter and come back out of
`json_each`, so `INSERT ... SELECT` writes a whole batch in a single SQLite step.

Why not `executemany`: the `sqlite3` module releases the GIL around every step, that is once per row.
While the event loop thread is busy (ingesting chat), the database thread must then win the GIL back
after each row, and CPython hands it over only every switch interval (5 ms): a 1,000-row
`executemany` on a busy process crawls at about 900 rows/s, measured (`benchmarks/README.md`).
One statement is one step, so the database thread works without the GIL for the whole batch and
writing really overlaps with reading chat. The JSON is encoded in C (`json.dumps`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["as_json", "rows_from_json", "utf8_text"]


def rows_from_json(columns: int) -> str:
    """`SELECT value ->> 0, ... FROM json_each(?)` for rows of `columns` values; binds one `as_json` string.

    Ends with `WHERE true` so that an `ON CONFLICT` upsert clause may follow (SQLite needs it to parse
    `INSERT ... SELECT ... ON CONFLICT`). `json_extract` gives SQL values: JSON numbers stay INTEGER or
    REAL, strings TEXT, null NULL. (Not the `->>` operator: it needs SQLite 3.38, newer than the system
    SQLite of Ubuntu 22.04 or RHEL 9, which Python links.)"""
    if columns < 1:
        raise ValueError("rows need at least one column")
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(columns))
    return f"SELECT {values} FROM json_each(?) WHERE true"


def as_json(rows: Iterable[Sequence[Any]]) -> str:
    r"""The rows as one JSON array of arrays (values must be str, int below 2**63, finite float, bool or None).

    A lone surrogate (text decoded leniently somewhere upstream) becomes "?": escaped as `\udc80`, SQLite
    would store invalid UTF-8 that no later read could decode. A NUL character ends a string."""
    # Tuples (named or not) encode as arrays already: no per-row copy. Not ASCII-escaped: smaller, and
    # what SQLite receives is exactly the UTF-8 the sqlite3 module encodes.
    return utf8_text(
        json.dumps(rows if isinstance(rows, list) else list(rows), separators=(",", ":"), ensure_ascii=False)
    )


def utf8_text(text: str) -> str:
    """`text` as UTF-8 can carry it: a lone surrogate (text decoded leniently upstream) becomes "?", which
    is what both engines store (neither can store the surrogate itself). Quick for ASCII, the usual case."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return text.encode("utf-8", "replace").decode("utf-8")
    return text
