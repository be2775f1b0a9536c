"""The command line as an operator uses it: real processes, real files, exit codes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path, *, stdin: str = "", extra_env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin, text=True,
                          capture_output=True, timeout=timeout, env=env)


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


def test_config_selected_by_environment_variable(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("timezone: Nowhere/Land\n", encoding="utf-8")
    result = run(["migrate"], tmp_path, extra_env={"AFFINITY_BOT_CONFIG": "c.yaml"})
    assert result.returncode == 2
    assert "timezone" in result.stderr


def test_migrate_applies_only_new_files(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    env = {"AFFINITY_BOT_DATABASE": str(db)}
    first = run(["migrate"], tmp_path, extra_env=env)
    assert first.returncode == 0, first.stderr
    assert "0001_core_activity.sql" in first.stdout
    second = run(["migrate"], tmp_path, extra_env=env)
    assert second.returncode == 0
    assert "up to date" in second.stdout
    with sqlite3.connect(db) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == sorted(versions) and len(versions) >= 2


def test_unreadable_database_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    result = run(["migrate"], tmp_path, extra_env={"AFFINITY_BOT_DATABASE": str(bad)})
    assert result.returncode == 1
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_gracefully_and_keeps_buffered_activity(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    (tmp_path / "c.yaml").write_text("activity:\n  flush_ms: 60000\n  batch_size: 100000\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", "c.yaml", "console"], cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("one\ntwo\nthree\n/as zoe\n")
    proc.stdin.flush()
    # Wait (bounded) until the console has handled every line: it prints a note for /as.
    deadline = time.monotonic() + 30
    seen = ""
    while "you are now zoe" not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == 0
    with sqlite3.connect(tmp_path / "data" / "affinity-bot.db") as conn:
        count = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    assert count == 3


def test_digest_command_explains_an_unknown_community(tmp_path: Path) -> None:
    result = run(["--config", str(ROOT / "config.yaml"), "digest", "--community", "discord:nope", "--out", "out"],
                 tmp_path, extra_env={"AFFINITY_BOT_DATABASE": str(tmp_path / "d.db")})
    assert result.returncode == 1
    assert "discord:nope" in result.stderr and "Traceback" not in result.stderr
