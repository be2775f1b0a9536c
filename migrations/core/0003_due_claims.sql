-- Core: due actions are unique per community (two communities may use the same key), carry a
-- claim time so two processes on one database never run the same row, and sent_messages keys are
-- per community too. Raw messages get an index on time for the retention purge.
CREATE TABLE due_actions_v2 (
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
    claimed_at TEXT,
    UNIQUE (kind, community, key)
);
INSERT INTO due_actions_v2 (id, kind, key, community, due_at, payload, status, attempts, last_error, done_at)
    SELECT id, kind, key, community, due_at, payload, status, attempts, last_error, done_at FROM due_actions;
DROP TABLE due_actions;
ALTER TABLE due_actions_v2 RENAME TO due_actions;
CREATE INDEX due_actions_pending ON due_actions (status, due_at);
CREATE INDEX due_actions_community ON due_actions (community);

CREATE TABLE sent_messages_v2 (
    community TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    target TEXT NOT NULL,
    message_id TEXT,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (community, dedupe_key)
);
INSERT INTO sent_messages_v2 (community, dedupe_key, target, message_id, sent_at)
    SELECT community, dedupe_key, target, message_id, sent_at FROM sent_messages;
DROP TABLE sent_messages;
ALTER TABLE sent_messages_v2 RENAME TO sent_messages;
CREATE INDEX sent_messages_time ON sent_messages (sent_at);

CREATE INDEX messages_at ON messages (at);
