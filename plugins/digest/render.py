"""What a manager reads: a digest's content turned into translated lines (lazy `Text`, rendered
per reader), and the JSON stored with it. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Msg, Percent, Text, When, _, join
from bot.plugin import DigestSection, GroupDigest
from plugins.digest.figures import ENGAGEMENT_KEYS, REACH_KEYS, Change, Counts, Figure, change
from plugins.digest.periods import Period

DATE_STYLE = "d MMM y"

LABELS: Mapping[str, Msg] = {
    "active_members": _("Active members"),
    "posting_members": _("Posting members"),
    "new_members": _("New members"),
    "left_members": _("Members who left"),
    "messages": _("Messages"),
    "active_channels": _("Active channels"),
    "replies": _("Replies"),
    "thread_messages": _("Thread messages"),
    "reactions": _("Reactions"),
    "reactions_per_message": _("Reactions per message"),
    "reply_share": _("Messages that got a reply (estimate)"),
}


@dataclass(frozen=True, slots=True)
class NamedCount:
    """An entry of a top list with the name shown to readers."""

    id: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class DigestContent:
    """Everything one digest says, before translation."""

    community: str
    period: Period
    timezone: str
    counts: Counts
    figures: Mapping[str, Figure]
    previous: Mapping[str, Figure]
    top_channels: tuple[NamedCount, ...] = ()
    top_contributors: tuple[NamedCount, ...] = ()
    languages: tuple[NamedCount, ...] = ()  # count = share in percent
    sections: tuple[DigestSection, ...] = ()
    partial: bool = False
    until: datetime | None = field(default=None)  # for a partial period: figures up to this moment

    def to_json(self) -> dict[str, Any]:
        """The machine-readable digest stored in `digests.figures` (stable keys)."""
        return {
            "period": self.period.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "timezone": self.timezone,
            "quiet": self.counts.quiet,
            "figures": dict(self.figures),
            "previous": dict(self.previous),
            "top_channels": [{"id": c.id, "name": c.name, "messages": c.count} for c in self.top_channels],
            "top_contributors": [{"id": c.id, "name": c.name, "messages": c.count} for c in self.top_contributors],
            "languages": [{"code": c.id, "share": c.count} for c in self.languages],
            "sections": {s.key: dict(s.figures) for s in self.sections},
        }


def bold(text: Text) -> Text:
    """`**text**` in the neutral markup."""
    return join(["**", text, "**"], sep="")


def local_noon(day: Any, tz: str) -> datetime:
    """A moment inside a local day, to show that day with `When`."""
    return datetime.combine(day, time(12), ZoneInfo(tz))


def title(content: DigestContent) -> Text:
    """The digest's title: the kind of period and its first and last day."""
    period = content.period
    start = When(local_noon(period.start, content.timezone), content.timezone, DATE_STYLE)
    last = content.until.astimezone(ZoneInfo(content.timezone)).date() if content.until else period.last_day
    end = When(local_noon(last, content.timezone), content.timezone, DATE_STYLE)
    if content.partial:
        return _("Digest so far, {start} to {end}", start=start, end=end)
    if period.kind == "month":
        return _("Monthly digest, {start} to {end}", start=start, end=end)
    return _("Weekly digest, {start} to {end}", start=start, end=end)


def change_text(moved: Change) -> Text | None:
    """↑ 20%, ↓ 5%, → 0%, ↑ new; None when there is nothing to compare. Percentages are `Percent`s, so each
    language writes them its own way ("20%", "20 %")."""
    share = Percent((moved.percent or 0) / 100)
    if moved.kind == "up":
        return _("↑ {percent}", percent=share)
    if moved.kind == "down":
        return _("↓ {percent}", percent=share)
    if moved.kind == "same":
        return _("→ {percent}", percent=Percent(0))
    if moved.kind == "new":
        return _("↑ new")
    return None


def value_text(key: str, value: Figure) -> Text:
    """A figure's value (numbers per locale); shares as percentages; missing ratios as n/a."""
    if value is None:
        return _("n/a")
    if key == "reply_share":
        return _("{percent}", percent=Percent(value))
    return _("{value}", value=value)


def figure_line(key: str, value: Figure, previous: Figure) -> Text:
    """`Active members: 12 (↑ 20%)`."""
    moved = change_text(change(value, previous))
    if moved is None:
        return _("{label}: {value}", label=LABELS[key], value=value_text(key, value))
    return _("{label}: {value} ({change})", label=LABELS[key], value=value_text(key, value), change=moved)


def _ranking(entries: tuple[NamedCount, ...], prefix: str = "") -> Text:
    """`#general (1,200), #help (3)`: each count formatted per locale ("1 200" in French)."""
    return join([_("{name} ({count})", name=f"{prefix}{e.name}", count=e.count) for e in entries], ", ")


def _quiet(content: DigestContent) -> Text:
    if content.period.kind == "month":
        return _("A quiet month: no messages, reactions, joins or departures were recorded.")
    return _("A quiet week: no messages, reactions, joins or departures were recorded.")


def _activity_lines(content: DigestContent) -> list[Text]:
    lines: list[Text] = [bold(_("Reach"))]
    lines += [join(["• ", figure_line(k, content.figures[k], content.previous.get(k))], sep="") for k in REACH_KEYS]
    lines.append(bold(_("Engagement")))
    lines += [
        join(["• ", figure_line(k, content.figures[k], content.previous.get(k))], sep="") for k in ENGAGEMENT_KEYS
    ]
    if content.top_channels:
        lines.append(join(["• ", _("Top channels: {channels}", channels=_ranking(content.top_channels, "#"))], sep=""))
    if content.top_contributors:
        lines.append(join(["• ", _("Top contributors: {members}", members=_ranking(content.top_contributors))], sep=""))
    if content.languages:
        mix = join(
            [_("{language} {share}", language=e.name, share=Percent(e.count / 100)) for e in content.languages], ", "
        )
        rest = 100 - sum(e.count for e in content.languages)
        # Only the top languages are named: the remainder is shown so the mix adds up to 100%.
        line = (
            _("Languages: {languages}, other {rest}", languages=mix, rest=Percent(rest / 100))
            if rest > 0
            else _("Languages: {languages}", languages=mix)
        )
        lines.append(join(["• ", line], sep=""))
    return lines


def body(content: DigestContent) -> Text:
    """Every line of the digest under its title (activity, then each contributed section)."""
    lines: list[Text] = [bold(title(content))]
    if content.counts.quiet:
        lines.append(_quiet(content))
    else:
        lines += _activity_lines(content)
    for section in content.sections:
        lines.append(bold(section.title))
        lines += [join(["• ", line], sep="") for line in section.lines]
    if content.partial:
        lines.append(_("_This period is not over: figures so far, compared with the whole previous period._"))
    else:
        lines.append(_("_Changes are compared with the previous period._"))
    return join(lines)


def group_body(digest: GroupDigest, period: Period, tz: str) -> Text:
    """The DM an owner gets for one opted-in group: the group's section under a dated title."""
    start = When(local_noon(period.start, tz), tz, DATE_STYLE)
    end = When(local_noon(period.last_day, tz), tz, DATE_STYLE)
    lines: list[Text] = [
        bold(_("{title}: digest from {start} to {end}", title=digest.section.title, start=start, end=end))
    ]
    lines += [join(["• ", line], sep="") for line in digest.section.lines]
    lines.append(
        _(
            "_You get this because {group} opted in; an owner or a moderator can stop it with "
            '/group digest "{group}" off._',
            group=digest.group_name,
        )
    )
    return join(lines)
