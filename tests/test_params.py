"""Binding command values: usage lines, every converter, the errors a member sees, and fuzzing."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Msg, Translator, _
from bot.model import ChannelRef, CommunityRef, UserRef
from bot.params import bind_options, bind_text, clean_text, usage
from bot.plugin import (
    Choice,
    CommandError,
    Param,
    boolean,
    channel,
    choice,
    duration,
    integer,
    member,
    moment,
    number,
    text,
)

EN = Translator({})
HERE = CommunityRef("slack", "T1")
ELSEWHERE = CommunityRef("discord", "G9")
TZ = "Europe/Paris"


class FakeResolver:
    """Knows two members and two channels; understands `@name`, `name`, `<@id>` and `#name`."""

    def __init__(self) -> None:
        self.members = {"alice": "U1", "bob": "U2"}
        self.channels = {"general": "C1", "rust-lille": "C2"}

    async def member(self, community: CommunityRef, raw: str) -> UserRef | None:
        key = raw.removeprefix("<@").removesuffix(">").lstrip("@").lower()
        ids = {**self.members, **{v.lower(): v for v in self.members.values()}}
        found = ids.get(key)
        return UserRef(community.platform, community.workspace_id, found) if found else None

    async def channel(self, community: CommunityRef, raw: str) -> ChannelRef | None:
        found = self.channels.get(raw.lstrip("#").lower())
        return ChannelRef(community.platform, community.workspace_id, found) if found else None

    def member_names(self, community: CommunityRef) -> list[str]:
        return list(self.members)

    def channel_names(self, community: CommunityRef) -> list[str]:
        return list(self.channels)


RESOLVER = FakeResolver()


async def bind(params: Sequence[Param], arg_text: str, path: str = "test run") -> dict[str, object]:
    return await bind_text(params, arg_text, path=path, community=HERE, resolver=RESOLVER, tz=TZ)


async def bind_typed(params: Sequence[Param], options: Mapping[str, object]) -> dict[str, object]:
    return await bind_options(params, options, path="test run", community=HERE, resolver=RESOLVER, tz=TZ)


async def fails(params: Sequence[Param], arg_text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        await bind(params, arg_text)
    return caught.value


def shown(params: Mapping[str, object]) -> dict[str, str]:
    """Message parameters as an English-speaking member reads them (a parameter's name, a list of words)."""
    return {key: EN.format_value(value, "en") for key, value in params.items()}


def rendered(error: CommandError) -> tuple[str, str]:
    """The message and the hint as an English-speaking member reads them."""
    return EN.render(error.message, "en"), EN.render(error.hint, "en")


def one(param: Param) -> list[Param]:
    return [param]


# ---------------------------------------------------------------- usage

CITY = text("city", _("The city"), required=False)
RADIUS = integer("radius_km", _("Distance in km"), required=False, min_value=1, max_value=500)
NEARBY = [CITY, RADIUS]


@pytest.mark.parametrize(
    ("params", "line"),
    [
        (NEARBY, "/group nearby [city:<text>] [radius_km:<1-500>]"),
        ([text("name", _("Name"))], "/group nearby <name>"),
        ([text("note", _("Note"), rest=True)], "/group nearby <note...>"),
        ([choice("size", _("Size"), [Choice("s", "S"), Choice("m", "M"), Choice("l", "L")])], "/group nearby <s|m|l>"),
        (
            [choice("size", _("Size"), [Choice("s", "S"), Choice("m", "M")], required=False)],
            "/group nearby [size:<s|m>]",
        ),
        ([number("lat", _("Latitude"), required=False, min_value=-90, max_value=90)], "/group nearby [lat:<-90..90>]"),
        ([number("ratio", _("Ratio"), required=False, min_value=0.5)], "/group nearby [ratio:<≥0.5>]"),
        ([integer("n", _("N"), required=False, max_value=10)], "/group nearby [n:<≤10>]"),
        (
            [integer("n", _("N"), required=False), number("x", _("X"), required=False)],
            "/group nearby [n:<integer>] [x:<number>]",
        ),
        (
            [
                boolean("public", _("Public"), required=False),
                duration("every", _("Every"), required=False),
                moment("at", _("At"), required=False),
                member("who", _("Who"), required=False),
                channel("where", _("Where"), required=False),
            ],
            "/group nearby [public:<yes|no>] [every:<duration>] [at:<YYYY-MM-DD HH:MM>] [who:<@member>] "
            "[where:<#channel>]",
        ),
        ([], "/group nearby"),
    ],
)
def test_usage_lines(params: list[Param], line: str) -> None:
    assert usage("group nearby", params) == line


# ---------------------------------------------------------------- text binding

JOIN = [text("group", _("The group to join")), text("message", _("A note"), required=False)]


async def test_positional_values_fill_required_then_optional_params_in_order() -> None:
    params = [text("note", _("Note"), required=False), text("group", _("Group"))]
    assert await bind(params, "rust hello") == {"group": "rust", "note": "hello"}
    assert await bind(NEARBY, "Lille 30") == {"city": "Lille", "radius_km": 30}


async def test_named_values_go_anywhere_and_leave_positions_to_the_others() -> None:
    assert await bind(NEARBY, "radius_km:30 Lille") == {"city": "Lille", "radius_km": 30}
    assert await bind(JOIN, 'message:"see you" "Rust Lille"') == {"group": "Rust Lille", "message": "see you"}


async def test_absent_optional_params_are_left_to_the_handler_defaults() -> None:
    assert await bind(NEARBY, "") == {}
    assert await bind(NEARBY, "Lille") == {"city": "Lille"}


async def test_an_unknown_name_is_named_with_a_suggestion_and_the_usage() -> None:
    error = await fails(NEARBY, "Lille radius:30")
    assert error.message == Msg("Unknown parameter {name}.", {"name": "radius"})
    message, hint = rendered(error)
    assert message == "Unknown parameter radius."
    assert hint == "Did you mean radius_km?\nUsage: /test run [city:<text>] [radius_km:<1-500>]"


async def test_an_unknown_name_far_from_any_explains_colons() -> None:
    _message, hint = rendered(await fails(NEARBY, "Lille zzz:30"))
    assert "put the value in quotes" in hint
    assert hint.endswith(usage("test run", NEARBY))


async def test_a_param_given_twice_is_an_error() -> None:
    error = await fails(NEARBY, "city:Lille city:Paris")
    assert rendered(error)[0] == "city is given twice."
    assert usage("test run", NEARBY) in rendered(error)[1]
    error = await fails(NEARBY, "Lille city:Paris radius_km:3 radius_km:4")
    assert shown(error.message.params) == {"name": "radius_km"}


async def test_too_many_values_points_at_the_first_extra_and_suggests_quotes() -> None:
    error = await fails(JOIN, "Rust Lille is great")
    assert error.message == Msg("Unexpected value “{value}”.", {"value": "is"})
    message, hint = rendered(error)
    assert message == "Unexpected value “is”."
    assert 'in quotes, like "Rust Lille"' in hint
    assert hint.endswith("Usage: /test run <group> [message:<text>]")


async def test_a_missing_required_value_says_what_it_is() -> None:
    error = await fails(JOIN, "message:hi")
    assert error.message.msgid == "Missing {name}: {description}"
    assert shown(error.message.params) == {"name": "group", "description": "The group to join"}
    message, hint = rendered(error)
    assert message == "Missing group: The group to join"
    assert hint == "Usage: /test run <group> [message:<text>]"


NOTE = [text("title", _("Title"), rest=True, max_length=500), channel("where", _("Where"), required=False)]


@pytest.mark.parametrize(
    ("arg_text", "expected"),
    [
        ("Post about  Rust\nand Lille", {"title": "Post about Rust and Lille"}),
        ('"Post  about Rust"', {"title": "Post  about Rust"}),
        ("Post where:#general about Rust", {"title": "Post about Rust", "where": ChannelRef("slack", "T1", "C1")}),
        ("where:#general Post about Rust", {"title": "Post about Rust", "where": ChannelRef("slack", "T1", "C1")}),
        (
            "title:Post about Rust where:#general",
            {"title": "Post about Rust", "where": ChannelRef("slack", "T1", "C1")},
        ),
        ("Note: bring snacks at 10:30", {"title": "Note: bring snacks at 10:30"}),  # not a parameter
        ("see https://example.org", {"title": "see https://example.org"}),
    ],
)
async def test_a_rest_param_takes_the_rest_of_the_line(arg_text: str, expected: dict[str, object]) -> None:
    assert await bind(NOTE, arg_text) == expected


async def test_a_quoted_named_rest_value_does_not_swallow_other_values() -> None:
    error = await fails(NOTE, 'title:"Post" about')
    assert error.message.params == {"value": "about"}


async def test_a_word_close_to_a_param_name_is_still_a_typo_in_free_text() -> None:
    error = await fails(NOTE, "Post wher:#general")
    assert error.message.params == {"name": "wher"}


async def test_an_unclosed_quote_surfaces_as_a_command_error() -> None:
    error = await fails(JOIN, '"Rust Lille')
    assert error.message.msgid == "A quote opened at “{excerpt}” is never closed."


# ---------------------------------------------------------------- TEXT


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  Rust  ", "Rust"),
        ("Ru\u200bst\ufeff", "Rust"),
        ("a\x00b\x07c", "abc"),
        ("line one\r\nline two", "line one\nline two"),
        ("tab\there", "tab here"),
        ("e\u0301te\u0301", "été"),  # decomposed accents are composed
        ("\u202bשלום\u202c", "\u202bשלום\u202c"),  # right-to-left text keeps its marks
        ("'; DROP TABLE groups; --", "'; DROP TABLE groups; --"),
    ],
)
async def test_text_is_cleaned(raw: str, value: str) -> None:
    assert clean_text(raw) == value
    assert await bind_typed(one(text("name", _("Name"), max_length=50)), {"name": raw}) == {"name": value}


