"""Schema migrations: the `schema_migrations` table and the runner that applies the files of the top-level
`migrations/` folder, one sub-folder per owner: `migrations/<owner>/NNNN_<what>.sql`.

Owns the layout and naming rules, the order of application across owners, the PostgreSQL spelling of the
shared files, the checksum of applied files (an applied file must never change), the backup taken before
new files are applied to a SQLite database that already holds data, the atomic application of each file
together with its `schema_migrations` row, and the one-time rewrite of the history written by releases
before the owner folders (`LEGACY_NAMES`).

Layout and order:
- an owner is `core`, a platform (`discord`) or a plugin's name; each owner numbers its own files from
  0001, so two features never fight over a number;
- a file is written in the SQL both engines accept; before running it on PostgreSQL the runner spells
  three type words PostgreSQL's way (`INTEGER PRIMARY KEY` becomes an identity, `INTEGER` BIGINT, `REAL`
  DOUBLE PRECISION; outside string literals, quoted names and comments). Where the engines must differ,
  `NNNN_<what>.sqlite.sql` / `NNNN_<what>.postgresql.sql` replaces the shared `NNNN_<what>.sql` on that
  engine only, and the checksum recorded is the one of the file actually applied;
- `core` is applied first, then the other owners in alphabetical order, each owner's files in number
  order. A file that uses another owner's tables says so in a line `-- requires: <owner>/<NNNN>` (several
  may be given, separated by commas), and is then applied after that file.

Rules enforced at start, each failing with a `MigrationError` that names the file:
- every folder under `migrations/` is an owner named in lower case; every `*.sql` file (and any file
  starting with a digit) in it is named `NNNN_<what>[.<engine>].sql` in lower case; a version number is
  used by one migration only, and a version with per-engine files only has one for each engine;
- no `.sql` file is left in the old flat folder `bot/migrations/` (it would otherwise be ignored);
- a `requires` line names a file that exists, and the requirements form no cycle;
- an applied file must still exist and hash to the recorded checksum (sha256 of its bytes with CRLF read
  as LF, so a Windows checkout does not look like an edit);
- a file must not manage transactions itself (BEGIN/COMMIT/...): the runner wraps each file in one.

Statements are split by a small tokenizer of our own rather than by `sqlite3.complete_statement`: the
same tokens tell the PostgreSQL spelling what is code and what is a literal or a comment, and it knows
PostgreSQL's dollar-quoted bodies, which SQLite's splitter would cut at their first semicolon.
"""

from __future__ import annotations

import hashlib
import heapq
import importlib.resources
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.storage.database import Database, Transaction
from bot.storage.times import from_db, to_db

__all__ = [
    "ENGINES",
    "LEGACY_NAMES",
    "MIGRATIONS_DIR",
    "OLD_DIR",
    "MigrationError",
    "apply_migrations",
    "find_migrations_dir",
    "pending_migrations",
    "spell_for_postgresql",
    "split_statements",
]

log = logging.getLogger(__name__)

ENGINES = ("sqlite", "postgresql")
"""The engines a migration must work on; a per-engine file is named after one of them."""

OLD_DIR = Path(__file__).resolve().parents[1] / "migrations"
"""`bot/migrations`, the flat folder of the releases before owner folders: any `.sql` left there is refused."""

LEGACY_NAMES: dict[str, tuple[str, int]] = {
    "0001_core_activity.sql": ("core", 1),
    "0002_core_communities.sql": ("core", 2),
    "0003_discord_command_sync.sql": ("discord", 1),
    "0005_groups_tables.sql": ("groups", 1),
    "0006_questions_tables.sql": ("questions", 1),
    "0007_calendar_tables.sql": ("calendar", 1),
    "0008_digest_tables.sql": ("digest", 1),
    "0009_filters_tables.sql": ("filters", 1),
    "0010_core_due_claims.sql": ("core", 3),
    "0011_groups_digest_optin.sql": ("groups", 2),
    "0012_core_messages_index.sql": ("core", 4),
    "0013_filters_watch_message_index.sql": ("filters", 2),
    "0014_calendar_series_disabled.sql": ("calendar", 2),
    # Indexes on the questions table: they belong to the table's owner. Left in `core`, they would run
    # before the table exists on a new database, since `core` is applied first.
    "0015_core_questions_read_indexes.sql": ("questions", 2),
    "0016_example_polls.sql": ("example", 1),
    # Flat on main for a while before the move (never released): development databases may have them.
    "0017_core_job_runs.sql": ("core", 6),
    "0018_core_id_sequences.sql": ("core", 5),
}
"""Name in the old flat history (version INTEGER PRIMARY KEY, name such as `0001_core_activity.sql`) ->
(owner, version) of the same bytes in `migrations/<owner>/`. Closed: new migrations never go here."""


