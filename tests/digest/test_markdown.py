"""The digest's markdown file, parsed by a real markdown parser (markdown-it-py, tables enabled): what a
manager opening it in any viewer sees. Tables of figures with their previous value and change, links that
are links, member text that stays text, and no Slack or Discord syntax."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.discovery import default_plugins
from bot.formatting import markdown_escape
from bot.i18n import Translator, _
from bot.markup import Link, Mention
from bot.plugin import DigestSection, Metric
from bot.registry import locale_roots
from plugins.digest.markdown import MarkdownDigest, render_markdown

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(locale_roots(default_plugins()))


def parse(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            assert row is not None
            row.append("".join(child.content for child in inline.children or [] if child.type == "text"))
        elif token.type == "tr_close":
            assert row is not None
            found[-1].append(row)
    return found


def links(tokens: list[Token]) -> list[tuple[str, str]]:
    """Every link as (label, href)."""
    found = []
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            if child.type == "link_open":
                end = next(i for i in range(index, len(children)) if children[i].type == "link_close")
                label = "".join(c.content for c in children[index + 1 : end] if c.type == "text")
                found.append((label, str(child.attrs["href"])))
    return found


def kinds(tokens: list[Token]) -> set[str]:
    return {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}


HOSTILE = "<https://evil.example|click> *bold* _it_ [x](https://evil.example) `code` a|b <b>html</b> # not a title"


def digest(**overrides: Any) -> MarkdownDigest:
    questions = DigestSection(
        "questions",
        _("Questions and answers"),
        lines=(
            _("Still waiting: {question}", question=Link("https://chat.example/q/1", HOSTILE)),
            _("Asked by {member}", member=Mention("U1", "jean_dupont")),
            HOSTILE,
            "# Rust Lille",
        ),
        metrics=(
            Metric("asked", _("Questions asked"), 51, "count", 42),
            Metric("answered_24h_share", _("Answered within 24 hours"), 0.45, "share", 0.40),
            Metric("median_first_answer", _("Median time to a first answer"), 720, "duration", 12_000),
            Metric("still_waiting", _("Still waiting"), 60, "count", 0),
            Metric("solved", _("Solved"), None, "count", 3),
            Metric("cohort", _("Cohort"), 12, "count", None, compare=False),
        ),
    )
    reach = DigestSection(
        "reach",
        _("Reach"),
        metrics=(Metric("messages", _("Messages"), 1200, "count", None), Metric("replies", HOSTILE, 5, "count", 5)),
    )
    values: dict[str, Any] = {
        "title": _("Weekly digest, {start} to {end}", start="9 Nov 2026", end="15 Nov 2026"),
        "period_kind": "week",
        "sections": (reach, questions),
        "notes": (_("The bot started recording on {day}: this period is only partly covered.", day="11 Nov 2026"),),
        "footer": (_("_Changes are compared with the previous period._"),),
    }
    values.update(overrides)
    return MarkdownDigest(**values)


def test_the_file_is_markdown_with_a_title_a_heading_and_a_table_per_section(translator: Translator) -> None:
    markdown = render_markdown(digest(), translator, "en")
    tokens = parse(markdown)
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [
        ("h1", "Weekly digest, 9 Nov 2026 to 15 Nov 2026"),
        ("h2", "Reach"),
        ("h2", "Questions and answers"),
    ]
    reach, questions = tables(tokens)
    assert reach[0] == ["Figure", "This week", "Previous", "Change"]
    assert reach[1] == ["Messages", "1,200", "—", "no earlier data"]
    assert reach[2][1:] == ["5", "5", "="]  # a hostile label stays one cell: the table keeps four columns
    assert all(len(row) == 4 for table in (reach, questions) for row in table)
    assert questions[1:] == [
        ["Questions asked", "51", "42", "+21%"],
        ["Answered within 24 hours", "45%", "40%", "+5 pts"],
        ["Median time to a first answer", "12 min", "3 h 20 min", "−94%"],
        ["Still waiting", "60", "0", "new"],
        ["Solved", "—", "3", "—"],  # no data this period: a dash, never a zero nor a fall of 100 %
        ["Cohort", "12", "", ""],  # not compared: no previous, no change
    ]
    paragraphs = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    assert "The bot started recording on 11 Nov 2026: this period is only partly covered." in paragraphs
    assert "em_open" in kinds(tokens)  # the closing note is in italics, as the bot wrote it


def test_links_and_mentions_are_markdown_and_member_text_stays_text(translator: Translator) -> None:
    markdown = render_markdown(digest(), translator, "en")
    tokens = parse(markdown)
    assert links(tokens) == [(HOSTILE, "https://chat.example/q/1")]  # the bot's link only, its label literal
    items = [tokens[i + 2] for i, t in enumerate(tokens) if t.type == "list_item_open"]
    texts = ["".join(c.content for c in item.children or [] if c.type == "text") for item in items]
    assert texts[1] == "Asked by @jean_dupont"
    assert texts[2] == HOSTILE  # shown exactly as typed
    assert texts[3] == "# Rust Lille"  # a group named like a heading stays a list item's text
    assert not {"html_inline", "html_block", "code_inline", "strong_open", "image"} & kinds(tokens)
    assert "em_open" not in kinds(parse(markdown.split("## Questions")[1].split("_Changes")[0]))
    assert "<@" not in markdown and "<https://evil.example|click>" not in markdown  # no Slack or Discord syntax
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert html.count("<a href") == 1 and "evil.example" not in html.split("<a href")[1].split(">")[0]
    assert "<b>" not in html and "&lt;b&gt;html&lt;/b&gt;" in html


def test_french_reads_french(translator: Translator) -> None:
    markdown = render_markdown(digest(), translator, "fr")
    reach, questions = tables(parse(markdown))
    assert reach[0] == ["Indicateur", "Cette semaine", "Période précédente", "Évolution"]
    assert reach[1] == ["Messages", f"1{NNBSP}200", "—", "aucune donnée antérieure"]
    assert questions[1][3] == f"+21{NNBSP}%"
    assert questions[2][1:] == [f"45{NNBSP}%", f"40{NNBSP}%", "+5 pts"]
    assert questions[3][1:3] == ["12 min", "3 h 20 min"]
    assert questions[4][3] == "nouveau"


def test_a_month_names_its_column_and_sections_without_metrics_have_no_table(translator: Translator) -> None:
    legacy = DigestSection("calendar", _("Editorial calendar"), {"planned": 3}, ("#news: 2 of 3 on time",))
    markdown = render_markdown(digest(period_kind="month", sections=(legacy,), notes=()), translator, "en")
    tokens = parse(markdown)
    assert tables(tokens) == []
    assert "#news: 2 of 3 on time" in markdown
    assert render_markdown(digest(), translator, "en").count("| This week |") == 2
    section = DigestSection("s", "S", metrics=(Metric("m", "M", 1),))
    assert "| This month |" in render_markdown(digest(period_kind="month", sections=(section,)), translator, "en")


def test_escape_leaves_nothing_live() -> None:
    html = MarkdownIt("commonmark").render(markdown_escape(HOSTILE))
    assert html == "<p>" + HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>\n"


@pytest.mark.parametrize("text", ["# Rust", "> quote", "- dash", "---", "* * *", "1. first", "2026) year", "+ plus"])
def test_a_line_that_looks_like_a_block_stays_the_text_of_its_list_item(translator: Translator, text: str) -> None:
    section = DigestSection("s", "S", lines=(text,))
    tokens = parse(render_markdown(digest(sections=(section,), notes=(), footer=()), translator, "en"))
    items = [tokens[i + 2] for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert len(items) == 1 and items[0].type == "inline"
    assert "".join(c.content for c in items[0].children or [] if c.type == "text") == text
    assert [t.type for t in tokens if t.type.endswith("_open")].count("bullet_list_open") == 1


def test_only_web_and_mail_links_become_links(translator: Translator) -> None:
    lines = (
        _("See {a}, {b}, {c}", a=Link("javascript:alert(1)", "click"), b=Link("https://x.org/a_(b)", "ok"), c="c"),
        _("Write to {m}", m=Link("mailto:team@example.org", "the team")),
    )
    section = DigestSection("s", "S", lines=lines)
    tokens = parse(render_markdown(digest(sections=(section,), notes=(), footer=()), translator, "en"))
    assert links(tokens) == [("ok", "https://x.org/a_%28b%29"), ("the team", "mailto:team@example.org")]
