"""The command line as an operator uses it: real processes, real files, exit codes."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def clean_env(extra_env: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    env.update(extra_env or {})
    return env


def run(
    args: list[str], cwd: Path, *, stdin: str | bytes = "", extra_env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    if isinstance(stdin, bytes):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env=clean_env(extra_env),
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=timeout,
        env=clean_env(extra_env),
    )


class Live:
    """A bot process whose standard input stays open; its output is read by a thread, so every wait
    for it is bounded."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        self.seen = ""
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not printed within {timeout}s; output so far:\n{self.seen}")
            try:
                self.seen += self._lines.get(timeout=left)
            except queue.Empty:
                continue

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit code (killed and failed if it does not exit in time)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
            raise AssertionError(f"still running {timeout}s after SIGTERM") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def stored_messages(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    return count


SLOW_FLUSH = "activity:\n  flush_ms: 60000\n  batch_size: 100000\n"


def test_console_script_switches_members_and_speaks_french(tmp_path: Path) -> None:
    result = run(["console", "--script", str(ROOT / "examples" / "french-help.txt")], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[private to alice]" in out
    assert "Choisir la langue que le bot utilise avec vous." in out  # /help in French for alice
    assert "/settings" not in out.split("alice@")[-1]  # a plain member does not see moderator commands
    assert (tmp_path / "data" / "affinity-bot.db").is_file()


def test_console_reads_a_script_from_stdin_and_writes_attachments(tmp_path: Path) -> None:
    result = run(["console", "--script", "-"], tmp_path, stdin="/as bob\nhello\n/privacy export\n")
    assert result.returncode == 0, result.stderr
    files = list((tmp_path / "console-files").glob("*-affinity-bot-export.json"))
    assert len(files) == 1
    assert str(files[0].relative_to(tmp_path)) in result.stdout


def test_run_without_tokens_starts_the_console_with_notices(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Discord: not started (DISCORD_TOKEN is not set)" in result.stderr
    assert "Slack: not started (SLACK_BOT_TOKEN is not set)" in result.stderr
    assert "starting the local console" in result.stderr


def test_bad_config_exits_2_with_the_key_path(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("database:\n  retention_dayz: 3\n", encoding="utf-8")
    result = run(["--config", "bad.yaml", "run"], tmp_path)
    assert result.returncode == 2
    assert "database.retention_dayz: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_pasted_as_a_variable_name_is_refused_without_being_printed(tmp_path: Path) -> None:
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
    (tmp_path / "c.yaml").write_text(f"platforms:\n  slack:\n    bot_token_env: {token}\n", encoding="utf-8")
    for command in ("run", "discord-invite-url", "slack-manifest"):
        result = run(["--config", "c.yaml", command], tmp_path)
        assert result.returncode == 2
        assert "this looks like a token; put the variable's name here" in result.stderr
        assert "(got xoxb-…Wx)" in result.stderr
        assert "1234567890" not in result.stdout + result.stderr and "AbCdEf" not in result.stdout + result.stderr


def test_config_selected_by_environment_variable(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("timezone: Nowhere/Land\n", encoding="utf-8")
    result = run(["migrate"], tmp_path, extra_env={"AFFINITY_BOT_CONFIG": "c.yaml"})
    assert result.returncode == 2
    assert "timezone" in result.stderr


def test_migrate_applies_only_new_files_with_a_backup_and_refuses_an_edited_one(tmp_path: Path) -> None:
    import shutil

    migrations = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", migrations)
    config = tmp_path / "c.yaml"
    config.write_text(f"database:\n  path: {tmp_path / 'x.db'}\n  migrations_dir: {migrations}\n", encoding="utf-8")
    first = run(["--config", str(config), "migrate"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "core/0001_activity.sql" in first.stdout
    assert "up to date" in run(["--config", str(config), "migrate"], tmp_path).stdout
    extra = migrations / "test" / "0999_extra.sql"
    extra.parent.mkdir()
    extra.write_text("CREATE TABLE extra_things (id INTEGER PRIMARY KEY);\n", encoding="utf-8")
    second = run(["--config", str(config), "migrate"], tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().endswith("applied test/0999_extra.sql")
    backups = list(tmp_path.glob("x.db.*.before-test-0999.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:  # the backup has the schema before the new file
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "messages" in tables and "extra_things" not in tables
    extra.write_text("CREATE TABLE extra_things (id INTEGER PRIMARY KEY, oops TEXT);\n", encoding="utf-8")
    edited = run(["--config", str(config), "migrate"], tmp_path)
    assert edited.returncode == 1
    assert "test/0999_extra.sql" in edited.stderr and "Traceback" not in edited.stderr


def test_unreadable_database_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    result = run(["migrate"], tmp_path, extra_env={"AFFINITY_BOT_DATABASE": str(bad)})
    assert result.returncode == 1
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_gracefully_and_keeps_buffered_activity(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(SLOW_FLUSH, encoding="utf-8")
    live = Live(["--config", "c.yaml", "console"], tmp_path)
    try:
        live.send("one\ntwo\nthree\n/as zoe\n")
        live.wait_for("you are now zoe")  # every line before /as has been handled
        assert live.stop() == 0
    finally:
        live.close()
    assert stored_messages(tmp_path / "data" / "affinity-bot.db") == 3


def test_script_from_an_open_stdin_stops_on_sigterm_and_keeps_buffered_activity(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(SLOW_FLUSH, encoding="utf-8")
    live = Live(["--config", "c.yaml", "console", "--script", "-"], tmp_path)
    try:
        live.send("/as zoe\nfirst message\nsecond message\nthird message\n")
        live.wait_for("zoe@#general> third message")  # echoed: it is being handled
        assert live.stop() == 0  # the script is waiting for more input that never comes
    finally:
        live.close()
    assert stored_messages(tmp_path / "data" / "affinity-bot.db") == 3


def test_script_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("/as zoé\ncafé\n".encode("latin-1"))
    result = run(["console", "--script", "latin1.txt"], tmp_path)
    assert result.returncode == 2
    assert "latin1.txt" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_script_from_stdin_that_is_not_utf8_replaces_the_bad_bytes(tmp_path: Path) -> None:
    result = run(["console", "--script", "-"], tmp_path, stdin="/as zoé\ncafé\n".encode("latin-1"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "you are now zo\ufffd" in result.stdout and "caf\ufffd" in result.stdout


def test_bad_cron_declaration_exits_1_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("hello\n", encoding="utf-8")
    code = "\n".join(
        [
            "import sys",
            "from bot.plugin import JobDecl",
            "from plugins.filters.plugin import PLUGIN",
            "PLUGIN.send_digests.__job__ = JobDecl('filters.watch_digests', '61 * * * *', None)",
            "from bot.__main__ import main",
            "sys.exit(main(['console', '--script', 's.txt']))",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env({"PYTHONPATH": str(ROOT)}),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "filters.watch_digests" in result.stderr and "61 * * * *" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("languages: [fr, xx]\n", "languages: expected"),
        ("languages: [fr, en, fr]\n", "languages: expected"),
        ("languages: [fr]\n", "languages: expected at least two languages"),
        ("permissions:\n  moderators: [bob]\n", "permissions.moderators: expected"),
        ("permissions:\n  admins: ['discord:1', 'Discord 1']\n", "permissions.admins: expected"),
        ("permissions:\n  admins: ['slack:']\n", "permissions.admins: expected"),
    ],
)
def test_bad_languages_and_permission_ids_exit_2_with_the_key_path(
    tmp_path: Path, yaml_text: str, expected: str
) -> None:
    (tmp_path / "bad.yaml").write_text(yaml_text, encoding="utf-8")
    result = run(["--config", "bad.yaml", "migrate"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching the database


def test_good_languages_and_permission_ids_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(
        "languages: [fr, en, zh-cn]\npermissions:\n  moderators: ['discord:1234', 'console:bob']\n"
        "  admins: ['slack:U0123ABC']\n",
        encoding="utf-8",
    )
    result = run(["--config", "good.yaml", "migrate"], tmp_path)
    assert result.returncode == 0, result.stderr


def test_digest_command_explains_an_unknown_community(tmp_path: Path) -> None:
    result = run(
        ["--config", str(ROOT / "config.yaml"), "digest", "--community", "discord:nope", "--out", "out"],
        tmp_path,
        extra_env={"AFFINITY_BOT_DATABASE": str(tmp_path / "d.db")},
    )
    assert result.returncode == 1
    assert "discord:nope" in result.stderr and "Traceback" not in result.stderr
    assert "knows no community yet" in result.stderr  # a fresh database: nothing to list


def test_every_mistake_of_three_plugins_and_the_core_is_listed_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "timezon: Europe/Paris\n"
        "plugins:\n"
        "  core:\n"
        "  calendar:\n    window_before_hours: soon\n"
        "  groups:\n    creation: always\n    page_size: 0\n"
        "  questions:\n    excluded_channels: [general, [nested]]\n",
        encoding="utf-8",
    )
    result = run(["--config", "bad.yaml", "migrate"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "bad.yaml: the configuration is not valid (5 problems):",
        "  - timezon: unknown key; did you mean timezone?",
        "  - plugins.calendar.window_before_hours: expected a number from 0 to 168 (got 'soon')",
        "  - plugins.groups.creation: expected one of propose, direct (got 'always')",
        "  - plugins.groups.page_size: expected a whole number from 1 to 25 (got 0)",
        "  - plugins.questions.excluded_channels[1]: expected text",
    ]
    assert not (tmp_path / "data").exists()  # refused before the database was opened


def test_an_unknown_plugin_and_a_secret_in_a_bad_value(tmp_path: Path) -> None:
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
    (tmp_path / "bad.yaml").write_text(
        f"plugins:\n  core:\n  calender: {{}}\n  groups:\n    page_size: {token}\n", encoding="utf-8"
    )
    result = run(["--config", "bad.yaml", "console", "--script", "-"], tmp_path)
    assert result.returncode == 2
    assert "plugins.calender: no such plugin; did you mean calendar?" in result.stderr
    assert "plugins.groups.page_size: expected a whole number from 1 to 25 (got 'xoxb-…Wx')" in result.stderr
    assert "1234567890" not in result.stdout + result.stderr and "AbCdEf" not in result.stdout + result.stderr


def test_a_bad_database_variable_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = run(["migrate"], tmp_path, extra_env={"AFFINITY_BOT_DATABASE": "mysql://bot:hunter2@db/affinity"})
    assert result.returncode == 2
    assert "AFFINITY_BOT_DATABASE (environment): expected sqlite:///" in result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr


def console_community(tmp_path: Path, workspace: str, script: str) -> None:
    """Play a console script as the community `console:<workspace>`, on the shared database d.db."""
    config = tmp_path / f"{workspace}.yaml"
    config.write_text(
        f"database:\n  path: {tmp_path / 'd.db'}\nplatforms:\n  console:\n    workspace: {workspace}\n",
        encoding="utf-8",
    )
    result = run(["--config", str(config), "console", "--script", "-"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr


def test_communities_lists_what_the_database_knows(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"database:\n  path: {tmp_path / 'd.db'}\n", encoding="utf-8")
    nothing = run(["--config", str(config), "communities"], tmp_path)
    assert nothing.returncode == 0, nothing.stderr
    assert "no community is known" in nothing.stdout
    assert not (tmp_path / "d.db").exists()  # listing never creates the database
    assert run(["--config", str(config), "migrate"], tmp_path).returncode == 0
    empty = run(["--config", str(config), "communities"], tmp_path)
    assert "no community is known yet" in empty.stdout
    console_community(tmp_path, "paris", "bonjour à tous\n/settings timezone America/Montreal\n/settings locale fr\n")
    console_community(tmp_path, "lyon", "hello\n")
    listed = run(["--config", str(config), "communities"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "console:lyon   platform: console  language: en  time zone: Europe/Paris",
        "console:paris  platform: console  language: fr  time zone: America/Montreal",
    ]
    digest = run(["--config", str(config), "digest", "--community", "console:pari", "--out", "out"], tmp_path)
    assert digest.returncode == 1
    assert "Did you mean console:paris?" in digest.stderr
    assert digest.stderr.count("console:paris?") == 1  # suggested once, by the plugin
    assert f"Communities {tmp_path / 'd.db'} knows (affinity-bot communities lists them too):" in digest.stderr
    assert "  console:lyon   platform: console  language: en  time zone: Europe/Paris" in digest.stderr
    assert "  console:paris  platform: console  language: fr  time zone: America/Montreal" in digest.stderr
    assert not (tmp_path / "out").exists()
