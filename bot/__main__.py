"""The command line: `affinity-bot run | console | migrate | communities | db copy | ...`. The only module that
exits the process.

Exit codes: 0 after a normal or signalled stop, 1 when the database or a platform cannot be
used, 2 when the configuration is wrong. What it prints at start and in errors, and every log record,
goes through `bot.redaction` first: a secret is never echoed, even one misplaced in the configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.app import App, connect_database, migrations_dir
from bot.clock import FrozenClock, ShiftedClock
from bot.communities import CommunitySettings, CommunityStore
from bot.config import Config, ConfigError, config_path, load_config, secret
from bot.discovery import available_plugins
from bot.folding import closest
from bot.model import CommunityRef
from bot.platforms.base import PlatformError
from bot.platforms.console import ConsolePlatform
from bot.plugin import CommandError
from bot.processes import ProcessLock, ProcessLockError
from bot.redaction import configure_logging, redact
from bot.registry import DeclarationError, ServedSubcommand, declared_subcommands
from bot.scheduler import SchedulerError
from bot.shutdown import STOP_GRACE, Shutdown
from bot.storage.copy import CopyFailed, CopyRefused, check_target_url, copy_database, progress_printer
from bot.storage.database import Database, StorageError
from bot.storage.engines import connect, sqlite_path
from bot.storage.migrations import MigrationError, apply_migrations, pending_migrations

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


def _parser(served: Mapping[str, ServedSubcommand]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="affinity-bot", description="A community bot for Discord and Slack.")
    parser.add_argument("--config", help="configuration file (default: $AFFINITY_BOT_CONFIG or ./config.yaml)")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="start every platform whose secrets are set (the console if none)")
    run.add_argument("--console", action="store_true", help="also start the console next to Discord/Slack")
    console = commands.add_parser("console", help="the local console: interactive, or a script")
    console.add_argument("--script", help="play this file (or '-' for standard input) and exit")
    commands.add_parser("migrate", help="apply new database migrations and exit")
    commands.add_parser(
        "communities", help="list the communities the database knows (key, platform, language, time zone)"
    )
    commands.add_parser("discord-invite-url", help="print the OAuth2 URL that adds the bot to a Discord server")
    commands.add_parser("slack-manifest", help="print a Slack app manifest (YAML) for the enabled plugins")
    demo = commands.add_parser(
        "demo",
        help="play 12 synthetic weeks into a temporary database and write "
        "the last week's digest files (markdown, PNG, CSV)",
    )
    demo.add_argument("--out", help="the directory to write the files into (default: ./demo-digest)")
    _db_parser(commands)
    # Then the subcommands the plugins serve (`affinity-bot digest`), declared by the plugins themselves.
    for name, served_by in served.items():
        if name in commands.choices:
            raise DeclarationError(f"plugin {served_by.plugin}: subcommand {name} is one of affinity-bot's own")
        sub = commands.add_parser(name, help=served_by.decl.help)
        for option in served_by.decl.options:
            sub.add_argument(option.flag, required=option.required, help=option.help)
    return parser


_DB_COPY_HELP = """\
Copy the SQLite database of the configuration (database.path or database.url) into an empty
PostgreSQL database, to move a community that outgrew one machine. Stop the bot first.

What it does, in order:
  - refuses a target that is not empty (a table holding rows, or a table the bot's migrations do
    not make) and names the table; nothing is written to it then (exit 2);
  - applies the bot's migrations to the target: it gets its own schema_migrations history, which
    is therefore not copied;
  - copies every other table, parents before children, by batches of 5,000 rows, printing
    progress per table (messages: 120,000 / 1,250,000); values are converted to the column types
    of PostgreSQL; NUL characters in text are dropped and invalid UTF-8 or lone surrogates are
    replaced, and the number of values repaired is printed per table;
  - moves every id sequence above the highest copied id (and above the ids the SQLite file
    reserved ahead of their insert), so new rows get new ids;
  - compares the row counts of every table on both sides and prints them; a difference names the
    table and exits with 1.

Then point database.url at the PostgreSQL database (its password in the environment variable named
by database.password_env) and start the bot. A copy that failed half way leaves a partly filled
target: drop it, create it again, and copy again.

