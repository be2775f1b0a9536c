-- The reference plugin (plugins/example, disabled by default): polls and their votes.
-- Like every file in this folder, it is applied whether or not the plugin is enabled.
-- Times are ISO-8601 UTC text.

-- One row per poll; `options` is a JSON array of 2 to 5 texts, numbered from 1 when shown.
CREATE TABLE example_polls (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    question TEXT NOT NULL,
    options TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL
);

-- One vote per member and poll: voting again replaces the row.
CREATE TABLE example_votes (
    poll_id INTEGER NOT NULL,
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    option INTEGER NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);

CREATE INDEX example_votes_member ON example_votes (community, user_id);
