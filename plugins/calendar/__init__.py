"""Editorial calendar: planned posts with owners, recurring slots, reminders, publish detection,
overdue notes and alerts, adherence figures for the digest, and .ics / CSV files.

Commands: `/calendar add|list|done|skip|edit|cancel|export|import`, `/charter show|set`; `edit` and
`cancel` take `scope:series` for a whole recurring series (see `series_editor`).
Planning (add, edit, cancel, import) is for moderators and members holding the role set with
`/settings role purpose:managers`; an entry's owner may also mark it done or skip it.

Tables (migrations/calendar/0001_tables.sql): `calendar_series` (one-off or recurring slots, with
their wall-clock start and zone), `calendar_entries` (materialised occurrences: due time, status,
publication link), `calendar_charters` (one charter per community).

Settings (`CalendarSettings`): remind (default `1d,2h`), window_before_hours (12),
window_after_hours (24), grace_hours (24), late_after_minutes (60), horizon_days (56), max_ahead
(60), alert_channel (`calendar`, falling back to `digest`), manager_role (`managers`).

Listeners: a message by an entry's owner in its channel near due marks it published; deleting
that message while the window is open makes it planned again.

Jobs: `calendar.extend` every 6 hours materialises recurring series up to the horizon. Due actions
per occurrence: `calendar.remind` (one per offset), `calendar.overdue`, `calendar.alert`,
`calendar.missed`. Digest section `calendar` (adherence per owner and channel, streaks).

Modules: `plugin` (declarations only), `settings`, `repo` (all SQL). Services the plugin holds:
`entries` (add, agenda, done/skip/edit/cancel, permissions, autocomplete), `series_editor`
(whole-series edits), `files` (.ics export, CSV import), `charter`, `planner` (materialising
occurrences, due actions, publish detection) and `digest`. Pure modules: `entry_fields` (typed
fields read and checked), `series_plan` (what a series edit changes), `import_sheet` (the CSV
file's shape), `export` (what the .ics file holds: series with their rule, overrides, EXDATE,
SEQUENCE), `adherence` (outcomes and streaks) and `texts` (messages). Dates, rules and the .ics
writer are shared with events in `bot.when` (`dates`, `date_words`, `rule_words`, `recurrence`,
`ical`).
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 30
