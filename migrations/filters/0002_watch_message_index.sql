-- Filters: pending watch matches are looked up by message when it is edited or deleted (its excerpt must
-- not outlive what the message says), so they get an index on it.
CREATE INDEX watch_matches_message ON watch_matches (community, channel_id, message_id);