async def test_text_can_be_very_long_when_allowed() -> None:
    body = "ü" * 12_000
    assert await bind(one(text("body", _("Body"), max_length=20_000)), f'"{body}"') == {"body": body}


async def test_empty_text_is_refused() -> None:
    param = one(text("name", _("Name")))
    for raw in ('""', '"  \u200b "'):
        error = await fails(param, raw)
        assert rendered(error)[0] == "name cannot be empty."
        assert rendered(error)[1] == "Usage: /test run <name>"


async def test_too_long_text_says_the_limit_and_the_length() -> None:
    error = await fails(one(text("name", _("Name"), max_length=10)), "x" * 11)
    assert shown(error.message.params) == {"name": "name", "length": "11", "limit": "10"}
    assert rendered(error)[0] == "name is too long: 11 characters, at most 10."


# ---------------------------------------------------------------- INTEGER and NUMBER

COUNT = one(integer("count", _("Count")))


@pytest.mark.parametrize(("raw", "value"), [("3", 3), ("+3", 3), ("-2", -2), ("007", 7), ("１２", 12)])
async def test_integers(raw: str, value: int) -> None:
    assert await bind(COUNT, raw) == {"count": value}


@pytest.mark.parametrize("raw", ["3.5", "1e3", "3,0", "three", "0x10", "1_000", "--1", "nan"])
async def test_not_integers(raw: str) -> None:
    error = await fails(COUNT, raw)
    assert error.message.msgid == "{name} must be a whole number, not “{value}”."
    assert shown(error.message.params) == {"name": "count", "value": raw}
    assert "Usage: /test run <count>" in rendered(error)[1]