def find_migrations_dir() -> Path:
    """The migrations folder: `<checkout>/migrations` beside `bot/`, else the copy installed with the
    package (a wheel carries the folder as the package data of `bot._migrations`, see setup.py)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "migrations").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / "migrations"
    installed = importlib.resources.files("bot") / "_migrations"
    return Path(str(installed))


MIGRATIONS_DIR = find_migrations_dir()
"""The default the app passes to `apply_migrations` unless `database.migrations_dir` overrides it. Applied
files are recorded by owner, version, name and checksum, never by path, so moving the folder keeps
databases valid."""

_OWNER = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^(?P<version>\d{4})_(?P<what>[a-z0-9][a-z0-9_]*)(?:\.(?P<engine>[a-z0-9]+))?\.sql$")
_REQUIRES = re.compile(r"^--\s*requires:(?P<items>.*)$", re.MULTILINE | re.IGNORECASE)
_REQUIREMENT = re.compile(r"^(?P<owner>[a-z][a-z0-9_]*)/(?P<version>\d{4})$")
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_TRANSACTION_WORDS = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "START", "ABORT"})
# A constant key for pg_advisory_xact_lock: processes starting together on one PostgreSQL server apply
# each file once, one after the other (on SQLite, BEGIN IMMEDIATE already serialises them).
_PG_LOCK_KEY = 0x61666D67  # "afmg"

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS {table} (
    owner TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (owner, version)
)
"""


class MigrationError(Exception):
    """The migrations folder or the database's migration history is inconsistent; start is refused."""


