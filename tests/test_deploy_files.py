"""The deployment files (deploy/, docs/deploy.md) hold what a user running them would hit.

No Docker engine runs on the development machine, so compose is never started here; instead the files
are read the way compose, systemd and the bot read them: every configuration a service mounts exists and
passes the bot's own loader, each process starts only its platform, the Discord shards cover every id
once, every process shares one database and the same settings, no committed file holds a secret, the
unit files pass `systemd-analyze verify` and run the project's entry point, and the backup script makes
copies that restore (SQLite always; PostgreSQL when the suite has a server, or AFFINITY_TEST_PG_URL
names one).
"""

from __future__ import annotations

import asyncio
import configparser
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from bot.__main__ import main as bot_main
from bot.__main__ import network_platforms
from bot.config import Config, load_config
from bot.redaction import looks_like_token, mask

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
DOCS = ROOT / "docs" / "deploy.md"
CONFIG_VAR = "AFFINITY_BOT_CONFIG"
# Where the systemd units expect the checkout (docs/deploy.md, "systemd").
APP_DIR = "/opt/affinity-bot/app"
PG_URL = os.environ.get("AFFINITY_TEST_PG_URL")


def compose() -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def bot_services() -> dict[str, dict[str, Any]]:
    """The services running the bot image (they name their configuration in AFFINITY_BOT_CONFIG)."""
    return {name: s for name, s in compose()["services"].items() if CONFIG_VAR in (s.get("environment") or {})}


def running_bots() -> dict[str, dict[str, Any]]:
    """The long-running bot processes (the one-shot `migrate` left out)."""
    return {name: s for name, s in bot_services().items() if name != "migrate"}


def mounted_config(service: dict[str, Any]) -> Path:
    """The host file mounted where the service's AFFINITY_BOT_CONFIG points; it must be read-only."""
    inside = service["environment"][CONFIG_VAR]
    volumes: list[str] = service.get("volumes", [])
    for volume in volumes:
        host, container, *options = volume.split(":")
        if container == inside:
            assert options == ["ro"], f"{volume}: the configuration must be mounted read-only"
            return (DEPLOY / host).resolve()
    raise AssertionError(f"nothing is mounted at {inside}")


def env_file_keys(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (comments and blank lines skipped)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value
    return pairs


def service_env(service: dict[str, Any]) -> dict[str, str]:
    """The environment a service's process gets once its env files are filled in (made-up values)."""
    env = {key: str(value) for key, value in (service.get("environment") or {}).items()}
    for name in service.get("env_file", []):
        example = DEPLOY / f"{name}.example"
        assert example.is_file(), f"{name}: compose reads it, but no {example.name} tells the user what goes in"
        env.update({key: f"made-up-{key.lower()}" for key in env_file_keys(example)})
    return env


def raw_config(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def load(path: Path, env: dict[str, str]) -> Config:
    """The configuration as the bot loads it (ConfigError naming the key path when wrong)."""
    return load_config(path, env)


def project_scripts() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    scripts = data["project"]["scripts"]
    assert isinstance(scripts, dict)
    return scripts


# --- compose -----------------------------------------------------------------------------------------


def test_compose_runs_postgres_two_discord_shards_and_slack() -> None:
    services = compose()["services"]
    assert {"postgres", "discord-shard-0", "discord-shard-1", "slack"} <= set(services)
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:15"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"]), "the data must live on a volume"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert postgres["restart"] == "unless-stopped"
    for name, service in running_bots().items():
        assert service["restart"] == "unless-stopped", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
    migrate = services["migrate"]
    assert migrate["command"] == ["affinity-bot", "migrate"]
    assert migrate["restart"] == "no", "a one-shot run that exits 0 must not be restarted"


def test_every_mounted_configuration_exists_and_passes_the_bots_loader() -> None:
    for name, service in bot_services().items():
        path = mounted_config(service)
        assert path.is_file(), f"{name} mounts {path}, which does not exist"
        load(path, service_env(service))  # raises ConfigError with the key path when wrong


def test_each_process_starts_only_its_own_platform() -> None:
    # With every env file filled in, a Discord process must not start Slack too (nor the reverse):
    # the platform starts wherever its secret is set, so each service reads only its own secrets.
    for name, service in running_bots().items():
        env = service_env(service)
        started, _ = network_platforms(load(mounted_config(service), env), env)
        assert started == (["slack"] if name == "slack" else ["discord"]), name