async def test_huge_integers_are_too_large_not_a_crash() -> None:
    for raw in ["9" * 5000, str(2**63), "-" + "9" * 40]:
        assert (await fails(COUNT, raw)).message.msgid == "{name} is too large."


@pytest.mark.parametrize(
    ("param", "raw", "message"),
    [
        (integer("n", _("N"), min_value=1, max_value=500), "0", "n must be between 1 and 500."),
        (integer("n", _("N"), min_value=1, max_value=500), "501", "n must be between 1 and 500."),
        (integer("n", _("N"), min_value=1), "-3", "n must be at least 1."),
        (integer("n", _("N"), max_value=10), "11", "n must be at most 10."),
        (number("x", _("X"), min_value=0.5, max_value=2), "2,5", "x must be between 0.5 and 2."),
        (number("x", _("X"), min_value=0), "-0.1", "x must be at least 0."),
    ],
)
async def test_bounds_are_enforced_and_stated(param: Param, raw: str, message: str) -> None:
    error = await fails(one(param), raw)
    assert rendered(error)[0] == message
    assert usage("test run", [param]) in rendered(error)[1]


async def test_bounds_are_inclusive() -> None:
    params = one(integer("n", _("N"), min_value=1, max_value=500))
    assert await bind(params, "1") == {"n": 1}
    assert await bind(params, "500") == {"n": 500}


RATIO = one(number("ratio", _("Ratio")))


@pytest.mark.parametrize(
    ("raw", "value"),
    [("2.5", 2.5), ("2,5", 2.5), ("-1", -1.0), ("+3", 3.0), (".5", 0.5), (",5", 0.5), ("10", 10.0)],
)
async def test_numbers_accept_a_french_decimal_comma(raw: str, value: float) -> None:
    assert await bind(RATIO, raw) == {"ratio": value}


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e3", "2.5.1", "1 000", "½", "."])
async def test_not_numbers(raw: str) -> None:
    error = await fails(RATIO, f'"{raw}"')
    assert error.message.msgid == "{name} must be a number, not “{value}”."


