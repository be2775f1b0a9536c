-- Community size (plugins/digest/growth.py): the member count the platform reported, once per local day of
-- the community ('YYYY-MM-DD', like the activity rollups); recorded_at is ISO-8601 UTC text. A day without a
-- row is a day nobody counted (a gap in the growth chart), never zero members.

CREATE TABLE digest_member_counts (
    community TEXT NOT NULL,
    day TEXT NOT NULL,
    members INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (community, day)
);
