"""No data before the bot: a bot that arrives mid-week. The weeks before it are "no data" everywhere (the
text says so and shows "—", the CSV has empty cells, the chart a gap, the contributors are not even asked),
the first week is partly covered and says so, and the week after compares with it by key."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import _
from bot.model import CommunityRef, Level
from bot.plugin import DigestSection, Metric, NoSettings, Plugin
from plugins.digest import service as service_module
from plugins.digest.coverage import covered, partly_covered
from plugins.digest.periods import Period
from plugins.digest.plugin import DigestPlugin
from plugins.digest.render import body
from tests.digest.helpers import PLUGINS, in_channel, stored, use_managers_channel, values
from tests.harness import Harness, running

WEDNESDAY_NOV_18 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # the bot arrives: 11:00 in Paris
SEND_NOV_23 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
SEND_NOV_30 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
WEEK_NOV_9 = Period("week", date(2026, 11, 9), date(2026, 11, 16))
WEEK_NOV_16 = Period("week", date(2026, 11, 16), date(2026, 11, 23))
MOD = Level.MODERATOR


class TypedAnswers(Plugin):
    """A contributor with typed metrics: 4 questions asked in the week of 16 November, 6 the week after."""

    name = "answers"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.calls: list[datetime] = []

    async def digest_section(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> DigestSection | None:
        self.calls.append(start)
        asked = 6 if start >= datetime(2026, 11, 22, tzinfo=UTC) else 4
        return DigestSection(
            "answers",
            _("Questions"),
            metrics=(Metric("asked", _("Questions asked"), asked), Metric("median", _("Median"), 600, "duration")),
        )


async def advance_to(h: Harness, moment: datetime) -> None:
    await h.flush()
    await h.advance(seconds=(moment - h.clock.now()).total_seconds())


@pytest.mark.parametrize(
    ("since", "is_covered", "is_partial"),
    [
        (None, False, False),  # never seen
        (date(2026, 11, 23), False, False),  # the period ends when the bot arrives
        (date(2026, 11, 22), True, True),  # its last day is the first day seen
        (date(2026, 11, 18), True, True),
        (date(2026, 11, 16), True, False),  # seen from its first day
        (date(2026, 1, 1), True, False),
    ],
)
def test_coverage_of_a_period(since: date | None, is_covered: bool, is_partial: bool) -> None:
    assert covered(WEEK_NOV_16, since) is is_covered
    assert partly_covered(WEEK_NOV_16, since) is is_partial


async def test_a_bot_that_arrived_mid_week_shows_no_data_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    charts: list[tuple[list[int | None], list[int | None]]] = []
    real_render = service_module.render_trend

    def recording_render(labels: Any, active: Any, messages: Any, words: Any) -> bytes:
        charts.append((list(active), list(messages)))
        return real_render(labels, active, messages, words)

    monkeypatch.setattr(service_module, "render_trend", recording_render)
    async with running(tmp_path, plugins=PLUGINS, start=WEDNESDAY_NOV_18) as h:
        answers = TypedAnswers(h.app.make_context("answers", NoSettings()))
        h.app.add_plugin(answers)
        service = next(p for p in h.app.registry.plugins if isinstance(p, DigestPlugin)).service
        await use_managers_channel(h)
        await h.say("alice", "hello")
        await h.say("bob", "hi")
        await h.flush()
        assert await service.coverage("fake:T1") == date(2026, 11, 18)

        await advance_to(h, SEND_NOV_23)
        (post,) = in_channel(h, "managers")
        for line in [
            "The bot started recording on 18 Nov 2026: this period is only partly covered.",
            "Messages: 2 (no earlier data)",
            "Active members: 2 (no earlier data)",
            "Questions asked: 4 (no earlier data)",
            "Median: 10 min (no earlier data)",
        ]:
            assert line in post.text, line
        assert "new" not in post.text  # never a change against the zeros of a week the bot did not see
        (digest,) = await stored(h)
        assert digest["figures"]["covered_from"] == "2026-11-18"
        assert set(values(digest, "reach", "previous").values()) == {None}
        assert values(digest, "answers") == {"asked": 4, "median": 600}
        assert values(digest, "answers", "kind") == {"asked": "count", "median": "duration"}
        # Asked for the week only, never for the week before the bot.
        assert answers.calls == [datetime(2026, 11, 15, 23, 0, tzinfo=UTC)]
        # The chart: a gap for the eleven weeks before the bot, not zeros.
        active, messages = charts[-1]
        assert active == [None] * 11 + [2] and messages == [None] * 11 + [2]

        # A week the bot never saw: every figure None, the contributors not even asked.
        answers.calls.clear()
        content = await service.content("fake:T1", WEEK_NOV_9, "Europe/Paris")
        assert not content.has_data and answers.calls == []
        assert [s.key for s in content.sections] == ["reach", "engagement"]  # nothing else was asked
        assert {v for s in content.sections for v in s.values().values()} == {None}
        text = h.app.translator.render(body(content), "en")
        assert "No data: the bot was not in this community yet during this period." in text
        assert "• Messages: —" in text and "Messages: 0" not in text

        # The CSV: empty cells for the weeks before the bot, the figures of the week it arrived.
        reply = await h.command("mod", "/digest export periods:3", level=MOD)
        rows = list(csv.DictReader(io.StringIO(reply.attachments[0].content.decode("utf-8-sig"))))
        assert [(r["period_start"], r["reach.messages"], r["answers.asked"]) for r in rows] == [
            ("2026-11-02", "", ""),
            ("2026-11-09", "", ""),
            ("2026-11-16", "2", "4"),
        ]

        # The week after compares with the partly covered week, by key, every section the same way.
        await h.say("alice", "week two")
        await h.say("carol", "hello")
        await h.say("dave", "hey")
        await advance_to(h, SEND_NOV_30)
        post = in_channel(h, "managers")[-1]
        assert "partly covered" not in post.text
        for line in ["Messages: 2 → 3, +50%", "Questions asked: 4 → 6, +50%", "Median: 10 min → 10 min, ="]:
            assert line in post.text, line
        assert values((await stored(h))[-1], "answers", "previous") == {"asked": 4, "median": 600}
