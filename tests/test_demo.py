"""`affinity-bot demo`: twelve synthetic weeks played through the real app, then the last week's digest as
files. The demo runs once for the whole suite, through the command line a visitor types (it takes seconds);
each test reads what that visitor would open. The demo community is half French and runs in French, so its
digest is read in French: the expected words come from the catalogs, whatever their wording."""

from __future__ import annotations

import csv
import io
import os
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

import bot.demo.run
from bot.clock import FrozenClock
from bot.demo import world as demo_world
from bot.demo.run import main_demo
from bot.discovery import default_plugins
from bot.i18n import Translator, When, _
from bot.plugin import JobDecl
from bot.registry import locale_roots
from bot.scheduler import Scheduler
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, apply_migrations
from plugins.digest.render import DATE_STYLE

SECTIONS = (
    _("Reach"),
    _("Engagement"),
    _("Groups"),
    _("Questions and answers"),
    _("Editorial calendar"),
    _("Noise filters"),
)


ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DemoRun:
    """How `affinity-bot demo` exited, the files it wrote and what its progress bar printed."""

    returncode: int
    out_dir: Path
    paths: list[Path]
    progress: str
    stderr: str

    def file(self, suffix: str, kind: str = "") -> Path:
        """`digest-<start><kind><suffix>`: `.md`, `.png` (the activity chart), `.csv`, or `.csv` of `-groups`."""
        kind = kind or ("-activity" if suffix == ".png" else "")
        return next(p for p in self.paths if p.name == f"digest-2026-11-09{kind}{suffix}")

    def rows(self) -> list[dict[str, str]]:
        text = self.file(".csv").read_bytes().decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    cwd = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "AFFINITY_BOT_"))}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whatever the environment installed
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", "digest"],
        cwd=cwd,
        capture_output=True,
        timeout=240,
        env=env,
    )
    # Bytes, decoded here: text mode would turn the progress bar's carriage returns into newlines.
    stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    paths = [cwd / line for line in stdout.splitlines()]
    progress = stderr.split("Demo done in")[0]  # the bar, without the closing timing line
    return DemoRun(done.returncode, cwd / "digest", paths, progress, stderr)


