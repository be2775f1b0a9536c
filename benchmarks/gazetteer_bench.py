"""Gazetteer (issue 20): the places of GeoNames in the database (plugins/groups/places.py).

1. First load, per dataset: a fresh database, the app started, then its first lookup (which waits for the
   load: reading the data file and writing its rows); then a second fresh database in the same process
   (the rows read once per process: what each test's database pays); the process's peak memory. Each
   dataset in a child process of its own, so its peak is its own. Baseline: the same child's memory
   once the app has started, before the load.
2. Lookups on a database holding cities500, for ~200 random towns of France and ~200 of the world:
   `nearby` 50 km (the index's bounding box, then haversine) against the same box read without the index
   (a full scan of the places), and a name lookup (`resolve`: folded name, country, choices) and an
   autocomplete (`complete`) against one read of a place by its id (the floor of any lookup).

On SQLite, and on PostgreSQL when a server is at hand (`AFFINITY_BENCH_PG_URL`, or a throwaway cluster
as for the `pg` suite). `python -m benchmarks.gazetteer_bench --load DATASET PATH [URL]` is the child.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.common import bench_app
from benchmarks.pgserver import PgServer, PgUnavailable, server
from bot.app import App
from bot.geo import bounding_box
from plugins.groups.gazetteer import Dataset, prepared
from plugins.groups.places import Gazetteer
from plugins.groups.plugin import GroupsPlugin

Row = tuple[str, str, str, str]
TARGET_NEARBY_MS = 10.0
RADIUS_KM = 50
SQL_PLACE = "p.id, p.name, p.country, p.region, p.lat, p.lon, p.population"


def plugins(dataset: Dataset) -> dict[str, Any]:
    """Core and groups, on `dataset`, loading at the first lookup (what is timed)."""
    return {"core": {}, "groups": {"gazetteer": dataset, "gazetteer_preload": False}}


def gazetteer_of(app: App) -> Gazetteer:
    """The running groups plugin's gazetteer."""
    return next(p for p in app.registry.plugins if isinstance(p, GroupsPlugin)).gazetteer


def peak_mb() -> float:
    """This process's peak resident memory so far (VmHWM: `ru_maxrss` would carry the parent's peak over
    the child's exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- 1. the load, in a child process


async def child_load(dataset: Dataset, folder: Path, url: str | None, second_url: str | None) -> dict[str, float]:
    """Figures of one dataset's first load (run in a process of its own)."""
    async with bench_app(folder / "first.db", plugins(dataset), url=url) as app:
        before = peak_mb()
        began = time.perf_counter()
        found = await gazetteer_of(app).resolve("Lille")
        first = time.perf_counter() - began
        assert found.place is not None, "Lille not found"
        places = int(await app.db.fetchval("SELECT count(*) FROM gazetteer_places"))
        names = int(await app.db.fetchval("SELECT count(*) FROM gazetteer_names"))
    after_first = peak_mb()
    async with bench_app(folder / "second.db", plugins(dataset), url=second_url) as app:
        began = time.perf_counter()
        await gazetteer_of(app).resolve("Lille")
        second = time.perf_counter() - began
    return {
        "first_s": first,
        "second_s": second,
        "peak_mb": after_first,
        "started_mb": before,
        "places": places,
        "names": names,
    }


def load_in_child(dataset: Dataset, url: str | None = None, second_url: str | None = None) -> dict[str, float]:
    """`child_load` in a fresh Python process; its JSON answer."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "benchmarks.gazetteer_bench", "--load", dataset, tmp]
        command += [url or "-", second_url or "-"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the load of {dataset} failed: {done.stderr.strip()[-500:]}")
    answer: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def read_in_child(dataset: Dataset) -> float:
    """Seconds to read a dataset's file into rows, in a fresh process."""
    code = (
        "import time; from plugins.groups.gazetteer import prepare; "
        f"t = time.perf_counter(); prepare({dataset!r}); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


# ---------------------------------------------------------------- 2. lookups


def towns(seed: int = 20) -> tuple[list[tuple[str, float, float]], list[tuple[str, float, float]]]:
    """~200 random towns of France and ~200 of the world (name, lat, lon), from cities500."""
    rows = prepared("cities500").places
    rng = random.Random(seed)
    french = [(r[1], r[4], r[5]) for r in rows if r[2] == "FR"]
    return rng.sample(french, 200), [(r[1], r[4], r[5]) for r in rng.sample(rows, 200)]


async def timings(calls: list[Callable[[], Awaitable[object]]]) -> tuple[float, float]:
    """p50 and p99 in ms over the calls (each once, after one warm-up of the first)."""
    await calls[0]()
    spent: list[float] = []
    for call in calls:
        began = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - began) * 1000)
    spent.sort()
    return statistics.median(spent), spent[min(len(spent) - 1, round(len(spent) * 0.99))]


