"""What moderators type for their community's ladder (English and French), the rule a ladder follows,
the faster ladder of a newcomer's first question, and the re-planning of a pending step: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.i18n import _
from bot.plugin import CommandError
from plugins.questions import ladder
from plugins.questions.community_settings import (
    DEFAULT,
    LadderChoices,
    check,
    continues_default,
    continues_delay,
    continues_quiet,
    parse_delay,
    parse_quiet,
    parse_switch,
    resolve,
)
from plugins.questions.settings import QuestionsSettings

STEP = _("the nudge")
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris
NIGHT = (time(22), time(8))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4h", timedelta(hours=4)),
        ("4 h", timedelta(hours=4)),
        ("90min", timedelta(minutes=90)),
        ("1h30", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("2 j", timedelta(days=2)),
        ("1 jour", timedelta(days=1)),
        ("2 jours", timedelta(days=2)),
        ("1 jour et 2 heures", timedelta(hours=26)),
        ("1 day and 2 hours", timedelta(hours=26)),
        ("1,5 h", timedelta(minutes=90)),
        ("5 minutes", timedelta(minutes=5)),
        ("4 weeks", timedelta(weeks=4)),
        ("2 semaines", timedelta(weeks=2)),
    ],
)
def test_delays_typed_in_english_or_french(typed: str, expected: timedelta) -> None:
    assert parse_delay(typed, STEP) == expected


@pytest.mark.parametrize("typed", ["4", "soon", "4 lunes", "h", "-2h", "", "4h" * 200, "1" * 5000 + "h"])
def test_not_a_delay(typed: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_delay(typed, STEP)
    assert refused.value.hint is not None
    assert len(str(refused.value.message.params["value"])) <= 40  # what is repeated is cut short


@pytest.mark.parametrize("typed", ["4 min", "0h", "29 days", "5 weeks", "99999999999999999999h"])
def test_delays_out_of_bounds(typed: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_delay(typed, STEP)
    assert refused.value.message.msgid == "{value} is not allowed for {step}."


@pytest.mark.parametrize("typed", ["default", "Défaut", "par défaut", "reset"])
def test_default_returns_to_the_configuration(typed: str) -> None:
    assert parse_delay(typed, STEP) is DEFAULT
    assert parse_quiet(typed) is DEFAULT
    assert parse_switch(typed) is DEFAULT


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22:00-08:00", "22:00-08:00"),
        ("22h-8h", "22:00-08:00"),
        ("22 h 30 - 7 h", "22:30-07:00"),
        ("22h à 8h", "22:00-08:00"),
        ("22:00 – 08:00", "22:00-08:00"),
        ("12-14", "12:00-14:00"),
        ("off", ""),
        ("none", ""),
        ("aucune", ""),
        ("Désactivé", ""),
        ("aucune heure calme", ""),  # as the bot shows it
        ("no quiet hours", ""),
        ("de 22 h 30 à 7 h", "22:30-07:00"),  # as the French card shows it
        ("from 22:30 to 7:00", "22:30-07:00"),  # as the English card shows it
    ],
)
def test_quiet_hours_typed_in_english_or_french(typed: str, expected: str) -> None:
    assert parse_quiet(typed) == expected


@pytest.mark.parametrize("typed", ["25h-8h", "22h", "22h-22h", "22:61-08:00", "soir", "1-2-3", "22h-" * 100])
def test_not_quiet_hours(typed: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_quiet(typed)
    assert refused.value.message.msgid == "{value} is not a span of quiet hours."


def test_quiet_hours_typed_in_several_words() -> None:
    assert continues_quiet("22h", "-") and continues_quiet("22h -", "8h") and continues_quiet("22 h", "à")
    assert not continues_quiet("22h-8h", "newcomers") and not continues_quiet("22h", "oui")
    # What the card shows, typed back without quotes.
    assert (
        continues_quiet("de", "22") and continues_quiet("aucune", "heure") and continues_quiet("aucune heure", "calme")
    )
    assert continues_quiet("par", "défaut") and continues_default("par", "Défaut")


def test_delays_typed_in_several_words() -> None:
    assert continues_delay("1 j", "2") and continues_delay("1 j 2", "h") and continues_delay("par", "défaut")
    assert continues_delay("1 jour", "et") and not continues_delay("2 h", "nouveaux:oui")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("on", True),
        ("oui", True),
        ("Yes", True),
        ("activé", True),
        ("activée", True),  # as the French card shows the priority
        ("off", False),
        ("non", False),
        ("désactivé", False),
        ("Désactivée", False),
    ],
)
def test_on_and_off(typed: str, expected: bool) -> None:
    assert parse_switch(typed) is expected


def test_neither_on_nor_off() -> None:
    with pytest.raises(CommandError):
        parse_switch("peut-être")


def test_the_steps_must_come_in_order() -> None:
    defaults = QuestionsSettings()
    check(resolve(defaults, LadderChoices()))
    check(resolve(defaults, LadderChoices(nudge=timedelta(minutes=5), escalate=timedelta(minutes=10))))
    for chosen in (
        LadderChoices(nudge=timedelta(hours=24)),  # equal to the default escalation
        LadderChoices(escalate=timedelta(hours=2)),  # before the default nudge
        LadderChoices(waiting=timedelta(hours=12)),  # before the default escalation
    ):
        with pytest.raises(CommandError):
            check(resolve(defaults, chosen))


def test_the_configuration_follows_the_same_rule() -> None:
    with pytest.raises(ValueError, match="must grow"):
        QuestionsSettings(nudge_after_hours=30)
    assert QuestionsSettings(quiet_hours="22h-8h").quiet_hours == "22:00-08:00"
    assert QuestionsSettings(quiet_hours="00:00-00:00").quiet_hours == ""  # as before: no quiet hours
    with pytest.raises(ValueError, match="quiet_hours"):
        QuestionsSettings(quiet_hours="tonight")


def test_a_newcomers_first_question_climbs_at_half_the_delays_out_of_quiet_hours() -> None:
    values = resolve(QuestionsSettings(), LadderChoices())
    usual, quick = values.ladder("Europe/Paris"), values.ladder("Europe/Paris", newcomer=True)
    assert [s.due_at - T0 for s in usual.plan(T0)] == [timedelta(hours=4), timedelta(hours=24), timedelta(hours=72)]
    # 2 h; 12 h is 23:00 in Paris, quiet: 08:00 Paris; "still waiting" keeps its delay.
    assert [s.due_at - T0 for s in quick.plan(T0)] == [timedelta(hours=2), timedelta(hours=22), timedelta(hours=72)]
    off = resolve(QuestionsSettings(), LadderChoices(newcomers=False))
    assert off.ladder("Europe/Paris", newcomer=True) == off.ladder("Europe/Paris")


def _ladder(nudge: float, escalate: float, quiet: tuple[time, time] = NIGHT) -> ladder.Ladder:
    return ladder.Ladder("Europe/Paris", timedelta(hours=nudge), timedelta(hours=escalate), timedelta(hours=72), *quiet)


def test_a_pending_step_moves_to_the_new_time_and_keeps_its_name() -> None:
    old, new = _ladder(4, 24), _ladder(2, 12)
    assert ladder.replanned(ladder.NUDGE, T0, T0 + timedelta(hours=4), old, new) == T0 + timedelta(hours=2)
    # Already past under the new ladder: due now (the sweep runs it once, at once).
    assert ladder.replanned(ladder.NUDGE, T0, T0 + timedelta(hours=4), old, _ladder(0.5, 12)) < T0 + timedelta(hours=1)
    # Escalation at 12 h is 23:00 Paris: the new quiet hours are kept.
    assert ladder.replanned(ladder.ESCALATE, T0, T0 + timedelta(hours=24), old, new) == T0 + timedelta(hours=22)
    # Applying the same change twice changes nothing (the second pass after a change).
    once = ladder.replanned(ladder.ESCALATE, T0, T0 + timedelta(hours=24), old, _ladder(4, 30))
    assert ladder.replanned(ladder.ESCALATE, T0, once, old, _ladder(4, 30)) == once


def test_a_step_postponed_after_an_outage_keeps_its_later_retry() -> None:
    old, new = _ladder(4, 24), _ladder(2, 12)
    retry = T0 + timedelta(hours=5)  # the 4 h nudge failed, tried again later
    assert ladder.replanned(ladder.NUDGE, T0, retry, old, new) == retry
    assert ladder.replanned(ladder.NUDGE, T0, retry, old, _ladder(6, 24)) == T0 + timedelta(hours=6)
