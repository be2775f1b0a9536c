"""`affinity-bot demo`: twelve synthetic weeks played through the real app, then the last week's digest as
files. The demo runs once for the whole suite, through the command line a visitor types (it takes seconds);
each test reads what that visitor would open. The demo community is half French and runs in French, so its
digest is read in French: the expected words come from the catalogs, whatever their wording."""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
from plugins.digest.render import DATE_STYLE, LABELS

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

    def file(self, suffix: str) -> Path:
        return next(p for p in self.paths if p.suffix == suffix)

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
    written = sorted(p.suffix for p in demo.out_dir.iterdir())
    assert written == [".csv", ".md", ".png"]


def figure(markdown: str, pattern: str) -> int:
    found = re.search(pattern, markdown)
    assert found, f"{pattern!r} not in the digest"
    return int(found.group(1))


def test_writes_markdown_png_and_csv_of_the_last_full_week(demo: DemoRun) -> None:
    assert [p.name for p in demo.paths] == ["digest-2026-11-09.md", "digest-2026-11-09.png", "digest-2026-11-09.csv"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in demo.paths)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator.load(locale_roots(default_plugins()))


def test_the_demo_community_runs_in_french() -> None:
    assert demo_world.LOCALE == "fr"
    assert {language for _handle, _name, language, _city in demo_world.MEMBERS} == {"fr", "en"}


def test_markdown_is_in_french_with_every_section_and_figures(demo: DemoRun, translator: Translator) -> None:
    markdown = demo.file(".md").read_text(encoding="utf-8")

    def fr(text: object) -> str:
        return translator.render(text, "fr")  # type: ignore[arg-type]

    paris = ZoneInfo("Europe/Paris")
    start, end = (When(datetime(2026, 11, day, 12, tzinfo=paris), "Europe/Paris", DATE_STYLE) for day in (9, 15))
    assert markdown.startswith(f"**{fr(_('Weekly digest, {start} to {end}', start=start, end=end))}**\n")
    assert "nov. 2026" in markdown.splitlines()[0]  # the dates in French too
    headings = [f"**{fr(section)}**" for section in SECTIONS]
    positions = [markdown.index(heading) for heading in headings]
    assert positions == sorted(positions)
    # Every heading and figure label the catalog translates shows in French, none in English.
    for english in [*SECTIONS, *LABELS.values()]:
        if fr(english) != translator.render(english, "en"):
            assert f"**{translator.render(english, 'en')}**" not in markdown
            assert f"• {translator.render(english, 'en')}:" not in markdown
    assert figure(markdown, rf"• {re.escape(fr(LABELS['active_members']))}\s*:\s*(\d+)") >= 10
    assert figure(markdown, rf"• {re.escape(fr(LABELS['messages']))}\s*:\s*(\d+)") >= 100
    assert figure(markdown, rf"• {re.escape(fr(LABELS['reactions']))}\s*:\s*(\d+)") > 0
    assert re.search(r"#news\s*: \d+ sur \d+ à l’heure", markdown), [
        line for line in markdown.splitlines() if "#news" in line
    ]
    assert "Rust Lille" in markdown and "français" in markdown and "anglais" in markdown


def test_csv_has_twelve_weekly_rows_with_every_plugin(demo: DemoRun) -> None:
    rows = demo.rows()
    assert len(rows) == 12
    starts = [date.fromisoformat(r["period_start"]) for r in rows]
    assert starts == [date(2026, 11, 9) - timedelta(weeks=11 - i) for i in range(12)]
    assert all(int(r["messages"]) > 0 and int(r["active_members"]) > 0 for r in rows)
    last = rows[-1]
    for column in ("questions.asked", "calendar.planned", "groups.groups_total", "filters.noise_total"):
        assert int(last[column]) > 0, column
    assert int(last["groups.groups_total"]) == len(demo_world.GROUPS)


def test_twelve_weeks_show_growth_and_every_outcome(demo: DemoRun) -> None:
    rows = demo.rows()

    def total(column: str) -> int:
        return sum(int(r[column] or 0) for r in rows)

    assert int(rows[-1]["messages"]) > int(rows[0]["messages"])
    assert total("new_members") >= 20 and total("left_members") >= 1
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


def test_png_is_a_valid_image(demo: DemoRun) -> None:
    data = demo.file(".png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 200 and height >= 100
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
