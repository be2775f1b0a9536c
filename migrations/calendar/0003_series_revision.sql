-- Calendar: a series' revision grows on every change a calendar app shows (a series edit, an
-- occurrence edited or cancelled, new occurrences, a cancelled or disabled series, an owner
-- forgotten); the .ics export writes it as SEQUENCE so apps take the new version of the same UID.
ALTER TABLE calendar_series ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
