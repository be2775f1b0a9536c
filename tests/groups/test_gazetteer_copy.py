"""`affinity-bot db copy` with a loaded gazetteer: the SQLite file's R*Tree (a virtual table and its shadow
tables) and the derived gazetteer tables are left out, the counts of everything else agree, and the bot on
PostgreSQL loads its places again at the first lookup and finds the copied group nearby.

Whatever the engine under test, the source is a SQLite file and the target a fresh PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

from bot.storage.copy import copy_database
from bot.storage.engines import connect
from bot.storage.migrations import MIGRATIONS_DIR
from tests.groups.fakes import FakeSpaces
from tests.groups.helpers import make, plugin
from tests.harness import START, running

SETTINGS = {"creation": "direct", "gazetteer": "cities15000", "gazetteer_preload": False}


async def test_a_copy_leaves_the_gazetteer_out_and_the_target_loads_it_again(tmp_path: Path, pg_url: str) -> None:
    source_url = f"sqlite:///{tmp_path / 'community.db'}"
    groups = {"core": {}, "groups": SETTINGS}
    async with running(tmp_path, plugins=groups, database={"url": source_url}, platform=FakeSpaces()) as h:
        await make(h)  # Rust Lille: the gazetteer is loaded into the file
        assert plugin(h).gazetteer.loads == 1
    source, target = await connect(source_url), await connect(pg_url)
    try:
        report = await copy_database(source, target, migrations=MIGRATIONS_DIR, now=START)
    finally:
        await target.close()
        await source.close()
    assert report.virtual == [
        "gazetteer_boxes",
        "gazetteer_boxes_node",
        "gazetteer_boxes_parent",
        "gazetteer_boxes_rowid",
    ]
    assert report.derived == ["gazetteer_names", "gazetteer_places", "gazetteer_state"]
    assert report.mismatches == []
    assert {c.table for c in report.counts} >= {"community_groups", "group_members"}
    assert not {c.table for c in report.counts} & {"gazetteer_places", "gazetteer_boxes_node"}
    assert any("derived data, not copied" in line for line in report.lines())

    async with running(tmp_path / "pg", plugins=groups, database={"url": pg_url}, platform=FakeSpaces()) as h:
        near = await h.command("bob", "/group nearby Roubaix radius_km:20")
        assert near.card is not None and (near.card.description or "").startswith("**Rust Lille** · ")
        assert plugin(h).gazetteer.loads == 1  # loaded again on the target, at the first lookup
