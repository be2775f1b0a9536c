"""Building and delivering digests: the digest's own sections (its builders: reach and engagement from the
rollups, community size, conversation quality) and the other plugins' sections, each asked for the period
and for the previous one so every metric carries its previous value; nothing is asked for a period the bot
did not see (coverage). The charts off the event loop, storage (one per community and period, its text in
every supported language) and delivery (each target in its reader's language; how many it reached).

Exactly once: a digest is first stored (UNIQUE community + period start, sent_at empty), then
delivered with one `dedupe_key` per target, then marked sent. A restart between the steps finds the
row unsent and delivers it again; the dedupe keys skip the targets already served.

Bounded retries: a delivery that meets an outage (`DeliveryError` "failed") on some targets leaves the
digest unsent, and each check tries those targets again (its chart kept in memory, a traceback logged
the first time, one line after), for `RETRY_FOR` after the digest was built; then it is given up: marked
sent, with an error naming the targets that never received it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.i18n import SUPPORTED_LOCALES, Text, _
from bot.model import Attachment, Capability, ChannelRef, CommunityRef, DeliveryError, Reply, Target, UserRef
from bot.plugin import DigestContributor, DigestSection, GroupDigest, GroupDigestSource, PluginContext
from plugins.digest import quality
from plugins.digest.chart import ChartCache, activity_labels, activity_words, render_trend
from plugins.digest.coverage import covered, first_day
from plugins.digest.export import PeriodRow, metrics_csv
from plugins.digest.figures import ENGAGEMENT_KEYS, REACH_KEYS, Counts, metrics_of, shares
from plugins.digest.growth import Growth
from plugins.digest.periods import Period, Schedule, last_periods, latest_due, send_moment
from plugins.digest.render import (
    DigestContent,
    NamedCount,
    as_sent,
    body,
    group_body,
    ranking_lines,
    section_json,
    stored_sections,
    with_previous,
)
from plugins.digest.repo import DigestRepo, StoredDigest


class SectionBuilder(Protocol):
    """One of the digest's own sections for (community key, period, time zone), up to `until` for a period
    still running (a preview); None when it has nothing to say."""

    def __call__(
        self, community: str, period: Period, tz: str, *, until: datetime | None = None
    ) -> Awaitable[DigestSection | None]:
        """The section of `period` (the digest calls it for the previous period too)."""
        ...


RETRY_FOR = timedelta(hours=24)  # how long after it was built a digest failing for an outage is retried


class Undelivered(DeliveryError):
    """A scheduled delivery that met an outage ("failed") on some targets, named in `missed`."""

    def __init__(
        self, missed: list[str], cause: DeliveryError, attachments: tuple[Attachment, ...] = (), served: int = 0
    ) -> None:
        super().__init__("failed", f"not delivered to {', '.join(missed)} ({cause})")
        self.missed = missed
        self.cause = cause
        self.attachments = attachments  # the digest's chart, kept for the retries
        self.served = served  # the targets it did reach


class DigestService:
    """The digest's orchestration, shared by the commands, the job and the command line."""

    def __init__(self, ctx: PluginContext, *, default: Schedule, top: int, trend_periods: int, owner: object) -> None:
        self.ctx = ctx
        self.repo = DigestRepo(ctx.db)
        self.default = default
        self.top = top
        self.trend_periods = trend_periods
        self._owner = owner
        self._lock = asyncio.Lock()
        self._schedules: dict[str, Schedule] = {}
        # community -> (time zone, schedule, next send moment): the 5-minute check skips a community
        # without a query until its next digest is due (or its zone or schedule changed).
        self._next: dict[str, tuple[str, Schedule, datetime]] = {}
        # digest id -> the chart of a digest whose delivery met an outage: rendered once for its retries
        # (and the mark of a failure already logged with its traceback). Dropped when delivered or given up.
        self._failing: dict[int, tuple[Attachment, ...]] = {}
        self._charts = ChartCache()
        self.growth = Growth(ctx)
        # (community, period start, end) -> the rollup counts read for `reach`, reused by `engagement`.
        self._counted: dict[tuple[str, date, date], Counts] = {}
        # The digest's own sections, in the order they are shown: each one line. A builder is called for the
        # period and for the previous one (the changes), never for a period the bot did not see.
        self.builders: list[SectionBuilder] = [self._reach, self._engagement, self.growth.section, self._quality]

    async def schedule_of(self, community: str) -> Schedule:
        """The community's schedule, or the configured default (cached)."""
        cached = self._schedules.get(community)
        if cached is None:
            cached = self._schedules[community] = await self.repo.schedule(community) or self.default
        return cached

    async def save_schedule(self, community: str, schedule: Schedule, now: datetime) -> None:
        """Store a community's schedule."""
        await self.repo.save_schedule(community, schedule, now)
        self._schedules[community] = schedule

    # ------------------------------------------------------------ content

    async def coverage(self, community: str, tz: str | None = None) -> date | None:
        """The first local day the bot saw the community (None: never); see `plugins.digest.coverage`."""
        zone = tz or (await self.ctx.communities.get(community)).timezone
        return await first_day(self.ctx.db, community, zone)

    async def content(self, community: str, period: Period, tz: str, *, until: datetime | None = None) -> DigestContent:
        """Everything a digest of `period` says (a partial one up to `until`), each metric with its previous
        value. A period the bot never saw has every figure None, and nothing else is asked for it."""
        ref = CommunityRef.from_key(community)
        if until is not None and self._reachable(community):
            # A preview before the day's first check would read "no member count" for a count one call away.
            try:
                await self.growth.record(community, until)
            except Exception:
                self.ctx.logger.exception("digest: recording the member count of %s failed", community)
        since = await self.coverage(community, tz)
        if not covered(period, since):
            empty = self._own_sections(None)
            return DigestContent(community, period, tz, empty, since, partial=until is not None, until=until)
        start, end = period.start, period.end
        counts = await self.repo.counts(community, start, end)
        locale = (await self.ctx.communities.get(community)).locale
        channels = tuple(
            NamedCount(r.id, self.ctx.directory.channel_name(ChannelRef(ref.platform, ref.workspace_id, r.id)), r.count)
            for r in await self.repo.top_channels(community, start, end, self.top)
        )
        members = tuple(
            NamedCount(r.id, self.ctx.directory.member_name(UserRef(ref.platform, ref.workspace_id, r.id)), r.count)
            for r in await self.repo.top_members(community, start, end, self.top)
        )
        languages = tuple(
            NamedCount(code, self.ctx.translator.language_name(code, locale), pct)
            for code, pct in shares(await self.repo.languages(community, start, end))[: self.top]
        )
        self._counted[(community, start, end)] = counts
        current = await self.sections_of(ref, period, tz, until)
        ranking = tuple(ranking_lines(channels, members, languages))
        current = [replace(s, lines=s.lines + ranking) if s.key == "reach" else s for s in current]
        before: dict[str, DigestSection] = {}
        previous = period.previous()
        if covered(previous, since):
            before = {s.key: s for s in await self.sections_of(ref, previous, tz, None)}
        return DigestContent(
            community,
            period,
            tz,
            tuple(with_previous(s, before.get(s.key)) for s in current),
            since,
            counts,
            channels,
            members,
            languages,
            partial=until is not None,
            until=until,
        )

    def _own_sections(self, counts: Counts | None) -> tuple[DigestSection, ...]:
        """The digest's sections computed from the rollups: reach and engagement (None: no data)."""
        return (
            DigestSection("reach", _("Reach"), metrics=metrics_of(counts, REACH_KEYS)),
            DigestSection("engagement", _("Engagement"), metrics=metrics_of(counts, ENGAGEMENT_KEYS)),
        )

    async def _reach(self, community: str, period: Period, tz: str, *, until: datetime | None = None) -> DigestSection:
        return self._own_sections(await self._counts(community, period, keep=True))[0]

    async def _engagement(
        self, community: str, period: Period, tz: str, *, until: datetime | None = None
    ) -> DigestSection:
        return self._own_sections(await self._counts(community, period, keep=False))[1]

    async def _quality(
        self, community: str, period: Period, tz: str, *, until: datetime | None = None
    ) -> DigestSection:
        # Read from the raw messages, which only exist up to now: `until` changes nothing.
        return await quality.section(self.ctx, community, period, tz)

    async def _counts(self, community: str, period: Period, *, keep: bool) -> Counts:
        """The period's rollup counts, read once for the two sections built from them: `reach` reads and keeps
        them, `engagement` (its next builder) takes them back."""
        key = (community, period.start, period.end)
        counts = self._counted.get(key) if keep else self._counted.pop(key, None)
        if counts is None:
            counts = await self.repo.counts(community, period.start, period.end)
        if keep:
            if len(self._counted) >= 16:  # a failed builder never leaves more than a few behind
                self._counted.clear()
            self._counted[key] = counts
        return counts

    async def sections_of(
        self, community: CommunityRef, period: Period, tz: str, until: datetime | None
    ) -> list[DigestSection]:
        """Every section of a period: the digest's own builders in order, then each contributor's. A failing
        builder or contributor is logged and left out, never fatal."""
        found: list[DigestSection] = []
        for builder in self.builders:
            try:
                section = await builder(community.key, period, tz, until=until)
            except Exception:
                self.ctx.logger.exception("digest: the section %s failed for %s", _name(builder), community.key)
                continue
            if section is not None:
                found.append(section)
        return found + list(await self.sections(community, period, tz, until))

    def contributors(self) -> list[DigestContributor]:
        """The enabled plugins that add a section (never the digest itself)."""
        return [p for p in self.ctx.plugins() if isinstance(p, DigestContributor) and p is not self._owner]

    async def sections(
        self, community: CommunityRef, period: Period, tz: str, until: datetime | None
    ) -> tuple[DigestSection, ...]:
        """Each contributor's section; a failing contributor is logged and left out, never fatal."""
        start, end = period.bounds(tz)
        if until is not None:
            end = min(end, until)
        found: list[DigestSection] = []
        for contributor in self.contributors():
            try:
                section = await contributor.digest_section(community, start, end, tz)
            except Exception:
                self.ctx.logger.exception(
                    "digest: the section of %s failed for %s", type(contributor).__name__, community.key
                )
                continue
            if section is not None:
                found.append(section)
        return tuple(found)

    async def chart(self, community: str, period: Period, tz: str) -> bytes:
        """The trend PNG of the periods ending with `period`, in the community's language; a period the bot
        did not see is a gap (None), never a zero."""
        periods = last_periods(period, self.trend_periods)
        since = await self.coverage(community, tz)
        seen = [p for p in periods if covered(p, since)]
        points = dict(zip(seen, await self.repo.trend(community, seen), strict=True))
        locale = (await self.ctx.communities.get(community)).locale
        labels = activity_labels(periods, tz, self.ctx.translator, locale)
        words = activity_words(periods, tz, self.ctx.translator, locale, since)
        active = [points[p][0] if p in points else None for p in periods]
        messages = [points[p][1] if p in points else None for p in periods]
        key = ChartCache.key(labels, active, messages, words)
        png = self._charts.get(key)
        if png is None:
            png = await asyncio.to_thread(render_trend, labels, active, messages, words)
            self._charts.put(key, png)
        return png

    async def period_rows(self, community: str, periods: Sequence[Period], tz: str) -> list[PeriodRow]:
        """Each period's sections for the CSV: none for a period the bot never saw (no data); a period whose
        digest was stored, with every figure it was sent with (so the file never contradicts the digest
        managers read, even after a member's `/privacy forget` removed their raw rows), and the figures it
        did not have then (a language first asked later: 0 questions in it that week) as computed now."""
        ref = CommunityRef.from_key(community)
        since = await self.coverage(community, tz)
        rows = []
        for period in periods:
            if not covered(period, since):
                rows.append(PeriodRow(period, ()))
                continue
            live = await self.sections_of(ref, period, tz, None)
            stored = await self.repo.get(community, period.start)
            sent = stored_sections(stored.figures) if stored is not None else None
            rows.append(PeriodRow(period, as_sent(live, sent) if sent is not None else live))
        return rows

    async def csv(self, community: str, last: Period, count: int, tz: str) -> bytes:
        """The CSV of `count` periods ending with `last` (empty cells for the periods the bot did not see)."""
        return metrics_csv(await self.period_rows(community, last_periods(last, count), tz))

    # ------------------------------------------------------------ schedule and delivery

    async def run(self, now: datetime) -> int:
        """Build, store and send every digest due at `now` (one per community and period), then retry the
        digests left unsent; how many were built and delivered."""
        sent = 0
        attempted: set[int] = set()  # each digest is tried once per check
        async with self._lock:  # the job and the start-up catch-up take turns
            for community in await self.repo.communities():
                if not self._reachable(community):
                    continue
                try:
                    # The member count, once a local day (the growth section and chart read it).
                    await self.growth.record(community, now)
                except Exception:
                    self.ctx.logger.exception("digest: recording the member count of %s failed", community)
                try:
                    sent += await self._run_one(community, now, attempted)
                except Exception:
                    self._next.pop(community, None)  # try again at the next check
                    self.ctx.logger.exception("digest: building the digest of %s failed", community)
            for stored in await self.repo.unsent():
                if stored.id in attempted or not self._reachable(stored.community):
                    continue
                try:
                    await self._attempt(stored, None, now)
                except Exception:
                    self.ctx.logger.exception("digest: delivering digest %s of %s failed", stored.id, stored.community)
        return sent

    async def _run_one(self, community: str, now: datetime, attempted: set[int]) -> int:
        settings = await self.ctx.communities.get(community)
        schedule = await self.schedule_of(community)
        tz = settings.timezone
        waiting = self._next.get(community)
        if waiting is not None and waiting[:2] == (tz, schedule) and now < waiting[2]:
            return 0
        period = latest_due(now, schedule, tz)
        self._next[community] = (tz, schedule, send_moment(period.following(), schedule, tz))
        if await self.repo.get(community, period.start) is not None:
            return 0
        if not await self._known_before(community, period.end, tz):
            return 0  # the bot did not know the community yet: no digest of a time it never saw
        # What is still buffered belongs to the period too (a departure at 23:59 on its last day): the stored
        # digest is what its CSV line will say, so it must not miss what the writer has not flushed yet.
        await self.ctx.activity.flush()
        content = await self.content(community, period, settings.timezone)
        text = body(content)
        renderings = self.renderings(text)
        stored_json = {**content.to_json(), "locale": settings.locale}
        if not await self.repo.insert(community, period, stored_json, renderings, settings.locale, now):
            return 0
        stored = await self.repo.get(community, period.start)
        assert stored is not None
        attempted.add(stored.id)
        return int(await self._attempt(stored, text, now))

    def renderings(self, text: Text) -> dict[str, str]:
        """`text` in every supported language: stored, so a retry or a resend reads in each target's own."""
        return {locale: self.ctx.translator.render(text, locale) for locale in SUPPORTED_LOCALES}

    async def _attempt(self, stored: StoredDigest, text: Text | None, now: datetime) -> bool:
        """Deliver a stored digest (`text`: its lazy text when just built, None for its stored renderings);
        True when it was. A delivery that met an outage is left for the next
        check until `RETRY_FOR` after the digest was built, then given up (marked sent, logged as an error)."""
        try:
            await self.deliver(stored, text, now)
        except Undelivered as exc:
            deadline = stored.created_at + RETRY_FOR
            missed = ", ".join(exc.missed)
            if now >= deadline:
                self._failing.pop(stored.id, None)
                await self.repo.mark_sent(stored.id, now, exc.served)  # stops the retries: no other state
                await self.repo.end_groups(stored.community, stored.period.start, now)
                self.ctx.logger.error(
                    "digest: gave up digest %s of %s (period from %s) after %d hours of outage: never delivered "
                    "to %s (%s)",
                    stored.id,
                    stored.community,
                    stored.period.start.isoformat(),
                    RETRY_FOR // timedelta(hours=1),
                    missed,
                    exc.cause,
                )
            elif stored.id in self._failing:
                self.ctx.logger.warning(
                    "digest: digest %s of %s still not delivered to %s (%s); retried until %s",
                    stored.id,
                    stored.community,
                    missed,
                    exc.cause,
                    _iso(deadline),
                )
            else:
                self._failing[stored.id] = exc.attachments
                self.ctx.logger.warning(
                    "digest: digest %s of %s not delivered to %s; retried at each check until %s",
                    stored.id,
                    stored.community,
                    missed,
                    _iso(deadline),
                    exc_info=exc.cause,
                )
            return False
        self._failing.pop(stored.id, None)
        return True

    def _reachable(self, community: str) -> bool:
        """False when the community's platform is not running in this process (its digests wait)."""
        return bool(self.ctx.messenger.capabilities(CommunityRef.from_key(community)))

    async def _known_before(self, community: str, day: date, tz: str) -> bool:
        """True when the bot saw the community before the local `day`."""
        first = await self.coverage(community, tz)
        return first is not None and first < day

    async def stored_text(self, stored: StoredDigest, target: Target) -> str:
        """A stored digest's text in the target's language: the community's in a channel, the member's own
        (`/language`, else the community's) in a DM."""
        user = target if isinstance(target, UserRef) else None
        locale = await self.ctx.communities.locale_for(user, CommunityRef.from_key(stored.community))
        return stored.renderings.get(locale) or stored.rendered

    async def targets(self, community: str) -> list[Target]:
        """The digest channel, then each subscriber's DMs (when the platform has DMs)."""
        ref = CommunityRef.from_key(community)
        found: list[Target] = []
        channel = (await self.ctx.communities.get(community)).channel("digest")
        if channel is not None:
            found.append(channel)
        if Capability.DIRECT_MESSAGES in self.ctx.messenger.capabilities(ref):
            found += [UserRef(ref.platform, ref.workspace_id, uid) for uid in await self.repo.subscribers(community)]
        return found

    async def attachments(self, community: str, period: Period) -> tuple[Attachment, ...]:
        """The trend chart of the periods ending with `period`, where the platform takes attachments."""
        if Capability.ATTACHMENTS not in self.ctx.messenger.capabilities(CommunityRef.from_key(community)):
            return ()
        settings = await self.ctx.communities.get(community)
        tz = settings.timezone
        # Both charts render on worker threads at the same time.
        png, growth = await asyncio.gather(
            self.chart(community, period, tz), self.growth.chart(community, period, tz, settings.locale)
        )
        found = [Attachment(f"digest-{period.start.isoformat()}.png", png, "image/png")]
        if growth is not None:  # no member count recorded yet: no growth chart
            found.append(Attachment(f"growth-{period.start.isoformat()}.png", growth, "image/png"))
        return tuple(found)

    async def deliver(self, stored: StoredDigest, text: Text | None, now: datetime, *, resend: bool = False) -> int:
        """Send a stored digest to its targets; a DM refused is logged and skipped. Returns targets served.

        `text` is the digest's lazy text when it was just built (rendered per target by the messenger); None
        sends its stored renderings, each target's in its own language. Targets failing for an outage
        (`DeliveryError` "failed") do not stop the others, but the digest is then not marked sent:
        `Undelivered` names them (see `_attempt`), and the next check delivers it again, the dedupe keys
        skipping the targets already served. A resend has no keys and is never retried; it raises the
        digest's `reached` count when it served more targets."""
        targets = await self.targets(stored.community)
        chart = None if resend else self._failing.get(stored.id)
        if not targets:
            attachments: tuple[Attachment, ...] = ()
        elif chart is not None:
            attachments = chart  # the chart of the first attempt
        else:
            attachments = await self.attachments(stored.community, stored.period)
        served = 0
        missed: list[str] = []
        cause: DeliveryError | None = None
        for target in targets:
            suffix = f"dm:{target.user_id}" if isinstance(target, UserRef) else f"channel:{target.channel_id}"
            key = None if resend else f"digest:{stored.community}:{stored.period.start.isoformat()}:{suffix}"
            words = text if text is not None else await self.stored_text(stored, target)
            try:
                await self.ctx.messenger.send(target, Reply(text=words, attachments=attachments), dedupe_key=key)
                served += 1
            except DeliveryError as exc:
                if exc.transient and not resend:
                    missed.append(suffix)  # logged once for the whole digest by `_attempt`
                    cause = cause or exc
                else:
                    self.ctx.logger.warning("digest: could not deliver to %s in %s: %s", suffix, stored.community, exc)
        if resend:
            await self.repo.raise_reached(stored.id, served)
            return served
        try:
            await self.deliver_groups(stored, now)
        except Undelivered as exc:
            missed += exc.missed
            cause = cause or exc.cause
        if cause is not None:
            raise Undelivered(missed, cause, attachments, served)
        await self.repo.mark_sent(stored.id, now, served)
        return served

    async def group_digests(self, stored: StoredDigest) -> list[GroupDigest]:
        """The per-group digests of the period from every enabled `GroupDigestSource` (a failing one is
        logged and left out), each metric with its value of the previous period (same group, same key)."""
        tz = str(stored.figures.get("timezone") or (await self.ctx.communities.get(stored.community)).timezone)
        found = await self._group_digests(stored.community, stored.period, tz)
        since = await self.coverage(stored.community, tz)
        previous = stored.period.previous()
        before: dict[str, DigestSection] = {}
        if found and covered(previous, since):
            before = {d.key: d.section for d in await self._group_digests(stored.community, previous, tz)}
        return [replace(d, section=with_previous(d.section, before.get(d.key))) for d in found]

    async def _group_digests(self, community: str, period: Period, tz: str) -> list[GroupDigest]:
        start, end = period.bounds(tz)
        ref = CommunityRef.from_key(community)
        found: list[GroupDigest] = []
        for source in [p for p in self.ctx.plugins() if isinstance(p, GroupDigestSource)]:
            try:
                found += await source.group_digests(ref, start, end, tz)
            except Exception:
                self.ctx.logger.exception(
                    "digest: the group digests of %s failed for %s", type(source).__name__, community
                )
        return found

    async def deliver_groups(self, stored: StoredDigest, now: datetime) -> int:
        """DM each opted-in group's section to its owners, once per group, owner and period; how many sent.

        Each group digest is stored (`digest_groups`: its figures, its text in every language, how many
        owners it reached), so `/digest history` lists it. A DM failing for a platform outage ("failed")
        does not stop the others; `Undelivered` is raised at the end, so the community digest is not marked
        sent and the next check tries again."""
        ref = CommunityRef.from_key(stored.community)
        if Capability.DIRECT_MESSAGES not in self.ctx.messenger.capabilities(ref):
            return 0
        tz = str(stored.figures.get("timezone") or (await self.ctx.communities.get(stored.community)).timezone)
        sent = 0
        missed: list[str] = []
        cause: DeliveryError | None = None
        for digest in await self.group_digests(stored):
            text = group_body(digest, stored.period, tz)
            await self.repo.insert_group(
                stored.community,
                stored.period.start,
                digest.key,
                digest.group_name,
                section_json(digest.section),
                self.renderings(text),
                now,
            )
            reply = Reply(text=text)
            served = 0
            failed = False
            for owner in digest.owners:
                key = f"digest.group:{stored.community}:{stored.period.start.isoformat()}:{digest.key}:{owner.user_id}"
                try:
                    sent += await self.ctx.messenger.send(owner, reply, dedupe_key=key) is not None
                    served += 1  # a DM skipped by its dedupe key was served by an earlier attempt
                except DeliveryError as exc:
                    if exc.transient:
                        missed.append(f"group {digest.key} to dm:{owner.user_id}")
                        cause = cause or exc
                        failed = True
                    else:
                        self.ctx.logger.warning(
                            "digest: could not send the digest of group %s to %s in %s: %s",
                            digest.key,
                            owner.user_id,
                            stored.community,
                            exc,
                        )
            await self.repo.group_reached(
                stored.community, stored.period.start, digest.key, served, None if failed else now
            )
        if cause is not None:
            raise Undelivered(missed, cause)
        return sent


def _name(builder: SectionBuilder) -> str:
    return getattr(builder, "__qualname__", type(builder).__name__)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
