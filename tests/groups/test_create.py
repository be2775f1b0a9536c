"""Creating groups: proposal and review, direct creation with a space, duplicates, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.model import Capability, DeliveryError, Level
from tests.groups.fakes import FakeSpaces
from tests.groups.helpers import RUST, groups_app, make, rows
from tests.harness import FakePlatform


async def test_proposal_goes_to_the_moderation_channel_and_approval_creates_the_space(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"creation": "propose"}) as h:
        h.platform.channel("mods")
        await h.command("mod", "/settings channel moderation #mods", level=Level.MODERATOR)
        proposed = await h.command("alice", RUST)
        assert "proposed to the moderators" in proposed.text
        assert "ambiguous" not in proposed.text  # the country was given
        posted = [s for s in h.sent if getattr(s.target, "channel_id", None) == "mods"]
        assert len(posted) == 1 and "proposes the group **Rust Lille**" in posted[0].text
        buttons = {b.label: dict(b.args) for b in posted[0].reply.buttons}
        assert buttons["Approve"] == {"name": "Rust Lille", "decision": "approve"}
        hidden = await h.command("bob", "/group list")
        assert hidden.card is not None and "Rust Lille" not in (hidden.card.description or "")
        assert (
            "already waiting for a moderator's review"
            in (await h.command("bob", '/group create "rust-lille" affinity x')).text
        )

        refused = await h.command("bob", '/group review "Rust Lille" approve')
        assert "moderators only" in refused.text
        approved = await h.command("mod", '/group review name:"Rust Lille" decision:approve', level=Level.MODERATOR)
        assert "approved" in approved.text
        assert h.platform.calls[:2] == [("create_space", "rust-lille"), ("add_member", "alice")]  # type: ignore[attr-defined]
        dm = [s for s in h.sent if getattr(s.target, "user_id", None) == "alice"]
        assert len(dm) == 1 and "was approved" in dm[0].text
        listed = await h.command("bob", "/group list")
        assert listed.card is not None and "**Rust Lille**" in (listed.card.description or "")
        again = await h.command("mod", '/group review "Rust Lille" approve', level=Level.MODERATOR)
        assert "Rust Lille is not waiting for review: it is already active." in again.text  # the reason, not "no group"


async def test_rejection_tells_the_author_why_and_frees_the_name(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"creation": "propose"}) as h:
        waiting = await h.command("alice", '/group create Knitting affinity "Wool and needles"')
        assert "/group review" in waiting.text  # no moderation channel: the reply says how it gets reviewed
        pending = await h.command("mod", "/group list", level=Level.MODERATOR)
        assert pending.card is not None and "Waiting for review: Knitting" in (pending.card.description or "")
        typo = await h.command("mod", "/group review Knittin reject", level=Level.MODERATOR)
        assert "Did you mean Knitting?" in typo.text
        done = await h.command("mod", "/group review Knitting reject Too close to #crafts", level=Level.MODERATOR)
        assert "rejected" in done.text
        dm = [s for s in h.sent if getattr(s.target, "user_id", None) == "alice"]
        assert "not accepted" in dm[0].text and "Reason: Too close to #crafts" in dm[0].text
        assert await rows(h, "SELECT * FROM community_groups") == []
        assert "waits for a moderator" in (await h.command("bob", '/group create knitting affinity "Again"')).text
        assert len(await rows(h, "SELECT * FROM community_groups")) == 1


async def test_moderators_create_directly_even_in_propose_mode(tmp_path: Path) -> None:
    async with groups_app(tmp_path, {"creation": "propose"}) as h:
        reply = await h.command("mod", '/group create Chess affinity "Play chess"', level=Level.MODERATOR)
        assert "created" in reply.text and "#chess" in reply.text


async def test_names_are_unique_after_folding_and_the_refusal_links_the_group(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h)
        for other in ("RUST LILLÉ", "rust-lille", "Rust  Lille"):
            refused = await h.command("bob", f'/group create "{other}" affinity "Same"')
            assert refused.ephemeral and "A group called Rust Lille already exists: #rust-lille." in refused.text
        assert len(await rows(h, "SELECT id FROM community_groups")) == 1


async def test_an_ambiguous_city_takes_the_most_populous_silently(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        reply = await h.command("alice", '/group create "Paris Devs" local "Devs" city:Paris')
        assert "created" in reply.text and "Paris, US" not in reply.text and "ambiguous" not in reply.text
        stored = await rows(h, "SELECT city_id, country, lat, lon FROM community_groups")
        assert stored == [(2988507, "FR", 48.85341, 2.3488)]


async def test_console_like_platforms_work_without_a_space(tmp_path: Path) -> None:
    bare = FakePlatform(capabilities=[c for c in Capability if c is not Capability.CREATE_CHANNEL])
    async with groups_app(tmp_path, platform=bare) as h:
        reply = await h.command("alice", '/group create Chess affinity "Play chess"')
        assert "created" in reply.text and "cannot create channels" in reply.text
        joined = await h.command("bob", "/group join Chess")
        assert "Welcome to **Chess**!" in joined.text
        assert await rows(h, "SELECT channel_id FROM community_groups") == [(None,)]


@pytest.mark.parametrize("method", ["create_space", "add_member"])
async def test_a_missing_permission_names_it_and_leaves_nothing_half_created(tmp_path: Path, method: str) -> None:
    async with groups_app(tmp_path) as h:
        fake = h.platform
        assert isinstance(fake, FakeSpaces)
        fake.refuse[method] = DeliveryError("missing_permission", permission="Manage Channels")
        reply = await h.command("alice", RUST)
        assert reply.ephemeral and "lacks the permission “Manage Channels”" in reply.text
        assert await rows(h, "SELECT id FROM community_groups") == []
        assert "c-rust-lille" not in fake.channels  # created then deleted again when add_member failed
        del fake.refuse[method]
        assert "created" in (await h.command("alice", RUST)).text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('/group create "Rust Lille" locl "x"', "Did you mean local?"),
        ('/group create "" affinity "x"', "name cannot be empty"),
        ('/group create "!!!" affinity "x"', "at least one letter or digit"),
        ("/group create " + "x" * 61 + ' affinity "x"', "name is too long"),
        ("/group create Chess affinity " + '"' + "d" * 501 + '"', "description is too long"),
        ('/group create Chess local "x"', "A local group needs a city."),
        ('/group create Chess local "x" city:Pariss', "Did you mean Paris, FR"),
        ('/group create Chess local "x" city:Lille radius_km:0', "radius_km"),
        ('/group create Chess local "x" city:Lille radius_km:501', "radius_km"),
        ('/group create Chess local "x" city:Lille radius_km:far', "radius_km must be a whole number"),
        ('/group create Chess affinity "x" city:Lille', "city and radius_km are for local groups"),
        ('/group create Chess affinity "x" private:maybe', "private must be yes or no"),
        ("/group create", "Missing"),
    ],
)
async def test_bad_input_gets_a_clear_private_message(tmp_path: Path, line: str, expected: str) -> None:
    async with groups_app(tmp_path) as h:
        reply = await h.command("alice", line)
        assert reply.ephemeral and expected in reply.text, reply.text
        assert await rows(h, "SELECT id FROM community_groups") == []


async def test_unicode_names_and_tags_are_kept_as_typed(tmp_path: Path) -> None:
    async with groups_app(tmp_path) as h:
        await make(h, '/group create "Café Crème ☕ 日本" affinity "Des cafés" tags:"Café, thé"')
        info = await h.command("bob", "/group info cafe creme ☕ 日本")
        assert info.card is not None and info.card.title == "Café Crème ☕ 日本"
        fields = {f.name: f.value for f in info.card.fields}
        assert fields["Tags"] == "Café, thé" and fields["Members"] == "1"  # as typed, accents kept
