"""Community noise filters and personal keyword watch lists (one plugin, two command nouns).

Filters (`/filter`, moderators): phrases matched case-, accent- and simple-plural-insensitively on
word boundaries, or regular expressions checked for catastrophic backtracking; each rule tags the
message as noise (`noise:<rule id>`, excluded from watch digests and other plugins' highlights),
flags it to the moderation channel, or deletes it where the platform can (the author gets a private
note naming the rule; where deleting is impossible, e.g. the console, it is flagged instead).
Channels and roles can be exempt. Edited messages are checked again: only rules the message did not
match yet act. A built-in French/English engagement-bait list can be switched on (`/filter bait on`)
and edited. `/filter test` shows which rules a text triggers and why.

Watch (`/watch`, every member): keywords, muted words and authors, a daily or weekly digest DM
(or off), and an opt-out from others' digests. Matching messages are kept as a link and a short
excerpt until delivered, then deleted.

Commands: /filter add|remove|list|test|bait|exempt; /watch add|remove|list|mute|unmute|mute-author|
unmute-author|frequency|optout.

Tables (migrations/filters/0001_tables.sql): filter_rules, filter_exemptions, filter_hits (counts per
UTC hour and rule, and messages caught per hour under rule ids 0 and -1: see `repo.MESSAGES_NOISE`),
watch_members, watch_keywords, watch_muted_authors, watch_matches, watch_channels.
SQL lives in `repo.py` (filters) and `watch_repo.py` (watch lists).

Modules: `plugin` (the declarations only: each handler delegates), `settings` (`FiltersSettings`),
`rules` (`FilterRules`: what `/filter` does), `typed_line` (reads a typed `/filter add` line),
`watch_lists` (`WatchLists`: what `/watch` does, export and forget), `screening` (`Screening`: edits,
watch matches, disabled patterns; the message filter's hot path stays written out in `plugin`),
`noise_report` (the digest section), `normalise` and `matcher` (pure: normal forms, Aho-Corasick index,
regex safety), `patterns` (RE2), `bait`, `watch` (pure: keyword lists, periods, the digest DM), `engine`
(per-community caches), `actions` (tag/flag/delete), `edits` (what the filter remembers to check edits),
`delivery` (the digest job).

Settings (`FiltersSettings`): max_rules (5000), max_regex_rules (50), keyword_limit (50), mute_limit (50),
digest_hour (8), digest_max_items (30).

Jobs: `filters.watch_digests` (every 15 minutes: sends the digests whose period started),
`filters.flush_hits` (every 5 minutes: writes hit counts buffered in memory).

Digest section `filters`: messages caught (noise and bait apart, per action), their share of the messages
posted, and the top rules. Privacy: export and forget of
watch lists, mutes, preferences and pending matches for and about the member.
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 50
