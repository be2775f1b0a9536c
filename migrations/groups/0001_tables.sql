-- Groups: affinity and local groups, their members, join requests, bans, topics, announcements,
-- members' opt-in city-level locations and the once-only suggestion sent to newcomers.
CREATE TABLE community_groups (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    private INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    city_id INTEGER,
    city_name TEXT,
    country TEXT,
    lat REAL,
    lon REAL,
    radius_km INTEGER,
    channel_id TEXT,
    role_id TEXT,
    ownerless INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    activated_at TEXT,
    archived_at TEXT,
    UNIQUE (community, name_key)
);
CREATE INDEX community_groups_lat ON community_groups (community, lat);
CREATE INDEX community_groups_lon ON community_groups (community, lon);
CREATE INDEX community_groups_channel ON community_groups (community, channel_id);

CREATE TABLE group_members (
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    is_owner INTEGER NOT NULL DEFAULT 0,
    notify INTEGER NOT NULL DEFAULT 0,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (community, group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (community, user_id);

CREATE TABLE group_join_requests (
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (community, group_id, user_id)
);

CREATE TABLE group_bans (
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    banned_by TEXT,
    banned_at TEXT NOT NULL,
    PRIMARY KEY (community, group_id, user_id)
);

CREATE TABLE group_topics (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    channel_id TEXT,
    thread_id TEXT,
    message_id TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX group_topics_group ON group_topics (community, group_id, created_at);

CREATE TABLE group_announcements (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    author TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE group_member_locations (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    city_id INTEGER NOT NULL,
    city_name TEXT NOT NULL,
    country TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (community, user_id)
);

CREATE TABLE group_welcomes (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (community, user_id)
);
