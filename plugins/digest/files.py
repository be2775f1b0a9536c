"""`affinity-bot digest --community ID [--period ...] --out DIR`: one digest as files (markdown,
PNG chart, CSV of the trend periods), for managers who prefer files to chat."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from bot.folding import closest
from bot.formatting import to_markdown
from bot.i18n import Text, _
from bot.plugin import CommandError
from plugins.digest.periods import Period, Schedule, local_today, period_containing
from plugins.digest.render import body
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


async def write_digest_files(service: DigestService, community: str, period: str | None, out_dir: Path) -> list[Path]:
    """Write `digest-<start>.md`, `.png` and `.csv` under `out_dir`; returns the paths written."""
    known = await service.repo.communities()
    if community not in known:
        suggestions = closest(community, known)
        hint: Text = (
            _("Did you mean {suggestion}?", suggestion=suggestions[0])
            if suggestions
            else _("Known communities are those with recorded activity or digest settings.")
        )
        raise CommandError(_("{community} is not a community this bot knows.", community=community), hint)
    settings = await service.ctx.communities.get(community)
    tz, locale = settings.timezone, settings.locale
    schedule = await service.schedule_of(community)
    now = service.ctx.clock.now()
    today = local_today(now, tz)
    chosen = choose_period(period, today, schedule)
    partial = chosen.end > today
    content = await service.content(community, chosen, tz, until=now if partial else None)
    markdown = to_markdown(service.ctx.translator.render(body(content), locale)) + "\n"
    png = await service.chart(community, chosen, tz)
    table = await service.csv(community, chosen, service.trend_periods, tz)
    stem = out_dir / f"digest-{chosen.start.isoformat()}"
    paths = [stem.with_suffix(".md"), stem.with_suffix(".png"), stem.with_suffix(".csv")]

    def write() -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths[0].write_text(markdown, encoding="utf-8")
        paths[1].write_bytes(png)
        paths[2].write_bytes(table)

    await asyncio.to_thread(write)
    return paths