def test_discord_shard_ids_cover_every_shard_exactly_once() -> None:
    counts, ids = set(), []
    for service in running_bots().values():
        discord = load(mounted_config(service), service_env(service)).platforms.discord
        if service_env(service).get(discord.token_env):
            assert discord.shard_count is not None and discord.shard_ids, "a shard process names its shards"
            counts.add(discord.shard_count)
            ids.extend(discord.shard_ids)
    assert len(counts) == 1, f"every Discord process must say the same shard_count (got {sorted(counts)})"
    assert sorted(ids) == list(range(counts.pop())), f"shard ids {sorted(ids)} must cover 0..shard_count-1 once"


def test_every_process_uses_the_same_database_and_settings() -> None:
    services = bot_services()
    databases = {name: raw_config(mounted_config(s))["database"] for name, s in services.items()}
    assert len({repr(sorted(d.items())) for d in databases.values()}) == 1, databases
    database = next(iter(databases.values()))
    url = urlsplit(database["url"])
    assert url.scheme == "postgresql"
    assert url.password is None, "the password must come from the environment, never the file"
    assert url.hostname in compose()["services"], f"{url.hostname}: not a compose service"
    assert url.username == compose()["services"]["postgres"]["environment"]["POSTGRES_USER"]
    assert url.path.lstrip("/") == compose()["services"]["postgres"]["environment"]["POSTGRES_DB"]
    for name, service in services.items():
        assert database["password_env"] in service_env(service), f"{name} gets no {database['password_env']}"
    # Everything but the platforms part is the same in every process: plugins, their settings, locale...
    loaded = [load(mounted_config(s), service_env(s)) for s in services.values()]
    shared = {c.model_copy(update={"platforms": Config().platforms}).model_dump_json() for c in loaded}
    assert len(shared) == 1, "the processes' configurations differ outside platforms:"


def test_the_configurations_name_a_database_the_loader_knows() -> None:
    for service in bot_services().values():
        database = load_config(mounted_config(service), service_env(service)).database
        assert database.engine == "postgresql" and database.effective_url == "postgresql://affinity@postgres/affinity"
        assert database.password_env == "POSTGRES_PASSWORD"


def test_postgres_is_initialised_with_byte_order_collation() -> None:
    args = compose()["services"]["postgres"]["environment"]["POSTGRES_INITDB_ARGS"].split()
    assert "--lc-collate=C" in args and "--encoding=UTF8" in args


# --- secrets -----------------------------------------------------------------------------------------


def committed_deploy_files() -> Iterator[Path]:
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".env"):
            yield path
    if DOCS.is_file():
        yield DOCS


def test_no_committed_deployment_file_holds_a_secret() -> None:
    for path in committed_deploy_files():
        text = path.read_text(encoding="utf-8")
        # Every word checked against the token shapes the bot masks (Discord, Slack, 32-hex secrets).
        shaped = [word for word in re.split(r"[\s'\"`=:,;()\[\]{}<>|]+", text) if looks_like_token(word)]
        assert not shaped, f"{path}: something shaped like a token: {[mask(word) for word in shaped]}"
        assert not re.search(r"postgres(ql)?://[^/@\s]*:[^/@\s]+@", text), f"{path}: a password in a database URL"
    for example in DEPLOY.glob("secrets/*.env.example"):
        filled = {k: v for k, v in env_file_keys(example).items() if v.strip()}
        assert not filled, f"{example}: the example must leave every value empty (got {sorted(filled)})"
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|TOKEN|SECRET", key):
                pytest.fail(f"{name}: {key}={value!r} in compose.yaml; secrets go in the env files")


def test_the_real_secret_files_are_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for service in compose()["services"].values():
        for name in service.get("env_file", []):
            path = (DEPLOY / name).relative_to(ROOT)
            ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT, check=False)  # noqa: S607
            assert ignored.returncode == 0, f"{path} would be committed: it holds secrets"


# --- image -------------------------------------------------------------------------------------------


def test_the_image_runs_the_entry_point_as_an_unprivileged_user() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert [i for i in instructions if i.startswith("FROM ")][-1].split()[1] == "python:3.11-slim"
    user = [i for i in instructions if i.startswith("USER ")]
    assert user and user[-1].split()[1] not in ("root", "0"), "the bot must not run as root"
    cmd = [i for i in instructions if i.startswith("CMD ")][-1]
    assert cmd.startswith('CMD ["affinity-bot", "run"'), cmd
    assert "affinity-bot" in project_scripts()