async def test_a_number_beyond_floats_is_too_large() -> None:
    assert (await fails(RATIO, "9" * 400)).message.msgid == "{name} is too large."


# ---------------------------------------------------------------- BOOLEAN and CHOICE

PUBLIC = one(boolean("public", _("Public")))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True),
        ("YES", True),
        ("true", True),
        ("on", True),
        ("1", True),
        ("oui", True),
        ("Vrai", True),
        ("no", False),
        ("False", False),
        ("off", False),
        ("0", False),
        ("non", False),
        ("faux", False),
    ],
)
async def test_booleans_in_english_and_french(raw: str, value: bool) -> None:
    assert await bind(PUBLIC, raw) == {"public": value}


async def test_not_a_boolean() -> None:
    error = await fails(PUBLIC, "maybe")
    assert rendered(error)[0] == "public must be yes or no, not “maybe”."


PERIOD = one(
    choice(
        "period",
        _("Period"),
        [Choice("daily", "Daily"), Choice("weekly", "Weekly"), Choice("semaine-prochaine", "Next week")],
    )
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("daily", "daily"),
        ("WEEKLY", "weekly"),
        ('"Semaine Prochaine"', "semaine-prochaine"),
        ("semaine_prochaine", "semaine-prochaine"),
        ("sémaine-PROCHAINE", "semaine-prochaine"),
    ],
)
async def test_choices_ignore_case_accents_and_separators(raw: str, value: str) -> None:
    assert await bind(PERIOD, raw) == {"period": value}


async def test_an_unknown_choice_lists_the_allowed_values_and_suggests_one() -> None:
    error = await fails(PERIOD, "wekly")
    message, hint = rendered(error)
    assert message == "period must be one of daily, weekly, semaine-prochaine, not “wekly”."
    assert hint == "Did you mean weekly?\nUsage: /test run <daily|weekly|semaine-prochaine>"


# ---------------------------------------------------------------- DURATION

EVERY = [
    duration("every", _("Every"), min_value=timedelta(minutes=5), max_value=timedelta(days=1)),
    text("label", _("Label"), required=False),
]


@pytest.mark.parametrize(
    ("arg_text", "value"),
    [
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),  # two words, one duration
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("1,5h", timedelta(hours=1, minutes=30)),
        ("45m", timedelta(minutes=45)),
        ("1d", timedelta(days=1)),
        ("1j", timedelta(days=1)),
        ("300s", timedelta(minutes=5)),
        ("every:1h 30m", timedelta(hours=1, minutes=30)),
    ],
)
async def test_durations(arg_text: str, value: timedelta) -> None:
    assert (await bind(EVERY, arg_text))["every"] == value


async def test_the_words_after_a_duration_go_to_the_next_param() -> None:
    assert await bind(EVERY, "1h 30m standup") == {"every": timedelta(minutes=90), "label": "standup"}
    assert await bind(EVERY, '1h "30m"') == {"every": timedelta(hours=1), "label": "30m"}


async def test_weeks_in_french() -> None:
    assert await bind(one(duration("d", _("D"))), "1sem") == {"d": timedelta(weeks=1)}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("4m", "every must be between 5 minutes and 24 hours."),
        ("2d", "every must be between 5 minutes and 24 hours."),
        ("0m", "every must be longer than zero."),
    ],
)
async def test_duration_bounds(raw: str, message: str) -> None:
    assert rendered(await fails(EVERY, raw))[0] == message


async def test_durations_without_bounds_still_stop_at_a_century() -> None:
    error = await fails(one(duration("d", _("D"))), "99999w")
    assert error.message.msgid == "{name} must be at most {high}."


@pytest.mark.parametrize("raw", ["90", "soon", "-5m", "1x"])
async def test_not_durations_explain_the_units(raw: str) -> None:
    message, hint = rendered(await fails(EVERY, raw))
    assert message == f"every must be a duration such as 45m, 2h30m or 1d, not “{raw}”."
    assert hint.startswith("Units: s, m, h, d (or j), w (or sem).")


# ---------------------------------------------------------------- DATETIME

EVENT = [moment("at", _("When")), text("title", _("Title"), required=False)]
PARIS = ZoneInfo(TZ)


