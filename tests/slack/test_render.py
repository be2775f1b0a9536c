"""Replies as Block Kit, within Block Kit's limits (pure functions, no server)."""

from __future__ import annotations

from bot.formatting import Link, LocalButton, LocalCard, LocalField, LocalReply, Mention, RoleMention
from bot.i18n import Translator, _
from bot.platforms.slack.render import (
    MAX_BLOCKS,
    MAX_FIELD,
    MAX_MESSAGE,
    MAX_TEXT,
    Renderer,
    SlackMessage,
    chunks,
    decode_button,
    encode_button,
    escape,
    size,
)


def reply(text: str = "", card: LocalCard | None = None, buttons: tuple[LocalButton, ...] = ()) -> LocalReply:
    return LocalReply(text, card, (), buttons, False, "en")


def test_neutral_markup_becomes_escaped_mrkdwn() -> None:
    renderer = Renderer()
    ours = f"{Link('https://x.org/?a=1&b=2', 'R&D')} {Mention('U7', 'gil')} {RoleMention('S1')}"
    assert renderer.mrkdwn(f"**Bold** _it_ `code` {ours} a<b & c>d") == (
        "*Bold* _it_ `code` <https://x.org/?a=1&b=2|R&amp;D> <@U7> <!subteam^S1> a&lt;b &amp; c&gt;d"
    )
    assert escape("<script>") == "&lt;script&gt;"


def test_what_a_member_wrote_never_pings_nor_hides_a_link() -> None:
    hostile = "<!channel> <!here> <!everyone> <!subteam^S1|@mods> <@U123> <#C1|general> <http://evil.example|bank>"
    assert Renderer().mrkdwn(hostile) == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S1|@mods&gt; &lt;@U123&gt; "
        "&lt;#C1|general&gt; &lt;http://evil.example|bank&gt;"
    )
    # A member cannot forge the bot's own tokens: the translator reads them as text.
    forged = str(Mention("U123", "x")) + str(RoleMention("S1"))
    assert "<" not in Renderer().mrkdwn(Translator({}).render(forged, "en"))
    assert "<" not in Renderer().mrkdwn(Translator({}).render(_("Hi {name}", name=forged), "en"))


def test_the_prefix_is_added_to_command_names_only() -> None:
    renderer = Renderer("ab-", lambda: ["help", "privacy", "group"])
    assert renderer.mrkdwn("Type `/help privacy`, or /privacy export. See https://x.org/help and a/group.") == (
        "Type `/ab-help privacy`, or /ab-privacy export. See https://x.org/help and a/group."
    )
    assert renderer.mrkdwn("/groups and /help-me stay") == "/groups and /help-me stay"
    assert renderer.command("group") == "/ab-group"
    assert renderer.command_pattern().match("/ab-group") and not renderer.command_pattern().match("/group")


def test_a_card_is_a_header_sections_fields_and_a_link() -> None:
    card = LocalCard(
        "Settings",
        (LocalField("Time zone", "Europe/Paris"), LocalField("Usage", "`/x`", False)),
        description="For **this** community",
        url="https://example.org",
    )
    blocks = Renderer().message(reply("Intro", card)).blocks
    assert [b["type"] for b in blocks] == ["section", "header", "section", "section", "section", "context"]
    assert blocks[1]["text"]["text"] == "Settings"
    assert blocks[2]["text"]["text"] == "For *this* community"
    assert blocks[3]["fields"] == [{"type": "mrkdwn", "text": "*Time zone*\nEurope/Paris"}]
    assert blocks[4]["text"]["text"] == "*Usage*\n`/x`"
    assert blocks[5]["elements"][0]["text"] == "<https://example.org>"


def _within_limits(messages: list[SlackMessage]) -> None:
    for message in messages:
        assert 0 < len(message.blocks) <= MAX_BLOCKS and sum(size(b) for b in message.blocks) <= MAX_MESSAGE
        assert all(len(b["text"]["text"]) <= MAX_TEXT for b in message.blocks if "text" in b)
        assert all(len(f["text"]) <= MAX_FIELD for b in message.blocks for f in b.get("fields", ()))
        assert 0 < len(message.text) <= MAX_TEXT


def test_a_long_reply_is_split_into_messages_within_block_kit_limits_and_nothing_is_lost() -> None:
    long_text = "\n".join(f"line {i} " + "x" * 90 for i in range(300))  # ~30 000 characters
    fields = tuple(LocalField(f"f{i}", f"value {i} " + "v" * 3000) for i in range(23))
    messages = Renderer().messages(reply(long_text, LocalCard("T" * 200, fields)))
    _within_limits(messages)
    assert len(messages) >= 3
    blocks = [b for m in messages for b in m.blocks]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    header = next(i for i, b in enumerate(blocks) if b["type"] == "header")
    text_sections = [b["text"]["text"] for b in blocks[:header]]
    assert "\n".join(text_sections) == long_text  # split at line breaks, every line arrives
    everything = "\n".join(sections)
    assert all(
        f"*f{i}*" in everything and f"value {i} " + "v" * 3000 in everything.replace("\n", "") for i in range(23)
    )  # a field too long for Block Kit gets sections of its own, whole
    title = blocks[header]["text"]["text"]
    assert len(title) == 150 and title.endswith("…")


def test_many_blocks_go_to_several_messages_and_the_buttons_to_the_last() -> None:
    many = tuple(LocalField(f"f{i}", "v", inline=False) for i in range(80))
    messages = Renderer().messages(reply(card=LocalCard("T", many), buttons=(LocalButton("OK", "x y"),)))
    _within_limits(messages)
    assert [len(m.blocks) for m in messages] == [MAX_BLOCKS, 32]
    assert [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"] == [
        f"*f{i}*\nv" for i in range(80)
    ]
    assert messages[-1].blocks[-1]["type"] == "actions"
    assert messages[1].text.startswith("*f49*\nv\n*f50*")  # its notification text is its own part


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
        "group join",
        {"name": "Rust Lille"},
    )
    for value in ("", "not json", "[]", '{"c": 3}', '{"c": "x", "a": {"n": 1}}'):
        assert decode_button(value) is None


def test_chunks_split_at_lines_and_hard_split_long_lines() -> None:
    assert chunks("a\nb\nc", 3) == ["a\nb", "c"]
    assert chunks("abcdefgh", 3) == ["abc", "def", "gh"]
    assert chunks("", 3) == []


def test_a_reply_with_only_files_posts_no_message() -> None:
    assert Renderer().message(reply()).empty