def test_the_command_writes_the_digest_files(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr
    written = sorted(p.name for p in demo.out_dir.iterdir())
    # The growth chart is there exactly when the bot recorded member counts (the CSV's community size).
    counted = any(row.get("members.members") for row in demo.rows())
    growth = ["digest-2026-11-09-growth.png"] if counted else []
    assert written == sorted(
        [
            "digest-2026-11-09.md",
            "digest-2026-11-09-activity.png",
            *growth,
            "digest-2026-11-09.csv",
            "digest-2026-11-09-groups.csv",
        ]
    )
    assert [p.name for p in demo.paths] == [
        "digest-2026-11-09.md",
        "digest-2026-11-09-activity.png",
        *growth,
        "digest-2026-11-09.csv",
        "digest-2026-11-09-groups.csv",
    ]
    assert all(p.is_file() and p.stat().st_size > 0 for p in demo.paths)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(locale_roots(default_plugins()))


def test_the_demo_community_runs_in_french() -> None:
    assert demo_world.LOCALE == "fr"
    assert {language for _handle, _name, language, _city in demo_world.MEMBERS} == {"fr", "en"}


def parsed(demo: DemoRun) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(demo.file(".md").read_text(encoding="utf-8"))


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def tables(tokens: list[Token]) -> dict[str, list[list[str]]]:
    """Each section's table (under its h2 title) as rows of cell texts, the header first."""
    found: dict[str, list[list[str]]] = {}
    section = ""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            section = tokens[index + 1].content
        elif token.type == "tr_open":
            found.setdefault(section, []).append([])
        elif token.type in ("th_open", "td_open"):
            found[section][-1].append(tokens[index + 1].content.replace("\\", ""))
    return found


def test_the_markdown_is_markdown_in_french_with_every_section(demo: DemoRun, translator: Translator) -> None:
    def fr(text: object) -> str:
        return translator.render(text, "fr")  # type: ignore[arg-type]

    tokens = parsed(demo)
    paris = ZoneInfo("Europe/Paris")
    start, end = (When(datetime(2026, 11, day, 12, tzinfo=paris), "Europe/Paris", DATE_STYLE) for day in (9, 15))
    titles = headings(tokens)
    assert titles[0] == ("h1", fr(_("Weekly digest, {start} to {end}", start=start, end=end)))
    assert "nov. 2026" in titles[0][1]  # the dates in French too
    sections = [title for tag, title in titles if tag == "h2"]
    expected = [fr(section) for section in SECTIONS]
    assert [s for s in sections if s in expected] == expected  # every section, in order
    reach = tables(tokens)[fr(_("Reach"))]
    assert reach[0] == [fr(_("Figure")), fr(_("This week")), fr(_("Previous")), fr(_("Change"))]
    markdown = demo.file(".md").read_text(encoding="utf-8")
    # Real markdown, never a platform's syntax: no `<url|text>`, no `<@id>`, no `*bold*` of Slack, links
    # `[label](https://...)` that a markdown viewer shows as links.
    assert "<" not in markdown.replace("\\<", "")
    links = [c for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert links and all(str(c.attrs["href"]).startswith("https://chat.example/") for c in links)
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert html.count("<table>") >= 2 and "<h1>" in html and "<li>" in html
    assert any(name in markdown for name, *_rest in demo_world.GROUPS)  # the most active groups, by name
    assert "français" in markdown and "anglais" in markdown


def number(cell: str) -> float | None:
    """A figure as the French file shows it ("1 240", "1,08", "37 %"), as the CSV writes it (37 % = 0.37)."""
    text = cell.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if text in ("—", ""):
        return None
    if text.endswith("%"):
        return float(text[:-1].replace(",", ".")) / 100
    return float(text.replace(",", "."))


def test_the_csv_line_of_the_period_says_what_the_markdown_tables_say(demo: DemoRun, translator: Translator) -> None:
    rows = demo.rows()
    this, before = rows[-1], rows[-2]
    assert this["period_start"] == "2026-11-09" and before["period_start"] == "2026-11-02"
    found = tables(parsed(demo))
    checked = 0
    for key, title in (("reach", _("Reach")), ("engagement", _("Engagement"))):
        table = found[translator.render(title, "fr")]
        columns = [c for c in rows[0] if c.startswith(f"{key}.")]
        assert len(table) - 1 == len(columns)  # one table row per CSV column of the section, in the same order
        for column, row in zip(columns, table[1:], strict=True):
            current, previous = number(this[column]), number(before[column])
            shown, shown_before = number(row[1]), number(row[2])
            # Shares are shown in whole percent, ratios with two decimals: equal as shown.
            assert shown == pytest.approx(current, abs=0.006), (column, row)
            assert shown_before == pytest.approx(previous, abs=0.006), (column, row)
            checked += 1
    assert checked >= 8


def test_csv_has_twelve_weekly_rows_with_every_plugin(demo: DemoRun) -> None:
    rows = demo.rows()
    assert len(rows) == 12
    starts = [date.fromisoformat(r["period_start"]) for r in rows]
    assert starts == [date(2026, 11, 9) - timedelta(weeks=11 - i) for i in range(12)]
    assert all(int(r["reach.messages"]) > 0 and int(r["reach.active_members"]) > 0 for r in rows)
    last = rows[-1]
    for column in ("questions.asked", "calendar.planned", "groups.groups_total", "filters.noise_total"):
        assert int(last[column]) > 0, column
    assert int(last["groups.groups_total"]) == len(demo_world.GROUPS)
    raw = demo.file(".csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfperiod_start,period_last_day,reach.") and raw.count(b"\r\n") == 13


def test_twelve_weeks_show_a_growing_community_and_every_outcome(demo: DemoRun) -> None:
    rows = demo.rows()

    def total(column: str) -> int:
        return sum(int(r[column] or 0) for r in rows)

    assert int(rows[-1]["reach.messages"]) > int(rows[0]["reach.messages"])
    assert int(rows[-1]["reach.active_members"]) > int(rows[0]["reach.active_members"])
    # Members join week after week, more than leave: the community grows every week. Joins and departures
    # are the growth section's (`members.*`) where the bot records the community's size, else reach's.
    for joined, left in (("members.joined", "members.left"), ("reach.new_members", "reach.left_members")):
        if joined in rows[0]:
            assert total(joined) >= 20 and total(left) == len(demo_world.LEAVERS)
            assert all(int(r[joined]) > int(r[left]) for r in rows)
    if "members.members" in rows[0]:
        sizes = [int(r["members.members"]) for r in rows if r["members.members"]]
        assert sizes and sizes == sorted(sizes) and sizes[-1] == len(demo_world.MEMBERS) - len(demo_world.LEAVERS)
    # Conversations: replies and threads every week.
    assert all(int(r["engagement.replies"]) > 0 and int(r["engagement.thread_messages"]) > 0 for r in rows)
    for column in (
        "calendar.published_on_time",
        "calendar.published_late",
        "calendar.missed",
        "questions.answered",
        "questions.solved",
        "questions.still_waiting",
        "filters.noise_tagged",
        "filters.noise_flagged",
        "groups.groups_new",
        "groups.memberships_new",
    ):
        assert total(column) > 0, column
    assert total("groups.groups_new") == len(demo_world.GROUPS)


def test_the_group_csv_has_the_groups_that_opted_in(demo: DemoRun) -> None:
    text = demo.file(".csv", "-groups").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["period_start", "period_last_day", "group"] and "members" in rows[0]
    last = [row for row in rows[1:] if row[0] == "2026-11-09"]
    assert sorted(row[2] for row in last) == sorted(demo_world.DIGEST_GROUPS)
    members = rows[0].index("members")
    assert all(int(row[members]) > 0 for row in last)


def test_the_activity_chart_is_a_valid_image(demo: DemoRun) -> None:
    data = demo.file(".png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1000, 500)
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    assert data.endswith(b"IEND\xaeB`\x82")


def test_progress_bar_reaches_the_end(demo: DemoRun) -> None:
    steps = [s for s in demo.progress.split("\r") if s]
    assert len(steps) == demo_world.WEEKS + 2
    assert steps[-1].startswith("[" + "#" * 30 + "] 14/14") and steps[-1].endswith("\n")
    assert "warning" not in demo.progress  # every command the demo runs was accepted


def test_progress_is_optional(tmp_path: Path) -> None:
    bar = bot.demo.run.Progress(None, 3)
    bar.step("one")
    assert bar.done == 1


def test_main_demo_prints_the_files_and_defaults_to_demo_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Path] = []

    async def fake(out_dir: Path, *, progress: object) -> list[Path]:
        seen.append(out_dir)
        return [out_dir / "digest-2026-11-09.md"]

    monkeypatch.setattr(bot.demo.run, "run_demo", fake)
    monkeypatch.chdir(tmp_path)
    assert main_demo(None) == 0
    assert main_demo(str(tmp_path / "elsewhere")) == 0
    assert seen == [Path("demo-digest"), tmp_path / "elsewhere"]
    assert capsys.readouterr().out.splitlines() == [
        str(Path("demo-digest") / "digest-2026-11-09.md"),
        str(tmp_path / "elsewhere" / "digest-2026-11-09.md"),
    ]


def test_main_demo_refuses_a_directory_it_cannot_create(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    assert main_demo(str(blocker / "out")) == 1
    assert "cannot write the demo files" in capsys.readouterr().err


async def test_coalesced_catch_up_runs_each_job_once_at_its_latest_fire(tmp_path: Path) -> None:
    """What the demo relies on to play twelve weeks in seconds; without `coalesce`, every fire runs."""
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    clock = FrozenClock(start)
    db = await Database.open(tmp_path / "s.db")
    await apply_migrations(db, MIGRATIONS_DIR, now=start)
    fired: list[datetime] = []

    async def every_five_minutes(when: datetime) -> None:
        fired.append(when)

    scheduler = Scheduler(db, clock, realtime=False)
    scheduler.add_job(JobDecl("test.often", None, timedelta(minutes=5)), every_five_minutes)
    try:
        clock.advance(timedelta(hours=1, minutes=2))
        await scheduler.catch_up(coalesce=True)
        assert fired == [start + timedelta(hours=1)]
        await scheduler.catch_up(coalesce=True)  # nothing new fell due
        assert len(fired) == 1
        clock.advance(timedelta(minutes=30))
        await scheduler.catch_up()
        assert len(fired) == 7 and fired[-1] == start + timedelta(hours=1, minutes=30)
    finally:
        await db.close()
