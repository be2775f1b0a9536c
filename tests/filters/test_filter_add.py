"""`/filter add`: the phrase is the rest of the line (no quotes needed), `action` and `regex` are named;
the older `/filter add "tag a friend" flag` still works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Level
from bot.platforms.discord.commands import command_payload
from tests.filters.fakes import PLUGINS
from tests.harness import Harness, running

MOD = Level.MODERATOR
USAGE = "/filter add <phrase...> [action:<tag|flag|delete>] [regex:<yes|no>]"
USAGE_FR = "/filter add <expression...> [action:<marquer|signaler|supprimer>] [regex:<oui|non>]"


async def rules(h: Harness) -> list[tuple[str, str, int]]:
    rows = await h.app.db.fetchall("SELECT phrase, action, is_regex FROM filter_rules ORDER BY id")
    return [(r["phrase"], r["action"], r["is_regex"]) for r in rows]


async def test_the_phrase_is_the_rest_of_the_line_and_the_older_quoted_form_still_works(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        added = await h.command("mod", "/filter add inspiring content action:flag", level=MOD)
        assert "Rule #1 added: “inspiring content” → flag." in added.text
        assert "ends with" not in added.text
        before = await h.command("mod", "/filter add action:delete like and subscribe", level=MOD)
        assert "“like and subscribe” → delete" in before.text
        default = await h.command("mod", "/filter add Qu’en pensez-vous ?", level=MOD)
        assert "“Qu’en pensez-vous ?” → tag" in default.text
        pattern = await h.command("mod", r"/filter add \bfree\s+money\b regex:true action:delete", level=MOD)
        assert "Rule #4 added" in pattern.text
        assert await rules(h) == [
            ("inspiring content", "flag", 0),
            ("like and subscribe", "delete", 0),
            ("Qu’en pensez-vous ?", "tag", 0),
            (r"\bfree\s+money\b", "delete", 1),
        ]
        tested = await h.command("mod", "/filter test So much INSPIRING CONTENTS. Qu'en pensez vous", level=MOD)
        assert "“inspiring content” matches" in tested.text and "“Qu’en pensez-vous ?” matches" in tested.text
        # The older form, a quoted phrase then the action word, keeps working.
        await h.app.db.execute("DELETE FROM filter_rules")
        for line in [
            '/filter add "tag a friend" flag',
            "/filter add « like et partage » DELETE",
            '/filter add "tag a friend, please" action:flag',
            "/filter add 'commente si' tag regex:false",
            '/filter add "(free|cheap)  money" delete regex:true',
        ]:
            reply = await h.command("mod", line, level=MOD)
            assert "added" in reply.text and "ends with" not in reply.text, line
        assert await rules(h) == [
            ("tag a friend", "flag", 0),
            ("like et partage", "delete", 0),
            ("tag a friend, please", "flag", 0),
            ("commente si", "tag", 0),
            ("(free|cheap)  money", "delete", 1),
        ]


async def test_an_action_word_at_the_end_of_an_unquoted_phrase_is_kept_and_pointed_out(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", "/filter add photo tag", level=MOD)
        assert "Rule #1 added: “photo tag” → tag." in reply.text
        assert (
            "The phrase ends with “tag”, so it is part of the phrase. To choose the action, remove this rule "
            "with `/filter remove 1` and add it again with `action:tag`."
        ) in reply.text
        french = await h.command("mod", "/filter add spam flag", level=MOD, locale="fr")
        assert "« spam flag »" in french.text
        assert "L’expression se termine par « flag », qui en fait donc partie." in french.text
        assert "`/filter remove 2`" in french.text and "`action:signaler`" in french.text
        # Quoted, or given as a typed option (Discord), the phrase is taken as it is, without a remark.
        quoted = await h.command("mod", '/filter add "red flag"', level=MOD)
        typed = await h.command("mod", "/filter add", level=MOD, options={"phrase": "spam delete"})
        assert "ends with" not in quoted.text + typed.text
        assert await rules(h) == [
            ("photo tag", "tag", 0),
            ("spam flag", "tag", 0),
            ("red flag", "tag", 0),
            ("spam delete", "tag", 0),
        ]


async def test_typed_options_are_unaffected(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        # On Discord every option is named anyway: the phrase first and required, then the two optional ones.
        payload = command_payload([s.decl for s in h.app.registry.commands.values()], h.app.translator)
        verbs = next(c for c in payload if c["name"] == "filter")["options"]
        options = next(v for v in verbs if v["name"] == "add")["options"]
        assert [(o["name"], o["required"]) for o in options] == [("phrase", True), ("action", False), ("regex", False)]
        assert "the rest of the line" in options[0]["description"]
        assert [c["value"] for c in options[1]["choices"]] == ["tag", "flag", "delete"]
        reply = await h.command(
            "mod", "/filter add", level=MOD, options={"phrase": "inspiring content", "action": "flag", "regex": False}
        )
        assert "Rule #1 added: “inspiring content” → flag." in reply.text
        card = (await h.command("mod", "/help filter add", level=MOD)).card
        assert card is not None
        help_text = "\n".join(f.value for f in card.fields)
        assert USAGE in help_text and "the rest of the line, no quotes" in help_text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/filter add action:flag", "Missing phrase"),
        ('/filter add "" action:flag', "phrase cannot be empty"),
        ("/filter add inspiring content action:destroy", "destroy"),
        ("/filter add inspiring content action:flag action:tag", "action is given twice"),
        ("/filter add inspiring content regex:maybe", "maybe"),
        ("/filter add " + "spam " * 60 + "action:flag", "phrase is too long: 299 characters, at most 200"),
        ("/filter add " + "élève " * 40, "phrase is too long: 239 characters, at most 200"),
        ("/filter add 🔥 🔥 🔥 action:flag", "“🔥 🔥 🔥” is too short"),
        ("/filter add ! ? … action:delete", "“! ? …” is too short"),
        ("/filter add x ! action:flag", "“x !” is too short"),
    ],
)
async def test_bad_phrases_and_actions_are_refused_clearly(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=MOD)
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text
        if "too short" not in expected:  # the plugin's own refusals carry their own hint
            assert USAGE in reply.text
        assert await rules(h) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/filter add action:signaler", "Il manque le paramètre expression"),
        (
            "/filter add inspiring content action:destroy",
            "choisissez parmi marquer, signaler, supprimer (vous avez écrit «\u202fdestroy\u202f»)",
        ),
        ("/filter add 🔥 🔥 🔥 action:flag", "« 🔥 🔥 🔥 » est trop court"),
    ],
)
async def test_refusals_are_translated(tmp_path: Path, line: str, expected: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=MOD, locale="fr")
        assert reply.ephemeral and "⚠️" in reply.text and expected in reply.text
        assert "Missing" not in reply.text and "too short" not in reply.text
        if "trop court" not in expected:
            assert USAGE_FR in reply.text
        assert await rules(h) == []


async def test_a_long_unicode_phrase_up_to_the_limit_is_accepted(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        phrase = " ".join(["Élève", "naïve", "cœur", "Ærø", "straße"] * 7)[:200].strip()
        reply = await h.command("mod", f"/filter add {phrase} action:flag", level=MOD)
        assert f"“{phrase}” → flag" in reply.text
        tested = await h.command("mod", "/filter test " + phrase.upper(), level=MOD)
        assert "→ flag" in tested.text


@pytest.mark.parametrize(
    "line",
    ['/filter add "" flag', '/filter add "  " delete', '/filter add "\u200b\u200b\u200b" flag', "/filter add « » tag"],
)
async def test_an_empty_quoted_phrase_is_refused_not_read_as_the_action_word(tmp_path: Path, line: str) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        reply = await h.command("mod", line, level=MOD)
        assert "The quoted phrase is empty." in reply.text and reply.ephemeral
        assert await rules(h) == []  # no rule on the word "flag" tagging every message that says it


async def test_a_quoted_phrase_an_action_word_and_a_named_action(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        clash = await h.command("mod", '/filter add "spam link" flag action:delete', level=MOD)
        assert "Two actions were given: “flag” and “delete”." in clash.text and clash.ephemeral
        same = await h.command("mod", '/filter add "spam link" flag action:flag', level=MOD)
        assert "“spam link” → flag" in same.text
        warned = await h.command("mod", "/filter add flag", level=MOD)
        assert "“flag” → tag" in warned.text and "The phrase ends with “flag”" in warned.text
        named = await h.command("mod", "/filter add free link delete action:flag", level=MOD)
        assert "“free link delete” → flag" in named.text and "ends with “delete”" in named.text
        assert await rules(h) == [("spam link", "flag", 0), ("flag", "tag", 0), ("free link delete", "flag", 0)]
        french = await h.command("mod", '/filter add "" flag', level=MOD, locale="fr")
        assert "L’expression entre guillemets est vide." in french.text
