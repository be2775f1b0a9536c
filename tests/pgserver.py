"""A throwaway PostgreSQL server for a test session, and fresh empty databases on it.

`PgServer.start()` initialises a cluster in a temporary folder (UTF-8, C collation so text sorts in
the same byte order as SQLite, trust authentication, `fsync=off`), starts it on a free 127.0.0.1 port
with its unix socket inside that folder, and `stop()` stops it and deletes the folder. PostgreSQL
refuses to run as root, so as root the cluster is initialised and started as the unprivileged
`postgres` user (the Debian package creates it). `PgServer.external(url)` uses a server that already
runs (`AFFINITY_TEST_PG_URL`) and never stops it.

`FreshDatabases` hands out empty databases of their own to tests and empties them again for reuse
once a test is over; a background thread keeps a few ready ahead, so a test that asks for one
normally waits for nothing and the event loop of the test never blocks on `CREATE DATABASE`. The
suite's conftest owns the session and decides which tests get them; this module only knows PostgreSQL.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import os
import pwd
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import asyncpg

INSTALL_HINT = "install the server with `apt-get install postgresql` (Debian/Ubuntu)"
# The user the cluster is run as when the suite runs as root (created by the Debian package).
SERVER_OS_USER = "postgres"
# The database superuser the throwaway cluster is initialised with (whatever the OS user).
SUPERUSER = "postgres"
# Databases created ahead of the tests that ask for them: enough to hide creation behind a test.
READY_AHEAD = 3
FOLDER_PREFIX = "affinity-pg-"
OWNER_FILE = "owner.pid"
# Emptied databases kept for reuse at most (beyond that, a database a test is done with is dropped).
MAX_SPARE = 4

T = TypeVar("T")
_MAKERS = itertools.count(1)


class PgUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started; the message is one line saying why."""


