-- Digest plugin (plugins/digest): per-community schedule, opt-in DM subscriptions, and every digest built.
-- Period days are local days 'YYYY-MM-DD' in the community's zone (like the activity rollups); times are
-- ISO-8601 UTC text. UNIQUE (community, period_start) makes one digest per period across restarts.

CREATE TABLE digest_settings (
    community TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    send_at TEXT NOT NULL,
    period TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE digest_subscriptions (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (community, user_id)
);

CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    figures TEXT NOT NULL,
    rendered TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (community, period_start)
);

CREATE INDEX digests_unsent ON digests (sent_at);
