-- Groups: per-group digests sent by DM to the owners of the groups that opted in, and an anonymous
-- log of departures (no member id) so a group's digest can count the members who left.
CREATE TABLE group_digest_optins (
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    enabled_by TEXT,
    enabled_at TEXT NOT NULL,
    PRIMARY KEY (community, group_id)
);

CREATE TABLE group_departures (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES community_groups (id) ON DELETE CASCADE,
    left_at TEXT NOT NULL
);
CREATE INDEX group_departures_group ON group_departures (community, group_id, left_at);
