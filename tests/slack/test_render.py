"""Replies as Block Kit, within Block Kit's limits (pure functions, no server)."""

from __future__ import annotations

from bot.formatting import LocalButton, LocalCard, LocalField, LocalReply
from bot.platforms.slack.render import (
    MAX_BLOCKS,
    MAX_FIELD,
    MAX_TEXT,
    Renderer,
    chunks,
    decode_button,
    encode_button,
    escape,
)


def reply(text: str = "", card: LocalCard | None = None, buttons: tuple[LocalButton, ...] = ()) -> LocalReply:
    return LocalReply(text, card, (), buttons, False, "en")


def test_neutral_markup_becomes_escaped_mrkdwn() -> None:
    renderer = Renderer()
    assert renderer.mrkdwn("**Bold** _it_ `code` <https://x.org/?a=1&b=2|R&D> a<b & c>d <@U1> <#C1|general>") == (
        "*Bold* _it_ `code` <https://x.org/?a=1&b=2|R&amp;D> a&lt;b &amp; c&gt;d <@U1> <#C1|general>")
    assert escape("<script>") == "&lt;script&gt;"


def test_the_prefix_is_added_to_command_names_only() -> None:
    renderer = Renderer("ab-", lambda: ["help", "privacy", "group"])
    assert renderer.mrkdwn("Type `/help privacy`, or /privacy export. See https://x.org/help and a/group.") == (
        "Type `/ab-help privacy`, or /ab-privacy export. See https://x.org/help and a/group.")
    assert renderer.mrkdwn("/groups and /help-me stay") == "/groups and /help-me stay"
    assert renderer.command("group") == "/ab-group"
    assert renderer.command_pattern().match("/ab-group") and not renderer.command_pattern().match("/group")


def test_a_card_is_a_header_sections_fields_and_a_link() -> None:
    card = LocalCard("Settings", (LocalField("Time zone", "Europe/Paris"), LocalField("Usage", "`/x`", False)),
                     description="For **this** community", url="https://example.org")
    blocks = Renderer().message(reply("Intro", card)).blocks
    assert [b["type"] for b in blocks] == ["section", "header", "section", "section", "section", "context"]
    assert blocks[1]["text"]["text"] == "Settings"
    assert blocks[2]["text"]["text"] == "For *this* community"
    assert blocks[3]["fields"] == [{"type": "mrkdwn", "text": "*Time zone*\nEurope/Paris"}]
    assert blocks[4]["text"]["text"] == "*Usage*\n`/x`"
    assert blocks[5]["elements"][0]["text"] == "<https://example.org>"


def test_long_texts_and_many_fields_respect_block_kit_limits() -> None:
    long_text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))  # ~10 000 characters
    fields = tuple(LocalField(f"f{i}", "v" * 3000) for i in range(23))
    message = Renderer().message(reply(long_text, LocalCard("T" * 200, fields)))
    sections = [b for b in message.blocks if b["type"] == "section" and "text" in b]
    assert len(sections) == 4 and all(len(b["text"]["text"]) <= MAX_TEXT for b in sections)
    assert "\n".join(b["text"]["text"] for b in sections) == long_text  # split at line breaks, nothing lost
    groups = [b["fields"] for b in message.blocks if "fields" in b]
    assert [len(g) for g in groups] == [10, 10, 3]
    assert all(len(f["text"]) == MAX_FIELD and f["text"].endswith("…") for g in groups for f in g)
    header = next(b for b in message.blocks if b["type"] == "header")
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")
    assert len(message.text) <= MAX_TEXT


def test_too_many_blocks_are_cut_but_the_buttons_stay() -> None:
    many = tuple(LocalField(f"f{i}", "v", inline=False) for i in range(80))
    message = Renderer().message(reply(card=LocalCard("T", many), buttons=(LocalButton("OK", "x y"),)))
    assert len(message.blocks) == MAX_BLOCKS
    assert message.blocks[-2] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "…"}]}
    assert message.blocks[-1]["type"] == "actions"


def test_buttons_carry_their_command_and_danger_style() -> None:
    forget = LocalButton("Forget me", "privacy forget", (("confirm", "A1B2C3"),), danger=True)
    [actions] = Renderer().message(reply("Sure?", buttons=(forget, LocalButton("Cancel", "help")))).blocks[1:]
    first, second = actions["elements"]
    assert first["style"] == "danger" and first["action_id"] == "affinity:0"
    assert decode_button(first["value"]) == ("privacy forget", {"confirm": "A1B2C3"})
    assert "style" not in second and second["action_id"] == "affinity:1"
    assert Renderer.action_pattern().match(second["action_id"])


def test_a_button_too_big_for_slack_becomes_a_command_to_type() -> None:
    huge = LocalButton("Huge", "note add", (("text", "x" * 2100),))
    message = Renderer().message(reply("Here", buttons=(huge,)))
    assert [b["type"] for b in message.blocks] == ["section", "context"]
    assert "/note add text:" in message.blocks[1]["elements"][0]["text"]


def test_button_values_that_are_not_ours_are_refused() -> None:
    assert decode_button(encode_button(LocalButton("x", "group join", (("name", "Rust Lille"),)))) == (
        "group join", {"name": "Rust Lille"})
    for value in ("", "not json", "[]", '{"c": 3}', '{"c": "x", "a": {"n": 1}}'):
        assert decode_button(value) is None


def test_chunks_split_at_lines_and_hard_split_long_lines() -> None:
    assert chunks("a\nb\nc", 3) == ["a\nb", "c"]
    assert chunks("abcdefgh", 3) == ["abc", "def", "gh"]
    assert chunks("", 3) == []


def test_a_reply_with_only_files_posts_no_message() -> None:
    assert Renderer().message(reply()).empty
