"""`affinity-bot digest --community ID [--period ...] --out DIR`: one digest as files, for managers who
prefer files to chat: the markdown file (`plugins.digest.markdown`), the activity chart and, when the bot
records the community's size, the growth chart (PNG), the CSV of the trend periods and, when groups have
digests, the per-group CSV (`plugins.digest.export`). Every file is rendered from the same neutral model,
so no file contradicts another."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.folding import closest
from bot.i18n import Text, _
from bot.model import CommunityRef
from bot.plugin import CommandError, DigestSection, GroupDigestSource
from plugins.digest.chart import activity_labels, activity_words, render_trend
from plugins.digest.export import GroupRow, PeriodRow, groups_csv, metrics_csv
from plugins.digest.growth import Growth
from plugins.digest.markdown import digest_markdown
from plugins.digest.periods import Period, Schedule, last_periods, local_today, period_containing
from plugins.digest.render import stored_metrics
from plugins.digest.service import DigestService


def choose_period(raw: str | None, today: date, schedule: Schedule) -> Period:
    """`last` (default: the last full period), `current` (so far), or a day `YYYY-MM-DD` inside the period."""
    value = (raw or "last").strip().lower()
    current = period_containing(today, schedule)
    if value == "last":
        return current.previous()
    if value == "current":
        return current
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("{value} is not a period.", value=raw or ""),
            _("Use last, current, or a day inside the period such as 2026-11-16."),
        ) from None
    if day > today:
        raise CommandError(
            _("The period of {day} has not started yet.", day=value),
            _("Choose a day up to today, or current for the period so far."),
        )
    return period_containing(day, schedule)


@dataclass(frozen=True, slots=True)
class DigestFiles:
    """The files of one digest, as bytes (`write_digest_files` writes them; `/digest export` may attach them)."""

    stem: str  # digest-<first day of the period>
    markdown: str
    activity_png: bytes
    growth_png: bytes | None
    metrics_csv: bytes
    groups_csv: bytes | None  # None: no group has a digest

    def named(self) -> list[tuple[str, bytes]]:
        """Each file's name and bytes, in the order they are listed: markdown, charts, CSVs."""
        found = [(f"{self.stem}.md", self.markdown.encode("utf-8")), (f"{self.stem}-activity.png", self.activity_png)]
        if self.growth_png is not None:
            found.append((f"{self.stem}-growth.png", self.growth_png))
        found.append((f"{self.stem}.csv", self.metrics_csv))
        if self.groups_csv is not None:
            found.append((f"{self.stem}-groups.csv", self.groups_csv))
        return found


async def period_rows(service: DigestService, community: str, periods: Sequence[Period], tz: str) -> list[PeriodRow]:
    """Each period's sections, as the figures CSV has them (`DigestService.period_rows`)."""
    return await service.period_rows(community, periods, tz)


async def stored_group_rows(service: DigestService, community: str, periods: Sequence[Period]) -> list[GroupRow]:
    """The group digests stored when each period's digest was sent (`digest_groups`)."""
    by_start = {p.start.isoformat(): p for p in periods}
    rows = await service.ctx.db.fetchall(
        "SELECT period_start, group_name, figures FROM digest_groups "
        "WHERE community = ? AND period_start >= ? AND period_start <= ? ORDER BY period_start, group_name",
        (community, periods[0].start.isoformat(), periods[-1].start.isoformat()),
    )
    found = []
    for row in rows:
        period = by_start.get(str(row["period_start"])[:10])
        if period is not None:
            name = str(row["group_name"])
            found.append(
                GroupRow(period, name, DigestSection("group", name, metrics=stored_metrics(_json(row["figures"]))))
            )
    return found


def _json(raw: object) -> object:
    try:
        return json.loads(str(raw))
    except ValueError:
        return {}


