"""Secrets are never echoed: configuration errors, startup messages, `discord-invite-url` and the log
(at DEBUG too) never show a token, a signing secret or a Discord interaction token, even when an operator
pasted a token where a variable's name belongs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.redaction import configure_logging, looks_like_token, mask, redact
from tests.discord.conftest import running_bot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.test_interactions import COMMAND, slash
from tests.slack.rig import running

DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"
BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123ABCD-1234567890-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SIGNING_SECRET = "8f742231b10e8888abcd99eeeff85a5c"
SECRETS = (DISCORD_TOKEN, BOT_TOKEN, APP_TOKEN, SIGNING_SECRET)


@pytest.fixture(autouse=True)
def own_logging() -> Iterator[None]:
    """`main` installs the process's log handler on the root logger: take it off after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def fragments(secret: str) -> list[str]:
    """Pieces of a secret long enough to give it away."""
    return [secret[i : i + 12] for i in range(0, len(secret) - 11, 6)]


def assert_hidden(text: str, *secrets: str) -> None:
    for secret in secrets or SECRETS:
        assert not [piece for piece in fragments(secret) if piece in text], f"{secret[:8]}… shown in {text!r}"


def start(
    tmp_path: Path, config: str, capsys: pytest.CaptureFixture[str], *args: str, env: dict[str, str] | None = None
) -> tuple[int, str]:
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")
    code = main(["--config", str(path), *(args or ("run",))], env=env or {})
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(
    ("key", "token"),
    [
        ("discord:\n    token_env", DISCORD_TOKEN),
        ("slack:\n    bot_token_env", BOT_TOKEN),
        ("slack:\n    app_token_env", APP_TOKEN),
        ("slack:\n    signing_secret_env", SIGNING_SECRET),
    ],
)
def test_a_token_where_a_variable_name_belongs_is_named_as_such_and_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, token: str
) -> None:
    code, output = start(tmp_path, f"platforms:\n  {key}: {token}\n", capsys)
    assert code == 2
    assert "this looks like a token; put the variable's name here" in output
    assert f"…{token[-2:]}" in output  # enough for the operator to recognise which one
    assert_hidden(output)


def test_a_wrong_variable_name_is_not_repeated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = start(tmp_path, "platforms:\n  slack:\n    signing_secret_env: my secret is hunter2\n", capsys)
    assert code == 2 and "platforms.slack.signing_secret_env" in output
    assert "hunter2" not in output


def test_a_token_anywhere_else_in_the_file_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = (
        f"platforms:\n  discord:\n    application_id: {DISCORD_TOKEN}\n  slack:\n    port: {BOT_TOKEN}\n"
        f"{APP_TOKEN}: 1\nlocale: {SIGNING_SECRET}\n"
    )
    code, output = start(tmp_path, config, capsys)
    assert code == 2
    assert "platforms.discord.application_id" in output and "platforms.slack.port" in output
    assert_hidden(output)


def test_a_yaml_error_on_a_line_with_a_token_does_not_quote_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = start(tmp_path, f"platforms:\n  slack:\n    bot_token_env: [{BOT_TOKEN}\n", capsys)
    assert code == 2 and "not valid YAML" in output
    assert_hidden(output)


def test_discord_invite_url_never_shows_the_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = start(
        tmp_path, f"platforms:\n  discord:\n    token_env: {DISCORD_TOKEN}\n", capsys, "discord-invite-url"
    )
    assert code == 2 and "this looks like a token" in output
    assert_hidden(output)
    code, output = start(tmp_path, "{}\n", capsys, "discord-invite-url", env={"DISCORD_TOKEN": DISCORD_TOKEN})
    assert code == 0 and "client_id=123456789012345678" in output  # the id the token starts with
    assert_hidden(output)


def test_startup_messages_mask_a_token_given_as_a_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = start(
        tmp_path,
        "{}\n",
        capsys,
        "run",
        env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": APP_TOKEN},
    )
    assert code == 0 and "PORT must be a port number" in output  # Slack left out, the console ran
    assert_hidden(output)


def test_token_shapes() -> None:
    for secret in SECRETS:
        assert looks_like_token(secret) and looks_like_token(f" {secret}\n")
        assert secret[-2:] in mask(secret) and len(mask(secret)) < 10
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "xoxb", "fake.discord.token", "0123"):
        assert not looks_like_token(name)
    assert mask(BOT_TOKEN) == "xoxb-…Wx" and mask(APP_TOKEN) == "xapp-…f9"
    text = redact(
        f"https://hooks.slack.com/commands/T1/123/AbC, 'token': 'aW50ZXJ', Authorization: Bot {DISCORD_TOKEN}"
    )
    assert "AbC" not in text and "aW50ZXJ" not in text
    assert_hidden(text)
    kept = "platforms.slack.bot_token_env: migration 0012 at 2026-11-16T09:00:00 in C0123 by U2 (v0.1)"
    assert redact(kept) == kept


def test_a_token_touching_punctuation_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # After a dot or a dash, before a full stop or an underscore: the edges a key path or a sentence gives it.
    for secret in SECRETS:
        for text in (f"a.{secret}", f"{secret}.", f"{secret}_end", f"-{secret}", f"key.{secret}: unknown key"):
            assert_hidden(redact(text), secret)
    assert_hidden(redact(f"{SIGNING_SECRET}z"), SIGNING_SECRET)
    sha = "0123456789abcdef0123456789abcdef01234567"  # 40 hex digits: a commit, not a signing secret
    assert redact(sha) == sha
    # An unknown key that is a token, under a section: the key path names it, masked.
    code, output = start(tmp_path, f'database:\n  "{BOT_TOKEN}": 1\n', capsys)
    assert code == 2 and "database.xoxb-…Wx" in output
    assert_hidden(output)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The process's own log configuration (as `main` installs it) at DEBUG, into a buffer."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("DEBUG", stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_debug_logs_hold_no_interaction_token(tmp_path: Path, debug_log: io.StringIO) -> None:
    fake = await FakeDiscord().start()
    guild = fake.add_guild()
    try:
        async with running_bot(tmp_path, fake):
            sent = await fake.interact(guild, "bob", COMMAND, slash("privacy", "export"))
            await fake.callback(sent)
    finally:
        await fake.stop()
    log = debug_log.getvalue()
    assert "INTERACTION_CREATE" in log and f"/interactions/{sent.id}/" in log  # discord.py logged both
    assert sent.token not in log


async def test_debug_logs_hold_no_slack_response_url_nor_payload_token(tmp_path: Path, debug_log: io.StringIO) -> None:
    async with running(tmp_path) as rig:
        await rig.command("/help", "", response="help-r1")
        await rig.response("help-r1")
    log = debug_log.getvalue()
    assert "slack_sdk.webhook" in log and "Sending a request - url: …" in log  # the answer was logged
    assert "/response/help-r1" not in log and "xoxb-test-token" not in log
