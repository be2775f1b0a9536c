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
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.formatting import markdown_escape, to_markdown
from bot.i18n import Joined, Msg, Text, Translator, _
from bot.plugin import DigestSection, Metric
from plugins.digest.changes import NO_DATA, delta_text, value_text
from plugins.digest.render import DigestContent, coverage_notes, footer, title

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


def _escaped(text: Text) -> Text:
    """`text` with every plain string in it (the untrusted parts: a literal, a parameter) escaped for
    markdown; the templates, which the bot wrote, keep their own markup (`_italic_`, `**bold**`)."""
    if isinstance(text, str):
        return markdown_escape(text)
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


def change_text(metric: Metric) -> Text:
    """The change column, by the chat text's one rule (`plugins.digest.changes.delta_text`): "+21 %",
    "+5 pts", "new", "="; "no earlier data" when the previous period has none; empty when not compared."""
    if not metric.compare:
        return ""
    if metric.value is None:
        return NO_DATA
    return delta_text(metric.value, metric.previous, metric.kind) or _("no earlier data")


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
                inline(value_text(metric.value, metric.kind), translator, locale),
                inline(value_text(metric.previous, metric.kind) if metric.compare else "", translator, locale),
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


def from_content(content: DigestContent) -> MarkdownDigest:
    """The markdown model of a `DigestContent`: the chat text's title, coverage notes and footer."""
    return MarkdownDigest(
        title(content), content.period.kind, list(content.sections), tuple(coverage_notes(content)), (footer(content),)
    )


def digest_markdown(content: DigestContent, translator: Translator, locale: str) -> str:
    """The markdown file of a digest, in `locale`."""
    return render_markdown(from_content(content), translator, locale)
