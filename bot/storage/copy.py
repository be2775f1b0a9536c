"""`affinity-bot db copy`: moving a community from its SQLite file into an empty PostgreSQL database.

Owns the whole move, in this order:
1. refusals before anything is written: the source must be a SQLite file with no migration pending, the
   target an empty PostgreSQL database (no row in any table, no table the bot's migrations do not make);
2. the target's schema, made by the app's own migration runner: the target gets its own
   `schema_migrations` history (applied now, by this release), never a row-by-row copy of the file's;
3. every other table, parents before children (SQLite's `PRAGMA foreign_key_list`), by batches read
   in rowid order and written with COPY (`PostgresDatabase.copy_records`), the next batch read and
   converted while the server writes the previous one;
4. SQLite's loosely typed values converted to the target's column types (read from
   information_schema): an int in a TEXT column becomes its text, "12" in an INTEGER column becomes 12;
   text PostgreSQL refuses is repaired and counted, never fatal: NUL characters are dropped, invalid
   UTF-8 and lone surrogates are replaced (a surrogate by "?", as the engines' own write paths do);
   a value that has no faithful conversion ("abc" in an INTEGER column) stops the copy naming its row;
5. every identity sequence moved past the highest copied id and past the `id_sequences` reservations
   (ids the SQLite file handed out ahead of their insert), so ids continue above the copied ones;
6. row counts of every table compared on both sides.

Two kinds of tables are not copied. SQLite's virtual tables and their shadow tables (the gazetteer's
R*Tree) are an index, not data: the target's schema indexes the same rows its own way. Tables a migration
declares derived (`-- db copy: derived, not copied: <table>, <table>`: the gazetteer's places, names and
load state, a copy of a data file) stay as the target's migrations made them, and their owner fills them
again on the target (the gazetteer's state row says "not loaded", so the first lookup loads it).

The bot must be stopped while it copies (the command line holds the SQLite file's process lock, so a
running bot makes it refuse): rows written meanwhile would make the counts differ, and the check would
say which table. A copy that stops half way leaves a partly filled target, which a second run refuses:
drop and create the target database again before retrying.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from bot.storage.database import Database
from bot.storage.errors import REFUSED_WRITES
from bot.storage.migrations import apply_migrations, pending_migrations

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase

__all__ = [
    "BATCH_SIZE",
    "HISTORY_TABLES",
    "CopyFailed",
    "CopyRefused",
    "CopyReport",
    "Repairs",
    "TableCount",
    "check_target_url",
    "copy_database",
    "derived_tables",
    "migration_tables",
    "progress_printer",
]

BATCH_SIZE = 5000
"""Rows read from SQLite and written by one COPY."""

HISTORY_TABLES = frozenset({"schema_migrations"})
"""Migration history: the target makes its own by applying the migrations, it is never copied."""

_INT_TYPES = frozenset({"int2", "int4", "int8"})
_FLOAT_TYPES = frozenset({"float4", "float8"})
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "name", "citext"})
_CREATED = re.compile(r"\b(?:CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|RENAME\s+TO)\s+[\"`]?(\w+)", re.IGNORECASE)
_DERIVED = re.compile(r"^--\s*db copy: derived, not copied:\s*(?P<tables>.+)$", re.MULTILINE)
_WITHOUT_ROWID = re.compile(r"\bWITHOUT\s+ROWID\b", re.IGNORECASE)

Progress = Callable[[str, int, int], None]
"""Called with (table, rows copied so far, rows to copy) when a table starts and after each batch."""


class CopyRefused(Exception):
    """The copy cannot start with these arguments (wrong engine, a target that is not empty): nothing was
    written to the target. The command line exits with 2."""


class CopyFailed(Exception):
    """The copy could not be made or checked; the message names the table (and row) concerned. The
    command line exits with 1. `report` holds the counts when the final check failed."""

    def __init__(self, message: str, report: CopyReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Repairs:
    """Text values of one table changed so PostgreSQL takes them."""

    nul: int = 0
    """Values that held NUL characters (dropped)."""
    encoding: int = 0
    """Values that held invalid UTF-8 or lone surrogates (replaced)."""


@dataclass(frozen=True)
class TableCount:
    """The rows of one table on both sides, after the copy."""

    table: str
    source: int
    target: int


@dataclass
class CopyReport:
    """What a copy did: counts per table, repaired values, migrations applied, sequences moved."""

    source: str
    target: str
    counts: list[TableCount] = field(default_factory=list)
    """In the order the tables were copied (parents first)."""
    repairs: dict[str, Repairs] = field(default_factory=dict)
    migrations: list[str] = field(default_factory=list)
    """The migrations this copy applied to the target."""
    history: int = 0
    """The rows of the target's own `schema_migrations` after the copy."""
    sequences: dict[str, int] = field(default_factory=dict)
    """`table.column` -> the last id handed out so far (the next one is above it)."""
    skipped: list[str] = field(default_factory=list)
    """Empty source tables the target's schema does not have."""
    derived: list[str] = field(default_factory=list)
    """Tables the migrations declare derived (`derived_tables`): left as the target's migrations made them."""
    virtual: list[str] = field(default_factory=list)
    """SQLite virtual tables (the gazetteer's R*Tree) and their shadow tables: an index, not data. The
    target's own schema indexes the same rows its way (a btree), so they are never copied."""

    @property
    def mismatches(self) -> list[TableCount]:
        """The tables whose counts differ."""
        return [c for c in self.counts if c.source != c.target]

    def lines(self) -> list[str]:
        """The count table and the notes, as printed at the end."""
        width = max([len("table"), *(len(c.table) for c in self.counts)])
        numbers = [f"{n:,}" for c in self.counts for n in (c.source, c.target)]
        digits = max([len("PostgreSQL"), *(len(n) for n in numbers)])
        out = [f"{'table':<{width}}  {'SQLite':>{digits}}  {'PostgreSQL':>{digits}}"]
        for c in sorted(self.counts, key=lambda c: c.table):
            mark = "" if c.source == c.target else "  <- differs"
            out.append(f"{c.table:<{width}}  {c.source:>{digits},}  {c.target:>{digits},}{mark}")
        out.append(
            f"schema_migrations: not copied; the target has its own history ({self.history} migrations, "
            f"{len(self.migrations)} applied by this copy)"
        )
        for table in self.skipped:
            out.append(f"{table}: empty in the source and not in the target's schema, skipped")
        for table in self.derived:
            out.append(f"{table}: derived data, not copied; the bot fills it again on the target")
        for table in self.virtual:
            out.append(f"{table}: a SQLite index table (virtual or shadow), not copied; the target indexes its own way")
        for table, fixed in sorted(self.repairs.items()):
            if fixed.nul:
                out.append(f"{table}: {fixed.nul:,} text values held NUL characters, dropped")
            if fixed.encoding:
                out.append(f"{table}: {fixed.encoding:,} text values held invalid UTF-8 or lone surrogates, replaced")
        return out


