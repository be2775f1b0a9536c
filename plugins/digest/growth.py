"""Community size and growth: the member count recorded once a day, the digest's "Community size" section
(members, joins and departures, newcomer retention) and the growth chart over up to 52 weeks.

Owns the table `digest_member_counts` (migrations/digest/0003_growth.sql): one row per community and local
day (the community's time zone), the count the platform reported (`Messenger.member_count`). A day without a
row is a day nobody counted: "no data", a gap in the chart, never zero members.

Definitions (also in docs/digest.md, "Community size and growth"):
- members: the count recorded on the period's last day, else the latest one recorded inside the period;
- joins and departures: what the bot saw (`activity_community_daily.joins` / `leaves`), which can differ
  from the count's change when the bot missed some (offline) or the platform counts differently (a note
  says so);
- net change: members at the end of the period minus members at the end of the previous one;
- newcomers: members whose `members.joined_at` falls in the cohort period, the period of the same kind that
  contains the day four weeks before this period's start (for a week: the week four weeks earlier; for a
  month: the month before); retained: those who posted (a message) on a local day 14 to 28 days after their
  join day, inclusive, known only once that window has passed for all of them.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Msg, Text, When, _, n_
from bot.model import CommunityRef
from bot.plugin import DigestSection, Metric, PluginContext
from bot.storage.times import from_db, to_db
from plugins.digest.coverage import first_day
from plugins.digest.growth_chart import GrowthSeries, GrowthText, render_growth
from plugins.digest.periods import Period, local_today

SECTION = "members"
CHART_WEEKS = 52
RETRY_AFTER = timedelta(hours=1)  # a count the platform could not give is asked again at most this often
RETAINED_FROM = 14  # days after the join day: the retention window, inclusive at both ends
RETAINED_TO = 28
COHORT_BACK = timedelta(weeks=4)
DATE_STYLE = "d MMM y"


@dataclass(frozen=True, slots=True)
class Cohort:
    """The newcomers of a period and how many of them posted again 14 to 28 days after joining (None while
    that window has not passed for all of them)."""

    period: Period
    newcomers: int | None
    retained: int | None

    @property
    def retention(self) -> float | None:
        """Retained newcomers / newcomers; None without newcomers or before the window passed."""
        if self.newcomers is None or self.retained is None or self.newcomers == 0:
            return None
        return round(self.retained / self.newcomers, 4)


def cohort_period(period: Period) -> Period:
    """The period of the same kind that contains the day four weeks before `period` starts."""
    day = period.start - COHORT_BACK
    if period.kind == "month":
        start = day.replace(day=1)
        return Period("month", start, (start + timedelta(days=32)).replace(day=1))
    # Weeks start on the period's own weekday, so the cohort is exactly four weeks back.
    return Period(period.kind, day, day + (period.end - period.start))


class Growth:
    """Records the member count and reads the growth figures; one per digest plugin (keeps a day cache)."""

    def __init__(self, ctx: PluginContext) -> None:
        self.ctx = ctx
        # community -> the local day already recorded: the digest checks every few minutes, and a recorded
        # day costs nothing more until midnight.
        self._recorded: dict[str, date] = {}
        # community -> (local day, when) the platform last had no count: asked again after RETRY_AFTER only.
        self._missed: dict[str, tuple[date, datetime]] = {}

    # ------------------------------------------------------------ recording

    async def record(self, community: str, now: datetime) -> None:
        """Store today's member count (local day of the community's zone), once per day; a platform that
        cannot tell (None) is skipped and asked again an hour later at the earliest."""
        tz = (await self.ctx.communities.get(community)).timezone
        day = local_today(now, tz)
        if self._recorded.get(community) == day:
            return
        # Another process (or a restart) may have recorded today already: one primary-key read.
        if await self.ctx.db.fetchval(
            "SELECT 1 FROM digest_member_counts WHERE community = ? AND day = ?", (community, day.isoformat())
        ):
            self._recorded[community] = day
            return
        missed = self._missed.get(community)
        if missed is not None and missed[0] == day and now - missed[1] < RETRY_AFTER:
            return
        count = await self.ctx.messenger.member_count(CommunityRef.from_key(community))
        if count is None:
            self._missed[community] = (day, now)
            return
        await self.ctx.db.execute(
            "INSERT INTO digest_member_counts (community, day, members, recorded_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (community, day.isoformat(), count, to_db(now)),
        )
        self._recorded[community] = day
        self._missed.pop(community, None)

    # ------------------------------------------------------------ reading

    async def members_at_end(self, community: str, period: Period) -> int | None:
        """The count recorded on the period's last day, else the latest inside the period; None without one."""
        value = await self.ctx.db.fetchval(
            "SELECT members FROM digest_member_counts WHERE community = ? AND day >= ? AND day < ? "
            "ORDER BY day DESC LIMIT 1",
            (community, period.start.isoformat(), period.end.isoformat()),
        )
        return None if value is None else int(value)

    async def flows(self, community: str, start: date, end: date) -> tuple[int, int]:
        """Joins and departures the bot saw over the local days [start, end)."""
        row = await self.ctx.db.fetchone(
            "SELECT COALESCE(SUM(joins), 0) AS joins, COALESCE(SUM(leaves), 0) AS leaves "
            "FROM activity_community_daily WHERE community = ? AND day >= ? AND day < ?",
            (community, start.isoformat(), end.isoformat()),
        )
        return (int(row["joins"]), int(row["leaves"])) if row is not None else (0, 0)

    async def covered_from(self, community: str, tz: str) -> date | None:
        """The first local day the bot saw the community (the digest's one definition,
        `plugins.digest.coverage.first_day`). Joins before it were never seen."""
        return await first_day(self.ctx.db, community, tz)

    async def cohort(self, community: str, period: Period, tz: str, *, until: datetime | None = None) -> Cohort:
        """The newcomers of `cohort_period(period)` and those retained, by the end of `period` (or `until`)."""
        cohort = cohort_period(period)
        covered = await self.covered_from(community, tz)
        if covered is None or cohort.start < covered:
            return Cohort(cohort, None, None)  # the bot did not see every join of that period
        start, end = cohort.bounds(tz)
        rows = await self.ctx.db.fetchall(
            "SELECT m.user_id, m.joined_at, a.day FROM members m "
            "LEFT JOIN activity_member_daily a ON a.community = m.community AND a.user_id = m.user_id "
            "AND a.messages > 0 AND a.day >= ? AND a.day <= ? "
            "WHERE m.community = ? AND m.joined_at >= ? AND m.joined_at < ?",
            (
                (cohort.start + timedelta(days=RETAINED_FROM)).isoformat(),
                (cohort.last_day + timedelta(days=RETAINED_TO)).isoformat(),
                community,
                to_db(start),
                to_db(end),
            ),
        )
        joined: dict[str, date] = {}
        posted: dict[str, set[date]] = {}
        for row in rows:
            user = str(row["user_id"])
            joined[user] = local_today(from_db(str(row["joined_at"])), tz)
            if row["day"] is not None:
                posted.setdefault(user, set()).add(date.fromisoformat(str(row["day"])))
        # Complete days only: the period's end, or the day `until` falls on (not over yet).
        horizon = period.end if until is None else min(period.end, local_today(until, tz))
        if cohort.last_day + timedelta(days=RETAINED_TO) >= horizon:
            return Cohort(cohort, len(joined), None)
        retained = sum(
            1
            for user, day in joined.items()
            if any(
                day + timedelta(days=RETAINED_FROM) <= seen <= day + timedelta(days=RETAINED_TO)
                for seen in posted.get(user, ())
            )
        )
        return Cohort(cohort, len(joined), retained)

    # ------------------------------------------------------------ the digest's section

    async def section(self, community: str, period: Period, tz: str, *, until: datetime | None = None) -> DigestSection:
        """The "Community size" section (key "members") of `period`; `until` for a period still running."""
        members = await self.members_at_end(community, period)
        before = await self.members_at_end(community, period.previous())
        joined, left = await self.flows(community, period.start, period.end)
        net = members - before if members is not None and before is not None else None
        cohort = await self.cohort(community, period, tz, until=until)
        newcomers_label = _(
            "Newcomers who joined from {start} to {end}",
            start=When(_noon(cohort.period.start, tz), tz, DATE_STYLE),
            end=When(_noon(cohort.period.last_day, tz), tz, DATE_STYLE),
        )
        # The net change is the members line's own change ("120 → 125, +4 %") and the headline's: no third line.
        metrics = (
            Metric("members", _("Members"), members),
            Metric("joined", _("Joins seen by the bot"), joined),
            Metric("left", _("Departures seen by the bot"), left),
            Metric("newcomers", newcomers_label, cohort.newcomers, compare=False),
            Metric("newcomers_retained", _("Newcomers who posted again 2 to 4 weeks after joining"), cohort.retained),
            Metric("newcomer_retention", _("Newcomer retention"), cohort.retention, kind="share"),
        )
        lines: list[Text] = []
        if members is None:
            lines.append(_("No member count was recorded in this period."))
        else:
            lines.append(headline(members, net, period.kind))
        if net is not None and net != joined - left:
            lines.append(
                _(
                    "The member count changed by {change} while the bot saw {joins} and {departures}: it missed "
                    "some joins or departures, for example while it was offline.",
                    change=signed(net),
                    joins=n_("{count} join", "{count} joins", joined),
                    departures=n_("{count} departure", "{count} departures", left),
                )
            )
        return DigestSection(SECTION, _("Community size"), lines=tuple(lines), metrics=metrics)

    # ------------------------------------------------------------ the chart

    async def series(self, community: str, period: Period, tz: str, locale: str) -> GrowthSeries | None:
        """The chart's figures: the weeks ending with `period` (up to 52, from the first week the bot saw),
        a count per day (NaN when none) and the joins and departures per week; None without any count."""
        covered = await self.covered_from(community, tz)
        first = period.end - timedelta(weeks=CHART_WEEKS)
        if covered is not None and covered > first:
            weeks_seen = max(1, math.ceil((period.end - covered).days / 7))
            first = period.end - timedelta(weeks=min(CHART_WEEKS, weeks_seen))
        counts = {
            date.fromisoformat(str(row["day"])): int(row["members"])
            for row in await self.ctx.db.fetchall(
                "SELECT day, members FROM digest_member_counts WHERE community = ? AND day >= ? AND day < ?",
                (community, first.isoformat(), period.end.isoformat()),
            )
        }
        if not counts:
            return None
        flows = {
            date.fromisoformat(str(row["day"])): (int(row["joins"]), int(row["leaves"]))
            for row in await self.ctx.db.fetchall(
                "SELECT day, joins, leaves FROM activity_community_daily WHERE community = ? AND day >= ? AND day < ?",
                (community, first.isoformat(), period.end.isoformat()),
            )
        }
        weeks = (period.end - first).days // 7
        days = [first + timedelta(days=i) for i in range(7 * weeks)]
        members = tuple(float(counts[d]) if d in counts else math.nan for d in days)
        joins = tuple(sum(flows.get(d, (0, 0))[0] for d in days[7 * w : 7 * w + 7]) for w in range(weeks))
        leaves = tuple(sum(flows.get(d, (0, 0))[1] for d in days[7 * w : 7 * w + 7]) for w in range(weeks))
        tr = self.ctx.translator
        labels = tuple(tr.format_value(When(_noon(days[7 * w], tz), tz, "d MMM"), locale) for w in range(weeks))
        return GrowthSeries(members, joins, leaves, labels)

    async def chart(self, community: str, period: Period, tz: str, locale: str) -> bytes | None:
        """The growth PNG over up to 52 weeks ending with `period`, in `locale`; None when no count was
        ever recorded in that time. Drawn on a worker thread."""
        series = await self.series(community, period, tz, locale)
        if series is None:
            return None
        first = period.end - timedelta(weeks=len(series.week_labels))
        tr = self.ctx.translator
        words = GrowthText(
            title=tr.render(
                _(
                    "Community size from {start} to {end}",
                    start=When(_noon(first, tz), tz, DATE_STYLE),
                    end=When(_noon(period.last_day, tz), tz, DATE_STYLE),
                ),
                locale,
            ),
            x_label=tr.render(_("Week starting on"), locale),
            members_axis=tr.render(_("Members"), locale),
            flow_axis=tr.render(_("Members per week"), locale),
            members_legend=tr.render(_("Member count"), locale),
            joins_legend=tr.render(_("Joins seen by the bot"), locale),
            leaves_legend=tr.render(_("Departures seen by the bot"), locale),
        )
        return await asyncio.to_thread(render_growth, series, words)


def headline(members: int, net: int | None, kind: str) -> Text:
    """The count and its change over the period, "1,240 members, +38 this week" (the count alone when the
    previous period has none)."""
    count = n_("{count} member", "{count} members", members)
    if net is None:
        return count
    month = kind == "month"
    if net == 0:
        return (
            _("{members}, unchanged this month", members=count)
            if month
            else _("{members}, unchanged this week", members=count)
        )
    if month:
        return _("{members}, {change} this month", members=count, change=signed(net))
    return _("{members}, {change} this week", members=count, change=signed(net))


def signed(value: int) -> Msg:
    """A change with its sign: "+38", "−5" (a real minus sign), numbers formatted per locale."""
    return _("+{count}", count=value) if value >= 0 else _("−{count}", count=-value)


def _noon(day: date, tz: str) -> datetime:
    """A moment inside a local day, to show that day with `When`."""
    return datetime.combine(day, time(12), ZoneInfo(tz)).astimezone(UTC)