async def group_rows(service: DigestService, community: str, periods: Sequence[Period], tz: str) -> list[GroupRow]:
    """Each opted-in group's figures per period: as stored when the period's digest was sent; the last
    period, when its group digests are not stored yet (a preview, a period so far), from the plugins that
    give group digests. Earlier periods are never recomputed from today's groups: a group's size now, or a
    group created since, would be written into weeks where it was not true."""
    rows = await stored_group_rows(service, community, periods)
    last = periods[-1]
    if any(row.period == last for row in rows):
        return rows
    ref = CommunityRef.from_key(community)
    start, end = last.bounds(tz)
    for source in [p for p in service.ctx.plugins() if isinstance(p, GroupDigestSource)]:
        try:
            digests = await source.group_digests(ref, start, end, tz)
        except Exception:
            service.ctx.logger.exception(
                "digest: the group digests of %s failed for %s", type(source).__name__, community
            )
            continue
        rows += [GroupRow(last, d.group_name, d.section) for d in digests]
    return rows


async def export_files(
    service: DigestService, community: str, last: Period, count: int, tz: str
) -> list[tuple[str, bytes]]:
    """What `/digest export` attaches: the figures CSV of `count` periods ending with `last`, and the
    per-group CSV when groups have digests in those periods (file name and bytes each)."""
    stem = f"digest-{last.start.isoformat()}-{count}"
    found = [(f"{stem}.csv", await service.csv(community, last, count, tz))]
    groups = await group_rows(service, community, last_periods(last, count), tz)
    if groups:
        found.append((f"{stem}-groups.csv", groups_csv(groups)))
    return found


async def growth_png(service: DigestService, community: str, period: Period, tz: str, locale: str) -> bytes | None:
    """The growth chart (`plugins.digest.growth`); None when the bot recorded no member count in its span."""
    return await Growth(service.ctx).chart(community, period, tz, locale)


def _reach(row: PeriodRow, key: str) -> int | float | None:
    section = next((s for s in row.sections if s.key == "reach"), None)
    return None if section is None else section.values().get(key)


async def digest_files(
    service: DigestService, community: str, chosen: Period, *, until: datetime | None
) -> DigestFiles:
    """The files of the digest of `chosen` (a partial one up to `until`): every figure comes from the same
    content, so the CSV line of the period, the markdown tables and the chart's last point agree."""
    settings = await service.ctx.communities.get(community)
    tz, locale = settings.timezone, settings.locale
    translator = service.ctx.translator
    content = await service.content(community, chosen, tz, until=until)
    markdown = digest_markdown(content, translator, locale)
    periods = last_periods(chosen, service.trend_periods)
    rows = await period_rows(service, community, periods[:-1], tz)
    rows.append(PeriodRow(chosen, list(content.sections)))
    since = await service.coverage(community, tz)
    labels = activity_labels(periods, tz, translator, locale)
    words = activity_words(periods, tz, translator, locale, since)
    active = [_reach(row, "active_members") for row in rows]
    messages = [_reach(row, "messages") for row in rows]
    activity = await asyncio.to_thread(render_trend, labels, active, messages, words)
    groups = await group_rows(service, community, periods, tz)
    return DigestFiles(
        f"digest-{chosen.start.isoformat()}",
        markdown,
        activity,
        await growth_png(service, community, chosen, tz, locale),
        metrics_csv(rows),
        groups_csv(groups) if groups else None,
    )


async def write_digest_files(service: DigestService, community: str, period: str | None, out_dir: Path) -> list[Path]:
    """Write the digest's files under `out_dir` (`digest-<start>.md`, `-activity.png`, `-growth.png` when
    community sizes are recorded, `.csv`, `-groups.csv` when groups have digests); the paths written."""
    known = await service.repo.communities()
    if community not in known:
        suggestions = closest(community, known)
        hint: Text = (
            _("Did you mean {suggestion}?", suggestion=suggestions[0])
            if suggestions
            else _("Known communities are those with recorded activity or digest settings.")
        )
        raise CommandError(_("{community} is not a community this bot knows.", community=community), hint)
    tz = (await service.ctx.communities.get(community)).timezone
    schedule = await service.schedule_of(community)
    now = service.ctx.clock.now()
    today = local_today(now, tz)
    chosen = choose_period(period, today, schedule)
    files = await digest_files(service, community, chosen, until=now if chosen.end > today else None)
    named = [(out_dir / name, data) for name, data in files.named()]

    def write() -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, data in named:
            path.write_bytes(data)

    await asyncio.to_thread(write)
    return [path for path, _data in named]
