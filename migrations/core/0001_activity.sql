-- Core activity: raw message metadata (never the text) and daily rollups.
-- Owner: bot/storage/activity.py (ActivityWriter). Times are ISO-8601 UTC text (bot/storage/times.py);
-- `day` is 'YYYY-MM-DD' in the community's time zone at write time, so weekly digests get local boundaries.
-- Raw rows are purged after the retention period; rollups are kept.

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    thread_id TEXT,
    message_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    at TEXT NOT NULL,
    length INTEGER NOT NULL,
    reply_to TEXT,
    is_question INTEGER,
    language TEXT,
    tagged INTEGER NOT NULL DEFAULT 0,
    UNIQUE (community, channel_id, message_id)
);

CREATE INDEX messages_community_at ON messages (community, at);
CREATE INDEX messages_community_author ON messages (community, author_id);

-- Per channel (threads count in their parent channel, and also in thread_messages).
CREATE TABLE activity_channel_daily (
    community TEXT NOT NULL,
    day TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    thread_messages INTEGER NOT NULL DEFAULT 0,
    reactions INTEGER NOT NULL DEFAULT 0,
    questions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, day, channel_id)
);

-- Per member: personal data, exported and forgotten with the member.
CREATE TABLE activity_member_daily (
    community TEXT NOT NULL,
    day TEXT NOT NULL,
    user_id TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    reactions_given INTEGER NOT NULL DEFAULT 0,
    reactions_received INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, day, user_id)
);

CREATE INDEX activity_member_daily_user ON activity_member_daily (community, user_id);

CREATE TABLE activity_community_daily (
    community TEXT NOT NULL,
    day TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    joins INTEGER NOT NULL DEFAULT 0,
    leaves INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, day)
);

CREATE TABLE activity_language_daily (
    community TEXT NOT NULL,
    day TEXT NOT NULL,
    language TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (community, day, language)
);
