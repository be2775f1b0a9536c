"""Repetitions and reminders as a French (or English) reader sees and types them: rules in words in
both languages, reminder offsets as durations, what the bot shows typed back gives the same thing,
and a French moderator plans, lists, edits and cancels typing only French words, with no English
in the replies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.i18n import Translator, term
from bot.model import Attachment
from bot.when.dates import format_offsets, parse_due, parse_offsets
from bot.when.recurrence import occurrences
from bot.when.rule_words import describe, read_words
from plugins.calendar import texts
from plugins.calendar.entry_fields import read_rule
from tests.calendar_plugin.helpers import entries, mod, populate, with_file
from tests.harness import Harness, running

TRANSLATOR = Translator.load([Path("bot/locales"), Path("plugins/calendar/locales")])
TUESDAY_9 = datetime(2026, 11, 17, 9, 0)  # naive local start, as series store it
MONDAY_1830 = datetime(2026, 12, 7, 18, 30)
PARIS = "Europe/Paris"
NNBSP = "\u202f"


def both(body: str, start: datetime) -> tuple[str, str]:
    """The rule in words, in English and in French."""
    shown = describe(body, start)
    return TRANSLATOR.render(shown, "en"), TRANSLATOR.render(shown, "fr")


@pytest.mark.parametrize(
    ("body", "start", "english", "french"),
    [
        ("FREQ=WEEKLY", TUESDAY_9, "every week on Tuesday at 9:00", "chaque semaine le mardi à 9 h"),
        ("FREQ=WEEKLY;BYDAY=TU", TUESDAY_9, "every week on Tuesday at 9:00", "chaque semaine le mardi à 9 h"),
        ("FREQ=DAILY", datetime(2026, 11, 17, 8, 0), "every day at 8:00", "tous les jours à 8 h"),
        ("FREQ=DAILY;INTERVAL=3", TUESDAY_9, "every 3 days at 9:00", "tous les 3 jours à 9 h"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            TUESDAY_9,
            "every 2 weeks on Monday and Thursday at 9:00",
            "toutes les 2 semaines le lundi et le jeudi à 9 h",
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            MONDAY_1830,
            "every week on Monday, Wednesday and Friday at 18:30",
            "chaque semaine le lundi, le mercredi et le vendredi à 18 h 30",
        ),
        (
            "FREQ=DAILY;BYDAY=MO,TU",
            TUESDAY_9,
            "every week on Monday and Tuesday at 9:00",
            "chaque semaine le lundi et le mardi à 9 h",
        ),
        (
            "FREQ=MONTHLY;BYDAY=1MO",
            MONDAY_1830,
            "every month on the first Monday at 18:30",
            "chaque mois le premier lundi à 18 h 30",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            TUESDAY_9,
            "every month on the last Friday at 9:00",
            "chaque mois le dernier vendredi à 9 h",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-2WE",
            TUESDAY_9,
            "every month on the second to last Wednesday at 9:00",
            "chaque mois l’avant-dernier mercredi à 9 h",
        ),
        ("FREQ=MONTHLY", TUESDAY_9, "every month on day 17 at 9:00", "chaque mois le 17 à 9 h"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", TUESDAY_9, "every month on day 1 at 9:00", "chaque mois le 1er à 9 h"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            TUESDAY_9,
            "every month on the last day at 9:00",
            "chaque mois le dernier jour à 9 h",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
            TUESDAY_9,
            "every 3 months on day 15 at 9:00",
            "tous les 3 mois le 15 à 9 h",
        ),
        ("FREQ=YEARLY", TUESDAY_9, "every year on 17 November at 9:00", "chaque année le 17 novembre à 9 h"),
        (
            "FREQ=WEEKLY;COUNT=10",
            TUESDAY_9,
            "every week on Tuesday at 9:00, 10 times",
            "chaque semaine le mardi à 9 h, 10 fois",
        ),
        (
            "FREQ=WEEKLY;COUNT=1",
            TUESDAY_9,
            "every week on Tuesday at 9:00, once",
            "chaque semaine le mardi à 9 h, une seule fois",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20271231",
            TUESDAY_9,
            "every week on Tuesday at 9:00, until 31 December 2027",
            "chaque semaine le mardi à 9 h, jusqu’au 31 décembre 2027",
        ),
        (
            "FREQ=DAILY;BYHOUR=8;BYMINUTE=5",
            TUESDAY_9,
            "every day at 8:05",
            "tous les jours à 8 h 05",
        ),
    ],
)
def test_a_stored_rule_reads_as_a_sentence_in_both_languages(
    body: str, start: datetime, english: str, french: str
) -> None:
    assert both(body, start) == (english, french)


@pytest.mark.parametrize(
    ("body", "english", "french"),
    [
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "every month (advanced repetition: `FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1`)",
            f"chaque mois (répétition avancée{NNBSP}: `FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1`)",
        ),
        (
            "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
            "every year (advanced repetition: `FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO`)",
            f"chaque année (répétition avancée{NNBSP}: `FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO`)",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=0",  # an old stored rule that no longer reads
            "a custom repetition (`FREQ=WEEKLY;INTERVAL=0`)",
            "une répétition sur mesure (`FREQ=WEEKLY;INTERVAL=0`)",
        ),
    ],
)
def test_an_exotic_rule_keeps_a_translated_lead_and_shows_the_rule_only_in_backticks(
    body: str, english: str, french: str
) -> None:
    assert both(body, TUESDAY_9) == (english, french)
    outside_code = re.sub(r"`[^`]*`", "", french)
    assert "FREQ" not in outside_code


@pytest.mark.parametrize(
    ("typed", "body"),
    [
        ("hebdo", "FREQ=WEEKLY"),
        ("Hebdomadaire", "FREQ=WEEKLY"),
        ("chaque semaine", "FREQ=WEEKLY"),
        ("toutes les semaines", "FREQ=WEEKLY"),
        ("semaine", "FREQ=WEEKLY"),
        ("weekly", "FREQ=WEEKLY"),
        ("quotidien", "FREQ=DAILY"),
        ("tous les jours", "FREQ=DAILY"),
        ("chaque jour", "FREQ=DAILY"),
        ("mensuel", "FREQ=MONTHLY"),
        ("mois", "FREQ=MONTHLY"),
        ("chaque mois", "FREQ=MONTHLY"),
        ("quinzaine", "FREQ=WEEKLY;INTERVAL=2"),
        ("toutes les 2 semaines", "FREQ=WEEKLY;INTERVAL=2"),
        ("toutes les deux semaines", "FREQ=WEEKLY;INTERVAL=2"),
        ("tous les lundis", "FREQ=WEEKLY;BYDAY=MO"),
        ("chaque semaine le lun et le jeu", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("chaque semaine le mardi à 9 h", "FREQ=WEEKLY"),  # a Tuesday at 9:00 start says the rest
        ("chaque semaine le mardi a 9h", "FREQ=WEEKLY"),  # no accent
        ("le premier lundi du mois", "FREQ=MONTHLY;BYDAY=1MO"),
        ("chaque mois le dernier vendredi", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("le 15 de chaque mois", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("le dernier jour du mois", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("chaque mois le 1er", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("chaque année le 1er janvier", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"),
        ("annuel", "FREQ=YEARLY"),
        ("chaque annee le 17 novembre", "FREQ=YEARLY"),
        ("tous les jours à 8 h", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"),
        ("every 2 weeks on Monday and Thursday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
        ("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),  # an RRULE is still accepted
    ],
)
def test_repetitions_typed_in_words(typed: str, body: str) -> None:
    assert read_rule(typed, TUESDAY_9) == body


@pytest.mark.parametrize(
    "body",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=MONTHLY",
        "FREQ=YEARLY",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYDAY=-2WE",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1",
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15",
        "FREQ=DAILY;BYHOUR=8;BYMINUTE=30",
    ],
)
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_what_the_bot_shows_typed_back_is_the_same_rule(body: str, locale: str) -> None:
    shown = TRANSLATOR.render(describe(body, TUESDAY_9), locale)
    again = read_rule(shown, TUESDAY_9)
    assert again == body, shown
    assert TRANSLATOR.render(describe(again, TUESDAY_9), locale) == shown


def test_a_rule_shown_with_its_weekday_typed_back_repeats_on_the_same_days() -> None:
    # `FREQ=WEEKLY;BYDAY=TU` from a Tuesday reads back as `FREQ=WEEKLY`: other words, the same slots.
    shown = TRANSLATOR.render(describe("FREQ=WEEKLY;BYDAY=TU", TUESDAY_9), "fr")
    again = read_rule(shown, TUESDAY_9)
    assert again is not None
    after = datetime(2026, 11, 16, tzinfo=UTC)
    window = {"after": after, "until": after + timedelta(days=60), "limit": 20}
    assert occurrences(again, TUESDAY_9, PARIS, **window) == occurrences(
        "FREQ=WEEKLY;BYDAY=TU", TUESDAY_9, PARIS, **window
    )


@pytest.mark.parametrize("typed", ["parfois", "chaque lune", "le premier", "2 h", "le 40"])
def test_words_that_are_no_repetition_are_not_guessed(typed: str) -> None:
    assert read_words(typed, TUESDAY_9) is None


# ---------------------------------------------------------------- reminders


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1j 2h", "1d2h"),
        ("1 j 2 h", "1d2h"),
        ("1 j, 2 h", "1d,2h"),
        ("1j2h", "1d2h"),
        ("1j,2h", "1d,2h"),
        ("2 h", "2h"),
        ("30 min", "30m"),
        ("1 sem", "7d"),
        ("1 semaine", "7d"),
        ("1 jour", "1d"),
        ("1 jour et 2 heures", "1d2h"),
        ("1 day and 2 hours", "1d2h"),
        ("aucun", "none"),
        ("Aucun rappel", "none"),
        ("none", "none"),
    ],
)
def test_reminders_typed_in_either_language(typed: str, stored: str) -> None:
    offsets = parse_offsets(typed)
    assert offsets is not None and format_offsets(offsets) == stored


@pytest.mark.parametrize(
    ("stored", "english", "french"),
    [
        ("1d2h", "1 day and 2 hours before", "1 jour et 2 heures avant"),
        ("1d,2h", "1 day before, 2 hours before", "1 jour avant, 2 heures avant"),
        ("7d,1d2h30m,30m", None, "1 semaine avant, 1 jour, 2 heures et 30 minutes avant, 30 minutes avant"),
        ("none", "no reminder", "aucun rappel"),
    ],
)
def test_reminders_are_shown_as_durations_and_read_back(stored: str, english: str | None, french: str) -> None:
    offsets = parse_offsets(stored)
    assert offsets is not None
    for locale, expected in (("en", english), ("fr", french)):
        shown = TRANSLATOR.render(texts.reminders(stored), locale)
        if expected is not None:
            assert shown == expected
        assert parse_offsets(shown) == offsets, shown


# ---------------------------------------------------------------- a French moderator


@pytest.fixture
async def h(tmp_path: Path) -> Harness:  # type: ignore[misc]
    async with running(tmp_path, plugins={"core": {}, "calendar": {}}) as harness:
        populate(harness)
        harness.platform.channel("annonces")
        yield harness


# English words a French reader must never meet in a calendar reply (whole words, outside `code`).
ENGLISH = re.compile(
    r"\b(every|week|weeks|day|days|hours?|before|none|owner|reminders?|repeats|planned|entry|entries"
    r"|series|cancelled|skipped|published|FREQ|BYDAY|WEEKLY|MONTHLY|Tuesday|Monday|the|and|is|of|at|on)\b"
)


def no_english(text: str) -> None:
    prose = re.sub(r"`[^`]*`", "", text)
    assert not ENGLISH.findall(prose), text


async def test_a_french_moderator_plans_with_french_words_only(h: Harness) -> None:
    added = await mod(
        h,
        '/calendar add "Lettre" #annonces "mardi 9h" @alice répétition:hebdo rappels:"1 jour et 2 heures"',
        locale="fr",
    )
    assert "🗓️ Publication `#1` **Lettre** prévue dans #annonces le mardi 17 novembre 2026 à 9 h" in added.text
    assert f"Rédacteur{NNBSP}: @alice. Rappels{NNBSP}: 1 jour et 2 heures avant." in added.text
    assert f"Répétition{NNBSP}: chaque semaine le mardi à 9 h." in added.text
    no_english(added.text)
    rows = await entries(h)
    assert len(rows) == 8 and {r["remind"] for r in rows} == {"1d2h"}

    monthly = await mod(
        h,
        '/calendar add titre:"Bilan" salon:#annonces date:"lundi 18h30" répétition:"chaque mois le premier lundi" '
        "rappels:aucun",
        locale="fr",
    )
    assert f"Répétition{NNBSP}: chaque mois le premier lundi à 18 h 30." in monthly.text
    assert f"Rédacteur{NNBSP}: @mod. Aucun rappel." in monthly.text
    no_english(monthly.text)

    twice = await mod(
        h,
        '/calendar add "Astuces" #annonces "lundi 9h" répétition:"toutes les 2 semaines le lundi et le jeudi" '
        'rappels:"2 h, 30 min"',
        locale="fr",
    )
    assert f"Répétition{NNBSP}: toutes les 2 semaines le lundi et le jeudi à 9 h." in twice.text
    assert f"Rappels{NNBSP}: 2 heures avant, 30 minutes avant." in twice.text
    no_english(twice.text)

    listing = await mod(h, "/calendar list période:mois", locale="fr")
    assert "**Lettre** dans #annonces, @alice" in listing.text and "prévue" in listing.text
    no_english(listing.text)

    edited = await mod(h, "/calendar edit 2 rappels:aucun étendue:série", locale="fr")
    assert "La série **Lettre** est modifiée, ainsi que les 8 publications prévues à venir." in edited.text
    no_english(edited.text)

    one = await mod(h, "/calendar cancel 1 étendue:seule", locale="fr")
    assert one.text == "🗑️ La publication `#1` **Lettre** est annulée."
    again = await mod(h, "/calendar cancel 1", locale="fr")
    assert f"La publication n°{NNBSP}1 est déjà annulée" in again.text
    no_english(again.text)

    series = await mod(h, "/calendar cancel 2 série", locale="fr")
    assert "🗑️ La série **Lettre** est annulée (7 publications prévues retirées)." in series.text


async def test_what_the_bot_showed_typed_back_plans_the_same_series(h: Harness) -> None:
    first = await mod(
        h,
        '/calendar add "Astuces" #annonces "lundi 9h" répétition:"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH" rappels:1d2h,30m',
        locale="fr",
    )
    repeat = re.search(f"Répétition{NNBSP}: (.+)\\.", first.text)
    remind = re.search(f"Rappels{NNBSP}: (.+)\\.", first.text)
    assert repeat is not None and remind is not None
    assert repeat.group(1) == "toutes les 2 semaines le lundi et le jeudi à 9 h"
    assert remind.group(1) == "1 jour et 2 heures avant, 30 minutes avant"
    second = await mod(
        h,
        f'/calendar add "Astuces bis" #annonces "lundi 9h" répétition:"{repeat.group(1)}" rappels:"{remind.group(1)}"',
        locale="fr",
    )
    assert f"Répétition{NNBSP}: {repeat.group(1)}." in second.text
    assert f"Rappels{NNBSP}: {remind.group(1)}." in second.text
    rows = await entries(h)
    by_title: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        by_title.setdefault(row["title"], []).append((row["due_at"], row["remind"]))
    assert by_title["Astuces"] == by_title["Astuces bis"]


async def test_refusals_of_repetitions_and_reminders_speak_french(h: Harness) -> None:
    repeat = await mod(h, '/calendar add "Lettre" #annonces "mardi 9h" répétition:parfois', locale="fr")
    assert repeat.ephemeral and f"«{NNBSP}parfois{NNBSP}» n’est pas une répétition reconnue." in repeat.text
    assert "`chaque semaine le mardi`" in repeat.text
    no_english(repeat.text)
    remind = await mod(h, '/calendar add "Lettre" #annonces "mardi 9h" rappels:bientôt', locale="fr")
    assert remind.ephemeral and f"«{NNBSP}bientôt{NNBSP}» n’est pas une liste de rappels." in remind.text
    assert "`1 j, 2 h` (deux rappels), `1 j 2 h` (un seul rappel)" in remind.text
    no_english(remind.text)
    assert await entries(h) == []


async def test_an_english_reader_reads_the_same_series_in_english(h: Harness) -> None:
    added = await mod(h, '/calendar add "Letter" #news "tuesday 9am" repeat:"every week on Tuesday" remind:"1d 2h"')
    assert "Owner: @mod. Reminders: 1 day and 2 hours before." in added.text
    assert "Repeats: every week on Tuesday at 9:00." in added.text
    none = await mod(h, '/calendar add "Quiz" #news "tuesday 9am" remind:none')
    assert "Owner: @mod. No reminder." in none.text


async def test_a_member_without_the_role_is_told_in_french_which_role_to_ask_for(h: Harness) -> None:
    refused = await h.command("alice", '/calendar add "Lettre" #annonces "mardi 9h"', locale="fr")
    word = h.app.translator.render(term("managers", "choice"), "fr")
    assert "Seuls les modérateurs et les gestionnaires du calendrier peuvent planifier" in refused.text
    assert f"(`/settings role usage:{word}`)" in refused.text and word != "managers"
    assert await entries(h) == []


async def test_a_french_sheet_with_french_column_names_and_words_is_imported(h: Harness) -> None:
    sheet = Attachment(
        "plan.csv",
        "Titre;Salon;Date;Rédacteur;Répétition\n"
        "Lettre;#annonces;mardi 9h;@alice;chaque semaine le mardi\n"
        "Bilan;#annonces;lundi 18h30;;le premier lundi du mois\n".encode(),
        "text/csv",
    )
    reply = await with_file(h, "mod", "/calendar import", [sheet])
    assert "Imported 2 entries." in reply.text
    rows = await entries(h)
    assert {r["title"] for r in rows} == {"Lettre", "Bilan"}
    rules = await h.app.db.fetchall("SELECT title, rule FROM calendar_series ORDER BY id")
    assert [(r["title"], r["rule"]) for r in rules] == [("Lettre", "FREQ=WEEKLY"), ("Bilan", "FREQ=MONTHLY;BYDAY=1MO")]


NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mar 9h", datetime(2026, 11, 17, 8, 0, tzinfo=UTC)),  # Tuesday, not March
        ("Mar. 9h", datetime(2026, 11, 17, 8, 0, tzinfo=UTC)),
        ("mer 9h", datetime(2026, 11, 18, 8, 0, tzinfo=UTC)),
        ("jeu 18h30", datetime(2026, 11, 19, 17, 30, tzinfo=UTC)),
        ("ven 18h", datetime(2026, 11, 20, 17, 0, tzinfo=UTC)),
        ("sam 10h", datetime(2026, 11, 21, 9, 0, tzinfo=UTC)),
        ("dim 10h", datetime(2026, 11, 22, 9, 0, tzinfo=UTC)),
        ("lun 9h", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),  # today's 9:00 is past
        ("1 decembre 10h", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),  # accents optional
        ("15 mar 2027 10h", datetime(2027, 3, 15, 9, 0, tzinfo=UTC)),  # after a day number: March
    ],
)
def test_due_dates_with_the_weekday_words_the_bot_shows(typed: str, expected: datetime) -> None:
    assert parse_due(typed, NOW, PARIS) == expected


@pytest.mark.parametrize(
    ("typed", "body"),
    [
        ("chaque mois le 1er et le 15", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
        ("le 15 et le 1er de chaque mois", "FREQ=MONTHLY;BYMONTHDAY=1,15"),  # stored in the order shown
        ("tous les 0 jours", None),
    ],
)
def test_days_of_the_month_in_any_order(typed: str, body: str | None) -> None:
    assert read_words(typed, TUESDAY_9) == body


@pytest.mark.parametrize(
    ("typed", "planned"),
    [
        ('/calendar add "Lettre" #annonces mardi 9h @alice', "le mardi 17 novembre 2026 à 9 h"),
        ('/calendar add "Lettre" #annonces mardi à 18h30 rédacteur:@alice', "le mardi 17 novembre 2026 à 18 h 30"),
    ],
)
async def test_a_date_and_its_time_need_no_quotes(h: Harness, typed: str, planned: str) -> None:
    added = await mod(h, typed, locale="fr")
    assert f"Publication `#1` **Lettre** prévue dans #annonces {planned}" in added.text, added.text
    assert (await entries(h))[0]["owner_id"] == "alice"
