-- Core (issue 14, commands under a flood): indexes for the questions reads that commands and the digest
-- make, which scanned every question of the community (22,800 questions, benchmarks/README.md):
-- `/unanswered` and the digest's "still waiting" (open, oldest first: 11-13 ms to 0.1 ms), the digest's
-- "asked this period" (50 ms to 17 ms, the rest is the rows themselves) and "answered since" (60 ms
-- to 2.6 ms, one index per side of its OR). The last two are partial: a new question has neither time,
-- so the hot-path insert of a question pays for one more B-tree entry, not three.
CREATE INDEX questions_status_asked ON questions (community, status, asked_at);
CREATE INDEX questions_answered ON questions (community, answered_at) WHERE answered_at IS NOT NULL;
CREATE INDEX questions_solved ON questions (community, solved_at) WHERE solved_at IS NOT NULL;
