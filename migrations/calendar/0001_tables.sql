-- Calendar: editorial series (one-off or recurring), their materialised occurrences, and the
-- community's editorial charter. Times are ISO UTC text; `start_local` is the naive wall-clock
-- start of a series in its `timezone`, so recurring slots keep their local hour across DST.
CREATE TABLE calendar_series (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    title TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    owner_id TEXT,
    rule TEXT,
    start_local TEXT NOT NULL,
    timezone TEXT NOT NULL,
    remind TEXT NOT NULL,
    materialised_until TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX calendar_series_active ON calendar_series (community, cancelled_at);

CREATE TABLE calendar_entries (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    series_id INTEGER NOT NULL REFERENCES calendar_series (id),
    slot_at TEXT NOT NULL,
    title TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    owner_id TEXT,
    due_at TEXT NOT NULL,
    remind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned',
    revision INTEGER NOT NULL DEFAULT 0,
    armed INTEGER NOT NULL DEFAULT 0,
    published_at TEXT,
    message_id TEXT,
    link TEXT,
    reason TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (series_id, slot_at)
);
CREATE INDEX calendar_entries_due ON calendar_entries (community, status, due_at);
CREATE INDEX calendar_entries_channel ON calendar_entries (community, channel_id, owner_id, status, due_at);
CREATE INDEX calendar_entries_armed ON calendar_entries (armed, status);
CREATE INDEX calendar_entries_owner ON calendar_entries (community, owner_id);

CREATE TABLE calendar_charters (
    community TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_by TEXT,
    updated_at TEXT NOT NULL
);