@dataclass(frozen=True, slots=True)
class _File:
    owner: str
    version: int
    name: str  # the file applied on this engine: 0001_activity.sql, or 0003_x.postgresql.sql
    path: Path
    checksum: str
    requires: tuple[tuple[str, int], ...]

    @property
    def key(self) -> tuple[str, int]:
        return (self.owner, self.version)

    @property
    def label(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class _Applied:
    owner: str
    version: int
    name: str  # the new-layout name, or the old flat name when `legacy`
    checksum: str
    applied_at: str
    legacy: bool = False

    @property
    def label(self) -> str:
        return self.name if self.legacy else f"{self.owner}/{self.name}"


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _label(key: tuple[str, int]) -> str:
    return f"{key[0]}/{key[1]:04d}"


# ------------------------------------------------------------------ the folder


def _refuse_old_layout() -> None:
    """A file still in bot/migrations would be silently ignored: refuse to start instead."""
    if not OLD_DIR.is_dir():
        return
    stray = sorted(path.name for path in OLD_DIR.iterdir() if path.suffix == ".sql")
    if stray:
        raise MigrationError(
            f"{OLD_DIR} still holds {', '.join(stray)}: migrations now live in migrations/<owner>/NNNN_<what>.sql, "
            f"numbered per owner; move each file there under its owner's next number"
        )


def _requirements(owner: str, name: str, text: str) -> tuple[tuple[str, int], ...]:
    found: list[tuple[str, int]] = []
    for line in _REQUIRES.finditer(text):
        for item in filter(None, re.split(r"[,\s]+", line["items"])):
            match = _REQUIREMENT.match(item)
            if match is None:
                raise MigrationError(
                    f"migration {owner}/{name}: cannot read the requirement {item!r}; write "
                    f"'-- requires: <owner>/<NNNN>', e.g. '-- requires: groups/0001'"
                )
            found.append((match["owner"], int(match["version"])))
    return tuple(found)


def _owner_files(owner: str, folder: Path, engine: str) -> list[_File]:
    """One owner's files for `engine`, after checking names, numbers and per-engine variants."""
    # version -> engine (None for the shared file) -> (what, path)
    variants: dict[int, dict[str | None, tuple[str, Path]]] = {}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith("."):
            continue
        if path.is_dir():
            raise MigrationError(f"{path} is a folder inside the migrations of {owner}: files go directly in {folder}")
        if not (name.endswith(".sql") or name[:1].isdigit()):
            continue  # README.md and the like
        match = _NAME.match(name)
        if match is None or (match["engine"] is not None and match["engine"] not in ENGINES):
            raise MigrationError(
                f"migration file {owner}/{name} is badly named: expected NNNN_<what>.sql in lower case (or "
                f"NNNN_<what>.sqlite.sql / NNNN_<what>.postgresql.sql for one engine), "
                f"e.g. migrations/core/0001_activity.sql"
            )
        version = int(match["version"])
        same = variants.setdefault(version, {})
        for other_what, other in same.values():
            if other_what != match["what"]:
                raise MigrationError(
                    f"migrations {owner}/{other.name} and {owner}/{name} share the version number "
                    f"{version:04d}; renumber the one that was not applied yet (next free number of {owner})"
                )
        same[match["engine"]] = (match["what"], path)
    files: list[_File] = []
    for version in sorted(variants):
        same = variants[version]
        for each in ENGINES:  # every engine must find its file, whichever engine runs now
            if each not in same and None not in same:
                what, _path = next(iter(same.values()))
                raise MigrationError(
                    f"migration {owner}/{version:04d}_{what} has no file for {each}: add the shared "
                    f"{version:04d}_{what}.sql or {version:04d}_{what}.{each}.sql"
                )
        _what, path = same.get(engine) or same[None]
        data = path.read_bytes()
        requires = _requirements(owner, path.name, data.decode("utf-8", errors="replace"))
        files.append(_File(owner, version, path.name, path, _checksum(data), requires))
    return files


def _ordered(files: list[_File]) -> list[_File]:
    """`core` first, then the other owners alphabetically, each in number order; `requires` may delay a
    file until what it needs is applied (a topological order, ties broken by that rule)."""
    by_key = {f.key: f for f in files}
    needs: dict[tuple[str, int], set[tuple[str, int]]] = {f.key: set() for f in files}
    previous: dict[str, tuple[str, int]] = {}
    for file in sorted(files, key=lambda f: f.key):
        if file.owner in previous:
            needs[file.key].add(previous[file.owner])
        previous[file.owner] = file.key
        for required in file.requires:
            if required not in by_key:
                raise MigrationError(
                    f"migration {file.label} requires {_label(required)}, which is not in the migrations folder"
                )
            if required != file.key:
                needs[file.key].add(required)
    waiting_on: dict[tuple[str, int], set[tuple[str, int]]] = {key: set() for key in needs}
    for key, required_keys in needs.items():
        for required in required_keys:
            waiting_on[required].add(key)

    def rank(key: tuple[str, int]) -> tuple[bool, str, int]:
        return (key[0] != "core", key[0], key[1])

    ready = [rank(key) for key, required_keys in needs.items() if not required_keys]
    heapq.heapify(ready)
    order: list[_File] = []
    while ready:
        _not_core, owner, version = heapq.heappop(ready)
        key = (owner, version)
        order.append(by_key[key])
        for later in waiting_on[key]:
            needs[later].discard(key)
            if not needs[later]:
                heapq.heappush(ready, rank(later))
    if len(order) < len(files):
        stuck = sorted(by_key[key].label for key, required_keys in needs.items() if required_keys)
        raise MigrationError(f"the requirements of these migrations form a cycle: {', '.join(stuck)}")
    return order


def _read_directory(directory: Path, engine: str) -> list[_File]:
    """Every migration for `engine`, in the order of application, after checking the layout."""
    _refuse_old_layout()
    if not directory.is_dir():
        raise MigrationError(f"the migrations folder {directory} does not exist")
    files: list[_File] = []
    for path in sorted(directory.iterdir()):
        name = path.name
        if name.startswith((".", "_")):
            continue  # .git-like entries, __pycache__
        if path.is_dir():
            if not _OWNER.match(name):
                raise MigrationError(
                    f"{path} is not an owner's folder: an owner is named in lower case (core, discord or a "
                    f"plugin's name)"
                )
            files.extend(_owner_files(name, path, engine))
        elif name.endswith(".sql") or name[:1].isdigit():
            raise MigrationError(
                f"migration file {name} sits directly in {directory}: put it in the folder of its owner, "
                f"e.g. {directory / 'core' / '0005_what.sql'}"
            )
    return _ordered(files)


# ------------------------------------------------------------------ the history


async def _columns(sql: Database | Transaction, engine: str) -> set[str]:
    if engine == "postgresql":
        rows = await sql.fetchall(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        )
    else:
        rows = await sql.fetchall("SELECT name FROM pragma_table_info('schema_migrations')")
    return {row[0] for row in rows}


async def _history(db: Database, engine: str) -> dict[tuple[str, int], _Applied]:
    """What the database says was applied, in the old flat shape or the new one (empty when new)."""
    if "schema_migrations" not in await db.tables():
        return {}
    if "owner" in await _columns(db, engine):
        rows = await db.fetchall("SELECT owner, version, name, checksum, applied_at FROM schema_migrations")
        return {(row[0], row[1]): _Applied(row[0], row[1], row[2], row[3], row[4]) for row in rows}
    history: dict[tuple[str, int], _Applied] = {}
    for row in await db.fetchall("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"):
        name = row[1]
        if name not in LEGACY_NAMES:
            raise MigrationError(
                f"the database has migration {name} applied (recorded before migrations moved to "
                f"migrations/<owner>/) but this version of the bot does not know it: is this an older "
                f"version of the bot than the one that wrote the database?"
            )
        owner, version = LEGACY_NAMES[name]
        history[(owner, version)] = _Applied(owner, version, name, row[2], row[3], legacy=True)
    return history


def _check_history(files: list[_File], applied: dict[tuple[str, int], _Applied]) -> list[_File]:
    """Refuse edited or vanished applied files; return the files still to apply, in order."""
    by_key = {f.key: f for f in files}
    for key, record in applied.items():
        file = by_key.get(key)
        if file is None:
            raise MigrationError(
                f"the database has migration {record.label} applied but the file is missing from the "
                f"migrations folder: is this an older version of the bot than the one that wrote the "
                f"database?"
            )
        if file.checksum != record.checksum or (not record.legacy and file.name != record.name):
            day = from_db(record.applied_at).date().isoformat()
            was = f" (applied as {record.name})" if record.legacy else ""
            raise MigrationError(
                f"migration {file.label}{was} was edited after it was applied on {day}; applied migrations "
                f"must never change: restore it and put the change in a new file"
            )
    return [f for f in files if f.key not in applied]


async def _lock(sql: Database | Transaction, engine: str) -> None:
    """Serialise the runners of several processes (PostgreSQL; SQLite's BEGIN IMMEDIATE already does)."""
    if engine == "postgresql":
        await sql.fetchval(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


async def _rewrite_history(db: Database, engine: str, files: list[_File]) -> None:
    """Turn the old flat history into (owner, version) rows, in one transaction: same checksums and
    application times, names of the files in their new places."""
    by_key = {f.key: f for f in files}
    async with db.transaction() as tx:
        await _lock(tx, engine)
        if "owner" in await _columns(tx, engine):
            return  # another process did it meanwhile
        await tx.execute(_CREATE_TABLE.format(table="schema_migrations_owned"))
        rows = await tx.fetchall("SELECT name, checksum, applied_at FROM schema_migrations ORDER BY version")
        for name, checksum, applied_at in ((row[0], row[1], row[2]) for row in rows):
            owner, version = LEGACY_NAMES[name]
            await tx.execute(
                "INSERT INTO schema_migrations_owned (owner, version, name, checksum, applied_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (owner, version, by_key[(owner, version)].name, checksum, applied_at),
            )
        await tx.execute("DROP TABLE schema_migrations")
        await tx.execute("ALTER TABLE schema_migrations_owned RENAME TO schema_migrations")


# ------------------------------------------------------------------ the SQL of one file

_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*')
    | (?P<quoted>"(?:[^"]|"")*")
    | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*|)\$.*?\$(?P=tag)\$)
    | (?P<unterminated>/\*|'|"|\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<semicolon>;)
    | (?P<other>\s+|[^\sA-Za-z_;'"$/-]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODE = frozenset({"word", "semicolon", "other"})
_POSTGRES_TYPES = re.compile(r"\b(?:(?P<key>INTEGER\s+PRIMARY\s+KEY)|(?P<integer>INTEGER)|(?P<real>REAL))\b", re.I)
_POSTGRES_SPELLING = {
    "key": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    "integer": "BIGINT",
    "real": "DOUBLE PRECISION",
}


def _tokens(script: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token; a string, quoted name, comment or dollar body left open is refused."""
    for match in _TOKEN.finditer(script):
        kind = match.lastgroup  # the outermost group: "dollar", never its "tag"
        assert kind is not None
        if kind == "unterminated":
            line = script.count("\n", 0, match.start()) + 1
            raise MigrationError(f"line {line}: {match.group()} is never closed")
        yield kind, match.group()


def spell_for_postgresql(script: str) -> str:
    """The script with SQLite's type words spelled PostgreSQL's way, in code only (never in literals,
    quoted names or comments): `INTEGER PRIMARY KEY` becomes an identity, `INTEGER` BIGINT (SQLite's
    integers are 64-bit), `REAL` DOUBLE PRECISION (SQLite's reals are 8-byte floats)."""
    pieces: list[str] = []
    code = ""
    for kind, text in _tokens(script):
        if kind in _CODE:
            code += text
            continue
        pieces.append(_POSTGRES_TYPES.sub(lambda m: _POSTGRES_SPELLING[m.lastgroup or ""], code))
        pieces.append(text)
        code = ""
    pieces.append(_POSTGRES_TYPES.sub(lambda m: _POSTGRES_SPELLING[m.lastgroup or ""], code))
    return "".join(pieces)


def split_statements(script: str) -> list[str]:
    """The script's statements without their final `;`. A semicolon ends a statement unless it is in a
    literal, a quoted name, a comment or a dollar-quoted body, or inside the BEGIN ... END of a trigger
    (where CASE ... END nests); a last statement without `;` is kept, an open trigger body refused."""
    statements: list[str] = []
    current: list[str] = []
    words: list[str] = []  # the first words of the statement, to recognise CREATE ... TRIGGER
    depth = 0  # BEGIN ... END (and CASE ... END inside it) still open in a trigger
    content = False  # anything but blanks and comments seen
    for kind, text in _tokens(script):
        if kind == "semicolon" and depth == 0:
            if content:
                statements.append("".join(current).strip())
            current, words, content = [], [], False
            continue
        current.append(text)
        if kind != "comment" and text.strip():
            content = True
        if kind != "word":
            continue
        word = text.upper()
        if len(words) < 4:
            words.append(word)
        trigger = words[0] == "CREATE" and "TRIGGER" in words[1:4]
        if not trigger:
            continue
        if word == "BEGIN" or (word == "CASE" and depth > 0):
            depth += 1
        elif word == "END" and depth > 0:
            depth -= 1
    if depth:
        raise MigrationError("the script ends with an incomplete statement (a trigger's BEGIN without END;?)")
    if content:
        statements.append("".join(current).strip())
    return statements


def _first_word(statement: str) -> str:
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    return body.split(None, 1)[0].upper() if body else ""


def _statements_of(file: _File, engine: str) -> list[str]:
    """The statements of a file as `engine` runs them, after refusing what the runner must do itself."""
    try:
        script = file.path.read_bytes().decode("utf-8")
        if engine == "postgresql":
            script = spell_for_postgresql(script)
        statements = split_statements(script)
    except UnicodeDecodeError as exc:
        raise MigrationError(f"migration {file.label} is not UTF-8 text ({exc})") from exc
    except MigrationError as exc:
        raise MigrationError(f"migration {file.label}: {exc}") from exc
    for index, statement in enumerate(statements, start=1):
        if _first_word(statement) in _TRANSACTION_WORDS:
            raise MigrationError(
                f"migration {file.label} must not manage transactions (statement {index}: "
                f"{_LEADING_COMMENTS.sub('', statement, count=1).splitlines()[0]}); the runner wraps each file in one"
            )
    return statements


async def _run_file(tx: Transaction, file: _File, statements: list[str], now: datetime) -> None:
    """Apply one file's statements and record it; the caller's transaction makes both atomic."""
    for index, statement in enumerate(statements, start=1):
        try:
            await tx.execute(statement)
        # Whatever the engine or driver raised (syntax, missing table, lost connection), the file's
        # transaction is rolled back: say which statement of which file, keep the cause chained.
        except Exception as exc:
            first_line = _LEADING_COMMENTS.sub("", statement, count=1).splitlines()[0]
            raise MigrationError(
                f"migration {file.label} failed at statement {index} ({first_line} ...): "
                f"{exc}; nothing of this file was applied"
            ) from exc
    await tx.execute(
        "INSERT INTO schema_migrations (owner, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
        (file.owner, file.version, file.name, file.checksum, to_db(now)),
    )


# ------------------------------------------------------------------ the runner


async def _has_data(db: Database, applied: dict[tuple[str, int], _Applied]) -> bool:
    """True unless the database is brand new (no migration applied, no table of any kind)."""
    return bool(applied) or bool(await db.tables() - {"schema_migrations"})


def _backup_path(path: Path, now: datetime, what: str) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return path.with_name(f"{path.name}.{stamp}.before-{what}.bak")


async def pending_migrations(db: Database, directory: Path) -> list[str]:
    """Labels (`owner/NNNN_what.sql`) of the files not applied yet, in order of application; raises
    MigrationError on an inconsistent folder or history. Writes nothing (an old history is read as is)."""
    engine = db.engine
    files = _read_directory(Path(directory), engine)
    return [f.label for f in _check_history(files, await _history(db, engine))]


async def apply_migrations(db: Database, directory: Path, *, now: datetime) -> list[str]:
    """Apply the pending files in order, each atomically; returns their labels (`owner/NNNN_what.sql`).

    A history in the old flat shape is first rewritten in the new one (one transaction). On SQLite, a
    database that holds data is backed up once before anything is written."""
    engine = db.engine
    files = _read_directory(Path(directory), engine)
    applied = await _history(db, engine)
    pending = _check_history(files, applied)
    # Every pending file is read and split before the first write, so a bad one stops the start cleanly.
    statements = {file.key: _statements_of(file, engine) for file in pending}
    legacy = any(record.legacy for record in applied.values())
    if not pending and not legacy:
        return []
    if engine == "sqlite":
        if await _has_data(db, applied) and db.path is not None and str(db.path) != ":memory:":
            what = "owner-folders" if legacy else f"{pending[0].owner}-{pending[0].version:04d}"
            await db.backup_to(_backup_path(db.path, now, what))
    elif applied:
        log.info("%s: no backup is taken on PostgreSQL: run pg_dump before upgrading (docs/deployment.md)", db.label)
    if legacy:
        await _rewrite_history(db, engine, files)
    async with db.transaction() as tx:
        await _lock(tx, engine)
        await tx.execute(_CREATE_TABLE.format(table="schema_migrations"))
    done: list[str] = []
    for file in pending:
        async with db.transaction() as tx:
            await _lock(tx, engine)
            # Re-checked under the write lock: another process may have applied it meanwhile.
            if await tx.fetchval(
                "SELECT 1 FROM schema_migrations WHERE owner = ? AND version = ?", (file.owner, file.version)
            ):
                continue
            await _run_file(tx, file, statements[file.key], now)
        done.append(file.label)
    return done
