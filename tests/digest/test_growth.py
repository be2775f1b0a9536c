"""Community size and growth, as a manager reads it: the member count recorded once a local day (and only
once), the "Community size" section of a week and of months (count at the end, change, joins and departures
the bot saw, the note when they disagree, newcomer retention 14 to 28 days after joining) and the growth chart
(a PNG of the expected size, gaps where no count was recorded, drawn off the event loop).

Every expected figure below is counted by hand from the timeline, not by the code under test.

The timeline (all at 10:00 UTC, noon in Paris, the community's zone; the week of interest P is Monday 5 to
Sunday 11 October 2026, its cohort week is 7 to 13 September, four weeks before):
- 6 Sep: eve joins (the first thing the bot ever sees)
- 7 Sep: ann joins; 8 Sep: ben joins; 13 Sep: cat joins (last day of the cohort week); 14 Sep: dan joins
- 21 Sep: ann posts (her day 14: retained); ben posts (his day 13: too early)
- 30 Sep: eve leaves; 4 Oct: count 120
- 6 Oct: count 121; fay, gus, hal join; 7 Oct: ivy, jon join, ben posts (his day 29: too late);
  8 Oct: kim, leo join; 9 Oct: dan, gus, hal leave
- 11 Oct: cat posts (her day 28: retained, the last day of P); count 125
- 21 Oct: fay posts (her day 15: retained); 6 Nov: kim posts (her day 29: too late)
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import Translator
from bot.model import CommunityRef, MemberJoined, MemberLeft
from bot.plugin import DigestSection, NoSettings
from bot.registry import locale_roots
from plugins.digest import growth as growth_module
from plugins.digest.growth import Growth, cohort_period
from plugins.digest.periods import Period
from tests.digest.helpers import PLUGINS, png_size
from tests.harness import FakePlatform, Harness, running

TZ = "Europe/Paris"
BEGIN = datetime(2026, 9, 6, 8, 0, tzinfo=UTC)
WEEK = Period("week", date(2026, 10, 5), date(2026, 10, 12))
SEPTEMBER = Period("month", date(2026, 9, 1), date(2026, 10, 1))
OCTOBER = Period("month", date(2026, 10, 1), date(2026, 11, 1))
NOVEMBER = Period("month", date(2026, 11, 1), date(2026, 12, 1))


class CountingPlatform(FakePlatform):
    """The fake platform with a member count a test sets (None: the platform cannot tell), and its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.count: int | None = None
        self.asked = 0

    async def member_count(self, community: CommunityRef) -> int | None:
        self.asked += 1
        return self.count


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def growth_of(h: Harness) -> Growth:
    return Growth(h.app.make_context("digest", NoSettings()))


def metrics(section: DigestSection) -> dict[str, Any]:
    return section.values()


def lines(h: Harness, section: DigestSection, locale: str = "en") -> list[str]:
    return [h.app.translator.render(line, locale) for line in section.lines]


async def timeline(h: Harness, platform: CountingPlatform, growth: Growth) -> None:
    """Play the module docstring's timeline through the dispatcher (events at their moments)."""
    community = h.platform.community.key
    # The start-up catch-up records the day's count too: let it finish at its own moment (on PostgreSQL it
    # could otherwise ask the platform after the clock moved on, and store October's count in September).
    await h.app.scheduler.idle()

    async def join(name: str, day: str) -> None:
        h.clock.set(at(day))
        await h.app.dispatcher.handle(MemberJoined(h.platform.community, h.clock.now(), h.platform.user(name)))

    async def leave(name: str, day: str) -> None:
        h.clock.set(at(day))
        await h.app.dispatcher.handle(MemberLeft(h.platform.community, h.clock.now(), h.platform.user(name)))

    async def post(name: str, day: str) -> None:
        h.clock.set(at(day))
        await h.say(name, f"hello from {name}")

    async def count(members: int, day: str) -> None:
        h.clock.set(at(day, 12))
        platform.count = members
        await growth.record(community, h.clock.now())

    await join("eve", "2026-09-06")
    await join("ann", "2026-09-07")
    await join("ben", "2026-09-08")
    await join("cat", "2026-09-13")
    await join("dan", "2026-09-14")
    await post("ann", "2026-09-21")
    await post("ben", "2026-09-21")
    await leave("eve", "2026-09-30")
    await count(120, "2026-10-04")
    for name in ("fay", "gus", "hal"):
        await join(name, "2026-10-06")
    await count(121, "2026-10-06")
    for name in ("ivy", "jon"):
        await join(name, "2026-10-07")
    await post("ben", "2026-10-07")
    for name in ("kim", "leo"):
        await join(name, "2026-10-08")
    for name in ("dan", "gus", "hal"):
        await leave(name, "2026-10-09")
    await post("cat", "2026-10-11")
    await count(125, "2026-10-11")
    await post("fay", "2026-10-21")
    await post("kim", "2026-11-06")
    await h.flush()