@pytest.mark.parametrize(
    ("arg_text", "utc"),
    [
        ("2026-12-01 10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 11, 30, 23, 0, tzinfo=UTC)),
        ('"2026-12-01 10:00:15"', datetime(2026, 12, 1, 9, 0, 15, tzinfo=UTC)),
        ("at:2026-12-01 10:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T10:00Z", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("2026-03-29 02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # DST gap: 03:30 local
    ],
)
async def test_moments_are_read_in_the_community_time_zone(arg_text: str, utc: datetime) -> None:
    assert (await bind(EVENT, arg_text))["at"] == utc


async def test_the_words_after_a_moment_go_to_the_next_param() -> None:
    result = await bind(EVENT, '2026-12-01 10:00 "Rust meetup"')
    assert result == {"at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "title": "Rust meetup"}


@pytest.mark.parametrize(
    ("arg_text", "msgid"),
    [
        ("tomorrow", "{name} must be a date such as 2026-12-01 10:00, not “{value}”."),
        ("01/12/2026", "{name} must be a date such as 2026-12-01 10:00, not “{value}”."),
        ("2026-02-30", "{name}: {value} is not a real date and time."),
        ("2026-12-01 25:00", "{name}: {value} is not a real date and time."),
    ],
)
async def test_wrong_moments(arg_text: str, msgid: str) -> None:
    error = await fails(EVENT, arg_text)
    assert error.message.msgid == msgid
    assert rendered(error)[1].endswith("Usage: /test run <at> [title:<text>]")


async def test_an_unknown_community_time_zone_is_reported_not_crashed() -> None:
    with pytest.raises(CommandError) as caught:
        await bind_text(EVENT, "2026-12-01 10:00", path="x", community=HERE, resolver=RESOLVER, tz="Mars/Olympus")
    assert caught.value.message == Msg("This community's time zone {tz} is unknown.", {"tz": "Mars/Olympus"})


# ---------------------------------------------------------------- MEMBER and CHANNEL

ASSIGN = [member("who", _("Who")), channel("where", _("Where"), required=False)]


@pytest.mark.parametrize("raw", ["@alice", "alice", "<@U1>", "ALICE"])
async def test_members_are_resolved(raw: str) -> None:
    assert await bind(ASSIGN, raw) == {"who": UserRef("slack", "T1", "U1")}


async def test_channels_are_resolved() -> None:
    assert (await bind(ASSIGN, "bob #rust-lille"))["where"] == ChannelRef("slack", "T1", "C2")


async def test_an_unknown_member_suggests_a_known_one() -> None:
    error = await fails(ASSIGN, "@alcie")
    message, hint = rendered(error)
    assert message == "No member matches “@alcie”."
    assert hint == "Did you mean @alice?\nUsage: /test run <who> [where:<#channel>]"


async def test_an_unknown_channel_suggests_a_known_one() -> None:
    message, hint = rendered(await fails(ASSIGN, "bob where:#genral"))
    assert message == "No channel matches “#genral”."
    assert hint.startswith("Did you mean #general?")


async def test_an_absurdly_long_name_is_not_looked_up() -> None:
    error = await fails(ASSIGN, "a" * 10_000)
    assert error.message.msgid == "No member matches “{value}”."
    assert len(str(error.message.params["value"])) <= 40


# ---------------------------------------------------------------- typed options (Discord)

EVERYTHING = [
    text("name", _("Name"), max_length=20),
    integer("count", _("Count"), required=False, min_value=1, max_value=10),
    number("ratio", _("Ratio"), required=False, min_value=0, max_value=1),
    boolean("public", _("Public"), required=False),
    choice("period", _("Period"), [Choice("daily", "Daily"), Choice("weekly", "Weekly")], required=False),
    duration("every", _("Every"), required=False, max_value=timedelta(days=1)),
    moment("at", _("At"), required=False),
    member("who", _("Who"), required=False),
    channel("where", _("Where"), required=False),
]


async def test_typed_options_are_accepted_when_valid() -> None:
    alice, general = UserRef("slack", "T1", "U1"), ChannelRef("slack", "T1", "C1")
    options: dict[str, object] = {
        "name": " Rust ",
        "count": 3,
        "ratio": 0.5,
        "public": True,
        "period": "Weekly",
        "every": timedelta(hours=2),
        "at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "who": alice,
        "where": general,
    }
    assert await bind_typed(EVERYTHING, options) == {**options, "name": "Rust", "period": "weekly"}


async def test_typed_options_also_accept_text_for_every_kind() -> None:
    options = {
        "name": "Rust",
        "count": "+3",
        "ratio": "0,5",
        "public": "oui",
        "period": "daily",
        "every": "1h30",
        "at": "2026-12-01 10:00",
        "who": "@bob",
        "where": "#general",
    }
    assert await bind_typed(EVERYTHING, options) == {
        "name": "Rust",
        "count": 3,
        "ratio": 0.5,
        "public": True,
        "period": "daily",
        "every": timedelta(minutes=90),
        "at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        "who": UserRef("slack", "T1", "U2"),
        "where": ChannelRef("slack", "T1", "C1"),
    }


async def test_a_naive_datetime_is_read_in_the_community_zone_and_none_means_absent() -> None:
    result = await bind_typed(EVERYTHING, {"name": "x", "at": datetime(2026, 7, 1, 10, 0), "count": None})
    assert result == {"name": "x", "at": datetime(2026, 7, 1, 8, 0, tzinfo=UTC)}


async def test_a_whole_float_is_an_integer() -> None:
    assert await bind_typed(EVERYTHING, {"name": "x", "count": 4.0}) == {"name": "x", "count": 4}


@pytest.mark.parametrize(
    ("options", "msgid", "params"),
    [
        (
            {"name": "x", "count": 11},
            "{name} must be between {low} and {high}.",
            {"name": "count", "low": 1, "high": 10},
        ),
        (
            {"name": "x", "count": 2.5},
            "{name} must be a whole number, not “{value}”.",
            {"name": "count", "value": "2.5"},
        ),
        (
            {"name": "x", "ratio": float("nan")},
            "{name} must be a number, not “{value}”.",
            {"name": "ratio", "value": "nan"},
        ),
        ({"name": "x", "ratio": float("inf")}, "{name} is too large.", {"name": "ratio"}),
        ({"name": "x", "ratio": 10**400}, "{name} is too large.", {"name": "ratio"}),
        (
            {"name": "x" * 21},
            "{name} is too long: {length} characters, at most {limit}.",
            {"name": "name", "length": 21, "limit": 20},
        ),
        ({"name": "   "}, "{name} cannot be empty.", {"name": "name"}),
        (
            {"name": "x", "period": "monthly"},
            "{name} must be one of {allowed}, not “{value}”.",
            {"name": "period", "allowed": "daily, weekly", "value": "monthly"},
        ),
        ({"name": "x", "every": timedelta(0)}, "{name} must be longer than zero.", {"name": "every"}),
        ({"name": "x", "every": timedelta(days=2)}, "{name} must be at most {high}.", {"name": "every"}),
        (
            {"name": "x", "who": UserRef("discord", "G9", "U1")},
            "{name} must be a member of this community.",
            {"name": "who"},
        ),
        (
            {"name": "x", "where": ChannelRef("discord", "G9", "C1")},
            "{name} must be a channel of this community.",
            {"name": "where"},
        ),
        (
            {"name": "x", "who": ChannelRef("slack", "T1", "C1")},
            "{name} must be a member of this community.",
            {"name": "who"},
        ),
        ({"name": 3}, "{name} received a value of the wrong type.", {"name": "name"}),
        ({"name": "x", "count": True}, "{name} received a value of the wrong type.", {"name": "count"}),
        ({"name": "x", "public": 1}, "{name} received a value of the wrong type.", {"name": "public"}),
        ({"name": "x", "who": 42}, "{name} received a value of the wrong type.", {"name": "who"}),
        ({"name": "x", "colour": "red"}, "Unknown parameter {name}.", {"name": "colour"}),
        ({"count": 3}, "Missing {name}: {description}", {"name": "name", "description": _("Name")}),
        ({"name": None}, "Missing {name}: {description}", {"name": "name", "description": _("Name")}),
    ],
)
async def test_typed_options_are_never_trusted(
    options: dict[str, object], msgid: str, params: dict[str, object]
) -> None:
    with pytest.raises(CommandError) as caught:
        await bind_typed(EVERYTHING, options)
    error = caught.value
    assert error.message.msgid == msgid
    assert {key: shown(error.message.params)[key] for key in params} == shown(params)
    assert rendered(error)[1].endswith("Usage: " + usage("test run", EVERYTHING))


# ---------------------------------------------------------------- fuzzing

FUZZED = [
    text("name", _("Name"), max_length=300),
    integer("count", _("Count"), required=False, min_value=1, max_value=10),
    number("ratio", _("Ratio"), required=False),
    boolean("public", _("Public"), required=False),
    choice("period", _("Period"), [Choice("daily", "Daily")], required=False),
    duration("every", _("Every"), required=False),
    moment("at", _("At"), required=False),
    member("who", _("Who"), required=False),
    channel("where", _("Where"), required=False),
]
REST = [*FUZZED[1:], text("note", _("Note"), rest=True, max_length=20_000)]
NAMES = st.sampled_from(
    [
        "name:",
        "count:",
        "ratio:",
        "public:",
        "period:",
        "every:",
        "at:",
        "who:",
        "where:",
        "note:",
        "x:",
        "https://",
        '"',
        "'",
        "«",
        "»",
        "“",
        "\\",
        " ",
        "\n",
        "2026-12-01",
        "10:00",
        "1h",
        "30m",
        "@alice",
        "#general",
        "\u200b",
        "\u202e",
        "'; DROP TABLE x;--",
    ]
)
FRAGMENTS = st.lists(st.one_of(NAMES, st.text(max_size=30)), max_size=30).map("".join)


def bind_sync(params: Sequence[Param], arg_text: str) -> dict[str, object] | None:
    """Bind in a fresh loop; None when a CommandError was raised (the only exception allowed)."""
    try:
        return asyncio.run(bind(params, arg_text))
    except CommandError as error:
        assert isinstance(error.message, Msg)
        EN.render(error.message, "en")
        EN.render(error.hint, "en")
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), FRAGMENTS))
def test_bind_text_gives_values_or_a_command_error_for_any_text(arg_text: str) -> None:
    for params in (FUZZED, REST):
        result = bind_sync(params, arg_text)
        if result is not None:
            assert set(result) <= {param.name for param in params}


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda chunk: chunk * (10_000 // len(chunk) + 1)))
def test_bind_text_survives_huge_values(arg_text: str) -> None:
    bind_sync(REST, arg_text)
    bind_sync(FUZZED, f'"{arg_text}"')


ANY_VALUE = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(),
    st.builds(UserRef, st.text(), st.text(), st.text()),
    st.builds(ChannelRef, st.text(), st.text(), st.text()),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([p.name for p in FUZZED] + ["other"]), ANY_VALUE))
