-- Questions plugin, issue 19: closing the loop with the asker (plugins/questions/confirm.py).
-- When a question gets its first answer, the asker is asked once, privately, whether it solved it
-- ("Solved" / "Not yet"); an answered question never confirmed is closed as 'unconfirmed' (answered, not
-- confirmed) after `confirm_after_days`. A community's `questions.confirm` due action wakes at the earliest
-- `confirm_at`, as the ladder's wakes at the earliest `next_step_at`.
-- confirm_step: the loop's pending step, 'ask' (the private question to the asker) or 'expire' (close as
--   unconfirmed); NULL when nothing is pending. confirm_at: when it falls due.
-- confirm_asked_at: when the ask step ran (sent, or skipped for an asker who opted out of private notes),
--   or when the asker said "Not yet" first: the asker is asked once per question.
-- not_yet_at: when the asker last said "Not yet" (the question went back to waiting).
-- unconfirmed_at: when it was closed as answered, not confirmed (the digest counts the period's closings still
--   standing).
ALTER TABLE questions ADD COLUMN confirm_step TEXT;
ALTER TABLE questions ADD COLUMN confirm_at TEXT;
ALTER TABLE questions ADD COLUMN confirm_asked_at TEXT;
ALTER TABLE questions ADD COLUMN not_yet_at TEXT;
ALTER TABLE questions ADD COLUMN unconfirmed_at TEXT;

-- The confirmation sweep: answered questions whose next confirmation step is due (partial: most
-- questions never have one pending, so the hot-path insert pays nothing for it).
CREATE INDEX questions_confirm ON questions (community, confirm_at) WHERE confirm_step IS NOT NULL;
-- The digest's count of the period's closings as answered, not confirmed (partial: few questions have one).
CREATE INDEX questions_unconfirmed ON questions (community, unconfirmed_at) WHERE unconfirmed_at IS NOT NULL;
