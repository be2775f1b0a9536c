"""What a manager reads: a digest's content turned into translated lines (lazy `Text`, rendered
per reader), and the JSON stored with it. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Language, Percent, Text, When, _, join
from bot.plugin import DigestSection, GroupDigest, Metric, MetricKind
from plugins.digest.changes import metric_line
from plugins.digest.coverage import covered, partly_covered
from plugins.digest.figures import LABELS as LABELS  # the figure labels, where readers of the text look
from plugins.digest.figures import Counts, Figure
from plugins.digest.periods import Period

DATE_STYLE = "d MMM y"
OWN_KEYS = ("reach", "engagement")  # the digest's sections computed from the rollups (the quiet rule's)


@dataclass(frozen=True, slots=True)
class NamedCount:
    """An entry of a top list with the name shown to readers."""

    id: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class DigestContent:
    """Everything one digest says, before translation: the neutral model the chat text, the markdown file and
    the CSV are rendered from. Each section's metrics carry their previous value (filled by the service).

    `covered_from` is the first local day the bot saw the community (None: never): a period ending on or
    before it has no data, one starting before it is only partly covered. The top lists are kept as data
    (stored in the JSON, scrubbed when a member is forgotten) and shown as lines of the `reach` section."""

    community: str
    period: Period
    timezone: str
    sections: tuple[DigestSection, ...]
    covered_from: date | None = None
    counts: Counts | None = None  # the rollup counts, None without data: tells a quiet period
    top_channels: tuple[NamedCount, ...] = ()
    top_contributors: tuple[NamedCount, ...] = ()
    languages: tuple[NamedCount, ...] = ()  # count = share in percent
    partial: bool = False
    until: datetime | None = field(default=None)  # for a partial period: figures up to this moment

    @property
    def has_data(self) -> bool:
        """False when the period ended before the bot saw the community."""
        return covered(self.period, self.covered_from)

    @property
    def partly_covered(self) -> bool:
        """True when the period started before the bot saw the community."""
        return partly_covered(self.period, self.covered_from)

    @property
    def quiet(self) -> bool:
        """True when the rollups recorded nothing at all in a period with data."""
        return self.counts is not None and self.counts.quiet

    def section(self, key: str) -> DigestSection | None:
        """The section under `key`, if the digest has it."""
        return next((s for s in self.sections if s.key == key), None)

    def values(self) -> dict[str, dict[str, Figure]]:
        """Every section's figures by section key (None = no data)."""
        return {s.key: s.values() for s in self.sections}

    def to_json(self) -> dict[str, Any]:
        """The machine-readable digest stored in `digests.figures` (stable keys, see docs/digest.md)."""
        return {
            "period": self.period.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "timezone": self.timezone,
            "covered_from": self.covered_from.isoformat() if self.covered_from else None,
            "quiet": self.quiet,
            "sections": {s.key: section_json(s) for s in self.sections},
            "lists": {
                "top_channels": [{"id": c.id, "name": c.name, "messages": c.count} for c in self.top_channels],
                "top_contributors": [{"id": c.id, "name": c.name, "messages": c.count} for c in self.top_contributors],
                "languages": [{"code": c.id, "share": c.count} for c in self.languages],
            },
        }


def section_json(section: DigestSection) -> dict[str, dict[str, Any]]:
    """A section's figures as stored: {metric key: {"value", "previous", "kind"}} (legacy figures as counts)."""
    if section.metrics:
        return {m.key: {"value": m.value, "previous": m.previous, "kind": m.kind} for m in section.metrics}
    return {key: {"value": value, "previous": None, "kind": "count"} for key, value in section.figures.items()}


_KINDS: dict[str, MetricKind] = {"count": "count", "share": "share", "ratio": "ratio", "duration": "duration"}


def _number(value: object) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def stored_metrics(entries: object) -> tuple[Metric, ...]:
    """A stored section's figures (`{metric: {"value", "previous", "kind"}}`, as `section_json` writes them,
    in their order) as metrics labelled by their keys: what the CSV needs of a digest already sent."""
    if not isinstance(entries, dict):
        return ()
    return tuple(
        Metric(
            str(key),
            str(key),
            _number(entry.get("value")),
            _KINDS.get(str(entry.get("kind")), "count"),
            _number(entry.get("previous")),
        )
        for key, entry in entries.items()
        if isinstance(entry, dict)
    )


def stored_sections(figures: dict[str, Any]) -> list[DigestSection] | None:
    """The sections of a stored digest, as it was sent; None for a digest stored before typed sections."""
    sections = figures.get("sections")
    if not isinstance(sections, dict) or not all(
        isinstance(entry, dict) and all(isinstance(m, dict) for m in entry.values()) for entry in sections.values()
    ):
        return None
    return [DigestSection(str(key), str(key), metrics=stored_metrics(entry)) for key, entry in sections.items()]


def as_sent(live: list[DigestSection], sent: list[DigestSection]) -> list[DigestSection]:
    """The sections of a period computed now, with each figure the stored digest had replaced by the value
    it was sent with; sections and figures only the stored digest had are kept too."""
    stored = {s.key: {m.key: m for m in s.metrics} for s in sent}
    found: list[DigestSection] = []
    for section in live:
        then = stored.pop(section.key, {})
        metrics = tuple(replace(m, value=then[m.key].value) if m.key in then else m for m in section.metrics)
        known = {m.key for m in section.metrics}
        metrics += tuple(m for key, m in then.items() if key not in known)
        found.append(replace(section, metrics=metrics) if section.metrics or then else section)
    found += [s for s in sent if s.key in stored]
    return found


