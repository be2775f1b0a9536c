"""Weekly (or monthly) engagement digest for the managers of each community.

For a period (by default the last full week, Monday to Sunday in the community's time zone) the
digest is a list of sections of typed metrics (`DigestContent`, render.py): its own reach (active and
posting members, messages, active channels, top channels, top contributors, language mix) and engagement
(replies, thread messages, reactions, reactions per message) from the core daily rollups, community size
and growth (growth.py), conversation quality (quality.py), then the section of every enabled plugin
implementing `DigestContributor`. Every metric shows its change from the previous period by one rule
(changes.py); a period before the bot saw the community is "no data", never zero (coverage.py). A
12-period activity chart and the growth chart (PNG) go with it.
With each scheduled digest, the owners of every group opted in through a `GroupDigestSource` (the groups
plugin) get one DM with that group's section, once per group, owner and period (dedupe keys).

Commands (moderators): `/digest preview`, `/digest history [count]`, `/digest send`,
`/digest export [periods]`, `/digest settings [day] [time] [period]`; and `/digest subscribe on|off`
(moderators and members of the managers role) to get the digest by DM.

Tables (migrations/digest/): `digest_settings` (schedule per community), `digest_subscriptions` (opt-in
DMs), `digests` (every digest built: figures JSON, its text in every supported language, sent_at, how many
destinations it reached; UNIQUE per community and period start), `digest_groups` (each group digest sent),
`digest_member_counts` (the member count once a day).

Settings: `day` (mon), `time` (09:00), `period` (week), `top` (3), `trend_periods` (12).

Jobs: `digest.check` every 5 minutes sends each community's digest once its local send time has
passed; due action `digest.catch_up` runs the same check once at start (a digest missed while the
bot was down goes out once). `DigestPlugin.write_files` serves `affinity-bot digest` (markdown + PNG + CSV).
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 40
