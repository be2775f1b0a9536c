"""The CSV sheet `/calendar import` reads: header, encoding and row shape, before any lookup."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.folding import fold

__all__ = ["HEADER", "MAX_ROWS", "SheetError", "SheetRow", "read_sheet"]

HEADER = ("title", "channel", "due", "owner", "repeat")
FRENCH_HEADER = ("titre", "salon", "date", "redacteur", "repetition")
"""The same columns under their French parameter names (read without accents)."""
MAX_ROWS = 500
MAX_BYTES = 512 * 1024


class SheetError(Exception):
    """The file as a whole cannot be read: `reason` is encoding, header, empty, too_big or csv."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row; `number` is its line in the file (the header is line 1)."""

    number: int
    title: str
    channel: str
    due: str
    owner: str
    repeat: str
    extra_cells: int = 0


def read_sheet(content: bytes) -> list[SheetRow]:
    """The rows of a UTF-8 CSV with the header `title,channel,due,owner,repeat` or its French
    `titre,salon,date,rédacteur,répétition` (comma or semicolon)."""
    if len(content) > MAX_BYTES:
        raise SheetError("too_big")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError("encoding", str(exc.start)) from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise SheetError("empty")
    # Spreadsheets in French locales export with semicolons.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise SheetError("csv", str(exc)) from None
    header = tuple(fold(cell) for cell in records[0])
    if header not in (HEADER, FRENCH_HEADER):
        raise SheetError("header", ",".join(header)[:80])
    rows: list[SheetRow] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record] + [""] * len(HEADER)
        extra = max(0, len(record) - len(HEADER))
        rows.append(SheetRow(number, cells[0], cells[1], cells[2], cells[3], cells[4], extra_cells=extra))
    if not rows:
        raise SheetError("empty")
    if len(rows) > MAX_ROWS:
        raise SheetError("too_big")
    return rows
