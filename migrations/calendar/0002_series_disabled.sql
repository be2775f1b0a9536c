-- Calendar: a series whose stored repetition rule can no longer be read or expanded (written by an
-- older version, or a bug) is disabled once: no more occurrences, one log line, one notice to its
-- owner. `disabled_reason` keeps the English reason for the log and for moderators' questions.
ALTER TABLE calendar_series ADD COLUMN disabled_at TEXT;
ALTER TABLE calendar_series ADD COLUMN disabled_reason TEXT;