def stored_value(figures: dict[str, Any], section: str, key: str) -> Figure:
    """A figure of a stored digest's JSON (this format or the one before it), None when absent."""
    entry = figures.get("sections", {}).get(section, {}).get(key)
    if isinstance(entry, dict):
        value = entry.get("value")
        return value if isinstance(value, int | float) else None
    legacy = figures.get("figures", {}).get(key)  # digests stored before the typed sections
    return legacy if isinstance(legacy, int | float) else None


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


def _ranking(entries: tuple[NamedCount, ...], prefix: str = "") -> Text:
    """`#general (1,200), #help (3)`: each count formatted per locale ("1 200" in French)."""
    return join([_("{name} ({count})", name=f"{prefix}{e.name}", count=e.count) for e in entries], ", ")


def _quiet(content: DigestContent) -> Text:
    if content.period.kind == "month":
        return _("A quiet month: no messages, reactions, joins or departures were recorded.")
    return _("A quiet week: no messages, reactions, joins or departures were recorded.")


def ranking_lines(
    channels: tuple[NamedCount, ...], contributors: tuple[NamedCount, ...], languages: tuple[NamedCount, ...]
) -> list[Text]:
    """The top channels, contributors and language mix: lines of the `reach` section (each entry is one id,
    listed once)."""
    lines: list[Text] = []
    if channels:
        lines.append(_("Top channels: {channels}", channels=_ranking(channels, "#")))
    if contributors:
        lines.append(_("Top contributors: {members}", members=_ranking(contributors)))
    if languages:
        # Named per reader (`Language`), not by the stored name: a French subscriber reads « anglais ».
        mix = join(
            [_("{language} {share}", language=Language(e.id), share=Percent(e.count / 100)) for e in languages], ", "
        )
        rest = 100 - sum(e.count for e in languages)
        # Only the top languages are named: the remainder is shown so the mix adds up to 100%.
        lines.append(
            _("Languages: {languages}, other {rest}", languages=mix, rest=Percent(rest / 100))
            if rest > 0
            else _("Languages: {languages}", languages=mix)
        )
    return lines


def _bullets(lines: Iterable[Text]) -> list[Text]:
    return [join(["• ", line], sep="") for line in lines]


def section_lines(section: DigestSection) -> list[Text]:
    """A section under its bold title: one line per metric with its change, then its other lines. A legacy
    section (untyped figures) shows its lines only, as it always did."""
    lines: list[Text] = [bold(section.title)]
    lines += _bullets(metric_line(m) for m in section.metrics)
    lines += _bullets(section.lines)
    return lines


def body(content: DigestContent) -> Text:
    """Every line of the digest under its title: the coverage notes, then every section in order."""
    lines: list[Text] = [bold(title(content)), *coverage_notes(content)]
    quiet = content.quiet and all(not m.previous for key in OWN_KEYS if (s := content.section(key)) for m in s.metrics)
    if quiet:
        # Nothing now and nothing before: one honest sentence instead of a table of zeros.
        lines.append(_quiet(content))
    for section in content.sections:
        if quiet and section.key in OWN_KEYS and not section.lines:
            continue
        lines += section_lines(section)
    lines.append(footer(content))
    return join(lines)


def coverage_notes(content: DigestContent) -> list[Text]:
    """What the digest says under its title about the bot's coverage of the period: no data at all, or
    since which day (the chat text and the markdown file alike)."""
    tz = content.timezone
    if not content.has_data:
        return [_("No data: the bot was not in this community yet during this period.")]
    if content.partly_covered and content.covered_from is not None:
        day = When(local_noon(content.covered_from, tz), tz, DATE_STYLE)
        return [_("The bot started recording on {day}: this period is only partly covered.", day=day)]
    return []


def footer(content: DigestContent) -> Text:
    """The digest's last line: what the changes compare."""
    if content.partial:
        return _("_This period is not over: figures so far, compared with the whole previous period._")
    return _("_Changes are compared with the previous period._")


def with_previous(section: DigestSection, previous: DigestSection | None) -> DigestSection:
    """`section` with each metric's previous value filled by key from the same section of the previous period
    (None when the previous period has no data, no such section or no such metric)."""
    if not section.metrics:
        return section
    before = previous.values() if previous is not None else {}
    return replace(section, metrics=tuple(replace(m, previous=before.get(m.key)) for m in section.metrics))


def group_body(digest: GroupDigest, period: Period, tz: str) -> Text:
    """The DM an owner gets for one opted-in group: the group's section under a dated title."""
    start = When(local_noon(period.start, tz), tz, DATE_STYLE)
    end = When(local_noon(period.last_day, tz), tz, DATE_STYLE)
    lines: list[Text] = [
        bold(_("{title}: digest from {start} to {end}", title=digest.section.title, start=start, end=end))
    ]
    lines += _bullets(metric_line(m) for m in digest.section.metrics)
    lines += _bullets(digest.section.lines)
    lines.append(
        _(
            "_You get this because {group} opted in; an owner or a moderator can stop it with "
            '/group digest "{group}" off._',
            group=digest.group_name,
        )
    )
    return join(lines)