def check_target_url(url: str) -> None:
    """Refuse (CopyRefused) a target that is not a `postgresql://` URL, or that holds a password."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raise CopyRefused(
            "db copy goes from SQLite to PostgreSQL only: --to must be a postgresql://user@host:port/database "
            "URL (to copy a SQLite file, copy the file while the bot is stopped)"
        )
    if parts.scheme not in ("postgresql", "postgres"):
        raise CopyRefused(
            f"unknown database URL scheme {parts.scheme or '(none)'!r} in --to: "
            f"write postgresql://user@host:5432/database"
        )
    # asyncpg (as libpq) also takes the password from the query string: `?password=...`.
    if parts.password is not None or any(k.lower() == "password" for k, _ in parse_qsl(parts.query)):
        raise CopyRefused(
            "the --to URL holds a password: remove it and put the password in an environment variable "
            "named by --password-env (or by database.password_env in the configuration)"
        )
    if not parts.hostname and "host=" not in parts.query:
        raise CopyRefused("the --to URL names no host: write postgresql://user@host:5432/database")


def migration_tables(directory: Path) -> set[str]:
    """The tables the migration files under `directory` make (any depth), and the history table."""
    names = set(HISTORY_TABLES)
    for path in sorted(Path(directory).rglob("*.sql")):
        names.update(m.lower() for m in _CREATED.findall(path.read_text(encoding="utf-8")))
    return names


def derived_tables(directory: Path) -> set[str]:
    """The tables the migration files under `directory` declare derived (`-- db copy: derived, not copied:
    a, b`): rebuilt by their owner, never copied."""
    names: set[str] = set()
    for path in sorted(Path(directory).rglob("*.sql")):
        for match in _DERIVED.finditer(path.read_text(encoding="utf-8")):
            names.update(t.strip().lower() for t in match.group("tables").split(",") if t.strip())
    return names


def progress_printer(emit: Callable[[str], None], steps: int = 10) -> Progress:
    """A `Progress` that emits `messages: 120,000 / 1,250,000` at each tenth of a table, the last one when
    it is done (an empty table says nothing: the count table lists it)."""
    last: dict[str, int] = {}

    def report(table: str, done: int, total: int) -> None:
        if done == 0:
            return
        step = steps if done >= total else done * steps // total
        if step > last.get(table, 0):
            last[table] = step
            emit(f"{table}: {done:,} / {total:,}")

    return report


async def copy_database(
    source: Database,
    target: Database,
    *,
    migrations: Path,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every table of the SQLite `source` into the empty PostgreSQL `target` (see the module
    docstring for the steps); returns the report, counts included. Raises `CopyRefused` before writing
    anything when the target is not empty, `CopyFailed` when a value cannot be converted or the counts
    differ at the end (the report is then in the exception's `report`)."""
    from bot.storage.postgres import PostgresDatabase  # asyncpg is imported only when used

    if source.engine != "sqlite":
        raise CopyRefused(f"db copy reads a SQLite database; {source.label} is {source.engine}")
    if not isinstance(target, PostgresDatabase):
        raise CopyRefused(f"db copy writes into PostgreSQL; {target.label} is {target.engine}")
    pending = await pending_migrations(source, migrations)
    if pending:
        raise CopyFailed(
            f"{source.label} has {len(pending)} migration(s) not applied yet ({pending[0]} ...): run "
            f"`affinity-bot migrate` with the same configuration first (the copy needs every table of this "
            f"release)"
        )
    await _refuse_non_empty(target, migration_tables(migrations), derived_tables(migrations))

    report = CopyReport(source.label, target.label)
    report.migrations = await apply_migrations(target, migrations, now=now)
    report.history = await _count(target, "schema_migrations")

    report.virtual = sorted(await _virtual_tables(source))
    derived = derived_tables(migrations)
    report.derived = sorted(t for t in await source.tables() if t in derived)
    left_out = {*report.virtual, *report.derived}
    order = [t for t in await _dependency_order(source) if t not in left_out]
    columns = await _target_columns(target)
    plan: list[tuple[str, list[str]]] = []
    for table in order:
        wanted = [
            str(r[0]) for r in await source.fetchall("SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,))
        ]
        have = columns.get(table)
        if have is None:
            if await _count(source, table):
                raise CopyFailed(
                    f"table {table} of {source.label} holds rows but the target's schema has no such table "
                    f"(is the target's migration history from another release?)"
                )
            report.skipped.append(table)
            continue
        missing = [c for c in wanted if c not in have]
        if missing:
            raise CopyFailed(f"table {table}: the target has no column {', '.join(missing)}; nothing was copied")
        plan.append((table, wanted))

    for table, names in plan:
        fixed = report.repairs.setdefault(table, Repairs())
        await _copy_table(source, target, table, names, [columns[table][c] for c in names], batch_size, fixed, progress)
        if not fixed.nul and not fixed.encoding:
            del report.repairs[table]

    report.sequences = await _move_sequences(target)
    for table, _ in plan:
        report.counts.append(TableCount(table, await _count(source, table), await _count(target, table)))
    if report.mismatches:
        differing = ", ".join(c.table for c in report.mismatches)
        raise CopyFailed(
            f"row counts differ for {differing} (was the bot still running and writing to {source.label}?)", report
        )
    return report


# ------------------------------------------------------------------ refusals and order


async def _count(db: Database, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {_quote(table)}"))


async def _refuse_non_empty(target: Database, known: set[str], derived: set[str]) -> None:
    problems: list[str] = []
    for table in sorted(await target.tables()):
        if table not in known:
            problems.append(f"table {table} is not one the bot's migrations make")
        elif table not in HISTORY_TABLES and table not in derived:  # derived rows (a state row) are no data
            rows = await _count(target, table)
            if rows:
                problems.append(f"table {table} holds {rows:,} row{'s' if rows != 1 else ''}")
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise CopyRefused(
            f"refusing to copy into {target.label}: it is not empty ({shown}); copy into a new, empty "
            f"database (CREATE DATABASE ...)"
        )


async def _virtual_tables(source: Database) -> set[str]:
    """The SQLite file's virtual tables and the shadow tables that store them (`PRAGMA table_list`,
    SQLite 3.37+: Ubuntu 22.04's is 3.37.2)."""
    rows = await source.fetchall(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('virtual', 'shadow')"
    )
    return {str(r[0]) for r in rows}


async def _dependency_order(source: Database) -> list[str]:
    """The source's tables, each after the tables its foreign keys point to (then by name)."""
    tables = sorted(t for t in await source.tables() if t not in HISTORY_TABLES)
    parents: dict[str, set[str]] = {}
    for table in tables:
        rows = await source.fetchall("SELECT * FROM pragma_foreign_key_list(?)", (table,))
        # A self reference does not order tables; rows are copied in rowid order, parents usually first.
        parents[table] = {str(r["table"]) for r in rows} & set(tables) - {table}
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(tables):
        ready = [t for t in tables if t not in placed and parents[t] <= placed]
        if not ready:
            cycle = sorted(t for t in tables if t not in placed)
            raise CopyFailed(f"the foreign keys of tables {', '.join(cycle)} form a cycle: no copy order exists")
        order.extend(ready)
        placed.update(ready)
    return order


async def _target_columns(target: Database) -> dict[str, dict[str, str]]:
    """table -> column -> type name (`int8`, `text`, ...), from information_schema."""
    rows = await target.fetchall(
        "SELECT table_name, column_name, udt_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        found.setdefault(str(row[0]), {})[str(row[1])] = str(row[2])
    return found


# ------------------------------------------------------------------ rows


async def _copy_table(
    source: Database,
    target: PostgresDatabase,
    table: str,
    names: list[str],
    types: list[str],
    batch_size: int,
    fixed: Repairs,
    progress: Progress | None,
) -> None:
    total = await _count(source, table)
    plain = ", ".join(_quote(n) for n in names)
    # Text the driver cannot decode (invalid UTF-8 in the file, such as a lone surrogate stored by an old
    # writer) fails a plain read: that batch is read again with text as its bytes, which `_text` repairs.
    as_bytes = ", ".join(
        f"CASE WHEN typeof({_quote(n)}) = 'text' THEN CAST({_quote(n)} AS BLOB) ELSE {_quote(n)} END" for n in names
    )
    sql_row = await source.fetchval("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    if _WITHOUT_ROWID.search(str(sql_row or "")):
        # No rowid to walk: the columns order the pages (such tables are small).
        page = f"SELECT NULL, {{}} FROM {_quote(table)} ORDER BY {plain} LIMIT ? OFFSET ?"
    else:
        page = f"SELECT rowid, {{}} FROM {_quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT ?"
    by_rowid = "rowid >" in page
    convert = _Converter(table, names, types, fixed)
    done = 0
    last_rowid = -(2**63)
    if progress is not None:
        progress(table, 0, total)

    async def write(records: list[tuple[Any, ...]], first: int) -> None:
        try:
            await target.copy_records(table, names, records)
        except REFUSED_WRITES as exc:
            detail = getattr(exc, "detail", None)
            raise CopyFailed(
                f"table {table}: PostgreSQL refused rows {first + 1:,} to {first + len(records):,} ({exc}"
                f"{'; ' + detail if detail else ''}); the target now holds part of the copy: fix the rows in "
                f"the SQLite file, drop and create the target database again, and copy again"
            ) from exc
        if progress is not None:
            progress(table, first + len(records), max(total, first + len(records)))

    # The next batch is read and converted while the server writes the previous one.
    writing: asyncio.Task[None] | None = None
    try:
        while True:
            params = (last_rowid, batch_size) if by_rowid else (batch_size, done)
            try:
                rows = await source.fetchall(page.format(plain), params)
            except sqlite3.OperationalError as exc:
                if "decode" not in str(exc).lower():
                    raise
                rows = await source.fetchall(page.format(as_bytes), params)
            if not rows:
                break
            records = await asyncio.to_thread(convert, rows)
            if writing is not None:
                await writing
            writing = asyncio.create_task(write(records, done))
            done += len(rows)
            if by_rowid:
                last_rowid = int(rows[-1][0])
            if len(rows) < batch_size:
                break
        if writing is not None:
            await writing
    finally:
        if writing is not None:  # a read failed meanwhile: the write is stopped, its outcome retrieved
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing


class _Converter:
    """Rows of one table as the target's column types want them: one function per column, a fast path
    for values that already have their type. Runs on a worker thread (it is per value)."""

    def __init__(self, table: str, names: list[str], types: list[str], fixed: Repairs) -> None:
        self.table = table
        self.names = names
        self.types = types
        self.fixed = fixed
        self.columns = [self._column(t) for t in types]

    def _column(self, type_name: str) -> Callable[[Any], Any]:
        fixed = self.fixed

        def slow(value: Any) -> Any:
            return _to_type(value, type_name, fixed)

        if type_name in _TEXT_TYPES:

            def text(value: Any) -> Any:
                if type(value) is str and "\x00" not in value:
                    return value
                return None if value is None else slow(value)

            return text
        if type_name in _INT_TYPES:
            return lambda value: value if value is None or type(value) is int else slow(value)
        if type_name in _FLOAT_TYPES:
            return lambda value: value if value is None or type(value) is float else slow(value)
        return slow

    def __call__(self, rows: list[Any]) -> list[tuple[Any, ...]]:
        columns = self.columns
        records: list[tuple[Any, ...]] = []
        for row in rows:
            try:
                records.append(tuple([f(v) for f, v in zip(columns, tuple(row)[1:], strict=True)]))
            except (ValueError, TypeError, InvalidOperation):
                records.append(self._one(row))
        return records

    def _one(self, row: Any) -> tuple[Any, ...]:
        """A row that failed, column by column: the error names the column, the row and the value."""
        values: list[Any] = []
        for index, (name, type_name) in enumerate(zip(self.names, self.types, strict=True)):
            value = row[index + 1]
            try:
                values.append(self.columns[index](value))
            except (ValueError, TypeError, InvalidOperation) as exc:
                where = f"rowid {row[0]}" if row[0] is not None else "a row"
                shown = repr(value if not isinstance(value, bytes) else value.decode("utf-8", "replace"))
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                raise CopyFailed(
                    f"table {self.table}, column {name}, {where}: the value {shown} cannot be stored as "
                    f"{type_name} on PostgreSQL ({exc}); fix that row in the SQLite file and copy again into an "
                    f"empty database"
                ) from exc
        return tuple(values)


def _text(value: bytes, fixed: Repairs) -> str:
    """Text read as bytes, decoded; invalid UTF-8 and lone surrogates replaced, NUL dropped (counted)."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        fixed.encoding += 1
        try:
            # A lone surrogate stored as UTF-8 bytes: decoded as such, then "?" as the write paths give it.
            text = value.decode("utf-8", "surrogatepass").encode("utf-8", "replace").decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("utf-8", "replace")
    if "\x00" in text:
        fixed.nul += 1
        text = text.replace("\x00", "")
    return text


def _to_type(value: Any, type_name: str, fixed: Repairs) -> Any:
    """One SQLite value as the Python value asyncpg's COPY writes for a column of `type_name`."""
    if value is None:
        return None
    if type_name == "bytea":
        return bytes(value) if isinstance(value, (bytes, bytearray)) else str(value).encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        value = _text(bytes(value), fixed)
    elif isinstance(value, str) and "\x00" in value:
        fixed.nul += 1
        value = value.replace("\x00", "")
    if type_name in _TEXT_TYPES:
        if isinstance(value, float):
            return repr(value)
        return str(value)
    if type_name in _INT_TYPES:
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("not a whole number")
            return int(value)
        if isinstance(value, str):
            stripped = value.strip()
            try:
                return int(stripped)
            except ValueError:
                number = float(stripped)  # "12.0" as SQLite's INTEGER affinity would take it
                if not number.is_integer():
                    raise ValueError("not a whole number") from None
                return int(number)
        return int(value)
    if type_name in _FLOAT_TYPES:
        return float(value.strip() if isinstance(value, str) else value)
    if type_name == "numeric":
        return Decimal(value.strip() if isinstance(value, str) else str(value))
    if type_name == "bool":
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "t", "true", "yes", "on"):
                return True
            if lowered in ("0", "f", "false", "no", "off"):
                return False
            raise ValueError("not a boolean")
        return bool(value)
    return value


# ------------------------------------------------------------------ ids


async def _move_sequences(target: Database) -> dict[str, int]:
    """Every identity (or serial) sequence set to the highest copied id, or the highest id the SQLite
    file reserved ahead of an insert (`id_sequences`), whichever is higher."""
    rows = await target.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%') ORDER BY table_name, column_name"
    )
    reserved: dict[str, int] = {}
    if "id_sequences" in await target.tables():
        reserved = {str(r[0]): int(r[1]) for r in await target.fetchall("SELECT name, last FROM id_sequences")}
    moved: dict[str, int] = {}
    for row in rows:
        table, column = str(row[0]), str(row[1])
        top = await target.fetchval(f"SELECT max({_quote(column)}) FROM {_quote(table)}")
        last = max(int(top or 0), reserved.get(table, 0) if column == "id" else 0)
        if last < 1:
            continue  # nothing copied, nothing reserved: the sequence starts at 1 as made
        await target.execute("SELECT setval(pg_get_serial_sequence(?, ?), ?)", (_quote(table), column, last))
        moved[f"{table}.{column}"] = last
    return moved


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
