"""Patient answers: questions asked in chat are detected (fr, en, es, de, it, pt), tracked until a
person answers, escalated kindly when nobody does, and patient helpers are recognised.

Commands: `/ask question [group:name]` (an explicit ticket; the group only by name), `/solved [question]`,
`/unanswered [channel] [group]`, `/question close id reason` (moderators), `/helpers [weeks]`,
`/questions notes on|off` (the private note about a waiting question), `/questions settings [nudge]
[escalate] [waiting] [quiet_hours] [newcomers]` (moderators: the community's own ladder).

Tables (migrations/questions/0001_tables.sql): `questions` (one row per tracked question, with a
short excerpt only and its next ladder step), `question_answers` (answers credited to helpers),
`question_note_optouts`; migrations/questions/0003_community_ladder.sql: `question_ladder_settings` (a
community's own ladder) and `questions.newcomer` (a newcomer's first question). Rows are queued on the
hot path and written in batches (at 500 statements, within the activity writer's flush interval
`activity.flush_ms` of the first one queued, and before any read); question ids are reserved from the
database in blocks (unique across processes). Messages the filters tagged as noise (`noise:*`, the
engagement-bait list among them) are neither followed as questions nor counted as answers.

Settings (`QuestionsSettings`): excluded_channels, nudge_after_hours (4), escalate_after_hours (24),
waiting_after_hours (72), quiet_hours ("22:00-08:00", community time zone), newcomer_priority (true): the
defaults of the ladder, each community may choose its own (`/questions settings`); mention_window_hours (6),
solved_emoji (✅), ask_channel, escalate_to, private_notes (true), excerpt_length (140), track_days (30).

Jobs and due actions: `questions.prune` (hourly: trims the in-memory index and wakes any ladder a busy
database left asleep); due action `questions.ladder` keyed `<community>:<time>`: one wake-up per
community at its earliest pending step (nudge, escalate, still waiting), which each question row
records. Also a digest section (`questions`) and privacy export/forget.
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 20
