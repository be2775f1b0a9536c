"""Language per reader: the digest channel reads the community's language, each subscriber's DM their own
(`/language`, else the community's). The digest is stored in every supported language, so a retry after an
outage and `/digest send` give each target its own language too."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.model import Level
from tests.digest.helpers import PLUGINS, in_channel, in_dm, stored, use_managers_channel
from tests.harness import Harness, running

SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
MOD = Level.MODERATOR
FRENCH_TITLE = "**Bilan hebdomadaire, du 16 nov. 2026 au 22 nov. 2026**"
ENGLISH_TITLE = "**Weekly digest, 16 Nov 2026 to 22 Nov 2026**"


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


async def a_french_community_with_an_english_reader(h: Harness) -> None:
    """Community in French; `mod` reads English (`/language en`), `lea` did not choose (French)."""
    await h.command("admin", "/settings locale fr", level=Level.ADMIN)
    await use_managers_channel(h)
    await h.command("mod", "/digest subscribe on", level=MOD)
    await h.command("mod", "/language en")
    await h.command("lea", "/digest subscribe on", level=MOD)
    await h.say("alice", "bonjour")
    await h.say("bob", "salut")


async def test_the_channel_reads_the_community_language_and_each_dm_its_reader_s(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await a_french_community_with_an_english_reader(h)
        await advance_to(h, SEND_NOV_23)
        (channel,) = in_channel(h, "managers")
        assert channel.text.startswith(FRENCH_TITLE) and "Messages\u202f: 2" in channel.text
        (english,) = in_dm(h, "mod")
        assert english.text.startswith(ENGLISH_TITLE) and "Messages: 2" in english.text
        (french,) = in_dm(h, "lea")
        assert french.text == channel.text
        (digest,) = await stored(h)
        renderings = json.loads(digest["renderings"])
        assert set(renderings) == {"en", "fr"}
        assert renderings["fr"] == channel.text == digest["rendered"] and renderings["en"] == english.text
        assert digest["reached"] == 3


async def test_a_retry_and_a_resend_give_each_target_its_own_language(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await a_french_community_with_an_english_reader(h)
        h.platform.fail("@mod")  # an outage on the English reader's DMs
        await advance_to(h, SEND_NOV_23)
        assert in_dm(h, "mod") == [] and len(in_dm(h, "lea")) == 1
        assert (await stored(h))[0]["reached"] is None  # not over yet
        h.platform.heal()
        await h.advance(minutes=5)  # the next check sends the stored text: the English one to mod
        (retried,) = in_dm(h, "mod")
        assert retried.text.startswith(ENGLISH_TITLE) and "Messages: 2" in retried.text
        assert len(in_channel(h, "managers")) == 1 and len(in_dm(h, "lea")) == 1  # not twice
        assert (await stored(h))[0]["reached"] == 3
        resent = await h.command("mod", "/digest send", level=MOD)
        assert "Digest sent again to 3 destinations." in resent.text
        assert in_dm(h, "mod")[-1].text.startswith(ENGLISH_TITLE)
        assert in_dm(h, "lea")[-1].text.startswith(FRENCH_TITLE)
        assert in_channel(h, "managers")[-1].text.startswith(FRENCH_TITLE)