def test_the_build_context_keeps_what_pip_needs() -> None:
    # deploy/Dockerfile.dockerignore leaves everything out, then lets back what `pip wheel .` reads.
    rules = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    kept = {line[1:].strip("/") for line in rules if line.startswith("!")}
    assert "*" in rules
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    needed = {"pyproject.toml", pyproject["project"]["readme"]}
    find = pyproject.get("tool", {}).get("setuptools", {}).get("packages", {})
    needed |= {
        pattern.rstrip("*") for pattern in (find.get("find", {}).get("include", []) if isinstance(find, dict) else [])
    }
    # The package folders and build files of this checkout, whichever ones it has (setup.py and the
    # top-level migrations/ came with issue 16).
    needed |= {
        name
        for name in ("bot", "plugins", "migrations", "setup.py", "setup.cfg", "MANIFEST.in")
        if (ROOT / name).exists()
    }
    assert needed <= kept, f"the image would be built without {sorted(needed - kept)}"


# --- systemd -----------------------------------------------------------------------------------------


def unit(name: str) -> configparser.ConfigParser:
    # strict=False: systemd allows a key several times (EnvironmentFile=); no interpolation: %i is systemd's.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((SYSTEMD / name).read_text(encoding="utf-8"))
    return parser


def test_the_units_run_the_projects_entry_point_and_files() -> None:
    bot = unit("affinity-bot@.service")["Service"]
    program, *args = bot["ExecStart"].split()
    assert Path(program).name in project_scripts() and args == ["run"]
    assert program.startswith(f"{APP_DIR}/.venv/bin/")
    assert bot["Environment"] != "" and bot["WorkingDirectory"] in bot["ReadWritePaths"].split()
    for key, value in {"NoNewPrivileges": "true", "ProtectSystem": "strict", "RestartPreventExitStatus": "2"}.items():
        assert bot[key] == value, key
    backup = unit("affinity-bot-backup.service")["Service"]
    python, script, *_ = backup["ExecStart"].split()
    assert python == f"{APP_DIR}/.venv/bin/python"
    assert (ROOT / Path(script).relative_to(APP_DIR)).is_file(), f"{script}: not a file of the project"
    assert backup["Type"] == "oneshot" and backup["ProtectSystem"] == "strict"
    timer = unit("affinity-bot-backup.timer")
    assert timer["Timer"]["Persistent"] == "true" and "OnCalendar" in timer["Timer"]


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # An instance of the template as systemctl would start it, and the backup pair side by side.
    shutil.copy(SYSTEMD / "affinity-bot@.service", tmp_path / "affinity-bot@discord-0.service")
    for name in ("affinity-bot-backup.service", "affinity-bot-backup.timer"):
        shutil.copy(SYSTEMD / name, tmp_path / name)
    for name in ("affinity-bot@discord-0.service", "affinity-bot-backup.service", "affinity-bot-backup.timer"):
        done = subprocess.run([analyze, "verify", str(tmp_path / name)], capture_output=True, text=True, check=False)
        # The programs live where the install puts them, not on this machine; anything else is a mistake.
        problems = [
            line
            for line in (done.stdout + done.stderr).splitlines()
            if line.strip() and not re.search(rf"Command {APP_DIR}/\.venv/bin/\S+ is not executable", line)
        ]
        assert not problems, f"{name}: {problems}"


# --- backups -----------------------------------------------------------------------------------------


def backup_script() -> ModuleType:
    spec = spec_from_file_location("deploy_backup", DEPLOY / "backup.py")
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass resolves annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def sqlite_config(tmp_path: Path, db: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"database": {"url": f"sqlite:///{db}"}}), encoding="utf-8")
    return path


