"""The digest's files: the CSV a manager opens in a spreadsheet (stable English header, raw numbers, empty
cells for no data, UTF-8 with a BOM, CRLF), the per-group CSV, the activity chart (a title naming the
period, axes with units, colour-blind-safe colours, gaps where there is no data) and `affinity-bot digest`
writing them all, each file agreeing with the others."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from markdown_it import MarkdownIt

from bot.discovery import default_plugins
from bot.i18n import Translator, _
from bot.model import CommunityRef, UserRef
from bot.plugin import DigestSection, GroupDigest, Metric, NoSettings, Plugin
from bot.registry import locale_roots
from plugins.digest.chart import (
    BAR_COLOUR,
    HEIGHT_PX,
    LINE_COLOUR,
    OKABE_ITO,
    WIDTH_PX,
    ChartText,
    activity_labels,
    activity_words,
    render_trend,
)
from plugins.digest.export import GroupRow, PeriodRow, groups_csv, metrics_csv, number
from plugins.digest.periods import Period, last_periods
from plugins.digest.plugin import DigestPlugin
from tests.digest.helpers import PLUGINS, png_size
from tests.digest.test_markdown import tables
from tests.harness import Harness, running

WEEK = Period("week", date(2026, 11, 16), date(2026, 11, 23))
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(locale_roots(default_plugins()))


def reach(messages: int | None, active: int | None) -> DigestSection:
    return DigestSection(
        "reach",
        _("Reach"),
        metrics=(Metric("active_members", _("Active members"), active), Metric("messages", _("Messages"), messages)),
    )


def questions(asked: int, share: float | None, median: float | None) -> DigestSection:
    return DigestSection(
        "questions",
        _("Questions"),
        metrics=(
            Metric("asked", "Asked", asked),
            Metric("answered_24h_share", "Within 24 h", share, "share"),
            Metric("median_first_answer", "Median", median, "duration"),
        ),
    )


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_has_a_stable_header_raw_numbers_and_empty_cells_for_no_data() -> None:
    before = WEEK.previous().previous()
    rows = [
        PeriodRow(before, ()),  # the bot was not there: a row of empty cells, never zeros
        PeriodRow(WEEK.previous(), (reach(1200, 40), questions(3, 0.5, None))),
        PeriodRow(WEEK, (reach(0, 2), questions(51, 0.4567, 720.0))),
    ]
    data = metrics_csv(rows)
    assert data.startswith(b"\xef\xbb\xbfperiod_start,period_last_day,")
    assert data.count(b"\r\n") == 4 and data.count(b"\n") == 4  # CRLF only
    parsed = parse_csv(data)
    assert parsed[0] == [
        "period_start",
        "period_last_day",
        "reach.active_members",
        "reach.messages",
        "questions.asked",
        "questions.answered_24h_share",
        "questions.median_first_answer",
    ]  # the digest's order: sections in order, each section's metrics in order (not alphabetical)
    assert parsed[1] == ["2026-11-02", "2026-11-08", "", "", "", "", ""]
    assert parsed[2] == ["2026-11-09", "2026-11-15", "40", "1200", "3", "0.5", ""]  # 1200, not "1,200"
    assert parsed[3] == ["2026-11-16", "2026-11-22", "2", "0", "51", "0.4567", "720"]  # a zero is a zero


def test_a_column_only_older_periods_had_is_kept_and_numbers_never_use_exponents() -> None:
    old = DigestSection("calendar", "Calendar", {"planned": 3})  # an untyped section: its figures are columns
    parsed = parse_csv(metrics_csv([PeriodRow(WEEK.previous(), (reach(1, 1), old)), PeriodRow(WEEK, (reach(2, 1),))]))
    assert parsed[0][2:] == ["reach.active_members", "reach.messages", "calendar.planned"]
    assert parsed[2][-1] == ""
    assert [number(v) for v in (0.00001, 2.0, 1 / 3, None, float("nan"), True)] == [
        "0.00001",
        "2",
        "0.333333",
        "",
        "",
        "",
    ]


def test_the_group_csv_has_one_line_per_period_and_group_and_no_formula() -> None:
    def group(members: int, messages: int | None) -> DigestSection:
        return DigestSection(
            "group", "G", metrics=(Metric("members", "Members", members), Metric("messages", "Messages", messages))
        )

    rows = [
        GroupRow(WEEK, "Rust Lille", group(12, 40)),
        GroupRow(WEEK, '=HYPERLINK("https://evil.example","x")', group(3, None)),
        GroupRow(WEEK.previous(), "Rust Lille", group(10, 35)),
    ]
    parsed = parse_csv(groups_csv(rows))
    assert parsed[0] == ["period_start", "period_last_day", "group", "members", "messages"]
    assert parsed[1] == ["2026-11-09", "2026-11-15", "Rust Lille", "10", "35"]
    assert parsed[2] == ["2026-11-16", "2026-11-22", '\'=HYPERLINK("https://evil.example","x")', "3", ""]
    assert parsed[3] == ["2026-11-16", "2026-11-22", "Rust Lille", "12", "40"]


# ------------------------------------------------------------ the chart


def pixels(png: bytes) -> np.ndarray[Any, Any]:
    from matplotlib.image import imread

    return np.asarray(imread(io.BytesIO(png), format="png"))[:, :, :3]


def count(image: np.ndarray[Any, Any], colour: str) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image - rgb).max(axis=2) < 0.02).sum())


WORDS = ChartText("Weekly activity", "Week starting on", "Active members", "Messages", "members", "messages per week")


def test_the_chart_uses_okabe_ito_colours_and_leaves_gaps_where_there_is_no_data() -> None:
    labels = [f"{d} Nov" for d in range(1, 7)]
    full = pixels(render_trend(labels, [5, 6, 7, 8, 9, 10], [50, 60, 70, 80, 90, 100], WORDS))
    assert count(full, BAR_COLOUR) > 5000 and count(full, LINE_COLOUR) > 500
    assert {BAR_COLOUR, LINE_COLOUR} <= set(OKABE_ITO.values())
    gaps = pixels(render_trend(labels, [None, None, 7, 8, 9, 10], [None, None, 70, 80, 90, 100], WORDS))
    zeros = pixels(render_trend(labels, [0, 0, 7, 8, 9, 10], [0, 0, 70, 80, 90, 100], WORDS))
    # Two periods without data: two bars fewer and a shorter line than with everything, and not the same
    # picture as two periods of zeros (which draw their points on the axis).
    assert count(gaps, BAR_COLOUR) < count(full, BAR_COLOUR) * 0.8
    assert count(gaps, LINE_COLOUR) < count(zeros, LINE_COLOUR)
    left = slice(0, gaps.shape[1] // 4)  # where the first two periods are drawn (and the left axis' label)
    assert count(gaps[:, left], BAR_COLOUR) < count(full[:, left], BAR_COLOUR) / 4  # the legend's swatch only
    assert count(gaps[:, left], LINE_COLOUR) < count(full[:, left], LINE_COLOUR) / 2
    assert png_size(render_trend(["a", "b"], [None, None], [None, None], WORDS)) == (WIDTH_PX, HEIGHT_PX)


def test_the_chart_words_name_the_period_and_the_units(translator: Translator) -> None:
    periods = last_periods(WEEK, 12)
    words = activity_words(periods, "Europe/Paris", translator, "en", covered_from=date(2026, 10, 1))
    assert words.title == "Weekly activity, 31 Aug 2026 to 22 Nov 2026"
    assert (words.x_label, words.active_axis, words.messages_axis) == (
        "Week starting on",
        "members",
        "messages per week",
    )
    assert words.note == "No data before 1 Oct 2026: the bot was not recording yet."
    assert activity_labels(periods, "Europe/Paris", translator, "en")[-1] == "16 Nov"
    french = activity_words(periods, "Europe/Paris", translator, "fr")
    assert french.title == "Activité semaine par semaine, du 31 août 2026 au 22 nov. 2026"
    assert (french.active_axis, french.messages_axis, french.note) == ("membres", "messages par semaine", "")
    month = Period("month", date(2026, 11, 1), date(2026, 12, 1))
    monthly = activity_words(last_periods(month, 3), "UTC", translator, "en")
    assert (
        monthly.title == "Monthly activity, 1 Sep 2026 to 30 Nov 2026" and monthly.messages_axis == "messages per month"
    )
    assert activity_labels(last_periods(month, 3), "UTC", translator, "fr") == ["sept. 2026", "oct. 2026", "nov. 2026"]


# ------------------------------------------------------------ the files, end to end

SEND_NOV_30 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
STORED_GROUPS_TABLE = """CREATE TABLE IF NOT EXISTS digest_groups (
    id INTEGER PRIMARY KEY, community TEXT NOT NULL, period_start TEXT NOT NULL, group_key TEXT NOT NULL,
    group_name TEXT NOT NULL, figures TEXT NOT NULL, renderings TEXT NOT NULL, created_at TEXT NOT NULL,
    sent_at TEXT, reached INTEGER, UNIQUE (community, period_start, group_key))"""


class Clubs(Plugin):
    """Group digests for the per-group CSV: one group whose name a member chose."""

    name = "clubs"

    async def group_digests(
        self, community: CommunityRef, start: datetime, end: datetime, timezone: str
    ) -> list[GroupDigest]:
        section = DigestSection("group", "Club", metrics=(Metric("members", "Members", 4),))
        return [GroupDigest("7", "Rust | Lille", (UserRef("fake", "T1", "alice"),), section)]


async def two_weeks(h: Harness) -> DigestPlugin:
    await h.say("alice", "hello")
    await h.say("bob", "hi")
    await h.flush()
    await h.advance(days=7)
    for _n in range(3):
        await h.say("carol", "the second week is busier")
    await h.flush()
    await h.advance(seconds=(SEND_NOV_30 - h.clock.now()).total_seconds())
    return next(p for p in h.app.registry.plugins if isinstance(p, DigestPlugin))


async def test_the_command_line_writes_files_that_agree_with_each_other(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        h.app.add_plugin(Clubs(h.app.make_context("clubs", NoSettings())))
        plugin = await two_weeks(h)
        # A group digest stored when an earlier digest was sent (the table of migration digest/0002).
        await h.app.db.execute(STORED_GROUPS_TABLE)
        await h.app.db.execute(
            "INSERT INTO digest_groups (community, period_start, group_key, group_name, figures, renderings, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                "fake:T1",
                "2026-11-16",
                "8",
                "=Old club",
                '{"members": {"value": 9, "previous": null, "kind": "count"}, '
                '"messages": {"value": null, "previous": 3, "kind": "count"}, "bad": 1}',
                "{}",
                "2026-11-23T08:00:00",
            ),
        )
        paths = await plugin.write_files("fake:T1", None, tmp_path / "out")
    assert [p.name for p in paths] == [
        "digest-2026-11-23.md",
        "digest-2026-11-23-activity.png",
        "digest-2026-11-23.csv",
        "digest-2026-11-23-groups.csv",
    ]
    markdown = paths[0].read_text(encoding="utf-8")
    assert "<" not in markdown and "**" not in markdown.split("\n")[0]  # markdown, not the chat's markup
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    reach_table = tables(tokens)[0]
    assert reach_table[0] == ["Figure", "This week", "Previous", "Change"]
    by_label = {row[0]: row[1:] for row in reach_table[1:]}
    assert by_label["Messages"] == ["3", "2", "+50%"]
    assert by_label["Active members"] == ["1", "2", "−50%"]
    assert png_size(paths[1].read_bytes()) == (WIDTH_PX, HEIGHT_PX)
    rows = list(csv.DictReader(io.StringIO(paths[2].read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 12 and rows[-1]["period_start"] == "2026-11-23"
    # The CSV line of the period says what the markdown table says, raw.
    assert (rows[-1]["reach.messages"], rows[-1]["reach.active_members"]) == ("3", "1")
    assert (rows[-2]["reach.messages"], rows[-2]["reach.active_members"]) == ("2", "2")
    # Weeks before the bot saw the community: empty cells, never zeros.
    assert all(value == "" for row in rows[:-2] for key, value in row.items() if key.startswith("reach."))
    groups = parse_csv(paths[3].read_bytes())
    assert groups[0] == ["period_start", "period_last_day", "group", "members", "messages"]
    assert ["2026-11-16", "2026-11-22", "'=Old club", "9", ""] in groups  # as stored, never recomputed
    assert groups[-1] == ["2026-11-23", "2026-11-29", "Rust | Lille", "4", ""]
    # Today's groups are not written into the weeks before (the last week comes from the plugins).
    assert {row[0] for row in groups[1:]} == {"2026-11-16", "2026-11-23"}


def test_a_kept_figure_draws_gaps_and_fills_them_again_like_a_new_figure() -> None:
    from plugins.digest.chart import _TrendFigure

    labels = ["1 Nov", "8 Nov", "15 Nov", "22 Nov"]
    for active, messages in (
        ([None, 3, 4, 5], [None, 30, 40, 50]),
        ([1, 3, 4, 5], [10, 30, 40, 50]),  # the gap filled on the kept figure
        ([None, None, None, 2], [None, None, None, 20]),
        ([None, None, None, 7], [None, None, None, 90]),  # the same gaps, other figures: the kept figure
        ([None, None, 0, 7], [None, None, 0, 90]),
    ):
        assert render_trend(labels, active, messages, WORDS) == _TrendFigure(labels, active, messages, WORDS).png()


async def test_the_export_attaches_the_group_csv_when_groups_have_digests(tmp_path: Path) -> None:
    from plugins.digest.files import export_files

    async with running(tmp_path, plugins=PLUGINS) as h:
        plugin = await two_weeks(h)
        last = Period("week", date(2026, 11, 23), date(2026, 11, 30))
        alone = await export_files(plugin.service, "fake:T1", last, 4, "UTC")
        assert [name for name, _data in alone] == ["digest-2026-11-23-4.csv"]
        h.app.add_plugin(Clubs(h.app.make_context("clubs", NoSettings())))
        both = await export_files(plugin.service, "fake:T1", last, 4, "UTC")
    assert [name for name, _data in both] == ["digest-2026-11-23-4.csv", "digest-2026-11-23-4-groups.csv"]
    figures = parse_csv(both[0][1])
    assert len(figures) == 5 and figures[-1][figures[0].index("reach.messages")] == "3"
    assert parse_csv(both[1][1])[1:] == [["2026-11-23", "2026-11-29", "Rust | Lille", "4"]]


async def test_the_growth_chart_is_written_when_member_counts_were_recorded(tmp_path: Path) -> None:
    async with running(tmp_path, plugins=PLUGINS) as h:
        plugin = await two_weeks(h)
        before = await plugin.write_files("fake:T1", None, tmp_path / "before")
        for day, members in (("2026-11-16", 40), ("2026-11-20", 42), ("2026-11-27", 45)):
            await h.app.db.execute(
                "INSERT INTO digest_member_counts (community, day, members, recorded_at) VALUES (?, ?, ?, ?)",
                ("fake:T1", day, members, f"{day}T08:00:00+00:00"),
            )
        after = await plugin.write_files("fake:T1", None, tmp_path / "after")
    assert "digest-2026-11-23-growth.png" not in [p.name for p in before]
    growth = next(p for p in after if p.name == "digest-2026-11-23-growth.png")
    assert [p.name for p in after].index(growth.name) == 2  # after the activity chart, before the CSV
    assert growth.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