async def test_the_count_is_recorded_once_per_local_day_and_a_missing_count_is_asked_again_an_hour_later(
    tmp_path: Path,
) -> None:
    platform = CountingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform, start=at("2026-10-05", 9)) as h:
        growth = growth_of(h)
        community = h.platform.community.key

        async def recorded() -> list[tuple[str, int]]:
            rows = await h.app.db.fetchall(
                "SELECT day, members FROM digest_member_counts WHERE community = ? ORDER BY day", (community,)
            )
            return [(r["day"], r["members"]) for r in rows]

        platform.count = 1240
        await growth.record(community, h.clock.now())
        platform.count = 1250  # later the same day: the day's count is already there
        for minutes in (5, 10, 600):
            await growth.record(community, h.clock.now() + timedelta(minutes=minutes))
        assert await recorded() == [("2026-10-05", 1240)] and platform.asked == 1

        # 22:30 UTC is 00:30 on 6 October in Paris: a new local day, a new count.
        await growth.record(community, at("2026-10-05", 22, 30))
        assert await recorded() == [("2026-10-05", 1240), ("2026-10-06", 1250)] and platform.asked == 2

        # Another process (or a restart) finds today's row and does not ask the platform.
        await growth_of(h).record(community, at("2026-10-06", 15))
        assert platform.asked == 2

        # The platform cannot tell: nothing stored (no zero), asked again only an hour later.
        platform.count = None
        await growth.record(community, at("2026-10-07", 8))
        await growth.record(community, at("2026-10-07", 8, 50))
        assert platform.asked == 3 and await recorded() == [("2026-10-05", 1240), ("2026-10-06", 1250)]
        platform.count = 1261
        await growth.record(community, at("2026-10-07", 9, 5))
        assert platform.asked == 4
        assert await recorded() == [("2026-10-05", 1240), ("2026-10-06", 1250), ("2026-10-07", 1261)]


async def test_a_platform_that_cannot_count_records_nothing(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:  # the plain fake platform has no member count
        growth = growth_of(h)
        await growth.record(h.platform.community.key, h.clock.now())
        assert await h.app.db.fetchval("SELECT COUNT(*) FROM digest_member_counts") == 0
        week = Period("week", date(2026, 11, 9), date(2026, 11, 16))
        section = await growth.section(h.platform.community.key, week, TZ)
        assert metrics(section)["members"] is None
        assert lines(h, section) == ["No member count was recorded in this period."]
        assert await growth.chart(h.platform.community.key, week, TZ, "en") is None


async def test_a_week_reads_its_size_its_change_the_joins_and_departures_and_its_newcomer_retention(
    tmp_path: Path,
) -> None:
    platform = CountingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform, start=BEGIN) as h:
        growth = growth_of(h)
        await timeline(h, platform, growth)
        section = await growth.section(h.platform.community.key, WEEK, TZ)
        assert section.key == "members"
        assert metrics(section) == {
            "members": 125,  # the count of Sunday 11 October, the last day
            "joined": 7,  # fay gus hal ivy jon kim leo
            "left": 3,  # dan gus hal
            "newcomers": 3,  # ann ben cat (eve joined the day before the cohort week, dan the day after)
            "newcomers_retained": 2,  # ann on her day 14, cat on her day 28; ben on days 13 and 29 only
            "newcomer_retention": round(2 / 3, 4),
        }
        kinds = {m.key: (m.kind, m.compare) for m in section.metrics}
        assert kinds["newcomer_retention"] == ("share", True)
        assert kinds["newcomers"] == ("count", False) and "net_change" not in kinds  # in the headline
        assert lines(h, section) == [
            "125 members, +5 this week",
            "The member count changed by +5 while the bot saw 7 joins and 3 departures: it missed some joins or "
            "departures, for example while it was offline.",
        ]
        french = lines(h, section, "fr")
        assert french[0] == "125 membres, +5 cette semaine"
        assert "7 arrivées et 3 départs\u202f:" in french[1]
        labels = {m.key: h.app.translator.render(m.label, "en") for m in section.metrics}
        assert labels["newcomers"] == "Newcomers who joined from 7 Sep 2026 to 13 Sep 2026"

        # The week still running (a preview on Thursday 8 October): the cohort's window has not passed.
        running_week = await growth.section(h.platform.community.key, WEEK, TZ, until=at("2026-10-08", 18))
        assert metrics(running_week)["newcomers"] == 3
        assert metrics(running_week)["newcomers_retained"] is None
        assert metrics(running_week)["newcomer_retention"] is None