def find_bindir() -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`, or None when the server is not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
    # Debian installs the server binaries off PATH, one folder per major version: newest first.
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(argv: list[str]) -> list[str]:
    """`argv` run as the unprivileged server user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", SERVER_OS_USER, "--", *argv]
    return ["su", SERVER_OS_USER, "-s", "/bin/sh", "-c", shlex.join(argv)]


def _run(argv: list[str], what: str, timeout: float = 120) -> None:
    try:
        done = subprocess.run(
            _as_server_user(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            # Ctrl-C in the terminal stops pytest, which stops the server itself; the server must
            # not get the signal first and vanish under the session's teardown.
            start_new_session=True,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PgUnavailable(f"PostgreSQL {what} failed: {exc}") from exc
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        raise PgUnavailable(f"PostgreSQL {what} failed: {last[-1] if last else done.returncode}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _stop_orphans(parent: Path, bindir: Path) -> None:
    """Stop and delete the servers of earlier runs that were killed before they could (their owner is gone)."""
    for folder in parent.glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # not ours, or still being set up
        if _alive(owner):
            continue
        PgServer(admin_url="", folder=folder, bindir=bindir).stop()


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on; `admin_url` reaches its `postgres` db."""

    admin_url: str
    folder: Path | None = None  # set when this session started the server (and must stop it)
    bindir: Path | None = None
    # Settings over the test defaults; with `durable`, fsync and synchronous commits stay on (benchmarks).
    settings: Mapping[str, str] = field(default_factory=dict)
    durable: bool = False

    @classmethod
    def external(cls, url: str) -> PgServer:
        """A server that already runs: databases are created and dropped on it, it is never stopped."""
        return cls(admin_url=url)

    @classmethod
    def start(
        cls, bindir: Path | None = None, *, durable: bool = False, settings: Mapping[str, str] | None = None
    ) -> PgServer:
        """Initialise and start a throwaway server; raise `PgUnavailable` with one line saying why not.

        `durable`: keep PostgreSQL's durability (fsync, synchronous commits, full pages), as the
        benchmarks need for honest figures; `settings` are added to the server's options."""
        bindir = bindir or find_bindir()
        if bindir is None:
            raise PgUnavailable(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}")
        root = os.geteuid() == 0
        if root:
            try:
                account = pwd.getpwnam(SERVER_OS_USER)
            except KeyError:
                raise PgUnavailable(
                    f"running as root and no `{SERVER_OS_USER}` user to run the server as: {INSTALL_HINT}"
                ) from None
        # As root, under /tmp: the server user must reach the folder (a root-only TMPDIR would not do).
        parent = Path("/tmp" if root else tempfile.gettempdir())  # noqa: S108
        _stop_orphans(parent, bindir)
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=parent))
        # Which process owns the server: a run killed outright (SIGKILL) leaves it to the next run to stop.
        (folder / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
        server = cls(admin_url="", folder=folder, bindir=bindir, settings=dict(settings or {}), durable=durable)
        try:
            if root:
                os.chown(folder, account.pw_uid, account.pw_gid)
            data = folder / "data"
            _run(
                [
                    str(bindir / "initdb"),
                    "-D", str(data),
                    "-U", SUPERUSER,
                    "-A", "trust",
                    "-E", "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                "initdb",
            )  # fmt: skip
            server._launch(data, folder)
        except BaseException:
            server.stop()
            raise
        return server

    def _launch(self, data: Path, folder: Path) -> None:
        assert self.bindir is not None
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(folder),
            # Several apps per test, each with a writer and a small read pool, plus test connections.
            "max_connections": "300",
        }
        if not self.durable:
            # A throwaway cluster for tests: durability buys nothing, speed does.
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        settings |= self.settings
        # Another process may take the free port between our probe and the server's bind: retry.
        for attempt in itertools.count(1):
            port = free_port()
            options = " ".join(f"-c {key}={value}" for key, value in settings.items())
            try:
                _run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D", str(data),
                        "-l", str(folder / "server.log"),
                        "-o", f"-p {port} {options}",
                        "-w", "-t", "60",
                        "start",
                    ],
                    "start",
                )  # fmt: skip
            except PgUnavailable as exc:
                if attempt >= 3:
                    # pg_ctl only says that the server did not start; its log says why.
                    log = folder / "server.log"
                    lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
                    raise PgUnavailable(f"{exc} ({lines[-1]})" if lines else str(exc)) from exc
                continue
            self.admin_url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
            return

    def url(self, database: str) -> str:
        """The URL of `database` on this server."""
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def stop(self) -> None:
        """Stop the server this session started and delete its folder; a no-op for an external server."""
        folder, self.folder = self.folder, None
        if folder is None:
            return
        data = folder / "data"
        if self.bindir is not None and (data / "postmaster.pid").exists():
            with contextlib.suppress(PgUnavailable):
                _run([str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], "stop")
        shutil.rmtree(folder, ignore_errors=True)


class FreshDatabases:
    """Empty databases on `server` for tests, made ready ahead in a background thread.

    A database a test is done with is recycled rather than dropped: its sessions are ended (which
    also frees advisory locks), its schemas dropped and `public` created again, which costs a few
    tens of milliseconds where `CREATE DATABASE` + `DROP DATABASE` cost up to several hundred on a
    loaded machine (both measured; see README). What a test sees is the same: an empty database of
    its own, with its own advisory locks and notifications. A recycle that fails drops the database
    and creates a new one.

    The thread runs its own event loop and one admin connection; `take()` and `release()` are plain
    calls, safe from a test's event loop (`take` only waits on a queue that is kept filled).
    """

    def __init__(self, server: PgServer, prefix: str = "t") -> None:
        self.server = server
        # Unique per process and per maker: several makers may share one server.
        self.prefix = f"{prefix}_{os.getpid()}_{next(_MAKERS)}"
        self._names = itertools.count(1)
        self._ready: queue.Queue[str | BaseException] = queue.Queue()
        # Databases in the queue or on their way to it (created or recycled); only the caller's thread
        # changes it.
        self._promised = 0
        # `take` and `release` may be called from a test's own threads (an app served from a thread).
        self._books = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fresh-databases", daemon=True)
        self._thread.start()
        self._admin: asyncpg.Connection | None = None
        self._created: set[str] = set()
        # One admin connection runs one statement at a time.
        self._lock = asyncio.Lock()
        self._strategy = ""
        self._closed = False
        try:
            self._call(self._connect())
        except BaseException:
            self.close()
            raise
        self._refill()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _connect(self) -> None:
        try:
            # Imported here: a SQLite-only run must not need the PostgreSQL driver.
            import asyncpg
        except ImportError:
            raise PgUnavailable("the asyncpg driver is not installed (pip install asyncpg)") from None
        try:
            self._admin = await asyncpg.connect(self.server.admin_url, timeout=30)
            # FILE_COPY (PostgreSQL 15+) copies the tiny template0 faster than WAL_LOG.
            if self._admin.get_server_version().major >= 15:
                self._strategy = " STRATEGY FILE_COPY"
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            parts = urlsplit(self.server.admin_url)
            where = f"{parts.hostname}:{parts.port or 5432}"
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise PgUnavailable(f"PostgreSQL at {where} unreachable: {reason}") from exc

    async def _admin_execute(self, sql: str, *args: object) -> None:
        assert self._admin is not None
        async with self._lock:
            await self._admin.execute(sql, *args)

    async def _new(self) -> str:
        name = f"{self.prefix}_{next(self._names)}"
        # template0: guaranteed empty whatever template1 holds; C collation, so that text sorts in the
        # byte order SQLite uses, on a server of our own or one given (`AFFINITY_TEST_PG_URL`) alike.
        await self._admin_execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'{self._strategy}"
        )
        self._created.add(name)
        return name

    async def _create(self) -> None:
        try:
            self._ready.put(await self._new())
        except BaseException as exc:  # handed to the test that waits, not lost in the thread
            self._ready.put(exc)

    async def _recycle(self, name: str) -> None:
        import asyncpg

        try:
            # Sessions a test left open (an app that was never stopped) end here, and their advisory
            # locks with them; then the schemas go, and with them every table, sequence and type.
            await self._end_sessions(name)
            await self._admin_execute(f'ALTER DATABASE "{name}" RESET ALL')
            conn = await asyncpg.connect(self.server.url(name), timeout=30)
            try:
                schemas = await conn.fetch(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                    "AND nspname <> 'information_schema'"
                )
                drops = "".join(f'DROP SCHEMA "{row[0]}" CASCADE; ' for row in schemas)
                await conn.execute(f"{drops}CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO PUBLIC")
            finally:
                await conn.close(timeout=10)
            self._ready.put(name)
        except Exception:  # any failure: a new database instead of a doubtful one
            await self._drop_quietly(name)
            await self._create()

    async def _end_sessions(self, name: str) -> None:
        """End every session on database `name` and wait until they are gone: a session ends (and lets
        go of its advisory locks) some time after `pg_terminate_backend` returns."""
        assert self._admin is not None
        for _ in range(1000):
            async with self._lock:
                left = await self._admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    name,
                )
            if not left:
                return
            await asyncio.sleep(0.01)
        raise PgUnavailable(f"sessions on {name} do not end")

    def _refill(self) -> None:
        with self._books:
            while self._promised < READY_AHEAD and not self._closed:
                self._promised += 1
                self._spawn(self._create())

    def take(self) -> str:
        """The name of an empty database (made ready ahead; waits only when none is ready yet)."""
        got = self._ready.get(timeout=120)
        with self._books:
            self._promised -= 1
        self._refill()
        if isinstance(got, BaseException):
            raise PgUnavailable(f"CREATE DATABASE failed: {got}") from got
        return got

    def wait_ready(self) -> None:
        """Wait until a database is ready to be taken (without taking it)."""
        got = self._ready.get(timeout=120)
        self._ready.put(got)

    def take_url(self) -> str:
        """The URL of an empty database."""
        return self.server.url(self.take())

    def release(self, name: str) -> None:
        """Give back a database from `take` once its test is over (emptied in the background)."""
        with self._books:
            recycle = not self._closed and self._promised < MAX_SPARE
            if recycle:
                self._promised += 1
        self._spawn(self._recycle(name) if recycle else self._drop_quietly(name))

    async def _drop(self, name: str) -> None:
        # FORCE: a test that failed half-way may have left an app's connections open.
        await self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.discard(name)

    async def _drop_quietly(self, name: str) -> None:
        # A failed drop leaves the database to `close`, which retries every one still created.
        with contextlib.suppress(Exception):
            await self._drop(name)

    def close(self) -> None:
        """Drop every database this object created (in use, ready or on its way) and end the thread."""
        self._closed = True
        if self._thread.is_alive():
            # Databases on their way land in `_created` first, so none escapes the drop below.
            with contextlib.suppress(queue.Empty):
                while self._promised > 0:
                    self._ready.get(timeout=120)
                    self._promised -= 1
            with contextlib.suppress(Exception):
                for name in sorted(self._created):
                    self._call(self._drop(name))
            if self._admin is not None:
                with contextlib.suppress(Exception):
                    self._call(self._admin.close(timeout=10))
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()


class Session:
    """The test session's PostgreSQL: started on first use, stopped by `close` at session end.

    `engine` is what the suite runs on ("sqlite" or "postgresql"); tests that ask for PostgreSQL
    explicitly (the `pg_url` fixture) use the same server whatever the engine. A database asked for
    during a test (between `begin_test` and `end_test`) is given back at the end of that test; one
    asked for outside a test (by a module-scoped fixture, set up before the test begins) lives until
    the session ends. `url_for(key)` gives the database standing for one SQLite file, so an app
    restarted on "the same file" finds its data again.
    """

    def __init__(self, engine: str, external_url: str | None = None) -> None:
        self.engine = engine
        self.external_url = external_url
        self._server: PgServer | None = None
        self._databases: FreshDatabases | None = None
        self._failure: PgUnavailable | None = None
        self._in_test = False
        self._by_key: dict[str, str] = {}  # this test's
        self._handed: list[str] = []  # this test's
        self._kept_by_key: dict[str, str] = {}  # asked for outside a test: until the session ends
        self.overhead = 0.0  # seconds tests waited for fresh databases (for the record)
        self.handed_out = 0
        # Starting the server takes a second: never twice, and never while `close` runs.
        self._starting = threading.Lock()
        self._closed = False
        self._guarded = False
        self._warming: threading.Thread | None = None

    def _guard(self) -> None:
        """Stop the server even when the run ends without pytest's teardown (SIGTERM, a crash in a hook)."""
        if self._guarded or self.external_url:
            return
        self._guarded = True
        atexit.register(self.close)
        # SIGTERM would end the process on the spot; as an interrupt, pytest tears down as on Ctrl-C.
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _interrupt)

    def warm_up(self) -> None:
        """Start the server in the background when there is one to start, so that the first test
        needing it does not wait for it (possibly on its event loop, through an async fixture)."""
        if self.external_url or find_bindir() is not None:
            self._guard()  # here, from the main thread: the only one that may set signal handlers
            self._warming = threading.Thread(target=self.available, name="postgresql-warm-up", daemon=True)
            self._warming.start()

    def settle(self) -> None:
        """Wait (off any event loop: pytest calls this between collection and the first test) until
        the server started in the background is up with a database ready, so that no test's event
        loop waits for it."""
        if self._warming is not None:
            self._warming.join(timeout=120)
        if self._databases is not None:
            self._databases.wait_ready()

    def databases(self) -> FreshDatabases:
        """The database maker, starting the server on first use; `PgUnavailable` when there is none."""
        with self._starting:
            if self._databases is not None:
                return self._databases
            if self._failure is not None:
                raise self._failure
            if self._closed:
                raise PgUnavailable("the test session is over")
            try:
                if self.external_url:
                    self._server = PgServer.external(self.external_url)
                else:
                    self._guard()
                    self._server = PgServer.start()
                self._databases = FreshDatabases(self._server)
            except PgUnavailable as exc:
                self._failure = exc
                self._shut()
                raise
            return self._databases

    def available(self) -> bool:
        """Whether a PostgreSQL server runs (or could be started) for this session."""
        try:
            self.databases()
        except PgUnavailable:
            return False
        return True

    @property
    def failure(self) -> str | None:
        """Why PostgreSQL is unavailable, when a start was tried and failed."""
        return str(self._failure) if self._failure is not None else None

    def fresh_url(self) -> str:
        """The URL of a new empty database: given back at the end of the current test, or at the end
        of the session when asked for outside a test."""
        databases = self.databases()
        started = time.perf_counter()
        name = databases.take()
        self.overhead += time.perf_counter() - started
        self.handed_out += 1
        if self._in_test:
            self._handed.append(name)
        return databases.server.url(name)

    def url_for(self, key: str) -> str:
        """The database standing for `key` (a SQLite file path): the same one for the same key within a
        test (or, outside a test, within the session)."""
        by_key = self._by_key if self._in_test else self._kept_by_key
        if key not in by_key:
            by_key[key] = self.fresh_url()
        return by_key[key]

    def begin_test(self) -> None:
        """A test starts: databases asked for from now on are its own."""
        self._in_test = True

    def end_test(self) -> None:
        """Give back the databases the finished test used (emptied in the background)."""
        self._in_test = False
        handed, self._handed = self._handed, []
        self._by_key.clear()
        if self._databases is not None:
            for name in handed:
                self._databases.release(name)

    def close(self) -> None:
        """Drop every database, stop the server this session started, delete its folder (after a
        start still under way in the background)."""
        with self._starting:
            self._closed = True
            self._shut()

    def _shut(self) -> None:
        databases, self._databases = self._databases, None
        server, self._server = self._server, None
        try:
            if databases is not None:
                databases.close()
        finally:
            if server is not None:
                server.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# The running session, set by the suite's conftest (None outside pytest).
current: Session | None = None
