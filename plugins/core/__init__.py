"""Core commands every community has.

- `/help [command]`: the commands the caller may use, in the caller's language; for one command, who
  may use it, its parameters and accepted values in the caller's words, and an example to type.
- `/language`: a member's own language; `/timezone`: their own time zone (a city, a zone name, `auto`),
  the one their reminders and DMs show times in (`Communities.timezone_for`); `/settings ...`
  (moderators): time zone, language, channels and roles by purpose.
- `/privacy export|forget`: everything stored about the caller, from every plugin, as JSON;
  and its deletion after a confirmation step.

Tables: the core's own (`communities`, `community_channels`, `community_roles`, `members`,
`confirmations`) through `bot.communities` and `plugins.core.privacy`. No settings. No jobs.
"""

# Where this plugin comes among the defaults (bot/discovery.py): its start, digest and export order.
ORDER = 0
