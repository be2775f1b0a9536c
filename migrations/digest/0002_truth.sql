-- Digest plugin, issue 18: who a digest reached, its text in every supported language, and the per-group
-- digests sent to group owners.
-- `renderings`: JSON {locale: text} rendered when the digest was built, so a retry or `/digest send`
-- gives each target its own language; NULL for digests stored before (their `rendered` text is used).
-- `reached`: how many targets were served; NULL until the delivery ended.

ALTER TABLE digests ADD COLUMN renderings TEXT;
ALTER TABLE digests ADD COLUMN reached INTEGER;

CREATE TABLE digest_groups (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    period_start TEXT NOT NULL,
    group_key TEXT NOT NULL,
    group_name TEXT NOT NULL,
    figures TEXT NOT NULL,
    renderings TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    reached INTEGER,
    UNIQUE (community, period_start, group_key)
);