async def test_months_sum_their_joins_and_departures_and_months_without_a_count_have_no_data(tmp_path: Path) -> None:
    platform = CountingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform, start=BEGIN) as h:
        growth = growth_of(h)
        await timeline(h, platform, growth)
        community = h.platform.community.key

        september = metrics(await growth.section(community, SEPTEMBER, TZ))
        # No count in September; its cohort (August) is before the bot's first day: no data, not zero.
        assert september == {
            "members": None,
            "joined": 5,  # eve ann ben cat dan
            "left": 1,  # eve
            "newcomers": None,
            "newcomers_retained": None,
            "newcomer_retention": None,
        }

        october_section = await growth.section(community, OCTOBER, TZ)
        october = metrics(october_section)
        # No count on 31 October: the latest inside the month (11 October); September has none: no change.
        assert (october["members"], october["joined"], october["left"]) == (125, 7, 3)
        # October's cohort is September, which starts before the bot's first day (6 September).
        assert october["newcomers"] is None
        assert lines(h, october_section) == ["125 members"]

        november_section = await growth.section(community, NOVEMBER, TZ)
        november = metrics(november_section)
        assert (november["members"], november["joined"], november["left"]) == (None, 0, 0)
        # October's seven newcomers: fay posted on her day 15; kim on her day 29, too late.
        assert (november["newcomers"], november["newcomers_retained"]) == (7, 1)
        assert november["newcomer_retention"] == round(1 / 7, 4)
        assert lines(h, november_section) == ["No member count was recorded in this period."]


def test_the_cohort_is_four_weeks_back_for_a_week_and_the_month_before_for_a_month() -> None:
    assert cohort_period(WEEK) == Period("week", date(2026, 9, 7), date(2026, 9, 14))
    assert cohort_period(NOVEMBER) == OCTOBER
    assert cohort_period(Period("month", date(2027, 3, 1), date(2027, 4, 1))) == Period(
        "month", date(2027, 2, 1), date(2027, 3, 1)
    )


async def test_the_growth_chart_is_a_png_with_gaps_where_no_count_was_recorded_drawn_off_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = CountingPlatform()
    threads: list[int] = []
    render = growth_module.render_growth

    def recording(*args: Any) -> bytes:
        threads.append(threading.get_ident())
        return render(*args)

    monkeypatch.setattr(growth_module, "render_growth", recording)
    async with running(tmp_path, plugins=PLUGINS, platform=platform, start=BEGIN) as h:
        growth = growth_of(h)
        await timeline(h, platform, growth)
        community = h.platform.community.key

        series = await growth.series(community, WEEK, TZ, "en")
        assert series is not None
        # From the week of the bot's first day (6 September) to P: six weeks, starting on Mondays.
        assert series.week_labels == ("31 Aug", "7 Sep", "14 Sep", "21 Sep", "28 Sep", "5 Oct")
        assert series.joins == (1, 3, 1, 0, 0, 7)
        assert series.leaves == (0, 0, 0, 0, 1, 3)
        first = date(2026, 8, 31)
        known = {first + timedelta(days=i): v for i, v in enumerate(series.members) if not math.isnan(v)}
        assert known == {date(2026, 10, 4): 120.0, date(2026, 10, 6): 121.0, date(2026, 10, 11): 125.0}
        assert len(series.members) == 42 and 0.0 not in series.members  # every other day a gap, never zero

        png = await growth.chart(community, WEEK, TZ, "fr")
        assert png is not None and png_size(png) == (1000, 500)
        assert threads and threading.get_ident() not in threads  # rendered on a worker thread

        # November has no count, but the chart over the weeks ending with it still shows October's.
        assert await growth.chart(community, NOVEMBER, TZ, "en") is not None
        # A community the bot never counted has no chart at all.
        assert await growth.chart("fake:T-other", WEEK, TZ, "en") is None


async def test_a_year_of_counts_is_capped_to_52_weeks(tmp_path: Path) -> None:
    platform = CountingPlatform()
    async with running(tmp_path, plugins=PLUGINS, platform=platform, start=at("2025-01-06")) as h:
        growth = growth_of(h)
        community = h.platform.community.key
        for week in range(70):
            platform.count = 1000 + week
            await growth.record(community, at("2025-01-06") + timedelta(weeks=week))
        period = Period("week", date(2026, 5, 4), date(2026, 5, 11))
        series = await growth.series(community, period, TZ, "en")
        assert series is not None and len(series.week_labels) == 52
        # The last week's Monday holds week 69's count (4 May 2026 = 6 January 2025 + 69 weeks).
        assert series.members[-7] == 1069.0
        png = await growth.chart(community, period, TZ, "en")
        assert png is not None and png_size(png) == (1000, 500)


@pytest.mark.parametrize(
    ("members", "net", "kind", "english", "french"),
    [
        (1240, 38, "week", "1,240 members, +38 this week", "1\u202f240 membres, +38 cette semaine"),
        (1240, -5, "month", "1,240 members, \u22125 this month", "1\u202f240 membres, \u22125 ce mois-ci"),
        (1, 0, "week", "1 member, unchanged this week", "1 membre, stable cette semaine"),
        (0, 0, "month", "0 members, unchanged this month", "0 membre, stable ce mois-ci"),
        (1240, None, "week", "1,240 members", "1\u202f240 membres"),
    ],
)
def test_the_headline_reads_the_count_and_its_change_in_both_languages(
    members: int, net: int | None, kind: str, english: str, french: str
) -> None:
    translator = Translator.load(locale_roots(["core", "digest"]))
    line = growth_module.headline(members, net, kind)
    assert (translator.render(line, "en"), translator.render(line, "fr")) == (english, french)
