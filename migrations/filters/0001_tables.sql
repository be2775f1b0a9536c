-- Filters and watch lists (plugins/filters). Times are ISO-8601 UTC text.

-- Community filter rules: a phrase (stored as typed and normalised) or a moderator's regex.
CREATE TABLE filter_rules (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    phrase TEXT NOT NULL,
    normal TEXT NOT NULL,
    action TEXT NOT NULL,
    is_regex INTEGER NOT NULL DEFAULT 0,
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (community, is_regex, normal)
);

-- Channels and roles the filters never touch.
CREATE TABLE filter_exemptions (
    community TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (community, kind, value)
);

-- Messages caught, counted per UTC hour, rule and action (no message ids, no authors).
CREATE TABLE filter_hits (
    community TEXT NOT NULL,
    hour TEXT NOT NULL,
    rule_id INTEGER NOT NULL,
    phrase TEXT NOT NULL,
    action TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, hour, rule_id, action)
);

-- A member's watch preferences: digest frequency, opt-out from others' digests, last period delivered.
CREATE TABLE watch_members (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    frequency TEXT NOT NULL DEFAULT 'daily',
    optout INTEGER NOT NULL DEFAULT 0,
    last_period TEXT,
    PRIMARY KEY (community, user_id)
);

-- Watched keywords (kind 'watch') and muted words (kind 'mute') of a member.
CREATE TABLE watch_keywords (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    normal TEXT NOT NULL,
    keyword TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (community, user_id, kind, normal)
);

CREATE TABLE watch_muted_authors (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    PRIMARY KEY (community, user_id, author_id)
);

-- Matches waiting for the member's next digest: a link and a short excerpt, deleted once delivered.
CREATE TABLE watch_matches (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    keyword TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    thread_id TEXT,
    message_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (community, user_id, channel_id, message_id)
);

CREATE INDEX watch_matches_user ON watch_matches (community, user_id, at);
CREATE INDEX watch_matches_author ON watch_matches (community, author_id);

-- Channels a watching member posted in (or ran /watch in): the readable channels when the platform
-- cannot say who may read a channel.
CREATE TABLE watch_channels (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (community, user_id, channel_id)
);