def test_bind_options_gives_values_or_a_command_error_for_any_values(options: dict[str, object]) -> None:
    try:
        result = asyncio.run(bind_typed(FUZZED, options))
    except CommandError:
        return
    assert set(result) <= set(options)


ASK = [
    text("question", _("Your question."), required=False, rest=True),
    text("group", _("The group."), required=False, max_length=60, named_only=True),
]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Où trouver le planning ?", {"question": "Où trouver le planning ?"}),
        ("group:rust How do I join?", {"question": "How do I join?", "group": "rust"}),
        ("How do I join? group:rust", {"question": "How do I join?", "group": "rust"}),
    ],
)
async def test_named_only_params_never_take_positional_words(line: str, expected: dict[str, object]) -> None:
    assert await bind(ASK, line) == expected


def test_named_only_params_show_by_name_in_the_usage() -> None:
    required_group = [ASK[0], text("group", _("The group."), named_only=True)]
    assert usage("ask", ASK) == "/ask [question:<text>] [group:<text>]"
    assert usage("ask", required_group) == "/ask [question:<text>] group:<text>"


# ---------------------------------------------------------------- issue 14: every range error names its limit

FR = Translator.load([Path("bot/locales")])


@pytest.mark.parametrize(
    ("param", "raw", "hint"),
    [
        (integer("n", _("N"), min_value=1, max_value=500), "9" * 40, "Accepted values go from 1 to 500."),
        (
            integer("n", _("N")),
            str(2**63),
            "Accepted values go from -9,223,372,036,854,775,807 to 9,223,372,036,854,775,807.",
        ),
        (number("x", _("X"), min_value=0, max_value=100), "9" * 400, "Accepted values go from 0 to 100."),
    ],
)
async def test_too_large_values_state_the_accepted_range(param: Param, raw: str, hint: str) -> None:
    error = await fails(one(param), raw)
    assert error.message.msgid == "{name} is too large."
    assert hint in rendered(error)[1]
    assert "Les valeurs acceptées vont de" in FR.render(error.hint, "fr")


