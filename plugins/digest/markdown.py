"""The digest as a markdown file: real CommonMark (with a GFM table per section) rendered from the neutral
model, never from a platform's rendering.

What this module owns: the layout of the file (`# title`, a note when the period is only partly covered,
`## section`, a table `Figure | This week | Previous | Change` of the section's metrics, its lines as `- `
items, the closing note), how a value and a change read in a file (per locale, through the translator),
and markdown safety: text a member wrote (a name, a question, a group's name) reaches the file escaped, so
it can neither break a table, nor open a link, an HTML tag or an emphasis; only `bot.markup` objects the
bot built become markup: `Link` as `[label](url)` (http, https and mailto only), `Mention` as `@name`.
Slack (`<url|text>`) or Discord (`<@id>`) syntax is never written. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.formatting import markdown_escape, to_markdown
from bot.i18n import Joined, Msg, Percent, Text, Translator, When, _, n_
from bot.plugin import DigestSection, Metric

NO_DATA = "—"  # a figure the bot has no data for: never shown as zero

# What opens a block when a line starts with it (a heading, a quote, a list item, a thematic break).
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|([-*_])(?=\s*\3\s*\3))")
_ORDERED_START = re.compile(r"^(\s*\d{1,9})(?=[.)](?:\s|$))")  # `1. ` opens an ordered list: escape its dot
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True, slots=True)
class MarkdownDigest:
    """What the file says, in the neutral model: the title, the notes under it (partial coverage), the
    sections (metrics with their `previous` filled, and lines) and the closing notes."""

    title: Text
    period_kind: str  # "week" or "month": names the "This week" / "This month" column
    sections: Sequence[DigestSection]
    notes: Sequence[Text] = ()
    footer: Sequence[Text] = ()


def escape(text: str) -> str:
    """Member-written text as literal markdown (`bot.formatting.markdown_escape`)."""
    return markdown_escape(text)


def _escaped(text: Text) -> Text:
    """`text` with every plain string in it (the untrusted parts: a literal, a parameter) escaped for
    markdown; the templates, which the bot wrote, keep their own markup (`_italic_`, `**bold**`)."""
    if isinstance(text, str):
        return escape(text)
    if isinstance(text, Joined):
        return Joined(tuple(_escaped(part) for part in text.parts), text.sep)
    return replace(text, params={key: _escaped_param(value) for key, value in text.params.items()})


def _escaped_param(value: object) -> object:
    if isinstance(value, (str, Msg, Joined)):
        return _escaped(value)
    return value  # numbers, dates, percents, and the bot's Link / Mention objects


def inline(text: Text | None, translator: Translator, locale: str) -> str:
    """`text` rendered for `locale` as one line of markdown."""
    if text is None:
        return ""
    return " ".join(to_markdown(translator.render(_escaped(text), locale)).splitlines())


def _line(text: Text, translator: Translator, locale: str) -> str:
    """A line that cannot open a block it did not mean to (a `# heading` typed as a group's name)."""
    line = _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", inline(text, translator, locale), count=1)
    return _ORDERED_START.sub(lambda m: f"{m.group(1)}\\", line, count=1)


def _cell(text: str) -> str:
    return _UNESCAPED_PIPE.sub(r"\\|", text).strip() or " "


# ------------------------------------------------------------ values and changes


def duration_text(seconds: float) -> Text:
    """A duration as a manager reads it: "40 s", "12 min", "3 h 20 min", "2 d 4 h"."""
    total = max(0, round(seconds))
    if total < 60:
        return _("{count} s", count=total)
    minutes = round(total / 60)
    if minutes < 60:
        return _("{count} min", count=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("{hours} h {minutes} min", hours=hours, minutes=minutes) if minutes else _("{count} h", count=hours)
    days, hours = divmod(hours, 24)
    return _("{days} d {hours} h", days=days, hours=hours) if hours else _("{count} d", count=days)


def value_text(kind: str, value: float | None) -> Text:
    """A metric's value per its kind; "—" when there is no data. Shares are shown in whole percent."""
    if value is None:
        return NO_DATA
    if kind == "share":
        return _("{percent}", percent=Percent(round(value * 100) / 100))
    if kind == "duration":
        return duration_text(value)
    if kind == "ratio":
        return _("{value}", value=round(value, 2))
    return _("{value}", value=value)


_MINUS = "\u2212"


def change_text(metric: Metric) -> Text:
    """The change column: "+21 %", "−3 %", "+5 pts" (shares move in points), "new" (from zero), "=",
    "no earlier data" when the previous period has none; empty when the metric is not compared.

    The same rule as the chat text's: the change is computed from the values as shown (shares in whole
    percent, ratios to two decimals), so a row never contradicts itself; under 1 %, one decimal, so a change
    that exists never reads "+0 %"."""
    value, previous = metric.value, metric.previous
    if not metric.compare:
        return ""
    if value is None:
        return NO_DATA
    if previous is None:
        return _("no earlier data")
    if metric.kind == "share":
        points = round(value * 100) - round(previous * 100)
        if points == 0:
            return "="
        return n_("{sign}{count} pt", "{sign}{count} pts", abs(points), sign="+" if points > 0 else _MINUS)
    if metric.kind == "ratio":
        value, previous = round(value, 2), round(previous, 2)
    if value == previous:
        return "="
    if previous == 0:
        return _("new")
    moved = abs(value - previous) / abs(previous)
    percent = Percent(moved, digits=1 if moved < 0.01 else 0)
    return _("{sign}{percent}", sign="+" if value > previous else _MINUS, percent=percent)


# ------------------------------------------------------------ the file


def _header(period_kind: str) -> tuple[Text, ...]:
    current = _("This month") if period_kind == "month" else _("This week")
    return (_("Figure"), current, _("Previous"), _("Change"))


def table(section: DigestSection, period_kind: str, translator: Translator, locale: str) -> list[str]:
    """The section's metrics as a GFM table (no table when it has none)."""
    if not section.metrics:
        return []
    rows = [[inline(text, translator, locale) for text in _header(period_kind)], ["---", "---:", "---:", "---:"]]
    for metric in section.metrics:
        rows.append(
            [
                inline(metric.label, translator, locale),
                inline(value_text(metric.kind, metric.value), translator, locale),
                inline(value_text(metric.kind, metric.previous) if metric.compare else "", translator, locale),
                inline(change_text(metric), translator, locale),
            ]
        )
    return ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]


def render_markdown(doc: MarkdownDigest, translator: Translator, locale: str) -> str:
    """The whole file, ending with a newline."""
    blocks: list[list[str]] = [[f"# {inline(doc.title, translator, locale)}"]]
    blocks += [[_line(note, translator, locale)] for note in doc.notes]
    for section in doc.sections:
        block = [f"## {inline(section.title, translator, locale)}"]
        blocks.append(block)
        rows = table(section, doc.period_kind, translator, locale)
        if rows:
            blocks.append(rows)
        if section.lines:
            blocks.append([f"- {_line(line, translator, locale)}" for line in section.lines])
    blocks += [[_line(note, translator, locale)] for note in doc.footer]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


# ------------------------------------------------------------ from the digest's content


def _legacy_sections(content: Any) -> list[DigestSection]:
    """The digest's own figures as the sections `reach` and `engagement`, for a `DigestContent` whose own
    figures are not sections yet (its top lists become the reach section's lines)."""
    from plugins.digest.figures import ENGAGEMENT_KEYS, REACH_KEYS
    from plugins.digest.render import LABELS

    kinds: Mapping[str, str] = {"reply_share": "share", "reactions_per_message": "ratio"}

    def metrics(keys: Sequence[str]) -> tuple[Metric, ...]:
        return tuple(
            Metric(
                key,
                LABELS[key],
                content.figures.get(key),
                kinds.get(key, "count"),  # type: ignore[arg-type]
                content.previous.get(key),
            )
            for key in keys
        )

    lines: list[Text] = []
    if content.top_channels:
        lines.append(
            _("Top channels: {channels}", channels=", ".join(f"#{c.name} ({c.count})" for c in content.top_channels))
        )
    if content.top_contributors:
        lines.append(
            _(
                "Top contributors: {members}",
                members=", ".join(f"{c.name} ({c.count})" for c in content.top_contributors),
            )
        )
    return [
        DigestSection("reach", _("Reach"), lines=tuple(lines), metrics=metrics(REACH_KEYS)),
        DigestSection("engagement", _("Engagement"), metrics=metrics(ENGAGEMENT_KEYS)),
    ]


def content_sections(content: Any) -> list[DigestSection]:
    """Every section of a `DigestContent`, the digest's own first (whatever the content's shape: its own
    figures as sections already, or as the older `figures` mapping)."""
    own = _legacy_sections(content) if hasattr(content, "figures") else []
    return [*own, *content.sections]


def coverage_notes(content: Any) -> list[Text]:
    """What the file says under its title about the bot's coverage of the period (the same sentences as the
    chat text): no data at all, or since which day."""
    from plugins.digest.render import DATE_STYLE, local_noon

    if getattr(content, "has_data", True) is False:
        return [_("No data: the bot was not in this community yet during this period.")]
    since = getattr(content, "covered_from", None)
    if getattr(content, "partly_covered", False) and since is not None:
        day = When(local_noon(since, content.timezone), content.timezone, DATE_STYLE)
        return [_("The bot started recording on {day}: this period is only partly covered.", day=day)]
    return []


def from_content(content: Any) -> MarkdownDigest:
    """The markdown model of a `DigestContent` (plugins.digest.render)."""
    from plugins.digest.render import title

    footer: Text = (
        _("_This period is not over: figures so far, compared with the whole previous period._")
        if getattr(content, "partial", False)
        else _("_Changes are compared with the previous period._")
    )
    return MarkdownDigest(
        title(content), content.period.kind, content_sections(content), tuple(coverage_notes(content)), (footer,)
    )


def digest_markdown(content: Any, translator: Translator, locale: str) -> str:
    """The markdown file of a digest, in `locale`."""
    return render_markdown(from_content(content), translator, locale)
