"""The PostgreSQL server the `pg` benchmark suite measures: `AFFINITY_BENCH_PG_URL` when given, else a
throwaway cluster started for the run (initdb in a temporary folder, UTF-8, C.UTF-8 collation, trust
authentication, a free 127.0.0.1 port) and removed afterwards; and fresh databases on it.

Durability is kept as a production server has it (`fsync=on`, `synchronous_commit=on`, the defaults),
so the figures are honest; only sizes a production server would also raise are changed (shared
buffers, the WAL size between checkpoints), and the suite prints them. As root, the cluster runs as
the `postgres` user (PostgreSQL refuses root).

The test suite has its own, durability-off server helper (tests/pgserver.py): benchmarks do not depend
on tests/, and the two may be unified later.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = ["SETTINGS", "PgServer", "server"]

SERVER_OS_USER = "postgres"
SETTINGS = {
    "shared_buffers": "512MB",  # the 5M-row table and its indexes mostly fit, as on a real server
    "max_wal_size": "4GB",  # no forced checkpoint in the middle of the 5M-row COPY
    "max_connections": "100",
}
"""Server settings changed from PostgreSQL's defaults (fsync and synchronous_commit stay on)."""


class PgUnavailable(RuntimeError):
    """No server given and none could be started; the message says why in one line."""


@dataclass
class PgServer:
    """A server reachable at `admin_url` (its `postgres` database) where the suite creates databases."""

    admin_url: str
    started: bool

    def url(self, database: str) -> str:
        """The URL of `database` on this server."""
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))

    @contextlib.contextmanager
    def database(self, prefix: str) -> Iterator[str]:
        """A new empty database (its URL), dropped afterwards."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import asyncio

        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        # A fresh loop on a worker thread: callers may be inside a running loop.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()


def _bindir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SERVER_OS_USER, "--", *argv]


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise PgUnavailable(f"PostgreSQL {what} failed: {lines[-1] if lines else done.returncode}")


@contextlib.contextmanager
def server() -> Iterator[PgServer]:
    """`AFFINITY_BENCH_PG_URL`'s server, or a throwaway one for the block (raises `PgUnavailable`)."""
    given = os.environ.get("AFFINITY_BENCH_PG_URL")
    if given:
        yield PgServer(given, started=False)
        return
    bindir = _bindir()
    if bindir is None:
        raise PgUnavailable("no AFFINITY_BENCH_PG_URL and no PostgreSQL server binaries (initdb, pg_ctl)")
    root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="affinity-bench-pg-", dir="/tmp" if root else None))  # noqa: S108
    data = folder / "data"
    try:
        if root:
            account = pwd.getpwnam(SERVER_OS_USER)
            os.chown(folder, account.pw_uid, account.pw_gid)
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--locale=C.UTF-8"],
            "initdb",
        )  # fmt: skip
        port = _free_port()
        options = " ".join(
            [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={folder}"]
            + [f"-c {key}={value}" for key, value in SETTINGS.items()]
        )
        _run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w",
             "-t", "60", "start"],
            "start",
        )  # fmt: skip
        try:
            yield PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", started=True)
        finally:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
