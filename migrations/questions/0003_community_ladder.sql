-- Questions plugin, per-community ladder (plugins/questions/community_settings.py, issue 19). The asker's
-- confirmation of the same issue, written at the same time, took 0004.
--
-- `question_ladder_settings`: what a community's moderators chose with `/questions settings`. A NULL column
-- is "no choice": the configuration's value applies. Delays in seconds; quiet hours as `22:00-08:00`, the
-- empty string for "none" (a choice, unlike NULL); the newcomer priority 1 or 0. No member id is kept.
CREATE TABLE question_ladder_settings (
    community TEXT PRIMARY KEY,
    nudge_seconds INTEGER,
    escalate_seconds INTEGER,
    waiting_seconds INTEGER,
    quiet_hours TEXT,
    newcomer_priority INTEGER,
    updated_at TEXT NOT NULL
);

-- 1 for the first question a member asked within 30 days of joining, while the community gave newcomers
-- priority: its nudge and escalation come sooner and /unanswered lists it first.
ALTER TABLE questions ADD COLUMN newcomer INTEGER NOT NULL DEFAULT 0;
