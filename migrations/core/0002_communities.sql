-- Core: per-community settings, member preferences and membership dates, one-off due actions,
-- the record of what scheduled work already sent, and pending confirmations.
CREATE TABLE communities (
    community TEXT PRIMARY KEY,
    timezone TEXT,
    locale TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE community_channels (
    community TEXT NOT NULL,
    purpose TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    PRIMARY KEY (community, purpose)
);

CREATE TABLE community_roles (
    community TEXT NOT NULL,
    purpose TEXT NOT NULL,
    role_id TEXT NOT NULL,
    PRIMARY KEY (community, purpose)
);

CREATE TABLE members (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    locale TEXT,
    first_seen_at TEXT NOT NULL,
    joined_at TEXT,
    left_at TEXT,
    PRIMARY KEY (community, user_id)
);

CREATE TABLE due_actions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    community TEXT NOT NULL,
    due_at TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at TEXT,
    UNIQUE (kind, key)
);
CREATE INDEX due_actions_pending ON due_actions (status, due_at);
CREATE INDEX due_actions_community ON due_actions (community);

CREATE TABLE sent_messages (
    dedupe_key TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    target TEXT NOT NULL,
    message_id TEXT,
    sent_at TEXT NOT NULL
);

CREATE TABLE confirmations (
    token TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    action TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
