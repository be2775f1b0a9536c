"""Pure parts of the Discord platform: splitting long texts, embeds within Discord's limits, the
translation of raw interaction options, and the invite URL (also through `affinity-bot discord-invite-url`)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bot.__main__ import main
from bot.config import Config
from bot.formatting import LocalCard, LocalField
from bot.model import ChannelRef, UserRef
from bot.platforms.discord import PERMISSIONS, application_id_from_token, invite_url
from bot.platforms.discord.commands import read_options
from bot.platforms.discord.render import embeds, split_text

NEEDED = sum(1 << bit for bit in (10, 11, 38, 14, 15, 16, 13, 4, 28, 33, 44))
# view channels, send messages, send in threads, embed links, attach files, read history,
# manage messages, manage channels, manage roles, manage events, create events


def test_split_text_keeps_lines_whole_and_cuts_only_what_cannot_fit() -> None:
    assert split_text("short") == ["short"]
    text = "\n".join(["a" * 1500, "b" * 1500, "c" * 4500])
    parts = split_text(text)
    assert [len(p) for p in parts] == [1500, 1500, 2000, 2000, 500]
    assert "".join(parts) == text.replace("\n", "")


def _total(result: dict[str, Any]) -> int:
    """What Discord counts against the 6,000 characters of an embed, from the JSON it receives."""
    return (
        len(result.get("title", ""))
        + len(result.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in result.get("fields", []))
        + len(result.get("footer", {}).get("text", ""))
        + len(result.get("author", {}).get("name", ""))
    )


def _within_limits(result: dict[str, Any]) -> None:
    assert _total(result) <= 6000 and len(result.get("fields", [])) <= 25
    assert len(result.get("title", "")) <= 256 and len(result.get("description", "")) <= 4096
    assert all(len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024 for f in result.get("fields", []))


def test_a_card_too_big_for_one_embed_becomes_several_and_nothing_is_dropped() -> None:
    card = LocalCard(
        "T" * 300,
        tuple(LocalField(f"f{i}", f"value {i} " + "v" * 2000) for i in range(30)),
        description="\n".join(f"line {i} " + "d" * 60 for i in range(100)),
    )
    results = [e.to_dict() for e in embeds(card)]
    for result in results:
        _within_limits(result)
    assert len(results) >= 10
    assert len(results[0]["title"]) == 256 and results[0]["title"].endswith("…")
    assert all("title" not in r for r in results[1:])
    described = "\n".join(r["description"] for r in results if "description" in r)
    assert described == card.description  # split at line breaks, every line arrives
    fields = [f for r in results for f in r.get("fields", [])]
    assert [f["name"] for f in fields if f["name"] != "\u200b"] == [f"f{i}" for i in range(30)]
    assert "".join(f["value"] for f in fields).replace("\n", "") == "".join(
        f"value {i} " + "v" * 2000 for i in range(30)
    )  # long values continue in unnamed fields
    # A small card is left as it is, in one embed.
    [small] = [e.to_dict() for e in embeds(LocalCard("Reach", (LocalField("Messages", "1 234"),), description="calm"))]
    assert (small["title"], small["description"], small["fields"][0]["value"]) == ("Reach", "calm", "1 234")


def test_raw_options_become_typed_values_and_refs() -> None:
    data = {
        "name": "probe",
        "options": [
            {
                "type": 1,
                "name": "kinds",
                "options": [
                    {"type": 6, "name": "who", "value": "42"},
                    {"type": 7, "name": "where", "value": "7"},
                    {"type": 4, "name": "count", "value": 3},
                    {"type": 3, "name": "query", "value": "par", "focused": True},
                ],
            }
        ],
        "resolved": {"channels": {"7": {"id": "7", "type": 0}}},
    }
    called = read_options(data, 99)
    assert called.path == "probe kinds"
    assert called.options == {
        "who": UserRef("discord", "99", "42"),
        "where": ChannelRef("discord", "99", "7"),
        "count": 3,
    }
    assert called.focused == ("query", "par")


def test_the_invite_url_asks_for_exactly_the_permissions_the_bot_uses() -> None:
    assert PERMISSIONS.value == NEEDED
    config = Config.model_validate({"platforms": {"discord": {"application_id": 1234}}})
    query = parse_qs(urlparse(invite_url(config, {})).query)
    assert query["client_id"] == ["1234"]
    assert query["permissions"] == [str(NEEDED)]
    assert query["scope"] == ["bot applications.commands"]


def test_the_application_id_is_read_from_the_token_when_not_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = base64.b64encode(b"987654321012345678").decode().rstrip("=") + ".Gx.secret"
    assert application_id_from_token(token) == 987654321012345678
    assert application_id_from_token("not a token") is None
    config = tmp_path / "config.yaml"
    config.write_text(f"database:\n  path: {tmp_path / 'bot.db'}\n")
    assert main(["--config", str(config), "discord-invite-url"], env={"DISCORD_TOKEN": token}) == 0
    assert "client_id=987654321012345678" in capsys.readouterr().out
    assert main(["--config", str(config), "discord-invite-url"], env={}) == 2
    assert "platforms.discord.application_id" in capsys.readouterr().err
    assert not (tmp_path / "bot.db").exists()
