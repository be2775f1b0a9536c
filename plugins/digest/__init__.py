"""Weekly (or monthly) engagement digest for the managers of each community.

For a period (by default the last full week, Monday to Sunday in the community's time zone) the
digest reports reach (active, posting, new and departed members, messages, active channels) and
engagement (replies, thread messages, reactions per message, an estimate of the share of messages that
got a reply, top channels, top contributors, language mix), each with its change from the previous
period, a 12-period trend chart (PNG) and the sections of every enabled plugin implementing
`DigestContributor`. Figures come only from the core daily rollups, never from raw messages.
With each scheduled digest, the owners of every group opted in through a `GroupDigestSource` (the groups
plugin) get one DM with that group's section, once per group, owner and period (dedupe keys).

Commands (moderators): `/digest preview`, `/digest history [count]`, `/digest send`,
`/digest export [periods]`, `/digest settings [day] [time] [period]`; and `/digest subscribe on|off`
(moderators and members of the managers role) to get the digest by DM.

Tables (migrations/digest/0001_tables.sql): `digest_settings` (schedule per community),
`digest_subscriptions` (opt-in DMs), `digests` (every digest built: figures JSON, rendered text,
sent_at; UNIQUE per community and period start).

Settings: `day` (mon), `time` (09:00), `period` (week), `top` (3), `trend_periods` (12).

Jobs: `digest.check` every 5 minutes sends each community's digest once its local send time has
passed; due action `digest.catch_up` runs the same check once at start (a digest missed while the
bot was down goes out once). `DigestPlugin.write_files` serves `affinity-bot digest` (markdown + PNG + CSV).
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 40
