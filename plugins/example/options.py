"""Reading the options of a poll as a member types them: pure logic, tested without I/O."""

from __future__ import annotations

from bot.i18n import _, n_
from bot.plugin import CommandError

MIN_OPTIONS = 2


def split_options(raw: str, max_options: int) -> tuple[str, ...]:
    """`Monday | Tuesday | Friday` -> ("Monday", "Tuesday", "Friday"); refuses too few, too many or twins."""
    options = tuple(" ".join(part.split()) for part in raw.split("|") if part.strip())
    hint = _("Separate the options with |, for example: Monday | Tuesday.")
    if len(options) < MIN_OPTIONS:
        raise CommandError(
            n_("A poll needs at least {count} option.", "A poll needs at least {count} options.", MIN_OPTIONS), hint
        )
    if len(options) > max_options:
        raise CommandError(
            n_("A poll has at most {count} option.", "A poll has at most {count} options.", max_options), hint
        )
    if len({option.casefold() for option in options}) != len(options):
        raise CommandError(_("Two options are the same."), hint)
    return options
