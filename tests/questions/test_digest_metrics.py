"""The questions section as a manager reads it: typed metrics whose counts are never capped, a still-waiting
list that shows the oldest five questions once each and says how many more wait, durations in seconds (a
quick answer is minutes, never "0 h"), and no data (None) where there is nothing to compute."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.markup import pieces
from plugins.questions.plugin import QuestionsPlugin
from tests.harness import START, Harness, running
from tests.questions.conftest import PLUGINS, edit, plugin

WEEK = (START, START + timedelta(days=7))
LINK = re.compile(r"https://chat\.example/\S+?/(m\d+)")


def english(h: Harness, lines: tuple[object, ...]) -> list[str]:
    return [h.app.translator.render(line, "en") for line in lines]  # type: ignore[arg-type]


def linked(h: Harness, lines: tuple[object, ...]) -> list[str]:
    """The messages each line links to, in order (links are `Link` pieces, never platform syntax)."""
    found: list[str] = []
    for line in lines:
        for piece in pieces(h.app.translator.render(line, "en")):  # type: ignore[arg-type]
            if not isinstance(piece, str):
                found.append(getattr(piece, "url", "").rsplit("/", 1)[-1])
    return found


async def test_sixty_waiting_questions_are_counted_and_five_listed_once_each(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        asked = [await h.say(f"member{n % 7}", f"How do I fix error {n}?", channel=f"c{n % 3}") for n in range(60)]
        await h.advance(days=5)
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "Europe/Paris")
        assert section is not None
        assert section.values()["still_waiting"] == 60  # not 50: counted, never a list's length
        lines = english(h, section.lines)
        waiting = [line for line in lines if line.startswith("Still waiting:")]
        assert [re.search(r"error (\d+)", line).group(1) for line in waiting] == ["0", "1", "2", "3", "4"]  # type: ignore[union-attr]
        assert "…and 55 more questions waiting." in lines
        shown = linked(h, section.lines)
        assert shown == [ref.message_id for ref in asked[:5]] and len(set(shown)) == len(shown)
        assert not any("<http" in line or "](" in line for line in lines)  # no platform syntax in the model


async def test_the_same_question_asked_twice_is_listed_once_with_both_links(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        # The demo's case: the same words, by two members in two channels; both still wait.
        first = await h.say("alice", "Anyone going to the meetup on Thursday?", channel="general")
        await h.advance(minutes=30)
        again = await h.say("bob", "anyone going to the  meetup on thursday?", channel="random")
        other = await h.say("carol", "Where are the slides of the talk?", channel="general")
        await h.advance(days=5)
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "Europe/Paris")
        assert section is not None and section.values()["still_waiting"] == 3
        lines = [line for line in english(h, section.lines) if line.startswith("Still waiting:")]
        assert len(lines) == 2 and sum("meetup" in line.lower() for line in lines) == 1
        assert linked(h, section.lines) == [first.message_id, again.message_id, other.message_id]
        assert not any(line.startswith("…") for line in english(h, section.lines))  # all three are linked


async def test_waiting_is_counted_as_of_each_period_end(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS, start=START - timedelta(days=7)) as h:
        late = await h.say("alice", "How do I export the members list?")
        await h.say("dave", "Where do I find the logo files?")  # never answered
        withdrawn = await h.say("erin", "Is the meetup recorded?")
        await edit(h, "erin", withdrawn, "The meetup is recorded, found it.")  # not a question any more
        h.clock.set(START + timedelta(days=1))
        await h.say("bob", "With /members export", reply_to=late)  # answered eight days later
        await h.advance(days=7)
        questions: QuestionsPlugin = plugin(h)
        before = await questions.digest_section(h.platform.community, START - timedelta(days=7), START, "UTC")
        this = await questions.digest_section(h.platform.community, *WEEK, "UTC")
        assert before is not None and this is not None
        # At the end of the previous week both waited; at the end of this one only the logo question.
        assert before.values()["still_waiting"] == 2 and this.values()["still_waiting"] == 1
        assert before.values()["asked"] == 2 and before.values()["answered"] == 1  # answered since: it counts
        assert before.values()["answered_within_24h_share"] == 0.0  # a real zero: two asked, none in 24 h
        assert before.values()["median_first_answer"] == 8 * 86_400
        # This week nobody asked: counts are zero, what needs a question to compute is no data.
        assert this.values()["asked"] == 0
        assert this.values()["median_first_answer"] is None and this.values()["p90_first_answer"] is None
        assert this.values()["answered_within_24h_share"] is None
        # The same keys in both periods: English asked last week and not this one reads 2 → 0, never vanishes.
        assert [m.key for m in this.metrics] == [m.key for m in before.metrics]
        assert (before.values()["asked_en"], this.values()["asked_en"]) == (2, 0)


async def test_quick_answers_are_seconds_and_minutes(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        fast = await h.say("alice", "How do I reset my password?")
        await h.advance(seconds=40)
        await h.say("bob", "Settings > Security", reply_to=fast)
        slow = await h.say("carol", "Where are the slides of the talk?")
        await h.advance(minutes=12)
        await h.say("bob", "In the drive", reply_to=slow)
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "Europe/Paris")
        assert section is not None
        metrics = {m.key: m for m in section.metrics}
        assert metrics["median_first_answer"].kind == "duration"
        assert metrics["median_first_answer"].value == (40 + 12 * 60) / 2  # 6 min 20 s, never "0 h"
        assert metrics["p90_first_answer"].value == 12 * 60
        assert metrics["answered_within_24h_share"].value == 1.0
        assert metrics["still_waiting"].value == 0


async def test_no_section_for_a_community_that_never_asked(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        await h.say("alice", "Good morning everyone")
        assert await plugin(h).digest_section(h.platform.community, *WEEK, "Europe/Paris") is None


async def test_a_question_asked_many_times_links_three_copies_and_counts_the_rest(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        copies = [
            await h.say(f"member{n}", "Anyone going to the meetup on Thursday?", channel=f"c{n}") for n in range(7)
        ]
        await h.say("zoe", "Where are the slides of the talk?")
        await h.advance(days=5)
        section = await plugin(h).digest_section(h.platform.community, *WEEK, "Europe/Paris")
        assert section is not None and section.values()["still_waiting"] == 8
        lines = english(h, section.lines)
        meetup = next(line for line in lines if "meetup" in line)
        assert meetup.endswith(" and 4 more times")  # seven copies: three links, four more
        assert linked(h, section.lines)[:3] == [ref.message_id for ref in copies[:3]]
        assert not any(line.startswith("…") for line in lines)  # every waiting question is accounted for
        french = [h.app.translator.render(line, "fr") for line in section.lines]
        assert any(line.endswith(" et encore 4 fois") for line in french)
