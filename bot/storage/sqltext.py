"""The text of SQL statements as the engines need it: placeholders turned into PostgreSQL's `$n`, and
the first keyword of a statement (to route plain reads to read connections).

Repos write `?` (positional) or `:name` (named) placeholders, as the sqlite3 module takes them.
PostgreSQL wants `$1, $2, ...`: `to_numbered` rewrites them outside string literals (E'...' escape
strings and $$ dollar quotes included), quoted identifiers and comments, leaves `::type` casts alone,
and gives each distinct name one number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Numbered", "reads_only", "to_numbered"]

# The first keyword of a statement, after any leading comments.
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(\w+)", re.DOTALL)
_READ_WORDS = frozenset({"select", "with", "values"})
# The opening of a dollar-quoted string: `$$` or `$tag$` (a `$1` placeholder is not one).
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_$"


def reads_only(sql: str) -> bool:
    """Whether a statement may go to a read connection: it starts with SELECT, WITH or VALUES.

    A WITH ... INSERT (or a function that writes) is refused by the read-only connection, untouched,
    and the engine retries it on the writer."""
    match = _FIRST_WORD.match(sql)
    return match is not None and match.group(1).lower() in _READ_WORDS


@dataclass(frozen=True, slots=True)
class Numbered:
    """A statement with `$n` placeholders, and how to order its parameters."""

    text: str
    count: int
    names: tuple[str, ...] | None
    """For named placeholders, the name of `$1`, `$2`, ...; None for positional ones."""
    spots: tuple[tuple[int, int], ...]
    """(offset just after `$n` in `text`, n) for every placeholder: where a cast may be appended."""

    def arguments(self, params: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
        """The parameters in `$n` order (a mapping may hold more keys than the statement uses)."""
        if self.names is None:
            if isinstance(params, Mapping):
                if self.count == 0:
                    return []
                raise TypeError("this statement has `?` placeholders: give a sequence, not a mapping")
            values = list(params)
            if len(values) != self.count:
                raise TypeError(f"the statement has {self.count} placeholders but {len(values)} values were given")
            return values
        if not isinstance(params, Mapping):
            raise TypeError("this statement has `:name` placeholders: give a mapping")
        missing = [name for name in self.names if name not in params]
        if missing:
            raise TypeError(f"no value for the placeholders {', '.join(':' + m for m in missing)}")
        return [params[name] for name in self.names]

    def with_casts(self, casts: Sequence[str | None]) -> str:
        """The text with `::type` after each placeholder whose cast is given (by `$n` order)."""
        pieces: list[str] = []
        last = 0
        for end, number in self.spots:
            cast = casts[number - 1]
            pieces.append(self.text[last:end])
            if cast:
                pieces.append(f"::{cast}")
            last = end
        pieces.append(self.text[last:])
        return "".join(pieces)


@lru_cache(maxsize=4096)
def to_numbered(sql: str) -> Numbered:
    """`sql` with its `?` or `:name` placeholders written `$1, $2, ...` (both kinds at once are refused)."""
    out: list[str] = []
    spots: list[tuple[int, int]] = []
    names: dict[str, int] = {}
    positional = 0
    size = 0
    i, n = 0, len(sql)

    def emit(piece: str) -> None:
        nonlocal size
        out.append(piece)
        size += len(piece)

    while i < n:
        c = sql[i]
        if c in "'\"":  # a string literal or a quoted identifier: copied whole ('' and "" escape)
            # E'...' (PostgreSQL's escape string): a backslash escapes the next character, \' included.
            escapes = c == "'" and i > 0 and sql[i - 1] in "Ee" and (i < 2 or not _word_char(sql[i - 2]))
            j = i + 1
            while j < n:
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            emit(sql[i : j + 1])
            i = j + 1
        elif c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            emit(sql[i:j])
            i = j
        elif c == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            emit(sql[i:j])
            i = j
        elif c == "$" and (i == 0 or not _word_char(sql[i - 1])) and (tag := _DOLLAR_TAG.match(sql, i)):
            # A dollar-quoted string ($$...$$, $tag$...$tag$): copied whole up to its closing tag.
            end = sql.find(tag[0], tag.end())
            j = n if end < 0 else end + len(tag[0])
            emit(sql[i:j])
            i = j
        elif c == "?":
            positional += 1
            emit(f"${positional}")
            spots.append((size, positional))
            i += 1
        elif c == ":" and i + 1 < n and sql[i + 1] == ":":
            emit("::")  # a cast
            i += 2
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            name = sql[i + 1 : j]
            number = names.setdefault(name, len(names) + 1)
            emit(f"${number}")
            spots.append((size, number))
            i = j
        else:
            # Copy a run of ordinary characters at once.
            j = i + 1
            while j < n and sql[j] not in "'\"-/?:$":
                j += 1
            emit(sql[i:j])
            i = j
    if positional and names:
        raise ValueError("a statement may use `?` or `:name` placeholders, not both")
    text = "".join(out)
    if names:
        ordered = tuple(sorted(names, key=names.__getitem__))
        return Numbered(text, len(ordered), ordered, tuple(spots))
    return Numbered(text, positional, None, tuple(spots))
