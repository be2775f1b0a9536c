"""Events: meetups that keep groups alive all year. An event belongs to a group, happens once or repeats
(every first Tuesday), takes RSVPs per occurrence (going, maybe, can't go) with a capacity and a waitlist
that promotes by itself, posts a card in the group's channel that updates in place, reminds attendees
(24 h and 1 h before by default) and organisers (save-the-date and countdown, recap prompt after), mirrors
itself as a Discord scheduled event, and exports .ics files.

Commands: `/event create|edit|cancel|info|list|mine|rsvp|ics|next` (see docs/events.md).
Group owners and moderators organise; members answer.

Tables (migrations/events/0001_tables.sql): `events` (one row per event, a repeating one included: its
wall-clock start, zone, rule, place, capacity, revision), `event_occurrences` (each date that exists, its
card and platform mirror), `event_rsvps` (one answer per member and occurrence, waitlist order).

It uses the groups plugin through `GroupDirectory` and `Places` (bot.protocols), never its tables; without
the groups plugin it refuses to start a command with a clear message. It implements `DigestContributor`
(events held, RSVPs, going rate, waitlists, per group) and `PrivacyParticipant` (RSVPs and organised events).
"""

# After groups (10): events live in groups.
ORDER = 15
