-- Core: raw messages lose the (community, at) index. No query reads it (digests read the daily
-- rollups; the retention purge uses messages_at; export and forget use messages_community_author),
-- and every ingested message paid for it: one B-tree insert of four on the hottest write path.
DROP INDEX IF EXISTS messages_community_at;
