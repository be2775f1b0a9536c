"""The reference poll plugin (plugins/example) through the real app: the behaviour that
docs/writing-a-plugin.md promises, in both languages, with privacy export and forget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.config import Config, ConfigError
from bot.plugin import CommandError
from plugins.example.options import split_options
from tests.harness import running

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = {"core": {}, "example": {}}
DEFAULTS = Config().plugins


def test_options_are_split_on_bars_and_tidied() -> None:
    assert split_options(" Monday |Tuesday  | | Friday  evening ", 5) == ("Monday", "Tuesday", "Friday evening")
    for raw in ("Monday", "a | b | c | d | e | f", "Yes | yes"):
        with pytest.raises(CommandError):
            split_options(raw, 5)


async def test_create_vote_change_and_results(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        created = await h.command("alice", '/poll create "Which day suits you?" Monday | Tuesday | Friday')
        assert "Vote with /poll vote 1" in created.text
        assert created.card is not None and created.card.title == "Poll 1: Which day suits you?"
        assert [f.value for f in created.card.fields] == ["Monday", "Tuesday", "Friday"]

        vote = await h.command("bob", "/poll vote 1 2")
        assert vote.ephemeral and "Your vote for “Tuesday” is recorded." in vote.text
        await h.command("carol", "/poll vote 1 2")
        changed = await h.command("bob", "/poll vote poll:1 option:3")  # replaces bob's first vote
        assert "Friday" in changed.text

        results = await h.command("alice", "/poll results 1")
        assert results.card is not None
        assert [f.value for f in results.card.fields] == [
            "Monday — 0 votes",
            "Tuesday — 1 vote",
            "Friday — 1 vote",
        ]


async def test_refusals_are_private_and_explained(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        one = await h.command("alice", '/poll create "Lunch?" Pizza')
        assert one.ephemeral and "at least 2 options" in one.text and "Separate the options with |" in one.text
        six = await h.command("alice", '/poll create "Day?" Mon | Tue | Wed | Thu | Fri | Sat')
        assert six.ephemeral and "at most 5 options" in six.text
        await h.command("alice", '/poll create "Lunch?" Pizza | Salad')
        missing_option = await h.command("bob", "/poll vote 1 3")
        assert missing_option.ephemeral and "Poll 1 has no option 3." in missing_option.text
        assert "from 1 to 2" in missing_option.text
        missing_poll = await h.command("bob", "/poll vote 9 1")
        assert missing_poll.ephemeral and "There is no poll 9." in missing_poll.text


async def test_replies_in_french(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", "/language fr")
        await h.command("alice", '/poll create "Quel jour ?" lundi | mardi')
        vote = await h.command("alice", "/poll vote 1 2")
        assert "Votre vote pour «\u202fmardi\u202f» est enregistré." in vote.text
        refused = await h.command("alice", "/poll vote 1 5")
        assert "Le sondage n°\u202f1 n’a pas d’option n°\u202f5." in refused.text


async def test_a_french_member_types_french_names_and_reads_counts_that_agree(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        for member in ("alice", "bob", "carol"):
            await h.command(member, "/language fr")
        created = await h.command("alice", '/poll create question:"Quel jour ?" options:lundi | mardi | jeudi')
        assert "Votez avec `/poll vote 1` suivi du numéro de l’option." in created.text
        await h.command("alice", "/poll vote sondage:1 option:2")
        await h.command("bob", "/poll vote sondage:1 option:3")
        await h.command("carol", "/poll vote sondage:1 option:3")
        results = await h.command("alice", "/poll results sondage:1")
        assert results.card is not None
        assert [f.value for f in results.card.fields] == ["lundi — 0 vote", "mardi — 1 vote", "jeudi — 2 votes"]
        # Beyond the poll's own options (not the largest count a poll may have): the poll's bound.
        refused = await h.command("bob", "/poll vote sondage:1 option:4")
        assert "Le sondage n°\u202f1 n’a pas d’option n°\u202f4." in refused.text
        assert "Choisissez un numéro de 1 à 3." in refused.text


async def test_polls_belong_to_their_community(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", '/poll create "Lunch?" Pizza | Salad')
        row = await h.app.db.fetchone("SELECT community FROM example_polls WHERE id = 1")
        assert row["community"] == h.platform.community.key


async def test_privacy_export_and_forget(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.command("alice", '/poll create "Lunch?" Pizza | Salad')
        await h.command("alice", "/poll vote 1 1")
        await h.command("bob", "/poll vote 1 2")

        exported = await h.command("alice", "/privacy export")
        data = json.loads(exported.attachments[0].content)
        assert [v["option"] for v in data["example"]["votes"]] == [1]
        assert [p["question"] for p in data["example"]["polls"]] == ["Lunch?"]

        ask = await h.command("alice", "/privacy forget")
        token = dict(ask.buttons[0].args)["confirm"]
        await h.command("alice", f"/privacy forget confirm:{token}")
        after = json.loads((await h.command("alice", "/privacy export")).attachments[0].content)
        assert after["example"] == {"votes": [], "polls": []}
        results = await h.command("bob", "/poll results 1")  # the poll and bob's vote stay
        assert results.card is not None
        assert [f.value for f in results.card.fields] == ["Pizza — 0 votes", "Salad — 1 vote"]


async def test_disabled_by_default_and_settings_checked(tmp_path: Path) -> None:
    assert "example" not in Config().plugins  # not in the built-in defaults...
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    assert "example" not in shipped["plugins"]  # ...nor in the documented config.yaml
    async with running(tmp_path, plugins=DEFAULTS) as h:
        assert not any(path.startswith("poll") for path in h.app.registry.commands)
    with pytest.raises(ConfigError):
        async with running(tmp_path / "bad", plugins={"core": {}, "example": {"max_options": 9}}):
            pass
