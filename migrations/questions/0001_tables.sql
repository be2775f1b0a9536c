-- Questions plugin (plugins/questions/repo.py): detected and explicit questions, the answers
-- credited to helpers, and members who opted out of the private note.
-- Ids are allocated by the plugin (one writer per database) so new rows can be written in batches.
-- Times are ISO-8601 UTC text. Only a short excerpt of a question is kept, never the full text.

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    community TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    thread_id TEXT,
    message_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    language TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    group_name TEXT,
    explicit INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open',
    revision INTEGER NOT NULL DEFAULT 0,
    waiting INTEGER NOT NULL DEFAULT 0,
    next_step TEXT,
    next_step_at TEXT,
    answered_at TEXT,
    answered_by TEXT,
    solved_at TEXT,
    solved_by TEXT,
    closed_at TEXT,
    close_reason TEXT,
    UNIQUE (community, channel_id, message_id)
);

CREATE INDEX questions_author ON questions (community, author_id);
-- Open questions by community (oldest first), and the ladder's sweep: open questions whose next step
-- (nudge, escalate, waiting) is due.
CREATE INDEX questions_next_step ON questions (community, status, next_step_at);

CREATE TABLE question_answers (
    community TEXT NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (community, question_id, message_id)
);

CREATE INDEX question_answers_user ON question_answers (community, user_id);

CREATE TABLE question_note_optouts (
    community TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (community, user_id)
);
