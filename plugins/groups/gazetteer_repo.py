"""Every SQL statement of the gazetteer: its load (a lease on the state row, then batches of rows) and its
reads (a place by folded name, by prefix, by id, by distance, and did-you-mean candidates).

Tables from migrations/groups/0003_gazetteer.*.sql. SQLite keeps the points in an R*Tree
(`gazetteer_boxes`); PostgreSQL in a btree on (lat, lon) of the places: `nearby` is the one read that
differs by engine. Every read is bounded: a key of at most `MAX_KEY` characters, a LIMIT on every list,
a radius of at most `MAX_RADIUS_KM`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.geo import bounding_box, haversine_km
from bot.plugin import BulkSql, Place, SqlDatabase
from bot.storage.times import from_db, to_db
from plugins.groups.gazetteer import NameRow, PlaceRow, prefix_range

MAX_KEY = 100  # no place name folds longer: a longer key matches nothing and is not looked up
MAX_RADIUS_KM = 500
MAX_NEARBY = 5000  # candidates of a box read at most, most populous first (a 500 km box holds ~40,000)
MAX_CHOICES = 25

_PLACE = "p.id, p.name, p.country, p.region, p.lat, p.lon, p.population"


@dataclass(frozen=True, slots=True)
class LoadState:
    """The state row: which data the tables hold and who is loading."""

    version: str
    places: int
    loader: str | None
    lease_until: datetime | None


def place_of(row: Any) -> Place:
    """A row of `_PLACE` columns as a `Place`."""
    return Place(
        int(row[0]), str(row[1]), str(row[2]), float(row[4]), float(row[5]), int(row[6]), row[3] and str(row[3])
    )


class GazetteerRepo:
    """The gazetteer's tables."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # ------------------------------------------------------------ load

    async def state(self) -> LoadState:
        """The state row (made by the migration)."""
        row = await self.db.fetchone("SELECT version, places, loader, lease_until FROM gazetteer_state WHERE id = 1")
        until = None if row[3] is None else from_db(str(row[3]))
        return LoadState(str(row[0]), int(row[1]), row[2], until)

    async def claim(self, loader: str, now: datetime, until: datetime) -> bool:
        """Take (or renew) the loading lease unless another loader holds it still; True when taken. The
        state row's update is atomic on both engines: of two processes, one sees its row changed."""
        changed = await self.db.execute(
            "UPDATE gazetteer_state SET loader = ?, lease_until = ? "
            "WHERE id = 1 AND (loader IS NULL OR loader = ? OR lease_until < ?)",
            (loader, to_db(until), loader, to_db(now)),
        )
        return changed == 1

    async def begin(self, loader: str) -> bool:
        """Empty the tables for a new load, marking the state empty; False when the lease was lost."""
        async with self.db.transaction() as tx:
            if (
                await tx.execute(
                    "UPDATE gazetteer_state SET version = '', places = 0, loaded_at = NULL WHERE id = 1 AND loader = ?",
                    (loader,),
                )
                != 1
            ):
                return False
            # The names' index is made again once every row is in: quicker than keeping it up row by row.
            await tx.execute("DROP INDEX IF EXISTS gazetteer_names_key")
            await tx.execute("DELETE FROM gazetteer_names")
            await tx.execute("DELETE FROM gazetteer_places")
            if self.db.engine == "sqlite":
                await tx.execute("DELETE FROM gazetteer_boxes")
        return True

    async def insert(self, places: Sequence[PlaceRow], names: Sequence[NameRow]) -> None:
        """One batch of rows, in one transaction off the event loop."""
        boxes = self.db.engine == "sqlite"

        def work(bulk: BulkSql) -> None:
            bulk.insert_rows(
                "INSERT INTO gazetteer_places (id, name, country, region, lat, lon, population, timezone) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                places,
            )
            bulk.insert_rows(
                "INSERT INTO gazetteer_names (name_key, place_id, is_primary, population) VALUES (?, ?, ?, ?)", names
            )
            if boxes:
                bulk.insert_rows(
                    "INSERT INTO gazetteer_boxes (id, min_lat, max_lat, min_lon, max_lon) VALUES (?, ?, ?, ?, ?)",
                    [(p[0], p[4], p[4], p[5], p[5]) for p in places],
                )

        await self.db.run_transaction(work)

    async def finish(self, loader: str, version: str, places: int, now: datetime) -> bool:
        """Mark the load done and release the lease; False when the lease was lost meanwhile. First the
        names' index (dropped by `begin`: one build is quicker than row by row) and the tables' statistics
        (right after a bulk load PostgreSQL has none and plans a name lookup as a scan: 7 ms, not 0.2)."""
        await self.db.execute(
            "CREATE INDEX IF NOT EXISTS gazetteer_names_key ON gazetteer_names (name_key, population)"
        )
        for table in ("gazetteer_places", "gazetteer_names"):
            await self.db.execute(f"ANALYZE {table}")
        changed = await self.db.execute(
            "UPDATE gazetteer_state SET version = ?, places = ?, loaded_at = ?, loader = NULL, lease_until = NULL "
            "WHERE id = 1 AND loader = ?",
            (version, places, to_db(now), loader),
        )
        return changed == 1

    async def release(self, loader: str) -> None:
        """Give the lease up (a load stopped half way: the next one starts over)."""
        await self.db.execute(
            "UPDATE gazetteer_state SET loader = NULL, lease_until = NULL WHERE id = 1 AND loader = ?", (loader,)
        )

    # ------------------------------------------------------------ reads

    async def named(self, key: str, country: str | None = None, region: str | None = None) -> list[Place]:
        """Places with this folded name (primary or alternate), primary names first, then most populous."""
        if not key or len(key) > MAX_KEY:
            return []
        sql = (
            f"SELECT {_PLACE}, n.is_primary FROM gazetteer_names n JOIN gazetteer_places p ON p.id = n.place_id "
            "WHERE n.name_key = ?"
        )
        params: list[Any] = [key]
        if country is not None:
            sql += " AND p.country = ?"
            params.append(country)
        if region is not None:
            sql += " AND p.region = ?"
            params.append(region)
        sql += " ORDER BY n.is_primary DESC, p.population DESC, p.id LIMIT ?"
        params.append(MAX_CHOICES + 1)
        return [place_of(r) for r in await self.db.fetchall(sql, tuple(params))]

    async def starting(self, key: str, limit: int = MAX_CHOICES) -> list[Place]:
        """Places whose own name starts with `key`, most populous first (alternate names are for typed
        lookups: a choice must read like what was typed). A short prefix reads only the larger places
        (1 letter: 100,000+, 2 letters: 15,000+), so the range stays small."""
        if not key or len(key) > MAX_KEY:
            return []
        low, high = prefix_range(key)
        floor = 100_000 if len(key) == 1 else 15_000 if len(key) == 2 else 0
        rows = await self.db.fetchall(
            f"SELECT {_PLACE} FROM gazetteer_names n JOIN gazetteer_places p ON p.id = n.place_id "
            "WHERE n.name_key >= ? AND n.name_key < ? AND n.population >= ? AND n.is_primary = 1 "
            "ORDER BY n.population DESC, p.id LIMIT ?",
            (low, high, floor, max(1, min(limit, MAX_CHOICES))),
        )
        return [place_of(r) for r in rows]

    async def by_id(self, place_id: int) -> Place | None:
        """One place by its GeoNames id."""
        row = await self.db.fetchone(f"SELECT {_PLACE} FROM gazetteer_places p WHERE p.id = ?", (place_id,))
        return None if row is None else place_of(row)

    async def nearby(self, lat: float, lon: float, radius_km: float, limit: int = 100) -> list[tuple[Place, float]]:
        """Places within `radius_km` (at most `MAX_RADIUS_KM`) of a point with their distance, nearest first:
        the index gives the bounding box, haversine the exact distance."""
        radius = min(max(radius_km, 0.0), MAX_RADIUS_KM)
        box = bounding_box(lat, lon, radius)
        if self.db.engine == "sqlite":
            # Overlap, not containment: the R*Tree stores 32-bit floats rounded outwards.
            sql = (
                f"SELECT {_PLACE} FROM gazetteer_boxes b JOIN gazetteer_places p ON p.id = b.id "
                "WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ? "
            )
        else:
            sql = (
                f"SELECT {_PLACE} FROM gazetteer_places p "
                "WHERE p.lat >= ? AND p.lat <= ? AND p.lon >= ? AND p.lon <= ? "
            )
        rows = await self.db.fetchall(
            sql + "ORDER BY p.population DESC, p.id LIMIT ?",
            (box.min_lat, box.max_lat, box.min_lon, box.max_lon, MAX_NEARBY),
        )
        found: list[tuple[Place, float]] = []
        for row in rows:
            distance = haversine_km(lat, lon, float(row[4]), float(row[5]))
            if distance <= radius:
                found.append((place_of(row), distance))
        found.sort(key=lambda pair: (pair[1], pair[0].place_id))
        return found[:limit]

    async def near_names(self, key: str, limit: int = 300) -> list[Place]:
        """Candidates for did-you-mean: places whose primary name shares the first two letters of `key`
        and has about its length, most populous first (bounded: `limit` rows)."""
        if len(key) < 2 or len(key) > MAX_KEY:
            return []
        low, high = prefix_range(key[:2])
        spread = max(2, len(key) // 4)
        rows = await self.db.fetchall(
            f"SELECT {_PLACE} FROM gazetteer_names n JOIN gazetteer_places p ON p.id = n.place_id "
            "WHERE n.name_key >= ? AND n.name_key < ? AND n.is_primary = 1 "
            "AND length(n.name_key) >= ? AND length(n.name_key) <= ? "
            "ORDER BY n.population DESC, p.id LIMIT ?",
            (low, high, len(key) - spread, len(key) + spread, limit),
        )
        return [place_of(r) for r in rows]