@pytest.mark.parametrize(
    ("param", "raw", "message"),
    [
        (integer("km", _("Km"), min_value=1, max_value=500), "501", "km must be between 1 and 500."),
        # A bound is shown exactly: 30 days, not the "4 weeks" a rounded span would say.
        (duration("d", _("D"), max_value=timedelta(days=30)), "31d", "d must be at most 30 days."),
        (duration("d", _("D"), min_value=timedelta(minutes=5)), "1m", "d must be between 5 minutes and 100 years."),
        (
            duration("d", _("D"), min_value=timedelta(minutes=90), max_value=timedelta(days=10)),
            "1h",
            "d must be between 90 minutes and 10 days.",
        ),
    ],
)
async def test_range_errors_name_their_limit(param: Param, raw: str, message: str) -> None:
    assert rendered(await fails(one(param), raw))[0] == message


@pytest.mark.parametrize("arg_text", ["2026-02-30", "2026-12-01 24:00", "2026-12-01 10:75", "tomorrow 25:00"])
async def test_impossible_moments_list_the_accepted_forms(arg_text: str) -> None:
    hint = rendered(await fails(EVENT, arg_text))[1]
    assert "Write YYYY-MM-DD HH:MM on a 24-hour clock (hours 0 to 23, minutes 0 to 59)" in hint