async def lookups(app: App, engine: str, sample: int) -> list[Row]:
    """Rows for nearby, names and autocomplete on a loaded database."""
    gaz = gazetteer_of(app)
    await gaz.ready()
    french, world = towns()
    french, world = french[:sample], world[:sample]
    db = app.db
    rows: list[Row] = []

    def scan(lat: float, lon: float) -> Callable[[], Awaitable[object]]:
        # The same box, with `+ 0` so that no index serves it: every place is read.
        box = bounding_box(lat, lon, RADIUS_KM)
        return lambda: db.fetchall(
            f"SELECT {SQL_PLACE} FROM gazetteer_places p "
            "WHERE p.lat + 0 >= ? AND p.lat + 0 <= ? AND p.lon + 0 >= ? AND p.lon + 0 <= ?",
            (box.min_lat, box.max_lat, box.min_lon, box.max_lon),
        )

    def near(lat: float, lon: float) -> Callable[[], Awaitable[object]]:
        return lambda: gaz.nearby(lat, lon, RADIUS_KM)

    for label, places in (("France", french), ("world", world)):
        p50, p99 = await timings([near(lat, lon) for _, lat, lon in places])
        b50, b99 = await timings([scan(lat, lon) for _, lat, lon in places[:20]])
        met = "met" if p99 < TARGET_NEARBY_MS else "NOT MET"
        rows.append(
            (
                f"gazetteer {engine}: nearby {RADIUS_KM} km, {len(places)} towns of {label}",
                f"p50 {p50:.2f} / p99 {p99:.2f} ms (target p99 {TARGET_NEARBY_MS:.0f}: {met})",
                f"full scan p50 {b50:.1f} / p99 {b99:.1f} ms",
                f"{b50 / p50:.0f}x faster",
            )
        )
    ids = [int(r[0]) for r in await db.fetchall("SELECT id FROM gazetteer_places ORDER BY id LIMIT 200")]
    f50, f99 = await timings([lambda i=i: gaz.by_id(i) for i in ids])
    names = [name for name, _, _ in french + world]
    n50, n99 = await timings([lambda n=n: gaz.resolve(n) for n in names])
    rows.append(
        (
            f"gazetteer {engine}: name lookup, {len(names)} towns",
            f"p50 {n50:.2f} / p99 {n99:.2f} ms",
            f"one place by id p50 {f50:.2f} / p99 {f99:.2f} ms",
            f"{n50 / f50:.1f}x",
        )
    )
    prefixes = [name[: 3 + i % 3] for i, name in enumerate(names)]
    c50, c99 = await timings([lambda p=p: gaz.complete(p) for p in prefixes])
    rows.append(
        (
            f"gazetteer {engine}: autocomplete, {len(prefixes)} prefixes of 3-5 letters",
            f"p50 {c50:.2f} / p99 {c99:.2f} ms",
            f"one place by id p50 {f50:.2f} ms",
            f"{c50 / f50:.1f}x",
        )
    )
    return rows


def load_rows(engine: str, dataset: Dataset, figures: dict[str, float], read_s: float) -> Row:
    """One row of load figures."""
    return (
        f"gazetteer {engine}: first load of {dataset} ({figures['places']:,.0f} places, {figures['names']:,.0f} names)",
        f"{figures['first_s']:.1f} s (of which reading the file {read_s:.1f} s); next fresh database "
        f"{figures['second_s']:.1f} s; peak {figures['peak_mb']:.0f} MB",
        f"app started, no load: {figures['started_mb']:.0f} MB",
        f"+{figures['peak_mb'] - figures['started_mb']:.0f} MB",
    )


async def run(quick: bool) -> list[Row]:
    """Rows: (benchmark, figure, baseline, ratio)."""
    datasets: list[Dataset] = ["cities500"] if quick else ["cities15000", "cities5000", "cities1000", "cities500"]
    sample = 50 if quick else 200
    reads = {d: read_in_child(d) for d in datasets}
    rows = [load_rows("SQLite", d, load_in_child(d), reads[d]) for d in datasets]
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_app(Path(tmp) / "bot.db", plugins("cities500")) as app:
            rows += await lookups(app, "SQLite", sample)
    if quick:
        return rows
    try:
        pg_context = server()
        pg = pg_context.__enter__()
    except PgUnavailable as exc:
        print(f"gazetteer: PostgreSQL skipped: {exc}", flush=True)
        return [*rows, ("gazetteer PostgreSQL", "skipped", str(exc), "")]
    try:
        rows += await on_postgresql(pg, reads)
    finally:
        pg_context.__exit__(None, None, None)
    return rows


async def on_postgresql(pg: PgServer, reads: dict[Dataset, float]) -> list[Row]:
    """The load of cities15000 and cities500 and the lookups, on PostgreSQL."""
    rows: list[Row] = []
    for dataset in ("cities15000", "cities500"):
        with pg.database("gaz_first") as first, pg.database("gaz_second") as second:
            rows.append(load_rows("PostgreSQL", dataset, load_in_child(dataset, first, second), reads[dataset]))
    with pg.database("gaz_lookups") as url, tempfile.TemporaryDirectory() as tmp:
        async with bench_app(Path(tmp) / "unused.db", plugins("cities500"), url=url) as app:
            rows += await lookups(app, "PostgreSQL", 200)
    return rows


def main(argv: list[str]) -> int:
    """The child: `--load DATASET FOLDER URL|- URL|-` prints the load's figures as JSON."""
    if len(argv) == 5 and argv[0] == "--load":
        dataset: Any = argv[1]
        url, second = (None if u == "-" else u for u in argv[3:5])
        print(json.dumps(asyncio.run(child_load(dataset, Path(argv[2]), url, second))))
        return 0
    for row in asyncio.run(run("--quick" in argv)):
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
