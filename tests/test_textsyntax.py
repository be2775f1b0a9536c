"""The command line syntax: tokens, quotes, `name:value`, command paths, durations and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.plugin import CommandError
from bot.textsyntax import (
    MAX_DURATION,
    continues,
    duration_seconds,
    is_moment,
    parse_duration,
    parse_line,
    parse_moment,
    split_path,
    tokenize,
)

EN = Translator({})


def pairs(text: str) -> list[tuple[str | None, str]]:
    """The (name, value) of each token: what a command receives."""
    return [(token.name, token.value) for token in tokenize(text)]


# ---------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("one two", [(None, "one"), (None, "two")]),
        ("  one \n\t two  ", [(None, "one"), (None, "two")]),
        ('"Rust Lille" 30', [(None, "Rust Lille"), (None, "30")]),
        ("'Rust Lille' 30", [(None, "Rust Lille"), (None, "30")]),
        ("“Rust Lille” 30", [(None, "Rust Lille"), (None, "30")]),
        ("« Rust Lille » 30", [(None, "Rust Lille"), (None, "30")]),  # inner spaces trimmed
        ("«\u00a0Rust Lille\u00a0»", [(None, "Rust Lille")]),  # French no-break spaces
        ("‘Rust Lille’", [(None, "Rust Lille")]),  # what phones make of '...'
        ("„Rust Lille“", [(None, "Rust Lille")]),
        ('" padded "', [(None, " padded ")]),  # straight quotes keep what is inside
        ('""', [(None, "")]),
        ("l'apéro du jeudi", [(None, "l'apéro"), (None, "du"), (None, "jeudi")]),  # apostrophes are letters
        ("'l'apéro du jeudi'", [(None, "l'apéro du jeudi")]),
        ("don't stop", [(None, "don't"), (None, "stop")]),
        ('say"hi"', [(None, 'say"hi"')]),  # a quote inside a word is a character
    ],
)
def test_quotes_group_words_into_one_value(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r'"say \"hi\" now"', [(None, 'say "hi" now')]),
        (r"'it\'s'", [(None, "it's")]),
        (r'"back\\slash"', [(None, "back\\slash")]),
        (r"\"alone", [(None, '"alone')]),  # an escaped quote does not open a quoted value
        (r"dir\sub\file", [(None, "dir\\sub\\file")]),  # other backslashes are kept
        (r'note:"a \"b\""', [("note", 'a "b"')]),
    ],
)
def test_backslash_makes_a_quote_literal(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("city:Lille", [("city", "Lille")]),
        ('city:"Rust Lille"', [("city", "Rust Lille")]),
        ("city:« Rust Lille »", [("city", "Rust Lille")]),
        ("radius_km:30 city:Lille", [("radius_km", "30"), ("city", "Lille")]),
        ("City:Lille", [("city", "Lille")]),  # names are not case-sensitive
        ("city: Lille", [("city", "Lille")]),  # a space after the colon, as Discord shows it
        ('city: "Rust Lille"', [("city", "Rust Lille")]),
        ("city: radius_km:30", [("city", ""), ("radius_km", "30")]),
        ("city:", [("city", "")]),
        ("_x:1", [("_x", "1")]),
        ("a:b:c", [("a", "b:c")]),
        ('"city:Lille"', [(None, "city:Lille")]),  # quoting makes it a plain value
    ],
)
def test_name_value_pairs(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:30", [(None, "10:30")]),
        ("2026-12-01 10:30", [(None, "2026-12-01"), (None, "10:30")]),
        ("https://example.org/a?b=c", [(None, "https://example.org/a?b=c")]),
        ("url:https://example.org", [("url", "https://example.org")]),
        ("mailto//x", [(None, "mailto//x")]),
        ("été:chaud", [("été", "chaud")]),  # a name in any language: French parameter names have accents
        ("rust-lille:x", [(None, "rust-lille:x")]),
        (":x", [(None, ":x")]),
        ("1st:x", [(None, "1st:x")]),
    ],
)
def test_urls_times_and_odd_colons_stay_values(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert pairs(text) == expected


def test_token_keeps_the_raw_text_for_free_text() -> None:
    token = tokenize("Note: bring snacks")[0]
    assert (token.name, token.value, token.raw) == ("note", "bring", "Note: bring")
    assert tokenize('"a b"')[0].quoted and not tokenize("a")[0].quoted


def test_zero_width_spaces_do_not_hide_a_name() -> None:
    assert pairs("\u200bcity:Lille") == [("city", "Lille")]


@pytest.mark.parametrize(
    ("text", "closer"),
    [
        ('"Rust Lille', '"'),
        ("city:'Rust Lille", "'"),
        ("« Rust Lille", "»"),
        ("“Rust Lille", "”"),
        ('"Rust"Lille', '"'),  # a closing quote must end the value
        (r'"Rust Lille\"', '"'),  # an escaped quote does not close
    ],
)
def test_an_unclosed_quote_is_a_translated_error_with_a_hint(text: str, closer: str) -> None:
    with pytest.raises(CommandError) as caught:
        tokenize(text)
    assert caught.value.message.msgid == "A quote opened at “{excerpt}” is never closed."
    assert EN.render(caught.value.hint, "en").startswith(f"Close it with {closer}")


def test_a_huge_value_is_one_token() -> None:
    value = "é" * 12_000
    assert pairs(f'note:"{value}" x') == [("note", value), (None, "x")]


@given(st.text())
def test_tokenize_returns_tokens_or_a_command_error(text: str) -> None:
    try:
        tokens = tokenize(text)
    except CommandError:
        return
    assert all(isinstance(token.value, str) for token in tokens)


# ---------------------------------------------------------------- command paths

PATHS = ["help", "group join", "group leave", "group list", "group nearby", "settings timezone"]


@pytest.mark.parametrize(
    ("words", "path", "rest"),
    [
        (["help"], "help", []),
        (["group", "join", "Rust"], "group join", ["Rust"]),
        (["GROUP", "Join", "Rust"], "group join", ["Rust"]),
        (["settings", "timezone", "Europe/Paris"], "settings timezone", ["Europe/Paris"]),
        (["help", "group"], "help", ["group"]),
    ],
)
def test_split_path_finds_the_command(words: list[str], path: str, rest: list[str]) -> None:
    assert split_path(words, PATHS) == (path, rest)


def test_split_path_prefers_the_longest_path() -> None:
    paths = ["event", "event add", "event add series"]
    assert split_path(["event", "add", "series", "x"], paths) == ("event add series", ["x"])
    assert split_path(["event", "add", "x"], paths) == ("event add", ["x"])
    assert split_path(["event", "x"], paths) == ("event", ["x"])


def command_error(words: list[str], paths: list[str] = PATHS) -> tuple[str, dict[str, object], str]:
    with pytest.raises(CommandError) as caught:
        split_path(words, paths)
    error = caught.value
    return error.message.msgid, dict(error.message.params), EN.render(error.hint, "en")


def test_a_misspelt_verb_suggests_the_verb_and_lists_the_nouns_verbs() -> None:
    msgid, params, hint = command_error(["group", "jion", "Rust"])
    assert (msgid, params) == ("Unknown command /{given}.", {"given": "group jion"})
    assert hint == "Did you mean /group join? /group commands: `join`, `leave`, `list`, `nearby`."


def test_a_noun_without_verb_lists_its_verbs() -> None:
    msgid, params, hint = command_error(["group"])
    assert (msgid, params) == ("/{noun} needs one more word.", {"noun": "group"})
    assert hint == "/group commands: `join`, `leave`, `list`, `nearby`."


def test_a_verb_far_from_any_lists_the_verbs_only() -> None:
    _msgid, _params, hint = command_error(["group", "xyzzy"])
    assert hint == "/group commands: `join`, `leave`, `list`, `nearby`."


@pytest.mark.parametrize(
    ("words", "given", "hint"),
    [
        (["hlep"], "hlep", "Did you mean /help?"),
        (["grp", "join"], "grp", "Did you mean /group join?"),
        (["groupe", "jion"], "groupe", "Did you mean /group join?"),
        (["setings"], "setings", "Did you mean /settings timezone?"),  # the noun's only verb
        (["grp"], "grp", "Did you mean /group? /group commands: `join`, `leave`, `list`, `nearby`."),
        (["zzz"], "zzz", "Type /help to see the commands."),
    ],
)
def test_an_unknown_noun_suggests_the_closest_command(words: list[str], given: str, hint: str) -> None:
    msgid, params, rendered = command_error(words)
    assert (msgid, params, rendered) == ("Unknown command /{given}.", {"given": given}, hint)


def test_without_help_the_commands_are_listed() -> None:
    _msgid, _params, hint = command_error(["zzz"], ["group join", "settings timezone"])
    assert hint == "Commands: /group, /settings."


def test_an_empty_line_asks_for_a_command() -> None:
    msgid, _params, hint = command_error([])
    assert msgid == "Type a command after the slash."
    assert hint == "For example: /help"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/help", ("help", "")),
        ("help", ("help", "")),
        ("  /group join Rust", ("group join", "Rust")),
        ('/GROUP   JOIN   "Rust   Lille"  ', ("group join", '"Rust   Lille"')),
        ("/group join line one\n  line two", ("group join", "line one\n  line two")),
        ("/group\u200b join x", ("group join", "x")),
        ("/group\u00a0join x", ("group join", "x")),
    ],
)
def test_parse_line_keeps_the_argument_text_as_typed(line: str, expected: tuple[str, str]) -> None:
    assert parse_line(line, PATHS) == expected


def test_parse_line_reports_unknown_commands() -> None:
    with pytest.raises(CommandError) as caught:
        parse_line("/group jion x", PATHS)
    assert caught.value.message.params == {"given": "group jion"}


@given(st.text())
def test_parse_line_returns_a_known_path_or_a_command_error(line: str) -> None:
    try:
        path, _args = parse_line(line, PATHS)
    except CommandError:
        return
    assert path in PATHS


# ---------------------------------------------------------------- durations

H = 3600


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45m", 45 * 60),
        ("2h30m", 2.5 * H),
        ("1h 30m", 1.5 * H),
        ("1.5h", 1.5 * H),
        ("1,5h", 1.5 * H),  # French decimal comma
        ("90s", 90),
        ("1d", 24 * H),
        ("2j", 48 * H),  # jours
        ("1w", 7 * 24 * H),
        ("1sem", 7 * 24 * H),  # semaine
        ("2 hours", 2 * H),
        ("3 heures", 3 * H),
        ("10 min", 600),
        ("1H30M", 1.5 * H),
        ("1h30", 1.5 * H),  # how French speakers write it
        ("1h 30", 1.5 * H),
        ("0m", 0),  # a duration; whether zero is allowed is up to the parameter
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "90", "h", "1x", "-5m", "1.5", "5 m s", "1e3s", "nan m", "inf h", "2h30m!"])
def test_not_durations(text: str) -> None:
    assert duration_seconds(text) is None


def test_parse_duration_gives_a_positive_timedelta_or_none() -> None:
    assert parse_duration("2h30m") == timedelta(hours=2, minutes=30)
    assert parse_duration("0m") is None
    assert parse_duration("9" * 400 + "d") is None  # beyond any reasonable plan
    assert parse_duration("1000000w") is None


# ---------------------------------------------------------------- moments

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-12-01 10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),  # CET, +01:00
        ("2026-07-01 10:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),  # CEST, +02:00
        ("2026-12-01T10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01 10:00:30", datetime(2026, 12, 1, 9, 0, 30, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),  # midnight, local
        ("2026-12-1 9:05", datetime(2026, 12, 1, 8, 5, tzinfo=UTC)),
        ("2026-12-01 10h30", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),  # French way
        ("2026-12-01 10:00Z", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),  # explicit offset wins
        ("2026-12-01T10:00+05:30", datetime(2026, 12, 1, 4, 30, tzinfo=UTC)),
        ("2026-12-01 10:00 -0400", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        # Spring forward in Paris: 02:00-03:00 does not exist; 02:30 moves forward to 03:30 CEST.
        ("2026-03-29 02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Fall back: 02:30 happens twice; the first one (still CEST) is chosen.
        ("2026-10-25 02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_moments_are_read_in_the_community_zone(text: str, utc: datetime) -> None:
    moment = parse_moment(text, PARIS)
    assert moment == utc
    assert moment is not None and moment.utcoffset() == timedelta(0)


def test_a_moment_in_a_dst_gap_shows_as_the_next_real_local_time() -> None:
    moment = parse_moment("2026-03-29 02:30", PARIS)
    assert moment is not None
    assert moment.astimezone(PARIS).strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026-13-01",
        "2026-12-01 24:00",
        "2026-12-01 10:60",
        "2026-12-01 10:00+25:00",
        "2026-12-01 10:00+01:75",
        "0000-01-01",
    ],
)
def test_impossible_dates_are_none(text: str) -> None:
    assert is_moment(text)
    assert parse_moment(text, PARIS) is None


@pytest.mark.parametrize("text", ["tomorrow", "01/12/2026", "2026-12-01 10", "10:00", "2026-12-01 10:00 CET", ""])
def test_other_shapes_are_not_moments(text: str) -> None:
    assert not is_moment(text)
    assert parse_moment(text, PARIS) is None


def test_the_first_and_last_possible_dates_do_not_crash() -> None:
    assert parse_moment("0001-01-01 00:00", PARIS) is None  # before year 1 in UTC
    assert parse_moment("9999-12-31 23:59Z", PARIS) == datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "following", "joins"),
    [
        ("2026-12-01", "10:00", True),
        ("2026-12-01", "10h30", True),
        ("2026-12-01", "Lille", False),
        ("2026-12-01 10:00", "11:00", False),
        ("1h", "30m", True),
        ("1h", "30", False),
        ("1h", "Lille", False),
        ("Lille", "30m", False),
    ],
)
def test_continues_glues_dates_to_times_and_duration_parts(value: str, following: str, joins: bool) -> None:
    assert continues(value, following) is joins


# ---------------------------------------------------------------- issue 14: dates are never silently misread


@pytest.mark.parametrize(
    "text",
    ["2026-12-01 24:00", "2026-12-01 25:00", "2026-02-30 10:00", "2026-12-01 10:75", "2026-12-01T23:60", "2027-02-29"],
)
def test_the_issue_impossible_moments_are_refused_not_moved(text: str) -> None:
    assert parse_moment(text, PARIS) is None


def test_a_far_future_moment_is_read_as_written() -> None:
    assert parse_moment("2099-01-01 10:00", PARIS) == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)


@given(
    st.integers(0, 10**5), st.integers(0, 10**3), st.integers(0, 10**3), st.integers(0, 10**3), st.integers(0, 10**3)
)
def test_fuzzed_moments_are_read_as_typed_or_refused(year: int, month: int, day: int, hour: int, minute: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"
    moment = parse_moment(text, PARIS)
    try:
        typed = datetime(year, month, day, hour, minute)
    except ValueError:
        assert moment is None, text  # 24:00, 10:75, 30 February... never moved to another moment
        return
    if moment is not None:  # None only at the very ends of the calendar
        local = moment.astimezone(PARIS).replace(tzinfo=None)
        assert local in (typed, typed + timedelta(hours=1)), text  # an hour later only in the March gap


@given(st.text(max_size=30))
def test_fuzzed_texts_are_moments_or_none(text: str) -> None:
    moment = parse_moment(text, PARIS)
    assert moment is None or moment.tzinfo is UTC


@given(
    st.one_of(
        st.text(max_size=20),
        st.builds(
            lambda n, u: f"{n}{u}",
            st.integers(-(10**40), 10**40),
            st.sampled_from(["s", "m", "h", "d", "j", "w", "sem", "min", "x", ""]),
        ),
    )
)
def test_fuzzed_durations_are_positive_and_bounded_or_none(text: str) -> None:
    value = parse_duration(text)
    assert value is None or timedelta(0) < value <= timedelta(seconds=MAX_DURATION)