def test_sqlite_backup_of_a_live_database_restores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "data" / "affinity-bot.db"
    config = sqlite_config(tmp_path, db)
    env = {"PATH": os.environ.get("PATH", "")}
    assert bot_main(["--config", str(config), "migrate"], env) == 0  # a real bot database, migrated
    with sqlite3.connect(db) as writer:
        writer.execute(
            "INSERT INTO communities (community, created_at) VALUES ('console:kept', '2026-12-06T03:00:00Z')"
        )
    # The bot is still writing: a transaction in progress must not reach the copy, nor block it.
    busy = sqlite3.connect(db, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    busy.execute("INSERT INTO communities (community, created_at) VALUES ('console:in-flight', '2026-12-06T03:00:00Z')")
    try:
        now = datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
        code = backup_script().main(["--config", str(config), "--to", str(tmp_path / "backups")], env, now)
    finally:
        busy.execute("ROLLBACK")
        busy.close()
    assert code == 0, capsys.readouterr().err
    copy = tmp_path / "backups" / "affinity-bot-20261206T033000Z.db"
    assert copy.stat().st_mode & 0o777 == 0o600, "a backup holds member data: owner only"
    assert not list((tmp_path / "backups").glob("*.partial"))
    # Restore as docs/deploy.md says: the bot stopped, the copy in place, no -wal/-shm of the old file left.
    restored = tmp_path / "restored" / "affinity-bot.db"
    restored.parent.mkdir()
    shutil.copy(copy, restored)
    assert bot_main(["--config", str(sqlite_config(tmp_path, restored)), "migrate"], env) == 0
    with sqlite3.connect(restored) as check:
        communities = {row[0] for row in check.execute("SELECT community FROM communities")}
    assert "console:kept" in communities and "console:in-flight" not in communities


def test_sqlite_backup_never_creates_the_database_it_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "affinity-bot.db"
    env = {"PATH": os.environ.get("PATH", "")}
    code = backup_script().main(["--config", str(sqlite_config(tmp_path, db)), "--to", str(tmp_path / "b")], env)
    assert code == 1
    assert "no database file there" in capsys.readouterr().err
    assert not db.exists() and not list((tmp_path / "b").iterdir())


def test_old_copies_are_pruned_and_the_newest_always_kept(tmp_path: Path) -> None:
    script = backup_script()
    folder = tmp_path / "backups"
    folder.mkdir()
    names = ["affinity-bot-20261101T033000Z.db", "affinity-bot-20261130T033000Z.db", "notes.txt", "other-1.db"]
    for name in names:
        (folder / name).write_text("x")
    now = datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
    removed = script.prune(folder, script.timedelta(days=14), now)
    assert [p.name for p in removed] == ["affinity-bot-20261101T033000Z.db"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names[1:])
    # Long after the last copy, it is still kept: an old backup beats none.
    assert script.prune(folder, script.timedelta(days=14), datetime(2027, 6, 1, tzinfo=UTC)) == []


# --- PostgreSQL (a real server) -----------------------------------------------------------------------

# Text a community stores (names, keys, ISO times), in an order a linguistic collation would change.
TEXTS = ["Zoé", "apple", "Apple", "_tag", "a-b", "ab", "a b", "Éclair", "eclair", "2026-12-06T09:00:00Z", "z", "Ω", "é"]


@pytest.fixture
def pg_admin(request: pytest.FixtureRequest) -> str:
    """A PostgreSQL URL whose user may create databases: the suite's server (the `pg_url` fixture of
    tests/conftest.py, when the suite has one), else AFFINITY_TEST_PG_URL; skipped without a server."""
    try:
        return str(request.getfixturevalue("pg_url"))
    except pytest.FixtureLookupError:
        pass
    if PG_URL is None:
        pytest.skip("no PostgreSQL server (set AFFINITY_TEST_PG_URL)")
    return PG_URL


def documented_create_database() -> str:
    """The CREATE DATABASE statement docs/deploy.md gives, with `affinity` as its name and owner."""
    found = re.search(r"^CREATE DATABASE affinity .*;$", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "docs/deploy.md gives no CREATE DATABASE statement"
    return found.group(0)


def database_url(admin: str, name: str) -> str:
    return urlunsplit(urlsplit(admin)._replace(path=f"/{name}"))


async def create_database(admin: str, name: str) -> None:
    """Create `name` with the guide's own statement (its owner left out: the test's user owns it)."""
    import asyncpg

    statement = documented_create_database().replace("CREATE DATABASE affinity ", f"CREATE DATABASE {name} ")
    statement = re.sub(r"\s*OWNER \w+", "", statement)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def drop_database(admin: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


async def test_the_documented_database_orders_text_as_sqlite_does(pg_admin: str) -> None:
    import asyncpg

    name = f"deploy_collation_{uuid.uuid4().hex[:8]}"
    await create_database(pg_admin, name)
    try:
        conn = await asyncpg.connect(database_url(pg_admin, name))
        try:
            await conn.execute("CREATE TABLE t (x TEXT)")
            await conn.executemany("INSERT INTO t VALUES ($1)", [(t,) for t in TEXTS])
            on_pg = [r[0] for r in await conn.fetch("SELECT x FROM t ORDER BY x")]
            below = [r[0] for r in await conn.fetch("SELECT x FROM t WHERE x < 'a' ORDER BY x")]
        finally:
            await conn.close()
    finally:
        await drop_database(pg_admin, name)
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE t (x TEXT)")
    lite.executemany("INSERT INTO t VALUES (?)", [(t,) for t in TEXTS])
    assert on_pg == [r[0] for r in lite.execute("SELECT x FROM t ORDER BY x")]
    assert below == [r[0] for r in lite.execute("SELECT x FROM t WHERE x < 'a' ORDER BY x")]


def test_pg_dump_backup_restores_with_the_documented_steps(
    pg_admin: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore are not installed")
    import asyncpg

    source, restored = (f"deploy_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "restored"))

    async def fill() -> None:
        await create_database(pg_admin, source)
        conn = await asyncpg.connect(database_url(pg_admin, source))
        try:
            await conn.execute("CREATE TABLE members (id BIGINT PRIMARY KEY, name TEXT)")
            await conn.executemany("INSERT INTO members VALUES ($1, $2)", [(i, f"m{i}") for i in range(50)])
        finally:
            await conn.close()

    async def rows() -> list[tuple[int, str]]:
        conn = await asyncpg.connect(database_url(pg_admin, restored))
        try:
            return [tuple(r) for r in await conn.fetch("SELECT id, name FROM members ORDER BY id")]
        finally:
            await conn.close()

    asyncio.run(fill())
    try:
        config = tmp_path / "config.yaml"
        config.write_text(yaml.safe_dump({"database": {"url": database_url(pg_admin, source)}}), encoding="utf-8")
        env = {"PATH": os.environ.get("PATH", "")}
        now = datetime(2026, 12, 6, 3, 30, tzinfo=UTC)
        assert backup_script().main(["--config", str(config), "--to", str(tmp_path)], env, now) == 0, (
            capsys.readouterr().err
        )
        dump = tmp_path / "affinity-bot-20261206T033000Z.dump"
        asyncio.run(create_database(pg_admin, restored))
        restore = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        subprocess.run([*restore, "-d", database_url(pg_admin, restored), dump], check=True, capture_output=True)
        assert asyncio.run(rows()) == [(i, f"m{i}") for i in range(50)]
    finally:
        for name in (source, restored):
            asyncio.run(drop_database(pg_admin, name))


# --- the guide ---------------------------------------------------------------------------------------


def cli_subcommands(capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit):
        bot_main(["--help"], {})
    usage = re.search(r"\{([a-z,-]+)\}", capsys.readouterr().out)
    assert usage, "no subcommand list in affinity-bot --help"
    return set(usage.group(1).split(","))


def test_every_command_the_guide_gives_exists_or_is_marked_not_built(capsys: pytest.CaptureFixture[str]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    known = cli_subcommands(capsys)
    # A command as the guide gives it: `affinity-bot migrate` in a code span, or .venv/bin/affinity-bot run.
    used = set(re.findall(r"(?:`|bin/)affinity-bot ([a-z][a-z-]*)", text))
    assert {"run", "migrate"} <= used
    assert used - known <= {"db"}, f"docs/deploy.md gives commands affinity-bot does not have: {used - known}"
    copy_section = text[text.index("### Moving a community") :]
    copy_section = copy_section[: copy_section.index("\n## ")]
    if "db" in known:
        assert "Not built yet" not in copy_section, "`db copy` exists now: drop its 'Not built yet' mark"
    else:
        assert "**Not built yet**" in copy_section, "`db copy` is not built: the guide must say so"


def test_a_failed_pg_dump_says_where_in_one_line_and_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    config = tmp_path / "config.yaml"
    # Port 1 on the loopback: nothing listens there.
    config.write_text(yaml.safe_dump({"database": {"url": "postgresql://affinity@127.0.0.1:1/affinity"}}), "utf-8")
    env = {"PATH": os.environ.get("PATH", "")}
    assert backup_script().main(["--config", str(config), "--to", str(tmp_path / "b")], env) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("backup.py: 127.0.0.1/affinity: pg_dump failed:"), err
    assert not list((tmp_path / "b").iterdir()), "a failed run must leave nothing that looks like a backup"
