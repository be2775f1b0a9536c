-- Core (issue 20): a member's own time zone (`/timezone`), an IANA name; NULL follows the community's.
-- Reminders and other DMs show times in it. Personal data: exported and forgotten with the member's row.
ALTER TABLE members ADD COLUMN timezone TEXT;