async def test_a_far_future_moment_is_accepted() -> None:
    assert (await bind(EVENT, "2099-01-01 10:00"))["at"] == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- French words typed by a French reader

WORDS = Translator(
    {
        "fr": {
            "parameter\x04city": "ville",
            "parameter\x04radius_km": "rayon_km",
            "parameter\x04period": "période",
            "parameter\x04public": "public",
            "parameter\x04every": "tous_les",
            "choice\x04weekly": "hebdo",
            "choice\x04monthly": "mensuel",
            "Did you mean {suggestion}?": "Vouliez-vous dire {suggestion} ?",
            "{name} must be one of {allowed}, not “{value}”.": "{name} doit valoir {allowed}, pas « {value} ».",
            "Usage: {usage}": "Utilisation : {usage}",
            "Unknown parameter {name}.": "Paramètre {name} inconnu.",
            "<duration>": "<durée>",
            "yes": "oui",
            "no": "non",
        }
    }
)
IN_FRENCH = [
    text("city", _("City")),
    integer("radius_km", _("Radius"), required=False, min_value=1, max_value=500),
    choice(
        "period",
        _("Period"),
        [Choice("weekly", _("every week"), aliases=("semaine", "hebdomadaire")), Choice("monthly", _("every month"))],
        required=False,
    ),
    boolean("public", _("Public"), required=False),
    duration("every", _("Every"), required=False),
]


async def bind_fr(arg_text: str) -> dict[str, object]:
    return await bind_text(
        IN_FRENCH, arg_text, path="test run", community=HERE, resolver=RESOLVER, tz=TZ, spellings=WORDS.spellings
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Lille rayon_km:30", {"city": "Lille", "radius_km": 30}),
        ("ville:Lille RAYON_KM:30", {"city": "Lille", "radius_km": 30}),
        ("Lille periode:hebdo", {"city": "Lille", "period": "weekly"}),
        ("Lille période:Hebdo", {"city": "Lille", "period": "weekly"}),
        ("Lille period:weekly", {"city": "Lille", "period": "weekly"}),
        ("Lille période:semaine", {"city": "Lille", "period": "weekly"}),
        ("Lille période:mensuel", {"city": "Lille", "period": "monthly"}),
        ("Lille public:activé", {"city": "Lille", "public": True}),
        ("Lille public:désactivée", {"city": "Lille", "public": False}),
        ("Lille tous_les:1 jour et 2 heures", {"city": "Lille", "every": timedelta(days=1, hours=2)}),
        ("Lille tous_les:2 h", {"city": "Lille", "every": timedelta(hours=2)}),
        ("Lille tous_les:1 sem", {"city": "Lille", "every": timedelta(weeks=1)}),
    ],
)
async def test_a_french_reader_types_the_words_the_bot_shows(typed: str, expected: dict[str, object]) -> None:
    assert await bind_fr(typed) == expected


async def test_a_wrong_choice_lists_the_readers_words_and_suggests_the_closest() -> None:
    with pytest.raises(CommandError) as caught:
        await bind_fr("Lille période:hebdp")
    message, hint = WORDS.render(caught.value.message, "fr"), WORDS.render(caught.value.hint, "fr")
    assert message == "période doit valoir hebdo, mensuel, pas «\u202fhebdp\u202f»."
    assert "Vouliez-vous dire hebdo\u202f?" in hint
    assert (
        "Utilisation\u202f: /test run <ville> [rayon_km:<1-500>] [période:<hebdo|mensuel>] [public:<oui|non>]" in hint
    )
    english = EN.render(caught.value.message, "en")
    assert english == "period must be one of weekly, monthly, not “hebdp”."


async def test_a_misspelt_french_parameter_name_is_suggested_in_french() -> None:
    with pytest.raises(CommandError) as caught:
        await bind_fr("Lille rayon:30")
    assert "Vouliez-vous dire rayon_km\u202f?" in WORDS.render(caught.value.hint, "fr")
