-- Events in groups: an event (one-off or repeating) and its occurrences, each with its own RSVPs, card
-- and platform mirror. group_id names a groups-plugin group (no foreign key: another plugin's table).
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL,
    group_name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    start_local TEXT NOT NULL,
    timezone TEXT NOT NULL,
    duration_min INTEGER NOT NULL,
    rule TEXT,
    place_id INTEGER,
    place_name TEXT,
    country TEXT,
    lat REAL,
    lon REAL,
    address TEXT,
    online_url TEXT,
    capacity INTEGER,
    reminders TEXT NOT NULL,
    status TEXT NOT NULL,
    series_id INTEGER,
    previous_id INTEGER,
    revision INTEGER NOT NULL DEFAULT 0,
    channel_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX events_group ON events (community, group_id, status);
CREATE INDEX events_series ON events (community, series_id);
CREATE INDEX events_lat ON events (community, lat);

CREATE TABLE event_occurrences (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL,
    card_channel_id TEXT,
    card_thread_id TEXT,
    card_message_id TEXT,
    native_id TEXT,
    recap_thread_id TEXT,
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    UNIQUE (event_id, starts_at)
);
CREATE INDEX event_occurrences_time ON event_occurrences (community, starts_at);

CREATE TABLE event_rsvps (
    community TEXT NOT NULL,
    occurrence_id INTEGER NOT NULL REFERENCES event_occurrences (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    waitlist_position INTEGER,
    answered_at TEXT NOT NULL,
    promoted_at TEXT,
    PRIMARY KEY (community, occurrence_id, user_id)
);
CREATE INDEX event_rsvps_user ON event_rsvps (community, user_id);
CREATE INDEX event_rsvps_answer ON event_rsvps (occurrence_id, answer);