Exit codes: 0 copied and counts match; 1 a database cannot be used (unreachable server, missing
source file) or the copy or its check failed; 2 wrong arguments or a target that is not empty.
"""


def _db_parser(commands: Any) -> None:
    """`affinity-bot db copy ...`: the database tools."""
    db = commands.add_parser("db", help="database tools: copy the SQLite database into PostgreSQL")
    tools = db.add_subparsers(dest="db_command", metavar="{copy}", required=True)
    copy = tools.add_parser(
        "copy",
        help="copy the SQLite database into an empty PostgreSQL database and check the row counts",
        description=_DB_COPY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument(
        "--to",
        required=True,
        metavar="postgresql://USER@HOST:PORT/DATABASE",
        help="the empty PostgreSQL database to copy into (no password in the URL)",
    )
    copy.add_argument(
        "--password-env",
        metavar="NAME",
        help="the environment variable holding the PostgreSQL password (default: database.password_env "
        "of the configuration; none: no password)",
    )
    # Also accepted after the subcommand (`db copy --to ... --config x.yaml`); SUPPRESS keeps the global one.
    copy.add_argument("--config", default=argparse.SUPPRESS, help="configuration file (as affinity-bot --config)")


async def _db_copy(args: argparse.Namespace, config: Config, env: Mapping[str, str]) -> int:
    """`affinity-bot db copy --to postgresql://...`: see _DB_COPY_HELP."""
    try:
        check_target_url(args.to)
    except CopyRefused as exc:
        print(f"affinity-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    password_env = args.password_env or config.database.password_env
    if args.password_env and not env.get(args.password_env):
        print(
            f"affinity-bot: --password-env {args.password_env}: that environment variable is not set", file=sys.stderr
        )
        return EXIT_CONFIG
    if config.database.engine != "sqlite":
        print(
            "affinity-bot: db copy reads the SQLite database of the configuration, but its database.url is "
            "already PostgreSQL: point --config at the configuration that names the SQLite file",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    path = sqlite_path(config.database.effective_url)
    if not path.is_file():
        # Opening it would create an empty file: say what is missing instead.
        print(
            f"affinity-bot: the SQLite database {path} does not exist (database.path / database.url of the "
            f"configuration): nothing to copy",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    # Held as a serving bot holds it: a bot still running on the file would write during the copy.
    lock = ProcessLock.for_url(config.database.effective_url)
    try:
        lock.acquire()
    except ProcessLockError as exc:
        print(f"affinity-bot: stop the bot before copying its database: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        return await _copy_locked(args.to, password_env, config)
    finally:
        lock.release()


async def _copy_locked(url: str, password_env: str | None, config: Config) -> int:
    """The copy itself, once the SQLite file is ours."""
    from bot.clock import SystemClock

    source = await connect_database(config)
    try:
        target = await connect(
            url, password_env=password_env, connect_timeout=config.database.connect_timeout_s, read_connections=1
        )
    except BaseException:
        await source.close()
        raise
    try:
        print(f"Copying {source.label} into PostgreSQL at {target.label}", flush=True)
        report = await copy_database(
            source,
            target,
            migrations=migrations_dir(config),
            now=SystemClock().now(),
            progress=progress_printer(lambda line: print(line, flush=True)),
        )
    except CopyRefused as exc:
        print(f"affinity-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CopyFailed as exc:
        for line in exc.report.lines() if exc.report is not None else []:
            print(line)
        print(f"affinity-bot: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        try:
            await target.close()
        finally:
            await source.close()
    for line in report.lines():
        print(line)
    print("Done: the row counts match. Set database.url to the PostgreSQL database and start the bot.")
    return EXIT_OK


def _platform_module(name: str) -> Any:
    """Import a network platform's package; its SDK is imported only here, when really used."""
    try:
        return importlib.import_module(f"bot.platforms.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("bot.platforms"):
            raise PlatformError(f"{name}: this version has no {name} platform yet") from exc
        raise


def _platform_tool(command: str, config: Config, env: Mapping[str, str]) -> int:
    """Offline helpers of the network platforms: the Discord invite URL, the Slack manifest."""
    if command == "discord-invite-url":
        print(_platform_module("discord").invite_url(config, env))
    else:
        print(_platform_module("slack").manifest(config, env), end="")
    return EXIT_OK


def network_platforms(config: Config, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Platforms to start (their secrets are set) and one-line notices about the others."""
    wanted: list[str] = []
    notices: list[str] = []
    discord = config.platforms.discord
    if secret(env, discord.token_env):
        wanted.append("discord")
    else:
        notices.append(f"Discord: not started ({discord.token_env} is not set)")
    slack = config.platforms.slack
    if secret(env, slack.bot_token_env):
        wanted.append("slack")
    else:
        notices.append(f"Slack: not started ({slack.bot_token_env} is not set)")
    return wanted, notices


def _load_network_platform(name: str, app: App, env: Mapping[str, str]) -> None:
    """Attach a network platform built by its package's `create(app, env)`."""
    app.add_platform(_platform_module(name).create(app, env))


async def _serve(app: App, stop: asyncio.Event, console: ConsolePlatform | None) -> None:
    """Until a signal; with the console, until /quit or end of input too."""
    await app.start()
    if console is None:
        await stop.wait()
    else:
        await console.repl(stop=stop)


def console_for(app: App, clock: ShiftedClock | FrozenClock, out: TextIO) -> ConsolePlatform:
    """The console platform of `app`, printing to `out`, its `/advance` stepping through the scheduler's due
    moments in the community's time zone; added to `app` (the tests wire theirs here too)."""
    console = ConsolePlatform(
        app.config.platforms.console,
        app.dispatcher,
        clock,
        app.scheduler.catch_up,
        clock.now,
        out=out,
        agenda=app.scheduler,
        zones=app.communities,
    )
    app.add_platform(console)
    return console


class ScriptError(Exception):
    """The `--script` file cannot be played."""


def _read_script(script: str) -> list[str]:
    """The lines of a script file; a ScriptError names the file when it cannot be used."""
    path = Path(script)
    if not path.is_file():
        raise ScriptError(f"script file {script} not found")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptError(f"cannot read script file {script}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ScriptError(
            f"script file {script} is not valid UTF-8 (line {line}, byte {exc.start}); save it as UTF-8"
        ) from exc


async def _run(
    args: argparse.Namespace, config: Config, env: Mapping[str, str], script_lines: list[str] | None = None
) -> int:
    out = sys.stdout
    script = getattr(args, "script", None)
    clock = ShiftedClock()
    app = App(config, clock=clock, realtime=script is None)
    await app.build()
    console: ConsolePlatform | None = None
    if args.command == "console":
        console = console_for(app, clock, out)
    else:
        wanted, notices = network_platforms(config, env)
        for notice in notices:
            print(redact(notice), file=sys.stderr)
        started = []
        for name in wanted:
            try:
                _load_network_platform(name, app, env)
                started.append(name)
            except PlatformError as exc:
                print(redact(str(exc)), file=sys.stderr)
        if not started or args.console:
            if not started:
                print("No chat platform configured: starting the local console.", file=sys.stderr)
            console = console_for(app, clock, out)
    stop = asyncio.Event()

    def on_signal() -> None:
        # Input stops first; the console finishes the line it is handling, or is cancelled after the
        # grace (bot/shutdown.py), then everything is flushed and closed.
        stop.set()
        if console is not None:
            console.running = False

    shutdown = Shutdown(on_signal)
    shutdown.install()

    async def work() -> None:
        if script is not None and console is not None:
            await app.start()
            if script == "-":
                await console.play_stream(sys.stdin, stop=stop)
            else:
                await console.play(script_lines or [])
        else:
            await _serve(app, stop, console)

    try:
        await shutdown.run(work())
    finally:
        await app.stop(grace=STOP_GRACE if shutdown.requested.is_set() else None)
    return EXIT_OK


def community_lines(known: Sequence[CommunitySettings]) -> list[str]:
    """One line per community: its key, platform, language and time zone, the keys aligned."""
    width = max((len(settings.community) for settings in known), default=0)
    return [
        f"{settings.community:<{width}}  platform: {CommunityRef.from_key(settings.community).platform}  "
        f"language: {settings.locale}  time zone: {settings.timezone}"
        for settings in known
    ]


async def _known_communities(db: Database, config: Config) -> list[CommunitySettings]:
    """The communities `db` knows; none when it was never migrated (no `communities` table yet)."""
    if "communities" not in await db.tables():
        return []
    return await CommunityStore(db, config.timezone, config.locale).known()


async def _communities(config: Config) -> int:
    """`affinity-bot communities`: the communities the database knows, one per line. Read only: it never
    creates the SQLite file nor migrates it, and may run beside the bot serving the database."""
    if config.database.engine == "sqlite":
        path = sqlite_path(config.database.effective_url)
        if not path.is_file():
            print(
                f"No database at {path} yet (database.path / database.url of the configuration): no community "
                "is known. The bot records a community when it first hears from it."
            )
            return EXIT_OK
    db = await connect_database(config)
    try:
        known = await _known_communities(db, config)
    finally:
        await db.close()
    if not known:
        print(f"{db.label}: no community is known yet. The bot records a community when it first hears from it.")
        return EXIT_OK
    for line in community_lines(known):
        print(line)
    return EXIT_OK


async def _unknown_community_notes(
    app: App, args: argparse.Namespace, served: ServedSubcommand, said: str
) -> list[str]:
    """After a plugin refused its subcommand (`said`): for each community option naming a community the
    database does not know, the communities it does know, so the operator can copy the right key."""
    wanted = [getattr(args, o.dest) for o in served.decl.options if o.community and getattr(args, o.dest)]
    if not wanted:
        return []
    known = await _known_communities(app.db, app.config)
    keys = [settings.community for settings in known]
    notes: list[str] = []
    for value in wanted:
        if value in keys:
            continue
        if not known:
            notes.append(
                f"affinity-bot: {app.db.label} knows no community yet; the bot records a community when it first "
                "hears from it."
            )
            continue
        suggestions = closest(value, keys, n=1)
        if suggestions and suggestions[0] not in said:  # the plugin may have suggested it: once is enough
            notes.append(f"affinity-bot: {value}: did you mean {suggestions[0]}?")
        notes.append(f"Communities {app.db.label} knows (affinity-bot communities lists them too):")
        notes += [f"  {line}" for line in community_lines(known)]
    return notes


async def _plugin_subcommand(args: argparse.Namespace, config: Config, served: ServedSubcommand) -> int:
    """A subcommand a plugin serves (`affinity-bot digest`), run on a built but not started app."""
    app = App(config, exclusive=False)  # a one-shot tool may run beside the bot serving the file
    await app.build()
    try:
        plugin = next((p for p in app.registry.plugins if p.name == served.plugin), None)
        if plugin is None:
            print(f"affinity-bot: the {served.plugin} plugin is not enabled in the configuration", file=sys.stderr)
            return EXIT_CONFIG
        try:
            lines = await served.method(plugin, **{o.dest: getattr(args, o.dest) for o in served.decl.options})
        except CommandError as exc:
            render = app.translator.render
            said = f"{render(exc.message, config.locale)} {render(exc.hint, config.locale)}"
            print(f"affinity-bot: {said}", file=sys.stderr)
            # The plugin decides what it can work on; the list of known keys is the core's to give.
            for note in await _unknown_community_notes(app, args, served, said):
                print(note, file=sys.stderr)
            return EXIT_FAILURE
        for line in lines:
            print(line)
        return EXIT_OK
    finally:
        await app.stop()


async def _migrate(config: Config) -> int:
    db = await connect_database(config)
    try:
        directory = migrations_dir(config)
        pending = await pending_migrations(db, directory)
        if not pending:
            print(f"{db.label}: up to date, nothing to apply.")
            return EXIT_OK
        from bot.clock import SystemClock

        applied = await apply_migrations(db, directory, now=SystemClock().now())
        print(f"{db.label}: applied {', '.join(applied)}")
        return EXIT_OK
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Entry point of the `affinity-bot` console script."""
    env = os.environ if env is None else env
    try:
        served = declared_subcommands(available_plugins())
        parser = _parser(served)
    except (ConfigError, DeclarationError) as exc:
        print(f"affinity-bot: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    args = parser.parse_args(argv)
    if args.command is None:
        args.command, args.console = "run", False
    if args.command == "demo":
        # Imported here: the demo needs no configuration and pulls in every plugin.
        from bot.demo.run import main_demo

        return main_demo(args.out)
    script = getattr(args, "script", None)
    script_lines: list[str] | None = None
    if script not in (None, "-"):
        try:
            script_lines = _read_script(script)
        except ScriptError as exc:
            print(f"affinity-bot: {exc}", file=sys.stderr)
            return EXIT_CONFIG
    try:
        config = load_config(config_path(args.config, env), env)
    except ConfigError as exc:
        print(redact(str(exc)), file=sys.stderr)
        return EXIT_CONFIG
    log_handler = configure_logging(config.logging.level)  # stderr, every record through the redacting filter
    try:
        if args.command == "migrate":
            return asyncio.run(_migrate(config))
        if args.command == "communities":
            return asyncio.run(_communities(config))
        if args.command == "db":
            try:
                return asyncio.run(_db_copy(args, config, env))
            except KeyboardInterrupt:  # not a normal stop here: the target may hold half a copy
                print(
                    "affinity-bot: db copy interrupted; the target may hold part of the copy: drop and create "
                    "it again before copying again",
                    file=sys.stderr,
                )
                return EXIT_FAILURE
        if args.command in served:
            return asyncio.run(_plugin_subcommand(args, config, served[args.command]))
        if args.command in ("discord-invite-url", "slack-manifest"):
            return _platform_tool(args.command, config, env)
        return asyncio.run(_run(args, config, env, script_lines))
    except ConfigError as exc:
        print(redact(str(exc)), file=sys.stderr)
        return EXIT_CONFIG
    except (StorageError, MigrationError, DeclarationError, SchedulerError, PlatformError) as exc:
        print(f"affinity-bot: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        logging.getLogger().removeHandler(log_handler)  # main() may run in-process (tests, embedding)


if __name__ == "__main__":
    sys.exit(main())
